//go:build go1.25

// The //go:debug asynctimerchan=0 that synctest needs is in
// purge_synctest_test.go: a package may set it only once.

package ants

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// These tests run adaptive pools on the fake clock of testing/synctest (Go
// 1.25): a task's run time is exactly what its sleeps and waits add up to,
// so the controller sees the run times of the model and the tests can hold
// it to the band that adaptive_law.go promises.

// backend is a server of k slots that a task holds for d each; the tasks
// beyond k wait for a slot, first come first served.
type backend struct {
	slots chan struct{}
	d     time.Duration
}

// retryAfter is how long a refused submitter of loaded waits.
const retryAfter = 250 * time.Microsecond

func newBackend(k int, d time.Duration) *backend {
	return &backend{slots: make(chan struct{}, k), d: d}
}

func (b *backend) call() {
	b.slots <- struct{}{}
	time.Sleep(b.d)
	<-b.slots
}

// loaded runs check inside a synctest bubble on a pool built with size and
// options, while four goroutines keep submitting the task that newTask
// builds in the bubble (channels made outside it do not block durably, so
// the fake clock would not move). The pool is
// Nonblocking and a refused submitter tries again after retryAfter: a
// submitter blocked in Submit would wait on a channel that the pool keeps
// for reuse, and a channel made in one bubble cannot be used in another.
func loaded(t *testing.T, size int, newTask func() func(), check func(t *testing.T, p *Pool), opts ...Option) {
	t.Helper()
	synctest.Test(t, func(t *testing.T) {
		task := newTask()
		p, err := NewPool(size, append(opts, WithNonblocking(true))...)
		if err != nil {
			t.Fatalf("NewPool: got %v; want nil", err)
		}
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					switch err := p.Submit(task); {
					case errors.Is(err, ErrPoolOverload):
						time.Sleep(retryAfter)
					case err != nil && !errors.Is(err, ErrPoolClosed):
						t.Errorf("Submit: got %v; want nil", err)
						return
					}
				}
			}()
		}
		check(t, p)
		close(stop)
		if err := p.ReleaseTimeout(time.Minute); err != nil {
			t.Errorf("ReleaseTimeout: got %v; want nil", err)
		}
		wg.Wait()
	})
}

// capacities samples p's capacity every step for n steps.
func capacities(p *Pool, step time.Duration, n int) []int {
	out := make([]int, n)
	for i := range out {
		time.Sleep(step)
		out[i] = p.Cap()
	}
	return out
}

// inBand reports an error unless every capacity in cs is within
// [0.9·k, max(k+9, 1.4·k)]. That is wider than the band of the law on its
// model (see band): a real pool measures a window that opens right after a
// growth before the backend's queue has built up, so it may grow once more
// than the model does. It does not stop the test, which must still release
// its pool.
func inBand(t *testing.T, what string, cs []int, k int) {
	t.Helper()
	lo, hi := int(0.9*float64(k)), max(k+9, int(1.4*float64(k)))
	for i, c := range cs {
		if c < lo || c > hi {
			t.Errorf("%s at sample %d: got %d; want it in [%d, %d] (all: %v)", what, i, c, lo, hi, cs)
			return
		}
	}
}

func TestAdaptiveOnTheFakeClock(t *testing.T) {
	t.Run("it grows to Max while the run time stays flat", func(t *testing.T) {
		sleep := func() func() { return func() { time.Sleep(5 * time.Millisecond) } }
		loaded(t, 0, sleep, func(t *testing.T, p *Pool) {
			time.Sleep(2 * time.Second)
			if got := p.Cap(); got != 64 {
				t.Errorf("Cap() after 2s: got %d; want 64", got)
			}
			s := p.Stats()
			if s.NoLoadRunTime != 5*time.Millisecond || s.RunTime != 5*time.Millisecond {
				t.Errorf("Stats run times: got no-load %v, last %v; want 5ms and 5ms", s.NoLoadRunTime, s.RunTime)
			}
			if s.Decision != DecisionHold || s.DecidedAt.IsZero() {
				t.Errorf("Stats decision at Max: got %v at %v; want hold at a set time", s.Decision, s.DecidedAt)
			}
		}, WithAdaptiveCapacity(Adaptive{Min: 1, Max: 64}))
	})
	t.Run("its tasks drive it, not a goroutine's wake-ups", func(t *testing.T) {
		// The controller's goroutine looks only watchLag after a tick is
		// due; in less time than that, only the timed tasks can have
		// decided anything.
		sleep := func() func() { return func() { time.Sleep(5 * time.Millisecond) } }
		loaded(t, 1, sleep, func(t *testing.T, p *Pool) {
			start := time.Now()
			time.Sleep(watchLag / 4)
			if got := p.Cap(); got < 16 {
				t.Errorf("Cap() %v after start from 1: got %d; want 16 or more", watchLag/4, got)
			}
			if at := p.Stats().DecidedAt; at.Sub(start) < watchLag/8 {
				t.Errorf("Stats().DecidedAt: %v after start; want the decisions to go on past %v", at.Sub(start), watchLag/8)
			}
		}, WithAdaptiveCapacity(Adaptive{Min: 1, Max: 64}))
	})
	for _, tc := range []struct {
		name  string
		size  int
		k     int
		maxCp int
	}{
		{"it shrinks from Max to the knee when the run time rises with concurrency", 256, 24, 256},
		{"it grows from Min to the knee and no further", 1, 24, 256},
		{"it finds a knee of one and never goes below one", 64, 1, 64},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const d = 2 * time.Millisecond
			call := func() func() { return newBackend(tc.k, d).call }
			loaded(t, tc.size, call, func(t *testing.T, p *Pool) {
				time.Sleep(3 * time.Second)
				inBand(t, "Cap()", capacities(p, 10*time.Millisecond, 100), tc.k)
				if got := p.Stats().NoLoadRunTime; got != d {
					t.Errorf("Stats().NoLoadRunTime: got %v; want %v", got, d)
				}
			}, WithAdaptiveCapacity(Adaptive{Min: 1, Max: tc.maxCp}))
		})
	}
	t.Run("it follows the knee when it doubles and halves", func(t *testing.T) {
		var (
			mu           sync.Mutex
			b            *backend
			small, large *backend
		)
		call := func() func() {
			small, large = newBackend(16, 2*time.Millisecond), newBackend(32, 2*time.Millisecond)
			b = small
			return func() {
				mu.Lock()
				bb := b
				mu.Unlock()
				bb.call()
			}
		}
		set := func(to *backend) {
			mu.Lock()
			b = to
			mu.Unlock()
		}
		loaded(t, 1, call, func(t *testing.T, p *Pool) {
			time.Sleep(2 * time.Second)
			for _, step := range []struct {
				b *backend
				k int
			}{{large, 32}, {small, 16}} {
				set(step.b)
				time.Sleep(time.Second)
				inBand(t, fmt.Sprintf("Cap() at knee %d", step.k), capacities(p, 10*time.Millisecond, 100), step.k)
			}
		}, WithAdaptiveCapacity(Adaptive{Max: 256}))
	})
}

func TestFollowGOMAXPROCSOnTheFakeClock(t *testing.T) {
	defer runtime.SetDefaultGOMAXPROCS()
	synctest.Test(t, func(t *testing.T) {
		runtime.GOMAXPROCS(3)
		p, err := NewPool(100, WithAdaptiveCapacity(Adaptive{Max: 4, FollowGOMAXPROCS: true}))
		if err != nil {
			t.Fatalf("NewPool: got %v; want nil", err)
		}
		if got := p.Cap(); got != 3 {
			t.Errorf("Cap() at GOMAXPROCS 3: got %d; want 3", got)
		}
		for _, tc := range []struct{ procs, want int }{{1, 1}, {2, 2}, {8, 4}, {3, 3}} {
			runtime.GOMAXPROCS(tc.procs)
			time.Sleep(followPeriod / 2)
			synctest.Wait()
			if got := p.Cap(); got == tc.want {
				t.Errorf("Cap() half a period after GOMAXPROCS %d: got %d; want the old capacity", tc.procs, got)
			}
			time.Sleep(followPeriod / 2)
			synctest.Wait()
			if got := p.Cap(); got != tc.want {
				t.Errorf("Cap() a period after GOMAXPROCS %d: got %d; want %d", tc.procs, got, tc.want)
			}
		}
		if s := p.Stats(); s.Decision != DecisionShrink || s.NoLoadRunTime != 0 {
			t.Errorf("Stats after going from 4 to 3: got decision %v, no-load %v; want shrink and 0", s.Decision, s.NoLoadRunTime)
		}
		if err := p.ReleaseTimeout(time.Minute); err != nil {
			t.Errorf("ReleaseTimeout: got %v; want nil", err)
		}
	})
}
