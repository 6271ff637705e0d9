package ants

import (
	"context"
	"errors"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"time"
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
		{"ErrLackPoolFunc", ErrLackPoolFunc, "must provide function for pool"},
		{"ErrInvalidPoolExpiry", ErrInvalidPoolExpiry, "invalid expiry for pool"},
		{"ErrPoolClosed", ErrPoolClosed, "this pool has been closed"},
		{"ErrPoolOverload", ErrPoolOverload, "too many goroutines blocked on submit or Nonblocking is set"},
		{"ErrInvalidPreAllocSize", ErrInvalidPreAllocSize, "can not set up a negative capacity under PreAlloc mode"},
		{"ErrTimeout", ErrTimeout, "operation timed out"},
		{"ErrInvalidPoolIndex", ErrInvalidPoolIndex, "invalid pool index"},
		{"ErrInvalidLoadBalancingStrategy", ErrInvalidLoadBalancingStrategy, "invalid load-balancing strategy"},
		{"ErrInvalidMultiPoolSize", ErrInvalidMultiPoolSize, "invalid size for multiple pool"},
		// Ours.
		{"ErrNilTask", ErrNilTask, "task must not be nil"},
		{"ErrInvalidQueueSize", ErrInvalidQueueSize, "invalid queue size for pool"},
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
		{"DefaultAntsPoolSize", DefaultAntsPoolSize, math.MaxInt32},
		{"DefaultCleanIntervalTime", int64(DefaultCleanIntervalTime), int64(time.Second)},
		{"OPENED", OPENED, 0},
		{"CLOSED", CLOSED, 1},
		{"RoundRobin", int64(RoundRobin), 2},
		{"LeastTasks", int64(LeastTasks), 4},
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
	lbs   LoadBalancingStrategy
	nilFn bool
	opts  []Option
}

var compatConstructors = []struct {
	name  string
	multi bool
	build func(a compatArgs) compatBuilt
}{
	{"NewPool", false, func(a compatArgs) compatBuilt {
		return compatBuild(NewPool(a.size, a.opts...))
	}},
	{"NewPoolWithFunc", false, func(a compatArgs) compatBuilt {
		return compatBuild(NewPoolWithFunc(a.size, compatFn[any](a.nilFn), a.opts...))
	}},
	{"NewPoolWithFuncGeneric", false, func(a compatArgs) compatBuilt {
		return compatBuild(NewPoolWithFuncGeneric(a.size, compatFn[int](a.nilFn), a.opts...))
	}},
	{"NewMultiPool", true, func(a compatArgs) compatBuilt {
		return compatBuild(NewMultiPool(a.pools, a.size, a.lbs, a.opts...))
	}},
	{"NewMultiPoolWithFunc", true, func(a compatArgs) compatBuilt {
		return compatBuild(NewMultiPoolWithFunc(a.pools, a.size, compatFn[any](a.nilFn), a.lbs, a.opts...))
	}},
	{"NewMultiPoolWithFuncGeneric", true, func(a compatArgs) compatBuilt {
		return compatBuild(NewMultiPoolWithFuncGeneric(a.pools, a.size, compatFn[int](a.nilFn), a.lbs, a.opts...))
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
		{name: "nil function", args: compatArgs{size: 2, nilFn: true}, funcsOnly: true, want: ErrLackPoolFunc},
		{name: "negative expiry", args: compatArgs{size: 2, opts: []Option{WithExpiryDuration(-time.Second)}}, want: ErrInvalidPoolExpiry},
		{name: "negative expiry without purge", args: compatArgs{size: 2, opts: []Option{WithExpiryDuration(-time.Second), WithDisablePurge(true)}}},
		{name: "PreAlloc of size 0", args: compatArgs{size: 0, opts: []Option{WithPreAlloc(true)}}, want: ErrInvalidPreAllocSize},
		{name: "PreAlloc of size -1", args: compatArgs{size: -1, opts: []Option{WithPreAlloc(true)}}, want: ErrInvalidPreAllocSize},
		{name: "PreAlloc of size 2", args: compatArgs{size: 2, opts: []Option{WithPreAlloc(true)}}},
		{name: "negative queue", args: compatArgs{size: 2, opts: []Option{WithQueueSize(-1)}}, want: ErrInvalidQueueSize},
		{name: "queue above MaxQueueSize", args: compatArgs{size: 2, opts: []Option{WithQueueSize(MaxQueueSize + 1)}}, want: ErrInvalidQueueSize},
		{name: "zero pools", args: compatArgs{size: 2, pools: 0}, multiOnly: true, want: ErrInvalidMultiPoolSize},
		{name: "negative pools", args: compatArgs{size: 2, pools: -1}, multiOnly: true, want: ErrInvalidMultiPoolSize},
		{name: "no strategy", args: compatArgs{size: 2, pools: 2, lbs: 0}, multiOnly: true, want: ErrInvalidLoadBalancingStrategy},
		{name: "unknown strategy", args: compatArgs{size: 2, pools: 2, lbs: RoundRobin | LeastTasks}, multiOnly: true, want: ErrInvalidLoadBalancingStrategy},
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
					args.pools, args.lbs = 2, RoundRobin
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
	pool, err := NewPool(1)
	if err != nil {
		t.Fatal(err)
	}
	multi, err := NewMultiPool(2, 1, RoundRobin)
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
		faceWant(t, c.name+" on an open pool", c.submit(), ErrNilTask)
		faceWant(t, c.name+": Running()", c.pool.Running(), 0)
		if err := c.pool.ReleaseTimeout(faceTimeout); err != nil {
			t.Fatalf("ReleaseTimeout: got %v; want nil", err)
		}
		faceWant(t, c.name+" on a closed pool", c.submit(), ErrPoolClosed)
	}
}

func TestCompatInvokeNil(t *testing.T) {
	args := make(chan any, 2)
	record := func(arg any) { args <- arg }
	pool, err := NewPoolWithFunc(1, record)
	if err != nil {
		t.Fatal(err)
	}
	defer faceDrain(t, pool)
	multi, err := NewMultiPoolWithFunc(2, 1, record, RoundRobin)
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
	Reboot()
	if first, second := Default(), Default(); first != second {
		t.Fatal("Default(): got two different pools; want the same one")
	}
	faceWant(t, "Cap()", Cap(), DefaultAntsPoolSize)
	faceWant(t, "Free()", Free(), Cap()-Running())

	var sum atomic.Int64
	var wg sync.WaitGroup
	for i := 1; i <= 100; i++ {
		wg.Add(1)
		if err := Submit(func() { defer wg.Done(); sum.Add(int64(i)) }); err != nil {
			t.Fatalf("Submit: got %v; want nil", err)
		}
	}
	faceWait(t, &wg, "the tasks")
	faceWant(t, "sum", sum.Load(), int64(5050))

	ran := make(chan struct{})
	faceWant(t, "SubmitContext", SubmitContext(context.Background(), func() { close(ran) }), nil)
	faceRecv(t, ran, "the SubmitContext task")
	faceWant(t, "Submit(nil)", Submit(nil), ErrNilTask)

	gate := make(chan struct{})
	wg.Add(1)
	faceWant(t, "Submit", Submit(func() { defer wg.Done(); <-gate }), nil)
	if got := Running(); got < 1 {
		t.Errorf("Running() with a task running: got %d; want at least 1", got)
	}
	faceWant(t, "Free()", Free(), Cap()-Running())
	Release()
	faceWant(t, "IsClosed() after Release", Default().IsClosed(), true)
	faceWant(t, "Submit after Release", Submit(func() {}), ErrPoolClosed)
	faceWant(t, "ReleaseTimeout after Release", ReleaseTimeout(time.Millisecond), ErrPoolClosed)
	faceWant(t, "ReleaseContext after Release", ReleaseContext(context.Background()), ErrPoolClosed)
	close(gate)
	faceWait(t, &wg, "the running task")

	Reboot()
	faceWant(t, "IsClosed() after Reboot", Default().IsClosed(), false)
	ran = make(chan struct{})
	faceWant(t, "Submit after Reboot", Submit(func() { close(ran) }), nil)
	faceRecv(t, ran, "a task after Reboot")
	faceWant(t, "ReleaseContext", ReleaseContext(context.Background()), nil)

	Reboot()
	faceWant(t, "ReleaseTimeout", ReleaseTimeout(faceTimeout), nil)
	faceWant(t, "Running() after ReleaseTimeout", Running(), 0)
}
