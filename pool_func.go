package ants

import "context"

// PoolWithFunc runs one function, given when the pool is built, on each
// argument passed to Invoke. Build one with NewPoolWithFunc; it is safe for
// concurrent use and shares every other method with [Pool].
type PoolWithFunc struct {
	*engine[any]
}

// NewPoolWithFunc returns a pool of at most size workers (size <= 0 means
// no limit) that runs pf on each invoked argument. It returns
// ErrLackPoolFunc if pf is nil.
func NewPoolWithFunc(size int, pf func(any), options ...Option) (*PoolWithFunc, error) {
	return face[PoolWithFunc](newFuncEngine(size, pf, options))
}

// Invoke runs the pool's function on arg, which may be nil. It waits and
// fails like [Pool.Submit].
func (p *PoolWithFunc) Invoke(arg any) error { return p.submit(nil, arg) }

// InvokeContext is Invoke that gives up when ctx is done before arg is
// admitted, and then returns ctx.Err(); the function is then not run on arg.
func (p *PoolWithFunc) InvokeContext(ctx context.Context, arg any) error { return p.submit(ctx, arg) }

// PoolWithFuncGeneric is PoolWithFunc with a typed argument: no interface
// conversion, and no allocation per call for arguments that fit in a word.
type PoolWithFuncGeneric[T any] struct {
	*engine[T]
}

// NewPoolWithFuncGeneric returns a pool of at most size workers (size <= 0
// means no limit) that runs pf on each invoked argument. It returns
// ErrLackPoolFunc if pf is nil.
func NewPoolWithFuncGeneric[T any](size int, pf func(T), options ...Option) (*PoolWithFuncGeneric[T], error) {
	return face[PoolWithFuncGeneric[T]](newFuncEngine(size, pf, options))
}

// Invoke runs the pool's function on arg. It waits and fails like
// [Pool.Submit].
func (p *PoolWithFuncGeneric[T]) Invoke(arg T) error { return p.submit(nil, arg) }

// InvokeContext is Invoke that gives up when ctx is done before arg is
// admitted, and then returns ctx.Err(); the function is then not run on arg.
func (p *PoolWithFuncGeneric[T]) InvokeContext(ctx context.Context, arg T) error {
	return p.submit(ctx, arg)
}

// newFuncEngine checks pf and builds the engine of a function pool.
func newFuncEngine[T any](size int, pf func(T), options []Option) (*engine[T], error) {
	if pf == nil {
		return nil, ErrLackPoolFunc
	}
	return newEngine(size, pf, options)
}
