package ants

import "testing"

// A worker on its way to park looks at the ring once more (pending) after
// it is on the stack: a submitter that pushed before it could see the
// worker counts on that look (engine invariant 4). If another submitter,
// which did see the worker on the stack, pops it for its own task in
// between, the worker is the taker of both tasks: it must pass on, or the
// second task waits for an unrelated task to finish. These tests put the
// waker inside pending, where the race puts it.

func TestIdleParkWokenWhilePendingPassesOn(t *testing.T) {
	for _, why := range []wakeUp{wakeTask, wakeChain} {
		var s idleStack
		w := newParked()
		got := s.park(w, &life{}, func() bool {
			if !s.wake(why) {
				t.Fatalf("wake(%d): found no parked worker", why)
			}
			return true
		})
		if got != wakeChain {
			t.Errorf("woken for %d while a task was pending: park = %d; want wakeChain (%d)", why, got, wakeChain)
		}
		if n := s.size.Load(); n != 0 {
			t.Errorf("stack size = %d after the wake; want 0", n)
		}
	}
}

func TestIdleParkEvictedWhilePendingExits(t *testing.T) {
	var s idleStack
	w := newParked()
	got := s.park(w, &life{}, func() bool {
		s.evictOldest(-1) // the purger or Release takes every parked worker
		return true
	})
	if got != wakeExit {
		t.Errorf("evicted while a task was pending: park = %d; want wakeExit (%d)", got, wakeExit)
	}
}

func TestIdleParkPendingTakesItself(t *testing.T) {
	var s idleStack
	w := newParked()
	if got := s.park(w, &life{}, func() bool { return true }); got != wakeChain {
		t.Errorf("a task pending and nobody waking: park = %d; want wakeChain (%d)", got, wakeChain)
	}
	if n := s.size.Load(); n != 0 {
		t.Errorf("stack size = %d after the worker took itself off; want 0", n)
	}
}
