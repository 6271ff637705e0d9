package ants

import (
	"sync"
	"sync/atomic"
	"time"
)

// parked is a worker waiting in the idle stack. Each worker goroutine owns
// one for its whole life, so parking allocates nothing.
type parked struct {
	// signal receives true when a task is pending for the worker, and false
	// when the purger or Release asks it to exit. Every pop from the stack
	// sends exactly one value, so the buffer of one never fills.
	signal chan bool
	since  time.Time // when the worker parked
}

func newParked() *parked { return &parked{signal: make(chan bool, 1)} }

// idleStack holds the parked workers, most recently parked on top. Waking
// the top worker reuses the goroutine whose stack is warmest; the oldest
// sit at the bottom, where the purger finds them in order of idle time.
//
// Each parked worker waits on its own channel, so a wake-up contends with
// nobody, unlike a channel shared by every idle worker.
type idleStack struct {
	mu      sync.Mutex
	workers []*parked
	// token records a wake-up that found no worker parked and started none.
	// The next worker to park takes it instead of parking, so a wake-up is
	// never lost to a worker that was on its way to the stack.
	token bool
	// size mirrors len(workers) for readers that do not take the lock.
	size atomic.Int64
	// spawn starts a worker if the pool may have one more, and reports
	// whether it did. wake calls it when no worker is parked.
	spawn func() bool
}

// park pushes w and waits for its signal, unless a wake-up token is waiting
// (true at once) or life l is closed (false at once). It reports whether the
// worker should look for a task. Release closes the life before it evicts
// every parked worker, both under s.mu, so no worker parks after it.
func (s *idleStack) park(w *parked, l *life) bool {
	s.mu.Lock()
	if s.token {
		s.token = false
		s.mu.Unlock()
		return true
	}
	if l.closed.Load() {
		s.mu.Unlock()
		return false
	}
	w.since = time.Now()
	s.workers = append(s.workers, w)
	s.size.Store(int64(len(s.workers)))
	s.mu.Unlock()
	return <-w.signal
}

// wake signals the most recently parked worker that a task is pending. If
// none is parked, it starts a worker, or, if the pool has all the workers
// it may have, leaves a token for the next worker to park.
func (s *idleStack) wake() {
	s.mu.Lock()
	n := len(s.workers)
	if n == 0 {
		if !s.spawn() {
			s.token = true
		}
		s.mu.Unlock()
		return
	}
	w := s.workers[n-1]
	s.workers[n-1] = nil
	s.workers = s.workers[:n-1]
	s.size.Store(int64(n - 1))
	s.mu.Unlock()
	w.signal <- true
}

// evictBefore asks the workers parked before cutoff to exit.
func (s *idleStack) evictBefore(cutoff time.Time) {
	s.evict(func(ws []*parked) int {
		n := 0
		for n < len(ws) && ws[n].since.Before(cutoff) {
			n++
		}
		return n
	})
}

// evictOldest asks up to n of the longest parked workers to exit; n < 0
// means all of them.
func (s *idleStack) evictOldest(n int) {
	s.evict(func(ws []*parked) int {
		if n < 0 || n > len(ws) {
			return len(ws)
		}
		return n
	})
}

// evict removes the bottom count(workers) workers of the stack and sends
// each of them false.
func (s *idleStack) evict(count func([]*parked) int) {
	s.mu.Lock()
	n := count(s.workers)
	if n == 0 {
		s.mu.Unlock()
		return
	}
	gone := make([]*parked, n)
	copy(gone, s.workers[:n])
	rest := copy(s.workers, s.workers[n:])
	clear(s.workers[rest:])
	s.workers = s.workers[:rest]
	s.size.Store(int64(rest))
	s.mu.Unlock()
	for _, w := range gone {
		w.signal <- false
	}
}
