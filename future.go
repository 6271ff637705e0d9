package ants

import (
	"context"
	"sync/atomic"
)

// Submitter is what futures and groups submit their tasks through. *Pool,
// *MultiPool and *Subpool implement it, and a nil Submitter (or a nil
// *Pool or *MultiPool) stands for the default pool, [Default]; a nil
// *Subpool refuses every task, as a released one does.
type Submitter interface {
	// SubmitContext runs task on a worker, waiting for one while ctx is not
	// done. A nil error means task will run exactly once; any other error
	// means it will never run.
	SubmitContext(ctx context.Context, task func()) error
}

var (
	_ Submitter = (*Pool)(nil)
	_ Submitter = (*MultiPool)(nil)
	_ Submitter = (*Subpool)(nil)
)

// submitter resolves the nil forms of a Submitter to the default pool. A
// typed nil pointer in a non-nil interface would otherwise panic on use.
func submitter(s Submitter) Submitter {
	switch p := s.(type) {
	case nil:
		return Default()
	case *Pool:
		if p == nil {
			return Default()
		}
	case *MultiPool:
		if p == nil {
			return Default()
		}
	}
	return s
}

// closedChan is the Done channel of a Future that was never given a task.
var closedChan = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

// Future is the pending result of a function run on a pool; SubmitFuture
// and SubmitFutureContext make one. It is ready once the function has
// returned or panicked, once the pool has refused it, or, for
// SubmitFutureContext, once its context has ended before the function
// started; from then on every method returns the same value and error at
// once.
//
// A Future is safe for concurrent use: any number of goroutines may wait on
// it. The zero Future, which no function fills, is ready with ErrNilTask.
//
// A future costs three allocations on top of the submission: the Future,
// its Done channel and the task closure, 192 bytes in all for an int. On a
// 2-vCPU machine (Go 1.26), SubmitFuture followed by Wait takes about 1 µs,
// most of it the hand-off to a worker and back. SubmitFutureContext costs
// more when its context can end; see there.
type Future[T any] struct {
	done  chan struct{} // closed once value and err are final
	value T
	state atomic.Int32 // under SubmitFutureContext: queued, then claimed or dropped
	err   error
}

// The states of a future's task under SubmitFutureContext: it starts
// queued, and either the worker that reaches it claims it, or the end of
// its context drops it; whichever comes first wins a CAS on Future.state,
// and the other does nothing. See submitContext. (A group keeps a count
// instead; see Group.queued.)
const (
	taskQueued int32 = iota
	taskClaimed
	taskDropped
)

// SubmitFuture runs fn on a worker of s and returns its future at once; a
// nil s means the default pool. Like Submit, it blocks while the pool is
// full (unless the pool is Nonblocking). If the pool refuses the task, with
// ErrPoolClosed or ErrPoolOverload, fn never runs and the future is ready
// with that error. A nil fn makes a future ready with ErrNilTask. A panic in
// fn makes the future ready with a *[PanicError]; the pool never sees it.
func SubmitFuture[T any](s Submitter, fn func() (T, error)) *Future[T] {
	f := &Future[T]{done: make(chan struct{})}
	if fn == nil {
		f.complete(ErrNilTask)
		return f
	}
	if err := submitter(s).SubmitContext(context.Background(), func() { f.run(fn) }); err != nil {
		f.complete(err)
	}
	return f
}

// SubmitFutureContext is SubmitFuture for a function that takes a context.
// It passes ctx to fn, and fn never starts once ctx is done: if ctx is done
// when SubmitFutureContext is called, or while it waits for a worker, the
// future is ready with ctx.Err() at once; and if ctx ends while the task is
// admitted but not yet started (queued on a busy pool), the future is ready
// with ctx.Err() as soon as ctx ends, without waiting for a worker, and fn
// never runs. The task keeps its place in the pool until a worker reaches
// it and returns at once. Exactly one of two things happens: fn starts, or
// the future is ready with ctx.Err(). Once fn has started, ending ctx does
// not end the future: fn must watch ctx itself. A nil ctx means
// context.Background().
//
// For a ctx that can end (one whose Done channel is not nil), watching it
// costs a context.AfterFunc registration, which the worker removes when it
// reaches the task: SubmitFutureContext then makes 6 allocations (400
// bytes for an int) against 3 (192 bytes) for SubmitFuture, and takes
// about twice as long: on a 2-vCPU machine (Go 1.26), it and Wait take
// about 2 µs instead of 1 µs. A ctx that can never end, such as
// context.Background(), needs no watch: SubmitFutureContext then makes the
// same 3 allocations as SubmitFuture, 32 bytes larger.
func SubmitFutureContext[T any](ctx context.Context, s Submitter, fn func(ctx context.Context) (T, error)) *Future[T] {
	if ctx == nil {
		ctx = context.Background()
	}
	f := &Future[T]{done: make(chan struct{})}
	switch {
	case fn == nil:
		f.complete(ErrNilTask)
	case ctx.Err() != nil:
		// The pool admits a task at once when it has room, whatever ctx
		// says; checking here makes a done ctx refuse fn every time.
		f.complete(ctx.Err())
	default:
		f.submitContext(ctx, submitter(s), fn)
	}
	return f
}

// submitContext submits fn for SubmitFutureContext.
//
// The worker that reaches the task and the AfterFunc that watches ctx race
// for the future with a CAS of state from taskQueued; exactly one wins and
// completes the future, and the other does nothing. If the AfterFunc wins,
// the future is ready with ctx.Err() and the worker returns at once. If the
// worker wins, it looks at ctx once more before it starts fn: a context's
// error is set before its cancel function returns and before it starts any
// AfterFunc, so a ctx that ended before this look is seen, and fn never
// starts after its context ended. A failed submission claims the future
// the same way, so its error and the AfterFunc cannot both complete it.
func (f *Future[T]) submitContext(ctx context.Context, s Submitter, fn func(ctx context.Context) (T, error)) {
	stop := f.watch(ctx) // assigned once, so the task closure copies it
	err := s.SubmitContext(ctx, func() {
		if !f.state.CompareAndSwap(taskQueued, taskClaimed) {
			return // dropped: the future is ready with ctx.Err()
		}
		stop()
		if err := ctx.Err(); err != nil {
			f.complete(err)
			return
		}
		f.run(func() (T, error) { return fn(ctx) })
	})
	if err != nil && f.state.CompareAndSwap(taskQueued, taskClaimed) {
		stop()
		f.complete(err)
	}
}

// watch drops the future's queued task when ctx ends, and returns the
// function that stops watching. A ctx that can never end needs no watch.
func (f *Future[T]) watch(ctx context.Context) (stop func() bool) {
	if ctx.Done() == nil {
		return neverEnds
	}
	return context.AfterFunc(ctx, func() {
		if f.state.CompareAndSwap(taskQueued, taskDropped) {
			f.complete(ctx.Err())
		}
	})
}

// neverEnds is the stop function of a watch on a context that never ends.
func neverEnds() bool { return true }

// complete makes a future whose function will not run ready with err.
func (f *Future[T]) complete(err error) {
	f.err = err
	close(f.done)
}

// run runs fn for the future. err starts as ErrGoexit, which a return or a
// panic overwrites, so a function that calls runtime.Goexit still makes the
// future ready, with an error. The writes of value and err happen before
// the close of done, and every read after a receive from it: no lock.
func (f *Future[T]) run(fn func() (T, error)) {
	f.err = ErrGoexit
	defer f.finish()
	f.value, f.err = fn()
}

// finish, deferred by run, turns a panic into a *PanicError and makes the
// future ready.
func (f *Future[T]) finish() {
	if r := recover(); r != nil {
		var zero T
		f.value, f.err = zero, newPanicError(r)
	}
	close(f.done)
}

// Done returns a channel that is closed when the future is ready, for use
// in a select statement. It never blocks.
func (f *Future[T]) Done() <-chan struct{} {
	if f == nil || f.done == nil {
		return closedChan
	}
	return f.done
}

// Ready reports whether the future is ready, that is whether Wait would
// return at once. It never blocks.
func (f *Future[T]) Ready() bool {
	select {
	case <-f.Done():
		return true
	default:
		return false
	}
}

// Wait blocks until the future is ready and returns the function's value
// and error. The value is the zero T when the function panicked or was not
// run.
func (f *Future[T]) Wait() (T, error) {
	<-f.Done()
	return f.result()
}

// WaitContext is Wait that gives up when ctx is done and then returns the
// zero T and ctx.Err(). A ready future returns its result even if ctx is
// done. Giving up does not stop the function, whose result a later Wait
// still returns. A nil ctx means context.Background(): WaitContext then
// waits as Wait does.
func (f *Future[T]) WaitContext(ctx context.Context) (T, error) {
	if ctx == nil {
		return f.Wait()
	}
	if !f.Ready() {
		select {
		case <-f.Done():
		case <-ctx.Done():
			var zero T
			return zero, ctx.Err()
		}
	}
	return f.result()
}

// result returns the final value and error of a ready future.
func (f *Future[T]) result() (T, error) {
	if f == nil || f.done == nil {
		var zero T
		return zero, ErrNilTask
	}
	return f.value, f.err
}
