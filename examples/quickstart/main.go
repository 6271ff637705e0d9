// Command quickstart walks through the four ways of using ants that the ants
// v2 README shows: the default pool, a pool with a function, a multi-pool
// and a multi-pool with a function. It checks every sum it computes and
// exits with status 1 if one is wrong.
//
//	go run ./examples/quickstart
package main

import (
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/antsgo/ants"
)

const runTimes = 1000

// want is the sum of 0..runTimes-1.
const want = runTimes * (runTimes - 1) / 2

func main() {
	failed := false
	check := func(what string, got, want int64) {
		status := "ok"
		if got != want {
			status = "WRONG"
			failed = true
		}
		fmt.Printf("%-44s sum = %7d, want %7d  %s\n", what, got, want, status)
	}

	check("default pool, 1000 tasks:", defaultPool(), want)
	check("PoolWithFunc of 10 workers:", poolWithFunc(), want)
	check("MultiPool of 10 unlimited pools, RoundRobin:", multiPool(), want)
	check("MultiPoolWithFunc, LeastTasks, run twice:", multiPoolWithFunc(), 2*want)

	if failed {
		os.Exit(1)
	}
	fmt.Println("all sums are right")
}

// submitAll calls submit for i in [0, n) and waits until every task that
// was accepted has called wg.Done. A refused task is reported and skipped.
func submitAll(wg *sync.WaitGroup, n int, submit func(i int) error) {
	for i := range n {
		wg.Add(1)
		if err := submit(i); err != nil {
			wg.Done()
			fmt.Println("submit:", err)
		}
	}
	wg.Wait()
}

// must stops the demo if a pool could not be built.
func must(err error) {
	if err != nil {
		fmt.Println("new pool:", err)
		os.Exit(1)
	}
}

// defaultPool submits 1000 closures to the package-level default pool, each
// sleeping briefly like real work, and adds up their indexes.
func defaultPool() int64 {
	defer ants.Release()
	var sum atomic.Int64
	var wg sync.WaitGroup
	submitAll(&wg, runTimes, func(i int) error {
		return ants.Submit(func() {
			defer wg.Done()
			time.Sleep(10 * time.Millisecond)
			sum.Add(int64(i))
		})
	})
	fmt.Printf("default pool: %d workers ran 1000 tasks of 10ms\n", ants.Running())
	return sum.Load()
}

// poolWithFunc runs one function over 1000 arguments on 10 workers.
func poolWithFunc() int64 {
	var sum atomic.Int64
	var wg sync.WaitGroup
	p, err := ants.NewPoolWithFunc(10, func(arg any) {
		defer wg.Done()
		sum.Add(int64(arg.(int)))
	})
	must(err)
	defer p.Release()
	submitAll(&wg, runTimes, func(i int) error { return p.Invoke(i) })
	fmt.Printf("PoolWithFunc: capacity %d, %d workers alive\n", p.Cap(), p.Running())
	return sum.Load()
}

// multiPool spreads 1000 closures over 10 unlimited pools in turn.
func multiPool() int64 {
	var sum atomic.Int64
	var wg sync.WaitGroup
	mp, err := ants.NewMultiPool(10, -1, ants.RoundRobin)
	must(err)
	defer func() { _ = mp.ReleaseTimeout(5 * time.Second) }()
	submitAll(&wg, runTimes, func(i int) error {
		return mp.Submit(func() { defer wg.Done(); sum.Add(int64(i)) })
	})
	fmt.Printf("MultiPool: %d pools, %d workers alive\n", 10, mp.Running())
	return sum.Load()
}

// multiPoolWithFunc invokes one function twice on each of 1000 arguments,
// over 10 pools of 100, each time on the pool with the fewest unfinished
// tasks.
func multiPoolWithFunc() int64 {
	var sum atomic.Int64
	var wg sync.WaitGroup
	mp, err := ants.NewMultiPoolWithFunc(10, runTimes/10, func(arg any) {
		defer wg.Done()
		sum.Add(int64(arg.(int)))
	}, ants.LeastTasks)
	must(err)
	defer func() { _ = mp.ReleaseTimeout(5 * time.Second) }()
	submitAll(&wg, 2*runTimes, func(i int) error { return mp.Invoke(i % runTimes) })
	fmt.Printf("MultiPoolWithFunc: capacity %d over %d pools\n", mp.Cap(), 10)
	return sum.Load()
}
