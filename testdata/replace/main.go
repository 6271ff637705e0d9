// Command replace is a client of ants v2 that TestReplace builds with
// github.com/panjf2000/ants/v2 replaced by this repository. It uses the API
// as an ants user would and prints what it saw, which the test compares.
package main

import (
	"errors"
	"fmt"
	"log"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/panjf2000/ants/v2"
	antssync "github.com/panjf2000/ants/v2/pkg/sync"
)

func main() {
	// Importing ants starts nothing, so main is the only goroutine.
	fmt.Println("goroutines at start:", runtime.NumGoroutine())

	var sum atomic.Int64
	var wg sync.WaitGroup
	add := func(n int) {
		defer wg.Done()
		sum.Add(int64(n))
	}
	addAny := func(n any) { add(n.(int)) }

	// The default pool.
	for i := 1; i <= 100; i++ {
		wg.Add(1)
		check(ants.Submit(func() { add(i) }))
	}
	wg.Wait()
	check(ants.ReleaseTimeout(time.Second))

	// A Pool.
	pool, err := ants.NewPool(10, ants.WithExpiryDuration(time.Second))
	check(err)
	for i := 1; i <= 100; i++ {
		wg.Add(1)
		check(pool.Submit(func() { add(i) }))
	}
	wg.Wait()
	check(pool.ReleaseTimeout(time.Second))
	fmt.Println("after release:", pool.Submit(func() {}), errors.Is(pool.Submit(func() {}), ants.ErrPoolClosed))

	// A PoolWithFunc and a PoolWithFuncGeneric.
	pf, err := ants.NewPoolWithFunc(10, addAny, ants.WithOptions(ants.Options{PreAlloc: true}))
	check(err)
	pg, err := ants.NewPoolWithFuncGeneric(10, add)
	check(err)
	for i := 1; i <= 100; i++ {
		wg.Add(2)
		check(pf.Invoke(i))
		check(pg.Invoke(i))
	}
	wg.Wait()
	check(pf.ReleaseTimeout(time.Second))
	check(pg.ReleaseTimeout(time.Second))

	// The three multi-pools.
	mp, err := ants.NewMultiPool(4, 5, ants.RoundRobin)
	check(err)
	mpf, err := ants.NewMultiPoolWithFunc(4, 5, addAny, ants.LeastTasks)
	check(err)
	mpg, err := ants.NewMultiPoolWithFuncGeneric(4, 5, add, ants.LeastTasks)
	check(err)
	for i := 1; i <= 100; i++ {
		wg.Add(3)
		check(mp.Submit(func() { add(i) }))
		check(mpf.Invoke(i))
		check(mpg.Invoke(i))
	}
	wg.Wait()
	fmt.Println("multi-pool cap:", mp.Cap())
	check(mp.ReleaseTimeout(time.Second))
	check(mpf.ReleaseTimeout(time.Second))
	check(mpg.ReleaseTimeout(time.Second))
	fmt.Println("sum:", sum.Load())

	// Errors.
	busy := make(chan struct{})
	small, err := ants.NewPool(1, ants.WithNonblocking(true))
	check(err)
	check(small.Submit(func() { <-busy }))
	fmt.Println("overload:", small.Submit(func() {}) == ants.ErrPoolOverload)
	fmt.Println("timeout:", small.ReleaseTimeout(time.Millisecond) == ants.ErrTimeout)
	close(busy)
	_, err = ants.NewPoolWithFunc(1, nil)
	fmt.Println("no function:", err == ants.ErrLackPoolFunc)

	// Panics.
	handled := make(chan any, 1)
	safe, err := ants.NewPool(1, ants.WithPanicHandler(func(v any) { handled <- v }))
	check(err)
	check(safe.Submit(func() { panic("boom") }))
	fmt.Println("panic handled:", <-handled)
	safe.Release()

	// The spin lock of ants' pkg/sync.
	lock := antssync.NewSpinLock()
	count := 0
	lp, err := ants.NewPool(2)
	check(err)
	for i := 0; i < 10; i++ {
		wg.Add(1)
		check(lp.Submit(func() {
			defer wg.Done()
			lock.Lock()
			count++
			lock.Unlock()
		}))
	}
	wg.Wait()
	check(lp.ReleaseTimeout(time.Second))
	fmt.Println("spin lock count:", count)
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
