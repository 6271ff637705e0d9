package ants

import "runtime"

// spinRounds is how many times a spinning worker yields before it parks. A
// round is one runtime.Gosched, so spinning lets the submitter run on the
// same processor while the worker waits for what it submits.
const spinRounds = 32

// worker is the body of a worker goroutine that starts with task t.
//
// A worker takes tasks in three ways, cheapest first. It pops the next task
// from the ring; failing that, it spins for a while as one of at most
// engine.maxSpinners workers, polling the head of the ring; failing that, it parks
// in the idle stack until a submitter or another worker wakes it, the
// purger retires it, or the pool is released.
//
// The wake protocol has two halves. A submitter pushes its task and then,
// if no worker is spinning, polls the task's cell a few times and wakes a
// parked worker if nobody took the task. A spinner that gives up decrements
// spinning and then looks at the ring once more before it parks. The
// atomics are sequentially consistent, so either the submitter sees the
// spinner or the spinner sees the task. A wake-up that finds no parked
// worker starts one or leaves a token in the idle stack, so it is not lost
// to a worker on its way there: that worker takes the token instead of
// parking. A spinner or woken worker that takes a task while more wait and
// nobody spins wakes another, since submitters that counted on one spinner
// woke nobody; so a burst wakes as many workers as it needs, one after the
// other, and a stream of tiny tasks is served without any wake-up.
func (e *engine[T]) worker(t T) {
	me := newParked()
	clean := false
	defer func() {
		if !clean {
			e.crashed(recover())
		}
	}()
	for ok := true; ok; t, ok = e.next(me, e.finish()) {
		e.exec(t)
	}
	clean = true
}

// finish counts a task done and reports whether it handed its slot to a
// blocked submitter. That submitter was just made ready on this worker's
// processor, so the worker then does not spin: spinning would only delay
// the submitter it waits for.
func (e *engine[T]) finish() bool {
	e.completed.Add(1)
	return e.done()
}

// serve is the body of a worker goroutine that starts without a task.
func (e *engine[T]) serve() {
	if t, ok := e.next(newParked(), false); ok {
		e.worker(t)
	}
}

// next returns the worker's next task, or false when the worker should exit:
// the pool has more workers than its capacity, or the purger or Release
// asked an idle worker to leave and the pool can spare it. handed says
// whether the worker just handed its slot to a blocked submitter (see
// finish); it then parks without spinning.
func (e *engine[T]) next(me *parked, handed bool) (t T, ok bool) {
	for {
		if c := e.capacity.Load(); c >= 0 && e.workers.Load() > c && e.leave() {
			return t, false
		}
		if t, ok = e.tasks.pop(); ok {
			return t, true
		}
		if !handed && e.spin() {
			if t, ok = e.claim(); ok {
				return t, true
			}
			continue
		}
		l := e.life.Load()
		if e.idle.park(me, l) {
			if t, ok = e.claim(); ok {
				return t, true
			}
			continue
		}
		if e.leave() {
			return t, false
		}
		if l.closed.Load() {
			// Released, but a task admitted just before the release still
			// needs this worker. Let its submitter run rather than spin.
			runtime.Gosched()
		}
	}
}

// claim takes a task for a worker that was spinning or parked. If more
// tasks wait and nobody spins, it wakes another worker: submitters that
// counted on a spinner did not wake anyone, and one spinner takes one task.
func (e *engine[T]) claim() (t T, ok bool) {
	t, ok = e.tasks.pop()
	if ok && e.tasks.ready() && e.spinning.Load() == 0 {
		e.wakeOne()
	}
	return t, ok
}

// spin polls for a pending task for a while, unless e.maxSpinners workers
// already do or submitters are blocked (they need the processors more). It
// reports whether a task is pending.
func (e *engine[T]) spin() bool {
	if e.waiting.Load() > 0 {
		return e.tasks.ready()
	}
	if e.spinning.Add(1) <= e.maxSpinners {
		for range spinRounds {
			if e.tasks.ready() {
				break
			}
			runtime.Gosched()
		}
	}
	e.spinning.Add(-1)
	return e.tasks.ready()
}

// wakeOne wakes a parked worker for a pending task.
func (e *engine[T]) wakeOne() { e.idle.wake() }

// crashed ends a worker whose task panicked (r != nil) or called
// runtime.Goexit (r == nil). The slot and the worker are given back before
// the panic is reported, as in ants v2, so a PanicHandler sees a pool that
// already accounts for the loss. The report still counts as work of the
// pool: a released pool drains only once it is done. The report is ended
// in a defer, so a PanicHandler or Logger that calls runtime.Goexit (as
// t.FailNow does) cannot leave it counted forever, which would make every
// later ReleaseTimeout fail.
func (e *engine[T]) crashed(r any) {
	e.reporting.Add(1)
	defer func() {
		e.reporting.Add(-1)
		e.settle()
	}()
	e.completed.Add(1)
	e.done()
	if !e.leave() {
		go e.serve()
	}
	if r != nil {
		e.counters.panicked.Add(1)
		e.report(r)
	}
}
