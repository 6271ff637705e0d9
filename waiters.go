package ants

import "sync"

// waiter is a submitter blocked for a slot. ready receives nil when a slot
// has been taken on its behalf, or ErrPoolClosed when the pool is released.
type waiter struct {
	ready      chan error
	prev, next *waiter
}

// waitQueue is a FIFO of blocked submitters, guarded by engine.mu. Waiters
// are recycled, so a blocked Submit allocates nothing in steady state.
type waitQueue struct {
	head, tail *waiter
}

var waiterPool = sync.Pool{New: func() any { return &waiter{ready: make(chan error, 1)} }}

func (q *waitQueue) empty() bool { return q.head == nil }

// push appends a fresh waiter and returns it.
func (q *waitQueue) push() *waiter {
	w := waiterPool.Get().(*waiter)
	w.prev, w.next = q.tail, nil
	if q.tail == nil {
		q.head = w
	} else {
		q.tail.next = w
	}
	q.tail = w
	return w
}

// pop removes and returns the oldest waiter; the queue must not be empty.
func (q *waitQueue) pop() *waiter {
	w := q.head
	q.unlink(w)
	return w
}

// remove unlinks w if it is still queued and reports whether it was.
func (q *waitQueue) remove(w *waiter) bool {
	if w.prev == nil && q.head != w {
		return false
	}
	q.unlink(w)
	return true
}

func (q *waitQueue) unlink(w *waiter) {
	if w.prev == nil {
		q.head = w.next
	} else {
		w.prev.next = w.next
	}
	if w.next == nil {
		q.tail = w.prev
	} else {
		w.next.prev = w.prev
	}
	w.prev, w.next = nil, nil
}

// recycle returns a waiter whose ready channel has been drained.
func (q *waitQueue) recycle(w *waiter) { waiterPool.Put(w) }
