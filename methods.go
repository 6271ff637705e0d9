package ants

import (
	"context"
	"errors"
	"math"
	"time"
)

// The methods below are shared by Pool, PoolWithFunc and
// PoolWithFuncGeneric, which embed the engine. On the zero value of a pool
// (a face whose engine is nil) they behave as on a released pool of
// capacity 0: nothing runs, nothing panics.

// Running returns the number of live workers, busy or idle.
func (e *engine[T]) Running() int {
	if e == nil {
		return 0
	}
	return int(e.workers.Load())
}

// Free returns how many more workers the pool may start, or -1 if it is
// unlimited.
func (e *engine[T]) Free() int {
	c := e.Cap()
	if c < 0 {
		return -1
	}
	return c - e.Running()
}

// Waiting returns the number of submitters blocked waiting for a worker,
// plus, on a pool with a queue, the number of queued tasks. (Stats.Waiting
// counts the blocked submitters only, and Stats.Queued the queued tasks.)
func (e *engine[T]) Waiting() int {
	if e == nil {
		return 0
	}
	n := int(e.gate.blocked.Load())
	if e.opts.QueueSize > 0 {
		n += e.queued()
	}
	return n
}

// Cap returns the capacity of the pool, or -1 if it is unlimited.
func (e *engine[T]) Cap() int {
	if e == nil {
		return 0
	}
	return int(e.capacity.Load())
}

// Tune changes the capacity of the pool. It does nothing on an unlimited or
// PreAlloc pool, or for size <= 0. Growing serves blocked submitters at
// once, in order, before newcomers; shrinking stops surplus idle workers at
// once and lets running tasks finish, after which their surplus workers
// exit: from the moment Tune returns, no worker starts a task while the
// pool runs as many as the new capacity. On a pool with adaptive capacity
// the controller goes on from the new capacity at its next decision, and
// brings it back within its bounds.
func (e *engine[T]) Tune(size int) {
	if e == nil || size <= 0 || e.opts.PreAlloc {
		return
	}
	n := int64(min(size, math.MaxInt32))
	e.gate.mu.Lock()
	c := e.capacity.Load()
	if c < 0 || n == c {
		e.gate.mu.Unlock()
		return
	}
	e.capacity.Store(n)
	if n < c {
		e.gate.limit.Store(e.limitFor(n))
		e.gate.mu.Unlock()
		if surplus := e.workers.Load() - n; surplus > 0 {
			e.idle.evictOldest(int(surplus))
		}
		return
	}
	served := e.gate.raise(e.limitFor(n))
	e.gate.mu.Unlock()
	for _, w := range served {
		e.gate.hand(w, false)
	}
	e.fill()
}

// releaseTimeout runs releaseContext with a context that ends after
// timeout, and turns the context's deadline into ErrTimeout: the
// ReleaseTimeout of a pool, a sub-pool and a keyed front.
func releaseTimeout(timeout time.Duration, releaseContext func(ctx context.Context) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	err := releaseContext(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		return ErrTimeout
	}
	return err
}

// IsClosed reports whether the pool has been released.
func (e *engine[T]) IsClosed() bool { return e == nil || e.life.Load().closed.Load() }

// Release closes the pool: submitters blocked in Submit or Invoke return
// ErrPoolClosed, later submissions are refused, idle workers exit, and busy
// workers exit once every accepted task has run. Release does not wait; see
// ReleaseTimeout and ReleaseContext.
func (e *engine[T]) Release() {
	if e != nil {
		e.release()
	}
}

// ReleaseTimeout is Release followed by a wait of at most timeout for every
// accepted task to finish and every goroutine of the pool to exit. It
// returns ErrTimeout if they have not by then, and ErrPoolClosed if the pool
// was already released.
func (e *engine[T]) ReleaseTimeout(timeout time.Duration) error {
	return releaseTimeout(timeout, e.ReleaseContext)
}

// ReleaseContext is Release followed by a wait until every accepted task has
// finished and every goroutine of the pool has exited, or until ctx is done,
// when it returns ctx.Err(). With a nil ctx it does not wait. It returns
// ErrPoolClosed if the pool was already released. If the pool is rebooted
// during the wait, the wait ends with nil.
func (e *engine[T]) ReleaseContext(ctx context.Context) error {
	if e == nil {
		return ErrPoolClosed
	}
	l, ok := e.release()
	if !ok {
		return ErrPoolClosed
	}
	if ctx == nil {
		return nil
	}
	return l.wait(ctx)
}

// Reboot reopens a released pool; it does nothing on an open pool. Reboot
// does not wait for the workers of the released pool: they finish their
// tasks and count against the capacity until they exit.
func (e *engine[T]) Reboot() {
	if e != nil {
		e.reboot()
	}
}
