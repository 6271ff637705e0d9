package ants

import (
	"context"
	"runtime/debug"
	"sync"
	"sync/atomic"
)

// keyedRunLength is how many tasks of one key a runner runs in a row before
// it hands the key back to the pool (see Keyed). A variable only so that
// the tests and benchmarks of this package can try others.
var keyedRunLength = 16

// keyShard holds the records of the keys that hash to it. Its counters are
// written under mu and read by Stats without it.
type keyShard[K comparable] struct {
	mu   sync.Mutex
	keys map[K]*keyRun[K]
	peak int // the most keys held since keys was last rebuilt

	live      atomic.Int64  // len(keys)
	submitted atomic.Uint64 // tasks accepted
	started   atomic.Uint64 // tasks taken by a runner
	completed atomic.Uint64 // tasks finished, panics included
	_         cacheLinePad
}

// keyShrinkMin is the peak size from which a shard's map is rebuilt once it
// holds an eighth of that peak or less. A Go map never gives back the room
// it grew to; rebuilding it frees the room of the keys that left, and costs
// one copy of a live entry per seven deletions at most.
const keyShrinkMin = 128

// add records r for key; sh.mu is held.
func (sh *keyShard[K]) add(key K, r *keyRun[K]) {
	sh.keys[key] = r
	sh.live.Add(1)
	sh.peak = max(sh.peak, len(sh.keys))
}

// delete forgets r, rebuilding the map if it shrank enough; sh.mu is held.
func (sh *keyShard[K]) delete(r *keyRun[K]) {
	delete(sh.keys, r.key)
	if n := len(sh.keys); sh.peak >= keyShrinkMin && n <= sh.peak/8 {
		m := make(map[K]*keyRun[K], n)
		for key, r := range sh.keys {
			m[key] = r
		}
		sh.keys, sh.peak = m, n
	}
	sh.live.Add(-1)
}

// keyRun is the record of a key with pending work. It exists from the
// submission of a task for an idle key until its runner finds the backlog
// empty. At any time one party owns the key's next step: the submitter
// whose task started the record until the pool admits its runner, then the
// runner, queued or running. All fields but drain are guarded by shard.mu.
type keyRun[K comparable] struct {
	key     K
	shard   *keyShard[K]
	front   *Keyed[K]
	drain   func() // r.run, bound once, so that submitting it allocates nothing
	backlog taskRing
	// blocked lists the submitters waiting for room in a full backlog,
	// oldest first.
	blocked, blockedTail *keyWaiter
}

// taskRing is a FIFO of tasks in a ring buffer that grows by doubling.
type taskRing struct {
	buf  []func()
	head int
	n    int
}

func (q *taskRing) push(t func()) {
	if q.n == len(q.buf) {
		buf := make([]func(), max(2*len(q.buf), 4))
		for i := range q.n {
			buf[i] = q.buf[(q.head+i)&(len(q.buf)-1)]
		}
		q.buf, q.head = buf, 0
	}
	q.buf[(q.head+q.n)&(len(q.buf)-1)] = t
	q.n++
}

// pop removes and returns the oldest task; the ring must not be empty.
func (q *taskRing) pop() func() {
	t := q.buf[q.head]
	q.buf[q.head] = nil
	q.head = (q.head + 1) & (len(q.buf) - 1)
	q.n--
	return t
}

// keepRing is the largest ring a recycled record keeps.
const keepRing = 64

// keyWaiter is a submitter blocked for room in a full backlog. ready gets
// nil once its task is in the backlog, or ErrPoolClosed on Release. queued
// is guarded by the lock of the shard it waits in.
type keyWaiter struct {
	task   func()
	ready  chan error
	next   *keyWaiter
	queued bool
}

var keyWaiters = sync.Pool{New: func() any { return &keyWaiter{ready: make(chan error, 1)} }}

// start creates the record of an idle key with task in its backlog and
// submits its runner; sh.mu is held and is released. If the pool refuses
// the runner, task is taken back out, and any task that joined the backlog
// meanwhile (accepted, so it must run) is handed on by resume.
func (k *Keyed[K]) start(ctx context.Context, sh *keyShard[K], key K, task func()) error {
	r := k.records.Get().(*keyRun[K])
	r.key, r.shard = key, sh
	r.backlog.push(task)
	sh.add(key, r)
	sh.mu.Unlock()
	if ctx == nil {
		ctx = context.Background()
	}
	err := k.s.SubmitContext(ctx, r.drain)
	if err == nil {
		// The runner may have run and recycled r already: r is not
		// touched again.
		sh.submitted.Add(1)
		return nil
	}
	k.count(err)
	sh.mu.Lock()
	r.backlog.pop() // task: still first, since no runner started
	k.admitBlocked(r)
	if r.backlog.n == 0 {
		k.free(r)
		return err
	}
	sh.mu.Unlock()
	k.resume(r)
	return err
}

// count counts a refusal by its cause.
func (k *Keyed[K]) count(err error) {
	switch err {
	case ErrPoolOverload:
		k.rejected.Add(1)
	case context.Canceled, context.DeadlineExceeded:
		k.cancelled.Add(1)
	}
}

// await waits for room in r's full backlog, then r's runner (or whoever
// makes room) puts task in it; r.shard.mu is held and is released.
func (k *Keyed[K]) await(ctx context.Context, r *keyRun[K], task func()) error {
	sh := r.shard
	if k.nonblocking {
		sh.mu.Unlock()
		k.rejected.Add(1)
		return ErrPoolOverload
	}
	w := keyWaiters.Get().(*keyWaiter)
	w.task, w.queued = task, true
	if r.blockedTail == nil {
		r.blocked = w
	} else {
		r.blockedTail.next = w
	}
	r.blockedTail = w
	k.waiting.Add(1)
	sh.mu.Unlock()

	var cancel <-chan struct{}
	if ctx != nil {
		cancel = ctx.Done()
	}
	select {
	case err := <-w.ready:
		keyWaiters.Put(w)
		return err
	case <-cancel:
	}
	// While w is queued, r's backlog is full, so r is still the record of
	// its key in sh: unlinking w from it is safe.
	sh.mu.Lock()
	if w.queued {
		r.unlink(w)
		k.waiting.Add(-1)
		sh.mu.Unlock()
		w.task = nil
		keyWaiters.Put(w)
		k.cancelled.Add(1)
		return ctx.Err()
	}
	sh.mu.Unlock()
	// Room came (or Release did) as ctx ended: the task was accepted.
	err := <-w.ready
	keyWaiters.Put(w)
	return err
}

// unlink removes w from r's blocked list; shard.mu is held.
func (r *keyRun[K]) unlink(w *keyWaiter) {
	var prev *keyWaiter
	for p := r.blocked; p != w; p = p.next {
		prev = p
	}
	if prev == nil {
		r.blocked = w.next
	} else {
		prev.next = w.next
	}
	if r.blockedTail == w {
		r.blockedTail = prev
	}
	w.next = nil
}

// admitBlocked moves the task of the oldest blocked submitter into r's
// backlog if there is room; shard.mu is held.
func (k *Keyed[K]) admitBlocked(r *keyRun[K]) {
	w := r.blocked
	if w == nil || (k.backlog > 0 && r.backlog.n >= k.backlog) {
		return
	}
	r.blocked = w.next
	if r.blocked == nil {
		r.blockedTail = nil
	}
	r.backlog.push(w.task)
	r.shard.submitted.Add(1)
	w.task, w.next, w.queued = nil, nil, false
	k.waiting.Add(-1)
	w.ready <- nil
}

// refuseBlocked wakes every submitter blocked on r with ErrPoolClosed;
// shard.mu is held.
func (k *Keyed[K]) refuseBlocked(r *keyRun[K]) {
	for w := r.blocked; w != nil; {
		next := w.next
		w.task, w.next, w.queued = nil, nil, false
		k.waiting.Add(-1)
		w.ready <- ErrPoolClosed
		w = next
	}
	r.blocked, r.blockedTail = nil, nil
}

// free removes r from its shard and recycles it; r.shard.mu is held and is
// released. r's backlog is empty.
func (k *Keyed[K]) free(r *keyRun[K]) {
	r.shard.delete(r)
	r.shard.mu.Unlock()
	var zero K
	r.key, r.shard = zero, nil
	if len(r.backlog.buf) > keepRing {
		r.backlog.buf = nil
	}
	r.backlog.head = 0
	k.records.Put(r)
	k.settle()
}

// resume finds a runner for r, whose backlog is not empty and which has no
// runner, on behalf of a goroutine that does not run it: a refused
// submitter, or a runner's goroutine that is exiting. If the pool is
// released, the backlog runs on the calling goroutine.
func (k *Keyed[K]) resume(r *keyRun[K]) {
	if k.enq != nil {
		if k.enq.enqueue(r.drain) == nil {
			return
		}
	} else if k.s.SubmitContext(context.Background(), r.drain) == nil {
		return
	}
	r.run()
}

// run is the runner of r's key: it runs the backlog in order, one task at
// a time, until the backlog is empty, or until it ran keyedRunLength tasks
// and the pool takes the key back as a continuation. If the pool is
// released (the continuation is refused), or cannot take a continuation,
// it runs the whole backlog.
func (r *keyRun[K]) run() {
	k, sh := r.front, r.shard
	yield := k.enq != nil
	sh.mu.Lock()
	t := r.take()
	sh.mu.Unlock()
	for ran := 1; ; ran++ {
		k.call(r, t)
		sh.mu.Lock()
		sh.completed.Add(1)
		if r.backlog.n == 0 {
			k.free(r)
			return
		}
		if yield && ran >= keyedRunLength {
			sh.mu.Unlock()
			// From here the next runner owns r.
			if k.enq.enqueue(r.drain) == nil {
				return
			}
			yield = false
			sh.mu.Lock()
		}
		t = r.take()
		sh.mu.Unlock()
	}
}

// take pops the next task of r's backlog and lets a blocked submitter's
// task take its room; shard.mu is held.
func (r *keyRun[K]) take() func() {
	t := r.backlog.pop()
	r.shard.started.Add(1)
	if r.blocked != nil {
		r.front.admitBlocked(r)
	}
	return t
}

// call runs t for r's runner. A panic is recovered and reported (see
// Keyed), and the runner goes on. A task that calls runtime.Goexit ends the
// goroutine whatever call does, so the key is handed on before it goes.
func (k *Keyed[K]) call(r *keyRun[K], t func()) {
	normal := false
	defer func() {
		if normal {
			return
		}
		if v := recover(); v != nil {
			k.reportPanic(v)
			return
		}
		sh := r.shard
		sh.mu.Lock()
		sh.completed.Add(1)
		if r.backlog.n == 0 {
			k.free(r)
			return
		}
		sh.mu.Unlock()
		go k.resume(r)
	}()
	t()
	normal = true
}

// reportPanic applies the pool's panic policy to v, from the deferred
// function that recovered it, so that a logged stack shows the task.
func (k *Keyed[K]) reportPanic(v any) {
	k.panicked.Add(1)
	if k.rep != nil {
		k.rep.reportPanic(v)
		return
	}
	defaultLogger.Printf("keyed task panicked: %v\n%s\n", v, debug.Stack())
}
