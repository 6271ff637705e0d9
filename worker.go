package ants

import (
	"context"
	"runtime"
	"runtime/pprof"
	"sync/atomic"
	"time"
)

// spinRounds is how many times a spinning worker yields before it parks. A
// round is one runtime.Gosched, so spinning lets the submitter run on the
// same processor while the worker waits for what it submits.
const spinRounds = 32

// worker is the body of a worker goroutine that starts with task t.
//
// A worker takes tasks in three ways, cheapest first. It pops the next task
// from the ring; failing that, it spins for a while as one of at most
// engine.maxSpinners workers, polling the head of the ring; failing that,
// it parks in the idle stack until a submitter or another worker wakes it,
// the purger retires it, or the pool is released. Before every pop it
// checks that the pool is not above its capacity (engine invariant 5).
//
// A worker that was counted on to take a task, because it spun, was woken
// or was started for one, passes the obligation on when it pops a task and
// more wait (engine invariant 3): submitters that saw one spinner woke
// nobody, so a burst wakes as many workers as it needs, one after the
// other, and a stream of tiny tasks is served without any wake-up.
func (e *engine[T]) worker(t T, l *lane[T], lc context.Context) {
	me := newParked()
	clean := false
	var skip uint32 // tasks to run before the next timed one (execSampled)
	defer func() {
		if !clean {
			e.crashed(l, recover())
		}
	}()
	for ok := true; ok; {
		switch {
		case l != nil:
			e.execLane(t, l, lc)
		case e.sampler != nil:
			if !e.opts.TaskLabels && e.sampler.untimed(skip) {
				// execSampled's untimed case, spelled out here so that
				// an untimed task costs no call more than on a fixed pool.
				skip--
				e.exec(t)
			} else {
				skip = e.execSampled(t, lc, skip)
			}
		case e.opts.TaskLabels:
			e.run(t, lc)
		default:
			e.exec(t)
		}
		// The task is done: count it, give its slots back, and take the
		// next. A worker that woke a blocked submitter by giving its slot
		// back does not spin: that submitter was just made ready on this
		// worker's processor, and spinning would only delay it.
		e.gate.completed.Add(1)
		handed := e.gate.release(true)
		if l != nil {
			handed = l.finish() || handed
		}
		t, l, lc, ok = e.next(me, handed, false)
	}
	clean = true
}

// execLane runs t, a task of lane l: it counts it running and times it for
// the lane's adaptive controller and the pool's, for each that has one and
// samples t.
func (e *engine[T]) execLane(t T, l *lane[T], lc context.Context) {
	l.running.Add(1)
	lt, pt := l.tuner, e.sampler
	forLane := lt != nil && lt.sampled()
	forPool := pt != nil && pt.sampled()
	if !forLane && !forPool {
		e.execPlain(t, lc)
		return
	}
	start := time.Now()
	e.execPlain(t, lc)
	d := time.Since(start)
	if forLane {
		lt.record(start, d)
	}
	if forPool {
		pt.record(start, d)
	}
}

// execSampled runs t, a task of a pool whose adaptive controller times its
// tasks, and times it if the worker's countdown skip has run out (see
// tuner.untimed); it returns the countdown for the next task.
func (e *engine[T]) execSampled(t T, lc context.Context, skip uint32) uint32 {
	s := e.sampler
	if s.untimed(skip) {
		e.execPlain(t, lc)
		return skip - 1
	}
	start := time.Now()
	e.execPlain(t, lc)
	s.record(start, time.Since(start))
	return s.gap()
}

// execPlain runs t, under its profiler labels if the pool sets them.
func (e *engine[T]) execPlain(t T, lc context.Context) {
	if e.opts.TaskLabels {
		e.run(t, lc)
	} else {
		e.exec(t)
	}
}

// run runs t under the profiler labels of lc (none if lc is nil) and
// clears them after, so that a worker never keeps the labels of a task it
// ran before, nor those of the goroutine that started it.
func (e *engine[T]) run(t T, lc context.Context) {
	if lc == nil {
		lc = context.Background()
	}
	pprof.SetGoroutineLabels(lc)
	defer pprof.SetGoroutineLabels(context.Background())
	e.exec(t)
}

// serve is the body of a worker goroutine started without a task, to take
// one from the ring, for why (see wakeOne).
func (e *engine[T]) serve(why wakeUp) {
	chain := why == wakeChain && !plantLazyServe.Load()
	if t, l, lc, ok := e.next(newParked(), false, chain); ok {
		e.worker(t, l, lc)
	}
}

// plantLazyServe, when set, plants a known bug for the meta-test of the
// work-conservation checker (conserve_test.go): a worker started for a
// pending task does not pass the obligation on, so a burst can strand
// tasks while the pool has room. Only that test sets it.
var plantLazyServe atomic.Bool

// next returns the worker's next task, or false when the worker should exit:
// the pool has more workers than its capacity, or the purger or Release
// asked an idle worker to leave and the pool can spare it. handed says
// whether the worker just woke a blocked submitter (see worker); it then
// parks without spinning. taker says whether the worker was counted on to
// take a task (serve); spinning or being woken makes it one too.
func (e *engine[T]) next(me *parked, handed, taker bool) (t T, l *lane[T], lc context.Context, ok bool) {
	for {
		if c := e.capacity.Load(); c >= 0 && e.workers.Load() > c && e.leave() {
			return t, nil, nil, false
		}
		if t, l, lc, ok = e.pop(); ok {
			if taker {
				e.passOn()
			}
			return t, l, lc, true
		}
		if !handed && e.spin() {
			taker = true
			continue
		}
		life := e.life.Load()
		if why := e.idle.park(me, life, e.ready); why != wakeExit {
			taker = why == wakeChain
			continue
		}
		if e.leave() {
			return t, nil, nil, false
		}
		if life.closed.Load() {
			// Released, but a task admitted just before the release still
			// needs this worker. Let its submitter run rather than spin.
			runtime.Gosched()
		}
	}
}

// spin polls for a pending task for a while, unless e.maxSpinners workers
// already do, submitters are blocked (they need the processors more), or
// spinning has mostly found nothing lately (see hitRate). It reports
// whether a task is pending. It stops counting as a spinner before its
// last look at the ring (engine invariant 2).
func (e *engine[T]) spin() bool {
	if e.gate.waiting.Load() > 0 || !e.spinRate.pays() {
		return e.ready()
	}
	if e.spinning.Add(1) <= e.maxSpinners {
		hit := false
		for range spinRounds {
			if hit = e.ready(); hit {
				break
			}
			runtime.Gosched()
		}
		e.spinRate.record(hit)
	}
	e.spinning.Add(-1)
	return e.ready()
}

// crashed ends a worker whose task, of lane l, panicked (r != nil) or
// called runtime.Goexit (r == nil). The slot and the worker are given back
// before the panic is reported, as in ants v2, so a PanicHandler sees a
// pool that already accounts for the loss. The report still counts as work
// of the pool: a released pool drains only once it is done. The report is
// ended in a defer, so a PanicHandler or Logger that calls runtime.Goexit
// (as t.FailNow does) cannot leave it counted forever, which would make every
// later ReleaseTimeout fail.
func (e *engine[T]) crashed(l *lane[T], r any) {
	e.reporting.Add(1)
	defer func() {
		e.reporting.Add(-1)
		e.settle()
	}()
	e.gate.completed.Add(1)
	e.gate.release(false)
	if l != nil {
		l.crashed(r != nil)
	}
	if !e.leave() {
		go e.serve(wakeChain)
	}
	if r != nil {
		e.counters.panicked.Add(1)
		e.report(r)
	}
}
