package ants

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Adaptive configures a pool that sets its own capacity; pass it to
// [WithAdaptiveCapacity]. Zero fields take their defaults, so Adaptive{}
// is a valid configuration: a capacity between 1 and math.MaxInt32 driven
// by the run time of the tasks.
//
// # Following the run time
//
// Without FollowGOMAXPROCS the pool times its tasks and keeps its capacity
// near the knee of whatever the tasks wait on: it grows the capacity while
// the run time stays flat and every slot is used, and cuts it to the
// throughput times the no-load run time when the run time rises, which
// means the tasks queue behind a shared resource. The pool starts at the
// size given to its constructor, clamped to [Min, Max], or at Min if the
// size is not positive. On a steady load of knee K the law keeps the
// capacity between 0.96·K and max(K+7, 1.3·K) on its model, in a cycle of
// six or seven measurement windows of 5 ms or four run times each; a real
// pool in front of a simulated server on synctest's fake clock stays
// between 0.9·K and max(K+9, 1.4·K). A cut that does not shorten the run
// time is undone in the next window, so a busy host does not walk the
// capacity down. The law, its parameters and their reasons are in
// adaptive_law.go.
//
// The capacity grows while it binds: a submitter waited for a slot, or a
// task was refused or queued, at some time in the window, or every slot
// is taken as it closes. A pool whose capacity never binds (fewer tasks
// than slots) holds its capacity: it has nothing to learn. Until its first
// cut the pool grows fourfold each window, and a window lasts two run
// times instead of four: a pool of 10 ms tasks started at 1 reached
// 16,384 in about 230 ms on a 2-vCPU host, where doubling in windows of
// four run times took over half a second. A pool that starts above Min
// under load has never seen the no-load run time: it halves its capacity
// each window until halving stops shortening the run time, then returns
// to the knee of the best throughput it saw. Tasks shorter than 20 µs,
// whose run time tells more about the cache than about a queue, are sized
// by throughput instead: the capacity grows while it binds (fourfold until
// a growth is first taken back, then twofold), and a growth after which
// the throughput fell by 10 % in two windows in a row (one is as likely a
// busy host) is taken back and tried again 8 windows later, then after
// twice as many each time it fails again, up to 64.
//
// Timing costs the task path of a pool a countdown per task, kept by the
// worker, and on the sampled tasks (all of them when tasks are slow, at
// least one in 1024 when they are many) a random draw, two clock reads and
// an uncontended lock; a task of a sub-pool or of a multi-pool's pool with
// adaptive capacity pays a random draw instead of the countdown. The
// sampled task that ends after a window is due runs the controller's
// decision on its worker, so a busy pool's controller wakes no goroutine.
// In BenchmarkAdaptiveTaskPath, Invoke of a tiny function on a pool of 8
// (100 to 170 ns, by the state of a shared 2-core host) cost about 6 %
// more with it in the slow state (medians of 6 runs each, 162 against
// 152 ns). A pool without WithAdaptiveCapacity pays one test of a nil
// field per task.
//
// # Following GOMAXPROCS
//
// With FollowGOMAXPROCS the capacity is runtime.GOMAXPROCS(0), clamped to
// [Min, Max], read when the pool is built and once a second while it is
// open: a pool for CPU-bound tasks that follows the processors Go uses,
// which since Go 1.25 follow the container's CPU limit. Nothing is timed,
// and the constructor's size is ignored.
//
// # Semantics
//
// Every capacity change is a [Pool.Tune], so blocking, Nonblocking,
// MaxBlockingTasks and the queue behave as on a pool of that size. A Tune
// by the caller sets the capacity until the next decision, which goes on
// from it, within [Min, Max]. The controller has a goroutine of the pool
// that starts with it and with Reboot and stops with Release, like the
// purger; ReleaseTimeout waits for it, and once it has stopped no task
// runs a decision. It decides only when the tasks have not for a second
// past the due time (an idle pool), and once a second with
// FollowGOMAXPROCS. Stats reports the controller's view. Each pool
// of a multi-pool has a controller of its own, with the same bounds. A
// sub-pool given WithAdaptiveCapacity has one too, which sets its limit
// the same way (see [Pool.NewSubpool]); it runs while the sub-pool and its
// pool are open.
type Adaptive struct {
	// Min is the lowest capacity, at least 1; zero means 1.
	Min int
	// Max is the highest capacity; zero means math.MaxInt32, a bound of
	// the law alone. It must not be below Min.
	Max int
	// FollowGOMAXPROCS sets the capacity to GOMAXPROCS instead of timing
	// the tasks.
	FollowGOMAXPROCS bool
}

// bounds returns Min and Max with their defaults applied, or an error
// wrapping ErrInvalidAdaptiveCapacity.
func (a Adaptive) bounds() (lo, hi int, err error) {
	lo, hi = max(a.Min, 1), a.Max
	if hi == 0 {
		hi = math.MaxInt32
	}
	switch {
	case a.Min < 0 || a.Max < 0:
		err = fmt.Errorf("%w: negative bound (min %d, max %d)", ErrInvalidAdaptiveCapacity, a.Min, a.Max)
	case a.Min > math.MaxInt32 || a.Max > math.MaxInt32:
		err = fmt.Errorf("%w: bound above math.MaxInt32 (min %d, max %d)", ErrInvalidAdaptiveCapacity, a.Min, a.Max)
	case lo > hi:
		err = fmt.Errorf("%w: min %d above max %d", ErrInvalidAdaptiveCapacity, lo, hi)
	}
	return lo, hi, err
}

// Decision is what the adaptive controller of a pool last did with its
// capacity; see [Stats].
type Decision uint8

const (
	// DecisionNone means no decision yet, or a pool without adaptive
	// capacity.
	DecisionNone Decision = iota
	// DecisionHold kept the capacity.
	DecisionHold
	// DecisionGrow raised it.
	DecisionGrow
	// DecisionShrink lowered it.
	DecisionShrink
)

// String returns "none", "hold", "grow" or "shrink".
func (d Decision) String() string {
	switch d {
	case DecisionHold:
		return "hold"
	case DecisionGrow:
		return "grow"
	case DecisionShrink:
		return "shrink"
	}
	return "none"
}

// Windows of the tuner. A window opens at once after a growth, and one run
// time after a cut, when the tasks queued behind the old capacity have
// gone; it closes once it is long enough and has enough timed tasks. Only
// the tasks that start and end inside it count.
const (
	minWindow     = 5 * time.Millisecond // shortest window
	windowRuns    = 4                    // a window lasts at least four run times
	startRuns     = 2                    // or two in the law's slow start (law.starting)
	minSamples    = 16                   // timed tasks a window needs, or two per slot if fewer
	maxWindow     = time.Second          // after which a window with one timed task will do
	sampleTarget  = 256                  // timed tasks a window aims for when tasks are many
	maxSampleMask = 1<<10 - 1            // time at least one task in 1024
	followPeriod  = time.Second          // how often FollowGOMAXPROCS reads GOMAXPROCS, as often as the runtime updates it
)

// tunable is what the tuner needs of its pool.
type tunable interface {
	Cap() int
	Tune(size int)
	signals() signals
}

// signals is what the tuner reads of its pool at the end of a window.
type signals struct {
	completed, rejected uint64 // cumulative counts of finished and refused tasks
	fulls               uint64 // cumulative count of submissions that found no free slot
	busy                bool   // a task is running or queued
	saturated           bool   // every slot is taken, or submitters wait, now
}

// tuner is the adaptive controller of one pool.
type tuner struct {
	pool     tunable
	min, max int
	follow   bool

	// mask picks the timed tasks: a task is timed if a random number has
	// no bit of mask set. Every task reads it, and only the timed ones
	// write the fields after it, so it has a cache line of its own.
	_    cacheLinePad
	mask atomic.Uint32
	_    cacheLinePad

	mu        sync.Mutex // guards what follows
	due       time.Time  // when the next tick is due; zero while the controller is stopped
	gen       uint64     // generation of the newest goroutine (begin)
	from      time.Time  // start of the window; zero while a change settles
	sum       time.Duration
	n         int
	completed uint64 // the pool's counters when the window opened
	rejected  uint64
	fulls     uint64
	idle      time.Duration // the last wait of an idle pool
	law       law
	runTime   time.Duration // mean run time of the last window
	decision  Decision
	decided   time.Time
}

// adapt makes e adaptive if its options ask for it: it sets the starting
// capacity and, unless it follows GOMAXPROCS, times e's tasks. size is the
// constructor's.
func adapt[T any](e *engine[T], size int) {
	a := e.opts.Adaptive
	if a == nil {
		return
	}
	lo, hi, _ := a.bounds() // validated by loadOptions
	t, start := newTuner(e, a, lo, hi, size)
	e.capacity.Store(int64(start))
	e.tuner = t
	if !t.follow {
		e.sampler = t
	}
}

// newTuner returns the controller of pool within [lo, hi] as a says, and
// the capacity it starts at given the size asked for.
func newTuner(pool tunable, a *Adaptive, lo, hi, size int) (*tuner, int) {
	t := &tuner{pool: pool, min: lo, max: hi, follow: a.FollowGOMAXPROCS, law: law{min: lo, max: hi}}
	start := lo
	switch {
	case t.follow:
		start = t.clamp(runtime.GOMAXPROCS(0))
	case size > 0:
		start = t.clamp(size)
	}
	return t, start
}

// sampled reports whether to time the task about to run, at random: a
// sub-pool's tuner, whose tasks share the workers with others, draws for
// each of them.
func (t *tuner) sampled() bool { return rand.Uint32()&t.mask.Load() == 0 }

// gap returns how many tasks a worker of a pool whose tasks t times runs
// untimed before it times one again, for the sampling mask m: uniform in
// [0, 2m], so one task in m+1 is timed on average, as sampled times them.
// A worker counts its gap down in a local variable (see execSampled): a
// random draw per task cost W2 at capacity 10,000 (tiny tasks, one
// submitter) about 20 % of its wall time in interleaved runs on a 2-vCPU
// machine; a draw per timed task costs nothing measurable.
func (t *tuner) gap() uint32 {
	m := t.mask.Load()
	if m == 0 {
		return 0
	}
	return rand.Uint32N(2*m + 1)
}

// untimed reports whether a worker whose countdown is at skip runs its
// next task untimed. A countdown longer than the mask allows (the
// controller asked for more samples since it was drawn) runs out at once.
func (t *tuner) untimed(skip uint32) bool { return skip > 0 && skip <= 2*t.mask.Load() }

// record adds the run time d of a task that started at start to the
// window, if the task started inside it, and runs the tick if it is due.
func (t *tuner) record(start time.Time, d time.Duration) {
	end := start.Add(d)
	t.mu.Lock()
	if !t.from.IsZero() && !start.Before(t.from) {
		t.sum += d
		t.n++
		if t.n%(2*sampleTarget) == 0 {
			// Far more tasks than the window needs: time half as many
			// from now on, rather than wait for the window to end.
			if m := t.mask.Load(); m < maxSampleMask {
				t.mask.Store(m<<1 | 1)
			}
		}
	}
	if !t.due.IsZero() && !end.Before(t.due) {
		t.due = end.Add(t.tick(end))
	}
	t.mu.Unlock()
}

// startTuner starts the controller of the pool in life l, if it has one.
func (e *engine[T]) startTuner(l *life) {
	if e.tuner != nil && l.tuners.join() {
		go e.tuner.run(l, nil)
	}
}

// run drives the controller until l is closed, or quit is (a sub-pool's,
// released). While tasks are timed, the tasks drive it: the timed task
// that ends after the next tick was due runs the tick (see record), on
// its worker, so that a busy pool's controller costs no wake-up of a
// goroutine per window, which cost W2 at capacity 10,000 (tiny tasks,
// one submitter) 3 to 10 % of its wall time in interleaved runs on a
// 2-vCPU machine. The goroutine ticks only when the tasks have not for
// watchLag past the due time (an idle pool, or one whose timed tasks have
// not ended), and when it follows GOMAXPROCS.
func (t *tuner) run(l *life, quit <-chan struct{}) {
	defer l.tuners.leave()
	gen, wait := t.begin(time.Now())
	defer t.end(gen)
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-quit:
			return
		case <-timer.C:
			timer.Reset(t.watch(time.Now(), gen))
		}
	}
}

// watchLag is how long past its due time a tick waits for a task to run
// it before the controller's goroutine runs it itself.
const watchLag = maxWindow

// begin opens the first window of a life and returns the generation of
// the goroutine that calls it and the wait until it looks again. A
// goroutine of a released life may still be running when Reboot starts
// the next one: only the newest generation ticks and stops the ticks.
func (t *tuner) begin(now time.Time) (gen uint64, wait time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.gen++
	if t.follow {
		return t.gen, followPeriod
	}
	t.open(now)
	t.due = now.Add(t.window())
	return t.gen, t.due.Sub(now) + watchLag
}

// end stops the tasks from running ticks once the goroutine of generation
// gen has stopped, unless a newer one runs: a released pool's controller
// decides nothing.
func (t *tuner) end(gen uint64) {
	t.mu.Lock()
	if t.gen == gen {
		t.due = time.Time{}
	}
	t.mu.Unlock()
}

// watch runs the tick if it is overdue by watchLag, and returns the wait
// until the goroutine of generation gen looks again.
func (t *tuner) watch(now time.Time, gen uint64) time.Duration {
	t.mu.Lock()
	if t.gen != gen {
		t.mu.Unlock()
		return watchLag // a newer goroutine runs; this one is about to stop
	}
	if t.follow {
		t.mu.Unlock()
		t.followProcs(now)
		return followPeriod
	}
	defer t.mu.Unlock()
	if !now.Before(t.due.Add(watchLag)) {
		t.due = now.Add(t.tick(now))
	}
	return t.due.Sub(now) + watchLag
}

// tick does what is due at now and returns the wait until the next tick;
// t.mu is held.
func (t *tuner) tick(now time.Time) time.Duration {
	if t.from.IsZero() { // the last change has settled
		t.open(now)
		return t.window()
	}
	elapsed := now.Sub(t.from)
	sig := t.pool.signals()
	done := sig.completed - t.completed
	if done == 0 && !sig.busy { // an idle pool: wait longer, up to maxWindow
		t.idle = min(max(2*t.idle, minWindow), maxWindow)
		t.open(now)
		return t.idle
	}
	t.idle = 0
	done = max(done, uint64(t.n)) // a timed task may not be counted yet
	if t.n < min(minSamples, 2*t.pool.Cap()) && (t.n == 0 || elapsed < maxWindow) {
		return max(elapsed, minWindow) // double the window
	}
	rt := max(t.sum/time.Duration(t.n), 1)
	o := observation{
		capacity:  t.pool.Cap(),
		runTime:   rt,
		inFlight:  float64(done) / float64(elapsed) * float64(rt),
		saturated: sig.saturated || sig.rejected > t.rejected || sig.fulls > t.fulls,
	}
	n, d := t.law.decide(o)
	t.runTime, t.decision, t.decided = rt, d, now
	t.sample(float64(done) / float64(elapsed))
	if n == o.capacity {
		t.open(now)
		return t.window()
	}
	t.pool.Tune(n)
	if n > o.capacity {
		// More workers leave no backlog behind: measure at once.
		t.open(now)
		return t.window()
	}
	t.from = time.Time{}
	return max(min(rt, maxWindow), time.Millisecond)
}

// open starts a window at now.
func (t *tuner) open(now time.Time) {
	t.from, t.sum, t.n = now, 0, 0
	sig := t.pool.signals()
	t.completed, t.rejected, t.fulls = sig.completed, sig.rejected, sig.fulls
}

// window returns how long the next window lasts at least.
func (t *tuner) window() time.Duration {
	if t.law.starting {
		return max(minWindow, startRuns*t.runTime)
	}
	return max(minWindow, windowRuns*t.runTime)
}

// sample sets the mask so that a window of throughput x (tasks per
// nanosecond) times about sampleTarget tasks.
func (t *tuner) sample(x float64) {
	per := x * float64(t.window()) / sampleTarget
	mask := uint32(0)
	for float64(mask+1)*2 <= per && mask < maxSampleMask {
		mask = mask<<1 | 1
	}
	t.mask.Store(mask)
}

// followProcs sets the capacity to GOMAXPROCS.
func (t *tuner) followProcs(now time.Time) {
	c, n := t.pool.Cap(), t.clamp(runtime.GOMAXPROCS(0))
	d := DecisionHold
	switch {
	case n > c:
		d = DecisionGrow
	case n < c:
		d = DecisionShrink
	}
	if d != DecisionHold {
		t.pool.Tune(n)
	}
	t.mu.Lock()
	t.decision, t.decided = d, now
	t.mu.Unlock()
}

// clamp bounds n to [Min, Max].
func (t *tuner) clamp(n int) int { return min(max(n, t.min), t.max) }

// report fills in the controller's view in s.
func (t *tuner) report(s *Stats) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s.NoLoadRunTime = t.law.noLoad
	s.RunTime = t.runTime
	s.Decision = t.decision
	s.DecidedAt = t.decided
}

// signals returns what the tuner reads of the pool.
func (e *engine[T]) signals() signals {
	c, a := e.capacity.Load(), e.gate.admitted()
	return signals{
		completed: e.gate.completed.Load(),
		rejected:  e.counters.rejected.Load(),
		fulls:     e.gate.fulls.Load(),
		busy:      a > 0,
		saturated: e.gate.blocked.Load() > 0 || (c >= 0 && a >= c),
	}
}
