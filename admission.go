package ants

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// gate hands out a pool's slots: a task takes one when it is admitted and
// gives it back when it has run, so admits - frees, the admitted tasks, is
// never above limit. A submission that finds no free slot waits in the
// gate's queue of waiters.
//
// # Who gets a freed slot
//
// The policy is that of sync.Mutex: barging for throughput, with a
// starvation mode. Normally a task that finishes frees its slot and wakes
// the first waiter to try for it, so a submitter that is running (a
// newcomer, or one still yielding before it parks) may take the slot
// first; the woken waiter that loses keeps its place at the front. This
// keeps the workers busy while a parked submitter wakes up, which takes a
// microsecond or more. A waiter that still loses starveAfter after it
// first lost puts the gate in starvation mode: then a finishing task hands
// its slot straight to the first waiter, and dispatches that waiter's task
// itself, so no newcomer can take it; the mode ends when the queue empties
// or the waiter served had not been losing for starveAfter. So newcomers
// overtake a waiter for at most starveAfter (and one wake-up more), after
// which it waits only for the waiters ahead of it to be served.
//
// On a pool with a queue, a lone waiter is woken only once half the queue
// is free, or once as many slots have freed since it came first (batch): a
// producer blocked on a full queue then refills it in one go, while the
// queue still keeps the workers busy, instead of being woken for each task
// that finishes. With more waiters each freed slot wakes one, as without a
// queue.
//
// A slot is also handed over directly when the first waiter has a higher
// priority than the lowest that submits through the gate (sub-pools with
// priorities; see floor), and when it is a continuation queued by enqueue,
// which has no goroutine to try for it: a higher priority is served
// strictly first, and in arrival order within a priority.
type gate[T any] struct {
	// limit is the number of slots, -1 for no limit. It is read on every
	// task and written by Tune, so it shares the read-mostly lines of the
	// struct that holds the gate.
	limit atomic.Int64
	_     cacheLinePad

	// Written by submitters on every task. tryAdmit counts the free slots
	// against seen, a copy of frees that may be stale, and reads frees
	// itself, a line the workers write, only when that count says the gate
	// is full: a stale copy only ever undercounts the free slots. (A
	// submitter that finds no worker spinning or parked reads frees once
	// more, through engine.need, to decide whether to start a worker.)
	admits    atomic.Uint64 // slots ever taken
	seen      atomic.Uint64 // a value frees had: a lower bound of it
	submitted atomic.Uint64 // tasks accepted
	_         cacheLinePad

	// Written by workers on every task.
	frees     atomic.Uint64 // slots ever given back
	completed atomic.Uint64 // accepted tasks that finished, panics included
	_         cacheLinePad

	// waiting is the number of queued waiters, blocked or async. It is
	// written as submissions start and stop waiting and read twice by every
	// task that gives back its slot, so it has a line of its own.
	waiting atomic.Int64
	_       cacheLinePad

	blocked atomic.Int64 // blocked submitters among the waiters: Stats.Waiting
	// fulls counts the submissions that found the gate full and may wait
	// for a slot (acquire): whether the limit bound at some time in a
	// window, for an adaptive controller (see signals).
	fulls atomic.Uint64

	// batch is how many slots must be free before a lone blocked
	// submitter is woken to try for them: 1, or half the queue of a pool
	// with one, so that a producer blocked on a full queue refills it in
	// one go instead of waking once per task, and meanwhile does not yield
	// its way back onto processors the workers need. Set when the pool is
	// built.
	batch int64
	// batching says that the first waiter is one a freed slot may leave
	// waiting for its batch (the only waiter, a blocked submitter of the
	// lowest priority, and nobody starving), so that release frees slots
	// without the lock until the batch is there, or until batch slots have
	// freed since that waiter came first (from, a value of frees: so
	// newcomers cannot keep it waiting). Both are set under mu by rehint.
	batching atomic.Bool
	from     atomic.Uint64
	first    *waiter[T] // the waiter from was taken for; guarded by mu

	mu       sync.Mutex
	queue    waitQueue[T]
	starving bool // guarded by mu; see the type's comment
	floor    int  // guarded by mu; the lowest priority that submits here

	// closed reports whether the gate's pool is released; dispatch hands on
	// a task that was admitted on its submitter's behalf. A pool's gate
	// dispatches to a worker and handsTasks: the task of a blocked
	// submitter that is handed a slot is dispatched by the giver. A
	// sub-pool's gate forwards to the pool's gate, and gives its blocked
	// submitters the slot to go on with themselves. All are set when the
	// pool or sub-pool is built.
	closed     func() bool
	dispatch   func(t T, l *lane[T], lc context.Context, fromWorker bool)
	handsTasks bool
}

// starveAfter is how long a waiter may keep losing the slots it is woken
// for to newcomers before the gate goes into starvation mode, as in
// sync.Mutex (which counts from when the waiter began to wait).
const starveAfter = time.Millisecond

// spinsBeforePark is how many times a submitter that found the pool full
// yields before it queues up and parks. On a busy pool a slot frees within
// a few scheduler slices, and yielding is cheaper than a park and wake-up.
const spinsBeforePark = 4

// errRetry tells a woken waiter that a slot freed and that it is to try for
// it itself; errSlot that it has been given a slot and is to go on with its
// task itself. Neither leaves the package.
var (
	errRetry = errors.New("ants: retry")
	errSlot  = errors.New("ants: slot")
)

// tryAdmit takes a slot if one is free.
func (g *gate[T]) tryAdmit() bool {
	for {
		a := g.admits.Load()
		if l := g.limit.Load(); l >= 0 && int64(a-g.seen.Load()) >= l {
			f := g.frees.Load()
			if int64(a-f) >= l {
				return false
			}
			g.seen.Store(f)
		}
		if g.admits.CompareAndSwap(a, a+1) {
			return true
		}
	}
}

// admitOnce is tryAdmit's first try, small enough to inline into
// Submit: it takes a slot if the stale count says one is free and no
// other submitter takes a slot at the same time. When it fails, tryAdmit
// decides. The comparison is unsigned, so that a limit of -1 (none) is
// never reached, and a stale count that ran ahead of admits (another
// submitter stored a newer one) fails over to tryAdmit.
func (g *gate[T]) admitOnce() bool {
	a := g.admits.Load()
	return uint64(a-g.seen.Load()) < uint64(g.limit.Load()) && g.admits.CompareAndSwap(a, a+1)
}

// refuses reports whether a blocked submitter of lane l (nil for the
// pool's own) is refused instead of queued; g.mu is held. It is refused if
// the gate's pool or sub-pool is released, or if l is: a sub-pool's
// Release marks it closed before it refuses, under the pool's g.mu, the
// submitters of the sub-pool queued there (dropLane), so a submitter on
// its way to the pool's gate is either queued in time to be refused or
// sees the sub-pool closed here.
func (g *gate[T]) refuses(l *lane[T]) bool {
	return g.closed() || (l != nil && l.closed.Load())
}

// lastTry counts the caller as one more waiter and then tries once more for
// a slot; g.mu is held. A task gives its slot back before it reads waiting
// (release), so either that task sees the waiter and wakes it, or this try
// sees its slot. If the try succeeds, the caller is uncounted again and
// holds the slot; if not, it stays counted and must queue up.
func (g *gate[T]) lastTry() bool {
	g.waiting.Add(1)
	if g.tryAdmit() {
		g.waiting.Add(-1)
		return true
	}
	return false
}

// admitted returns the number of admitted tasks, queued or running. frees
// is read first, so a racing admission can only make the result larger.
func (g *gate[T]) admitted() int64 {
	f := g.frees.Load()
	return int64(g.admits.Load() - f)
}

// async returns the waiters that are not blocked submitters: tasks queued
// at the gate (a sub-pool's queue, continuations). waiting and blocked are
// read apart, so a racing change can make the difference negative for a
// moment; it is clamped at 0.
func (g *gate[T]) async() int64 { return max(g.waiting.Load()-g.blocked.Load(), 0) }

// room reports whether a slot is free, roomFor whether n are; within
// whether the slots taken are no more than the limit, so that a slot still
// held may be handed on (after Tune shrank the pool, it may not).
func (g *gate[T]) room() bool { return g.roomFor(1) }
func (g *gate[T]) roomFor(n int64) bool {
	l := g.limit.Load()
	return l < 0 || g.admitted() <= l-n
}
func (g *gate[T]) within() bool { l := g.limit.Load(); return l < 0 || g.admitted() <= l }

// acquire waits for a slot for task t, whose submitter found the gate
// full. It returns dispatched = true if the slot was handed over and the
// task dispatched by whoever gave it (the caller must then not dispatch
// it), and an error if the task was not admitted: ErrPoolOverload when the
// options forbid waiting, ErrPoolClosed when the pool is released, or
// ctx.Err().
func (g *gate[T]) acquire(ctx context.Context, t T, l *lane[T], lc context.Context, prio int, o *Options) (dispatched bool, err error) {
	if o.Nonblocking {
		return false, ErrPoolOverload
	}
	g.fulls.Add(1)
	// A lone producer blocked on a full queue parks at once: it is woken
	// for a batch (see batch), and yielding would only hand its processor
	// to workers that do not give it back.
	for i := 0; i < spinsBeforePark && (g.batch <= 1 || g.waiting.Load() > 0); i++ {
		runtime.Gosched()
		if g.tryAdmit() {
			return false, nil
		}
	}
	g.mu.Lock()
	if g.refuses(l) {
		g.mu.Unlock()
		return false, ErrPoolClosed
	}
	if m := o.MaxBlockingTasks; m > 0 && g.blocked.Load() >= int64(m) {
		g.mu.Unlock()
		return false, ErrPoolOverload
	}
	if g.lastTry() {
		g.mu.Unlock()
		return false, nil
	}
	w := g.queue.get(t, l, lc, prio, false)
	g.blocked.Add(1)
	g.queue.push(w)
	g.rehint()
	g.mu.Unlock()
	return g.await(ctx, w)
}

// await blocks the submitter of w until its task is admitted, the pool is
// released, or ctx is done.
func (g *gate[T]) await(ctx context.Context, w *waiter[T]) (dispatched bool, err error) {
	var cancel <-chan struct{}
	if ctx != nil {
		cancel = ctx.Done()
	}
	for {
		select {
		case err = <-w.ready:
		case <-cancel:
			return g.abandon(ctx, w)
		}
		switch err {
		case nil:
			g.recycle(w)
			return true, nil
		case errSlot:
			g.recycle(w)
			return false, nil
		case ErrPoolClosed:
			g.recycle(w)
			return false, err
		}
		// A slot freed for us; a newcomer may have taken it first.
		if g.tryAdmit() {
			g.recycle(w)
			return false, nil
		}
		g.mu.Lock()
		if g.refuses(w.lane) {
			g.mu.Unlock()
			g.recycle(w)
			return false, ErrPoolClosed
		}
		if g.lastTry() {
			g.mu.Unlock()
			g.recycle(w)
			return false, nil
		}
		if now := time.Now(); w.lost.IsZero() {
			w.lost = now
		} else if now.Sub(w.lost) > starveAfter {
			g.starving = true // rehint below
		}
		g.blocked.Add(1)
		g.queue.pushFront(w)
		g.rehint()
		g.mu.Unlock()
	}
}

// abandon takes back the waiter w whose ctx is done. If a slot reached w
// first, the task was dispatched and the submission stands; a chance to try
// for a slot is passed on to the next waiter.
func (g *gate[T]) abandon(ctx context.Context, w *waiter[T]) (dispatched bool, err error) {
	g.mu.Lock()
	queued := g.queue.remove(w)
	if queued {
		g.waiting.Add(-1)
		g.blocked.Add(-1)
		g.rehint()
	}
	g.mu.Unlock()
	if !queued {
		switch <-w.ready {
		case nil:
			g.recycle(w)
			return true, nil
		case errSlot:
			g.release(false)
		case errRetry:
			g.wake(false, false)
		}
	}
	g.recycle(w)
	return false, ctx.Err()
}

// enqueue admits t without blocking: at once if a slot is free (admitted
// reports it, and the caller dispatches t), or else as an async waiter that
// is dispatched when a slot is handed to it. It counts t as submitted. It
// fails with ErrPoolClosed if the pool is released, unless force says that
// t was accepted already (by a sub-pool) and must run.
func (g *gate[T]) enqueue(t T, l *lane[T], lc context.Context, prio int, force bool) (admitted bool, err error) {
	if g.tryAdmit() {
		g.submitted.Add(1)
		return true, nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if !force && g.closed() {
		return false, ErrPoolClosed
	}
	if g.lastTry() {
		g.submitted.Add(1)
		return true, nil
	}
	g.queue.push(g.queue.get(t, l, lc, prio, true))
	g.rehint()
	g.submitted.Add(1)
	return false, nil
}

// release gives back a slot and reports whether that woke a blocked
// submitter. fromWorker says that the caller is a worker about to look for
// its next task, which then takes a task dispatched on its behalf.
func (g *gate[T]) release(fromWorker bool) bool {
	if g.waiting.Load() == 0 {
		g.frees.Add(1)
		if g.waiting.Load() == 0 {
			return false
		}
		return g.wake(false, fromWorker)
	}
	if g.batching.Load() {
		// The first waiter waits for a batch of slots: give this one back
		// without the lock, unless it completes the batch.
		if !g.batchDue(g.frees.Add(1)) {
			return false
		}
		return g.wake(false, fromWorker)
	}
	return g.wake(true, fromWorker)
}

// wake serves the first waiter after a slot was given back; held says
// whether the caller still holds that slot. It hands the slot over
// directly or wakes the waiter to try for it, as the type's comment says,
// and reports whether it woke a blocked submitter.
func (g *gate[T]) wake(held, fromWorker bool) bool {
	g.mu.Lock()
	w := g.queue.peek()
	switch {
	case w == nil:
		if held {
			g.frees.Add(1)
		}
		g.mu.Unlock()
		return false
	case g.starving || w.async || w.prio > g.floor:
		if held && !g.within() {
			g.frees.Add(1)
			held = false
		}
		if !held && !g.tryAdmit() {
			g.mu.Unlock()
			return false
		}
		g.take(w)
		if g.starving && (g.queue.peek() == nil || w.lost.IsZero() || time.Since(w.lost) < starveAfter) {
			g.starving = false
			g.rehint()
		}
		blocked := !w.async // w may be reused once handed
		g.mu.Unlock()
		g.hand(w, fromWorker)
		return blocked
	default:
		if held {
			g.frees.Add(1)
		}
		batched := g.batching.Load()
		if !g.room() || (batched && !g.batchDue(g.frees.Load())) {
			g.mu.Unlock()
			return false
		}
		g.take(w)
		g.mu.Unlock()
		w.ready <- errRetry
		if batched && fromWorker {
			// A lone producer was woken to refill half the queue while
			// the queue still keeps the workers busy: let it have this
			// processor now, or it would wait until the queue ran dry.
			runtime.Gosched()
		}
		return true
	}
}

// batchDue reports whether the batch a batching waiter waits for is there:
// batch slots are free, or batch slots have been given back since it came
// first (f is a value of frees), so that newcomers cannot keep it waiting.
func (g *gate[T]) batchDue(f uint64) bool {
	return g.roomFor(g.batch) || f-g.from.Load() >= uint64(g.batch)
}

// take removes w, the first waiter, from the queue; g.mu is held.
func (g *gate[T]) take(w *waiter[T]) {
	g.queue.remove(w)
	g.waiting.Add(-1)
	if !w.async {
		g.blocked.Add(-1)
	}
	g.rehint()
}

// rehint sets batching from the first waiter, and from when it became
// first; g.mu is held. Only a lone waiter batches: with several, a slot
// that one of them cannot use at once serves the next, as without a queue.
func (g *gate[T]) rehint() {
	w := g.queue.peek()
	if w != g.first {
		g.first = w
		g.from.Store(g.frees.Load())
	}
	g.batching.Store(g.batch > 1 && w != nil && !w.async && w.prio <= g.floor && !g.starving &&
		g.waiting.Load() == 1)
}

// hand gives w, which has been given a slot, its due: the task of an
// async waiter, or of a blocked submitter at a gate that handsTasks, is
// dispatched, and the submitter told; any other submitter is told to go on
// with its slot.
func (g *gate[T]) hand(w *waiter[T], fromWorker bool) {
	switch {
	case w.async:
		g.dispatch(w.task, w.lane, w.labels, fromWorker)
		g.recycle(w)
	case g.handsTasks:
		g.submitted.Add(1)
		if w.lane != nil {
			w.lane.gate.submitted.Add(1)
		}
		g.dispatch(w.task, w.lane, w.labels, fromWorker)
		w.ready <- nil
	default:
		w.ready <- errSlot
	}
}

// raise raises the limit to n; g.mu is held. The new slots go to the
// waiters first, in order, before the higher limit lets newcomers in: it
// returns the waiters served, whose tasks the caller hands on (hand) once
// it has let go of g.mu.
func (g *gate[T]) raise(n int64) []*waiter[T] {
	var served []*waiter[T]
	for extra := n - g.limit.Load(); extra > 0; extra-- {
		w := g.queue.peek()
		if w == nil {
			break
		}
		g.admits.Add(1)
		g.take(w)
		served = append(served, w)
	}
	g.limit.Store(n)
	return served
}

// refuse fails with ErrPoolClosed every blocked submitter for which
// which(w) holds; g.mu is held. Async waiters stay: their tasks were
// accepted and still run.
func (g *gate[T]) refuse(which func(w *waiter[T]) bool) {
	g.queue.each(func(w *waiter[T]) bool {
		if w.async || !which(w) {
			return false
		}
		g.waiting.Add(-1)
		g.blocked.Add(-1)
		w.ready <- ErrPoolClosed
		return true
	})
	g.rehint()
}

// recycle returns a waiter that is off the queue and drained.
func (g *gate[T]) recycle(w *waiter[T]) { g.queue.recycle(w) }
