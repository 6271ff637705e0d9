package ants

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// life is one open period of a pool, from construction or Reboot to
// Release. Its state only moves forward: open, closed, drained. Reboot
// starts a new life instead of reopening the old one, so a goroutine holding
// an old life can never mistake it for the current one.
//
// A life has one purger goroutine, unless purging is disabled, and the
// adaptive controllers of the pool and of its sub-pools that have one.
type life struct {
	closed atomic.Bool

	stop   chan struct{} // closed by Release: the purger and the controllers return
	purged chan struct{} // closed when the purger has returned
	tuners crew          // the adaptive controllers

	drained   chan struct{} // closed once the released pool has no task and no worker left
	drainOnce sync.Once
}

// newLife returns an open life and starts its purger and the adaptive
// controllers of the pool and its sub-pools; e.gate.mu is held, or the
// pool is being built.
func (e *engine[T]) newLife() *life {
	l := &life{
		stop:    make(chan struct{}),
		purged:  make(chan struct{}),
		drained: make(chan struct{}),
		tuners:  crew{done: make(chan struct{})},
	}
	if e.opts.DisablePurge {
		close(l.purged)
	} else {
		go e.purge(l)
	}
	e.startTuner(l)
	for _, ln := range e.lanes {
		ln.startTuner(l)
	}
	return l
}

// crew counts the adaptive controllers running in a life. done is closed
// once the life is closed and none is left; a controller joins only while
// the life is open.
type crew struct {
	mu     sync.Mutex
	n      int
	closed bool
	done   chan struct{}
}

// join counts one more controller, unless the life is closed.
func (c *crew) join() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return false
	}
	c.n++
	return true
}

// leave uncounts a controller that has returned.
func (c *crew) leave() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n--; c.n == 0 && c.closed {
		close(c.done)
	}
}

// close marks the life closed; called once, by release.
func (c *crew) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	if c.n == 0 {
		close(c.done)
	}
}

// wait blocks until the released life has drained and its purger and
// controllers have returned, or until ctx is done.
func (l *life) wait(ctx context.Context) error {
	for _, ch := range [...]chan struct{}{l.drained, l.purged, l.tuners.done} {
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

func (l *life) markDrained() { l.drainOnce.Do(func() { close(l.drained) }) }

// release closes the current life and refuses every blocked submitter. It
// returns the life it closed, and false if the pool was already closed.
// Tasks queued by enqueue stay queued: they were accepted, and run before
// the pool drains.
func (e *engine[T]) release() (*life, bool) {
	e.gate.mu.Lock()
	l := e.life.Load()
	if l.closed.Load() {
		e.gate.mu.Unlock()
		return l, false
	}
	l.closed.Store(true)
	close(l.stop)
	l.tuners.close()
	e.gate.refuse(func(*waiter[T]) bool { return true })
	e.gate.mu.Unlock()
	e.refuseLanes()
	e.idle.evictOldest(-1)
	e.settle()
	return l, true
}

// reboot opens a new life if the current one is closed. The old life is
// marked drained at once: Reboot does not wait for its workers, which
// finish their tasks and count against the capacity until they exit.
func (e *engine[T]) reboot() {
	e.gate.mu.Lock()
	defer e.gate.mu.Unlock()
	old := e.life.Load()
	if !old.closed.Load() {
		return
	}
	e.life.Store(e.newLife())
	old.markDrained()
}

// settle marks a released life drained once it has no admitted task, no
// task queued by enqueue or in a sub-pool's queue, no worker and no panic
// being reported. Every path that lowers one of these counts calls it after
// its own write, and release calls it after closing the life, so the last
// of them sees all at zero.
func (e *engine[T]) settle() {
	l := e.life.Load()
	if l.closed.Load() && e.workers.Load() == 0 && e.gate.admitted() == 0 &&
		e.gate.waiting.Load() == 0 && e.backlog.Load() == 0 && e.reporting.Load() == 0 {
		l.markDrained()
	}
}

// purge stops, once per ExpiryDuration while l is open, the workers that
// have been parked for longer than ExpiryDuration (and at most twice as
// long; see idleStack.tick).
func (e *engine[T]) purge(l *life) {
	defer close(l.purged)
	ticker := time.NewTicker(e.opts.ExpiryDuration)
	defer ticker.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-ticker.C:
			e.idle.tick()
		}
	}
}
