package ants

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/goleak"
)

// The checker of the model test, which runs a plan and judges every call
// (see model_test.go; the plans are in model_plan_test.go).

// The kinds of failure the checker reports; each error it returns wraps one.
var (
	relErrLost        = errors.New("accepted task did not run")
	relErrTwice       = errors.New("task ran more than once")
	relErrRejectedRan = errors.New("rejected task ran")
	relErrOverCap     = errors.New("more tasks ran at once than the capacity")
	relErrHang        = errors.New("call did not return in time")
	relErrBadError    = errors.New("call returned an error its options do not allow")
	relErrDrain       = errors.New("final ReleaseTimeout failed")
	relErrLeak        = errors.New("goroutines left after the final ReleaseTimeout")
	relErrStats       = errors.New("stats disagree with the tasks run")
	relErrPanics      = errors.New("task panics were not all reported")
)

// Submission states of a task.
const (
	relPending int32 = iota
	relAccepted
	relRejected
)

// relCapEntry records that the total capacity was cap from clock tick seq on.
type relCapEntry struct {
	seq int64
	cap int64
}

// relChecker runs one plan and collects the invariant violations.
type relChecker struct {
	plan   relPlan
	limits relLimits
	gate   chan struct{} // closed when the plan is done: hold tasks return

	clock atomic.Int64 // orders submissions and capacity changes

	// Per task id.
	tasks []relOp
	start []atomic.Int64 // clock tick when its submission began
	runs  []atomic.Int32
	state []atomic.Int32

	mu      sync.Mutex
	active  map[int64]int64 // running task id -> its start tick
	capLog  []relCapEntry   // capacity changes, in clock order
	maxCap  int64           // largest capacity ever in force
	peak    int             // most tasks seen running at once
	errs    []error
	errKeys map[error]int // how many errors of each kind were recorded

	tuneMu     sync.Mutex // Tune calls are serialized, so capLog is exact
	curSize    int        // per-pool size in force (guarded by tuneMu)
	releases   atomic.Int32
	panicked   atomic.Int64 // panics reported to the handler or the logger
	overloads  atomic.Int64
	cancels    atomic.Int64
	accepted   atomic.Int64
	awaitStart atomic.Int32 // tasks running now, for relOpAwait
}

// relLogger counts the pool's panic reports and prints nothing.
type relLogger struct{ c *relChecker }

func (l relLogger) Printf(format string, _ ...any) {
	if strings.Contains(format, "panic") {
		l.c.panicked.Add(1)
	}
}

// relPanicValue is what relTaskPanic panics with.
type relPanicValue struct{ id int64 }

func (c *relChecker) fail(kind error, format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.failLocked(kind, format, args...)
}

func (c *relChecker) failLocked(kind error, format string, args ...any) {
	if c.errKeys[kind] >= 3 { // a few of each kind are enough to diagnose
		c.errKeys[kind]++
		return
	}
	c.errKeys[kind]++
	c.errs = append(c.errs, fmt.Errorf("%w: "+format, append([]any{kind}, args...)...))
}

// run is the body of task id.
func (c *relChecker) run(id int64) {
	if n := c.runs[id].Add(1); n > 1 {
		c.fail(relErrTwice, "task %d ran %d times", id, n)
	}
	if c.state[id].Load() == relRejected {
		c.fail(relErrRejectedRan, "task %d ran after its submission failed", id)
	}
	c.enter(id)
	defer c.exit(id)
	op := c.tasks[id]
	switch op.task {
	case relTaskHold:
		t := time.NewTimer(min(op.d, c.limits.hold))
		defer t.Stop()
		select {
		case <-c.gate:
		case <-t.C:
		}
	case relTaskPanic:
		panic(relPanicValue{id})
	case relTaskGoexit:
		runtime.Goexit()
	}
}

// enter records that task id started and checks the capacity. The bound is
// the largest capacity in force at any time since the oldest running task
// began its submission: every running task was admitted in that window,
// and after a Tune down the tasks admitted before it may run on until they
// finish. Tune calls are recorded conservatively (a rise before the call,
// a fall after it), so the bound is never lower than the truth.
func (c *relChecker) enter(id int64) {
	c.awaitStart.Add(1)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.active[id] = c.start[id].Load()
	c.peak = max(c.peak, len(c.active))
	if c.maxCap < 0 {
		return
	}
	oldest := int64(math.MaxInt64)
	for _, s := range c.active {
		oldest = min(oldest, s)
	}
	bound := int64(-1)
	for i, e := range c.capLog {
		if e.seq > oldest || i+1 == len(c.capLog) || c.capLog[i+1].seq > oldest {
			bound = max(bound, e.cap)
		}
	}
	if int64(len(c.active)) > bound {
		c.failLocked(relErrOverCap, "%d tasks running at once, capacity in force since tick %d is at most %d", len(c.active), oldest, bound)
	}
}

func (c *relChecker) exit(id int64) {
	c.mu.Lock()
	delete(c.active, id)
	c.mu.Unlock()
	c.awaitStart.Add(-1)
}

// recordCap appends a capacity change to the log.
func (c *relChecker) recordCap(capacity int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.capLog = append(c.capLog, relCapEntry{seq: c.clock.Add(1), cap: capacity})
	c.maxCap = max(c.maxCap, capacity)
}

// relCheckPlan runs plan against the pool that build returns and reports
// every invariant it saw broken, or nil. When it reports a hang, the hung
// goroutines are left behind.
func relCheckPlan(plan relPlan, build relFactory, limits relLimits) error {
	var leakOpt goleak.Option
	if limits.leak {
		leakOpt = goleak.IgnoreCurrent()
	}
	c := &relChecker{
		plan:    plan,
		limits:  limits,
		gate:    make(chan struct{}),
		active:  make(map[int64]int64),
		errKeys: make(map[error]int),
		curSize: plan.cfg.size,
	}
	for _, ops := range plan.actors {
		for _, op := range ops {
			if op.kind == relOpSubmit || op.kind == relOpSubmitCtx {
				c.tasks = append(c.tasks, op)
			}
		}
	}
	c.start = make([]atomic.Int64, len(c.tasks))
	c.runs = make([]atomic.Int32, len(c.tasks))
	c.state = make([]atomic.Int32, len(c.tasks))
	c.maxCap = plan.cfg.capacity(plan.cfg.size)
	c.capLog = []relCapEntry{{seq: 0, cap: c.maxCap}}

	handler := func(v any) {
		if _, ok := v.(relPanicValue); ok {
			c.panicked.Add(1)
		}
	}
	f, err := build(plan.cfg, c.run, handler, relLogger{c})
	if err != nil {
		return fmt.Errorf("%w: building %v: %v", relErrBadError, plan.cfg, err)
	}
	w := &relWatchdog{c: c, f: f, hung: make(chan struct{})}

	var wg sync.WaitGroup
	begin := make(chan struct{})
	next := int64(0)
	for _, ops := range plan.actors {
		ids := make([]int64, len(ops))
		for i, op := range ops {
			if op.kind == relOpSubmit || op.kind == relOpSubmitCtx {
				ids[i] = next
				next++
			}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-begin
			for i, op := range ops {
				select {
				case <-w.hung:
					return
				default:
				}
				c.do(f, w, op, ids[i])
			}
		}()
	}
	close(begin)
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-w.hung:
		close(c.gate) // let the hold tasks go; the hung call stays hung
		return c.result()
	}

	// Final phase: let hold tasks go, reopen, and drain everything.
	close(c.gate)
	w.call("final Reboot", limits.call, f.Reboot)
	var drainErr error
	w.call("final ReleaseTimeout", limits.drain+limits.call, func() { drainErr = f.ReleaseTimeout(limits.drain) })
	select {
	case <-w.hung:
		return c.result()
	default:
	}
	if drainErr != nil {
		c.fail(relErrDrain, "ReleaseTimeout(%v) = %v; want nil (Running=%d Waiting=%d Stats=%+v)", limits.drain, drainErr, f.Running(), f.Waiting(), f.Stats())
	}
	var ran, accepted int64
	for id := range c.tasks {
		runs := c.runs[id].Load()
		ran += int64(runs)
		switch c.state[id].Load() {
		case relAccepted:
			accepted++
			if runs == 0 {
				c.fail(relErrLost, "task %d (%v) was accepted and never ran", id, c.tasks[id])
			}
		case relRejected:
			if runs != 0 {
				c.fail(relErrRejectedRan, "task %d (%v) was refused and ran %d times", id, c.tasks[id], runs)
			}
		}
	}
	if limits.leak {
		if err := goleak.Find(leakOpt); err != nil {
			c.fail(relErrLeak, "%v", err)
		}
	}
	// After goleak: every worker has returned, so every report is done.
	if drainErr == nil && limits.stats {
		c.checkStats(f.Stats())
	}
	relTotalsRecord(plan, len(c.tasks), accepted, ran, c.peak)
	return c.result()
}

// checkStats compares the pool's counters with what the checker saw, on
// every face: a multi-pool counts a refused submission once, even when it
// offered the task to a second pool.
func (c *relChecker) checkStats(s Stats) {
	var panics int64
	for id, op := range c.tasks {
		if c.state[id].Load() == relAccepted && op.task == relTaskPanic {
			panics++
		}
	}
	acc := uint64(c.accepted.Load())
	if s.Submitted != acc || s.Completed != acc || s.Rejected != uint64(c.overloads.Load()) ||
		s.Cancelled != uint64(c.cancels.Load()) || s.Panicked != uint64(panics) {
		c.fail(relErrStats, "Stats = %+v; want Submitted = Completed = %d, Rejected = %d, Cancelled = %d, Panicked = %d",
			s, acc, c.overloads.Load(), c.cancels.Load(), panics)
	}
	if got := c.panicked.Load(); got != panics {
		c.fail(relErrPanics, "%d panics reported; want %d", got, panics)
	}
}

func (c *relChecker) result() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for kind, n := range c.errKeys {
		if n > 3 {
			c.errs = append(c.errs, fmt.Errorf("%w: and %d more", kind, n-3))
		}
	}
	return errors.Join(c.errs...)
}

// do performs one operation of the plan.
func (c *relChecker) do(f relFace, w *relWatchdog, op relOp, id int64) {
	limit := c.limits.call
	switch op.kind {
	case relOpSubmit, relOpSubmitCtx:
		var ctx context.Context
		cancel := context.CancelFunc(func() {})
		if op.kind == relOpSubmitCtx {
			switch op.ctx {
			case relCtxBackground:
				ctx = context.Background()
			case relCtxCancelled:
				ctx, cancel = context.WithCancel(context.Background())
				cancel()
			default:
				ctx, cancel = context.WithTimeout(context.Background(), op.d)
			}
		}
		c.start[id].Store(c.clock.Add(1))
		var err error
		w.call(op.String(), limit, func() { err = f.submit(ctx, id) })
		cancel()
		c.judgeSubmit(id, ctx != nil, err)
	case relOpTune:
		c.tune(f, w, op.n)
	case relOpRelease:
		c.releases.Add(1)
		w.call(op.String(), limit, f.Release)
	case relOpReleaseTimeout:
		c.releases.Add(1)
		var err error
		w.call(op.String(), limit+op.d, func() { err = f.ReleaseTimeout(op.d) })
		if err != nil && !errors.Is(err, ErrTimeout) && !errors.Is(err, ErrPoolClosed) {
			c.fail(relErrBadError, "%v = %v", op, err)
		}
	case relOpReleaseContext:
		c.releases.Add(1)
		ctx, cancel := context.WithTimeout(context.Background(), op.d)
		var err error
		w.call(op.String(), limit+op.d, func() { err = f.ReleaseContext(ctx) })
		cancel()
		if err != nil && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, ErrPoolClosed) {
			c.fail(relErrBadError, "%v = %v", op, err)
		}
	case relOpReboot:
		w.call(op.String(), limit, f.Reboot)
	case relOpRead:
		w.call(op.String(), limit, func() {
			_, _, _, _, _ = f.Free(), f.Waiting(), f.Cap(), f.IsClosed(), f.Stats()
			r := f.Running()
			c.mu.Lock()
			if c.maxCap >= 0 && int64(r) > c.maxCap {
				c.failLocked(relErrOverCap, "Running() = %d, above every capacity used (%d)", r, c.maxCap)
			}
			c.mu.Unlock()
		})
	case relOpAwait:
		deadline := time.Now().Add(limit)
		for int(c.awaitStart.Load()) < op.n && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
	}
}

// judgeSubmit records the outcome of the submission of task id.
func (c *relChecker) judgeSubmit(id int64, withCtx bool, err error) {
	cfg := c.plan.cfg
	switch {
	case err == nil:
		c.accepted.Add(1)
		c.state[id].Store(relAccepted)
		return
	case errors.Is(err, ErrPoolClosed):
		if c.releases.Load() == 0 {
			c.fail(relErrBadError, "task %d: ErrPoolClosed from a pool never released", id)
		}
	case errors.Is(err, ErrPoolOverload) && cfg.overloadAllowed():
		c.overloads.Add(1)
	case withCtx && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)):
		c.cancels.Add(1)
	default:
		c.fail(relErrBadError, "task %d (%v): submission returned %v", id, c.tasks[id], err)
	}
	if c.runs[id].Load() != 0 {
		c.fail(relErrRejectedRan, "task %d ran though its submission returned %v", id, err)
	}
	c.state[id].Store(relRejected)
}

// tune calls Tune and keeps the capacity log conservative: a rise is
// recorded before the call, a fall after it.
func (c *relChecker) tune(f relFace, w *relWatchdog, n int) {
	c.tuneMu.Lock()
	defer c.tuneMu.Unlock()
	cfg := c.plan.cfg
	if !cfg.tunable() || n <= 0 || n == c.curSize {
		w.call(fmt.Sprintf("Tune(%d)", n), c.limits.call, func() { f.Tune(n) })
		return
	}
	newCap := cfg.capacity(n)
	rise := n > c.curSize
	if rise {
		c.recordCap(newCap)
	}
	w.call(fmt.Sprintf("Tune(%d)", n), c.limits.call, func() { f.Tune(n) })
	if !rise {
		c.recordCap(newCap)
	}
	c.curSize = n
}
