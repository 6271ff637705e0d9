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
// cache lines; what else a task carries sits beside the cells, in arrays
// that only the pools that need them have.
type ring[T any] struct {
	head  atomic.Uint64 // next position to pop; written by workers
	_     cacheLinePad
	tail  atomic.Uint64 // next position to push; written by submitters
	_     cacheLinePad
	mask  uint64
	cells []cell[T]
	// labels holds, beside each cell, the context whose profiler labels the
	// task runs under; it is nil unless the pool was built WithTaskLabels,
	// so a pool without labels pays one nil check per push and pop.
	labels []context.Context
	// lanes holds, beside each cell, the sub-pool its task belongs to (nil
	// for the pool's own). It is made when the first sub-pool uses the
	// ring (withLanes), before that sub-pool's first push; a pop reads it
	// after the cell's seq, so it sees every lane pushed before.
	lanes atomic.Pointer[[]*lane[T]]
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
		r.labels = make([]context.Context, size)
	}
	for i := range r.cells {
		r.cells[i].seq.Store(uint64(i))
	}
	return r
}

// push appends v, of lane l and with labels lc, and reports its position,
// or false if the ring is full.
func (r *ring[T]) push(v T, l *lane[T], lc context.Context) (uint64, bool) {
	for {
		pos := r.tail.Load()
		c := &r.cells[pos&r.mask]
		switch seq := c.seq.Load(); {
		case seq == pos:
			if r.tail.CompareAndSwap(pos, pos+1) {
				c.val = v
				if la := r.lanes.Load(); la != nil {
					(*la)[pos&r.mask] = l
				}
				if r.labels != nil {
					r.labels[pos&r.mask] = lc
				}
				c.seq.Store(pos + 1)
				return pos, true
			}
		case seq < pos:
			return 0, false // the cell still holds the value of a lap ago: full
		}
	}
}

// pop removes the oldest value, with its lane and labels, if there is one.
// It clears the cell, so the ring keeps nothing a finished task referred
// to.
func (r *ring[T]) pop() (v T, l *lane[T], lc context.Context, ok bool) {
	for {
		pos := r.head.Load()
		c := &r.cells[pos&r.mask]
		switch seq := c.seq.Load(); {
		case seq == pos+1:
			if r.head.CompareAndSwap(pos, pos+1) {
				v = c.val
				var zero T
				c.val = zero
				if la := r.lanes.Load(); la != nil {
					l, (*la)[pos&r.mask] = (*la)[pos&r.mask], nil
				}
				if r.labels != nil {
					lc, r.labels[pos&r.mask] = r.labels[pos&r.mask], nil
				}
				c.seq.Store(pos + r.mask + 1)
				return v, l, lc, true
			}
		case seq < pos+1:
			return v, nil, nil, false // nothing pushed here yet: empty
		}
	}
}

// ready reports whether a value waits at the head. It reads only the head
// and the head's cell, not tail, so a worker polling it does not take the
// line that every push writes away from the submitters.
func (r *ring[T]) ready() bool {
	pos := r.head.Load()
	return r.cells[pos&r.mask].seq.Load() == pos+1
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
	if r.lanes.Load() == nil {
		la := make([]*lane[T], len(r.cells))
		r.lanes.Store(&la)
	}
}
