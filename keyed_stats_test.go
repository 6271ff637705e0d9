package ants

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestKeyedStats(t *testing.T) {
	p := keyPool(t, 4)
	defer func() { _ = p.ReleaseTimeout(relWait) }()
	k := NewKeyed[int](p)
	gate, open := faceGate(t)
	var started sync.WaitGroup
	started.Add(2)
	for key := range 2 {
		faceWant(t, "Submit", k.Submit(key, func() { started.Done(); <-gate }), nil)
	}
	faceWait(t, &started, "the first task of each key")
	for range 3 {
		faceWant(t, "Submit", k.Submit(0, func() {}), nil)
	}
	s := k.Stats()
	faceWant(t, "Keys", s.Keys, 2)
	faceWant(t, "Busy", s.Busy, 2)
	faceWant(t, "Queued", s.Queued, 3)
	faceWant(t, "Submitted", s.Submitted, 5)
	faceWant(t, "Completed", s.Completed, 0)
	faceWant(t, "Capacity", s.Capacity, 0)
	open()
	faceWant(t, "ReleaseTimeout", k.ReleaseTimeout(relWait), nil)
	s = k.Stats()
	faceWant(t, "Stats after release", s, Stats{Submitted: 5, Completed: 5})
}

func TestKeyedSteadyStateAllocations(t *testing.T) {
	// Records, their backlogs and their runners are reused, so a stream of
	// tasks allocates nothing but the tasks, here one ready func.
	p := keyPool(t, 4)
	defer func() { _ = p.ReleaseTimeout(relWait) }()
	noop := func() {}
	t.Run("with int keys", func(t *testing.T) {
		k := NewKeyed[int](p)
		i := 0
		allocs := testing.AllocsPerRun(10000, func() {
			i++
			if err := k.Submit(i%4, noop); err != nil {
				t.Fatal(err)
			}
		})
		faceWant(t, "allocations per Submit", allocs, 0)
		faceWant(t, "ReleaseTimeout", k.ReleaseTimeout(relWait), nil)
	})
	t.Run("with string keys", func(t *testing.T) {
		k := NewKeyed[string](p)
		keys := []string{"a", "b", "c", "d"}
		i := 0
		allocs := testing.AllocsPerRun(10000, func() {
			i++
			if err := k.Submit(keys[i%4], noop); err != nil {
				t.Fatal(err)
			}
		})
		faceWant(t, "allocations per Submit", allocs, 0)
		faceWant(t, "ReleaseTimeout", k.ReleaseTimeout(relWait), nil)
	})
}

// TestKeyedLongBacklogReusesBuffers covers a key whose backlog grows long
// again and again: its ring takes the buffers it outgrew, or gave back
// with its record, from ringBufs instead of allocating new ones.
// AllocsPerRun rounds an average below one down to zero, so the test
// counts every allocation of twenty rounds. It runs on one processor: a
// sync.Pool keeps the last buffer put on a processor where only that
// processor finds it.
func TestKeyedLongBacklogReusesBuffers(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	p := keyPool(t, 2, WithDisablePurge(true))
	defer func() { _ = p.ReleaseTimeout(relWait) }()
	k := NewKeyed[int](p)
	gate := make(chan struct{})
	done := make(chan struct{}, 1)
	deadline := time.NewTimer(relWait)
	defer deadline.Stop()
	var left atomic.Int64
	first := func() { <-gate }
	rest := func() {
		if left.Add(-1) == 0 {
			done <- struct{}{}
		}
	}
	const backlog = 100 // grows the ring from 4 to 128 cells
	round := func() {
		left.Store(backlog)
		if err := k.Submit(0, first); err != nil {
			t.Fatal(err)
		}
		for range backlog {
			if err := k.Submit(0, rest); err != nil {
				t.Fatal(err)
			}
		}
		gate <- struct{}{}
		select {
		case <-done:
		case <-deadline.C:
			t.Fatalf("the backlog of key 0 did not run within %v", relWait)
		}
	}
	round() // the buffers come into being
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	const rounds = 20
	for range rounds {
		round()
	}
	runtime.ReadMemStats(&after)
	// Without reuse, six buffers a round (4 to 128 cells): 120. The race
	// detector makes a sync.Pool drop a quarter of what is put in it, and
	// each buffer dropped costs two allocations (the buffer and its
	// holder): about 60, and below 90 in 30 runs.
	limit := uint64(rounds)
	if raceBuild {
		limit = 110
	}
	if n := after.Mallocs - before.Mallocs; n >= limit {
		t.Errorf("%d allocations in %d rounds of a %d-task backlog; want fewer than %d", n, rounds, backlog, limit)
	}
	faceWant(t, "ReleaseTimeout", k.ReleaseTimeout(relWait), nil)
}
