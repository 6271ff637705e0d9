package ants

import (
	"context"
	"runtime"
)

// The way from an admitted task to a worker: the rings, one per priority,
// and the hand-off that finds every pushed task a taker (see the
// invariants in engine.go).

// prioRing is the ring of the tasks of one priority.
type prioRing[T any] struct {
	prio int
	r    *ring[T]
}

// handoffSpins is how many times a submitter polls for its task to be
// taken before it wakes a parked worker; see handoff.
const handoffSpins = 64

// handoffAhead is how many tasks may wait ahead of a submitter's own for it
// still to poll: busy workers take a few tiny tasks within handoffSpins
// polls, but not the backlog of a queue.
const handoffAhead = 8

// dispatch hands the admitted task t, of lane l (nil for the pool's own)
// and with labels lc (see labels), to a worker: it starts one with t if
// nobody is idle to take it and the pool may grow, and otherwise pushes t
// on the ring of its priority and, unless a worker spins and will take it,
// finds it a taker (handoff). A worker that dispatches a task it granted a
// slot to (fromWorker) only pushes it: it is about to pop, so it is the
// taker. The push is written out here, the ring's reserve and fill
// inlined, so that a submission makes no call between its admission and
// its hand-off.
func (e *engine[T]) dispatch(t T, l *lane[T], lc context.Context, fromWorker bool) {
	r := e.tasks
	if l != nil {
		r = l.ring
	}
	if !fromWorker && e.spinning.Load() == 0 && e.idle.size.Load() == 0 && e.enlist() {
		go e.worker(t, l, lc)
		return
	}
	c, pos := r.reserve()
	if c == nil {
		c, pos = e.reserveFull(r)
	}
	r.fill(c, pos, t, l, lc)
	if !fromWorker && e.spinning.Load() == 0 {
		e.handoff(r, pos)
	}
}

// reserveFull reserves a cell of r, which was full. A ring holds at least
// the queue or handoffBuffer tasks, so it is only full when that many wait
// for workers that are starting or being woken: the submitter wakes them
// and yields until one takes a task off it.
func (e *engine[T]) reserveFull(r *ring[T]) (*cell[T], uint64) {
	for {
		e.wakeOne(wakeChain)
		runtime.Gosched()
		if c, pos := r.reserve(); c != nil {
			return c, pos
		}
	}
}

// pop takes the next task, from the ring of the highest priority that has
// one.
func (e *engine[T]) pop() (t T, l *lane[T], lc context.Context, ok bool) {
	if rs := e.rings.Load(); rs != nil {
		return popFirst(*rs)
	}
	r := e.tasks
	if c, pos := r.take(); c != nil {
		t, l, lc = r.empty(c, pos)
		return t, l, lc, true
	}
	return t, nil, nil, false
}

// popFirst pops from the first of rs that has a task.
func popFirst[T any](rs []prioRing[T]) (t T, l *lane[T], lc context.Context, ok bool) {
	for _, pr := range rs {
		if t, l, lc, ok = pr.r.pop(); ok {
			return t, l, lc, true
		}
	}
	return t, nil, nil, false
}

// ready reports whether a task waits on a ring.
func (e *engine[T]) ready() bool {
	if rs := e.rings.Load(); rs != nil {
		for _, pr := range *rs {
			if pr.r.ready() {
				return true
			}
		}
		return false
	}
	return e.tasks.ready()
}

// queued returns the number of tasks on the rings.
func (e *engine[T]) queued() int {
	if rs := e.rings.Load(); rs != nil {
		n := 0
		for _, pr := range *rs {
			n += pr.r.len()
		}
		return n
	}
	return e.tasks.len()
}

// ringFor returns the ring of priority prio, making it if needed; e.gate.mu
// is held. Rings are never removed: a sub-pool's tasks may still be on its
// ring after it is released.
func (e *engine[T]) ringFor(prio int) *ring[T] {
	base := e.opts.Priority
	if prio == base {
		return e.tasks
	}
	var rs []prioRing[T]
	if old := e.rings.Load(); old != nil {
		rs = *old
	} else {
		rs = []prioRing[T]{{prio: base, r: e.tasks}}
	}
	i := 0
	for i < len(rs) && rs[i].prio > prio {
		i++
	}
	if i < len(rs) && rs[i].prio == prio {
		return rs[i].r
	}
	r := newRing[T](len(e.tasks.cells), e.opts.TaskLabels)
	next := make([]prioRing[T], 0, len(rs)+1)
	next = append(append(append(next, rs[:i]...), prioRing[T]{prio: prio, r: r}), rs[i:]...)
	e.rings.Store(&next)
	return r
}

// handoff makes sure that the task pushed at pos has a taker (invariant
// 1); dispatch calls it when no worker was spinning as it looked (a
// spinning worker will take the task, or pass it on). The submitter polls
// a moment for a busy worker to finish and take it, and wakes one if none
// does: a wake-up costs a microsecond or more, while a tiny task finishes
// well within the polls, so a stream of them needs no wake-up. A task that
// a worker took already needs nothing more. When more than handoffAhead
// tasks wait ahead of it (the backlog of a queue), no worker takes it
// within the polls: the submitter wakes one at once and counts that as
// polls in vain. While the polls have mostly been in vain lately
// (pollRate), as when tasks are long or a queue has a backlog, it wakes a
// worker at once, without reading the ring's head, a line that every pop
// writes: a producer that feeds a queue would otherwise pay a transfer of
// that line per task.
func (e *engine[T]) handoff(r *ring[T], pos uint64) {
	if !e.pollRate.pays() {
		e.wakeOne(wakeTask)
		return
	}
	h := r.head.Load()
	if h > pos {
		return // a worker took the task already
	}
	if pos-h > handoffAhead {
		e.pollRate.record(false)
		e.wakeOne(wakeTask)
		return
	}
	for i := 0; e.spinning.Load() == 0; i++ {
		if r.taken(pos) {
			e.pollRate.record(true)
			return
		}
		if i == handoffSpins {
			e.pollRate.record(false)
			e.wakeOne(wakeTask)
			return
		}
	}
}

// wakeOne provides a taker for a pending task: it wakes a parked worker, or
// starts one if the pool may have more. If it can do neither, the pool has
// the workers its admitted tasks need and none is parked (invariant 1).
// why says whether the taker is for one task (a submitter's own) or is to
// pass on to the tasks behind it (invariant 3).
func (e *engine[T]) wakeOne(why wakeUp) {
	if !e.idle.wake(why) {
		e.spawnServer(why)
	}
}

// passOn wakes another worker for the tasks left on the ring, unless a
// worker spins and will take them (invariant 3).
func (e *engine[T]) passOn() {
	if e.ready() && e.spinning.Load() == 0 {
		e.wakeOne(wakeChain)
	}
}
