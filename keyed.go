package ants

import (
	"context"
	"reflect"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Keyed runs tasks on a pool one key at a time: the tasks of one key run
// one after the other, in the order they were submitted, while the tasks of
// different keys run in parallel, as many at once as the pool has room for,
// sharing the pool with the rest of its work. It suits the messages of one
// connection, the updates of one account or the events of one partition
// key. Build one with NewKeyed.
//
// Each task of a key starts after the previous one has returned, and
// everything that task did happens before it: the tasks of one key may
// share state without a lock. Tasks submitted one after the other by one
// goroutine run in that order; tasks submitted concurrently for one key run
// in the order their Submits took effect.
//
// # How it runs
//
// Each key with pending work has a record holding its backlog, a FIFO of
// the tasks not yet started. The first task of an idle key is submitted to
// the pool as the key's runner, so Submit waits for a slot as Pool.Submit
// does. A task of a key that already has a runner joins the key's backlog
// and Submit returns at once: such a task holds no worker, no slot of the
// pool and no goroutine, only its place in the backlog. When the runner
// finishes a task it takes the key's next one, on the same worker, for at
// most 16 tasks in a row; then, if the key still has work, it hands the key
// back to the pool as a continuation, which waits for a slot in order with
// the pool's blocked submitters, without a goroutine, and frees the worker.
// So a hot key cannot keep a worker from the other keys for more than 16
// of its tasks. When a key's backlog is empty its record is freed: memory
// is proportional to the keys with pending work, whatever the number of
// keys that came and went.
//
// A Submitter other than the pools of this package cannot take a
// continuation, so over one a runner runs its key's backlog until it is
// empty; the order and the exactly-once promise hold all the same.
//
// # Errors and the lifecycle
//
// A nil error from Submit or SubmitContext means the task will run exactly
// once, even if the pool or the front is released meanwhile: a runner whose
// pool was released runs the rest of its key's backlog on the worker it
// has, so the pool's ReleaseTimeout waits for it. Submit returns
// ErrNilTask for a nil task, ErrPoolClosed once the front or its pool is
// released, ErrInvalidKey for a key that is not equal to itself (a NaN, or
// an interface holding a slice, map or func), and the pool's error when the
// pool refuses the runner of an idle key (ErrPoolOverload from a
// Nonblocking pool, ErrPoolClosed, the context's error). Tasks of that key
// accepted while its runner waited for the pool still run: the refused
// Submit hands them to the pool as a continuation before it returns, or, if
// the pool was released, runs them itself.
//
// Release refuses new tasks and lets the accepted ones run; ReleaseTimeout
// and ReleaseContext also wait for them. Releasing a front never releases
// its pool.
//
// # Backlog bound
//
// WithKeyBacklog bounds the backlog of each key. A Submit that finds its
// key's backlog full waits for room, or fails at once with ErrPoolOverload
// if the pool is Nonblocking; SubmitContext gives up when its context is
// done. MaxBlockingTasks does not count these waits.
//
// # Panics
//
// A task that panics follows its pool's policy: the runner recovers the
// panic and hands it to the pool's PanicHandler, or logs it with its stack
// through the pool's Logger, and the pool counts it in Stats.Panicked. The
// runner then goes on with the key's next task, so a panic never loses the
// rest of a backlog or leaves its key stuck. Over a Submitter other than a
// Pool, a MultiPool or a Subpool, the panic is logged with its stack by
// the package's default logger. A task that calls runtime.Goexit ends its
// worker's goroutine, as it would outside the front; the key's next task
// goes to the pool as a continuation, or to a new goroutine if the pool is
// released.
//
// # Cost
//
// In steady state Submit allocates nothing: records are reused, and so
// are the buffers of backlogs, which grow by doubling. A buffer comes from
// a sync.Pool and goes back there when the backlog outgrows it, or when
// its key goes idle if it has room for more than 16 tasks (a spare record
// keeps a smaller one); with 10 hot keys BenchmarkKeyedRunLength allocates
// less than once in 3,000 tasks. The keys are spread over shards, each
// with its own lock, by a hash of the key (with Go 1.24 or later; with an
// older Go there is one shard). On a 2-vCPU machine (Go 1.26), with 8
// submitters and 8 workers, a tiny task took 1.6 to 2.1 times the wall
// time of Pool.Submit when its key was usually idle (1,000 keys: every
// task creates and frees its key's record, two trips through its shard's
// lock) and the host's two cores were close, 1.0 times when they were
// far, and 0.4 to 1.05 times when its key usually had work (10 keys: a
// runner takes up to 16 tasks in a row); see benchmarks/results/keyed.md.
//
// A task that submits to its own key with a full backlog, or to an idle key
// while its pool is full, can deadlock, as a task that submits to its own
// full pool can.
//
// The zero Keyed is ready to use: it runs its tasks on the default pool,
// with no backlog bound. A Keyed is safe for concurrent use and must not be
// copied after first use.
type Keyed[K comparable] struct {
	once sync.Once

	s           Submitter
	direct      funcSubmitter                // s, if it is a pool of this package; or nil
	enq         enqueuer                     // s, if it can hand a continuation on; or nil
	rep         panicReporter                // s, if it has a panic policy to apply; or nil
	pool        interface{ IsClosed() bool } // s, if it can tell; or nil
	nonblocking bool                         // a full backlog fails instead of waiting
	backlog     int                          // bound of each key's backlog; 0 means none
	checkKeys   bool                         // K may hold a value that is not equal to itself

	hash   keyHash[K]
	shift  uint // a key's shard is its hash >> shift
	shards []keyShard[K]

	closed    atomic.Bool
	drained   chan struct{} // closed once released with no key left
	drainOnce sync.Once

	waiting   atomic.Int64 // submitters blocked for room in a backlog
	rejected  atomic.Uint64
	cancelled atomic.Uint64
	panicked  atomic.Uint64
}

// KeyedOption configures a Keyed; see NewKeyed.
type KeyedOption func(k *keyedConfig)

type keyedConfig struct {
	backlog int
}

// WithKeyBacklog lets at most n tasks of a key wait behind the one that
// runs (or waits for a worker); a Submit beyond that waits for room, or
// fails with ErrPoolOverload on a Nonblocking pool. n <= 0 means no bound,
// the default.
func WithKeyBacklog(n int) KeyedOption {
	return func(c *keyedConfig) { c.backlog = max(n, 0) }
}

// NewKeyed returns a front that runs the tasks of each key of type K one
// at a time, in submission order, on s: a *Pool, a *MultiPool, a *Subpool
// or any other Submitter. A nil s means the default pool, as for
// SubmitFuture. A key type that is not comparable does not compile.
func NewKeyed[K comparable](s Submitter, opts ...KeyedOption) *Keyed[K] {
	k := new(Keyed[K])
	k.once.Do(func() { k.init(s, opts) })
	return k
}

// The pools of this package implement these; a front finds them on its
// Submitter with a type assertion.
type (
	// enqueuer submits a task on behalf of a task running on the pool,
	// without blocking and without a goroutine; see the runner's yield.
	enqueuer interface {
		enqueue(task func()) error
	}
	// panicReporter applies the pool's panic policy to a value recovered
	// from a task, and counts it.
	panicReporter interface {
		reportPanic(v any)
	}
	// nonblockingPool tells whether the pool is Nonblocking.
	nonblockingPool interface {
		nonblocking() bool
	}
)

// A front has keyShardsPerProc shards per processor, rounded up to a power
// of two, and at most maxKeyShards: enough that submitters and runners
// rarely meet on a lock, few enough to cost little memory (about 230
// bytes each, a table of 512 bytes once a key has come, and up to
// keySpares freed records). With 4 per processor instead of 16, a tiny
// task over 1,000 keys took about 15 % longer on a 2-vCPU machine
// (BenchmarkKeyedRunLength/keys=1000: 8 submitters, capacity 8).
const (
	keyShardsPerProc = 16
	maxKeyShards     = 256
)

func (k *Keyed[K]) init(s Submitter, opts []KeyedOption) {
	var c keyedConfig
	for _, opt := range opts {
		if opt != nil {
			opt(&c)
		}
	}
	k.s = submitter(s)
	k.direct, _ = k.s.(funcSubmitter)
	k.enq, _ = k.s.(enqueuer)
	k.rep, _ = k.s.(panicReporter)
	k.pool, _ = k.s.(interface{ IsClosed() bool })
	if nb, ok := k.s.(nonblockingPool); ok {
		k.nonblocking = nb.nonblocking()
	}
	k.backlog = c.backlog
	k.checkKeys = mayBeUnequal(reflect.TypeOf((*K)(nil)).Elem())
	n := 1
	k.shift = 64
	if keyedSharded {
		for n < min(runtime.GOMAXPROCS(0)*keyShardsPerProc, maxKeyShards) {
			n, k.shift = 2*n, k.shift-1
		}
	}
	k.hash = newKeyHash[K]()
	k.shards = make([]keyShard[K], n)
	k.drained = make(chan struct{})
}

// setup initialises a zero Keyed on first use, for the default pool.
func (k *Keyed[K]) setup() { k.once.Do(func() { k.init(nil, nil) }) }

// Submit runs task after the tasks submitted before it with the same key,
// and never at the same time as another task of that key. It returns once
// the task is accepted: at once if the key already has a runner, after the
// pool admits a runner if the key was idle (waiting for a worker as
// Pool.Submit does), after room frees if the key's backlog is full. A nil
// error means the task will run exactly once; see Keyed for the errors.
func (k *Keyed[K]) Submit(key K, task func()) error { return k.submit(nil, key, task) }

// SubmitContext is Submit that gives up when ctx is done before the task is
// accepted, and then returns ctx.Err(); the task then never runs. A ctx that
// is already done fails at once.
func (k *Keyed[K]) SubmitContext(ctx context.Context, key K, task func()) error {
	if ctx == nil {
		ctx = context.Background()
	}
	return k.submit(ctx, key, task)
}

func (k *Keyed[K]) submit(ctx context.Context, key K, task func()) error {
	if k == nil {
		return ErrPoolClosed
	}
	k.setup()
	if task == nil {
		return nilTask(k.closed.Load())
	}
	if k.checkKeys && !equalsItself(key) {
		return ErrInvalidKey
	}
	if ctx != nil {
		if err := ctx.Err(); err != nil {
			k.cancelled.Add(1)
			return err
		}
	}
	h := k.hash.sum(key)
	sh := &k.shards[h>>k.shift]
	sh.mu.Lock()
	// Release sets closed and then takes every shard's lock once, so a
	// submitter that finds it unset here has added its task before Release
	// counts the keys left.
	if k.closed.Load() {
		sh.mu.Unlock()
		return ErrPoolClosed
	}
	r := sh.keys.get(key, h)
	switch {
	case r == nil:
		return k.start(ctx, sh, key, h, task)
	case k.backlog > 0 && r.backlog.n >= k.backlog:
		return k.await(ctx, r, task)
	}
	if k.pool != nil && k.pool.IsClosed() {
		// Only a new key's runner meets the pool, which refuses it when
		// released; a task for a key with a runner is refused here.
		sh.mu.Unlock()
		return ErrPoolClosed
	}
	r.backlog.push(task)
	sh.submitted++
	sh.mu.Unlock()
	return nil
}

// Release refuses new tasks with ErrPoolClosed, and wakes the submitters
// waiting for room in a backlog with it, but lets every accepted task run.
// It does not wait for them, and it does not release the pool.
func (k *Keyed[K]) Release() { _ = k.ReleaseContext(nil) } //nolint:staticcheck // nil means no wait

// ReleaseTimeout is Release followed by a wait of at most timeout for every
// accepted task to finish. It returns ErrTimeout if they have not by then,
// and ErrPoolClosed if the front was already released.
func (k *Keyed[K]) ReleaseTimeout(timeout time.Duration) error {
	return releaseTimeout(timeout, k.ReleaseContext)
}

// ReleaseContext is Release followed by a wait until every accepted task
// has finished or ctx is done, when it returns ctx.Err(). With a nil ctx it
// does not wait. It returns ErrPoolClosed if the front was already
// released.
func (k *Keyed[K]) ReleaseContext(ctx context.Context) error {
	if k == nil {
		return ErrPoolClosed
	}
	k.setup()
	if !k.closed.CompareAndSwap(false, true) {
		return ErrPoolClosed
	}
	for i := range k.shards {
		sh := &k.shards[i]
		sh.mu.Lock()
		sh.keys.each(k.refuseBlocked)
		sh.mu.Unlock()
	}
	k.settle()
	if ctx == nil {
		return nil
	}
	select {
	case <-k.drained:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// settle marks a released front drained once no key has pending work. The
// runner that frees the last record calls it after releasing the lock of
// its shard, and Release after setting closed: if Release takes that lock
// first, the runner, which takes it next, sees closed set; if the runner
// does, Release finds the record gone.
func (k *Keyed[K]) settle() {
	if !k.closed.Load() {
		return
	}
	for i := range k.shards {
		sh := &k.shards[i]
		sh.mu.Lock()
		n := sh.keys.len()
		sh.mu.Unlock()
		if n != 0 {
			return
		}
	}
	k.drainOnce.Do(func() { close(k.drained) })
}

// mayBeUnequal reports whether a value of type t may be unequal to itself,
// or panic when compared: floats and complex numbers (NaN), interfaces (a
// dynamic value that is not comparable), and arrays and structs of them.
func mayBeUnequal(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128, reflect.Interface:
		return true
	case reflect.Array:
		return t.Len() > 0 && mayBeUnequal(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if mayBeUnequal(t.Field(i).Type) {
				return true
			}
		}
	}
	return false
}

// equalsItself reports whether key == key holds without a panic. A key that
// fails it could never be found again in a map, so its record would never
// be freed.
func equalsItself[K comparable](key K) (ok bool) {
	defer func() { _ = recover() }()
	return key == key //nolint:staticcheck // NaN and uncomparable values are the point
}
