package ants

import (
	"context"
	"math"
	"runtime"
	"sync/atomic"
	"unsafe"
)

// engine is the scheduler behind every face of the package. It is generic
// over the payload T a task carries: func() for Pool, any for PoolWithFunc,
// the caller's T for PoolWithFuncGeneric. exec runs one payload.
//
// # How a task flows
//
// Submit first admits the task: it takes one of the pool's slots from the
// gate (admission.go), at once if one is free, or else by waiting for one.
// Then it dispatches the task. If no worker is spinning or parked and the
// pool may have one more worker, it starts a worker with the task as its
// first payload. Otherwise it pushes the task on the ring tasks and makes
// sure the task has a taker (handoff). A worker runs its task, gives the
// slot back (which may wake or serve a waiter), and pops the next task
// without parking while there is one; failing that it spins a while, then
// parks in the idle stack (idle.go). See worker.go.
//
// A task of a sub-pool (lane.go) first takes a slot of the sub-pool's own
// gate, then one of the pool's at the sub-pool's priority; it travels on
// the ring of its priority (dispatch.go), which records its lane beside
// its cell, and the worker pops the highest priority first and gives both
// slots back. A multi-pool (multipool.go) is one engine with a lane per
// pool, and its tasks flow the same way. "The ring" below means all of
// the rings: every rule holds for each.
//
// # Work conservation
//
// Whenever fewer tasks run than the capacity in force and an admitted task
// waits on the ring, some worker that is not running a task is on its way
// to that task: it is spinning, or was woken or started for it, or has just
// finished a task and is about to pop. So the task starts without waiting
// for another task to finish. Every path that puts a task on the ring or
// takes one off keeps this, as the invariants below say.
//
// # Invariants
//
//  1. A pushed task has a taker. After its push, the submitter returns at
//     once only if a worker spins (dispatch) or a worker took the task
//     already (handoff); otherwise it polls the task's cell a moment
//     (unless the polls have not paid lately, or a backlog waits ahead of
//     the task) and then wakes a parked worker, or starts one if the pool
//     may have more (wakeOne). If it does neither, every worker is counted
//     and none is parked, so workers >= need(): as many workers as
//     admitted tasks, or the capacity. Then either all of them run tasks
//     (the pool is at capacity) or one is between two tasks and will pop.
//  2. A spinner does not stop counting as one before it looks at the ring
//     (spin: spinning is decremented, then ready is read); the submitter
//     pushes, then reads spinning. The atomics are sequentially
//     consistent, so one of them sees the other.
//  3. A taker passes it on. Submitters that saw one spinner woke nobody, so
//     a spinner, or a worker woken or started by a worker that passed on,
//     wakes another when it pops a task if more tasks wait and nobody spins
//     (passOn); a burst of k tasks wakes workers one after the other. A
//     worker that a submitter woke for its own task (wakeTask) takes one
//     task and passes nothing on: every other task on the ring has a taker
//     of its own by these rules, and waking one more would be a wake-up for
//     nothing.
//  4. A parking worker pushes itself on the idle stack and then looks at the
//     ring once more (idle.park); a waker reads the stack's size after the
//     push it serves. So no wake-up is lost to a worker on its way to park.
//     If that look finds a task and a waker pops the worker meanwhile, the
//     worker is the taker of the waker's task and of the one it saw, and
//     passes on whatever it was woken for.
//  5. Every worker returns to next after a task, and next checks the
//     capacity before every pop: a worker above the capacity (after Tune
//     shrank it) leaves instead of taking a task. A leaving worker first
//     uncounts itself and stays if the pool is then short of workers for
//     its admitted tasks (leave), and wakes another if tasks wait.
//  6. A task pushed behind a cell whose push is still in progress is popped
//     once that push publishes: pop and ready see the head cell unpublished
//     and report the ring empty until then, and the submitter of the head
//     cell runs its own handoff once it has published, which finds a taker
//     for the head, whose taker passes on to the tasks behind it (3).
//     That is the only way pop and ready report a ring with tasks empty: a
//     head cell popped while they looked sends them to the new head.
//  7. A slot goes back to the gate exactly once per admitted task: when the
//     task has run (worker, or crashed), or when its submission is refused
//     after admission because the pool was released meanwhile.
//
// # Lifecycle
//
// The open/closed state lives in a *life, replaced by Reboot and closed once
// by Release; see life.go.
//
// # Layout
//
// The fields are grouped by who writes them, and the groups are padded
// apart, so the counters that change on every task do not evict the fields
// that every task only reads.
type engine[T any] struct {
	// Read on every task, written rarely.
	exec      func(T)
	opts      Options
	tasks     *ring[T]     // admitted tasks on their way to a worker
	capacity  atomic.Int64 // workers allowed at once; -1 means no limit
	workers   atomic.Int64 // live worker goroutines; Running()
	reporting atomic.Int64 // crashed workers still reporting a panic
	// maxSpinners bounds the workers that poll for a task at once; the
	// others park. One spinner per processor is all that can make progress,
	// so it is GOMAXPROCS when the pool is built.
	maxSpinners int64
	life        atomic.Pointer[life]
	// rings holds a ring per priority, highest first, once a sub-pool has
	// a priority other than the pool's own; nil until then, when tasks is
	// the only ring. Workers pop the highest priority first.
	rings atomic.Pointer[[]prioRing[T]]
	tuner *tuner // adaptive capacity (adaptive.go); nil when off
	// sampler is tuner if it times the pool's tasks (not when it follows
	// GOMAXPROCS); nil otherwise. Workers check it on every task.
	sampler *tuner

	// gate admits the tasks; its limit, read on every task, comes first, and
	// its counters sit on lines of their own.
	gate gate[T]
	_    cacheLinePad

	// Written by workers as they start and stop spinning; the estimates
	// are written only when the load changes (see hitRate).
	spinning atomic.Int64 // workers polling for a task before they park
	spinRate hitRate      // how often spinning finds a task
	pollRate hitRate      // how often a busy worker takes a task a submitter polls
	_        cacheLinePad

	idle     idleStack // parked workers
	counters counters  // counts of the rarer events

	lanes   []*lane[T]   // the open sub-pools; guarded by gate.mu
	backlog atomic.Int64 // tasks in the sub-pools' own queues
}

// cacheLinePad keeps the field groups of engine on separate cache lines.
type cacheLinePad [128]byte

// handoffBuffer is the size of the ring of a pool without a queue (unless
// PreAlloc asks for its whole capacity). The ring only holds tasks on their
// way to workers, so a larger one buys nothing, while a smaller one would
// put the cells that submitters write and those that workers read on the
// same cache lines. A full ring makes a submitter yield until workers,
// which it wakes, take tasks off it.
const handoffBuffer = 1024

// maxBufferBytes bounds the memory of a pool's ring, which is allocated
// when the pool is built: the number of cells (the queue, or the hand-off
// buffer or a PreAlloc capacity if larger, rounded up to a power of two)
// times what a cell takes (cellBytes). A pool's rings of other priorities
// have as many cells, and each is held to the bound alike.
const maxBufferBytes = 1 << 29

// cellBytes returns what each cell of a ring takes: the cell itself, which
// is the payload plus 8 bytes, and, if the ring carries lanes or labels
// (withSide), the 24 bytes beside it in ring.side.
func cellBytes[T any](withSide bool) int {
	n := unsafe.Sizeof(cell[T]{})
	if withSide {
		n += unsafe.Sizeof(side[T]{})
	}
	return int(n)
}

// lanesFit reports whether a ring of cells cells can carry lanes, the
// array beside its cells included, within maxBufferBytes.
func lanesFit[T any](cells int) bool { return cells <= maxBufferBytes/cellBytes[T](true) }

func newEngine[T any](size int, exec func(T), options []Option) (*engine[T], error) {
	return buildEngine(size, exec, options, false)
}

// buildEngine is newEngine for an engine whose ring carries lanes from the
// start (a multi-pool's), which its budget then counts (see cellBytes).
func buildEngine[T any](size int, exec func(T), options []Option, lanes bool) (*engine[T], error) {
	opts, err := loadOptions(size, options)
	if err != nil {
		return nil, err
	}
	e := &engine[T]{exec: exec, opts: opts, maxSpinners: int64(max(runtime.GOMAXPROCS(0), 1))}
	capacity := int64(-1)
	if size > 0 {
		capacity = int64(min(size, math.MaxInt32))
	}
	e.capacity.Store(capacity)
	adapt(e, size) // may set the starting capacity
	capacity = e.capacity.Load()
	e.spinRate.v.Store(rateMax)
	e.pollRate.v.Store(rateMax)
	cells, ok := ringCells[T](opts, capacity, lanes)
	if !ok {
		return nil, ErrInvalidQueueSize
	}
	e.tasks = newRing[T](cells, opts.TaskLabels)
	e.gate.limit.Store(e.limitFor(capacity))
	e.gate.closed = func() bool { return e.life.Load().closed.Load() }
	e.gate.dispatch = e.dispatch
	e.gate.handsTasks = true
	e.gate.floor = opts.Priority
	e.gate.batch = int64(max(1, opts.QueueSize/2))
	e.life.Store(e.newLife())
	return e, nil
}

// ringCells returns the number of cells of a pool's ring, and false if the
// queue asked for would take more than maxBufferBytes (with what a task
// carries beside its cell, on a pool with labels, or one whose ring
// carries lanes from the start). PreAlloc only asks for more cells, so it
// is held to the bound instead of refused.
func ringCells[T any](opts Options, capacity int64, lanes bool) (int, bool) {
	most := maxBufferBytes / cellBytes[T](opts.TaskLabels || lanes) // cells the bound allows
	if pow2(opts.QueueSize) > most {
		return 0, false
	}
	// Room for the queue and for the tasks on their way to the workers,
	// so that a full queue never leaves a submitter waiting for a cell.
	n := pow2(max(handoffBuffer, opts.QueueSize+int(min(max(capacity, 0), handoffBuffer))))
	if opts.PreAlloc && capacity > int64(n) {
		n = pow2(int(min(capacity, MaxQueueSize)))
	}
	for n > most {
		n >>= 1
	}
	return n, true
}

// pow2 returns the least power of two that is at least n (and at least 2).
func pow2(n int) int {
	size := 2
	for size < n {
		size <<= 1
	}
	return size
}

// limitFor returns the gate's limit for a capacity: the workers and the
// queue; -1 for no limit.
func (e *engine[T]) limitFor(capacity int64) int64 {
	if capacity < 0 {
		return -1
	}
	return capacity + int64(e.opts.QueueSize)
}

// need returns how many workers the admitted tasks need.
func (e *engine[T]) need() int64 {
	a := e.gate.admitted()
	if c := e.capacity.Load(); c >= 0 && a > c {
		return c
	}
	return a
}

// submit admits t and hands it to a worker. A nil ctx means no context:
// Submit and Invoke pass nil, so their fast path makes no call on ctx.
func (e *engine[T]) submit(ctx context.Context, t T) error {
	if e == nil || e.life.Load().closed.Load() {
		return ErrPoolClosed
	}
	if ctx != nil {
		if err := ctx.Err(); err != nil {
			e.counters.reject(err)
			return err
		}
	}
	if !e.gate.admitOnce() && !e.gate.tryAdmit() {
		dispatched, err := e.gate.acquire(ctx, t, nil, e.labels(ctx), e.opts.Priority, &e.opts)
		if err != nil {
			e.counters.reject(err)
			return err
		}
		if dispatched {
			return nil
		}
	}
	// t holds a slot. A Release that raced with admission is seen here, or
	// it sees the slot in settle and waits for it: either the task is
	// refused or it runs before ReleaseContext returns.
	if e.life.Load().closed.Load() {
		e.gate.release(false)
		e.settle()
		return ErrPoolClosed
	}
	e.gate.submitted.Add(1)
	e.dispatch(t, nil, e.labels(ctx), false)
	return nil
}

// labels returns the context whose profiler labels a task submitted with
// ctx runs under: ctx on a pool built WithTaskLabels, nil otherwise.
func (e *engine[T]) labels(ctx context.Context) context.Context {
	if e.opts.TaskLabels {
		return ctx
	}
	return nil
}

// enqueue submits t on behalf of a task running on the pool, without
// blocking and without a goroutine: t is admitted at once if a slot is
// free, or else waits in the gate's queue, in order with the blocked
// submitters, and is dispatched when a slot is handed to it. Nonblocking
// and MaxBlockingTasks do not apply: t continues work the pool accepted.
// It fails only with ErrPoolClosed; a nil error means t runs exactly once,
// even if the pool is released meanwhile (Release leaves such tasks queued,
// and the pool drains only once they have run).
func (e *engine[T]) enqueue(t T) error {
	if e == nil || e.life.Load().closed.Load() {
		return ErrPoolClosed
	}
	admitted, err := e.gate.enqueue(t, nil, nil, e.opts.Priority, false)
	if err != nil || !admitted {
		return err
	}
	e.dispatch(t, nil, nil, false)
	return nil
}

// enlist counts one more worker if the admitted tasks need it, and reports
// whether it did. Its caller then provides that worker: a submitter starts
// one, a leaving worker stays.
func (e *engine[T]) enlist() bool {
	for {
		w := e.workers.Load()
		if c := e.capacity.Load(); c >= 0 && w >= c {
			return false // the pool has all the workers it may have
		}
		if w >= e.need() {
			return false
		}
		if e.workers.CompareAndSwap(w, w+1) {
			return true
		}
	}
}

// leave uncounts the calling worker and reports whether it may exit; it may
// not if the pool is left short of workers for its admitted tasks.
func (e *engine[T]) leave() bool {
	e.workers.Add(-1)
	if e.enlist() {
		return false
	}
	// The pool can spare this worker, but a submitter may have counted on
	// it, as a spinner, to take a pending task: pass the task on.
	if e.queued() > 0 {
		e.wakeOne(wakeChain)
	}
	e.settle()
	return true
}

// spawnServer starts a worker without a task, to take one from the ring
// (for why, as for wakeOne), if the pool may have one more.
func (e *engine[T]) spawnServer(why wakeUp) bool {
	if !e.enlist() {
		return false
	}
	go e.serve(why)
	return true
}

// fill starts the workers that queued tasks need after the capacity grew.
func (e *engine[T]) fill() {
	for e.spawnServer(wakeChain) {
	}
}
