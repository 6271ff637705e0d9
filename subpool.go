package ants

import (
	"context"
	"time"
)

// A sub-pool is a named part of a pool that shares the pool's workers and
// capacity: it never runs more than its own limit of tasks at once, and
// the pool and all its sub-pools together never run more than the pool's
// capacity. Its tasks take a priority ([WithPriority]), so that urgent work
// goes ahead of bulk work when the pool is saturated. Build one with
// [Pool.NewSubpool], [PoolWithFunc.NewSubpool] or
// [PoolWithFuncGeneric.NewSubpool]. Multi-pools have none: their pools are
// themselves parts of one engine, carved out the same way, and a sub-pool
// would have to pick among them as the strategy does.

// NewSubpool carves out of p a sub-pool that runs at most limit of p's
// tasks at once, on p's workers and within p's capacity. The options start
// as p's and opts apply over them; of them, a sub-pool uses:
//
//   - Priority ([WithPriority]): while p is saturated, a freed slot goes to
//     the waiting submission (blocked submitter or queued task) of the
//     highest priority, of p and all its sub-pools, and in order of arrival
//     within a priority; p's own tasks have priority 0 unless p's options
//     say otherwise. The order is strict: a lower priority waits as long as
//     a higher one has work waiting.
//   - Nonblocking and MaxBlockingTasks, for submitters that find the
//     sub-pool, or p, full. A submitter blocked on p's capacity counts
//     against p's blocked submitters.
//   - QueueSize: the sub-pool's own queue of tasks accepted beyond its
//     limit. They hold neither a slot nor a goroutine while they wait.
//   - WithAdaptiveCapacity, if given here (a pool's own adaptive capacity
//     does not carry over): the sub-pool's limit then sets itself within
//     the bounds, Max capped by p's capacity, starting at limit (or at Min
//     if limit <= 0); its controller runs while both the sub-pool and p
//     are open. See [Adaptive].
//
// The other options concern p's workers, which the sub-pool shares, and are
// p's. It returns ErrInvalidSubpoolSize if limit <= 0 or limit is above p's
// capacity, ErrInvalidQueueSize for a bad QueueSize or if p's buffer (its
// queue, or its capacity with PreAlloc), with the 24 bytes a sub-pool's
// task carries beside each cell, would take more than 512 MiB (for a
// func() pool, more than about 8 million tasks), and ErrPoolClosed if p is
// released. A sub-pool stays usable across a Release and Reboot of p,
// until it is released itself.
func (p *Pool) NewSubpool(limit int, opts ...Option) (*Subpool, error) {
	return subpool[Subpool](newLane(engineOf(p), limit, opts))
}

// Subpool is a sub-pool of a [Pool]; see [Pool.NewSubpool]. It is a
// [Submitter], so futures, groups and keyed fronts run on it. It is safe
// for concurrent use. Its Running, Free, Waiting, Cap, Tune, IsClosed,
// Release, ReleaseTimeout, ReleaseContext and Stats methods count the
// sub-pool's own tasks against its own limit.
type Subpool struct {
	*lane[func()]
}

// Submit runs task on a worker of the pool, within the sub-pool's limit;
// it waits and fails like [Pool.Submit], with the sub-pool's options.
func (s *Subpool) Submit(task func()) error { return submitFunc(laneOf(s), nil, task) }

// SubmitContext is Submit that gives up when ctx is done before the task is
// admitted; see [Pool.SubmitContext].
func (s *Subpool) SubmitContext(ctx context.Context, task func()) error {
	return submitFunc(laneOf(s), ctx, task)
}

// NewSubpool is [Pool.NewSubpool] for a function pool: the sub-pool's
// Invoke runs p's function within the sub-pool's limit and priority.
func (p *PoolWithFunc) NewSubpool(limit int, opts ...Option) (*SubpoolWithFunc, error) {
	return subpool[SubpoolWithFunc](newLane(engineOf(p), limit, opts))
}

// SubpoolWithFunc is a sub-pool of a [PoolWithFunc]; see [Pool.NewSubpool].
type SubpoolWithFunc struct {
	*lane[any]
}

// Invoke runs the pool's function on arg within the sub-pool's limit; see
// [PoolWithFunc.Invoke].
func (s *SubpoolWithFunc) Invoke(arg any) error { return laneOf(s).submit(nil, arg) }

// InvokeContext is Invoke that gives up when ctx is done before arg is
// admitted.
func (s *SubpoolWithFunc) InvokeContext(ctx context.Context, arg any) error {
	return laneOf(s).submit(ctx, arg)
}

// NewSubpool is [Pool.NewSubpool] for a generic function pool.
func (p *PoolWithFuncGeneric[T]) NewSubpool(limit int, opts ...Option) (*SubpoolWithFuncGeneric[T], error) {
	return subpool[SubpoolWithFuncGeneric[T]](newLane(engineOf(p), limit, opts))
}

// SubpoolWithFuncGeneric is a sub-pool of a [PoolWithFuncGeneric]; see
// [Pool.NewSubpool].
type SubpoolWithFuncGeneric[T any] struct {
	*lane[T]
}

// Invoke runs the pool's function on arg within the sub-pool's limit.
func (s *SubpoolWithFuncGeneric[T]) Invoke(arg T) error { return laneOf(s).submit(nil, arg) }

// InvokeContext is Invoke that gives up when ctx is done before arg is
// admitted.
func (s *SubpoolWithFuncGeneric[T]) InvokeContext(ctx context.Context, arg T) error {
	return laneOf(s).submit(ctx, arg)
}

// subpool wraps a new lane in the face type F, or passes its error on.
func subpool[F ~struct{ *lane[T] }, T any](l *lane[T], err error) (*F, error) {
	if err != nil {
		return nil, err
	}
	return &F{l}, nil
}

// The methods below are shared by the three sub-pool faces. On the zero
// value of a sub-pool they behave as on a released sub-pool of limit 0.

// Running returns the number of the sub-pool's tasks being run, that is the
// pool's workers it occupies.
func (l *lane[T]) Running() int {
	if l == nil {
		return 0
	}
	return int(l.running.Load())
}

// Free returns how many more of the sub-pool's tasks may run at once.
func (l *lane[T]) Free() int { return l.Cap() - l.Running() }

// Waiting returns the number of the sub-pool's submitters that are blocked,
// on its limit or on the pool's capacity, plus the tasks in its own queue.
func (l *lane[T]) Waiting() int {
	if l == nil {
		return 0
	}
	return int(l.gate.waiting.Load() + l.onPool.Load())
}

// Cap returns the sub-pool's limit.
func (l *lane[T]) Cap() int {
	if l == nil {
		return 0
	}
	return int(l.limit())
}

// Tune changes the sub-pool's limit. It does nothing for size <= 0 or
// above the pool's capacity. Growing serves the sub-pool's blocked
// submitters and queued tasks at once; shrinking lets running tasks
// finish.
func (l *lane[T]) Tune(size int) {
	if l == nil || size <= 0 {
		return
	}
	if c := l.e.capacity.Load(); c >= 0 && int64(size) > c {
		return
	}
	limit := int64(size) + l.slack
	l.gate.mu.Lock()
	if limit <= l.gate.limit.Load() {
		l.gate.limit.Store(limit)
		l.gate.mu.Unlock()
		return
	}
	served := l.gate.raise(limit)
	l.gate.mu.Unlock()
	for _, w := range served {
		l.gate.hand(w, false)
	}
}

// IsClosed reports whether the sub-pool, or its pool, has been released.
func (l *lane[T]) IsClosed() bool { return l == nil || l.isClosed() }

// Release closes the sub-pool: its blocked submitters return ErrPoolClosed,
// later submissions are refused, and the tasks it accepted still run, on
// the pool's workers. It never releases the pool. It does not wait; see
// ReleaseTimeout and ReleaseContext.
func (l *lane[T]) Release() {
	if l != nil {
		l.release()
	}
}

// ReleaseTimeout is Release followed by a wait of at most timeout for every
// task the sub-pool accepted to finish. It returns ErrTimeout if they have
// not by then, and ErrPoolClosed if the sub-pool was already released.
func (l *lane[T]) ReleaseTimeout(timeout time.Duration) error {
	return releaseTimeout(timeout, l.ReleaseContext)
}

// ReleaseContext is Release followed by a wait until every task the
// sub-pool accepted has finished, or until ctx is done, when it returns
// ctx.Err(). With a nil ctx it does not wait. It returns ErrPoolClosed if
// the sub-pool was already released.
func (l *lane[T]) ReleaseContext(ctx context.Context) error {
	if l == nil || !l.release() {
		return ErrPoolClosed
	}
	if ctx == nil {
		return nil
	}
	return l.wait(ctx)
}

// Stats returns a snapshot of the sub-pool's gauges and counters. Capacity
// is its limit; Workers and Busy count the pool's workers running its
// tasks, so Idle is 0; Waiting counts its blocked submitters, Queued its
// accepted tasks that wait for a worker or in its own queue.
func (l *lane[T]) Stats() Stats {
	if l == nil {
		return Stats{}
	}
	running := int(l.running.Load())
	blocked := int(l.gate.blocked.Load() + l.onPool.Load())
	queued := int(l.gate.admitted()) - running - int(l.onPool.Load()) +
		int(l.gate.waiting.Load()-l.gate.blocked.Load())
	s := Stats{
		Capacity:  l.Cap(),
		Workers:   running,
		Busy:      running,
		Waiting:   blocked,
		Queued:    max(queued, 0),
		Submitted: l.gate.submitted.Load(),
		Completed: l.gate.completed.Load(),
		Rejected:  l.counters.rejected.Load(),
		Panicked:  l.counters.panicked.Load(),
		Cancelled: l.counters.cancelled.Load(),
	}
	if l.tuner != nil {
		l.tuner.report(&s)
	}
	return s
}

// engineOf returns the engine of a pool face, nil for a nil face.
func engineOf[F ~struct{ *engine[T] }, T any](f *F) *engine[T] {
	if f == nil {
		return nil
	}
	return struct{ *engine[T] }(*f).engine
}

// laneOf returns the lane of a sub-pool face, nil for a nil face.
func laneOf[F ~struct{ *lane[T] }, T any](f *F) *lane[T] {
	if f == nil {
		return nil
	}
	return struct{ *lane[T] }(*f).lane
}
