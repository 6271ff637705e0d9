package ants

import (
	"errors"
	"math"
	"runtime"
	"testing"
	"unsafe"
)

// This file checks the bound on what a multi-pool constructor allocates:
// absurd pool counts and PreAlloc sizes fail with ErrInvalidMultiPoolSize
// before anything is allocated, and the estimate behind the bound stays in
// step with what newEngine really allocates.

// relMultiCtors builds each multi-pool face, returning its error.
var relMultiCtors = map[string]func(size, sizePerPool int, options ...Option) error{
	"MultiPool": func(size, sizePerPool int, options ...Option) error {
		mp, err := NewMultiPool(size, sizePerPool, RoundRobin, options...)
		if mp != nil {
			mp.Release()
		}
		return err
	},
	"MultiPoolWithFunc": func(size, sizePerPool int, options ...Option) error {
		mp, err := NewMultiPoolWithFunc(size, sizePerPool, func(any) {}, LeastTasks, options...)
		if mp != nil {
			mp.Release()
		}
		return err
	},
	"MultiPoolWithFuncGeneric": func(size, sizePerPool int, options ...Option) error {
		mp, err := NewMultiPoolWithFuncGeneric(size, sizePerPool, func(string) {}, RoundRobin, options...)
		if mp != nil {
			mp.Release()
		}
		return err
	},
}

// TestMultiPoolAbsurdSize panicked in makeslice (a count of math.MaxInt)
// or tried to allocate hundreds of GiB (many huge PreAlloc pools) before
// the constructors bounded what they allocate.
func TestMultiPoolAbsurdSize(t *testing.T) {
	cases := []struct {
		name        string
		size, per   int
		opts        []Option
		wantWrapped bool // the error carries the sizes
	}{
		{"math.MaxInt pools", math.MaxInt, 10, nil, true},
		{"math.MaxInt/2 pools", math.MaxInt / 2, 10, nil, true},
		{"2^40 unlimited pools", 1 << 40, -1, nil, true},
		{"a million PreAlloc pools of math.MaxInt32", 1 << 20, math.MaxInt32, []Option{WithPreAlloc(true)}, true},
		{"800,000 PreAlloc pools, beside their ring", 800_000, 100, []Option{WithPreAlloc(true)}, true},
		{"100 pools with a queue of 2^22", 100, 4, []Option{WithQueueSize(1 << 22)}, true},
		{"math.MinInt pools", math.MinInt, 10, nil, false},
	}
	for name, build := range relMultiCtors {
		for _, tc := range cases {
			t.Run(name+" refuses "+tc.name, func(t *testing.T) {
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				err := build(tc.size, tc.per, append(tc.opts, WithDisablePurge(true))...)
				runtime.ReadMemStats(&after)
				if !errors.Is(err, ErrInvalidMultiPoolSize) {
					t.Fatalf("got %v; want ErrInvalidMultiPoolSize", err)
				}
				if wrapped := err != ErrInvalidMultiPoolSize; wrapped != tc.wantWrapped {
					t.Errorf("got %q; want the sizes in the error: %v", err, tc.wantWrapped)
				}
				// The refusal comes before the pools are built: what is
				// allocated is the error and the options, not a ring.
				if got := after.TotalAlloc - before.TotalAlloc; got > 1<<20 {
					t.Errorf("the refused constructor allocated %d bytes; want less than 1 MiB", got)
				}
			})
		}
	}
	t.Run("an invalid queue is refused as by NewPool", func(t *testing.T) {
		for name, build := range relMultiCtors {
			if err := build(3, 1, WithQueueSize(MaxQueueSize+1)); !errors.Is(err, ErrInvalidQueueSize) {
				t.Errorf("%s: got %v; want ErrInvalidQueueSize", name, err)
			}
		}
	})
}

// TestMultiPoolBytesBoundary checks the bounds at their edge, without
// building the pools: the largest count that fits is accepted, one more is
// not.
func TestMultiPoolBytesBoundary(t *testing.T) {
	per := uint64(unsafe.Sizeof(lane[func()]{}))
	// Near the bound on bytes the shared ring no longer depends on the
	// count: its hand-off buffer, or its PreAlloc capacity, is at its
	// largest.
	byBytes := func(size int, opts Options) int {
		fixed, ok := poolBytes[func()](math.MaxInt32, opts, true)
		if size <= 0 {
			fixed, ok = poolBytes[func()](0, opts, true)
		}
		if !ok {
			t.Fatal("poolBytes refused valid options")
		}
		return int((maxMultiBytes - fixed) / per)
	}
	for _, tc := range []struct {
		name string
		size int
		opts []Option
		most func(size int, opts Options) int
	}{
		{"default pools", 10, nil, byBytes},
		{"unlimited pools", -1, nil, byBytes},
		{"PreAlloc pools", 100000, []Option{WithPreAlloc(true)}, byBytes},
		{"pools with a queue", 10, []Option{WithQueueSize(5000)}, func(int, Options) int { return relQueuesMost() / 5000 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts, err := loadOptions(tc.size, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			most := tc.most(tc.size, opts)
			if _, err := checkMultiBytes[func()](most, tc.size, opts); err != nil {
				t.Errorf("%d pools: got %v; want nil", most, err)
			}
			if _, err := checkMultiBytes[func()](most+1, tc.size, opts); !errors.Is(err, ErrInvalidMultiPoolSize) {
				t.Errorf("%d pools: got %v; want ErrInvalidMultiPoolSize", most+1, err)
			}
		})
	}
}

// relQueuesMost returns the most tasks the queues of a multi-pool of
// func() may hold together: MaxQueueSize, or fewer if the ring, whose
// cells it rounds up to a power of two and which carries a lane beside
// each, would exceed its budget.
func relQueuesMost() int {
	q := MaxQueueSize
	for pow2(q) > maxBufferBytes/cellBytes[func()](true) {
		q = pow2(q) / 2
	}
	return q
}

// TestPoolBytesMatchesEngine keeps the estimate of the bound in step with
// newEngine: for each payload type and option mix, poolBytes must equal
// what a built engine holds, and must refuse exactly what newEngine
// refuses.
func TestPoolBytesMatchesEngine(t *testing.T) {
	relCheckPoolBytes(t, "func()", runTask)
	relCheckPoolBytes(t, "any", func(any) {})
	relCheckPoolBytes(t, "int64", func(int64) {})
	relCheckPoolBytes(t, "struct{}", func(struct{}) {})
	relCheckPoolBytes(t, "[4096]byte", func([4096]byte) {})
}

func relCheckPoolBytes[T any](t *testing.T, name string, exec func(T)) {
	bare, labelled := cellBytes[T](false), cellBytes[T](true)
	cases := []struct {
		name string
		size int
		opts []Option
	}{
		{"default", 10, nil},
		{"unlimited", -1, nil},
		{"PreAlloc below the hand-off buffer", 100, []Option{WithPreAlloc(true)}},
		{"PreAlloc above the hand-off buffer", 5000, []Option{WithPreAlloc(true)}},
		{"a queue", 10, []Option{WithQueueSize(3000)}},
		{"a queue and PreAlloc", 2000, []Option{WithPreAlloc(true), WithQueueSize(100)}},
		{"a queue too large for the payload", 1, []Option{WithQueueSize(maxBufferBytes/bare + 1)}},
		{"a queue too large for the payload and its labels", 1, []Option{WithTaskLabels(true), WithQueueSize(maxBufferBytes/labelled + 1)}},
		{"task labels", 10, []Option{WithTaskLabels(true)}},
		{"task labels and a queue", 10, []Option{WithTaskLabels(true), WithQueueSize(3000)}},
	}
	for _, tc := range cases {
		t.Run(name+" "+tc.name, func(t *testing.T) {
			options := append(tc.opts, WithDisablePurge(true))
			opts, err := loadOptions(tc.size, options)
			if err != nil {
				// Refused before any sizing, by multi-pools and pools alike.
				if _, err2 := newEngine(tc.size, exec, options); err2 != err {
					t.Errorf("loadOptions = %v; newEngine = %v", err, err2)
				}
				return
			}
			got, ok := poolBytes[T](tc.size, opts, false)
			e, err := newEngine(tc.size, exec, options)
			if !ok {
				if !errors.Is(err, ErrInvalidQueueSize) {
					t.Errorf("poolBytes refused the options; newEngine returned %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("newEngine = %v; poolBytes accepted the options", err)
			}
			defer e.Release()
			want := uint64(len(e.tasks.cells)*bare) + uint64(unsafe.Sizeof(*e)) + uint64(unsafe.Sizeof(*e.tasks))
			if sd := e.tasks.side.Load(); sd != nil {
				want += uint64(len(*sd)) * uint64(unsafe.Sizeof(side[T]{}))
			}
			if got != want {
				t.Errorf("poolBytes = %d; the engine holds %d", got, want)
			}
		})
	}
}

// TestSubpoolRingBudget: a sub-pool's lane travels beside each cell of the
// ring (ring.side), which counts against the ring's budget like the cells
// do. A pool whose ring fills the budget without lanes refuses a sub-pool
// with ErrInvalidQueueSize instead of allocating past it; one with room
// for them takes it. The payloads are sized so that the ring of 1024
// cells (the hand-off buffer) sits on either side of the bound; its pages
// are not touched but for the cells' sequence numbers.
func TestSubpoolRingBudget(t *testing.T) {
	const atBound = maxBufferBytes/handoffBuffer - 8 // a cell of exactly 1/1024 of the budget
	t.Run("full", func(t *testing.T) {
		relCheckSubpoolBudget[[atBound]byte](t, false)
	})
	t.Run("room for lanes", func(t *testing.T) {
		relCheckSubpoolBudget[[atBound - 24]byte](t, true)
	})
}

// TestLabelsRingBudget: on a pool built WithTaskLabels the labels travel
// beside each cell, and the queue's budget counts them: a queue that would
// fit without them is refused.
func TestLabelsRingBudget(t *testing.T) {
	q := maxBufferBytes/cellBytes[func()](true) + 1
	if q > maxBufferBytes/cellBytes[func()](false) {
		t.Fatalf("a queue of %d does not fit even without labels; the test needs one that does", q)
	}
	if _, err := NewPool(10, WithTaskLabels(true), WithQueueSize(q)); !errors.Is(err, ErrInvalidQueueSize) {
		t.Fatalf("NewPool(WithTaskLabels, WithQueueSize(%d)) = %v; want ErrInvalidQueueSize", q, err)
	}
	// Options.QueueSize says how long a queue a pool with labels takes.
	const documented = 8_388_608
	for _, c := range []struct {
		q    int
		fits bool
	}{{documented, true}, {documented + 1, false}} {
		_, ok := ringCells[func()](Options{QueueSize: c.q, TaskLabels: true}, 10, false)
		if ok != c.fits {
			t.Errorf("a queue of %d with labels: accepted %v; want %v", c.q, ok, c.fits)
		}
	}
}

func relCheckSubpoolBudget[T any](t *testing.T, fits bool) {
	p, err := NewPoolWithFuncGeneric[T](4, func(T) {}, WithDisablePurge(true))
	if err != nil {
		t.Fatalf("NewPoolWithFuncGeneric: %v", err)
	}
	defer p.Release()
	if n := len(p.tasks.cells); n != handoffBuffer {
		t.Fatalf("the ring has %d cells; the test is sized for %d", n, handoffBuffer)
	}
	if got := lanesFit[T](handoffBuffer); got != fits {
		t.Fatalf("lanesFit = %v; want %v", got, fits)
	}
	sp, err := p.NewSubpool(2)
	if !fits {
		if !errors.Is(err, ErrInvalidQueueSize) {
			t.Fatalf("NewSubpool on a ring at its budget = %v; want ErrInvalidQueueSize", err)
		}
		if p.tasks.side.Load() != nil {
			t.Fatal("the refused sub-pool left an array beside the ring")
		}
		return
	}
	if err != nil {
		t.Fatalf("NewSubpool with room for its lanes: %v", err)
	}
	sp.Release()
}
