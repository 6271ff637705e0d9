package ants

import "sync/atomic"

// hitRate estimates how often a way of waiting for work pays off: the
// share of recent tries that succeeded, in 64ths, kept in one word and
// moved a quarter of the way towards 64 on a hit and towards 0 on a miss.
// A worker spins before it parks, and a submitter polls for a busy worker
// to take its task before it wakes a parked one, only while the estimate
// says that at least half the tries pay: spinning that finds nothing burns
// a core the program needs for other work, and polling that finds nothing
// delays the wake-up it ends with. Below that, one try in rateExplore goes
// ahead anyway, so the estimate notices when the load changes.
//
// Under a stream of short tasks nearly every try pays, the estimate stays
// at 64 and is not written; at the loads where tasks arrive less often
// than a spin lasts, it falls to 0 within a few tries, and workers park at
// once, as ants' workers do.
type hitRate struct {
	v     atomic.Int32
	tries atomic.Uint32 // counts the tries skipped, to pick the ones to explore
}

const (
	rateMax       = 64
	rateThreshold = rateMax / 2
	rateExplore   = 16
)

// pays reports whether to try.
func (h *hitRate) pays() bool {
	if h.v.Load() >= rateThreshold {
		return true
	}
	return h.tries.Add(1)%rateExplore == 0
}

// record counts one try.
func (h *hitRate) record(hit bool) {
	v := h.v.Load()
	n := v - (v+3)/4
	if hit {
		n = v + (rateMax-v+3)/4
	}
	if n != v {
		h.v.Store(n)
	}
}
