package ants

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// The adapter that puts every face behind one faceAdapter, and the waiting
// helpers of the behaviour table in faces_test.go.

// facePool is the part of the API that every face shares.
type facePool interface {
	Running() int
	Free() int
	Waiting() int
	Cap() int
	Tune(size int)
	IsClosed() bool
	Release()
	ReleaseTimeout(timeout time.Duration) error
	ReleaseContext(ctx context.Context) error
	Reboot()
	Stats() Stats
}

// faceByIndex is what the multi-pools add to facePool.
type faceByIndex interface {
	RunningByIndex(idx int) (int, error)
	FreeByIndex(idx int) (int, error)
	WaitingByIndex(idx int) (int, error)
}

// faceAdapter drives a pool of any face. submit passes task through the
// face's Submit or Invoke, submitContext through SubmitContext or
// InvokeContext; the function pools run the task they are given.
type faceAdapter struct {
	facePool
	pools         int // number of sub-pools, 1 for a single pool
	submit        func(task func()) error
	submitContext func(ctx context.Context, task func()) error
}

// faceKind is one face: its name and how to build a pool of it. Single
// pools ignore pools and lbs.
type faceKind struct {
	name  string
	multi bool
	build func(pools, size int, lbs LoadBalancingStrategy, opts ...Option) (*faceAdapter, error)
}

// faceRunAny is the function of the PoolWithFunc faces: it runs its
// argument if it is a task.
func faceRunAny(arg any) {
	if task, ok := arg.(func()); ok {
		task()
	}
}

// faceTasks hands tasks to a PoolWithFuncGeneric[int] face by number.
type faceTasks struct {
	mu   sync.Mutex
	last int
	m    map[int]func()
}

func (r *faceTasks) put(task func()) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m == nil {
		r.m = make(map[int]func())
	}
	r.last++
	r.m[r.last] = task
	return r.last
}

func (r *faceTasks) take(id int) func() {
	r.mu.Lock()
	defer r.mu.Unlock()
	task := r.m[id]
	delete(r.m, id)
	return task
}

func (r *faceTasks) run(id int) { r.take(id)() }

// wrap sets the submit functions of a for a generic face whose Invoke and
// InvokeContext are given.
func (r *faceTasks) wrap(a *faceAdapter, invoke func(int) error, invokeContext func(context.Context, int) error) *faceAdapter {
	a.submit = func(task func()) error { return r.send(task, invoke) }
	a.submitContext = func(ctx context.Context, task func()) error {
		return r.send(task, func(id int) error { return invokeContext(ctx, id) })
	}
	return a
}

// send numbers task and invokes the pool on it; a refused task is dropped.
func (r *faceTasks) send(task func(), invoke func(int) error) error {
	id := r.put(task)
	err := invoke(id)
	if err != nil {
		r.take(id)
	}
	return err
}

var faceKinds = []faceKind{
	{name: "Pool", build: func(_, size int, _ LoadBalancingStrategy, opts ...Option) (*faceAdapter, error) {
		p, err := NewPool(size, opts...)
		if err != nil {
			return nil, err
		}
		return &faceAdapter{facePool: p, pools: 1, submit: p.Submit, submitContext: p.SubmitContext}, nil
	}},
	{name: "PoolWithFunc", build: func(_, size int, _ LoadBalancingStrategy, opts ...Option) (*faceAdapter, error) {
		p, err := NewPoolWithFunc(size, faceRunAny, opts...)
		if err != nil {
			return nil, err
		}
		return &faceAdapter{
			facePool:      p,
			pools:         1,
			submit:        func(task func()) error { return p.Invoke(task) },
			submitContext: func(ctx context.Context, task func()) error { return p.InvokeContext(ctx, task) },
		}, nil
	}},
	{name: "PoolWithFuncGeneric", build: func(_, size int, _ LoadBalancingStrategy, opts ...Option) (*faceAdapter, error) {
		r := new(faceTasks)
		p, err := NewPoolWithFuncGeneric(size, r.run, opts...)
		if err != nil {
			return nil, err
		}
		return r.wrap(&faceAdapter{facePool: p, pools: 1}, p.Invoke, p.InvokeContext), nil
	}},
	{name: "MultiPool", multi: true, build: func(pools, size int, lbs LoadBalancingStrategy, opts ...Option) (*faceAdapter, error) {
		p, err := NewMultiPool(pools, size, lbs, opts...)
		if err != nil {
			return nil, err
		}
		return &faceAdapter{facePool: p, pools: pools, submit: p.Submit, submitContext: p.SubmitContext}, nil
	}},
	{name: "MultiPoolWithFunc", multi: true, build: func(pools, size int, lbs LoadBalancingStrategy, opts ...Option) (*faceAdapter, error) {
		p, err := NewMultiPoolWithFunc(pools, size, faceRunAny, lbs, opts...)
		if err != nil {
			return nil, err
		}
		return &faceAdapter{
			facePool:      p,
			pools:         pools,
			submit:        func(task func()) error { return p.Invoke(task) },
			submitContext: func(ctx context.Context, task func()) error { return p.InvokeContext(ctx, task) },
		}, nil
	}},
	{name: "MultiPoolWithFuncGeneric", multi: true, build: func(pools, size int, lbs LoadBalancingStrategy, opts ...Option) (*faceAdapter, error) {
		r := new(faceTasks)
		p, err := NewMultiPoolWithFuncGeneric(pools, size, r.run, lbs, opts...)
		if err != nil {
			return nil, err
		}
		return r.wrap(&faceAdapter{facePool: p, pools: pools}, p.Invoke, p.InvokeContext), nil
	}},
}

// faceNew builds a pool of face k with size workers per sub-pool (two
// sub-pools balanced by LeastTasks for a multi-pool) and drains it when the
// test ends. Build the pool before the gates its tasks wait on, so cleanup
// opens the gates first.
func faceNew(t *testing.T, k faceKind, size int, opts ...Option) *faceAdapter {
	t.Helper()
	return faceNewMulti(t, k, 2, size, LeastTasks, opts...)
}

// faceNewMulti is faceNew with the sub-pool count and strategy given.
func faceNewMulti(t *testing.T, k faceKind, pools, size int, lbs LoadBalancingStrategy, opts ...Option) *faceAdapter {
	t.Helper()
	p, err := k.build(pools, size, lbs, opts...)
	if err != nil {
		t.Fatalf("building a %s of size %d: got %v; want nil", k.name, size, err)
	}
	t.Cleanup(func() { faceDrain(t, p) })
	return p
}

// faceDrain releases p and waits until every task has run and every
// goroutine of p has exited, so goleak finds nothing. A pool the test left
// released is rebooted first, as ReleaseTimeout would refuse it.
func faceDrain(t *testing.T, p facePool) {
	t.Helper()
	if p.IsClosed() {
		p.Reboot()
	}
	if err := p.ReleaseTimeout(faceTimeout); err != nil {
		t.Errorf("draining the pool: ReleaseTimeout got %v; want nil", err)
	}
}

// faceGate returns a gate for tasks to wait on and the function that opens
// it. Cleanup opens it at the latest, so no test leaves a task blocked.
func faceGate(t *testing.T) (gate <-chan struct{}, open func()) {
	ch := make(chan struct{})
	var once sync.Once
	open = func() { once.Do(func() { close(ch) }) }
	t.Cleanup(open)
	return ch, open
}

// faceFill submits n tasks that wait for gate and returns a WaitGroup that
// is done when they have all returned. Each Submit must succeed at once.
func faceFill(t *testing.T, p *faceAdapter, n int, gate <-chan struct{}) *sync.WaitGroup {
	t.Helper()
	var wg sync.WaitGroup
	wg.Add(n)
	for i := range n {
		if err := p.submit(func() { defer wg.Done(); <-gate }); err != nil {
			t.Fatalf("Submit of blocking task %d: got %v; want nil", i, err)
		}
	}
	return &wg
}

// faceAsync runs f in a new goroutine and returns a channel that receives
// its result.
func faceAsync(f func() error) <-chan error {
	ch := make(chan error, 1)
	go func() { ch <- f() }()
	return ch
}

// faceRecv receives from ch, failing the test after faceTimeout.
func faceRecv[V any](t *testing.T, ch <-chan V, what string) V {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(faceTimeout):
		t.Fatalf("timed out after %v waiting for %s", faceTimeout, what)
	}
	var zero V
	return zero
}

// faceWait waits for wg, failing the test after faceTimeout.
func faceWait(t *testing.T, wg *sync.WaitGroup, what string) {
	t.Helper()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	faceRecv(t, done, what)
}

// facePoll waits until cond holds, failing the test after faceTimeout. It
// is how a test observes a state that another goroutine brings about, such
// as a submitter being blocked (Waiting reaching 1).
func facePoll(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(faceTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting until %s", faceTimeout, what)
		}
		time.Sleep(50 * time.Microsecond)
	}
}

// faceWant fails the test if got != want.
func faceWant[V comparable](t *testing.T, what string, got, want V) {
	t.Helper()
	if got != want {
		t.Errorf("%s: got %v; want %v", what, got, want)
	}
}

// faceLogger records what a pool logs.
type faceLogger struct{ lines chan string }

func (l *faceLogger) Printf(format string, args ...any) {
	select {
	case l.lines <- fmt.Sprintf(format, args...):
	default:
	}
}
