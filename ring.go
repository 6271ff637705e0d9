package ants

import (
	"context"
	"sync/atomic"
)

// ring is the bounded FIFO that carries admitted tasks to the workers: any
// number of submitters push and any number of workers pop, without a lock.
//
// It is D. Vyukov's bounded MPMC queue. Each cell holds a sequence number
// that says whose turn it is: a cell at position pos is free for the push of
// pos when seq == pos, and holds that push's value for the pop of pos when
// seq == pos+1. A push or pop first claims its position with a CAS on tail
// or head, then touches only its cell, so submitters and workers never
// write the same word, unlike the lock and counters of a channel, which
// both sides write on every task.
//
// The atomic store of seq publishes the cell's value (or its emptiness), so
// the value itself is a plain field. A cell is no bigger than the value and
// its sequence number (16 bytes for a func()), so cells never straddle
// cache lines; what else a task carries sits beside the cells, in an array
// that only the pools that need it have.
type ring[T any] struct {
	head  atomic.Uint64 // next position to pop; written by workers
	_     cacheLinePad
	tail  atomic.Uint64 // next position to push; written by submitters
	_     cacheLinePad
	mask  uint64
	cells []cell[T]
	// side holds, beside each cell, what else its task carries: the
	// sub-pool it belongs to (nil for the pool's own) and the context whose
	// profiler labels it runs under. It is nil on a pool that has neither,
	// which pays one nil check per push and pop. A pool built WithTaskLabels
	// has it from the start; otherwise the first sub-pool that uses the
	// ring makes it (withLanes), before that sub-pool's first push; a pop
	// reads it after the cell's seq, so it sees every side pushed before.
	//
	// A pop clears the labels but leaves the lane, and a push writes the
	// lane only if another is there: a lane outlives its tasks, and the
	// tasks of one sub-pool, or a multi-pool's pools taken in turn, put the
	// same lane in a cell lap after lap. The line then stays shared by the
	// submitter and the workers that read it, instead of moving between
	// their cores on every task (which cost a multi-pool of 4 pools a
	// quarter of its time); where the lanes mostly differ from lap to lap,
	// the push writes without looking (mixed). A released sub-pool's lane
	// may so stay referenced until its cells are pushed again.
	side atomic.Pointer[[]side[T]]
	// mixed says that the lanes of successive laps of a cell mostly differ
	// (a LeastTasks multi-pool's), so that a push writes its lane without
	// looking at the one there first: the look would cost a transfer of
	// the line before the write that takes it anyway. Set before the first
	// push.
	mixed bool
}

// side is what a task carries beside its cell; see ring.side.
type side[T any] struct {
	lane   *lane[T]
	labels context.Context
}

type cell[T any] struct {
	seq atomic.Uint64
	val T
}

// newRing returns a ring of at least n cells (at least 2, a power of two),
// with room for a labels context per cell if labels is set.
func newRing[T any](n int, labels bool) *ring[T] {
	size := pow2(n)
	r := &ring[T]{mask: uint64(size - 1), cells: make([]cell[T], size)}
	if labels {
		sd := make([]side[T], size)
		r.side.Store(&sd)
	}
	for i := range r.cells {
		r.cells[i].seq.Store(uint64(i))
	}
	return r
}

// reserve claims the cell of the next push and returns it with its
// position, or nil if the ring is full (the cell still holds the value of
// a lap ago). The claim is the CAS on tail; the cell then belongs to the
// caller until fill publishes it.
//
// A push is reserve and then fill, a pop take and then empty: each is
// small enough for the compiler to inline, so that a pool with one ring
// hands a task over without a call into it (pop, which pairs them, serves
// the rings of several priorities).
func (r *ring[T]) reserve() (*cell[T], uint64) {
	for {
		pos := r.tail.Load()
		c := &r.cells[pos&r.mask]
		switch seq := c.seq.Load(); {
		case seq == pos:
			if r.tail.CompareAndSwap(pos, pos+1) {
				return c, pos
			}
		case seq < pos:
			return nil, 0
		}
	}
}

// fill stores v, its lane and its labels in c, reserved at pos, and
// publishes it to the pops. The labels there are nil (empty cleared them),
// and the lane is written only if it differs (see side).
func (r *ring[T]) fill(c *cell[T], pos uint64, v T, l *lane[T], lc context.Context) {
	c.val = v
	if sd := r.side.Load(); sd != nil {
		x := &(*sd)[pos&r.mask]
		if r.mixed || x.lane != l {
			x.lane = l
		}
		if lc != nil {
			x.labels = lc
		}
	}
	c.seq.Store(pos + 1)
}

// pop removes the oldest value, with its lane and labels, if there is one.
// It clears the cell and the labels, so the ring keeps nothing a finished
// task referred to (the lane stays: see side).
func (r *ring[T]) pop() (v T, l *lane[T], lc context.Context, ok bool) {
	if c, pos := r.take(); c != nil {
		v, l, lc = r.empty(c, pos)
		return v, l, lc, true
	}
	return v, nil, nil, false
}

// take claims the oldest cell for a pop and returns it with its position,
// or nil if nothing is pushed there yet (the ring is empty, or the push of
// that cell is still in progress).
func (r *ring[T]) take() (*cell[T], uint64) {
	for {
		pos := r.head.Load()
		c := &r.cells[pos&r.mask]
		switch seq := c.seq.Load(); {
		case seq == pos+1:
			if r.head.CompareAndSwap(pos, pos+1) {
				return c, pos
			}
		case seq < pos+1:
			return nil, 0
		}
	}
}

// empty returns the value of c, taken at pos, with its lane and labels,
// clears the cell and the labels, and frees the cell for the push of the
// next lap.
func (r *ring[T]) empty(c *cell[T], pos uint64) (v T, l *lane[T], lc context.Context) {
	var zero T
	v, c.val = c.val, zero
	if sd := r.side.Load(); sd != nil {
		x := &(*sd)[pos&r.mask]
		l, lc = x.lane, x.labels
		if lc != nil {
			x.labels = nil
		}
	}
	c.seq.Store(pos + r.mask + 1)
	return v, l, lc
}

// ready reports whether a value waits at the head. It reads only the head
// and the head's cell, not tail, so a worker polling it does not take the
// line that every push writes away from the submitters.
func (r *ring[T]) ready() bool { return r.readyFrom(r.head.Load()) }

// readyFrom is ready from pos, a value that head had. If the cell at pos
// was popped since (its seq has moved on to the next lap), the head has
// moved too, and readyFrom looks at the new one: reporting the ring empty
// then would hide the values behind the popped one from a worker deciding
// whether to pass on (engine invariant 3).
func (r *ring[T]) readyFrom(pos uint64) bool {
	for {
		switch seq := r.cells[pos&r.mask].seq.Load(); {
		case seq == pos+1:
			return true
		case seq < pos+1:
			return false // nothing pushed there yet, or its push is in progress
		}
		pos = r.head.Load()
	}
}

// taken reports whether the value pushed at pos has been popped. It reads
// only that value's cell, which the pop writes anyway.
func (r *ring[T]) taken(pos uint64) bool {
	return r.cells[pos&r.mask].seq.Load() != pos+1
}

// len returns the number of values pushed and not yet popped; a push or pop
// in progress may or may not be counted.
func (r *ring[T]) len() int {
	h := r.head.Load()
	t := r.tail.Load()
	if t < h {
		return 0
	}
	return int(t - h)
}

// withLanes makes the ring carry the lane of each task, for a sub-pool
// that is about to use it; the engine's gate mutex is held.
func (r *ring[T]) withLanes() {
	if r.side.Load() == nil {
		sd := make([]side[T], len(r.cells))
		r.side.Store(&sd)
	}
}
