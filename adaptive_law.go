package ants

import (
	"math"
	"time"
)

// The control law of an adaptive pool, free of clocks and goroutines so
// that it can be tested on made-up observations. The tuner (adaptive.go)
// measures windows of the pool's life and feeds them to decide.
//
// The law models what lies behind the tasks (a database, a disk, a remote
// service) as a server of K slots: while fewer than K tasks run, a task
// takes its no-load run time b and the pool's throughput rises with its
// concurrency; beyond K, the extra tasks queue in the server, the
// throughput X stays at K/b and the run time grows with the queue. So the
// knee is K = X·b, the product of the throughput and the no-load run time
// (TCP's bandwidth-delay product), and by Little's law X·b = L·b/rt for a
// window with L tasks in flight and a mean run time rt, which needs no
// knowledge of K. Each window the law
//
//   - cuts the limit to X·b when rt exceeds b by more than lawTolerance:
//     the tasks queue behind the server, and X·b is where they stop
//     queueing (a cut is at most half the limit, so that one odd window
//     cannot collapse the pool);
//   - grows it while rt stays within lawTolerance of b and the limit binds
//     (submitters wait, tasks queue or are refused, or every slot is busy),
//     by capacity/lawGrowDivisor (at least one) at first and by twice the
//     previous step on each further growth in a row, so that it finds a far
//     knee in a logarithmic number of windows and a near one in a few;
//   - holds it otherwise: a limit that does not bind has nothing to learn.
//
// b is the lowest mean run time of any window. That estimate only falls,
// so it is raised when it proves stale: when the concurrency fell by at
// least lawLever and the run time fell by less than half of what queueing
// would explain, the run time has no queueing in it and becomes b. Until
// such evidence exists (a pool that starts above Min under load has never
// seen its no-load run time), the law halves the limit on every window in
// which it binds, and once the evidence comes it returns to the knee of
// the best throughput seen meanwhile.
//
// On a steady server of K slots this settles into a cycle of at most three
// windows, from K up by one step of max(1, K/32) and then by two more, and
// back to K: the limit stays within [K, max(K+3, 1.1·K)], the throughput
// at K/b and the run time within 10 % of b (15 % for 20 ≤ K < 32, where
// three steps of one are more than K/20).
const (
	// lawTolerance is how far above its no-load value the mean run time of
	// a window may be before the law calls it queueing. A window's mean
	// over tens of tasks varies by a few percent on a busy machine; a
	// false alarm costs little, since the cut goes to X·b, about where the
	// limit already is.
	lawTolerance = 0.05
	// lawGrowDivisor sets the first step of a run of growths:
	// capacity/lawGrowDivisor, at least one.
	lawGrowDivisor = 32
	// lawLever is the fall in concurrency, as a fraction, that makes a
	// window comparable with the one before it when the law checks its
	// no-load estimate.
	lawLever = 0.9
)

// observation is what the tuner measured over one window.
type observation struct {
	capacity  int           // the limit the law adjusts
	runTime   time.Duration // mean run time of the tasks timed in the window
	inFlight  float64       // mean tasks running: throughput × runTime
	saturated bool          // the limit bound during the window
}

// law is the state of the control law of one pool.
type law struct {
	min, max int

	noLoad    time.Duration // b: the no-load run time, 0 until the first window
	confirmed bool          // b was seen without queueing in it
	step      int           // the next growth step; 0 after any decision but a growth
	prev      observation   // the window before, if prev.runTime > 0
	peak      float64       // best throughput (tasks per ns) while unconfirmed
}

// decide returns the limit for the next window and what it did.
func (l *law) decide(o observation) (int, Decision) {
	c := o.capacity
	// Tune may have moved the limit out of bounds: bring it back first.
	if c < l.min {
		return l.min, DecisionGrow
	}
	if c > l.max {
		return l.max, DecisionShrink
	}
	rt := float64(o.runTime)
	x := o.inFlight / rt // throughput, tasks per nanosecond
	prev := l.prev
	l.prev = o
	if l.noLoad == 0 || o.runTime < l.noLoad {
		l.noLoad = o.runTime
	}
	if c <= l.min {
		l.confirmed = true // there is no lower limit to compare with
	}
	if prev.runTime > 0 && o.inFlight <= lawLever*prev.inFlight {
		// Queueing would have cut the run time in proportion to the
		// concurrency; a run time that fell by less than half of that is
		// (nearly) the no-load one.
		queued := float64(prev.runTime) * (1 - o.inFlight/prev.inFlight)
		if rt > float64(prev.runTime)-queued/2 {
			l.noLoad = min(o.runTime, prev.runTime)
			if !l.confirmed {
				l.confirmed = true
				l.step = 0
				knee := l.clamp(int(math.Ceil(max(l.peak, x) * float64(l.noLoad))))
				if knee > c {
					return knee, DecisionGrow
				}
				return c, DecisionHold
			}
		}
	}
	if !l.confirmed {
		l.peak = max(l.peak, x)
		if o.saturated && c > l.min {
			return l.clamp(c / 2), DecisionShrink
		}
		return c, DecisionHold
	}
	l.peak = 0
	b := float64(l.noLoad)
	switch {
	case rt > b*(1+lawTolerance):
		l.step = 0
		knee := int(math.Ceil(x * b))
		n := l.clamp(min(max(knee, c/2), c-1))
		if n >= c {
			return c, DecisionHold
		}
		return n, DecisionShrink
	case o.saturated && c < l.max:
		if l.step == 0 {
			l.step = max(1, c/lawGrowDivisor)
		}
		n := l.clamp(c + min(l.step, c))
		l.step *= 2
		return n, DecisionGrow
	}
	l.step = 0
	return c, DecisionHold
}

// clamp bounds n to [min, max].
func (l *law) clamp(n int) int { return min(max(n, l.min), l.max) }
