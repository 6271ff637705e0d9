package ants

import (
	"context"
	"math/bits"
	"runtime/debug"
	"sync"
	"sync/atomic"
)

// keyedRunLength is how many tasks of one key a runner runs in a row before
// it hands the key back to the pool (see Keyed). A variable only so that
// the tests and benchmarks of this package can try others.
var keyedRunLength = 16

// keyShard holds the records of the keys that hash to it.
type keyShard[K comparable] struct {
	mu   sync.Mutex
	keys keyTable[K]
	// spare lists up to keySpares freed records, for the next keys.
	spare  *keyRun[K]
	spares int

	// The counts of tasks accepted, taken by a runner, and finished
	// (panics included). The first task of a key is counted without the
	// lock, as accepted once the pool admits its runner and as taken when
	// the runner starts, so that neither its submitter nor its runner
	// takes the lock once more for it.
	submitted, started, completed uint64
	firstSubmitted, firstStarted  atomic.Uint64
	_                             cacheLinePad
}

// keySpares is how many freed records a shard keeps for its next keys:
// taking one is cheaper than allocating or taking one from a sync.Pool,
// and the few kept are a fixed cost, not one per key.
const keySpares = 16

// keyRun is the record of a key with pending work. It exists from the
// submission of a task for an idle key until its runner finds the backlog
// empty. At any time one party owns the key's next step: the submitter
// whose task started the record until the pool admits its runner, then the
// runner, queued or running. The fields but drain and first are guarded
// by shard.mu.
type keyRun[K comparable] struct {
	key   K
	h     uint64 // the hash of key
	shard *keyShard[K]
	front *Keyed[K]
	drain func() // r.run, bound once, so that submitting it allocates nothing
	// first is the task that started the record, for its first runner,
	// which takes it without the lock: the pool's hand-off orders the
	// write before the read. It is not part of the backlog.
	first   func()
	backlog taskRing
	spare   *keyRun[K] // the next spare record of the shard
	// blocked lists the submitters waiting for room in a full backlog,
	// oldest first.
	blocked, blockedTail *keyWaiter
}

// taskRing is a FIFO of tasks in a ring buffer that grows by doubling.
// Its buffers come from ringBufs and go back there when the ring outgrows
// them, or when its record is freed with a buffer longer than keepRing,
// so a key whose backlog keeps growing long does not allocate each time.
type taskRing struct {
	buf  []func()
	hold *[]func() // buf's holder in ringBufs
	head int
	n    int
}

func (q *taskRing) push(t func()) {
	if q.n == len(q.buf) {
		q.grow()
	}
	q.buf[(q.head+q.n)&(len(q.buf)-1)] = t
	q.n++
}

// grow moves the tasks to a buffer twice as long.
func (q *taskRing) grow() {
	hold := getRingBuf(max(2*len(q.buf), 4))
	buf := *hold
	for i := range q.n {
		buf[i] = q.buf[(q.head+i)&(len(q.buf)-1)]
	}
	clear(q.buf) // a pooled buffer must not keep tasks alive
	q.drop()
	q.buf, q.hold = buf, hold
}

// drop gives the buffer, which holds no task, back to ringBufs.
func (q *taskRing) drop() {
	if q.hold != nil {
		putRingBuf(q.hold)
	}
	q.buf, q.hold, q.head = nil, nil, 0
}

// pop removes and returns the oldest task; the ring must not be empty.
func (q *taskRing) pop() func() {
	t := q.buf[q.head]
	q.buf[q.head] = nil
	q.head = (q.head + 1) & (len(q.buf) - 1)
	q.n--
	return t
}

// keepRing is the longest buffer a spare record keeps; a longer one goes
// back to ringBufs.
const keepRing = 16

// ringBufs holds the empty buffers of task rings, one pool per power of
// two. The garbage collector empties the pools of buffers nobody took
// back, so a burst of long backlogs leaves no memory behind for long.
var ringBufs [64]sync.Pool

func getRingBuf(size int) *[]func() {
	if b, _ := ringBufs[bits.TrailingZeros(uint(size))].Get().(*[]func()); b != nil {
		return b
	}
	b := make([]func(), size)
	return &b
}

func putRingBuf(b *[]func()) { ringBufs[bits.TrailingZeros(uint(len(*b)))].Put(b) }

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

// start creates the record of an idle key with task as its first task and
// submits its runner; sh.mu is held and is released. If the pool refuses
// the runner, task is taken back, and any task that joined the backlog
// meanwhile (accepted, so it must run) is handed on by resume.
func (k *Keyed[K]) start(ctx context.Context, sh *keyShard[K], key K, h uint64, task func()) error {
	r := sh.spare
	if r != nil {
		sh.spare, r.spare = r.spare, nil
		sh.spares--
	} else {
		r = &keyRun[K]{shard: sh, front: k}
		r.drain = r.run
	}
	r.key, r.h, r.first = key, h, task
	sh.keys.add(r)
	sh.mu.Unlock()
	var err error
	if k.direct != nil {
		err = k.direct.submit(ctx, r.drain) // a nil ctx means none
	} else {
		if ctx == nil {
			ctx = context.Background()
		}
		err = k.s.SubmitContext(ctx, r.drain)
	}
	if err == nil {
		// The runner may have run and recycled r already: r is not
		// touched again.
		sh.firstSubmitted.Add(1)
		return nil
	}
	k.count(err)
	sh.mu.Lock()
	r.first = nil // no runner started, so task is still there
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
	r.shard.submitted++
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

// free removes r from its shard and keeps it as a spare if the shard has
// room; r.shard.mu is held and is released. r's backlog is empty.
func (k *Keyed[K]) free(r *keyRun[K]) {
	sh := r.shard
	sh.keys.del(r)
	if len(r.backlog.buf) > keepRing {
		r.backlog.drop()
	}
	if sh.spares < keySpares {
		var zero K
		r.key = zero
		r.backlog.head = 0
		r.spare, sh.spare = sh.spare, r
		sh.spares++
	}
	sh.mu.Unlock()
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
	t := r.first
	if t != nil {
		r.first = nil
		sh.firstStarted.Add(1)
	} else {
		sh.mu.Lock()
		t = r.take()
		sh.mu.Unlock()
	}
	for ran := 1; ; ran++ {
		k.call(r, t)
		sh.mu.Lock()
		sh.completed++
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
	r.shard.started++
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
		sh.completed++
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
