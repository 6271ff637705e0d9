package ants

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// LoadBalancingStrategy chooses the pool of a multi-pool that gets a task.
type LoadBalancingStrategy int

const (
	// RoundRobin hands tasks to the pools in turn. A task whose pool has
	// no free slot goes to the next pool that has one; if none has, its
	// submitter waits on its own pool, and, if that pool is Nonblocking or
	// has MaxBlockingTasks waiting, the task is offered once more, to the
	// least busy pool.
	RoundRobin LoadBalancingStrategy = 1 << (iota + 1)

	// LeastTasks hands each task to the pool with the fewest unfinished
	// tasks (running or queued); ties go to the lowest index.
	LeastTasks
)

// multi is the engine of the three multi-pools: a fixed set of pools, the
// strategy that picks one per task, and the aggregates over all of them.
// Like a single pool, it is closed by ReleaseTimeout or ReleaseContext and
// reopened by Reboot.
type multi[T any] struct {
	pools  []*engine[T]
	lbs    LoadBalancingStrategy
	index  atomic.Uint32
	closed atomic.Bool
	// rejected counts the submissions refused with ErrPoolOverload, once
	// each; the pools leave overloads to it (see counters.ownerRejects).
	rejected atomic.Uint64
	// mu orders Release and Reboot, so that a Reboot racing a Release
	// cannot leave open pools inside a closed multi-pool.
	mu sync.Mutex
}

func newMulti[T any](size, sizePerPool int, exec func(T), lbs LoadBalancingStrategy, options []Option) (*multi[T], error) {
	if size <= 0 {
		return nil, ErrInvalidMultiPoolSize
	}
	if lbs != RoundRobin && lbs != LeastTasks {
		return nil, ErrInvalidLoadBalancingStrategy
	}
	if exec == nil {
		return nil, ErrLackPoolFunc
	}
	opts, err := loadOptions(sizePerPool, options)
	if err != nil {
		return nil, err
	}
	if err := checkMultiBytes[T](size, sizePerPool, opts); err != nil {
		return nil, err
	}
	m := &multi[T]{pools: make([]*engine[T], size), lbs: lbs}
	for i := range m.pools {
		e, err := buildEngine(sizePerPool, exec, options)
		if err != nil {
			m.release()
			return nil, err
		}
		e.counters.ownerRejects, e.inMulti = true, true
		e.life.Store(e.newLife())
		m.pools[i] = e
	}
	return m, nil
}

// pick returns the index of the pool that gets the next task.
func (m *multi[T]) pick(lbs LoadBalancingStrategy) int {
	if lbs == RoundRobin {
		return int((m.index.Add(1) - 1) % uint32(len(m.pools)))
	}
	best, least := 0, m.pools[0].gate.admitted()
	for i, e := range m.pools[1:] {
		if n := e.gate.admitted(); n < least {
			best, least = i+1, n
		}
	}
	return best
}

// submit hands t to the pool the strategy picks. The pools count no
// overload, so a task refused by one pool and then accepted by another
// counts no rejection, and one refused by both counts one.
func (m *multi[T]) submit(ctx context.Context, t T) error {
	if m.IsClosed() {
		return ErrPoolClosed
	}
	i := m.pick(m.lbs)
	if ctx == nil || ctx.Err() == nil {
		// The pool picked takes the task if it has a free slot, or else the
		// next one that has: a submitter waits on a full pool only when
		// every pool is full.
		for j := range m.pools {
			if ok, err := m.pools[(i+j)%len(m.pools)].submitNow(ctx, t); ok {
				return err
			}
		}
	}
	err := m.pools[i].submit(ctx, t)
	if err == ErrPoolOverload && m.lbs == RoundRobin {
		err = m.pools[m.pick(LeastTasks)].submit(ctx, t)
	}
	if err == ErrPoolOverload {
		m.rejected.Add(1)
	}
	return err
}

// enqueue hands t, a continuation of a task running on the multi-pool, to
// the pool the strategy picks; see engine.enqueue.
func (m *multi[T]) enqueue(t T) error {
	if m.IsClosed() {
		return ErrPoolClosed
	}
	return m.pools[m.pick(m.lbs)].enqueue(t)
}

// sum adds up one gauge over the pools.
func (m *multi[T]) sum(gauge func(*engine[T]) int) (n int) {
	for _, e := range m.all() {
		n += gauge(e)
	}
	return n
}

// byIndex reads one gauge of the pool at idx.
func (m *multi[T]) byIndex(idx int, gauge func(*engine[T]) int) (int, error) {
	if idx < 0 || idx >= len(m.all()) {
		return -1, ErrInvalidPoolIndex
	}
	return gauge(m.pools[idx]), nil
}

// Running returns the number of live workers over all pools.
func (m *multi[T]) Running() int { return m.sum((*engine[T]).Running) }

// RunningByIndex returns the number of live workers of the pool at idx.
func (m *multi[T]) RunningByIndex(idx int) (int, error) {
	return m.byIndex(idx, (*engine[T]).Running)
}

// Free returns the sum of the pools' Free counts.
func (m *multi[T]) Free() int { return m.sum((*engine[T]).Free) }

// FreeByIndex returns the Free count of the pool at idx.
func (m *multi[T]) FreeByIndex(idx int) (int, error) { return m.byIndex(idx, (*engine[T]).Free) }

// Waiting returns the number of blocked submitters over all pools.
func (m *multi[T]) Waiting() int { return m.sum((*engine[T]).Waiting) }

// WaitingByIndex returns the number of blocked submitters of the pool at
// idx.
func (m *multi[T]) WaitingByIndex(idx int) (int, error) {
	return m.byIndex(idx, (*engine[T]).Waiting)
}

// Cap returns the sum of the pools' capacities (each -1 if unlimited, as in
// ants v2).
func (m *multi[T]) Cap() int { return m.sum((*engine[T]).Cap) }

// Stats returns the sum of the pools' statistics; Capacity is -1 if the
// pools are unlimited. Rejected counts each refused submission once.
func (m *multi[T]) Stats() Stats {
	var s Stats
	for _, e := range m.all() {
		s.add(e.Stats())
	}
	if m != nil {
		s.Rejected += m.rejected.Load()
	}
	return s
}

// Tune sets the capacity of every pool to size; see [Pool.Tune].
func (m *multi[T]) Tune(size int) {
	for _, e := range m.all() {
		e.Tune(size)
	}
}

// IsClosed reports whether the multi-pool has been released.
func (m *multi[T]) IsClosed() bool { return m == nil || m.closed.Load() }

// all returns the pools; none for the zero value of a multi-pool, which
// behaves as a released one.
func (m *multi[T]) all() []*engine[T] {
	if m == nil {
		return nil
	}
	return m.pools
}

// Release closes every pool without waiting; see [Pool.Release].
func (m *multi[T]) Release() { _ = m.ReleaseContext(nil) } //nolint:staticcheck // nil means no wait

// ReleaseTimeout closes every pool and waits at most timeout for all of
// them to drain. The error names each pool that timed out and satisfies
// errors.Is(err, ErrTimeout). It returns ErrPoolClosed if the multi-pool
// was already released.
func (m *multi[T]) ReleaseTimeout(timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	err := m.ReleaseContext(ctx)
	var me *multiError
	if errors.As(err, &me) && errors.Is(err, context.DeadlineExceeded) {
		me.timeout = true
	}
	return err
}

// ReleaseContext closes every pool and waits for all of them to drain or
// for ctx to be done; a nil ctx means no wait. The error names each pool
// that failed and unwraps to their errors. It returns ErrPoolClosed if the
// multi-pool was already released.
func (m *multi[T]) ReleaseContext(ctx context.Context) error {
	if m == nil {
		return ErrPoolClosed
	}
	m.mu.Lock()
	if m.closed.Load() {
		m.mu.Unlock()
		return ErrPoolClosed
	}
	m.closed.Store(true)
	lives := m.release()
	m.mu.Unlock()
	if ctx == nil {
		return nil
	}
	return m.wait(ctx, lives)
}

// release closes all pools, so they drain in parallel, and returns their
// lives to wait on.
func (m *multi[T]) release() []*life {
	lives := make([]*life, len(m.pools))
	for i, e := range m.pools {
		if e != nil {
			lives[i], _ = e.release()
		}
	}
	return lives
}

// wait waits for each released pool in turn and names those that failed.
func (m *multi[T]) wait(ctx context.Context, lives []*life) error {
	var me multiError
	for i, l := range lives {
		if err := l.wait(ctx); err != nil {
			me.errs = append(me.errs, fmt.Errorf("pool %d: %w", i, err))
		}
	}
	if me.errs == nil {
		return nil
	}
	return &me
}

// Reboot reopens a released multi-pool and every pool in it.
func (m *multi[T]) Reboot() {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed.Load() {
		m.index.Store(0)
		for _, e := range m.pools {
			e.Reboot()
		}
		m.closed.Store(false)
	}
}

// multiFace wraps a new multi-pool engine in the face type F, or passes its
// error on.
func multiFace[F ~struct{ *multi[T] }, T any](m *multi[T], err error) (*F, error) {
	if err != nil {
		return nil, err
	}
	return &F{m}, nil
}

// multiError lists the pools of a multi-pool that failed to release.
type multiError struct {
	errs    []error
	timeout bool // set by ReleaseTimeout: the errors are ErrTimeout too
}

// Error joins the errors of the pools with " | ", as ants v2 does.
func (e *multiError) Error() string {
	msgs := make([]string, len(e.errs))
	for i, err := range e.errs {
		msgs[i] = err.Error()
	}
	return strings.Join(msgs, " | ")
}

// Unwrap returns the errors of the pools, and ErrTimeout after a timeout.
func (e *multiError) Unwrap() []error {
	if e.timeout {
		return append(e.errs[:len(e.errs):len(e.errs)], ErrTimeout)
	}
	return e.errs
}

// MultiPool spreads func() tasks over several Pools to reduce contention.
// Build one with NewMultiPool; it is safe for concurrent use.
type MultiPool struct {
	*multi[func()]
}

// NewMultiPool returns size pools of sizePerPool workers each (sizePerPool
// <= 0 means unlimited), balanced by lbs. The pools' buffers are allocated
// here, so their total is bounded: each pool's ring (1024 cells, or its
// capacity under PreAlloc, plus its queue, rounded up to a power of two, at
// 16 bytes a cell for a func()) and the pool itself, times size, may take
// at most 1 GiB, about 60,000 pools of the default kind; a larger
// multi-pool fails with an error that wraps ErrInvalidMultiPoolSize.
func NewMultiPool(size, sizePerPool int, lbs LoadBalancingStrategy, options ...Option) (*MultiPool, error) {
	return multiFace[MultiPool](newMulti(size, sizePerPool, runTask, lbs, options))
}

// Submit hands task to one of the pools; see [Pool.Submit].
func (mp *MultiPool) Submit(task func()) error { return submitFunc(mp.multi, nil, task) }

// SubmitContext is Submit that gives up waiting when ctx is done.
func (mp *MultiPool) SubmitContext(ctx context.Context, task func()) error {
	return submitFunc(mp.multi, ctx, task)
}

// MultiPoolWithFunc spreads invocations of one function over several
// PoolWithFuncs. Build one with NewMultiPoolWithFunc.
type MultiPoolWithFunc struct {
	*multi[any]
}

// NewMultiPoolWithFunc returns size pools of sizePerPool workers each that
// run fn, balanced by lbs. It returns ErrLackPoolFunc if fn is nil, and
// bounds the pools' buffers as [NewMultiPool] does (at 24 bytes a cell).
func NewMultiPoolWithFunc(size, sizePerPool int, fn func(any), lbs LoadBalancingStrategy, options ...Option) (*MultiPoolWithFunc, error) {
	return multiFace[MultiPoolWithFunc](newMulti(size, sizePerPool, fn, lbs, options))
}

// Invoke runs the function on args in one of the pools; see
// [PoolWithFunc.Invoke].
func (mp *MultiPoolWithFunc) Invoke(args any) error { return mp.submit(nil, args) }

// InvokeContext is Invoke that gives up waiting when ctx is done.
func (mp *MultiPoolWithFunc) InvokeContext(ctx context.Context, args any) error {
	return mp.submit(ctx, args)
}

// MultiPoolWithFuncGeneric is MultiPoolWithFunc with a typed argument.
type MultiPoolWithFuncGeneric[T any] struct {
	*multi[T]
}

// NewMultiPoolWithFuncGeneric returns size pools of sizePerPool workers each
// that run fn, balanced by lbs. It returns ErrLackPoolFunc if fn is nil, and
// bounds the pools' buffers as [NewMultiPool] does (a cell holds a T and an
// 8-byte sequence number).
func NewMultiPoolWithFuncGeneric[T any](size, sizePerPool int, fn func(T), lbs LoadBalancingStrategy, options ...Option) (*MultiPoolWithFuncGeneric[T], error) {
	return multiFace[MultiPoolWithFuncGeneric[T]](newMulti(size, sizePerPool, fn, lbs, options))
}

// Invoke runs the function on args in one of the pools.
func (mp *MultiPoolWithFuncGeneric[T]) Invoke(args T) error {
	return mp.submit(nil, args)
}

// InvokeContext is Invoke that gives up waiting when ctx is done.
func (mp *MultiPoolWithFuncGeneric[T]) InvokeContext(ctx context.Context, args T) error {
	return mp.submit(ctx, args)
}
