package ants

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// lane is the engine's side of a sub-pool: a gate of its own in front of
// the pool's, a priority, and its counters. A task of a sub-pool takes a
// slot of the lane's gate (at most limit of them: so the sub-pool never
// runs more than its limit), then a slot of the pool's gate at the lane's
// priority (so the pool and its sub-pools together never run more than the
// pool's capacity), and runs on the pool's workers; the ring that carries
// it records its lane beside its cell, so the worker gives both slots
// back.
//
// A sub-pool's queue, if it has one, is the async waiters of its gate:
// accepted tasks that wait for a slot of the sub-pool without holding
// anything else. When a slot of the lane frees, the first of them is
// forwarded to the pool's gate without blocking (forward).
//
// The lane of a pool of a multi-pool with a queue has slack instead: its
// gate has limit + slack slots, as a pool's gate has its capacity plus its
// queue, and the engine's ring holds the queue of every pool, whose tasks
// run in order on the first free worker (see multi).
type lane[T any] struct {
	e     *engine[T]
	gate  gate[T]
	ring  *ring[T] // the pool's ring of the lane's priority
	prio  int
	opts  Options // the pool's options, with the sub-pool's own over them
	slack int64   // slots beyond the limit, queued on the ring; 0 for a sub-pool

	tuner    *tuner        // the adaptive controller of the limit; nil when off
	quit     chan struct{} // closed by release: the controller returns
	onPool   atomic.Int64  // submitters of the lane blocked on the pool's gate
	closed   atomic.Bool
	drained  chan struct{} // closed once the released lane has nothing left
	drainMu  sync.Once
	counters counters

	// running is written by the workers on every task of the lane, so it
	// has a line of its own, away from the fields submitters read.
	_       cacheLinePad
	running atomic.Int64 // tasks of the lane being run
	_       cacheLinePad
}

// newLane carves a lane of limit slots out of e, with the options of e
// and opts over them; see Pool.NewSubpool for the rules.
func newLane[T any](e *engine[T], limit int, opts []Option) (*lane[T], error) {
	return buildLane(e, limit, 0, opts)
}

// buildLane is newLane with slack slots beyond the limit (see lane).
func buildLane[T any](e *engine[T], limit, slack int, opts []Option) (*lane[T], error) {
	if e == nil {
		return nil, ErrPoolClosed
	}
	o, own := e.opts, Options{}
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
			opt(&own)
		}
	}
	if o.QueueSize < 0 || o.QueueSize > MaxQueueSize {
		return nil, ErrInvalidQueueSize
	}
	if n := len(e.tasks.cells); !lanesFit[T](n) {
		// Every ring of the pool has n cells, and the one a sub-pool uses
		// carries its lane beside each (ring.side).
		return nil, fmt.Errorf("%w: the pool's ring of %d cells, with a sub-pool's lane beside each, would take more than %d bytes",
			ErrInvalidQueueSize, n, maxBufferBytes)
	}
	l := &lane[T]{e: e, prio: o.Priority, opts: o, slack: int64(slack), drained: make(chan struct{}), quit: make(chan struct{})}
	l.gate.closed = l.isClosed
	l.gate.dispatch = l.unqueue
	l.gate.floor = o.Priority
	l.gate.batch = int64(max(1, slack/2)) // as a pool with a queue batches
	l.gate.limit.Store(int64(limit) + l.slack)

	e.gate.mu.Lock()
	defer e.gate.mu.Unlock()
	if e.life.Load().closed.Load() {
		return nil, ErrPoolClosed
	}
	if a := own.Adaptive; a != nil {
		// An adaptive limit of its own (the pool's does not carry over):
		// limit is where it starts, within bounds capped by the pool's
		// capacity.
		lo, hi, err := a.bounds()
		if err != nil {
			return nil, err
		}
		if c := e.capacity.Load(); c >= 0 {
			hi = min(hi, int(c))
			lo = min(lo, hi)
		}
		l.tuner, limit = newTuner(l, a, lo, hi, limit)
		l.gate.limit.Store(int64(limit) + l.slack)
	}
	if c := e.capacity.Load(); limit <= 0 || (c >= 0 && int64(limit) > c) {
		return nil, ErrInvalidSubpoolSize
	}
	l.ring = e.ringFor(l.prio)
	l.ring.withLanes()
	e.lanes = append(e.lanes, l)
	l.startTuner(e.life.Load())
	e.gate.floor = min(e.gate.floor, l.prio)
	e.gate.rehint()
	return l, nil
}

// submit admits t through the lane's gate and then the pool's, and
// dispatches it; see engine.submit, whose rules it follows with the
// sub-pool's options.
func (l *lane[T]) submit(ctx context.Context, t T) error {
	if l == nil || l.isClosed() {
		return ErrPoolClosed
	}
	if ctx != nil {
		if err := ctx.Err(); err != nil {
			l.counters.reject(err)
			return err
		}
	}
	if !l.gate.tryAdmit() {
		admitted, err := l.queue(t, l.e.labels(ctx))
		if err == nil && !admitted {
			return nil // queued in the sub-pool's own queue
		}
		if err == errFull {
			_, err = l.gate.acquire(ctx, t, nil, nil, l.prio, &l.opts)
		}
		if err != nil {
			l.counters.reject(err)
			return err
		}
	}
	return l.start(ctx, t)
}

// submitNow is submit for a caller that would rather not wait on the
// sub-pool: it admits t if a slot of the lane is free at once, or else
// puts it in the sub-pool's queue if that has room, and reports false,
// having done nothing, if neither (see multi.offer).
func (l *lane[T]) submitNow(ctx context.Context, t T) (ok bool, err error) {
	if l.isClosed() {
		return false, nil
	}
	if !l.gate.tryAdmit() {
		admitted, err := l.queue(t, l.e.labels(ctx))
		if err == errFull {
			return false, nil
		}
		if err != nil || !admitted {
			return true, err // queued, or refused as the lane closed
		}
	}
	return true, l.start(ctx, t)
}

// start takes a slot of the pool for t, which holds one of the lane, at the
// lane's priority, and dispatches t.
func (l *lane[T]) start(ctx context.Context, t T) error {
	e := l.e
	if !e.gate.tryAdmit() {
		l.onPool.Add(1)
		dispatched, err := e.gate.acquire(ctx, t, l, e.labels(ctx), l.prio, &l.opts)
		l.onPool.Add(-1)
		if err != nil {
			l.giveBack()
			l.counters.reject(err)
			return err
		}
		if dispatched {
			return nil
		}
	}
	if l.isClosed() {
		e.gate.release(false)
		e.settle()
		l.giveBack()
		return ErrPoolClosed
	}
	e.gate.submitted.Add(1)
	l.gate.submitted.Add(1)
	e.dispatch(t, l, e.labels(ctx), false)
	return nil
}

// errFull tells submit that the sub-pool's queue is full, or that it has
// none: the submitter waits for a slot. It never leaves the package.
var errFull = errors.New("ants: sub-pool queue full")

// queue puts t in the sub-pool's own queue if it has room there. It
// reports admitted = true if a slot of the lane freed meanwhile and t took
// it, and errFull if the queue is full or absent.
func (l *lane[T]) queue(t T, lc context.Context) (admitted bool, err error) {
	if l.opts.QueueSize <= 0 {
		return false, errFull
	}
	g := &l.gate
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed() {
		return false, ErrPoolClosed
	}
	if g.async() >= int64(l.opts.QueueSize) {
		return false, errFull
	}
	if g.lastTry() {
		return true, nil
	}
	g.queue.push(g.queue.get(t, l, lc, l.prio, true))
	g.rehint()
	g.submitted.Add(1)
	l.e.backlog.Add(1)
	return false, nil
}

// enqueue is engine.enqueue for a task of the lane: through the lane's gate
// and then the pool's, without blocking.
func (l *lane[T]) enqueue(t T) error {
	if l == nil || l.isClosed() {
		return ErrPoolClosed
	}
	l.e.backlog.Add(1) // before the task can be queued and unqueued
	admitted, err := l.gate.enqueue(t, l, nil, l.prio, false)
	if err != nil || admitted {
		l.e.backlog.Add(-1)
	}
	if admitted {
		l.forward(t, l, nil, false)
	}
	return err
}

// forward hands a task that holds a slot of the lane on to the pool's
// gate, without blocking: it is dispatched if the pool has a free slot, and
// waits there as an async waiter at the lane's priority otherwise. It is
// the lane gate's dispatch, so a task of the lane's queue is forwarded as
// soon as a slot of the lane is handed to it; the task was accepted, so it
// goes through even if the pool was released meanwhile.
func (l *lane[T]) forward(t T, _ *lane[T], lc context.Context, fromWorker bool) {
	e := l.e
	admitted, _ := e.gate.enqueue(t, l, lc, l.prio, true)
	if admitted {
		e.dispatch(t, l, lc, fromWorker)
	}
}

// unqueue is the lane gate's dispatch: it forwards a task of the
// sub-pool's queue, or a continuation, that a slot of the lane was handed
// to, and uncounts it from the pool's backlog once the pool's gate has it.
func (l *lane[T]) unqueue(t T, _ *lane[T], lc context.Context, fromWorker bool) {
	l.forward(t, l, lc, fromWorker)
	l.e.backlog.Add(-1)
}

// finish gives back the lane's slot of a task that ran, and reports whether
// that woke a blocked submitter of the sub-pool.
func (l *lane[T]) finish() bool {
	l.running.Add(-1)
	l.gate.completed.Add(1)
	woke := l.gate.release(true)
	l.settle()
	return woke
}

// crashed is finish for a task that panicked or called runtime.Goexit.
func (l *lane[T]) crashed(panicked bool) {
	l.running.Add(-1)
	l.gate.completed.Add(1)
	if panicked {
		l.counters.panicked.Add(1)
	}
	l.gate.release(false)
	l.settle()
}

// giveBack returns the lane's slot of a submission that was refused after
// it took it.
func (l *lane[T]) giveBack() {
	l.gate.release(false)
	l.settle()
}

// release closes the lane: its blocked submitters, on its gate and on the
// pool's, are refused, and its queued and running tasks still run. It
// reports false if the lane was closed already.
func (l *lane[T]) release() bool {
	g := &l.gate
	g.mu.Lock()
	if l.closed.Load() {
		g.mu.Unlock()
		return false
	}
	l.closed.Store(true)
	g.refuse(func(*waiter[T]) bool { return true })
	close(l.quit)
	g.mu.Unlock()
	l.e.dropLane(l)
	l.settle()
	return true
}

// settle marks a released lane drained once it holds no slot and has no
// task queued; see engine.settle.
func (l *lane[T]) settle() {
	if l.closed.Load() && l.holdsNothing() {
		l.drainMu.Do(func() { close(l.drained) })
	}
}

// wait blocks until the released lane has drained or ctx is done.
func (l *lane[T]) wait(ctx context.Context) error {
	select {
	case <-l.drained:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// dropLane forgets a released lane: its submitters blocked on the pool's
// gate are refused, and the priority floor is recomputed.
func (e *engine[T]) dropLane(l *lane[T]) {
	e.gate.mu.Lock()
	defer e.gate.mu.Unlock()
	e.gate.refuse(func(w *waiter[T]) bool { return w.lane == l })
	floor := e.opts.Priority
	kept := e.lanes[:0]
	for _, o := range e.lanes {
		if o != l {
			kept = append(kept, o)
			floor = min(floor, o.prio)
		}
	}
	clear(e.lanes[len(kept):])
	e.lanes = kept
	e.gate.floor = floor
	e.gate.rehint()
}

// refuseLanes refuses the blocked submitters of every lane, when the pool
// is released; e.gate.mu is not held, so the lanes' mutexes are never
// taken inside it.
func (e *engine[T]) refuseLanes() {
	e.gate.mu.Lock()
	lanes := append([]*lane[T](nil), e.lanes...)
	e.gate.mu.Unlock()
	for _, l := range lanes {
		l.gate.mu.Lock()
		l.gate.refuse(func(*waiter[T]) bool { return true })
		l.gate.mu.Unlock()
	}
}

// startTuner starts the adaptive controller of the lane's limit in the
// pool's life l, if the lane has one; e.gate.mu is held.
func (l *lane[T]) startTuner(lf *life) {
	if l.tuner != nil && !l.closed.Load() && lf.tuners.join() {
		go l.tuner.run(lf, l.quit)
	}
}

// signals returns what the lane's controller reads of it.
func (l *lane[T]) signals() signals {
	a := l.gate.admitted()
	return signals{
		completed: l.gate.completed.Load(),
		rejected:  l.counters.rejected.Load(),
		fulls:     l.gate.fulls.Load(),
		busy:      a > 0,
		saturated: l.gate.blocked.Load() > 0 || a >= l.limit(),
	}
}

// unfinished returns the lane's tasks that hold a slot (running or on
// their way to a worker) and those in its own queue: what LeastTasks
// compares.
func (l *lane[T]) unfinished() int64 {
	n := l.gate.admitted()
	if l.opts.QueueSize > 0 {
		n += l.gate.async()
	}
	return n
}

// limit returns the lane's limit: its gate's, less the slack.
func (l *lane[T]) limit() int64 { return l.gate.limit.Load() - l.slack }

// holdsNothing reports whether the lane holds no slot and has no task
// queued at its gate.
func (l *lane[T]) holdsNothing() bool { return l.gate.admitted() == 0 && l.gate.waiting.Load() == 0 }

// isClosed reports whether the lane or its pool is released.
func (l *lane[T]) isClosed() bool { return l.closed.Load() || l.e.life.Load().closed.Load() }
