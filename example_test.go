package ants

import (
	"context"
	"errors"
	"fmt"
	"log"
	"runtime"
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
