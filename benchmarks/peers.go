package benchmarks

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/alitto/pond/v2"
	"github.com/gammazero/workerpool"
	ants2 "github.com/panjf2000/ants/v2"
	"github.com/sourcegraph/conc/pool"
	"golang.org/x/sync/errgroup"

	"github.com/antsgo/ants"
)

// Runner is one implementation under test, seen as an executor of func()
// tasks with at most size of them running at once. Submit hands a task over
// and returns when the implementation has taken it: it may block while the
// executor is full (ants, conc, errgroup, semaphore, floor, floor-sync) or
// queue without limit (pond, workerpool). Close is called once every
// submitted task has finished; it frees the implementation's goroutines and
// waits for them.
type Runner interface {
	Submit(task func()) error
	Close() error
}

// Invoker is a function pool: Invoke runs the pool's func(int) on arg.
type Invoker interface {
	Invoke(arg int) error
	Close() error
}

// Impl is a named implementation.
type Impl struct {
	Name string
	Note string // one line for the report legend

	// New builds the implementation with capacity size.
	New func(size int) (Runner, error)

	// NewFunc builds a function pool running fn. It is nil for the
	// implementations without one; Invoke then submits a closure over fn and
	// the argument (see NewInvoker).
	NewFunc func(size int, fn func(int)) (Invoker, error)

	// NewMulti builds a multi-pool of pools pools of perPool workers each.
	// It is nil for the implementations without one, which do not run
	// the MP cases.
	NewMulti func(pools, perPool int, s Strategy) (Runner, error)

	// Pair names the implementation this one is a variant of; the report
	// also divides this one by it, per round ("Variants against their
	// base"). Empty for most.
	Pair string
	// Extra keeps the implementation out of the default set: it runs only
	// when -impls names it (see DefaultImpls).
	Extra bool
}

// Supports reports whether im runs case c: every implementation runs
// every case but the multi-pool ones, which need NewMulti.
func (im Impl) Supports(c Case) bool { return c.Pools == 0 || im.NewMulti != nil }

// NewRunner builds im for c: a multi-pool for the MP cases, otherwise a
// pool of capacity c.Cap.
func NewRunner(im Impl, c Case) (Runner, error) {
	if c.Pools == 0 {
		return im.New(c.Cap)
	}
	if im.NewMulti == nil {
		return nil, fmt.Errorf("%s has no multi-pool", im.Name)
	}
	return im.NewMulti(c.Pools, c.Cap/c.Pools, c.Strategy)
}

// Baseline is the implementation the paired ratios divide by.
const Baseline = "ants"

// queueSize is the queue of the "antsgo+queue" variant.
const queueSize = 1024

// closeTimeout bounds the wait of Close for an implementation's goroutines.
const closeTimeout = 30 * time.Second

// Impls returns every implementation, ours first. "ants-b" is ants v2 under
// a second name, for A/A runs that measure the noise band, and "antsgo-sub"
// this library through a sub-pool (subpool_peer.go); neither is part of the
// default set (see DefaultImpls).
func Impls() []Impl {
	ours := []Impl{
		{Name: "antsgo", Note: "github.com/antsgo/ants (this repository), NewPool(size)",
			New: newAntsgo(), NewFunc: newAntsgoFunc(), NewMulti: newAntsgoMulti()},
		{Name: "antsgo+queue", Note: fmt.Sprintf("antsgo with WithQueueSize(%d): Submit returns once queued", queueSize),
			New: newAntsgo(ants.WithQueueSize(queueSize)), NewFunc: newAntsgoFunc(ants.WithQueueSize(queueSize)),
			NewMulti: newAntsgoMulti(ants.WithQueueSize(queueSize))},
	}
	ours = append(ours, subpoolImpls()...)
	return append(ours, []Impl{
		{Name: "ants", Note: "github.com/panjf2000/ants/v2 v2.12.1, NewPool(size), the baseline",
			New: newAnts2, NewFunc: newAnts2Func, NewMulti: newAnts2Multi},
		{Name: "ants-b", Note: "ants v2 again under another name (A/A noise band)",
			New: newAnts2, NewFunc: newAnts2Func, NewMulti: newAnts2Multi, Extra: true},
		{Name: "pond", Note: "github.com/alitto/pond/v2, NewPool(size), unbounded queue, Go(task)",
			New: func(size int) (Runner, error) { return pondPool{pond.NewPool(size)}, nil }},
		{Name: "conc", Note: "github.com/sourcegraph/conc/pool, New().WithMaxGoroutines(size)",
			New: func(size int) (Runner, error) { return concPool{pool.New().WithMaxGoroutines(size)}, nil }},
		{Name: "errgroup", Note: "golang.org/x/sync/errgroup, SetLimit(size): a goroutine per task",
			New: newErrgroup},
		{Name: "workerpool", Note: "github.com/gammazero/workerpool, New(size), unbounded queue",
			New: func(size int) (Runner, error) { return workerPool{workerpool.New(size)}, nil }},
		{Name: "go", Note: "a go statement per task, no bound (size ignored)",
			New: func(int) (Runner, error) { return goStmt{}, nil }},
		{Name: "semaphore", Note: "a go statement per task behind a buffered-channel semaphore of size",
			New: func(size int) (Runner, error) { return semaphore(make(chan struct{}, size)), nil }},
		{Name: "floor", Note: "size goroutines started up front, ranging over one buffered channel (of int for W5)",
			New:     func(size int) (Runner, error) { return newFloor(size, size), nil },
			NewFunc: func(size int, fn func(int)) (Invoker, error) { return newFloorFunc(size, size, fn), nil }},
		{Name: "floor-sync", Note: "the same over an unbuffered channel: Submit returns once a worker has the task, the admission rule of ants",
			New:     func(size int) (Runner, error) { return newFloor(size, 0), nil },
			NewFunc: func(size int, fn func(int)) (Invoker, error) { return newFloorFunc(size, 0, fn), nil }},
	}...)
}

// DefaultImpls is the set compared when none is named: every
// implementation but the Extra ones.
func DefaultImpls() []Impl {
	var out []Impl
	for _, im := range Impls() {
		if !im.Extra {
			out = append(out, im)
		}
	}
	return out
}

// SelectImpls returns the implementations named in the comma-separated
// list, in the order of Impls; an empty list means DefaultImpls.
func SelectImpls(list string) ([]Impl, error) {
	if strings.TrimSpace(list) == "" {
		return DefaultImpls(), nil
	}
	return selectNamed(Impls(), func(im Impl) string { return im.Name }, list)
}

// selectNamed returns the items of all named in the comma-separated list,
// in the order of all, or an error naming the known ones if the list names
// one that all lacks.
func selectNamed[T any](all []T, name func(T) string, list string) ([]T, error) {
	want := map[string]bool{}
	for _, n := range strings.Split(list, ",") {
		want[strings.TrimSpace(n)] = true
	}
	var out []T
	var names []string
	for _, it := range all {
		names = append(names, name(it))
		if want[name(it)] {
			out = append(out, it)
			delete(want, name(it))
		}
	}
	if len(want) > 0 {
		return nil, fmt.Errorf("unknown implementation in %q; known: %s", list, strings.Join(names, ","))
	}
	return out, nil
}

// NewInvoker builds im's function pool, or wraps im's Runner so that each
// Invoke submits a closure over fn and the argument (one allocation a call,
// which is what a user of that implementation pays).
func NewInvoker(im Impl, size int, fn func(int)) (Invoker, error) {
	if im.NewFunc != nil {
		return im.NewFunc(size, fn)
	}
	r, err := im.New(size)
	if err != nil {
		return nil, err
	}
	return closures{r, fn}, nil
}

type closures struct {
	Runner
	fn func(int)
}

func (c closures) Invoke(arg int) error { return c.Submit(func() { c.fn(arg) }) }

// antsgo: this repository. *ants.Pool already has Submit; Close releases.

type antsgoPool struct{ *ants.Pool }

func (p antsgoPool) Close() error { return p.ReleaseTimeout(closeTimeout) }

func newAntsgo(opts ...ants.Option) func(int) (Runner, error) {
	return func(size int) (Runner, error) {
		p, err := ants.NewPool(size, opts...)
		return antsgoPool{p}, err
	}
}

type antsgoFunc struct{ *ants.PoolWithFuncGeneric[int] }

func (p antsgoFunc) Close() error { return p.ReleaseTimeout(closeTimeout) }

func newAntsgoFunc(opts ...ants.Option) func(int, func(int)) (Invoker, error) {
	return func(size int, fn func(int)) (Invoker, error) {
		p, err := ants.NewPoolWithFuncGeneric(size, fn, opts...)
		return antsgoFunc{p}, err
	}
}

// The multi-pools of antsgo, NewMultiPool(pools, perPool, strategy).

type antsgoMulti struct{ *ants.MultiPool }

func (p antsgoMulti) Close() error { return p.ReleaseTimeout(closeTimeout) }

func newAntsgoMulti(opts ...ants.Option) func(int, int, Strategy) (Runner, error) {
	return func(pools, perPool int, s Strategy) (Runner, error) {
		lbs := ants.RoundRobin
		if s == LeastTasks {
			lbs = ants.LeastTasks
		}
		p, err := ants.NewMultiPool(pools, perPool, lbs, opts...)
		return antsgoMulti{p}, err
	}
}

// ants: panjf2000/ants/v2 v2.12.1 with default options.

type ants2Pool struct{ *ants2.Pool }

func (p ants2Pool) Close() error { return p.ReleaseTimeout(closeTimeout) }

func newAnts2(size int) (Runner, error) {
	p, err := ants2.NewPool(size)
	return ants2Pool{p}, err
}

type ants2Func struct {
	*ants2.PoolWithFuncGeneric[int]
}

func (p ants2Func) Close() error { return p.ReleaseTimeout(closeTimeout) }

func newAnts2Func(size int, fn func(int)) (Invoker, error) {
	p, err := ants2.NewPoolWithFuncGeneric(size, fn)
	return ants2Func{p}, err
}

type ants2Multi struct{ *ants2.MultiPool }

func (p ants2Multi) Close() error { return p.ReleaseTimeout(closeTimeout) }

func newAnts2Multi(pools, perPool int, s Strategy) (Runner, error) {
	lbs := ants2.RoundRobin
	if s == LeastTasks {
		lbs = ants2.LeastTasks
	}
	p, err := ants2.NewMultiPool(pools, perPool, lbs)
	return ants2Multi{p}, err
}

// pond v2: Go submits without the future that Submit allocates.

type pondPool struct{ p pond.Pool }

func (p pondPool) Submit(task func()) error { return p.p.Go(task) }
func (p pondPool) Close() error             { p.p.StopAndWait(); return nil }

// conc: Go blocks while MaxGoroutines tasks run; Wait joins the workers.

type concPool struct{ p *pool.Pool }

func (p concPool) Submit(task func()) error { p.p.Go(task); return nil }
func (p concPool) Close() error             { p.p.Wait(); return nil }

// errgroup: Go blocks on the limit, then starts a goroutine for the task.

type errGroup struct{ g *errgroup.Group }

func newErrgroup(size int) (Runner, error) {
	g := new(errgroup.Group)
	g.SetLimit(size)
	return errGroup{g}, nil
}

func (g errGroup) Submit(task func()) error {
	g.g.Go(func() error { task(); return nil })
	return nil
}
func (g errGroup) Close() error { return g.g.Wait() }

// workerpool: Submit never blocks; the dispatcher queues without limit.

type workerPool struct{ p *workerpool.WorkerPool }

func (p workerPool) Submit(task func()) error { p.p.Submit(task); return nil }
func (p workerPool) Close() error             { p.p.StopWait(); return nil }

// go: the unbounded reference.

type goStmt struct{}

func (goStmt) Submit(task func()) error { go task(); return nil }
func (goStmt) Close() error             { return nil }

// semaphore: a go statement per task, at most cap(s) at once.

type semaphore chan struct{}

func (s semaphore) Submit(task func()) error {
	s <- struct{}{}
	go func() { task(); <-s }()
	return nil
}
func (s semaphore) Close() error { return nil }

// floor: the least a bounded pool can do; no lifecycle, no errors, no
// dynamic sizing, every goroutine started up front. With a buffer of size
// it admits up to twice size tasks; floor-sync, without a buffer, admits
// exactly size, as ants and antsgo without a queue do, so it is the floor
// for their semantics.

type floor struct {
	tasks chan func()
	wg    *sync.WaitGroup
}

func newFloor(size, buffer int) floor {
	f := floor{make(chan func(), buffer), new(sync.WaitGroup)}
	f.wg.Add(size)
	for range size {
		go func() {
			defer f.wg.Done()
			for task := range f.tasks {
				task()
			}
		}()
	}
	return f
}

func (f floor) Submit(task func()) error { f.tasks <- task; return nil }
func (f floor) Close() error             { close(f.tasks); f.wg.Wait(); return nil }

// floorFunc is the floor of a function pool: the goroutines range over a
// channel of arguments and call fn, with no closure per call.
type floorFunc struct {
	args chan int
	wg   *sync.WaitGroup
}

func newFloorFunc(size, buffer int, fn func(int)) floorFunc {
	f := floorFunc{make(chan int, buffer), new(sync.WaitGroup)}
	f.wg.Add(size)
	for range size {
		go func() {
			defer f.wg.Done()
			for arg := range f.args {
				fn(arg)
			}
		}()
	}
	return f
}

func (f floorFunc) Invoke(arg int) error { f.args <- arg; return nil }
func (f floorFunc) Close() error         { close(f.args); f.wg.Wait(); return nil }
