package ants

import (
	"sync"
	"testing"
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
