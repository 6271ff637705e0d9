//go:build go1.23

package ants

import (
	"context"
	"iter"
	"sync/atomic"
)

// DefaultWindow is the window of [Map] and [MapUnordered] when no
// [WithWindow] option sets one: at most this many items are pulled from the
// input and not yet yielded to the loop, so at most this many results are
// held at once.
const DefaultWindow = 256

// MapOption configures a call of [Map] or [MapUnordered].
type MapOption func(*mapConfig)

type mapConfig struct {
	window      int
	concurrency int
}

// WithWindow bounds the items that Map and MapUnordered hold at once: pulled
// from the input, running, or done and waiting to be yielded. It is also
// the most that run at once. n <= 0 means [DefaultWindow]. A window larger
// than the concurrency lets Map keep the pool busy behind an item that
// takes long, at the cost of holding more results.
func WithWindow(n int) MapOption {
	return func(c *mapConfig) { c.window = n }
}

// WithConcurrency bounds how many calls of the function Map and
// MapUnordered run at once. The bound is never above the window, nor above
// the capacity of the pool (a pool that reports none through a Cap method,
// or an unlimited one, does not bound it), and is the smaller of those two
// when n <= 0, the default.
func WithConcurrency(n int) MapOption {
	return func(c *mapConfig) { c.concurrency = n }
}

// Map calls fn on every item of seq, on workers of s (nil means the
// default pool), and yields the results as (value, error) pairs in the
// order of the items. It pulls an item only when fewer than the window (see
// [WithWindow]) are pulled and not yet yielded, and runs at most the
// concurrency (see [WithConcurrency]) of calls at once; so it never holds
// more than the window of results, however long seq is.
//
// Each pair carries fn's value and error for its item. A call that panics
// gives a *[PanicError] (the pool never sees the panic), one that calls
// runtime.Goexit gives [ErrGoexit], and an item that the pool refuses
// gives the pool's error ([ErrPoolClosed], [ErrPoolOverload]); fn is then
// not called for it, and Map goes on with the next item. A nil fn gives a
// single pair with [ErrNilTask]. A nil seq is empty, and a nil ctx means
// context.Background().
//
// fn receives a context derived from ctx that is cancelled when the loop
// ends. If ctx ends first, Map yields one last pair, the zero R and
// ctx.Err(), and ends, dropping the results not yet yielded.
//
// Map starts no goroutine of its own: seq runs, and the tasks are
// submitted, in the goroutine of the loop, and seq is asked for an item
// only when the window has room for it. Submitting blocks while the pool is
// full. When the loop ends, by a break, a return, a panic in the loop body
// or in seq, the end of ctx or the end of seq, Map cancels the context of
// fn, waits for the calls of fn that are running to return, and makes sure
// that no other call starts: tasks it submitted that have not started yet
// do nothing when the pool runs them. So when the loop statement returns,
// no call of fn is running or will run, and nothing of Map is left but
// such empty tasks in the pool's queue.
//
// Each range over the result ranges over seq anew. A range over the
// result from a task of the same pool can deadlock, as a Group can, when
// the pool is full of such tasks.
func Map[T, R any](ctx context.Context, s Submitter, seq iter.Seq[T], fn func(ctx context.Context, item T) (R, error), opts ...MapOption) iter.Seq2[R, error] {
	return mapSeq(ctx, s, seq, fn, true, opts)
}

// MapUnordered is [Map] that yields each result as soon as it is ready,
// not in the order of the items. A slow item then holds up nothing: the
// window bounds the items running and the results not yet yielded. It is
// otherwise Map in every respect.
func MapUnordered[T, R any](ctx context.Context, s Submitter, seq iter.Seq[T], fn func(ctx context.Context, item T) (R, error), opts ...MapOption) iter.Seq2[R, error] {
	return mapSeq(ctx, s, seq, fn, false, opts)
}

func mapSeq[T, R any](ctx context.Context, s Submitter, seq iter.Seq[T], fn func(context.Context, T) (R, error), ordered bool, opts []MapOption) iter.Seq2[R, error] {
	var cfg mapConfig
	for _, opt := range opts {
		if opt != nil {
			opt(&cfg)
		}
	}
	return func(yield func(R, error) bool) {
		if fn == nil {
			var zero R
			yield(zero, ErrNilTask)
			return
		}
		if seq == nil {
			return
		}
		m := newMapper(ctx, submitter(s), fn, ordered, cfg, yield)
		defer m.end()
		seq(m.push)
		m.exhausted = true
		for !m.over && m.held > 0 {
			m.step()
		}
	}
}

// The states of a mapSlot's task; see mapper.run.
const (
	slotPending   int32 = iota // submitted, not started
	slotRunning                // started: it calls fn and reports on done
	slotCancelled              // the loop ended before it started: it does nothing
)

// mapSlot holds one item's result on its way to the loop. state is shared
// with the slot's task; the other fields are the driver's, except value
// and err, which the task writes before it sends the slot's index on done
// and the driver reads after receiving it.
type mapSlot[R any] struct {
	state atomic.Int32
	value R
	err   error
	busy  bool // a task was submitted and has not reported
	ready bool // the result may be yielded
}

// mapper is the state of one range over Map or MapUnordered. Only the
// goroutine of the loop (the driver) touches it, except for the slots'
// state, value and err and the channel done, which the tasks use.
type mapper[T, R any] struct {
	ctx     context.Context
	cancel  context.CancelFunc
	s       Submitter
	fn      func(context.Context, T) (R, error)
	ordered bool

	yield func(R, error) bool // the loop body

	slots       []mapSlot[R]
	done        chan int // indices of slots whose task returned
	concurrency int
	held        int  // items pulled and not yet yielded
	running     int  // tasks submitted and not yet reported
	exhausted   bool // seq has returned
	over        bool // the loop is over: it broke, or the context ended

	head  int   // ordered: the slot of the next item to yield
	free  []int // unordered: slots not in use
	queue []int // unordered: a ring of ready slots, oldest first,
	qhead int   // from queue[qhead]
	qlen  int   // for qlen slots
}

func newMapper[T, R any](ctx context.Context, s Submitter, fn func(context.Context, T) (R, error), ordered bool, cfg mapConfig, yield func(R, error) bool) *mapper[T, R] {
	if ctx == nil {
		ctx = context.Background()
	}
	window := cfg.window
	if window <= 0 {
		window = DefaultWindow
	}
	// Running more calls than the pool has workers would only block the
	// loop in SubmitContext behind its own tasks, with results waiting.
	concurrency := window
	if cfg.concurrency > 0 {
		concurrency = min(cfg.concurrency, window)
	}
	if c, ok := s.(interface{ Cap() int }); ok {
		if n := c.Cap(); n > 0 {
			concurrency = min(concurrency, n)
		}
	}
	m := &mapper[T, R]{
		s:           s,
		fn:          fn,
		ordered:     ordered,
		yield:       yield,
		slots:       make([]mapSlot[R], window),
		done:        make(chan int, concurrency),
		concurrency: concurrency,
	}
	m.ctx, m.cancel = context.WithCancel(ctx)
	if !ordered {
		m.free = make([]int, window)
		for i := range m.free {
			m.free[i] = window - 1 - i
		}
		m.queue = make([]int, window)
	}
	return m
}

// push is the function that seq calls with each item, in the goroutine
// of the loop. It submits the item's task once the concurrency allows,
// yields the results that are ready, and returns only when the window has
// room for the next item, or false when the loop is over. So seq produces
// an item only when Map can take it.
func (m *mapper[T, R]) push(item T) bool {
	if m.over {
		return false
	}
	for m.running >= m.concurrency {
		if !m.step() {
			return false
		}
	}
	if m.ctx.Err() == nil {
		m.submit(item)
	}
	if !m.flush() {
		return false
	}
	for m.held >= len(m.slots) {
		if !m.step() {
			return false
		}
	}
	return true
}

// submit takes a slot for item and submits its task; an item the pool
// refuses gets the refusal as its result. Submitting blocks while the
// pool is full.
func (m *mapper[T, R]) submit(item T) {
	i := m.alloc()
	m.held++
	sl := &m.slots[i]
	sl.state.Store(slotPending)
	if err := m.s.SubmitContext(m.ctx, func() { m.run(i, item) }); err != nil {
		// If the context ended, the item is dropped with the rest, and
		// the next step yields the context's error.
		sl.err = err
		m.ready(i)
		return
	}
	sl.busy = true
	m.running++
}

// step yields the next result if it is ready, or else waits for a task to
// report or the context to end. It returns false when the loop is over.
func (m *mapper[T, R]) step() bool {
	if m.ended() {
		return false
	}
	if i, ok := m.readySlot(); ok {
		return m.emit(i)
	}
	select {
	case i := <-m.done:
		m.report(i)
	case <-m.ctx.Done():
	}
	return !m.ended()
}

// flush yields, without waiting, every result that is ready. It returns
// false when the loop is over.
func (m *mapper[T, R]) flush() bool {
	for {
		if m.ended() {
			return false
		}
		select {
		case i := <-m.done:
			m.report(i)
			continue
		default:
		}
		i, ok := m.readySlot()
		if !ok {
			return true
		}
		if !m.emit(i) {
			return false
		}
	}
}

// emit yields the result of slot i, and records whether the loop broke.
func (m *mapper[T, R]) emit(i int) bool {
	if !m.yield(m.take(i)) {
		m.over = true
	}
	return !m.over
}

// ended reports whether the loop is over. When it finds the context ended
// while results or items may remain, it yields the context's error, once.
func (m *mapper[T, R]) ended() bool {
	if m.over {
		return true
	}
	err := m.ctx.Err()
	if err == nil {
		return false
	}
	m.over = true
	if m.held > 0 || !m.exhausted {
		var zero R
		m.yield(zero, err)
	}
	return true
}

// run is the task of slot i. It calls fn unless the loop ended before the
// task started, and reports on done if it did call it. err starts as
// ErrGoexit, which a return or a panic overwrites.
func (m *mapper[T, R]) run(i int, item T) {
	sl := &m.slots[i]
	if !sl.state.CompareAndSwap(slotPending, slotRunning) {
		return
	}
	sl.err = ErrGoexit
	defer func() {
		if r := recover(); r != nil {
			var zero R
			sl.value, sl.err = zero, newPanicError(r)
		}
		m.done <- i // never blocks: done has room for every running task
	}()
	if err := m.ctx.Err(); err != nil {
		sl.err = err
		return
	}
	sl.value, sl.err = m.fn(m.ctx, item)
}

// alloc returns the slot of the next item pulled.
func (m *mapper[T, R]) alloc() int {
	if m.ordered {
		return (m.head + m.held) % len(m.slots)
	}
	i := m.free[len(m.free)-1]
	m.free = m.free[:len(m.free)-1]
	return i
}

// report records that the task of slot i returned.
func (m *mapper[T, R]) report(i int) {
	m.slots[i].busy = false
	m.running--
	m.ready(i)
}

// ready marks the result of slot i as ready to be yielded.
func (m *mapper[T, R]) ready(i int) {
	m.slots[i].ready = true
	if !m.ordered {
		m.queue[(m.qhead+m.qlen)%len(m.queue)] = i
		m.qlen++
	}
}

// readySlot returns the slot to yield next, if its result is ready.
func (m *mapper[T, R]) readySlot() (int, bool) {
	if m.ordered {
		i := m.head % len(m.slots)
		return i, m.held > 0 && m.slots[i].ready
	}
	if m.qlen == 0 {
		return 0, false
	}
	i := m.queue[m.qhead]
	m.qhead = (m.qhead + 1) % len(m.queue)
	m.qlen--
	return i, true
}

// take empties slot i and returns its result.
func (m *mapper[T, R]) take(i int) (R, error) {
	sl := &m.slots[i]
	v, err := sl.value, sl.err
	var zero R
	sl.value, sl.err, sl.ready = zero, nil, false
	m.held--
	if m.ordered {
		m.head = (m.head + 1) % len(m.slots)
	} else {
		m.free = append(m.free, i)
	}
	return v, err
}

// end runs when the loop ends for any reason: it cancels fn's context,
// keeps every task that has not started from calling fn, and waits for
// those that have.
func (m *mapper[T, R]) end() {
	m.cancel()
	for i := range m.slots {
		sl := &m.slots[i]
		if sl.busy && sl.state.CompareAndSwap(slotPending, slotCancelled) {
			sl.busy = false
			m.running--
		}
	}
	for ; m.running > 0; m.running-- {
		<-m.done
	}
}
