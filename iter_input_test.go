//go:build go1.23

package ants

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestMapRefusedSubmissions(t *testing.T) {
	mapModes(t, func(t *testing.T, mapFn mapFunc, ordered bool) {
		t.Run("a released pool gives ErrPoolClosed for every item", func(t *testing.T) {
			p := futNewPool(t, 2)
			p.Release()
			var calls atomic.Int64
			var errs []error
			mapWithin(t, func() {
				for _, err := range mapFn(context.Background(), p, mapCount(3), func(context.Context, int) (int, error) {
					calls.Add(1)
					return 0, nil
				}) {
					errs = append(errs, err)
				}
			})
			if len(errs) != 3 {
				t.Fatalf("got %d pairs; want 3", len(errs))
			}
			for i, err := range errs {
				if !errors.Is(err, ErrPoolClosed) {
					t.Errorf("pair %d: error %v; want ErrPoolClosed", i, err)
				}
			}
			if calls.Load() != 0 {
				t.Errorf("fn was called %d times; want 0", calls.Load())
			}
		})

		t.Run("a full nonblocking pool gives ErrPoolOverload", func(t *testing.T) {
			p := futNewPool(t, 1, WithNonblocking(true))
			release := make(chan struct{})
			defer close(release)
			futBlocker(t, p, release)
			var errs []error
			mapWithin(t, func() {
				for _, err := range mapFn(context.Background(), p, mapCount(2), mapTimes10) {
					errs = append(errs, err)
				}
			})
			if len(errs) != 2 || !errors.Is(errs[0], ErrPoolOverload) || !errors.Is(errs[1], ErrPoolOverload) {
				t.Errorf("got %v; want two ErrPoolOverload", errs)
			}
		})

		t.Run("a refused item does not stop the others", func(t *testing.T) {
			// The pool is released while item 1 runs: item 0 and 1 have
			// their values, the later items the refusal.
			p := futNewPool(t, 1)
			fn := func(_ context.Context, i int) (int, error) {
				if i == 1 {
					p.Release()
				}
				return 10 * i, nil
			}
			var got []int
			var refused int
			mapWithin(t, func() {
				for v, err := range mapFn(context.Background(), p, mapCount(5), fn, WithConcurrency(1)) {
					switch {
					case errors.Is(err, ErrPoolClosed):
						refused++
					case err != nil:
						t.Errorf("unexpected error %v", err)
					default:
						got = append(got, v)
					}
				}
			})
			slices.Sort(got)
			if !slices.Equal(got, []int{0, 10}) || refused != 3 {
				t.Errorf("got values %v and %d refusals; want [0 10] and 3", got, refused)
			}
		})
	})
}

func TestMapInput(t *testing.T) {
	t.Run("a nil function gives one ErrNilTask", func(t *testing.T) {
		var errs []error
		for _, err := range Map[int, int](context.Background(), nil, mapCount(3), nil) {
			errs = append(errs, err)
		}
		if len(errs) != 1 || !errors.Is(errs[0], ErrNilTask) {
			t.Errorf("got %v; want one ErrNilTask", errs)
		}
	})

	t.Run("a nil sequence is empty", func(t *testing.T) {
		for v, err := range MapUnordered(context.Background(), nil, nil, mapTimes10) {
			t.Errorf("got pair %v, %v; want none", v, err)
		}
	})

	t.Run("nil context and submitter mean Background and the default pool", func(t *testing.T) {
		Reboot() // reopen the default pool, in case a test released it
		defer func() { futRelease(t, Default()) }()
		var got []int
		for v, err := range Map(nil, nil, mapCount(5), mapTimes10) {
			if err != nil {
				t.Errorf("error %v", err)
			}
			got = append(got, v)
		}
		if !slices.Equal(got, []int{0, 10, 20, 30, 40}) {
			t.Errorf("got %v; want [0 10 20 30 40]", got)
		}
	})

	t.Run("each range ranges over the input anew", func(t *testing.T) {
		p := futNewPool(t, 2)
		seq := Map(context.Background(), p, mapCount(4), mapTimes10)
		for round := 0; round < 2; round++ {
			var got []int
			for v, err := range seq {
				if err != nil {
					t.Errorf("range %d: error %v", round, err)
				}
				got = append(got, v)
			}
			if !slices.Equal(got, []int{0, 10, 20, 30}) {
				t.Errorf("range %d: got %v; want [0 10 20 30]", round, got)
			}
		}
	})

	t.Run("an input that ignores the break is not yielded again", func(t *testing.T) {
		p := futNewPool(t, 2)
		stubborn := func(yield func(int) bool) {
			for i := 0; i < 10; i++ {
				yield(i) // the result is ignored on purpose
			}
		}
		n := 0
		mapWithin(t, func() {
			for _, err := range Map(context.Background(), p, stubborn, mapTimes10) {
				if err != nil {
					t.Errorf("error %v", err)
				}
				n++
				break
			}
		})
		if n != 1 {
			t.Errorf("the loop body ran %d times; want 1", n)
		}
	})
}

func TestMapConcurrency(t *testing.T) {
	// fn holds the first want calls at a barrier until all of them have
	// started, so they must run at once; peak records the most at once.
	run := func(t *testing.T, p *Pool, want int, opts ...MapOption) {
		t.Helper()
		var active, peak atomic.Int64
		var barrier sync.WaitGroup
		barrier.Add(want)
		all := make(chan struct{})
		go func() { barrier.Wait(); close(all) }()
		fn := func(_ context.Context, i int) (int, error) {
			n := active.Add(1)
			defer active.Add(-1)
			for m := peak.Load(); n > m && !peak.CompareAndSwap(m, n); m = peak.Load() {
			}
			if i < want {
				barrier.Done()
				select {
				case <-all:
				case <-time.After(futTimeout):
					return 0, errors.New("the first calls did not all start")
				}
			}
			return i, nil
		}
		mapWithin(t, func() {
			for _, err := range Map(context.Background(), p, mapCount(50), fn, opts...) {
				if err != nil {
					t.Error(err)
				}
			}
		})
		if got := peak.Load(); got != int64(want) {
			t.Errorf("at most %d calls ran at once; want %d", got, want)
		}
	}

	t.Run("WithConcurrency bounds the calls on an unlimited pool", func(t *testing.T) {
		run(t, futNewPool(t, 0), 3, WithWindow(10), WithConcurrency(3))
	})
	t.Run("the window bounds the calls on an unlimited pool", func(t *testing.T) {
		run(t, futNewPool(t, 0), 4, WithWindow(4))
	})
	t.Run("the pool's capacity bounds the calls by default", func(t *testing.T) {
		run(t, futNewPool(t, 2), 2)
	})
	t.Run("a concurrency above the window is the window", func(t *testing.T) {
		run(t, futNewPool(t, 0), 2, WithWindow(2), WithConcurrency(5))
	})
	t.Run("a concurrency above the pool's capacity is the capacity", func(t *testing.T) {
		run(t, futNewPool(t, 3), 3, WithWindow(8), WithConcurrency(6))
	})
}

func TestMapLoopBodyPanic(t *testing.T) {
	p := futNewPool(t, 2)
	var active, calls atomic.Int64
	fn := func(ctx context.Context, i int) (int, error) {
		active.Add(1)
		defer active.Add(-1)
		calls.Add(1)
		if i > 2 {
			<-ctx.Done()
		}
		return i, nil
	}
	var recovered any
	mapWithin(t, func() {
		defer func() { recovered = recover() }()
		for v, err := range Map(context.Background(), p, mapCount(100), fn) {
			if err != nil {
				t.Errorf("error %v", err)
			}
			if v == 2 {
				panic("loop body")
			}
		}
	})
	if recovered != "loop body" {
		t.Errorf("recovered %v; want the loop body's panic", recovered)
	}
	if a := active.Load(); a != 0 {
		t.Errorf("%d calls still running after the panic left the loop", a)
	}
	before := calls.Load()
	futRelease(t, p)
	if after := calls.Load(); after != before {
		t.Errorf("%d calls started after the panic left the loop", after-before)
	}
}
