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
// Each life has one keeper goroutine (see keep). Workers are stopped by
// stop signals sent on the task channel, so an idle worker waits in a plain
// receive and needs no second channel to watch.
type life struct {
	closed atomic.Bool

	stop chan struct{} // closed by Release
	kept chan struct{} // closed when the keeper has returned

	drained   chan struct{} // closed once the released pool has no task and no worker left
	drainOnce sync.Once
}

// newLife returns an open life and starts its keeper.
func (e *engine[T]) newLife() *life {
	l := &life{
		stop:    make(chan struct{}),
		kept:    make(chan struct{}),
		drained: make(chan struct{}),
	}
	go e.keep(l)
	return l
}

// wait blocks until the released life has drained and its keeper has
// returned, or until ctx is done.
func (l *life) wait(ctx context.Context) error {
	for _, ch := range [...]chan struct{}{l.drained, l.kept} {
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
func (e *engine[T]) release() (*life, bool) {
	e.mu.Lock()
	l := e.life.Load()
	if l.closed.Load() {
		e.mu.Unlock()
		return l, false
	}
	l.closed.Store(true)
	close(l.stop)
	for !e.waiters.empty() {
		e.waiting.Add(-1)
		e.waiters.pop().ready <- ErrPoolClosed
	}
	e.mu.Unlock()
	e.settle()
	return l, true
}

// settle marks a released life drained once it has neither an admitted task
// nor a worker. Every path that lowers one of the two counts calls it after
// its own write, and release calls it after closing the life, so the last of
// them sees both counts at zero.
func (e *engine[T]) settle() {
	l := e.life.Load()
	if l.closed.Load() && e.workers.Load() == 0 && e.admitted.Load() == 0 {
		l.markDrained()
	}
}

// keep is the keeper of life l. While l is open it purges: it stops the
// workers that stayed idle for a whole ExpiryDuration. Workers are
// interchangeable, so it counts rather than tracks them: k workers are
// surplus if the pool had at least k idle workers at two ticks in a row, so
// an idle worker exits between one and two ExpiryDurations after the pool
// last needed it. Once l is released, it sends stop signals until the pool
// has drained: every idle worker takes one and exits, and a busy worker
// takes one after its last task. A worker that the remaining tasks still
// need ignores its signal (leave), so no accepted task is stranded.
func (e *engine[T]) keep(l *life) {
	defer close(l.kept)
	var tick <-chan time.Time
	if !e.opts.DisablePurge {
		ticker := time.NewTicker(e.opts.ExpiryDuration)
		defer ticker.Stop()
		tick = ticker.C
	}
	stop := job[T]{stop: l}
	var idleBefore int64
	for open := true; open; {
		select {
		case <-l.stop:
			open = false
		case <-tick:
			idle := e.workers.Load() - e.admitted.Load()
			for n := min(idle, idleBefore); n > 0; n-- {
				select {
				case e.tasks <- stop:
				default:
					n = 0
				}
			}
			idleBefore = e.workers.Load() - e.admitted.Load()
		}
	}
	for {
		select {
		case e.tasks <- stop:
		case <-l.drained:
			return
		}
	}
}
