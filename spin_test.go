package ants

import "testing"

func TestHitRate(t *testing.T) {
	var h hitRate
	h.v.Store(rateMax)
	if !h.pays() {
		t.Fatal("a fresh estimate does not pay; want it to (pools start by spinning)")
	}
	misses := 0
	for h.pays() && misses < 100 {
		h.record(false)
		misses++
	}
	if misses > 4 {
		t.Errorf("it took %d misses in a row to stop trying; want at most 4", misses)
	}
	tried := 0
	for range 10 * rateExplore {
		if h.pays() {
			tried++
		}
	}
	if tried != 10 {
		t.Errorf("below the threshold it tried %d times in %d; want one in %d", tried, 10*rateExplore, rateExplore)
	}
	for range 10 {
		h.record(false)
	}
	if got := h.v.Load(); got != 0 {
		t.Errorf("after many misses the estimate is %d; want 0", got)
	}
	hits := 0
	for !h.pays() || h.v.Load() < rateThreshold {
		h.record(true)
		hits++
	}
	if hits > 3 {
		t.Errorf("it took %d hits in a row to try again; want at most 3", hits)
	}
	for range 20 {
		h.record(true)
	}
	if got := h.v.Load(); got != rateMax {
		t.Errorf("after many hits the estimate is %d; want %d", got, rateMax)
	}
}
