package ants

import (
	"errors"
	"math"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"
)

// These tests check adaptive pools on the real clock: the options, the
// starting capacity, Stats, the lifecycle of the controller and the ants
// semantics at an adaptive capacity, on every face. The control law itself
// is tested in adaptive_law_test.go and, on a fake clock, in
// adaptive_synctest_test.go.

func TestAdaptiveBadInput(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []Option
		want error
	}{
		{"a negative Min", []Option{WithAdaptiveCapacity(Adaptive{Min: -1})}, ErrInvalidAdaptiveCapacity},
		{"a negative Max", []Option{WithAdaptiveCapacity(Adaptive{Max: -5})}, ErrInvalidAdaptiveCapacity},
		{"Min above Max", []Option{WithAdaptiveCapacity(Adaptive{Min: 10, Max: 4})}, ErrInvalidAdaptiveCapacity},
		{"Min above the default Max of a follower", []Option{WithAdaptiveCapacity(Adaptive{Min: 10, Max: 9, FollowGOMAXPROCS: true})}, ErrInvalidAdaptiveCapacity},
		{"a Max above math.MaxInt32", []Option{WithAdaptiveCapacity(Adaptive{Max: math.MaxInt32 + 1})}, ErrInvalidAdaptiveCapacity},
		{"a Min above math.MaxInt32", []Option{WithAdaptiveCapacity(Adaptive{Min: math.MaxInt32 + 1})}, ErrInvalidAdaptiveCapacity},
		{"PreAlloc", []Option{WithPreAlloc(true), WithAdaptiveCapacity(Adaptive{Max: 8})}, ErrAdaptivePreAlloc},
		{"PreAlloc through WithOptions", []Option{WithOptions(Options{PreAlloc: true, Adaptive: &Adaptive{}})}, ErrAdaptivePreAlloc},
	} {
		t.Run(tc.name+" is refused", func(t *testing.T) {
			for _, k := range faceKinds {
				p, err := k.build(2, 8, RoundRobin, tc.opts...)
				if !errors.Is(err, tc.want) {
					t.Errorf("%s: got %v; want %v", k.name, err, tc.want)
				}
				if p != nil {
					t.Errorf("%s: got a pool; want nil", k.name)
				}
			}
		})
	}
	t.Run("the error names the bounds", func(t *testing.T) {
		_, err := NewPool(0, WithAdaptiveCapacity(Adaptive{Min: 10, Max: 4}))
		if got, want := err.Error(), "invalid adaptive capacity: min 10 above max 4"; got != want {
			t.Errorf("Error(): got %q; want %q", got, want)
		}
	})
}

func TestAdaptiveStartingCapacity(t *testing.T) {
	procs := runtime.GOMAXPROCS(0)
	for _, tc := range []struct {
		size int
		a    Adaptive
		want int
	}{
		{0, Adaptive{}, 1},
		{0, Adaptive{Min: 4, Max: 512}, 4},
		{-3, Adaptive{Min: 4, Max: 512}, 4},
		{100, Adaptive{Min: 4, Max: 512}, 100},
		{1000, Adaptive{Min: 4, Max: 512}, 512},
		{2, Adaptive{Min: 4, Max: 512}, 4},
		{math.MaxInt32, Adaptive{}, math.MaxInt32},
		{100, Adaptive{FollowGOMAXPROCS: true}, procs},
		{0, Adaptive{Min: procs + 1, FollowGOMAXPROCS: true}, procs + 1},
		{0, Adaptive{Max: 1, FollowGOMAXPROCS: true}, 1},
	} {
		t.Run("size "+strconv.Itoa(tc.size)+" with "+strconv.Itoa(tc.a.Min)+"-"+strconv.Itoa(tc.a.Max), func(t *testing.T) {
			p, err := NewPool(tc.size, WithAdaptiveCapacity(tc.a))
			if err != nil {
				t.Fatalf("NewPool: got %v; want nil", err)
			}
			defer faceDrain(t, p)
			faceWant(t, "Cap()", p.Cap(), tc.want)
			faceWant(t, "Stats().Capacity", p.Stats().Capacity, tc.want)
		})
	}
}

func TestAdaptiveFaces(t *testing.T) {
	for _, k := range faceKinds {
		t.Run(k.name+" times its tasks and reports the controller's view", func(t *testing.T) {
			p := faceNew(t, k, 2, WithAdaptiveCapacity(Adaptive{Min: 2, Max: 8}))
			facePoll(t, "the controller decides", func() bool {
				if err := p.submit(func() { time.Sleep(100 * time.Microsecond) }); err != nil {
					t.Fatalf("Submit: got %v; want nil", err)
				}
				return !p.Stats().DecidedAt.IsZero()
			})
			s := p.Stats()
			if s.NoLoadRunTime < 100*time.Microsecond || s.RunTime < 100*time.Microsecond || s.Decision == DecisionNone {
				t.Errorf("Stats: got no-load %v, run time %v, decision %v; want both at least 100µs and a decision",
					s.NoLoadRunTime, s.RunTime, s.Decision)
			}
			if c := p.Cap(); c < 2*p.pools || c > 8*p.pools {
				t.Errorf("Cap(): got %d; want it within %d and %d", c, 2*p.pools, 8*p.pools)
			}
		})
		t.Run(k.name+" without the option reports no controller", func(t *testing.T) {
			p := faceNew(t, k, 2)
			gate, open := faceGate(t)
			open()
			faceWait(t, faceFill(t, p, 1, gate), "a task")
			s := p.Stats()
			if s.NoLoadRunTime != 0 || s.RunTime != 0 || s.Decision != DecisionNone || !s.DecidedAt.IsZero() {
				t.Errorf("Stats: got %v, %v, %v, %v; want zero values", s.NoLoadRunTime, s.RunTime, s.Decision, s.DecidedAt)
			}
		})
	}
}

func TestAdaptiveKeepsTheAntsSemantics(t *testing.T) {
	bounds := WithAdaptiveCapacity(Adaptive{Min: 2, Max: 2})
	t.Run("Nonblocking refuses a task beyond the capacity", func(t *testing.T) {
		for _, k := range faceKinds {
			p := faceNewMulti(t, k, 1, 0, RoundRobin, bounds, WithNonblocking(true))
			gate, open := faceGate(t)
			wg := faceFill(t, p, 2, gate)
			if err := p.submit(func() {}); !errors.Is(err, ErrPoolOverload) {
				t.Errorf("%s: Submit beyond the capacity: got %v; want ErrPoolOverload", k.name, err)
			}
			open()
			faceWait(t, wg, "the blocking tasks")
		}
	})
	t.Run("MaxBlockingTasks bounds the blocked submitters", func(t *testing.T) {
		for _, k := range faceKinds {
			p := faceNewMulti(t, k, 1, 0, RoundRobin, bounds, WithMaxBlockingTasks(1))
			gate, open := faceGate(t)
			wg := faceFill(t, p, 2, gate)
			blocked := faceAsync(func() error { return p.submit(func() {}) })
			facePoll(t, "a submitter blocks", func() bool { return p.Waiting() == 1 })
			if err := p.submit(func() {}); !errors.Is(err, ErrPoolOverload) {
				t.Errorf("%s: a second blocked Submit: got %v; want ErrPoolOverload", k.name, err)
			}
			open()
			faceWant(t, k.name+": the blocked Submit", faceRecv(t, blocked, "the blocked Submit"), nil)
			faceWait(t, wg, "the blocking tasks")
		}
	})
	t.Run("the queue holds tasks beyond the capacity", func(t *testing.T) {
		for _, k := range faceKinds {
			p := faceNewMulti(t, k, 1, 0, RoundRobin, bounds, WithQueueSize(3), WithNonblocking(true))
			gate, open := faceGate(t)
			wg := faceFill(t, p, 5, gate)
			if err := p.submit(func() {}); !errors.Is(err, ErrPoolOverload) {
				t.Errorf("%s: Submit beyond the capacity and the queue: got %v; want ErrPoolOverload", k.name, err)
			}
			open()
			faceWait(t, wg, "the queued tasks")
		}
	})
	t.Run("a Tune out of bounds is brought back by the next decision", func(t *testing.T) {
		p, err := NewPool(2, WithAdaptiveCapacity(Adaptive{Min: 2, Max: 4}))
		if err != nil {
			t.Fatalf("NewPool: got %v; want nil", err)
		}
		defer faceDrain(t, p)
		p.Tune(100)
		faceWant(t, "Cap() after Tune(100)", p.Cap(), 100)
		facePoll(t, "the capacity is back within [2, 4]", func() bool {
			if err := p.Submit(func() { time.Sleep(100 * time.Microsecond) }); err != nil {
				t.Fatalf("Submit: got %v; want nil", err)
			}
			return p.Cap() <= 4
		})
	})
}

func TestAdaptiveLifecycle(t *testing.T) {
	t.Run("Release stops the controller and Reboot starts a new one", func(t *testing.T) {
		p, err := NewPool(2, WithAdaptiveCapacity(Adaptive{Max: 8}))
		if err != nil {
			t.Fatalf("NewPool: got %v; want nil", err)
		}
		busy := func() bool {
			if err := p.Submit(func() { time.Sleep(100 * time.Microsecond) }); err != nil {
				t.Fatalf("Submit: got %v; want nil", err)
			}
			return !p.Stats().DecidedAt.IsZero()
		}
		facePoll(t, "the controller decides", busy)
		// ReleaseTimeout waits for the controller; goleak in TestMain
		// checks that it is gone.
		if err := p.ReleaseTimeout(faceTimeout); err != nil {
			t.Fatalf("ReleaseTimeout: got %v; want nil", err)
		}
		before := p.Stats().DecidedAt
		p.Reboot()
		defer faceDrain(t, p)
		facePoll(t, "the new controller decides", func() bool { return busy() && p.Stats().DecidedAt.After(before) })
	})
}

// BenchmarkAdaptiveTaskPath measures Invoke of a tiny function on a pool
// of 8 with and without adaptive capacity, the bounds pinned to 8 so that
// only the cost of timing differs.
func BenchmarkAdaptiveTaskPath(b *testing.B) {
	for _, tc := range []struct {
		name string
		opts []Option
	}{{"fixed", nil}, {"adaptive", []Option{WithAdaptiveCapacity(Adaptive{Min: 8, Max: 8})}}} {
		b.Run(tc.name, func(b *testing.B) {
			var wg sync.WaitGroup
			p, err := NewPoolWithFuncGeneric(8, func(int) { wg.Done() }, tc.opts...)
			if err != nil {
				b.Fatal(err)
			}
			wg.Add(b.N)
			b.ResetTimer()
			for i := range b.N {
				if err := p.Invoke(i); err != nil {
					b.Fatal(err)
				}
			}
			wg.Wait()
			b.StopTimer()
			if err := p.ReleaseTimeout(faceTimeout); err != nil {
				b.Fatal(err)
			}
		})
	}
}

// TestAdaptiveSeesABriefFull checks that the controller's signals record a
// submission that found the pool full even after it has gone: a window
// whose closing instant sees free slots still saw the limit bind.
func TestAdaptiveSeesABriefFull(t *testing.T) {
	p, err := NewPool(1)
	if err != nil {
		t.Fatalf("NewPool: got %v; want nil", err)
	}
	defer faceDrain(t, p)
	before := p.signals()
	release := make(chan struct{})
	started := make(chan struct{})
	if err := p.Submit(func() { close(started); <-release }); err != nil {
		t.Fatalf("Submit: got %v; want nil", err)
	}
	faceRecv(t, started, "the first task starts")
	done := make(chan error, 1)
	go func() { done <- p.Submit(func() {}) }()
	facePoll(t, "the second submitter finds the pool full", func() bool { return p.signals().fulls > before.fulls })
	close(release)
	if err := faceRecv(t, done, "the second Submit returns"); err != nil {
		t.Fatalf("Submit: got %v; want nil", err)
	}
	facePoll(t, "the pool has a free slot again", func() bool { return !p.signals().saturated })
	if s := p.signals(); s.fulls <= before.fulls {
		t.Errorf("signals after the full moment: fulls %d (before %d); want more than before", s.fulls, before.fulls)
	}
}

// fakeTunable is a pool for the tuner's unit tests: it counts Tunes.
type fakeTunable struct {
	c     int
	tunes int
}

func (f *fakeTunable) Cap() int         { return f.c }
func (f *fakeTunable) Tune(n int)       { f.c, f.tunes = n, f.tunes+1 }
func (f *fakeTunable) signals() signals { return signals{busy: true, saturated: true} }

// TestTunerGenerations checks that when Reboot starts a controller
// goroutine before the released life's one has stopped, the old one
// neither stops the tasks from ticking for the new life nor ticks itself.
func TestTunerGenerations(t *testing.T) {
	pool := &fakeTunable{c: 4}
	tu, _ := newTuner(pool, &Adaptive{}, 1, 64, 4)
	now := time.Now()
	old, _ := tu.begin(now)
	gen, _ := tu.begin(now) // Reboot's goroutine starts first
	tu.end(old)             // then the released life's one stops
	tu.mu.Lock()
	due := tu.due
	tu.mu.Unlock()
	if due.IsZero() {
		t.Fatalf("due after the old goroutine ended: zero; want the new life's")
	}
	later := now.Add(time.Hour)
	if wait := tu.watch(later, old); wait != watchLag || pool.tunes != 0 {
		t.Errorf("watch by the old goroutine: wait %v, %d Tunes; want %v and none", wait, pool.tunes, watchLag)
	}
	tu.end(gen)
	tu.mu.Lock()
	due = tu.due
	tu.mu.Unlock()
	if !due.IsZero() {
		t.Errorf("due after the newest goroutine ended: %v; want zero (no task decides)", due)
	}
}
