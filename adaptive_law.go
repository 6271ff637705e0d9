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
//   - cuts the limit to X·b, less lawUndershoot, when rt exceeds b by more
//     than lawTolerance in two windows in a row (one slow window is as
//     likely a busy machine): the tasks queue behind the server, and X·b is
//     where they stop queueing (a cut is at most half the limit, so that
//     one odd window cannot collapse the pool);
//   - grows it while rt stays within lawTolerance of b and the limit binds
//     (submitters wait, tasks queue or are refused, or every slot is busy):
//     until its first cut it multiplies the limit by lawSlowStart each
//     window, as TCP's slow start does; after that, by
//     capacity/lawGrowDivisor (at least one) at
//     first and by twice the previous step on each further growth since
//     the last cut, but at most half of lawTolerance of the limit, so that
//     it finds a moved knee in a logarithmic number of windows and
//     overshoots a knee it has found by little;
//   - holds it otherwise: a limit that does not bind has nothing to learn.
//
// A cut is undone in the next window if the run time did not fall by at
// least half of what the cut would remove from a queue: then it was the
// machine that was slow (a busy host delays every task alike), not the
// server, and cutting further would only walk the limit down.
//
// b is the lowest mean run time of any window. That estimate only falls,
// so it is raised when it proves stale: when the law halved the limit, the
// concurrency fell by lawLever or more, and the run time fell by less than
// half of what queueing would explain, did not rise, and still looks
// queued, then the run time has no queueing in it and becomes b. Until
// such evidence exists (a pool that starts above Min under load has never
// seen its no-load run time), the law halves the limit on every window in
// which it binds, and once the evidence comes it returns to the knee of
// the best throughput seen meanwhile.
//
// Tasks shorter than lawFloor are sized by throughput instead (climb).
//
// On a steady server of K slots (the model of adaptive_law_test.go) this
// settles into a cycle of six or seven windows, from 0.97·K up in steps
// of K/32, K/16 and then 10 % to the first limit above 1.2·K, held there
// one more window, and back: the limit stays within [0.96·K, max(K+7,
// 1.3·K)], the mean throughput within about 1 % of K/b and the run time
// within 30 % of b. The tests hold the law to that band for knees from 1
// to 1000.
const (
	// lawTolerance is how far above its no-load value the mean run time of
	// a window may be before the law calls it queueing. On a machine
	// shared with other work a window's mean run time moves by several
	// percent from one window to the next, and a false alarm costs little,
	// since the cut goes to X·b, about where the limit already is; a true
	// queue of 20 % costs at most 20 % of run time for no throughput.
	lawTolerance = 0.2
	// lawUndershoot is how far below X·b a cut goes. An estimate b that
	// is a little too high would otherwise keep the limit above the knee,
	// where the run time never shows the true b; a cut below the knee
	// shows it, at the cost of a few windows of 3 % less throughput per
	// cycle.
	lawUndershoot = 0.03
	// lawGrowDivisor sets the first step of a run of growths:
	// capacity/lawGrowDivisor, at least one.
	lawGrowDivisor = 32
	// lawSlowStart is the factor by which the limit grows each window
	// until the law first cuts it (or, for tasks under lawFloor, first
	// takes a growth back). A window of the slow start lasts two run
	// times (startRuns in adaptive.go), so this is TCP's slow start,
	// which doubles each round trip; doubling in windows of four run
	// times took a pool of 10 ms tasks from 1 to 8,192 in 13 windows,
	// more than half a second.
	lawSlowStart = 4
	// lawFloor is the shortest mean run time the law reads as a sign of
	// queueing. Below it a task takes about as long as the pool takes to
	// hand it over, its run time moves with the cache and the scheduler
	// rather than with a queue, and the capacity is not what limits the
	// pool; the law then climbs on throughput instead (see climb).
	lawFloor = 20 * time.Microsecond
	// lawClimb is the fall in throughput, as a fraction, after which a
	// growth of the limit is taken back when the tasks are under lawFloor.
	// Throughput moves by several percent from window to window on a
	// busy host, so a smaller fall proves nothing.
	lawClimb = 0.1
	// lawCeilingAge is how many windows a limit whose growth cost
	// throughput stays a ceiling, before the law tries again; each growth
	// that is taken back again doubles it, up to lawCeilingMaxAge, and a
	// growth that holds resets it. One noisy window (a busy host) so costs
	// a pool of tiny tasks a few windows at a lower limit, not a long run
	// of them, and a growth that truly costs throughput is tried at most
	// once every lawCeilingMaxAge windows once the law knows it.
	lawCeilingAge    = 8
	lawCeilingMaxAge = 64
	// lawLever is the fall in concurrency, as a fraction, that makes a
	// window comparable with the one before it when the law checks its
	// no-load estimate; the law must also have halved the limit. A
	// smaller fall would let the noise of a busy machine pass for a run
	// time that did not respond, and raise b for nothing.
	lawLever = 0.6
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
	congested bool          // the law has cut since it started: growth is gentle
	suspect   bool          // the last window looked queued
	cutFrom   int           // the limit before the last decision, if it was a cut
	cutRT     time.Duration // the run time that made the law cut
	step      int           // the next growth step; 0 after any decision but a growth
	prev      observation   // the window before, if prev.runTime > 0
	peak      float64       // best throughput (tasks per ns) while unconfirmed

	// For tasks under lawFloor, which climb on throughput instead.
	grewFrom int     // the limit before the last decision, if it was a growth
	grewX    float64 // the throughput before that growth
	doubted  bool    // the window after that growth fell short of grewX
	failed   bool    // a growth was taken back: the slow start is over
	// starting says that the last decision was a growth of the slow
	// start: the next window may be shorter (see startRuns).
	starting bool
	ceiling  int // a limit whose growth bought nothing; 0 if none
	ceilAge  int // windows since the ceiling was set
	ceilSpan int // windows the ceiling lasts; 0 once a growth holds
}

// decide returns the limit for the next window and what it did.
func (l *law) decide(o observation) (int, Decision) {
	l.starting = false
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
	if o.runTime < lawFloor {
		return l.climb(o, x)
	}
	l.grewFrom, l.doubted = 0, false
	if c <= l.min {
		l.confirmed = true // there is no lower limit to compare with
	}
	if prev.runTime > 0 && 2*c <= prev.capacity+1 && o.inFlight <= lawLever*prev.inFlight && l.stale(o, prev) {
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
	if !l.confirmed {
		l.peak = max(l.peak, x)
		if o.saturated && c > l.min {
			return l.clamp(c / 2), DecisionShrink
		}
		return c, DecisionHold
	}
	l.peak = 0
	if from := l.cutFrom; from > 0 {
		l.cutFrom = 0
		if c < from && rt > float64(l.cutRT)*(1-(1-float64(c)/float64(from))/2) {
			// The cut did not shorten the run time as a queue would have:
			// the machine was slow, not the server. Undo it.
			l.suspect = false
			return l.clamp(from), DecisionGrow
		}
	}
	b := float64(l.noLoad)
	queued := rt > b*(1+lawTolerance)
	suspect := l.suspect
	l.suspect = queued && !suspect
	switch {
	case l.suspect:
		// One window can be slow because the machine was busy; a queue
		// shows in the next window too.
		return c, DecisionHold
	case queued:
		l.step = 0
		l.congested = true
		// Both windows were queued: the better throughput of the two is
		// the server's, the other may have lost some to a busy machine.
		if suspect && prev.runTime > 0 {
			x = max(x, prev.inFlight/float64(prev.runTime))
		}
		knee := int(math.Ceil(x * b * (1 - lawUndershoot)))
		n := l.clamp(min(max(knee, c/2), c-1))
		if n >= c {
			return c, DecisionHold
		}
		l.cutFrom, l.cutRT = c, o.runTime
		return n, DecisionShrink
	case o.saturated && c < l.max:
		if l.step == 0 {
			l.step = max(1, c/lawGrowDivisor)
		}
		step := min(l.step, c)
		if l.congested {
			// Near a knee seen before: at most half the tolerance.
			step = min(step, max(1, int(float64(c)*lawTolerance/2)))
		} else {
			// No knee seen yet: slow start.
			step, l.starting = (lawSlowStart-1)*c, true
		}
		l.step = twice(l.step)
		return l.up(c, step), DecisionGrow
	}
	// The limit did not bind in this window, or it is at Max. The run of
	// growths goes on when it binds again: whether a window sees the pool
	// full is a matter of the instant when it closes.
	return c, DecisionHold
}

// climb decides for tasks shorter than lawFloor, whose run time tells
// nothing about a queue: it grows the limit while the limit binds (by
// lawSlowStart until a growth is first taken back, then by doubling), and
// takes back a growth after which the throughput fell by lawClimb or more
// in two windows in a row, keeping the limit before it as a ceiling for
// lawCeilingAge windows, or twice as many as the ceiling before if this
// growth was a retry that failed too (at most lawCeilingMaxAge). More
// workers than the work needs cost a pool of tiny tasks wake-ups and cache
// misses.
func (l *law) climb(o observation, x float64) (int, Decision) {
	c := o.capacity
	l.confirmed, l.suspect, l.cutFrom = true, false, 0
	if from := l.grewFrom; from > 0 {
		if from < c && x < l.grewX*(1-lawClimb) {
			if !l.doubted {
				// One slow window is as likely a busy host: the
				// growth is judged on the next one too.
				l.doubted = true
				return c, DecisionHold
			}
			l.grewFrom, l.doubted, l.failed = 0, false, true
			l.ceilSpan = min(2*max(l.ceilSpan, lawCeilingAge/2), lawCeilingMaxAge)
			l.ceiling, l.ceilAge, l.step = from, 0, 0
			return from, DecisionShrink
		}
		l.grewFrom, l.doubted = 0, false
		l.ceilSpan = 0 // the growth held
	}
	if l.ceiling > 0 {
		if l.ceilAge++; l.ceilAge > l.ceilSpan {
			l.ceiling = 0
		}
	}
	if !o.saturated || c >= l.max || (l.ceiling > 0 && c >= l.ceiling) {
		return c, DecisionHold
	}
	step := (lawSlowStart - 1) * c // no growth has failed yet: slow start
	l.starting = !l.failed
	if l.failed {
		if l.step == 0 {
			l.step = c
		}
		step = min(l.step, c)
		l.step = twice(l.step)
	}
	l.grewFrom, l.grewX = c, x
	return l.up(c, step), DecisionGrow
}

// up returns c raised by step, within [min, max], without overflow.
func (l *law) up(c, step int) int {
	if step > l.max-c {
		return l.max
	}
	return l.clamp(c + step)
}

// twice returns 2n, or n if that would pass math.MaxInt32.
func twice(n int) int {
	if n > math.MaxInt32/2 {
		return n
	}
	return 2 * n
}

// stale reports whether window o, in which the limit and the concurrency
// fell by half and by lawLever from window prev, shows that the run time has no
// queueing in it: queueing would have shortened it in proportion to the
// concurrency, and it fell by less than half of that. A run time that rose
// is no evidence (what the tasks call changed under them), and a confirmed
// estimate is only replaced if the run time still looks queued.
func (l *law) stale(o, prev observation) bool {
	rt, before := float64(o.runTime), float64(prev.runTime)
	queued := before * (1 - o.inFlight/prev.inFlight)
	if rt <= before-queued/2 || rt > before*(1+lawTolerance) {
		return false
	}
	return !l.confirmed || rt > float64(l.noLoad)*(1+lawTolerance)
}

// clamp bounds n to [min, max].
func (l *law) clamp(n int) int { return min(max(n, l.min), l.max) }
