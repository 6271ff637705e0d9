package ants

import (
	"context"
	"sync"
	"time"
)

// waiter is a submission waiting in a gate for a slot. It carries its task,
// so that whoever hands it a slot can also dispatch the task (see
// gate.hand). A blocked submitter waits on ready; a continuation queued by
// enqueue has no goroutine (async) and is dispatched by whoever grants it a
// slot.
type waiter[T any] struct {
	// ready receives, exactly once per wait, nil when the task has been
	// given a slot and dispatched, errSlot when it has been given a slot
	// that its submitter is to use itself (a sub-pool's gate), errRetry
	// when a slot freed and the submitter is to try for it, or
	// ErrPoolClosed. Its buffer of one never fills: a waiter is sent to
	// only after it is taken off the queue.
	ready chan error
	task  T
	lane  *lane[T] // the sub-pool of the task; nil for the pool's own
	// labels is the context whose profiler labels the task runs under
	// (WithTaskLabels), or nil.
	labels context.Context
	prio   int
	async  bool
	// lost is when the waiter first lost a slot it was woken for to a
	// newcomer; zero until then. Only waiters that lose look at the clock.
	lost time.Time

	prev, next *waiter[T]
}

// waitLevel is the FIFO of the waiters of one priority.
type waitLevel[T any] struct {
	prio       int
	head, tail *waiter[T]
}

// waitQueue holds the waiters of a gate, highest priority first and in
// arrival order within a priority. It is guarded by the gate's mutex. A
// pool without sub-pools has a single level; levels are never removed, so
// their number is that of the distinct priorities ever used.
type waitQueue[T any] struct {
	levels []waitLevel[T] // by priority, highest first
	// free recycles waiters, so a blocked Submit allocates nothing in
	// steady state; a sync.Pool, so that recycling takes no lock.
	free sync.Pool
}

// get returns a recycled or new waiter for task.
func (q *waitQueue[T]) get(task T, l *lane[T], lc context.Context, prio int, async bool) *waiter[T] {
	w, _ := q.free.Get().(*waiter[T])
	if w == nil {
		w = &waiter[T]{ready: make(chan error, 1)}
	}
	w.task, w.lane, w.labels, w.prio, w.async, w.lost = task, l, lc, prio, async, time.Time{}
	return w
}

// recycle keeps w for a later wait. w must be off the queue and its ready
// channel drained. It needs no lock.
func (q *waitQueue[T]) recycle(w *waiter[T]) {
	var zero T
	w.task, w.lane, w.labels = zero, nil, nil
	q.free.Put(w)
}

// level returns the level of prio, adding it in order if it is new.
func (q *waitQueue[T]) level(prio int) *waitLevel[T] {
	i := 0
	for i < len(q.levels) && q.levels[i].prio > prio {
		i++
	}
	if i == len(q.levels) || q.levels[i].prio != prio {
		q.levels = append(q.levels, waitLevel[T]{})
		copy(q.levels[i+1:], q.levels[i:])
		q.levels[i] = waitLevel[T]{prio: prio}
	}
	return &q.levels[i]
}

// push appends w at the back of its priority.
func (q *waitQueue[T]) push(w *waiter[T]) {
	l := q.level(w.prio)
	w.prev, w.next = l.tail, nil
	if l.tail == nil {
		l.head = w
	} else {
		l.tail.next = w
	}
	l.tail = w
}

// pushFront puts w back at the front of its priority: a submitter that was
// woken to try for a slot and lost it keeps its place.
func (q *waitQueue[T]) pushFront(w *waiter[T]) {
	l := q.level(w.prio)
	w.prev, w.next = nil, l.head
	if l.head == nil {
		l.tail = w
	} else {
		l.head.prev = w
	}
	l.head = w
}

// peek returns the first waiter of the highest priority, or nil.
func (q *waitQueue[T]) peek() *waiter[T] {
	for i := range q.levels {
		if w := q.levels[i].head; w != nil {
			return w
		}
	}
	return nil
}

// remove unlinks w if it is queued and reports whether it was.
func (q *waitQueue[T]) remove(w *waiter[T]) bool {
	for i := range q.levels {
		l := &q.levels[i]
		if l.prio != w.prio {
			continue
		}
		if w.prev == nil && l.head != w {
			return false
		}
		if w.prev == nil {
			l.head = w.next
		} else {
			w.prev.next = w.next
		}
		if w.next == nil {
			l.tail = w.prev
		} else {
			w.next.prev = w.prev
		}
		w.prev, w.next = nil, nil
		return true
	}
	return false
}

// each calls f on every queued waiter, highest priority first, and removes
// those for which f returns true.
func (q *waitQueue[T]) each(f func(w *waiter[T]) bool) {
	for i := range q.levels {
		for w := q.levels[i].head; w != nil; {
			next := w.next
			if f(w) {
				q.remove(w)
			}
			w = next
		}
	}
}
