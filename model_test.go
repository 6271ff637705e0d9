package ants

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
	"pgregory.net/rapid"
)

// This file holds the model-based test of issue 5: random plans of
// concurrent operations run against every face, and a checker that states
// what must hold whatever the interleaving:
//
//   - every task whose submission returned nil runs exactly once;
//   - a task whose submission failed never runs;
//   - no more tasks run at once than the capacity in force since the oldest
//     of them began its submission (see relChecker.enter);
//   - every call returns within a bound (a hang fails with a goroutine dump);
//   - a call fails only with an error its options allow;
//   - after the final ReleaseTimeout no goroutine of the pool remains.
//
// The checker returns errors instead of failing the test, so that
// TestModelCheckerCatchesFaults can run it against deliberately broken
// pools and prove that each invariant can fail.

// relFace is the surface of the six faces that the checker drives. submit
// runs the checker's task id: Submit or Invoke when ctx is nil, and
// SubmitContext or InvokeContext otherwise.
type relFace interface {
	submit(ctx context.Context, id int64) error
	Tune(size int)
	Release()
	ReleaseTimeout(timeout time.Duration) error
	ReleaseContext(ctx context.Context) error
	Reboot()
	Running() int
	Free() int
	Waiting() int
	Cap() int
	IsClosed() bool
	Stats() Stats
}

// The faces, in the order relCfg.face numbers them.
const (
	relFacePool = iota
	relFaceFunc
	relFaceGeneric
	relFaceMulti
	relFaceMultiFunc
	relFaceMultiGeneric
	relFaceCount
)

var relFaceNames = [relFaceCount]string{"Pool", "PoolWithFunc", "PoolWithFuncGeneric", "MultiPool", "MultiPoolWithFunc", "MultiPoolWithFuncGeneric"}

type relPool struct {
	*Pool
	run func(int64)
}

func (p relPool) submit(ctx context.Context, id int64) error {
	task := func() { p.run(id) }
	if ctx == nil {
		return p.Submit(task)
	}
	return p.SubmitContext(ctx, task)
}

type relFuncPool struct{ *PoolWithFunc }

func (p relFuncPool) submit(ctx context.Context, id int64) error {
	if ctx == nil {
		return p.Invoke(id)
	}
	return p.InvokeContext(ctx, id)
}

type relGenericPool struct {
	*PoolWithFuncGeneric[int64]
}

func (p relGenericPool) submit(ctx context.Context, id int64) error {
	if ctx == nil {
		return p.Invoke(id)
	}
	return p.InvokeContext(ctx, id)
}

type relMultiPool struct {
	*MultiPool
	run func(int64)
}

func (p relMultiPool) submit(ctx context.Context, id int64) error {
	task := func() { p.run(id) }
	if ctx == nil {
		return p.Submit(task)
	}
	return p.SubmitContext(ctx, task)
}

type relMultiFuncPool struct{ *MultiPoolWithFunc }

func (p relMultiFuncPool) submit(ctx context.Context, id int64) error {
	if ctx == nil {
		return p.Invoke(id)
	}
	return p.InvokeContext(ctx, id)
}

type relMultiGenericPool struct {
	*MultiPoolWithFuncGeneric[int64]
}

func (p relMultiGenericPool) submit(ctx context.Context, id int64) error {
	if ctx == nil {
		return p.Invoke(id)
	}
	return p.InvokeContext(ctx, id)
}

// relCfg is the configuration of the pool under test.
type relCfg struct {
	face         int
	size         int // per pool; <= 0 means unlimited
	pools        int // multi-pools only
	lbs          LoadBalancingStrategy
	nonblocking  bool
	maxBlocking  int
	preAlloc     bool
	disablePurge bool
	expiry       time.Duration
	queue        int
	handler      bool // install a PanicHandler (else panics go to the Logger)
}

func (c relCfg) multi() bool { return c.face >= relFaceMulti }

// capacity is the total capacity for a per-pool size, or -1 if unlimited.
func (c relCfg) capacity(size int) int64 {
	if c.size <= 0 {
		return -1
	}
	n := int64(min(size, math.MaxInt32))
	if c.multi() {
		n *= int64(c.pools)
	}
	return n
}

// tunable reports whether Tune changes the capacity of the pool.
func (c relCfg) tunable() bool { return c.size > 0 && !c.preAlloc }

// overloadAllowed reports whether ErrPoolOverload is a legal answer.
func (c relCfg) overloadAllowed() bool { return c.nonblocking || c.maxBlocking > 0 }

func (c relCfg) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s size=%d", relFaceNames[c.face], c.size)
	if c.multi() {
		fmt.Fprintf(&b, " pools=%d lbs=%d", c.pools, c.lbs)
	}
	fmt.Fprintf(&b, " nonblocking=%v maxBlocking=%d preAlloc=%v disablePurge=%v expiry=%v queue=%d handler=%v",
		c.nonblocking, c.maxBlocking, c.preAlloc, c.disablePurge, c.expiry, c.queue, c.handler)
	return b.String()
}

func (c relCfg) options(handler func(any), logger Logger) []Option {
	opts := []Option{
		WithNonblocking(c.nonblocking),
		WithMaxBlockingTasks(c.maxBlocking),
		WithPreAlloc(c.preAlloc),
		WithDisablePurge(c.disablePurge),
		WithExpiryDuration(c.expiry),
		WithQueueSize(c.queue),
		WithLogger(logger),
	}
	if c.handler {
		opts = append(opts, WithPanicHandler(handler))
	}
	return opts
}

// relNewFace builds the pool c describes; its tasks call run with their id.
func relNewFace(c relCfg, run func(int64), handler func(any), logger Logger) (relFace, error) {
	return relBuildFace(c.face, c.size, c.pools, c.lbs, run, c.options(handler, logger)...)
}

// relBuildFace builds a face of the given size (per pool, for multi-pools
// of the given number of pools) whose tasks call run with their id.
func relBuildFace(face, size, pools int, lbs LoadBalancingStrategy, run func(int64), opts ...Option) (relFace, error) {
	switch face {
	case relFacePool:
		p, err := NewPool(size, opts...)
		if err != nil {
			return nil, err
		}
		return relPool{p, run}, nil
	case relFaceFunc:
		p, err := NewPoolWithFunc(size, func(a any) { run(a.(int64)) }, opts...)
		if err != nil {
			return nil, err
		}
		return relFuncPool{p}, nil
	case relFaceGeneric:
		p, err := NewPoolWithFuncGeneric(size, run, opts...)
		if err != nil {
			return nil, err
		}
		return relGenericPool{p}, nil
	case relFaceMulti:
		p, err := NewMultiPool(pools, size, lbs, opts...)
		if err != nil {
			return nil, err
		}
		return relMultiPool{p, run}, nil
	case relFaceMultiFunc:
		p, err := NewMultiPoolWithFunc(pools, size, func(a any) { run(a.(int64)) }, lbs, opts...)
		if err != nil {
			return nil, err
		}
		return relMultiFuncPool{p}, nil
	default:
		p, err := NewMultiPoolWithFuncGeneric(pools, size, run, lbs, opts...)
		if err != nil {
			return nil, err
		}
		return relMultiGenericPool{p}, nil
	}
}

// relFactory builds the pool under test; the checker passes its own task
// runner, panic handler and logger.
type relFactory func(c relCfg, run func(int64), handler func(any), logger Logger) (relFace, error)

type relOpKind uint8

const (
	relOpSubmit         relOpKind = iota // Submit or Invoke
	relOpSubmitCtx                       // SubmitContext or InvokeContext
	relOpTune                            // Tune(n)
	relOpRelease                         // Release()
	relOpReleaseTimeout                  // ReleaseTimeout(d)
	relOpReleaseContext                  // ReleaseContext(ctx with timeout d)
	relOpReboot                          // Reboot()
	relOpRead                            // the gauges
	relOpAwait                           // wait until n tasks run at once (fixed plans only)
)

var relOpNames = [...]string{"Submit", "SubmitCtx", "Tune", "Release", "ReleaseTimeout", "ReleaseContext", "Reboot", "Read", "Await"}

type relTaskKind uint8

const (
	relTaskQuick  relTaskKind = iota // returns at once
	relTaskHold                      // waits for the gate or for d
	relTaskPanic                     // panics
	relTaskGoexit                    // calls runtime.Goexit
)

var relTaskNames = [...]string{"quick", "hold", "panic", "goexit"}

type relCtxKind uint8

const (
	relCtxBackground relCtxKind = iota // never done
	relCtxCancelled                    // done before the call
	relCtxTimeout                      // done after d
)

// relOp is one step of one goroutine of a plan.
type relOp struct {
	kind relOpKind
	task relTaskKind
	ctx  relCtxKind
	n    int
	d    time.Duration
}

func (o relOp) String() string {
	switch o.kind {
	case relOpSubmit:
		return fmt.Sprintf("Submit(%s %v)", relTaskNames[o.task], o.d)
	case relOpSubmitCtx:
		return fmt.Sprintf("SubmitCtx(%s %v, ctx=%d)", relTaskNames[o.task], o.d, o.ctx)
	case relOpTune, relOpAwait:
		return fmt.Sprintf("%s(%d)", relOpNames[o.kind], o.n)
	case relOpReleaseTimeout, relOpReleaseContext:
		return fmt.Sprintf("%s(%v)", relOpNames[o.kind], o.d)
	}
	return relOpNames[o.kind]
}

// relPlan is a pool configuration and, per goroutine, its operations.
type relPlan struct {
	cfg    relCfg
	actors [][]relOp
}

func (p relPlan) String() string {
	var b strings.Builder
	b.WriteString(p.cfg.String())
	for i, ops := range p.actors {
		fmt.Fprintf(&b, "\n  goroutine %d: %v", i, ops)
	}
	return b.String()
}

// relLimits bounds the time a run may take.
type relLimits struct {
	call  time.Duration // how long one call may block before it counts as a hang
	drain time.Duration // the timeout of the final ReleaseTimeout
	hold  time.Duration // how long a hold task waits at most for the gate
	leak  bool          // check for leftover goroutines with goleak
	stats bool          // check Stats() against the tasks seen
}

var relDefaultLimits = relLimits{call: 20 * time.Second, drain: 20 * time.Second, hold: 10 * time.Second, leak: true, stats: true}

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

// relWatchdog fails a run whose call does not return in time.
type relWatchdog struct {
	c    *relChecker
	f    relFace
	hung chan struct{}
	once sync.Once
}

// call runs fn and reports a hang if it has not returned after limit.
func (w *relWatchdog) call(desc string, limit time.Duration, fn func()) {
	timer := time.AfterFunc(limit, func() {
		w.once.Do(func() {
			w.c.fail(relErrHang, "%s blocked for %v; pool: Running=%d Waiting=%d Stats=%+v; goroutines:\n%s",
				desc, limit, w.f.Running(), w.f.Waiting(), w.f.Stats(), relStacks())
			close(w.hung)
		})
	})
	fn()
	timer.Stop()
}

// relStacks returns the stacks of all goroutines.
func relStacks() string {
	buf := make([]byte, 1<<16)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return string(buf[:n])
		}
		buf = make([]byte, 2*len(buf))
	}
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
	if drainErr == nil && limits.stats && !plan.cfg.multi() {
		c.checkStats(f.Stats())
	}
	relTotalsRecord(plan, len(c.tasks), accepted, ran, c.peak)
	return c.result()
}

// relTotals counts what the checker has exercised, for the logs of the
// model and soak tests.
var relTotals struct {
	sync.Mutex
	plans, ops, tasks, accepted, ran, peakSum int64
}

func relTotalsRecord(plan relPlan, tasks int, accepted, ran int64, peak int) {
	relTotals.Lock()
	defer relTotals.Unlock()
	relTotals.plans++
	for _, ops := range plan.actors {
		relTotals.ops += int64(len(ops))
	}
	relTotals.tasks += int64(tasks)
	relTotals.accepted += accepted
	relTotals.ran += ran
	relTotals.peakSum += int64(peak)
}

// relTotalsSince logs what was exercised since snapshot s was taken.
func relTotalsLog(t testing.TB, s [6]int64) {
	relTotals.Lock()
	defer relTotals.Unlock()
	t.Logf("%d plans, %d operations, %d tasks submitted, %d accepted, %d runs, mean peak concurrency %.1f",
		relTotals.plans-s[0], relTotals.ops-s[1], relTotals.tasks-s[2], relTotals.accepted-s[3], relTotals.ran-s[4],
		float64(relTotals.peakSum-s[5])/float64(max(relTotals.plans-s[0], 1)))
}

func relTotalsSnapshot() [6]int64 {
	relTotals.Lock()
	defer relTotals.Unlock()
	return [6]int64{relTotals.plans, relTotals.ops, relTotals.tasks, relTotals.accepted, relTotals.ran, relTotals.peakSum}
}

// checkStats compares the pool's counters with what the checker saw. The
// multi-pools are left out: a RoundRobin overload retried on another pool
// counts as a rejection there though the submission succeeds.
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

// relDrawPlan draws a random plan.
func relDrawPlan(t *rapid.T) relPlan {
	var c relCfg
	c.face = rapid.IntRange(0, relFaceCount-1).Draw(t, "face")
	if rapid.IntRange(0, 5).Draw(t, "unlimited") == 0 {
		c.size = rapid.SampledFrom([]int{0, -1}).Draw(t, "size")
	} else {
		c.size = rapid.IntRange(1, 6).Draw(t, "size")
		c.preAlloc = rapid.IntRange(0, 3).Draw(t, "preAlloc") == 0
	}
	if c.multi() {
		c.pools = rapid.IntRange(1, 3).Draw(t, "pools")
		c.lbs = rapid.SampledFrom([]LoadBalancingStrategy{RoundRobin, LeastTasks}).Draw(t, "lbs")
	}
	c.nonblocking = rapid.IntRange(0, 3).Draw(t, "nonblocking") == 0
	c.maxBlocking = rapid.SampledFrom([]int{0, 0, 1, 3}).Draw(t, "maxBlocking")
	c.disablePurge = rapid.Bool().Draw(t, "disablePurge")
	c.expiry = rapid.SampledFrom([]time.Duration{0, time.Millisecond, 2 * time.Millisecond, 5 * time.Millisecond}).Draw(t, "expiry")
	c.queue = rapid.SampledFrom([]int{0, 0, 1, 4}).Draw(t, "queue")
	c.handler = rapid.Bool().Draw(t, "handler")

	ops := rapid.Custom(relDrawOp)
	actors := rapid.IntRange(1, 5).Draw(t, "goroutines")
	plan := relPlan{cfg: c}
	for i := range actors {
		plan.actors = append(plan.actors, rapid.SliceOfN(ops, 1, 40).Draw(t, fmt.Sprintf("ops%d", i)))
	}
	return plan
}

func relDrawOp(t *rapid.T) relOp {
	var op relOp
	switch w := rapid.IntRange(0, 99).Draw(t, "op"); {
	case w < 45:
		op.kind = relOpSubmit
	case w < 65:
		op.kind = relOpSubmitCtx
	case w < 75:
		op.kind = relOpTune
	case w < 82:
		op.kind = relOpRead
	case w < 86:
		op.kind = relOpRelease
	case w < 89:
		op.kind = relOpReleaseTimeout
	case w < 92:
		op.kind = relOpReleaseContext
	default:
		op.kind = relOpReboot
	}
	switch op.kind {
	case relOpSubmit, relOpSubmitCtx:
		switch w := rapid.IntRange(0, 99).Draw(t, "task"); {
		case w < 40:
			op.task = relTaskQuick
		case w < 85:
			op.task = relTaskHold
			op.d = time.Duration(rapid.IntRange(0, 3000).Draw(t, "hold")) * time.Microsecond
		case w < 95:
			op.task = relTaskPanic
		default:
			op.task = relTaskGoexit
		}
		if op.kind == relOpSubmitCtx {
			op.ctx = relCtxKind(rapid.IntRange(0, 2).Draw(t, "ctx"))
			if op.ctx == relCtxTimeout {
				op.d = time.Duration(rapid.IntRange(0, 3000).Draw(t, "timeout")) * time.Microsecond
			}
		}
	case relOpTune:
		op.n = rapid.IntRange(-1, 8).Draw(t, "tune")
	case relOpReleaseTimeout, relOpReleaseContext:
		op.d = rapid.SampledFrom([]time.Duration{0, time.Millisecond, 10 * time.Millisecond, 100 * time.Millisecond}).Draw(t, "timeout")
	}
	return op
}

// relChecks runs rapid with n checks unless -rapid.checks was given.
func relChecks(t *testing.T, n int, prop func(*rapid.T)) {
	explicit := false
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "rapid.checks" })
	if !explicit {
		if f := flag.Lookup("rapid.checks"); f != nil {
			old := f.Value.String()
			_ = f.Value.Set(fmt.Sprint(n))
			defer func() { _ = f.Value.Set(old) }()
		}
	}
	rapid.Check(t, prop)
}

// TestModel runs random concurrent plans against every face and option mix
// and checks the invariants listed at the top of this file.
func TestModel(t *testing.T) {
	defer relTotalsLog(t, relTotalsSnapshot())
	relChecks(t, 5000, func(rt *rapid.T) {
		plan := relDrawPlan(rt)
		if err := relCheckPlan(plan, relNewFace, relDefaultLimits); err != nil {
			rt.Fatalf("%v\nplan: %v", err, plan)
		}
	})
}

// relFault is a bug that relFakePool can be told to have.
type relFault int

const (
	relFaultNone        relFault = iota
	relFaultDrop                 // accepts the 2nd task and never runs it
	relFaultTwice                // runs the 2nd task twice
	relFaultOverCap              // runs one task more than the capacity at once
	relFaultHang                 // the 2nd submission never returns
	relFaultRunRejected          // refuses the 2nd task with ErrPoolOverload and runs it anyway
	relFaultLeak                 // leaves a goroutine behind after ReleaseTimeout
)

// relFakePool is a deliberately simple pool, one goroutine per task and a
// semaphore for the capacity, with an optional fault. It serves to prove
// that the checker notices each kind of bug.
type relFakePool struct {
	run    func(int64)
	fault  relFault
	slots  chan struct{}
	wg     sync.WaitGroup
	closed atomic.Bool
	n      atomic.Int64
	stuck  chan struct{} // released by the test, to end a hang or a leak
}

func (p *relFakePool) submit(ctx context.Context, id int64) error {
	if p.closed.Load() {
		return ErrPoolClosed
	}
	nth := p.n.Add(1)
	switch {
	case p.fault == relFaultDrop && nth == 2:
		return nil
	case p.fault == relFaultHang && nth == 2:
		<-p.stuck
		return ErrPoolClosed
	}
	var done <-chan struct{}
	if ctx != nil {
		done = ctx.Done()
	}
	select {
	case p.slots <- struct{}{}:
	case <-done:
		return ctx.Err()
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		defer func() { <-p.slots }()
		p.run(id)
		if p.fault == relFaultTwice && nth == 2 {
			p.run(id)
		}
	}()
	if p.fault == relFaultRunRejected && nth == 2 {
		return ErrPoolOverload
	}
	return nil
}

func (p *relFakePool) Tune(int)       {}
func (p *relFakePool) Release()       { p.closed.Store(true) }
func (p *relFakePool) Reboot()        { p.closed.Store(false) }
func (p *relFakePool) Running() int   { return len(p.slots) }
func (p *relFakePool) Free() int      { return cap(p.slots) - len(p.slots) }
func (p *relFakePool) Waiting() int   { return 0 }
func (p *relFakePool) Cap() int       { return cap(p.slots) }
func (p *relFakePool) IsClosed() bool { return p.closed.Load() }
func (p *relFakePool) Stats() Stats {
	return Stats{}
}

func (p *relFakePool) ReleaseTimeout(d time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	if err := p.ReleaseContext(ctx); errors.Is(err, context.DeadlineExceeded) {
		return ErrTimeout
	} else {
		return err
	}
}

func (p *relFakePool) ReleaseContext(ctx context.Context) error {
	if !p.closed.CompareAndSwap(false, true) {
		return ErrPoolClosed
	}
	done := make(chan struct{})
	go func() { p.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// TestModelCheckerCatchesFaults runs the model's checker against pools
// with known bugs, and checks that it reports each one; and against the
// same pool without a bug, and the real faces, where it must report none.
func TestModelCheckerCatchesFaults(t *testing.T) {
	hold := relOp{kind: relOpSubmit, task: relTaskHold, d: time.Minute}
	quick := relOp{kind: relOpSubmit, task: relTaskQuick}
	cfg := relCfg{face: relFacePool, size: 2, preAlloc: true, nonblocking: true}
	plan := relPlan{cfg: cfg, actors: [][]relOp{{quick, quick, quick, hold, hold, {kind: relOpAwait, n: 2}}}}
	overPlan := relPlan{cfg: cfg, actors: [][]relOp{{hold, hold, hold, {kind: relOpAwait, n: 3}}}}
	limits := relLimits{call: 300 * time.Millisecond, drain: 5 * time.Second, hold: 10 * time.Second, leak: true}

	cases := []struct {
		name  string
		fault relFault
		plan  relPlan
		want  error // nil: the checker must find nothing
	}{
		{"a correct pool passes", relFaultNone, plan, nil},
		{"a correct pool at full capacity passes", relFaultNone, relPlan{cfg: cfg, actors: [][]relOp{{hold, hold, {kind: relOpAwait, n: 2}}}}, nil},
		{"a dropped task is reported lost", relFaultDrop, plan, relErrLost},
		{"a task run twice is reported", relFaultTwice, plan, relErrTwice},
		{"capacity exceeded by one is reported", relFaultOverCap, overPlan, relErrOverCap},
		{"a hung submission is reported", relFaultHang, plan, relErrHang},
		{"a refused task that runs is reported", relFaultRunRejected, plan, relErrRejectedRan},
		{"a goroutine left behind is reported", relFaultLeak, plan, relErrLeak},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			stuck := make(chan struct{})
			defer close(stuck)
			build := func(c relCfg, run func(int64), _ func(any), _ Logger) (relFace, error) {
				slots := c.size
				if tc.fault == relFaultOverCap {
					slots++
				}
				if tc.fault == relFaultLeak {
					go func() { <-stuck }()
				}
				return &relFakePool{run: run, fault: tc.fault, slots: make(chan struct{}, slots), stuck: stuck}, nil
			}
			err := relCheckPlan(tc.plan, build, limits)
			switch {
			case tc.want == nil && err != nil:
				t.Fatalf("checker reported %v; want nothing", err)
			case tc.want != nil && !errors.Is(err, tc.want):
				t.Fatalf("checker reported %v; want %v", err, tc.want)
			}
			if err != nil {
				t.Logf("reported: %.200s", err)
			}
		})
	}
	t.Run("the real faces pass the same plans", func(t *testing.T) {
		for face := range relFaceCount {
			c := cfg
			c.face, c.pools, c.lbs, c.nonblocking = face, 1, RoundRobin, false
			for _, p := range []relPlan{plan, {cfg: c, actors: [][]relOp{{hold, hold, {kind: relOpAwait, n: 2}}}}} {
				p.cfg = c
				if err := relCheckPlan(p, relNewFace, relDefaultLimits); err != nil {
					t.Errorf("%s: %v", relFaceNames[face], err)
				}
			}
		}
	})
}

// relWaitFor polls cond every millisecond until it holds or d has passed,
// and reports whether it held. It is for states that the black-box API
// exposes only as gauges.
func relWaitFor(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(time.Millisecond)
	}
	return true
}

// TestModelTuneDownKeepsServing is the minimal form of a hang the model
// found: after a Tune down, a task submitted to a pool whose surplus
// workers are parked must still run. (It failed on 5a095d1: the woken
// worker saw workers > capacity and exited without passing the wake-up on,
// and the other parked worker never learned of the pending task.)
func TestModelTuneDownKeepsServing(t *testing.T) {
	for attempt := range 20 {
		p, err := NewPool(2, WithDisablePurge(true))
		if err != nil {
			t.Fatal(err)
		}
		// Two tasks at once leave two workers behind, idle.
		var started sync.WaitGroup
		started.Add(2)
		gate := make(chan struct{})
		for range 2 {
			if err := p.Submit(func() { started.Done(); <-gate }); err != nil {
				t.Fatal(err)
			}
		}
		started.Wait()
		close(gate)
		if !relWaitFor(5*time.Second, func() bool { s := p.Stats(); return s.Busy == 0 && s.Workers == 2 }) {
			t.Fatalf("attempt %d: pool did not settle: %+v", attempt, p.Stats())
		}
		p.Tune(1)
		ran := make(chan struct{})
		if err := p.Submit(func() { close(ran) }); err != nil {
			t.Fatal(err)
		}
		select {
		case <-ran:
		case <-time.After(5 * time.Second):
			t.Errorf("attempt %d: task accepted after Tune(1) did not run within 5s; Stats = %+v", attempt, p.Stats())
		}
		if err := p.ReleaseTimeout(5 * time.Second); err != nil {
			t.Fatalf("ReleaseTimeout = %v", err)
		}
		if t.Failed() {
			return
		}
	}
}

// TestModelMultiRebootReleaseRace is the minimal form of a race between
// MultiPool.Reboot and a concurrent ReleaseTimeout: Reboot flips the
// multi-pool open and then reboots its pools one by one, so a release that
// runs in between finds the pools still closed, closes nothing, and returns
// nil; Reboot then reopens the pools. The multi-pool ends up reporting
// IsClosed() == true while its pools are open with their purgers running,
// and a later ReleaseTimeout returns ErrPoolClosed without stopping them.
func TestModelMultiRebootReleaseRace(t *testing.T) {
	base := runtime.NumGoroutine()
	for i := range 2000 {
		m, err := NewMultiPool(4, 1, RoundRobin)
		if err != nil {
			t.Fatal(err)
		}
		m.Release()
		var wg sync.WaitGroup
		start := make(chan struct{})
		wg.Add(2)
		go func() { defer wg.Done(); <-start; m.Reboot() }()
		go func() { defer wg.Done(); <-start; _ = m.ReleaseTimeout(relWait) }()
		close(start)
		wg.Wait()
		if !m.IsClosed() {
			if err := m.ReleaseTimeout(relWait); err != nil {
				t.Fatalf("iteration %d: ReleaseTimeout = %v", i, err)
			}
			continue
		}
		// Closed: nothing of the pool may be left running.
		if !relNumGoroutineBelow(base, 0) {
			n := runtime.NumGoroutine() - base
			m.Reboot() // clean up: reopen, then release for real
			_ = m.ReleaseTimeout(relWait)
			t.Fatalf("iteration %d: multi-pool reports closed but %d of its goroutines still run (an open pool inside a closed multi-pool)", i, n)
		}
	}
}
