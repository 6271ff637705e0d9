package ants

import (
	"errors"
	"runtime"
	"sync"
	"testing"
	"time"
)

// Adaptive limits on sub-pools: bounds, starting limit, growth under load,
// and the controller's lifecycle, which follows both the sub-pool and its
// pool.

func TestAdaptiveSubpoolBounds(t *testing.T) {
	p := newSubTestPool(t, 8)
	if _, err := p.NewSubpool(4, WithAdaptiveCapacity(Adaptive{Min: 5, Max: 2})); !errors.Is(err, ErrInvalidAdaptiveCapacity) {
		t.Fatalf("NewSubpool with Min above Max: got %v; want ErrInvalidAdaptiveCapacity", err)
	}
	s := newSub(t, p, 0, WithAdaptiveCapacity(Adaptive{Min: 3, Max: 100}))
	if got := s.Cap(); got != 3 {
		t.Errorf("a limit of 0 starts at Min: Cap() = %d; want 3", got)
	}
	s = newSub(t, p, 50, WithAdaptiveCapacity(Adaptive{Min: 1, Max: 100}))
	if got := s.Cap(); got != 8 {
		t.Errorf("a start above the pool's capacity is capped by it: Cap() = %d; want 8", got)
	}
	f := newSub(t, p, 1, WithAdaptiveCapacity(Adaptive{FollowGOMAXPROCS: true}))
	if got, want := f.Cap(), min(runtime.GOMAXPROCS(0), 8); got != want {
		t.Errorf("FollowGOMAXPROCS: Cap() = %d; want %d", got, want)
	}
	// The pool's own adaptive capacity does not carry over to a sub-pool.
	ap, err := NewPool(8, WithAdaptiveCapacity(Adaptive{Min: 8, Max: 8}))
	if err != nil {
		t.Fatal(err)
	}
	defer faceDrain(t, ap)
	plain, err := ap.NewSubpool(2)
	if err != nil {
		t.Fatal(err)
	}
	if plain.tuner != nil || plain.Cap() != 2 {
		t.Errorf("a sub-pool of an adaptive pool without the option: tuner %v, Cap() %d; want none and 2", plain.tuner, plain.Cap())
	}
}

// TestAdaptiveSubpoolGrows keeps a sub-pool that starts at 1 saturated with
// tasks whose run time does not depend on the limit: its controller must
// raise the limit, which never exceeds its bounds.
func TestAdaptiveSubpoolGrows(t *testing.T) {
	p := newSubTestPool(t, 16)
	s := newSub(t, p, 1, WithAdaptiveCapacity(Adaptive{Min: 1, Max: 6}))
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				_ = s.Submit(func() { time.Sleep(200 * time.Microsecond) })
			}
		}()
	}
	facePoll(t, "the sub-pool's limit grows", func() bool { return s.Cap() > 1 })
	close(stop)
	faceWait(t, &wg, "the submitters")
	if c := s.Cap(); c < 1 || c > 6 {
		t.Fatalf("Cap() = %d; want within [1, 6]", c)
	}
	if st := s.Stats(); st.Decision == DecisionNone || st.RunTime == 0 {
		t.Errorf("Stats() = %+v; want the controller's view (a decision and a run time)", st)
	}
}

// TestAdaptiveSubpoolLifecycle checks that the controller of a sub-pool
// stops with the sub-pool's Release and with its pool's, and starts again
// with the pool's Reboot: goleak (TestMain) sees any that is left.
func TestAdaptiveSubpoolLifecycle(t *testing.T) {
	p, err := NewPool(4)
	if err != nil {
		t.Fatal(err)
	}
	s, err := p.NewSubpool(2, WithAdaptiveCapacity(Adaptive{FollowGOMAXPROCS: true}))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.ReleaseTimeout(faceTimeout); err != nil {
		t.Fatalf("the pool's ReleaseTimeout with an adaptive sub-pool: %v", err)
	}
	p.Reboot()
	facePoll(t, "the sub-pool's controller decides again after Reboot", func() bool {
		return s.Stats().Decision != DecisionNone
	})
	if err := s.ReleaseTimeout(faceTimeout); err != nil {
		t.Fatalf("the sub-pool's ReleaseTimeout: %v", err)
	}
	if err := p.ReleaseTimeout(faceTimeout); err != nil {
		t.Fatalf("the pool's ReleaseTimeout: %v", err)
	}
}
