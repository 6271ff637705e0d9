package ants

// Examples of futures and groups. (Why in package ants: see example_test.go.)

import (
	"context"
	"errors"
	"fmt"
	"log"
	"sync"
	"sync/atomic"
	"time"
)

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
