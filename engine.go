package ants

import (
	"context"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"
)

// engine is the scheduler behind every face of the package. It is generic
// over the payload T a task carries: func() for Pool, any for PoolWithFunc,
// the caller's T for PoolWithFuncGeneric. exec runs one payload.
//
// # How a task flows
//
// Submit first admits the task: it takes one of the pool's slots with a CAS
// on admits (slots ever taken; admits - frees is the number of tasks
// accepted and not yet finished), or waits for one in admitSlow. Then it dispatches the task. If no worker is idle
// and the pool may grow, it starts a worker with the task as its first
// payload. Otherwise it pushes the task on the ring tasks and makes sure
// the task has a taker (handoff). A worker runs its task, gives the slot
// back (done), and pops the next task without parking while there is one;
// see worker.go for how an idle worker waits without a wake-up per task. A
// finishing worker hands its slot to the oldest blocked submitter, if any,
// so a waiter wakes exactly when a slot frees.
//
// # Why no accepted task is stranded
//
// Each task on the ring has a taker. When it was pushed, either a worker
// was spinning (and a spinner that stops looks at the ring once more after
// it stops counting as one), or a busy worker popped it while the submitter
// polled, or the submitter woke a parked worker, started one, or left a
// wake-up token for the next worker to park. A token is only left when
// workers >= need(), that is, when every waiting task already has a worker
// that is not running a task and is on its way to pop or park. A worker
// that wants to exit decrements workers and then calls enlist, which keeps
// it if the pool fell short of need(), and wakes another worker if tasks
// wait. The atomics are sequentially consistent: of a submitter and a worker
// that each write their own word and then read the other's, at least one
// sees the other's write.
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
	tuner       *tuner // adaptive capacity (adaptive.go); nil when off
	_           cacheLinePad

	// Written on every task by submitters. A slot is taken when admits
	// grows and given back when frees grows, so admits - frees is the
	// number of admitted tasks, queued or running (see admitted). The two
	// live on separate cache lines: a submitter reads frees only when its
	// cached copy, seen, says the pool is full.
	admits    atomic.Uint64 // slots ever taken
	seen      atomic.Uint64 // a value frees had: a lower bound of it
	submitted atomic.Uint64 // tasks accepted since the pool was built
	_         cacheLinePad

	// Written on every task by workers.
	frees     atomic.Uint64 // slots ever given back
	completed atomic.Uint64 // accepted tasks that finished, panics included
	_         cacheLinePad

	// Written by workers as they start and stop spinning.
	spinning atomic.Int64 // workers polling for a task before they park
	_        cacheLinePad

	// Written by submitters as they block and by whoever unblocks them;
	// read by every finishing worker.
	waiting atomic.Int64 // submitters blocked in admitSlow; Waiting()
	_       cacheLinePad

	idle     idleStack  // parked workers
	mu       sync.Mutex // guards waiters and the life transitions
	waiters  waitQueue
	counters counters // counts of the rarer events
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
// when the pool is built: the queue and the hand-off buffer together, at
// the size of a cell of the payload type.
const maxBufferBytes = 1 << 28

// handoffSpins is how many times a submitter polls for its task to be
// taken before it wakes a parked worker; see handoff.
const handoffSpins = 64

// spinsBeforePark is how many times a submitter that found the pool full
// yields before it queues up and parks. On a busy pool a slot frees within
// a few scheduler slices, and yielding is cheaper than a park and wake-up.
const spinsBeforePark = 4

func newEngine[T any](size int, exec func(T), options []Option) (*engine[T], error) {
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
	adapt(e, size)
	slots := maxBufferBytes / int(unsafe.Sizeof(cell[T]{}))
	if opts.QueueSize > slots {
		return nil, ErrInvalidQueueSize
	}
	buffer := handoffBuffer
	if capacity > handoffBuffer && opts.PreAlloc {
		buffer = int(min(capacity, MaxQueueSize))
	}
	buffer = min(buffer, slots-opts.QueueSize)
	e.tasks = newRing[T](buffer + opts.QueueSize)
	e.idle.spawn = e.spawnServer
	e.life.Store(e.newLife())
	return e, nil
}

// limit returns how many tasks may be admitted at once, or -1 for no limit.
func (e *engine[T]) limit() int64 {
	c := e.capacity.Load()
	if c < 0 {
		return -1
	}
	return c + int64(e.opts.QueueSize)
}

// need returns how many workers the admitted tasks need.
func (e *engine[T]) need() int64 {
	a := e.admitted()
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
	if !e.tryAdmit() {
		if err := e.admitSlow(ctx); err != nil {
			e.counters.reject(err)
			return err
		}
	}
	// A Release that raced with admission is seen here, or it sees our slot
	// in settle and waits for it: either the task is refused or it runs
	// before ReleaseContext returns.
	if e.life.Load().closed.Load() {
		e.done()
		e.settle()
		return ErrPoolClosed
	}
	e.submitted.Add(1)
	// Nobody is idle to take the task: start a worker with it, if the pool
	// may grow. Otherwise queue it and, unless a worker is spinning and will
	// find it, wake one (see worker.go).
	if e.spinning.Load() == 0 && e.idle.size.Load() == 0 && e.enlist() {
		go e.worker(t)
		return nil
	}
	pos := e.push(t)
	e.handoff(pos)
	return nil
}

// push puts t on the ring and returns its position. The ring holds at least
// the pool's capacity or handoffBuffer tasks, so it is only full when a pool
// of more than handoffBuffer workers has that many tasks waiting for workers
// that are starting or being woken: then the submitter waits for them.
func (e *engine[T]) push(t T) uint64 {
	for {
		if pos, ok := e.tasks.push(t); ok {
			return pos
		}
		e.wakeOne()
		runtime.Gosched()
	}
}

// handoff makes sure that the task pushed at pos has a taker. A spinning
// worker will take it (a spinner that gives up looks at the ring once more
// after it stops counting as one). Otherwise the submitter polls a moment
// for a busy worker to finish and take it, and wakes one if none does: a
// wake-up costs a microsecond or more, while a tiny task finishes well
// within the polls, so a stream of them needs no wake-up at all.
func (e *engine[T]) handoff(pos uint64) {
	for i := 0; e.spinning.Load() == 0; i++ {
		if e.tasks.taken(pos) {
			return
		}
		if i == handoffSpins {
			e.wakeOne()
			return
		}
	}
}

// tryAdmit takes a slot if one is free. It counts the free slots against
// seen, a possibly stale copy of frees, and reads frees itself, a line the
// workers write, only when that count says the pool is full; a stale copy
// only ever undercounts the free slots.
func (e *engine[T]) tryAdmit() bool {
	for {
		a := e.admits.Load()
		if l := e.limit(); l >= 0 && int64(a-e.seen.Load()) >= l {
			f := e.frees.Load()
			if int64(a-f) >= l {
				return false
			}
			e.seen.Store(f)
		}
		if e.admits.CompareAndSwap(a, a+1) {
			return true
		}
	}
}

// admitted returns the number of admitted tasks, queued or running. frees
// is read first, so a racing admission can only make the result larger.
func (e *engine[T]) admitted() int64 {
	f := e.frees.Load()
	return int64(e.admits.Load() - f)
}

// admitSlow waits for a slot: it yields a few times, then queues up and
// parks until a finishing worker or Tune hands it a slot, Release refuses
// it, or ctx is done.
func (e *engine[T]) admitSlow(ctx context.Context) error {
	if e.opts.Nonblocking {
		return ErrPoolOverload
	}
	for range spinsBeforePark {
		runtime.Gosched()
		if e.tryAdmit() {
			return nil
		}
	}
	e.mu.Lock()
	if e.life.Load().closed.Load() {
		e.mu.Unlock()
		return ErrPoolClosed
	}
	if m := e.opts.MaxBlockingTasks; m > 0 && e.waiting.Load() >= int64(m) {
		e.mu.Unlock()
		return ErrPoolOverload
	}
	// Announce before the last try: a worker frees its slot before it reads
	// waiting, so either it sees us or our try sees its slot.
	e.waiting.Add(1)
	if e.tryAdmit() {
		e.waiting.Add(-1)
		e.mu.Unlock()
		return nil
	}
	w := e.waiters.push()
	e.mu.Unlock()

	var cancel <-chan struct{}
	if ctx != nil {
		cancel = ctx.Done()
	}
	select {
	case err := <-w.ready:
		e.waiters.recycle(w)
		return err
	case <-cancel:
	}
	e.mu.Lock()
	queued := e.waiters.remove(w)
	if queued {
		e.waiting.Add(-1)
	}
	e.mu.Unlock()
	if !queued {
		// A slot or a refusal arrived as ctx was done. The caller sees the
		// cancellation, so a granted slot goes back.
		if err := <-w.ready; err == nil {
			e.done()
			e.settle()
		}
	}
	e.waiters.recycle(w)
	return ctx.Err()
}

// wakeWaiters hands free slots to blocked submitters, oldest first, and
// reports whether it woke one.
func (e *engine[T]) wakeWaiters() (woke bool) {
	e.mu.Lock()
	for !e.waiters.empty() && e.tryAdmit() {
		e.waiting.Add(-1)
		e.waiters.pop().ready <- nil
		woke = true
	}
	e.mu.Unlock()
	return woke
}

// done gives back the slot of a finished task and passes it on to a blocked
// submitter, if any, and reports whether it did. The slot is given back
// before waiting is read; see admitSlow for the other half of that
// argument.
func (e *engine[T]) done() bool {
	e.frees.Add(1)
	return e.waiting.Load() > 0 && e.wakeWaiters()
}

// enlist counts one more worker if the admitted tasks need it, and reports
// whether it did. Its caller then provides that worker: a submitter starts
// one, a leaving worker stays.
func (e *engine[T]) enlist() bool {
	for {
		w := e.workers.Load()
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
	if e.tasks.len() > 0 {
		e.wakeOne()
	}
	e.settle()
	return true
}

// spawnServer starts a worker without a task if the pool may have one more.
func (e *engine[T]) spawnServer() bool {
	if !e.enlist() {
		return false
	}
	go e.serve()
	return true
}

// fill starts the workers that queued tasks need after the capacity grew.
func (e *engine[T]) fill() {
	for e.spawnServer() {
	}
}
