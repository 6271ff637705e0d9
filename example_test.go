package ants

// The examples are in package ants on purpose; do not move them to an
// external package ants_test. Its files would import github.com/antsgo/ants,
// and go mod tidy loads the tests of the packages a module imports: in a
// user's module that replaces github.com/panjf2000/ants/v2 with this one,
// tidy would then need this module under its own path as well, which the go
// command refuses ("used for two different module paths"). replace_test.go
// runs go mod tidy under such a replace.

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Most examples add up 1..100 on a pool of each face.

func ExamplePool() {
	pool, err := NewPool(10)
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Release()

	var sum atomic.Int64
	var wg sync.WaitGroup
	for i := 1; i <= 100; i++ {
		wg.Add(1)
		err := pool.Submit(func() {
			defer wg.Done()
			sum.Add(int64(i))
		})
		if err != nil {
			log.Fatal(err)
		}
	}
	wg.Wait()
	fmt.Println("sum:", sum.Load())
	// Output: sum: 5050
}

func ExampleSubmit() {
	Reboot() // reopen the default pool, in case it was released before
	defer Release()

	var sum atomic.Int64
	var wg sync.WaitGroup
	for i := 1; i <= 100; i++ {
		wg.Add(1)
		err := Submit(func() {
			defer wg.Done()
			sum.Add(int64(i))
		})
		if err != nil {
			log.Fatal(err)
		}
	}
	wg.Wait()
	fmt.Println("sum:", sum.Load())
	// Output: sum: 5050
}

func ExamplePoolWithFunc() {
	var sum atomic.Int64
	var wg sync.WaitGroup
	pool, err := NewPoolWithFunc(10, func(arg any) {
		defer wg.Done()
		sum.Add(int64(arg.(int)))
	})
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Release()

	for i := 1; i <= 100; i++ {
		wg.Add(1)
		if err := pool.Invoke(i); err != nil {
			log.Fatal(err)
		}
	}
	wg.Wait()
	fmt.Println("sum:", sum.Load())
	// Output: sum: 5050
}

func ExamplePoolWithFuncGeneric() {
	var sum atomic.Int64
	var wg sync.WaitGroup
	pool, err := NewPoolWithFuncGeneric(10, func(n int) {
		defer wg.Done()
		sum.Add(int64(n))
	})
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Release()

	for i := 1; i <= 100; i++ {
		wg.Add(1)
		if err := pool.Invoke(i); err != nil {
			log.Fatal(err)
		}
	}
	wg.Wait()
	fmt.Println("sum:", sum.Load())
	// Output: sum: 5050
}

func ExampleMultiPool() {
	// Four pools of ten workers each, taking tasks in turn.
	mp, err := NewMultiPool(4, 10, RoundRobin)
	if err != nil {
		log.Fatal(err)
	}
	defer mp.Release()

	var sum atomic.Int64
	var wg sync.WaitGroup
	for i := 1; i <= 100; i++ {
		wg.Add(1)
		err := mp.Submit(func() {
			defer wg.Done()
			sum.Add(int64(i))
		})
		if err != nil {
			log.Fatal(err)
		}
	}
	wg.Wait()
	fmt.Println("sum:", sum.Load(), "cap:", mp.Cap())
	// Output: sum: 5050 cap: 40
}

func ExampleMultiPoolWithFunc() {
	var sum atomic.Int64
	var wg sync.WaitGroup
	// Four pools of ten workers each; every call goes to the least busy.
	mp, err := NewMultiPoolWithFunc(4, 10, func(arg any) {
		defer wg.Done()
		sum.Add(int64(arg.(int)))
	}, LeastTasks)
	if err != nil {
		log.Fatal(err)
	}
	defer mp.Release()

	for i := 1; i <= 100; i++ {
		wg.Add(1)
		if err := mp.Invoke(i); err != nil {
			log.Fatal(err)
		}
	}
	wg.Wait()
	fmt.Println("sum:", sum.Load())
	// Output: sum: 5050
}

func ExampleMultiPoolWithFuncGeneric() {
	var sum atomic.Int64
	var wg sync.WaitGroup
	mp, err := NewMultiPoolWithFuncGeneric(4, 10, func(n int) {
		defer wg.Done()
		sum.Add(int64(n))
	}, LeastTasks)
	if err != nil {
		log.Fatal(err)
	}
	defer mp.Release()

	for i := 1; i <= 100; i++ {
		wg.Add(1)
		if err := mp.Invoke(i); err != nil {
			log.Fatal(err)
		}
	}
	wg.Wait()
	fmt.Println("sum:", sum.Load())
	// Output: sum: 5050
}

func ExamplePool_SubmitContext() {
	pool, err := NewPool(1)
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Release()

	// Keep the only worker busy.
	busy := make(chan struct{})
	defer close(busy)
	if err := pool.Submit(func() { <-busy }); err != nil {
		log.Fatal(err)
	}

	// Wait at most 10ms for a worker, then give up.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	err = pool.SubmitContext(ctx, func() { fmt.Println("never runs") })
	fmt.Println(errors.Is(err, context.DeadlineExceeded))
	// Output: true
}

func ExamplePool_Stats() {
	pool, err := NewPool(4)
	if err != nil {
		log.Fatal(err)
	}

	busy := make(chan struct{})
	for range 3 {
		if err := pool.Submit(func() { <-busy }); err != nil {
			log.Fatal(err)
		}
	}
	s := pool.Stats()
	fmt.Printf("capacity %d, workers %d, busy %d\n", s.Capacity, s.Workers, s.Busy)

	close(busy)
	if err := pool.ReleaseTimeout(time.Second); err != nil {
		log.Fatal(err)
	}
	s = pool.Stats()
	fmt.Printf("submitted %d, completed %d, workers %d\n", s.Submitted, s.Completed, s.Workers)
	// Output:
	// capacity 4, workers 3, busy 3
	// submitted 3, completed 3, workers 0
}

func ExampleWithQueueSize() {
	// One worker and room for two more tasks; Submit never waits.
	pool, err := NewPool(1, WithQueueSize(2), WithNonblocking(true))
	if err != nil {
		log.Fatal(err)
	}

	start := make(chan struct{})
	for i := 1; i <= 3; i++ {
		if err := pool.Submit(func() {
			<-start
			fmt.Println("task", i)
		}); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Println("queued:", pool.Waiting())
	fmt.Println("task 4:", pool.Submit(func() {}))

	close(start)
	// ReleaseTimeout runs the queued tasks before it returns.
	if err := pool.ReleaseTimeout(time.Second); err != nil {
		log.Fatal(err)
	}
	// Output:
	// queued: 2
	// task 4: too many goroutines blocked on submit or Nonblocking is set
	// task 1
	// task 2
	// task 3
}

func ExampleWithAdaptiveCapacity() {
	// The tasks call a backend that serves 8 calls at once; the pool does
	// not know that, and finds out by timing them.
	backend := make(chan struct{}, 8)
	call := func() {
		backend <- struct{}{}
		time.Sleep(time.Millisecond)
		<-backend
	}

	pool, err := NewPool(0, WithAdaptiveCapacity(Adaptive{Min: 1, Max: 64}))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("starts at Min:", pool.Cap())
	for range 1000 {
		if err := pool.Submit(call); err != nil {
			log.Fatal(err)
		}
	}
	if err := pool.ReleaseTimeout(10 * time.Second); err != nil {
		log.Fatal(err)
	}

	// Where the capacity ended depends on the machine's timing, so this
	// only prints that the controller measured and decided.
	s := pool.Stats()
	fmt.Println("within bounds:", s.Capacity >= 1 && s.Capacity <= 64)
	fmt.Println("no-load run time at least 1ms:", s.NoLoadRunTime >= time.Millisecond)
	fmt.Println("decided:", s.Decision != DecisionNone && !s.DecidedAt.IsZero())
	// Output:
	// starts at Min: 1
	// within bounds: true
	// no-load run time at least 1ms: true
	// decided: true
}

func ExampleAdaptive_followGOMAXPROCS() {
	// One worker per processor that Go uses, following GOMAXPROCS when it
	// changes, as it does since Go 1.25 when the container's CPU limit does.
	pool, err := NewPool(0, WithAdaptiveCapacity(Adaptive{FollowGOMAXPROCS: true}))
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Release()
	fmt.Println(pool.Cap() == runtime.GOMAXPROCS(0))
	// Output: true
}

func ExampleSubmitFuture() {
	p, _ := NewPool(4)
	defer func() { _ = p.ReleaseTimeout(time.Second) }()

	f := SubmitFuture(p, func() (int, error) { return 6 * 7, nil })
	v, err := f.Wait()
	fmt.Println(v, err)
	// Output: 42 <nil>
}

func ExampleFuture_Done() {
	p, _ := NewPool(4)
	defer func() { _ = p.ReleaseTimeout(time.Second) }()

	f := SubmitFuture(p, func() (string, error) { return "", errors.New("no luck") })
	select {
	case <-f.Done():
		_, err := f.Wait() // does not block: the future is ready
		fmt.Println("failed:", err)
	case <-time.After(time.Minute):
		fmt.Println("too slow")
	}
	// Output: failed: no luck
}

func ExampleSubmitFuture_panic() {
	p, _ := NewPool(1)
	defer func() { _ = p.ReleaseTimeout(time.Second) }()

	_, err := SubmitFuture(p, func() (int, error) {
		squares := []int{0, 1, 4}
		n := len(squares)
		return squares[n], nil // panics: index out of range
	}).Wait()
	var pe *PanicError
	fmt.Println(errors.As(err, &pe), len(pe.Stack) > 0)
	fmt.Println(err)
	// Output:
	// true true
	// task panicked: runtime error: index out of range [3] with length 3
}

// A future whose context ends while it waits in the queue is ready at once
// with the context's error, and its function never runs.
func ExampleSubmitFutureContext_cancelled() {
	p, _ := NewPool(1, WithQueueSize(1))
	defer func() { _ = p.ReleaseTimeout(time.Second) }()

	// Keep the pool's only worker busy.
	busy, release := make(chan struct{}), make(chan struct{})
	_ = p.Submit(func() { close(busy); <-release })
	<-busy

	// Queue a future behind it, then give up on it.
	ctx, cancel := context.WithCancel(context.Background())
	f := SubmitFutureContext(ctx, p, func(context.Context) (string, error) {
		fmt.Println("never printed")
		return "done", nil
	})
	cancel()
	_, err := f.Wait() // returns now, while the worker is still busy
	fmt.Println(err)
	close(release)
	// Output: context canceled
}

func ExampleGroup() {
	p, _ := NewPool(4)
	defer func() { _ = p.ReleaseTimeout(time.Second) }()

	g, ctx := NewGroup(context.Background(), p)
	for _, name := range []string{"a", "b", "c"} {
		g.Go(func(ctx context.Context) error {
			if name == "b" {
				return fmt.Errorf("fetch %s: not found", name)
			}
			return nil
		})
	}
	fmt.Println(g.Wait())
	fmt.Println(context.Cause(ctx))
	// Output:
	// fetch b: not found
	// fetch b: not found
}

func ExampleResultGroup() {
	p, _ := NewPool(4)
	defer func() { _ = p.ReleaseTimeout(time.Second) }()

	g, _ := NewResultGroup[int](context.Background(), p, WithLimit(2))
	for i := 1; i <= 5; i++ {
		g.Go(func(context.Context) (int, error) { return i * i, nil })
	}
	squares, err := g.Wait()
	fmt.Println(squares, err)
	// Output: [1 4 9 16 25] <nil>
}

// An urgent lane: a sub-pool of priority 10 on a pool kept busy by bulk
// work. While the pool is saturated, a freed worker takes urgent work
// first, whatever arrived before it.
func ExamplePool_NewSubpool() {
	pool, err := NewPool(1, WithQueueSize(8))
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Release()
	urgent, err := pool.NewSubpool(1, WithPriority(10))
	if err != nil {
		log.Fatal(err)
	}

	var mu sync.Mutex
	var order []string
	var wg sync.WaitGroup
	record := func(name string) func() {
		wg.Add(1)
		return func() {
			defer wg.Done()
			mu.Lock()
			order = append(order, name)
			mu.Unlock()
		}
	}

	busy := make(chan struct{})
	_ = pool.Submit(func() { <-busy }) // the only worker is busy
	_ = pool.Submit(record("bulk 1"))
	_ = pool.Submit(record("bulk 2"))
	_ = urgent.Submit(record("urgent"))
	close(busy)
	wg.Wait()
	fmt.Println(order)
	// Output: [urgent bulk 1 bulk 2]
}

func ExamplePool_Tune() {
	pool, err := NewPool(1)
	if err != nil {
		log.Fatal(err)
	}
	defer func() { _ = pool.ReleaseTimeout(time.Second) }()

	busy := make(chan struct{})
	started := make(chan struct{})
	task := func() {
		started <- struct{}{}
		<-busy
	}
	if err := pool.Submit(task); err != nil {
		log.Fatal(err)
	}
	<-started

	// The only worker is busy: a second Submit would wait. Growing the
	// pool lets it start at once.
	pool.Tune(2)
	if err := pool.Submit(task); err != nil {
		log.Fatal(err)
	}
	<-started
	fmt.Println("cap", pool.Cap(), "running", pool.Running())

	// Shrinking does not stop running tasks; the surplus worker exits
	// when its task ends.
	pool.Tune(1)
	fmt.Println("cap", pool.Cap(), "running", pool.Running())
	close(busy)
	// Output:
	// cap 2 running 2
	// cap 1 running 2
}

func ExamplePool_ReleaseTimeout() {
	pool, err := NewPool(2)
	if err != nil {
		log.Fatal(err)
	}

	var ran atomic.Int32
	for range 4 {
		if err := pool.Submit(func() { ran.Add(1) }); err != nil {
			log.Fatal(err)
		}
	}
	// ReleaseTimeout returns once every accepted task has run and every
	// worker has exited.
	fmt.Println(pool.ReleaseTimeout(time.Second), ran.Load())

	// A task still running when the time is up makes it return ErrTimeout.
	pool.Reboot()
	stuck := make(chan struct{})
	if err := pool.Submit(func() { <-stuck }); err != nil {
		log.Fatal(err)
	}
	err = pool.ReleaseTimeout(10 * time.Millisecond)
	fmt.Println(errors.Is(err, ErrTimeout))
	close(stuck) // the task ends, and its worker exits
	// Output:
	// <nil> 4
	// true
}

func ExamplePool_Reboot() {
	pool, err := NewPool(2)
	if err != nil {
		log.Fatal(err)
	}

	pool.Release()
	fmt.Println("closed:", pool.IsClosed())
	fmt.Println("submit:", pool.Submit(func() {}))

	// Reboot reopens the same pool, with the same options.
	pool.Reboot()
	fmt.Println("closed:", pool.IsClosed())
	done := make(chan struct{})
	if err := pool.Submit(func() { close(done) }); err != nil {
		log.Fatal(err)
	}
	<-done
	fmt.Println("task ran after the reboot")
	if err := pool.ReleaseTimeout(time.Second); err != nil {
		log.Fatal(err)
	}
	// Output:
	// closed: true
	// submit: this pool has been closed
	// closed: false
	// task ran after the reboot
}

func ExampleSlogLogger() {
	// A text handler on stdout that drops the time and keeps the first
	// line of the message (the rest is the stack of the panic).
	handler := slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			switch a.Key {
			case slog.TimeKey:
				return slog.Attr{}
			case slog.MessageKey:
				first, _, _ := strings.Cut(a.Value.String(), "\n")
				return slog.String(a.Key, first)
			}
			return a
		},
	})
	pool, err := NewPool(1, WithLogger(SlogLogger(slog.New(handler))))
	if err != nil {
		log.Fatal(err)
	}

	// With no PanicHandler, a task's panic goes to the Logger.
	if err := pool.Submit(func() { panic("boom") }); err != nil {
		log.Fatal(err)
	}
	// The worker logs before it exits, and ReleaseTimeout waits for that.
	if err := pool.ReleaseTimeout(time.Second); err != nil {
		log.Fatal(err)
	}
	// Output: level=ERROR msg="worker exits from panic: boom" component=ants
}

func ExampleWithLimit() {
	p, _ := NewPool(10)
	defer func() { _ = p.ReleaseTimeout(time.Second) }()

	// At most two tasks of the group at once, although the pool has ten
	// workers. The first two wait for each other, so two do run at once.
	g, _ := NewGroup(context.Background(), p, WithLimit(2))
	var running, peak atomic.Int32
	var firstTwo sync.WaitGroup
	firstTwo.Add(2)
	for i := range 6 {
		g.Go(func(context.Context) error {
			n := running.Add(1)
			defer running.Add(-1)
			for {
				m := peak.Load()
				if n <= m || peak.CompareAndSwap(m, n) {
					break
				}
			}
			if i < 2 {
				firstTwo.Done()
				firstTwo.Wait()
			}
			return nil
		})
	}
	fmt.Println(g.Wait(), "peak:", peak.Load())
	// Output: <nil> peak: 2
}

func ExampleWithFailFast() {
	// One worker and a queue: the first task holds the worker while the
	// other three wait in the queue, admitted but not started.
	p, _ := NewPool(1, WithQueueSize(3))
	defer func() { _ = p.ReleaseTimeout(time.Second) }()

	run := func(opts ...GroupOption) {
		g, _ := NewGroup(context.Background(), p, opts...)
		var ran atomic.Int32
		gate := make(chan struct{})
		g.Go(func(context.Context) error {
			<-gate
			ran.Add(1)
			return errors.New("first task failed")
		})
		for range 3 {
			g.Go(func(context.Context) error {
				ran.Add(1)
				return nil
			})
		}
		close(gate)
		err := g.Wait()
		fmt.Printf("%v; tasks run: %d\n", err, ran.Load())
	}
	run()               // the queued tasks still run, with a cancelled context
	run(WithFailFast()) // the queued tasks are skipped
	// Output:
	// first task failed; tasks run: 4
	// first task failed; tasks run: 1
}

func ExampleSubmitFutureContext() {
	p, _ := NewPool(1)
	defer func() { _ = p.ReleaseTimeout(time.Second) }()

	// fn receives the context.
	type user struct{}
	ctx := context.WithValue(context.Background(), user{}, "gopher")
	f := SubmitFutureContext(ctx, p, func(ctx context.Context) (string, error) {
		return "hello, " + ctx.Value(user{}).(string), nil
	})
	fmt.Println(f.Wait())

	// With the only worker busy, the future gives up when the context
	// ends, and fn never runs.
	busy := make(chan struct{})
	defer close(busy)
	if err := p.Submit(func() { <-busy }); err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	_, err := SubmitFutureContext(ctx, p, func(context.Context) (string, error) {
		return "never", nil
	}).Wait()
	fmt.Println(errors.Is(err, context.DeadlineExceeded))
	// Output:
	// hello, gopher <nil>
	// true
}

func ExampleKeyed() {
	p, _ := NewPool(4)
	defer func() { _ = p.ReleaseTimeout(time.Second) }()

	// The events of one account are applied one at a time, in order, so an
	// account needs no lock; different accounts proceed in parallel.
	type account struct{ balances []int }
	accounts := map[string]*account{"alice": {}, "bob": {}}
	events := []struct {
		name   string
		amount int
	}{{"alice", 100}, {"bob", 50}, {"alice", -30}, {"bob", -80}, {"alice", -70}}

	k := NewKeyed[string](p)
	for _, e := range events {
		err := k.Submit(e.name, func() {
			a := accounts[e.name]
			balance := e.amount
			if n := len(a.balances); n > 0 {
				balance += a.balances[n-1]
			}
			a.balances = append(a.balances, balance)
		})
		if err != nil {
			log.Fatal(err)
		}
	}
	_ = k.ReleaseTimeout(time.Second) // waits for every accepted task
	fmt.Println("alice", accounts["alice"].balances)
	fmt.Println("bob", accounts["bob"].balances)
	// Output:
	// alice [100 70 0]
	// bob [50 -30]
}

func ExampleWithKeyBacklog() {
	p, _ := NewPool(2, WithNonblocking(true))
	defer func() { _ = p.ReleaseTimeout(time.Second) }()

	// At most one task of a key waits behind the running one; on a
	// Nonblocking pool a Submit beyond that fails at once.
	k := NewKeyed[int](p, WithKeyBacklog(1))
	started, gate := make(chan struct{}), make(chan struct{})
	_ = k.Submit(7, func() { close(started); <-gate })
	<-started
	fmt.Println(k.Submit(7, func() { fmt.Println("second task of key 7") }))
	fmt.Println(k.Submit(7, func() {}))
	fmt.Println(k.Submit(8, func() {}), "(another key)")
	close(gate)
	_ = k.ReleaseTimeout(time.Second)
	// Output:
	// <nil>
	// too many goroutines blocked on submit or Nonblocking is set
	// <nil> (another key)
	// second task of key 7
}

func ExampleKeyed_Stats() {
	p, _ := NewPool(4)
	defer func() { _ = p.ReleaseTimeout(time.Second) }()

	k := NewKeyed[string](p)
	started, gate := make(chan struct{}), make(chan struct{})
	_ = k.Submit("a", func() { close(started); <-gate })
	<-started
	_ = k.Submit("a", func() {})
	_ = k.Submit("a", func() {})
	s := k.Stats()
	fmt.Printf("keys %d, busy %d, queued %d\n", s.Keys, s.Busy, s.Queued)
	close(gate)
	_ = k.ReleaseTimeout(time.Second)
	s = k.Stats()
	fmt.Printf("submitted %d, completed %d, keys %d\n", s.Submitted, s.Completed, s.Keys)
	// Output:
	// keys 1, busy 1, queued 2
	// submitted 3, completed 3, keys 0
}
