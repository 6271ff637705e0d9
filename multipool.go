package ants

import (
	"context"
	"errors"
	"fmt"
	"math"
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

// multi is the engine of the three multi-pools: one engine, whose workers,
// ring and purger all the pools share, and a lane per pool, which bounds
// the pool's own tasks as a sub-pool's lane does (lane.go); the strategy
// that picks a pool per task; and the aggregates over the pools. A task
// takes a slot of its pool's lane, then one of the engine, whose capacity
// is the sum of the pools' (so that it never blocks a task its pool
// admitted, but while a Tune moves them), and runs on whichever worker is
// free. So no task of a pool with a free slot waits for a worker while one
// is idle: the multi-pool runs as one pool of the same total capacity,
// plus the cost of picking a pool and of a second gate.
//
// With a queue, each pool's lane has the queue as slack (lane.slack): a
// pool admits up to its capacity plus its queue, as a single pool does,
// and the engine's ring, sized for all the queues, holds the tasks beyond
// the capacities, which start in order on the first free worker. So
// admission (blocking, Nonblocking, MaxBlockingTasks) is per pool, as in
// ants, and the work is shared.
//
// Like a single pool, it is closed by ReleaseTimeout or ReleaseContext and
// reopened by Reboot.
type multi[T any] struct {
	e     *engine[T]
	pools []*lane[T]
	lbs   LoadBalancingStrategy
	index atomic.Uint32
	// unlimited says that the pools have no capacity (sizePerPool <= 0):
	// their lanes then have a limit of math.MaxInt32, and Cap and Free
	// report -1 for each pool, as ants v2 does.
	unlimited bool
	closed    atomic.Bool
	// rejected counts the submissions refused with ErrPoolOverload, once
	// each; the lanes leave overloads to it (see counters.ownerRejects).
	rejected atomic.Uint64
	// mu orders Release, Reboot and Tune, so that a Reboot racing a Release
	// cannot leave an open engine inside a closed multi-pool.
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
	total, err := checkMultiBytes[T](size, sizePerPool, opts)
	if err != nil {
		return nil, err
	}
	// The engine has the pools' options, with all their queues and without
	// their adaptive limits, which their lanes' controllers set: its
	// capacity is fixed at the most the pools may run together.
	shared := append(options[:len(options):len(options)], func(o *Options) { o.QueueSize, o.Adaptive = size*opts.QueueSize, nil })
	e, err := buildEngine(total, exec, shared, true)
	if err != nil {
		return nil, err
	}
	e.tasks.mixed = lbs == LeastTasks
	m := &multi[T]{e: e, pools: make([]*lane[T], size), lbs: lbs, unlimited: sizePerPool <= 0 && opts.Adaptive == nil}
	limit := min(sizePerPool, math.MaxInt32)
	if m.unlimited {
		limit = math.MaxInt32
	}
	own := func(o *Options) { o.QueueSize, o.Adaptive = 0, opts.Adaptive }
	for i := range m.pools {
		l, err := buildLane(e, limit, opts.QueueSize, []Option{own})
		if err != nil {
			e.release()
			return nil, err
		}
		l.counters.ownerRejects = true
		m.pools[i] = l
	}
	return m, nil
}

// pick returns the index of the pool that gets the next task.
func (m *multi[T]) pick(lbs LoadBalancingStrategy) int {
	if lbs == RoundRobin {
		return int((m.index.Add(1) - 1) % uint32(len(m.pools)))
	}
	best, least := 0, m.pools[0].unfinished()
	for i, l := range m.pools[1:] {
		if n := l.unfinished(); n < least {
			best, least = i+1, n
		}
	}
	return best
}

// submit hands t to the pool the strategy picks. The lanes count no
// overload, so a task refused by one pool and then accepted by another
// counts no rejection, and one refused by both counts one.
func (m *multi[T]) submit(ctx context.Context, t T) error {
	if m.IsClosed() {
		return ErrPoolClosed
	}
	err := m.offer(ctx, t)
	if err == ErrPoolOverload {
		m.rejected.Add(1)
	}
	return err
}

// offer is submit without the count of overloads.
func (m *multi[T]) offer(ctx context.Context, t T) error {
	i := m.pick(m.lbs)
	if ctx == nil || ctx.Err() == nil {
		// The pool picked takes the task if it has a free slot or room in
		// its queue, or else the next one that has: a submitter waits on a
		// full pool only when every pool is full. (A pool with a free slot
		// waits for one of the engine only after a Tune lowered the
		// capacity, until the pools' surplus tasks have finished.)
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
func (m *multi[T]) sum(gauge func(*lane[T]) int) (n int) {
	for _, l := range m.all() {
		n += gauge(l)
	}
	return n
}

// byIndex reads one gauge of the pool at idx.
func (m *multi[T]) byIndex(idx int, gauge func(*lane[T]) int) (int, error) {
	if idx < 0 || idx >= len(m.all()) {
		return -1, ErrInvalidPoolIndex
	}
	return gauge(m.pools[idx]), nil
}

// Running returns the number of live workers, busy or idle, which all the
// pools share.
func (m *multi[T]) Running() int {
	if m == nil {
		return 0
	}
	return m.e.Running()
}

// RunningByIndex returns how many of the capacity of the pool at idx its
// tasks hold: its accepted tasks (running, or handed to a shared worker
// that is about to run them), up to its capacity; beyond it, they count as
// queued, in WaitingByIndex. (Without a queue, the sum over the pools is
// the number of busy workers; Running counts the idle ones too.)
func (m *multi[T]) RunningByIndex(idx int) (int, error) {
	return m.byIndex(idx, held[T])
}

// held returns how many slots of its limit the tasks of lane l hold.
func held[T any](l *lane[T]) int { return int(min(l.gate.admitted(), l.limit())) }

// waiting returns the blocked submitters of lane l, and its accepted tasks
// beyond its limit (queued on the engine's ring or in its gate's queue).
func waiting[T any](l *lane[T]) int {
	beyond := l.gate.admitted() - l.limit()
	return l.Waiting() + int(max(beyond, 0))
}

// Free returns Cap minus Running: how many more workers the pools may
// start, or -1 for each pool if they are unlimited.
func (m *multi[T]) Free() int {
	if m.unlimitedPools() {
		return -len(m.pools)
	}
	return m.Cap() - m.Running()
}

// FreeByIndex returns the capacity of the pool at idx minus its
// RunningByIndex, or -1 if the pools are unlimited.
func (m *multi[T]) FreeByIndex(idx int) (int, error) {
	return m.byIndex(idx, func(l *lane[T]) int {
		if m.unlimited {
			return -1
		}
		return l.Cap() - held(l)
	})
}

// Waiting returns the number of blocked submitters over all pools, plus,
// on pools with a queue, their queued tasks.
func (m *multi[T]) Waiting() int { return m.sum(waiting[T]) }

// WaitingByIndex returns the number of blocked submitters of the pool at
// idx, plus its queued tasks if it has a queue.
func (m *multi[T]) WaitingByIndex(idx int) (int, error) {
	return m.byIndex(idx, waiting[T])
}

// Cap returns the sum of the pools' capacities (each -1 if unlimited, as in
// ants v2).
func (m *multi[T]) Cap() int {
	if m.unlimitedPools() {
		return -len(m.pools)
	}
	return m.sum((*lane[T]).Cap)
}

// unlimitedPools reports whether the pools have no capacity.
func (m *multi[T]) unlimitedPools() bool { return m != nil && m.unlimited }

// Stats returns the statistics of the pools together; Capacity is -1 if
// they are unlimited. Rejected counts each refused submission once.
func (m *multi[T]) Stats() Stats {
	if m == nil {
		return Stats{}
	}
	s := m.e.Stats()
	s.Capacity = m.Cap()
	if m.unlimited {
		s.Capacity = -1
	}
	for _, l := range m.pools {
		// The engine counts the submitters blocked on its own gate and the
		// tasks on its ring; the lanes, those blocked on a pool's limit,
		// those in a pool's queue, and their refusals.
		blocked := l.gate.blocked.Load()
		s.Waiting += int(blocked)
		s.Queued += max(int(l.gate.waiting.Load()-blocked), 0)
		s.Rejected += l.counters.rejected.Load()
		s.Cancelled += l.counters.cancelled.Load()
		if l.tuner != nil {
			var view Stats
			l.tuner.report(&view)
			s.add(view)
		}
	}
	s.Rejected += m.rejected.Load()
	return s
}

// Tune sets the capacity of every pool to size; see [Pool.Tune]. It does
// nothing on unlimited or PreAlloc pools, or for size <= 0. On pools with
// adaptive capacity, each pool's controller goes on from size.
func (m *multi[T]) Tune(size int) {
	if m == nil || m.unlimited || size <= 0 || m.e.opts.PreAlloc {
		return
	}
	size = min(size, math.MaxInt32)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.pools[0].tuner != nil {
		// The engine's capacity is the most the controllers may set.
		for _, l := range m.pools {
			l.Tune(size)
		}
		return
	}
	// The engine's capacity follows the pools': raised before them, so that
	// their new slots find room, and lowered after them.
	total := int(min(int64(size)*int64(len(m.pools)), math.MaxInt32))
	if total > m.e.Cap() {
		m.e.Tune(total)
	}
	for _, l := range m.pools {
		l.Tune(size)
	}
	m.e.Tune(total)
}

// IsClosed reports whether the multi-pool has been released.
func (m *multi[T]) IsClosed() bool { return m == nil || m.closed.Load() }

// all returns the pools' lanes; none for the zero value of a multi-pool,
// which behaves as a released one.
func (m *multi[T]) all() []*lane[T] {
	if m == nil {
		return nil
	}
	return m.pools
}

// Release closes every pool without waiting; see [Pool.Release].
func (m *multi[T]) Release() { _ = m.ReleaseContext(nil) } //nolint:staticcheck // nil means no wait

// ReleaseTimeout closes every pool and waits at most timeout for all of
// them to drain. The error names each pool that still had tasks and
// satisfies errors.Is(err, ErrTimeout). It returns ErrPoolClosed if the
// multi-pool was already released.
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

// ReleaseContext closes every pool and waits for all of them to drain, and
// the shared workers to exit, or for ctx to be done; a nil ctx means no
// wait. The error names each pool that still had tasks and unwraps to
// ctx.Err(). It returns ErrPoolClosed if the multi-pool was already
// released.
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
	lf, _ := m.e.release()
	m.mu.Unlock()
	if ctx == nil {
		return nil
	}
	err := lf.wait(ctx)
	if err == nil {
		return nil
	}
	var me multiError
	for i, l := range m.pools {
		if !l.holdsNothing() {
			me.errs = append(me.errs, fmt.Errorf("pool %d: %w", i, err))
		}
	}
	if me.errs == nil {
		// Every task has run; the workers have yet to exit.
		me.errs = append(me.errs, fmt.Errorf("workers: %w", err))
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
		m.e.Reboot()
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
// <= 0 means unlimited), balanced by lbs. The pools share one set of
// workers, at most size × sizePerPool, and a task runs on whichever is
// free, so a pool never waits for workers of its own while another pool's
// are idle. Each pool admits sizePerPool tasks at once, plus QueueSize
// queued ones (see [WithQueueSize]); beyond that its submitters wait, or fail
// under Nonblocking or MaxBlockingTasks, as on a single pool. Without a
// queue, each pool runs at most sizePerPool of its tasks at once; with
// one, the queued tasks of all the pools start in order on the first free
// worker, so a pool may run more than sizePerPool while others run fewer.
//
// What is allocated here is bounded: about 1.2 KB a pool and one ring for
// the workers (1024 cells, or the total capacity under PreAlloc, plus all
// the queues, rounded up to a power of two, at 40 bytes a cell for a
// func(): the task and its sequence number, and beside them its pool and
// its labels) may take at most 1 GiB, about 900,000 pools of the default
// kind, and the queues together may hold at most MaxQueueSize tasks, and
// no more than the ring holds within 512 MiB (8,388,608 for a func()); a
// larger multi-pool fails with an error that wraps
// ErrInvalidMultiPoolSize.
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
