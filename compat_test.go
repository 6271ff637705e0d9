package ants_test

import (
	"context"
	"errors"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/antsgo/ants"
)

// This file pins what ants v2 users rely on beyond the behaviours of
// faces_test.go: the exported errors and constants, the constructors'
// validation, the default pool, and the documented differences from ants
// v2. That importing the package starts no goroutine is proven twice:
// goleak in TestMain, and TestReplace, whose client prints
// runtime.NumGoroutine() as the first thing main does.

func TestCompatErrors(t *testing.T) {
	errs := []struct {
		name string
		err  error
		text string
	}{
		// The nine errors of ants v2, with its exact text.
		{"ErrLackPoolFunc", ants.ErrLackPoolFunc, "must provide function for pool"},
		{"ErrInvalidPoolExpiry", ants.ErrInvalidPoolExpiry, "invalid expiry for pool"},
		{"ErrPoolClosed", ants.ErrPoolClosed, "this pool has been closed"},
		{"ErrPoolOverload", ants.ErrPoolOverload, "too many goroutines blocked on submit or Nonblocking is set"},
		{"ErrInvalidPreAllocSize", ants.ErrInvalidPreAllocSize, "can not set up a negative capacity under PreAlloc mode"},
		{"ErrTimeout", ants.ErrTimeout, "operation timed out"},
		{"ErrInvalidPoolIndex", ants.ErrInvalidPoolIndex, "invalid pool index"},
		{"ErrInvalidLoadBalancingStrategy", ants.ErrInvalidLoadBalancingStrategy, "invalid load-balancing strategy"},
		{"ErrInvalidMultiPoolSize", ants.ErrInvalidMultiPoolSize, "invalid size for multiple pool"},
		// Ours.
		{"ErrNilTask", ants.ErrNilTask, "task must not be nil"},
		{"ErrInvalidQueueSize", ants.ErrInvalidQueueSize, "invalid queue size for pool"},
	}
	for i, e := range errs {
		if e.err == nil {
			t.Errorf("%s: got nil; want an error", e.name)
			continue
		}
		if got := e.err.Error(); got != e.text {
			t.Errorf("%s.Error(): got %q; want %q", e.name, got, e.text)
		}
		for _, other := range errs[i+1:] {
			if errors.Is(e.err, other.err) || errors.Is(other.err, e.err) {
				t.Errorf("errors.Is(%s, %s): got true; want false", e.name, other.name)
			}
		}
	}
}

func TestCompatConstants(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want int64
	}{
		{"DefaultAntsPoolSize", ants.DefaultAntsPoolSize, math.MaxInt32},
		{"DefaultCleanIntervalTime", int64(ants.DefaultCleanIntervalTime), int64(time.Second)},
		{"OPENED", ants.OPENED, 0},
		{"CLOSED", ants.CLOSED, 1},
		{"RoundRobin", int64(ants.RoundRobin), 2},
		{"LeastTasks", int64(ants.LeastTasks), 4},
	} {
		if c.got != c.want {
			t.Errorf("%s: got %d; want %d", c.name, c.got, c.want)
		}
	}
}

// compatBuilt is what a constructor returned: whether the pointer is nil,
// the error, and how to release the pool if one was built.
type compatBuilt struct {
	isNil   bool
	err     error
	release func(time.Duration) error
}

// compatBuild adapts a constructor's results to compatBuilt.
func compatBuild[P interface {
	comparable
	ReleaseTimeout(time.Duration) error
}](p P, err error) compatBuilt {
	var none P
	return compatBuilt{isNil: p == none, err: err, release: func(d time.Duration) error { return p.ReleaseTimeout(d) }}
}

// compatArgs are the arguments of a constructor: size (per sub-pool), the
// multi-pools' count and strategy, whether the pool function is nil, and
// the options.
type compatArgs struct {
	size  int
	pools int
	lbs   ants.LoadBalancingStrategy
	nilFn bool
	opts  []ants.Option
}

var compatConstructors = []struct {
	name  string
	multi bool
	build func(a compatArgs) compatBuilt
}{
	{"NewPool", false, func(a compatArgs) compatBuilt {
		return compatBuild(ants.NewPool(a.size, a.opts...))
	}},
	{"NewPoolWithFunc", false, func(a compatArgs) compatBuilt {
		return compatBuild(ants.NewPoolWithFunc(a.size, compatFn[any](a.nilFn), a.opts...))
	}},
	{"NewPoolWithFuncGeneric", false, func(a compatArgs) compatBuilt {
		return compatBuild(ants.NewPoolWithFuncGeneric(a.size, compatFn[int](a.nilFn), a.opts...))
	}},
	{"NewMultiPool", true, func(a compatArgs) compatBuilt {
		return compatBuild(ants.NewMultiPool(a.pools, a.size, a.lbs, a.opts...))
	}},
	{"NewMultiPoolWithFunc", true, func(a compatArgs) compatBuilt {
		return compatBuild(ants.NewMultiPoolWithFunc(a.pools, a.size, compatFn[any](a.nilFn), a.lbs, a.opts...))
	}},
	{"NewMultiPoolWithFuncGeneric", true, func(a compatArgs) compatBuilt {
		return compatBuild(ants.NewMultiPoolWithFuncGeneric(a.pools, a.size, compatFn[int](a.nilFn), a.lbs, a.opts...))
	}},
}

// compatFn returns a pool function, or a nil one.
func compatFn[T any](isNil bool) func(T) {
	if isNil {
		return nil
	}
	return func(T) {}
}

func TestCompatConstructors(t *testing.T) {
	for _, c := range []struct {
		name      string
		args      compatArgs
		funcsOnly bool // only the function pools take a function
		multiOnly bool
		want      error
	}{
		{name: "valid", args: compatArgs{size: 2}},
		{name: "unlimited", args: compatArgs{size: 0}},
		{name: "nil function", args: compatArgs{size: 2, nilFn: true}, funcsOnly: true, want: ants.ErrLackPoolFunc},
		{name: "negative expiry", args: compatArgs{size: 2, opts: []ants.Option{ants.WithExpiryDuration(-time.Second)}}, want: ants.ErrInvalidPoolExpiry},
		{name: "negative expiry without purge", args: compatArgs{size: 2, opts: []ants.Option{ants.WithExpiryDuration(-time.Second), ants.WithDisablePurge(true)}}},
		{name: "PreAlloc of size 0", args: compatArgs{size: 0, opts: []ants.Option{ants.WithPreAlloc(true)}}, want: ants.ErrInvalidPreAllocSize},
		{name: "PreAlloc of size -1", args: compatArgs{size: -1, opts: []ants.Option{ants.WithPreAlloc(true)}}, want: ants.ErrInvalidPreAllocSize},
		{name: "PreAlloc of size 2", args: compatArgs{size: 2, opts: []ants.Option{ants.WithPreAlloc(true)}}},
		{name: "negative queue", args: compatArgs{size: 2, opts: []ants.Option{ants.WithQueueSize(-1)}}, want: ants.ErrInvalidQueueSize},
		{name: "queue above MaxQueueSize", args: compatArgs{size: 2, opts: []ants.Option{ants.WithQueueSize(ants.MaxQueueSize + 1)}}, want: ants.ErrInvalidQueueSize},
		{name: "zero pools", args: compatArgs{size: 2, pools: 0}, multiOnly: true, want: ants.ErrInvalidMultiPoolSize},
		{name: "negative pools", args: compatArgs{size: 2, pools: -1}, multiOnly: true, want: ants.ErrInvalidMultiPoolSize},
		{name: "no strategy", args: compatArgs{size: 2, pools: 2, lbs: 0}, multiOnly: true, want: ants.ErrInvalidLoadBalancingStrategy},
		{name: "unknown strategy", args: compatArgs{size: 2, pools: 2, lbs: ants.RoundRobin | ants.LeastTasks}, multiOnly: true, want: ants.ErrInvalidLoadBalancingStrategy},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, k := range compatConstructors {
				if c.multiOnly && !k.multi {
					continue
				}
				if c.funcsOnly && (k.name == "NewPool" || k.name == "NewMultiPool") {
					continue
				}
				args := c.args
				if k.multi && !c.multiOnly {
					args.pools, args.lbs = 2, ants.RoundRobin
				}
				got := k.build(args)
				if got.err != c.want {
					t.Errorf("%s: got error %v; want %v", k.name, got.err, c.want)
				}
				if got.isNil != (c.want != nil) {
					t.Errorf("%s: got a nil pool %v; want %v", k.name, got.isNil, c.want != nil)
				}
				if !got.isNil {
					if err := got.release(faceTimeout); err != nil {
						t.Errorf("%s: ReleaseTimeout: got %v; want nil", k.name, err)
					}
				}
			}
		})
	}
}

func TestCompatNilTask(t *testing.T) {
	pool, err := ants.NewPool(1)
	if err != nil {
		t.Fatal(err)
	}
	multi, err := ants.NewMultiPool(2, 1, ants.RoundRobin)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, c := range []struct {
		name   string
		pool   facePool
		submit func() error
	}{
		{"Pool.Submit", pool, func() error { return pool.Submit(nil) }},
		{"Pool.SubmitContext", pool, func() error { return pool.SubmitContext(ctx, nil) }},
		{"MultiPool.Submit", multi, func() error { return multi.Submit(nil) }},
		{"MultiPool.SubmitContext", multi, func() error { return multi.SubmitContext(ctx, nil) }},
	} {
		if c.pool.IsClosed() {
			c.pool.Reboot()
		}
		faceWant(t, c.name+" on an open pool", c.submit(), ants.ErrNilTask)
		faceWant(t, c.name+": Running()", c.pool.Running(), 0)
		if err := c.pool.ReleaseTimeout(faceTimeout); err != nil {
			t.Fatalf("ReleaseTimeout: got %v; want nil", err)
		}
		faceWant(t, c.name+" on a closed pool", c.submit(), ants.ErrPoolClosed)
	}
}

func TestCompatInvokeNil(t *testing.T) {
	args := make(chan any, 2)
	record := func(arg any) { args <- arg }
	pool, err := ants.NewPoolWithFunc(1, record)
	if err != nil {
		t.Fatal(err)
	}
	defer faceDrain(t, pool)
	multi, err := ants.NewMultiPoolWithFunc(2, 1, record, ants.RoundRobin)
	if err != nil {
		t.Fatal(err)
	}
	defer faceDrain(t, multi)
	ctx := context.Background()
	for _, c := range []struct {
		name   string
		invoke func() error
	}{
		{"PoolWithFunc.Invoke", func() error { return pool.Invoke(nil) }},
		{"PoolWithFunc.InvokeContext", func() error { return pool.InvokeContext(ctx, nil) }},
		{"MultiPoolWithFunc.Invoke", func() error { return multi.Invoke(nil) }},
		{"MultiPoolWithFunc.InvokeContext", func() error { return multi.InvokeContext(ctx, nil) }},
	} {
		faceWant(t, c.name+"(nil)", c.invoke(), nil)
		faceWant(t, c.name+"(nil): the function's argument", faceRecv(t, args, "the function"), nil)
	}
}

// TestCompatDefaultPool is the one test of the package-level functions.
// The default pool is shared with every other test that uses it, so it
// reboots the pool first and leaves it released and drained.
func TestCompatDefaultPool(t *testing.T) {
	ants.Reboot()
	if ants.Default() != ants.Default() {
		t.Fatal("Default(): got two different pools; want the same one")
	}
	faceWant(t, "Cap()", ants.Cap(), ants.DefaultAntsPoolSize)
	faceWant(t, "Free()", ants.Free(), ants.Cap()-ants.Running())

	var sum atomic.Int64
	var wg sync.WaitGroup
	for i := 1; i <= 100; i++ {
		wg.Add(1)
		if err := ants.Submit(func() { defer wg.Done(); sum.Add(int64(i)) }); err != nil {
			t.Fatalf("Submit: got %v; want nil", err)
		}
	}
	faceWait(t, &wg, "the tasks")
	faceWant(t, "sum", sum.Load(), int64(5050))

	ran := make(chan struct{})
	faceWant(t, "SubmitContext", ants.SubmitContext(context.Background(), func() { close(ran) }), nil)
	faceRecv(t, ran, "the SubmitContext task")
	faceWant(t, "Submit(nil)", ants.Submit(nil), ants.ErrNilTask)

	gate := make(chan struct{})
	wg.Add(1)
	faceWant(t, "Submit", ants.Submit(func() { defer wg.Done(); <-gate }), nil)
	if got := ants.Running(); got < 1 {
		t.Errorf("Running() with a task running: got %d; want at least 1", got)
	}
	faceWant(t, "Free()", ants.Free(), ants.Cap()-ants.Running())
	ants.Release()
	faceWant(t, "IsClosed() after Release", ants.Default().IsClosed(), true)
	faceWant(t, "Submit after Release", ants.Submit(func() {}), ants.ErrPoolClosed)
	faceWant(t, "ReleaseTimeout after Release", ants.ReleaseTimeout(time.Millisecond), ants.ErrPoolClosed)
	faceWant(t, "ReleaseContext after Release", ants.ReleaseContext(context.Background()), ants.ErrPoolClosed)
	close(gate)
	faceWait(t, &wg, "the running task")

	ants.Reboot()
	faceWant(t, "IsClosed() after Reboot", ants.Default().IsClosed(), false)
	ran = make(chan struct{})
	faceWant(t, "Submit after Reboot", ants.Submit(func() { close(ran) }), nil)
	faceRecv(t, ran, "a task after Reboot")
	faceWant(t, "ReleaseContext", ants.ReleaseContext(context.Background()), nil)

	ants.Reboot()
	faceWant(t, "ReleaseTimeout", ants.ReleaseTimeout(faceTimeout), nil)
	faceWant(t, "Running() after ReleaseTimeout", ants.Running(), 0)
}
