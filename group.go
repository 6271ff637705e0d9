package ants

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
)

// Group runs a collection of tasks that work on parts of one job on a pool,
// and collects their first error, as errgroup.Group does with goroutines.
// Unlike a plain errgroup, its tasks take their workers from a pool, so Go
// blocks while the pool is full, and a pool that refuses a task makes that
// refusal the group's error instead of losing the task silently.
//
// Build a Group with NewGroup to get a context that is cancelled on the
// first error. The zero Group is also ready to use: it submits to the
// default pool, has no limit and no context, and cancels nothing.
//
// A Group is safe for concurrent use: Go may be called from any goroutine,
// including from the group's own tasks, and concurrently with Wait.
//
// Errors: Wait returns nil only if every task passed to Go ran and returned
// nil. A nil task records ErrNilTask, a refused one the pool's error
// (ErrPoolClosed, ErrPoolOverload, or the context's error), a panicking one
// a *[PanicError], and a dropped one (see below) its context's error. A
// task that calls runtime.Goexit records an error too.
//
// Cancellation: a task never starts once the caller's context, the one
// given to NewGroup, has ended. A task that the pool has admitted but not
// started when that context ends is dropped at once: it records the
// context's error, Wait stops waiting for it, and the worker that later
// reaches it in the pool's queue returns without running it. Each task
// either starts or is dropped, exactly once. The group's own cancellation,
// on its first error, drops nothing: as with errgroup, the tasks still run,
// with the cancelled context, unless the group has [WithFailFast].
//
// Calling Go from a task of a group whose pool (or limit) is full can
// deadlock, as it can with errgroup's SetLimit: the task waits for a worker
// that only its own return would free.
//
// Go costs one allocation, the 24-byte task closure, on top of the
// submission, whether or not the caller's context can end (watching it
// costs one context.AfterFunc per group, not per task); on a 2-vCPU
// machine (Go 1.26) a group runs about two million empty tasks a second.
type Group struct {
	s        Submitter               // nil means the default pool
	ctx      context.Context         // nil for the zero Group: never done
	cancel   context.CancelCauseFunc // nil for the zero Group
	failFast bool
	sem      chan struct{} // one token per running task under WithLimit; nil means no limit

	// watch is the context whose end drops the tasks not yet started: the
	// caller's, or the group's own under WithFailFast. It is nil if that
	// context can never end; then no task is ever dropped. stopWatch
	// removes the AfterFunc that calls dropQueued when it ends.
	watch     context.Context
	stopWatch func() bool

	active atomic.Int64 // tasks between the start of Go and their end
	// queued counts, in its upper bits, the tasks admitted to the pool (or
	// on their way) that no worker has reached yet, while watch is set. Its
	// low bit, queuedDropped, is set once watch has ended, and from then on
	// the count no longer changes: dropQueued has ended those tasks.
	queued atomic.Uint64

	mu     sync.Mutex    // guards the fields below
	idle   chan struct{} // made by a waiting Wait, closed when active drops to 0
	err    error         // the first error
	panics []error       // *PanicErrors that came after the first error
}

// GroupOption configures a Group or a ResultGroup; see NewGroup.
type GroupOption func(g *Group)

// WithFailFast makes the group drop, after the first error, the tasks that
// the pool has admitted but that have not started yet: they never run, and
// Wait does not wait for a worker to reach them. Without it they still run,
// with the cancelled context, as the goroutines of an errgroup do; only the
// end of the caller's context (the one given to NewGroup) drops them. In
// both modes Go submits nothing once the group's context is done.
func WithFailFast() GroupOption {
	return func(g *Group) { g.failFast = true }
}

// WithLimit lets at most n tasks of the group be admitted or running at
// once, whatever the pool's size; Go blocks for a turn. It is meant for a
// group that shares a large pool, such as the default one, and should not
// take all of it. n <= 0 means no limit.
func WithLimit(n int) GroupOption {
	return func(g *Group) {
		g.sem = nil
		if n > 0 {
			g.sem = make(chan struct{}, n)
		}
	}
}

// NewGroup returns a group that submits to s (nil means the default pool)
// and a context derived from ctx (nil means context.Background()). The
// context is cancelled, with the error as its cause, when a task fails, and
// when Wait returns, whichever comes first. Tasks receive it.
//
// A task of the group never starts once ctx (the caller's context) is
// done. If ctx ends while tasks are admitted to the pool but not started,
// they are dropped at once: each records ctx.Err() as a task error, Wait
// stops waiting for them, and the workers that later reach them return
// without running them. A group's own cancellation, on its first error,
// drops nothing unless the group has [WithFailFast].
func NewGroup(ctx context.Context, s Submitter, opts ...GroupOption) (*Group, context.Context) {
	g := new(Group)
	return g, g.init(ctx, s, opts)
}

// init sets up a new group and returns its context.
func (g *Group) init(ctx context.Context, s Submitter, opts []GroupOption) context.Context {
	if ctx == nil {
		ctx = context.Background()
	}
	g.s = s
	g.ctx, g.cancel = context.WithCancelCause(ctx)
	for _, opt := range opts {
		if opt != nil {
			opt(g)
		}
	}
	watch := ctx
	if g.failFast {
		watch = g.ctx
	}
	if watch.Done() != nil {
		g.watch = watch
		g.stopWatch = context.AfterFunc(watch, g.dropQueued)
	}
	return g.ctx
}

// Go runs fn on a worker of the group's pool, passing it the group's
// context. It returns once the pool has admitted the task: it blocks while
// the pool is full (unless the pool is Nonblocking) or the group is at its
// limit, and gives up when the group's context is done. A task that Go does
// not submit (because fn is nil, the pool refuses it, or the context is
// done) never runs, and its reason becomes the group's error unless an
// earlier error already is.
func (g *Group) Go(fn func(ctx context.Context) error) {
	ctx := g.context()
	switch {
	case fn == nil:
		g.fail(ErrNilTask)
		return
	case ctx.Err() != nil:
		// The pool admits a task at once when it has room, whatever ctx
		// says; checking first makes a done group refuse every task.
		g.fail(ctx.Err())
		return
	}
	// Counting the task before it can block lets a concurrent Wait wait for
	// it; every path below ends it exactly once.
	g.active.Add(1)
	if g.sem != nil {
		select {
		case g.sem <- struct{}{}:
		case <-ctx.Done():
			g.end(ctx.Err(), false)
			return
		}
		// The select picks at random when a turn frees as the context ends,
		// as it does when a failing task ends: look again.
		if err := ctx.Err(); err != nil {
			g.end(err, true)
			return
		}
	}
	if g.watch != nil && !g.enqueue() {
		g.end(g.watch.Err(), true)
		return
	}
	if err := submitter(g.s).SubmitContext(ctx, func() { g.run(fn) }); err != nil {
		// Unless dropQueued has ended the task already.
		if g.watch == nil || g.dequeue() {
			g.end(err, true)
		}
	}
}

// run runs fn for the group. err starts as ErrGoexit, which a return or a
// panic overwrites, so a task that calls runtime.Goexit still ends.
//
// A task the group watches first leaves the queued count. If dropQueued
// has ended it already, the worker returns at once; otherwise dropQueued
// will not count it, and the task looks at watch once more before fn
// starts: a context's error is set before its cancel function returns and
// before it starts its AfterFuncs, so fn never starts once watch has ended.
// Both sides move queued with a CAS, so each task is ended exactly once.
func (g *Group) run(fn func(ctx context.Context) error) {
	if g.watch != nil {
		if !g.dequeue() {
			return // dropped, and ended by dropQueued
		}
		if err := g.watch.Err(); err != nil {
			g.end(err, true)
			return
		}
	}
	err := ErrGoexit
	defer func() {
		if r := recover(); r != nil {
			err = newPanicError(r)
		}
		g.end(err, true)
	}()
	err = fn(g.context())
}

// queuedDropped is the low bit of Group.queued; the count of queued tasks
// is kept above it, in steps of queuedOne.
const (
	queuedDropped = 1
	queuedOne     = 2
)

// enqueue counts a task on its way to the pool, and reports false if watch
// has ended: then dropQueued has run, or is running, and would not end the
// task.
func (g *Group) enqueue() bool {
	for {
		q := g.queued.Load()
		if q&queuedDropped != 0 {
			return false
		}
		if g.queued.CompareAndSwap(q, q+queuedOne) {
			return true
		}
	}
}

// dequeue uncounts a queued task that a worker reached (or whose
// submission failed), and reports false if dropQueued ended it first.
func (g *Group) dequeue() bool {
	for {
		q := g.queued.Load()
		if q&queuedDropped != 0 {
			return false
		}
		if g.queued.CompareAndSwap(q, q-queuedOne) {
			return true
		}
	}
}

// dropQueued runs once watch has ended. It marks queued dropped and ends,
// at once and with watch's error, the tasks it counted: they will never
// start, so Wait need not wait for the workers to reach them.
func (g *Group) dropQueued() {
	for {
		q := g.queued.Load()
		if g.queued.CompareAndSwap(q, q|queuedDropped) {
			if n := int64(q / queuedOne); n > 0 {
				g.endMany(g.watch.Err(), n)
			}
			return
		}
	}
}

// Wait blocks until every task of the group has returned or been dropped
// (a dropped task ends when its context ends, not when a worker reaches
// it), then cancels the group's context and returns the first error. A
// panic is never lost: if tasks panicked after the first error, their
// *PanicErrors are joined to it with errors.Join, so errors.Is and
// errors.As see the first error and every panic. Wait waits for the tasks
// of every Go call that started before it, and for the tasks those start;
// a Go call that starts after Wait returned finds the group's context
// cancelled.
func (g *Group) Wait() error {
	g.mu.Lock()
	for g.active.Load() > 0 {
		if g.idle == nil {
			g.idle = make(chan struct{})
		}
		idle := g.idle
		g.mu.Unlock()
		<-idle
		g.mu.Lock()
	}
	err := g.err
	if len(g.panics) > 0 {
		err = errors.Join(append([]error{err}, g.panics...)...)
	}
	g.mu.Unlock()
	if g.stopWatch != nil {
		// Every task counted so far has ended: stop watching, so that a
		// group whose caller's context outlives it leaves nothing
		// registered on that context.
		g.stopWatch()
	}
	if g.cancel != nil {
		g.cancel(err)
	}
	return err
}

// context returns the group's context; the zero Group's is never done.
func (g *Group) context() context.Context {
	if g.ctx == nil {
		return context.Background()
	}
	return g.ctx
}

// end records the error of a task, if any, and ends it: it gives back its
// turn under WithLimit if it took one, and wakes Wait if it was the last.
// The error is recorded before active drops, so Wait sees it.
func (g *Group) end(err error, turn bool) {
	if err != nil {
		g.fail(err)
	}
	if turn && g.sem != nil {
		<-g.sem
	}
	g.settle(1)
}

// endMany ends n tasks that hold a turn and share the error err.
func (g *Group) endMany(err error, n int64) {
	g.fail(err)
	if g.sem != nil {
		for range n {
			<-g.sem
		}
	}
	g.settle(n)
}

// settle counts n tasks ended, and wakes Wait if they were the last.
func (g *Group) settle(n int64) {
	if g.active.Add(-n) == 0 {
		// Under mu, Wait either has not read active yet and will see 0,
		// or has made idle and is blocked on it.
		g.mu.Lock()
		if g.idle != nil && g.active.Load() == 0 {
			close(g.idle)
			g.idle = nil
		}
		g.mu.Unlock()
	}
}

// fail records err: the first error is kept and cancels the context, later
// panics are kept to be joined, other later errors are dropped. The record
// happens before the cancel, so a task that sees the context done finds
// the first error already in place.
func (g *Group) fail(err error) {
	var pe *PanicError
	g.mu.Lock()
	first := g.err == nil
	if first {
		g.err = err
	} else if errors.As(err, &pe) {
		g.panics = append(g.panics, err)
	}
	g.mu.Unlock()
	if first && g.cancel != nil {
		g.cancel(err)
	}
}
