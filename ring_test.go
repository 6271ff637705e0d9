package ants

import "testing"

// TestRingReadyAfterConcurrentPop: a worker that read the head just before
// another popped it finds the cell already on its next lap. The ring is
// not empty for that: the value behind must still be reported, or the
// worker would not pass it on (engine invariant 3), and with every other
// worker busy it would wait for an unrelated task to finish (seen as
// TestConserveBarrier's multi-pool cases stalling, rarely, on a loaded
// host).
func TestRingReadyAfterConcurrentPop(t *testing.T) {
	r := newRing[int](4, false)
	for v := range 2 {
		c, pos := r.reserve()
		if c == nil {
			t.Fatalf("reserve %d: ring full", v)
		}
		r.fill(c, pos, v, nil, nil)
	}
	stale := r.head.Load() // what a looker read before the pop below
	if v, _, _, ok := r.pop(); !ok || v != 0 {
		t.Fatalf("pop = %d, %v; want 0, true", v, ok)
	}
	if !r.readyFrom(stale) {
		t.Error("readyFrom(the head before a pop) = false with a value still queued; want true")
	}
	if _, _, _, ok := r.pop(); !ok {
		t.Fatal("second pop found nothing")
	}
	if r.readyFrom(stale) || r.ready() {
		t.Error("ready = true on an empty ring; want false")
	}
}
