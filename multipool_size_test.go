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
		{"pools with a queue", 10, []Option{WithQueueSize(5000)}, func(int, Options) int { return MaxQueueSize / 5000 }},
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
	cellBytes := int(unsafe.Sizeof(cell[T]{}))
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
		{"a queue too large for the payload", 1, []Option{WithQueueSize(maxBufferBytes/cellBytes + 1)}},
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
			want := uint64(len(e.tasks.cells)*cellBytes) + uint64(unsafe.Sizeof(*e)) + uint64(unsafe.Sizeof(*e.tasks))
			if sd := e.tasks.side.Load(); sd != nil {
				want += uint64(len(*sd)) * uint64(unsafe.Sizeof(side[T]{}))
			}
			if got != want {
				t.Errorf("poolBytes = %d; the engine holds %d", got, want)
			}
		})
	}
}
