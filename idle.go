package ants

import (
	"sync"
	"sync/atomic"
)

// parked is a worker waiting in the idle stack. Each worker goroutine owns
// one for its whole life, so parking allocates nothing.
type parked struct {
	// signal receives why the worker was taken off the stack: to exit
	// (the purger or Release), for one task, or for a run of tasks that it
	// is to pass on (see engine invariant 3). Every pop from the stack
	// sends exactly one value, so the buffer of one never fills.
	signal chan wakeUp
	tick   int64 // the purger's tick count when the worker parked
}

// wakeUp is what a parked worker is woken for.
type wakeUp uint8

const (
	wakeExit  wakeUp = iota // leave, if the pool can spare the worker
	wakeTask                // take one task: its submitter woke this worker for it
	wakeChain               // take a task and wake another if more wait
)

func newParked() *parked { return &parked{signal: make(chan wakeUp, 1)} }

// idleStack holds the parked workers, most recently parked on top. Waking
// the top worker reuses the goroutine whose stack is warmest; the oldest
// sit at the bottom, where the purger finds them in order of idle time.
//
// Each parked worker waits on its own channel, so a wake-up contends with
// nobody, unlike a channel shared by every idle worker.
type idleStack struct {
	mu      sync.Mutex
	workers []*parked
	// size mirrors len(workers) for readers that do not take the lock. It
	// is stored before a parking worker looks at the ring once more, and a
	// waker reads it after the push it serves (engine invariant 4).
	size atomic.Int64
	// ticks counts the purger's ticks, one per ExpiryDuration. A parking
	// worker records it instead of reading the clock.
	ticks atomic.Int64
}

// park pushes w and waits for its signal, unless life l is closed
// (wakeExit at once). After it is on the stack it calls pending once: a
// task pushed before a waker could see w is then taken by w itself, which
// leaves the stack again, as one that passes on. If a waker popped w
// meanwhile, w is the taker of that waker's task and of the pending one,
// whose submitter counted on w's look (engine invariant 4): it takes the
// signal and passes on whatever the signal said, so that the second task
// is not left without a taker (a purger's or Release's wakeExit stays
// one). It returns what the worker is woken for.
//
// Release closes the life (under the engine's mutex) before it evicts the
// parked workers (under s.mu), and park reads closed under s.mu: a worker
// on the stack before the eviction is evicted, and one that comes later
// sees the life closed.
func (s *idleStack) park(w *parked, l *life, pending func() bool) wakeUp {
	s.mu.Lock()
	if l.closed.Load() {
		s.mu.Unlock()
		return wakeExit
	}
	w.tick = s.ticks.Load()
	s.workers = append(s.workers, w)
	s.size.Store(int64(len(s.workers)))
	s.mu.Unlock()
	if !pending() {
		return <-w.signal
	}
	if s.unpark(w) {
		return wakeChain
	}
	if why := <-w.signal; why == wakeExit {
		return wakeExit
	}
	return wakeChain
}

// unpark takes w off the stack if it is still there and reports whether it
// was.
func (s *idleStack) unpark(w *parked) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.workers) - 1; i >= 0; i-- {
		if s.workers[i] == w {
			n := copy(s.workers[i:], s.workers[i+1:])
			s.workers[i+n] = nil
			s.workers = s.workers[:i+n]
			s.size.Store(int64(len(s.workers)))
			return true
		}
	}
	return false
}

// wake signals the most recently parked worker that a task is pending,
// with why, and reports whether there was one.
func (s *idleStack) wake(why wakeUp) bool {
	if s.size.Load() == 0 {
		return false
	}
	s.mu.Lock()
	n := len(s.workers)
	if n == 0 {
		s.mu.Unlock()
		return false
	}
	w := s.workers[n-1]
	s.workers[n-1] = nil
	s.workers = s.workers[:n-1]
	s.size.Store(int64(n - 1))
	s.mu.Unlock()
	w.signal <- why
	return true
}

// tick counts one tick of the purger and asks the workers that parked two
// ticks ago or earlier to exit. A worker parks between two ticks, so it
// has then been idle for more than one ExpiryDuration and at most two.
func (s *idleStack) tick() {
	now := s.ticks.Add(1)
	s.evict(func(ws []*parked) int {
		n := 0
		for n < len(ws) && ws[n].tick <= now-2 {
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
// each of them wakeExit.
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
		w.signal <- wakeExit
	}
}
