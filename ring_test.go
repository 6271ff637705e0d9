package ants

import (
	"context"
	"testing"
)

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

// TestRingSideLaneAndLabels: what a task carries beside its cell comes out
// with it, lap after lap, though a pop leaves the lane in place (ring.side):
// a task of another lane, or of the pool itself (nil), must not come out
// with the lane a task of the last lap left there. The labels are cleared
// by the pop, so the ring keeps no context of a finished task.
func TestRingSideLaneAndLabels(t *testing.T) {
	for _, mixed := range []bool{false, true} {
		r := newRing[int](2, true)
		r.mixed = mixed
		relCheckSide(t, r)
	}
}

func relCheckSide(t *testing.T, r *ring[int]) {
	a, b := &lane[int]{}, &lane[int]{}
	lc := context.WithValue(context.Background(), ringTestKey{}, "x")
	steps := []struct {
		lane   *lane[int]
		labels context.Context
	}{
		{a, lc}, {a, nil}, {a, nil}, {nil, nil}, {b, lc}, {b, nil}, {a, nil}, {nil, lc}, {nil, nil},
	}
	for i, s := range steps {
		c, pos := r.reserve()
		if c == nil {
			t.Fatalf("step %d: ring full", i)
		}
		r.fill(c, pos, i, s.lane, s.labels)
		v, l, got, ok := r.pop()
		if !ok || v != i || l != s.lane || got != s.labels {
			t.Fatalf("mixed=%v, step %d: pop = %d, lane %p, labels %v, %v; want %d, lane %p, labels %v, true", r.mixed, i, v, l, got, ok, i, s.lane, s.labels)
		}
		for j, x := range *r.side.Load() {
			if x.labels != nil {
				t.Fatalf("mixed=%v, step %d: side[%d] keeps the labels of a popped task", r.mixed, i, j)
			}
		}
	}
}

type ringTestKey struct{}
