package ants

import (
	"fmt"
	"os"
	"runtime"
	"sync"
	"testing"
	"time"
)

// TestStressConserveBarrier repeats the barrier of TestConserveBarrier
// (every task of a full pool must start before any can finish) on fresh
// pools, multi-pools and queues, at GOMAXPROCS 1, 2 and 4, for as long as
// ANTS_STRESS says (a duration such as 60s); without it the test is
// skipped. The two races of the hand-off fixed on 2026-12-01 (ring.ready
// and idle.park) stranded a task in a loop like this one about once in
// 30,000 to 130,000 multi-pool rounds, under -race with three processes on
// two cores; a single pass of TestConserveBarrier caught them once in a few
// hundred runs. So run it that way, for minutes, when the hot path changes:
// a pass proves little, a stall fails with the pool's Stats and every
// goroutine's stack.
func TestStressConserveBarrier(t *testing.T) {
	d, err := time.ParseDuration(os.Getenv("ANTS_STRESS"))
	if err != nil || d <= 0 {
		t.Skip("set ANTS_STRESS to a duration (for example 60s) to run")
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	kinds := []struct {
		name string
		make func(c, queue int) (facePool, func(func()) error)
	}{
		{"Pool", func(c, queue int) (facePool, func(func()) error) {
			p, err := NewPool(2*c, WithQueueSize(queue))
			if err != nil {
				t.Fatal(err)
			}
			return p, p.Submit
		}},
		{"MultiPool", func(c, queue int) (facePool, func(func()) error) {
			m, err := NewMultiPool(2, c, RoundRobin, WithQueueSize(queue))
			if err != nil {
				t.Fatal(err)
			}
			return m, m.Submit
		}},
	}
	rounds := 0
	for end := time.Now().Add(d); time.Now().Before(end); {
		for _, procs := range []int{1, 2, 4} {
			runtime.GOMAXPROCS(procs)
			for _, k := range kinds {
				for _, queue := range []int{0, 8} {
					for c := 1; c <= 16; c++ {
						rounds++
						p, submit := k.make(c, queue)
						stressBarrier(t, p, submit, 2*c, fmt.Sprintf("%s, GOMAXPROCS %d, queue %d, capacity %d", k.name, procs, queue, 2*c))
						_ = p.ReleaseTimeout(relWait)
					}
				}
			}
		}
	}
	t.Logf("%d rounds", rounds)
}

// stressBarrier warms p with one task, then submits n tasks at a barrier
// (conserveBarrier), which must all start within conserveTimeout.
func stressBarrier(t *testing.T, p facePool, submit func(func()) error, n int, what string) {
	t.Helper()
	var warm sync.WaitGroup
	warm.Add(1)
	if err := submit(warm.Done); err != nil {
		t.Fatalf("%s: warm-up Submit: %v", what, err)
	}
	relWaitGroup(t, &warm, what+": warm-up task")
	b := barrierFor(n)
	defer close(b.abort) // frees the tasks if the wait fails
	for range n {
		if err := submit(b.meet); err != nil {
			t.Fatalf("%s: Submit: %v", what, err)
		}
	}
	b.wait(t, p, what)
}
