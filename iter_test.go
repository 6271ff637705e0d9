//go:build go1.23

package ants

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"iter"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// mapItems is how many results TestMapBoundedWindow consumes from its input
// of ten million items. Consume them all, without the race detector, with
//
//	go test -run TestMapBoundedWindow -map.items=10000000 .
var mapItems = flag.Int("map.items", 100_000, "results TestMapBoundedWindow consumes (at most 10,000,000)")

// mapCount is the sequence 0, 1, …, n-1.
func mapCount(n int) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := 0; i < n; i++ {
			if !yield(i) {
				return
			}
		}
	}
}

// mapTimes10 is the function most tests map.
func mapTimes10(_ context.Context, i int) (int, error) { return 10 * i, nil }

// mapWithin runs loop, which ranges over a Map, and fails the test with a
// goroutine dump if it has not returned within futTimeout. loop must
// report failures with t.Error, not t.Fatal.
func mapWithin(t *testing.T, loop func()) {
	t.Helper()
	mapWatch(t, nil, loop)
}

// mapWatch is mapWithin for a long loop: it fails the test only if
// progress, when not nil, stays the same for futTimeout.
func mapWatch(t *testing.T, progress func() int64, loop func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		loop()
	}()
	tick := time.NewTicker(futTimeout / 100)
	defer tick.Stop()
	last, since := int64(0), time.Now()
	for {
		select {
		case <-done:
			return
		case now := <-tick.C:
			if progress != nil {
				if p := progress(); p != last {
					last, since = p, now
				}
			}
			if now.Sub(since) > futTimeout {
				buf := make([]byte, 1<<20)
				t.Fatalf("the loop made no progress for %v; goroutines:\n%s", futTimeout, buf[:runtime.Stack(buf, true)])
			}
		}
	}
}

// mapFunc is the type of Map and MapUnordered for int items and results.
type mapFunc = func(context.Context, Submitter, iter.Seq[int], func(context.Context, int) (int, error), ...MapOption) iter.Seq2[int, error]

// mapModes runs f for Map and for MapUnordered.
func mapModes(t *testing.T, f func(t *testing.T, mapFn mapFunc, ordered bool)) {
	t.Run("ordered", func(t *testing.T) { f(t, Map[int, int], true) })
	t.Run("unordered", func(t *testing.T) { f(t, MapUnordered[int, int], false) })
}

func TestMapYieldsInInputOrder(t *testing.T) {
	p := futNewPool(t, 4)
	// Item 0 returns only after item 3 has: the results come back out of
	// order, and Map must put them back in order.
	third := make(chan struct{})
	fn := func(ctx context.Context, i int) (int, error) {
		switch i {
		case 0:
			select {
			case <-third:
			case <-ctx.Done():
			}
		case 3:
			close(third)
		}
		return 10 * i, nil
	}
	var got []int
	mapWithin(t, func() {
		for v, err := range Map(context.Background(), p, mapCount(100), fn) {
			if err != nil {
				t.Errorf("item %d: error %v", len(got), err)
			}
			got = append(got, v)
		}
	})
	want := make([]int, 100)
	for i := range want {
		want[i] = 10 * i
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %v; want %v", got, want)
	}
}

func TestMapUnorderedYieldsWhatIsReady(t *testing.T) {
	p := futNewPool(t, 4)
	// Item 0 returns only once the loop has seen item 3: an ordered map
	// would wait for item 0 forever (until the test's bound).
	seen3 := make(chan struct{})
	fn := func(ctx context.Context, i int) (int, error) {
		if i == 0 {
			select {
			case <-seen3:
			case <-time.After(futTimeout):
				return 0, errors.New("item 3 was not yielded before item 0 returned")
			}
		}
		return i, nil
	}
	var got []int
	mapWithin(t, func() {
		for v, err := range MapUnordered(context.Background(), p, mapCount(10), fn) {
			if err != nil {
				t.Errorf("item %d: error %v", v, err)
			}
			if v == 3 {
				close(seen3)
			}
			got = append(got, v)
		}
	})
	if i0, i3 := slices.Index(got, 0), slices.Index(got, 3); i0 < i3 {
		t.Errorf("got %v; want 3 before 0", got)
	}
	slices.Sort(got)
	if want := slices.Collect(mapCount(10)); !slices.Equal(got, want) {
		t.Errorf("sorted results %v; want %v", got, want)
	}
}

// TestMapBoundedWindow ranges over an input of ten million items with a
// window of 4 and checks, at every result, that Map has pulled at most the
// window of items ahead of the results consumed, and so holds at most 4
// results. It consumes -map.items of them and then breaks.
func TestMapBoundedWindow(t *testing.T) {
	const (
		input  = 10_000_000
		window = 4
	)
	consume := min(max(*mapItems, 1), input)
	mapModes(t, func(t *testing.T, mapFn mapFunc, ordered bool) {
		p := futNewPool(t, 2)
		var pulled atomic.Int64
		seq := func(yield func(int) bool) {
			for i := 0; i < input; i++ {
				pulled.Add(1)
				if !yield(i) {
					return
				}
			}
		}
		var active, peak atomic.Int64
		fn := func(_ context.Context, i int) (int, error) {
			n := active.Add(1)
			defer active.Add(-1)
			for m := peak.Load(); n > m && !peak.CompareAndSwap(m, n); m = peak.Load() {
			}
			return i, nil
		}
		consumed := 0
		var progress atomic.Int64
		mapWatch(t, progress.Load, func() {
			for v, err := range mapFn(context.Background(), p, seq, fn, WithWindow(window)) {
				consumed++
				progress.Store(int64(consumed))
				if err != nil {
					t.Errorf("result %d: error %v", consumed, err)
					return
				}
				if ahead := pulled.Load() - int64(consumed); ahead >= window {
					t.Errorf("after %d results Map had pulled %d items: %d ahead; want fewer than %d",
						consumed, pulled.Load(), ahead, window)
					return
				}
				if consumed == consume {
					break
				}
				_ = v
			}
		})
		if consumed != consume {
			t.Errorf("consumed %d results; want %d", consumed, consume)
		}
		if got := pulled.Load(); got > int64(consume+window) {
			t.Errorf("pulled %d items for %d results; want at most %d", got, consume, consume+window)
		}
		if got := peak.Load(); got > window {
			t.Errorf("%d calls ran at once; want at most the window, %d", got, window)
		}
	})
}

// TestMapBreakAtRandomPoints breaks loops over Map and MapUnordered at
// random points, with random windows, concurrencies and pool sizes, and
// checks that when the loop returns no call of fn runs, none starts later,
// and no goroutine is left once the pool is released. Calls after the
// break point wait for their context, so a Map that did not cancel them
// would never return.
func TestMapBreakAtRandomPoints(t *testing.T) {
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, seed))
	ignore := goleak.IgnoreCurrent()
	for round := 0; round < 40; round++ {
		n := 1 + rng.IntN(200)
		stop := rng.IntN(n + 1) // n: no break
		window := 1 + rng.IntN(8)
		concurrency := rng.IntN(window + 1) // 0: the default
		ordered := rng.IntN(2) == 0
		p, err := NewPool(1 + rng.IntN(4))
		if err != nil {
			t.Fatalf("NewPool: %v", err)
		}

		var active, calls atomic.Int64
		fn := func(ctx context.Context, i int) (int, error) {
			active.Add(1)
			defer active.Add(-1)
			calls.Add(1)
			if i > stop {
				<-ctx.Done()
				return 0, ctx.Err()
			}
			return i, nil
		}
		mapFn := Map[int, int]
		if !ordered {
			mapFn = MapUnordered[int, int]
		}
		var got []int
		mapWithin(t, func() {
			for v, err := range mapFn(context.Background(), p, mapCount(n), fn,
				WithWindow(window), WithConcurrency(concurrency)) {
				if len(got) == stop {
					break
				}
				if err != nil && ordered {
					t.Errorf("round %d: result %d: error %v", round, len(got), err)
				}
				got = append(got, v)
			}
		})
		if a := active.Load(); a != 0 {
			t.Errorf("round %d: %d calls still running after the loop returned", round, a)
		}
		if ordered && !slices.Equal(got, slices.Collect(mapCount(min(stop, n)))) {
			t.Errorf("round %d (n=%d, stop=%d): got %v", round, n, stop, got)
		}
		if len(got) != min(stop, n) {
			t.Errorf("round %d: %d results; want %d", round, len(got), min(stop, n))
		}
		before := calls.Load()
		futRelease(t, p) // runs whatever Map left in the pool
		if after := calls.Load(); after != before {
			t.Errorf("round %d: %d calls started after the loop returned", round, after-before)
		}
		if t.Failed() {
			t.Fatalf("round %d failed: n=%d stop=%d window=%d concurrency=%d ordered=%v",
				round, n, stop, window, concurrency, ordered)
		}
	}
	goleak.VerifyNone(t, ignore)
}

func TestMapPanicsAndGoexit(t *testing.T) {
	mapModes(t, func(t *testing.T, mapFn mapFunc, ordered bool) {
		p := futNewPool(t, 2)
		fn := func(_ context.Context, i int) (int, error) {
			switch i {
			case 2:
				panic(futErrBoom)
			case 4:
				runtime.Goexit()
			}
			return 10 * i, nil
		}
		errs := make(map[int]error)
		mapWithin(t, func() {
			n := 0
			for v, err := range mapFn(context.Background(), p, mapCount(6), fn) {
				if err != nil {
					errs[n] = err
				} else if v%10 != 0 || v/10 == 2 || v/10 == 4 {
					t.Errorf("unexpected value %d", v)
				}
				n++
			}
		})
		if len(errs) != 2 {
			t.Fatalf("got errors %v; want two", errs)
		}
		var pe *PanicError
		var panics, goexits int
		for _, err := range errs {
			switch {
			case errors.As(err, &pe) && errors.Is(err, futErrBoom) && len(pe.Stack) > 0:
				panics++
			case errors.Is(err, ErrGoexit):
				goexits++
			}
		}
		if panics != 1 || goexits != 1 {
			t.Errorf("got errors %v; want one *PanicError wrapping boom and one ErrGoexit", errs)
		}
		if _, ok := errs[2]; ordered && !ok {
			t.Errorf("the panic is not the pair of item 2: %v", errs)
		}
		if s := p.Stats(); s.Panicked != 0 {
			t.Errorf("the pool saw %d panics; want 0", s.Panicked)
		}
	})
}

// BenchmarkMap measures one item through Map and MapUnordered on a pool of
// 4: the submission, the hand-off to a worker and back, and the yield.
func BenchmarkMap(b *testing.B) {
	for _, mode := range []struct {
		name  string
		mapFn mapFunc
	}{{"ordered", Map[int, int]}, {"unordered", MapUnordered[int, int]}} {
		for _, window := range []int{4, 64} {
			b.Run(fmt.Sprintf("%s/window=%d", mode.name, window), func(b *testing.B) {
				p, err := NewPool(4)
				if err != nil {
					b.Fatal(err)
				}
				defer p.Release()
				b.ReportAllocs()
				for _, err := range mode.mapFn(context.Background(), p, mapCount(b.N), mapTimes10, WithWindow(window)) {
					if err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
