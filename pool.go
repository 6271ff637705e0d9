package ants

import "context"

// Pool runs func() tasks on a bounded set of reusable worker goroutines.
// Build one with NewPool; the zero value behaves as a released pool of
// capacity 0, refusing every task. A Pool is safe for concurrent use. Its
// other methods (Running, Free, Waiting, Cap, Tune, IsClosed, Release,
// ReleaseTimeout, ReleaseContext, Reboot, Stats) are those of the engine
// it embeds, shared by every pool of the package.
type Pool struct {
	*engine[func()]
}

// NewPool returns a pool of at most size workers; size <= 0 means no limit.
// Sizes above math.MaxInt32 are taken as math.MaxInt32. It fails only on
// invalid options, with the errors listed in [Options].
func NewPool(size int, options ...Option) (*Pool, error) {
	return face[Pool](newEngine(size, runTask, options))
}

func runTask(task func()) { task() }

// Submit runs task on a worker. If every worker is busy, Submit waits for
// one to free up, unless the pool is Nonblocking or MaxBlockingTasks
// submitters already wait, when it returns ErrPoolOverload. It returns
// ErrPoolClosed on a released pool and ErrNilTask for a nil task. A nil
// error means the task will run exactly once.
func (p *Pool) Submit(task func()) error { return submitFunc(p.engine, nil, task) }

// SubmitContext is Submit that gives up when ctx is done before the task is
// admitted, and then returns ctx.Err(); the task is then never run. A ctx
// that is already done fails at once, even if a worker is free.
func (p *Pool) SubmitContext(ctx context.Context, task func()) error {
	return submitFunc(p.engine, ctx, task)
}

// funcSubmitter is the engine of a pool or multi-pool of func() tasks.
type funcSubmitter interface {
	IsClosed() bool
	submit(ctx context.Context, task func()) error
}

// submitFunc refuses a nil task, then submits. For a nil task on a closed
// pool, ErrPoolClosed wins over ErrNilTask, as in ants v2.
func submitFunc[S funcSubmitter](s S, ctx context.Context, task func()) error {
	if task == nil {
		return nilTask(s.IsClosed())
	}
	return s.submit(ctx, task)
}

// face wraps a new engine in the face type F, or passes its error on.
func face[F ~struct{ *engine[T] }, T any](e *engine[T], err error) (*F, error) {
	if err != nil {
		return nil, err
	}
	return &F{e}, nil
}

// nilTask is the error for a nil task: ErrPoolClosed wins, as in ants v2.
func nilTask(closed bool) error {
	if closed {
		return ErrPoolClosed
	}
	return ErrNilTask
}
