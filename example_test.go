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

func ExampleMultiPool_perPool() {
	// Two pools of one worker each: a pool admits one of its tasks at a
	// time, and the tasks run on the workers the pools share.
	mp, err := NewMultiPool(2, 1, RoundRobin, WithNonblocking(true))
	if err != nil {
		log.Fatal(err)
	}
	defer mp.Release()

	started, hold := make(chan struct{}), make(chan struct{})
	for range 2 {
		if err := mp.Submit(func() { started <- struct{}{}; <-hold }); err != nil {
			log.Fatal(err)
		}
		<-started
	}
	first, _ := mp.RunningByIndex(0)
	second, _ := mp.RunningByIndex(1)
	fmt.Println("running:", first, second)
	// Both pools are full: a Nonblocking submission is refused.
	fmt.Println("a third task:", errors.Is(mp.Submit(func() {}), ErrPoolOverload))
	close(hold)
	// Output:
	// running: 1 1
	// a third task: true
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
