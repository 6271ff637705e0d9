package ants

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// This file runs every documented behaviour over the six faces of the
// package. Each face sits behind a faceAdapter, so a behaviour is written
// once: TestFaces/<behaviour>/<face>.
//
// Multi-pools are built with two sub-pools balanced by LeastTasks, which
// makes their placement deterministic: a task goes to the sub-pool with the
// fewest unfinished tasks, ties to the lowest index. So n tasks submitted
// one by one to an idle multi-pool land on sub-pools 0, 1, 0, 1, …, and a
// submitter that finds every sub-pool full blocks on sub-pool 0. Sizes are
// per sub-pool, so a multi-pool of size n has a capacity of 2n.

// faceTimeout bounds every wait in these tests: a wait that runs out fails
// the test instead of hanging it.
const faceTimeout = 10 * time.Second

// faceBehaviour is one documented behaviour, run over every face it
// applies to; multiOnly marks those that only the multi-pools have.
type faceBehaviour struct {
	name      string
	multiOnly bool
	run       func(t *testing.T, k faceKind)
}

func TestFaces(t *testing.T) {
	for _, b := range faceBehaviours {
		t.Run(b.name, func(t *testing.T) {
			for _, k := range faceKinds {
				t.Run(k.name, func(t *testing.T) {
					if b.multiOnly && !k.multi {
						t.Skip("only a multi-pool has sub-pools")
					}
					b.run(t, k)
				})
			}
		})
	}
}

var faceBehaviours = []faceBehaviour{
	{name: "size <= 0 means unlimited", run: faceUnlimited},
	{name: "sizes above MaxInt32 are clamped", run: faceClamped},
	{name: "Running counts busy and idle workers", run: faceRunning},
	{name: "capacity is never exceeded", run: faceCapacity},
	{name: "a blocked Submit proceeds when a task finishes", run: faceBlocking},
	{name: "Nonblocking fails at once when full", run: faceNonblocking},
	{name: "MaxBlockingTasks bounds the blocked submitters", run: faceMaxBlocking},
	{name: "Tune up wakes blocked submitters", run: faceTuneUp},
	{name: "Tune down lets running tasks finish", run: faceTuneDown},
	{name: "Tune is ignored where it cannot apply", run: faceTuneIgnored},
	{name: "idle workers are purged after ExpiryDuration", run: facePurge},
	{name: "DisablePurge keeps idle workers", run: faceDisablePurge},
	{name: "PanicHandler gets the value after the worker is gone", run: facePanicHandler},
	{name: "a panic without handler is logged and the pool goes on", run: facePanicLogged},
	{name: "Release refuses blocked and later submitters", run: faceRelease},
	{name: "ReleaseTimeout waits for running tasks", run: faceReleaseWaits},
	{name: "releasing gives up on tasks still running", run: faceReleaseGivesUp},
	{name: "ReleaseContext with a nil context does not wait", run: faceReleaseNil},
	{name: "Reboot revives a released pool", run: faceReboot},
	{name: "Reboot on an open pool does nothing", run: faceRebootOpen},
	{name: "a blocked submitter is always woken", run: faceNoLostWakeUp},
	{name: "a queue accepts tasks without blocking", run: faceQueue},
	{name: "ReleaseTimeout runs every queued task", run: faceQueueReleaseTimeout},
	{name: "Release keeps queued tasks", run: faceQueueRelease},
	{name: "a done context abandons a blocked submit", run: faceContext},
	{name: "ByIndex methods read one sub-pool", multiOnly: true, run: faceByIndexes},
	{name: "RoundRobin spreads tasks evenly", multiOnly: true, run: faceRoundRobin},
	{name: "LeastTasks picks the sub-pool with the fewest busy tasks", multiOnly: true, run: faceLeastTasks},
}

func faceUnlimited(t *testing.T, k faceKind) {
	for _, size := range []int{0, -1} {
		p := faceNew(t, k, size, WithNonblocking(true))
		// A multi-pool sums the -1 of its sub-pools, as ants v2 does.
		want := -p.pools
		faceWant(t, fmt.Sprintf("size %d: Cap()", size), p.Cap(), want)
		faceWant(t, fmt.Sprintf("size %d: Free()", size), p.Free(), want)
		p.Tune(4)
		faceWant(t, fmt.Sprintf("size %d: Cap() after Tune(4)", size), p.Cap(), want)
		gate, open := faceGate(t)
		wg := faceFill(t, p, 64, gate) // Nonblocking: fails if anything limits
		faceWant(t, fmt.Sprintf("size %d: Running() with 64 tasks", size), p.Running(), 64)
		open()
		faceWait(t, wg, "the tasks")
	}
}

func faceClamped(t *testing.T, k faceKind) {
	if strconv.IntSize < 64 {
		t.Skip("int cannot exceed MaxInt32")
	}
	big := int64(math.MaxInt32)
	for _, size := range []int{int(big + 1), math.MaxInt} {
		p := faceNew(t, k, size)
		faceWant(t, fmt.Sprintf("size %d: Cap()", size), p.Cap(), math.MaxInt32*p.pools)
	}
}

func faceRunning(t *testing.T, k faceKind) {
	p := faceNew(t, k, 8, WithDisablePurge(true))
	gate, open := faceGate(t)
	wg := faceFill(t, p, 5, gate)
	faceWant(t, "Running() with 5 busy workers", p.Running(), 5)
	faceWant(t, "Free() with 5 busy workers", p.Free(), p.Cap()-5)
	open()
	faceWait(t, wg, "the tasks")
	faceWant(t, "Running() with 5 idle workers", p.Running(), 5)
	faceWant(t, "Free() with 5 idle workers", p.Free(), p.Cap()-5)
}

func faceCapacity(t *testing.T, k faceKind) {
	const submitters, tasks = 8, 30
	p := faceNew(t, k, 3)
	var cur, peak, ran atomic.Int64
	var over atomic.Bool
	task := func() {
		n := cur.Add(1)
		for m := peak.Load(); n > m && !peak.CompareAndSwap(m, n); m = peak.Load() {
		}
		if p.Running() > p.Cap() {
			over.Store(true)
		}
		time.Sleep(10 * time.Microsecond) // keep tasks overlapping
		cur.Add(-1)
		ran.Add(1)
	}
	errs := make(chan error, submitters*tasks)
	var wg sync.WaitGroup
	for range submitters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range tasks {
				errs <- p.submit(task)
			}
		}()
	}
	faceWait(t, &wg, "the submitters")
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("Submit: got %v; want nil", err)
		}
	}
	if err := p.ReleaseTimeout(faceTimeout); err != nil {
		t.Fatalf("ReleaseTimeout: got %v; want nil", err)
	}
	faceWant(t, "tasks run", ran.Load(), int64(submitters*tasks))
	if got := peak.Load(); got > int64(p.Cap()) || got < 1 {
		t.Errorf("most tasks running at once: got %d; want 1 to %d", got, p.Cap())
	}
	faceWant(t, "Running() > Cap() seen", over.Load(), false)
}

func faceBlocking(t *testing.T, k faceKind) {
	p := faceNew(t, k, 1)
	gates := make([]func(), p.Cap())
	var wg sync.WaitGroup
	for i := range gates {
		gate, open := faceGate(t)
		gates[i] = open
		wg.Add(1)
		if err := p.submit(func() { defer wg.Done(); <-gate }); err != nil {
			t.Fatalf("Submit %d: got %v; want nil", i, err)
		}
	}
	ran := make(chan struct{})
	blocked := faceAsync(func() error { return p.submit(func() { close(ran) }) })
	facePoll(t, "Waiting() == 1", func() bool { return p.Waiting() == 1 })
	gates[0]() // the first task runs on sub-pool 0, where the submitter waits
	faceWant(t, "blocked Submit", faceRecv(t, blocked, "the blocked Submit"), nil)
	faceRecv(t, ran, "the task of the blocked Submit")
	faceWant(t, "Waiting() after the wake-up", p.Waiting(), 0)
	for _, open := range gates {
		open()
	}
	faceWait(t, &wg, "the tasks")
}

func faceNonblocking(t *testing.T, k faceKind) {
	p := faceNew(t, k, 1, WithNonblocking(true))
	gate, open := faceGate(t)
	wg := faceFill(t, p, p.Cap(), gate)
	err := p.submit(func() { t.Error("a refused task ran") })
	if err != ErrPoolOverload {
		t.Errorf("Submit on a full pool: got %v; want %v", err, ErrPoolOverload)
	}
	faceWant(t, "Waiting()", p.Waiting(), 0)
	open()
	faceWait(t, wg, "the tasks")
}

func faceMaxBlocking(t *testing.T, k faceKind) {
	p := faceNew(t, k, 1, WithMaxBlockingTasks(2))
	gate, open := faceGate(t)
	wg := faceFill(t, p, p.Cap(), gate)
	blocked := []<-chan error{
		faceAsync(func() error { return p.submit(func() {}) }),
		faceAsync(func() error { return p.submit(func() {}) }),
	}
	facePoll(t, "Waiting() == 2", func() bool { return p.Waiting() == 2 })
	if err := p.submit(func() { t.Error("a refused task ran") }); err != ErrPoolOverload {
		t.Errorf("third blocked Submit: got %v; want %v", err, ErrPoolOverload)
	}
	open()
	for i, ch := range blocked {
		faceWant(t, fmt.Sprintf("blocked Submit %d", i), faceRecv(t, ch, "a blocked Submit"), nil)
	}
	faceWait(t, wg, "the tasks")
}

func faceTuneUp(t *testing.T, k faceKind) {
	p := faceNew(t, k, 1)
	gate, open := faceGate(t)
	wg := faceFill(t, p, p.Cap(), gate)
	ran := make(chan struct{})
	blocked := faceAsync(func() error { return p.submit(func() { close(ran) }) })
	facePoll(t, "Waiting() == 1", func() bool { return p.Waiting() == 1 })
	p.Tune(2)
	faceWant(t, "Cap() after Tune(2)", p.Cap(), 2*p.pools)
	faceWant(t, "blocked Submit", faceRecv(t, blocked, "the blocked Submit"), nil)
	faceRecv(t, ran, "its task, with the first tasks still running")
	open()
	faceWait(t, wg, "the tasks")
}

func faceTuneDown(t *testing.T, k faceKind) {
	p := faceNew(t, k, 4, WithDisablePurge(true))
	gate, open := faceGate(t)
	var finished atomic.Int64
	var wg sync.WaitGroup
	for i := range p.Cap() {
		wg.Add(1)
		if err := p.submit(func() { defer wg.Done(); <-gate; finished.Add(1) }); err != nil {
			t.Fatalf("Submit %d: got %v; want nil", i, err)
		}
	}
	p.Tune(1)
	faceWant(t, "Cap() after Tune(1)", p.Cap(), p.pools)
	faceWant(t, "Running() right after Tune(1)", p.Running(), 4*p.pools)
	open()
	faceWait(t, &wg, "the running tasks")
	faceWant(t, "tasks finished", finished.Load(), int64(4*p.pools))
	facePoll(t, "Running() <= Cap()", func() bool { return p.Running() <= p.Cap() })
}

func faceTuneIgnored(t *testing.T, k faceKind) {
	for _, c := range []struct {
		name string
		size int
		opts []Option
		tune int
	}{
		{"grow an unlimited pool", 0, nil, 4},
		{"grow a PreAlloc pool", 2, []Option{WithPreAlloc(true)}, 4},
		{"shrink a PreAlloc pool", 2, []Option{WithPreAlloc(true)}, 1},
		{"tune to zero", 2, nil, 0},
		{"tune to a negative size", 2, nil, -1},
	} {
		p := faceNew(t, k, c.size, c.opts...)
		want := p.Cap()
		p.Tune(c.tune)
		faceWant(t, c.name+": Cap()", p.Cap(), want)
	}
}

func facePurge(t *testing.T, k faceKind) {
	p := faceNew(t, k, 4, WithExpiryDuration(10*time.Millisecond))
	gate, open := faceGate(t)
	wg := faceFill(t, p, p.Cap(), gate)
	open()
	faceWait(t, wg, "the tasks")
	facePoll(t, "the idle workers are purged", func() bool { return p.Running() == 0 })
	faceWant(t, "Free() once purged", p.Free(), p.Cap())
}

func faceDisablePurge(t *testing.T, k faceKind) {
	const expiry = 2 * time.Millisecond
	p := faceNew(t, k, 4, WithExpiryDuration(expiry), WithDisablePurge(true))
	gate, open := faceGate(t)
	wg := faceFill(t, p, p.Cap(), gate)
	open()
	faceWait(t, wg, "the tasks")
	time.Sleep(5 * expiry) // the time under test, not synchronisation
	faceWant(t, "Running() after 5 expiry periods", p.Running(), p.Cap())
}

func facePanicHandler(t *testing.T, k faceKind) {
	type report struct {
		value   any
		running int
	}
	reports := make(chan report, 1)
	var p *faceAdapter
	p = faceNew(t, k, 2, WithPanicHandler(func(v any) { reports <- report{v, p.Running()} }))
	if err := p.submit(func() { panic("boom") }); err != nil {
		t.Fatalf("Submit: got %v; want nil", err)
	}
	got := faceRecv(t, reports, "the PanicHandler")
	faceWant(t, "panic value", got.value, any("boom"))
	faceWant(t, "Running() in the handler", got.running, 0)
	faceGoesOn(t, p)
}

func facePanicLogged(t *testing.T, k faceKind) {
	logger := &faceLogger{lines: make(chan string, 4)}
	p := faceNew(t, k, 2, WithLogger(logger))
	if err := p.submit(func() { panic("boom") }); err != nil {
		t.Fatalf("Submit: got %v; want nil", err)
	}
	line := faceRecv(t, logger.lines, "the log line")
	for _, want := range []string{"worker exits from panic: boom", "goroutine ", "runtime/debug.Stack"} {
		if !strings.Contains(line, want) {
			t.Errorf("log line: got %q; want it to contain %q", line, want)
		}
	}
	faceGoesOn(t, p)
}

// faceGoesOn checks that p still runs tasks.
func faceGoesOn(t *testing.T, p *faceAdapter) {
	t.Helper()
	ran := make(chan struct{})
	if err := p.submit(func() { close(ran) }); err != nil {
		t.Fatalf("Submit after the panic: got %v; want nil", err)
	}
	faceRecv(t, ran, "a task after the panic")
}

func faceRelease(t *testing.T, k faceKind) {
	p := faceNew(t, k, 1)
	gate, open := faceGate(t)
	wg := faceFill(t, p, p.Cap(), gate)
	blocked := faceAsync(func() error { return p.submit(func() { t.Error("a refused task ran") }) })
	facePoll(t, "Waiting() == 1", func() bool { return p.Waiting() == 1 })
	p.Release()
	faceWant(t, "blocked Submit", faceRecv(t, blocked, "the blocked Submit"), ErrPoolClosed)
	faceWant(t, "IsClosed()", p.IsClosed(), true)
	faceWant(t, "Waiting()", p.Waiting(), 0)
	faceWant(t, "Submit", p.submit(func() {}), ErrPoolClosed)
	faceWant(t, "SubmitContext", p.submitContext(context.Background(), func() {}), ErrPoolClosed)
	open()
	faceWait(t, wg, "the running tasks")
}

func faceReleaseWaits(t *testing.T, k faceKind) {
	p := faceNew(t, k, 2)
	gate, open := faceGate(t)
	var finished atomic.Int64
	for i := range p.Cap() {
		if err := p.submit(func() { <-gate; finished.Add(1) }); err != nil {
			t.Fatalf("Submit %d: got %v; want nil", i, err)
		}
	}
	released := faceAsync(func() error { return p.ReleaseTimeout(faceTimeout) })
	facePoll(t, "IsClosed()", p.IsClosed)
	open()
	faceWant(t, "ReleaseTimeout", faceRecv(t, released, "ReleaseTimeout"), nil)
	faceWant(t, "tasks finished when ReleaseTimeout returns", finished.Load(), int64(p.Cap()))
	faceWant(t, "Running() after ReleaseTimeout", p.Running(), 0)
	faceWant(t, "Free() after ReleaseTimeout", p.Free(), p.Cap())
}

func faceReleaseGivesUp(t *testing.T, k faceKind) {
	const short = 20 * time.Millisecond
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, c := range []struct {
		name    string
		release func(p facePool) error
		want    error
	}{
		{"ReleaseTimeout", func(p facePool) error { return p.ReleaseTimeout(short) }, ErrTimeout},
		{"ReleaseContext past its deadline", func(p facePool) error {
			ctx, cancel := context.WithTimeout(context.Background(), short)
			defer cancel()
			return p.ReleaseContext(ctx)
		}, context.DeadlineExceeded},
		{"ReleaseContext cancelled", func(p facePool) error { return p.ReleaseContext(cancelled) }, context.Canceled},
	} {
		p := faceNew(t, k, 1)
		gate, open := faceGate(t)
		wg := faceFill(t, p, p.Cap(), gate)
		err := c.release(p)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: got %v; want an error that is %v", c.name, err, c.want)
		}
		switch {
		case !k.multi && err != c.want:
			t.Errorf("%s: got %v; want exactly %v", c.name, err, c.want)
		case k.multi && (err == nil || !strings.HasPrefix(err.Error(), "pool 0: ")):
			t.Errorf("%s: got %v; want a message that starts with %q", c.name, err, "pool 0: ")
		}
		faceWant(t, c.name+": then ReleaseTimeout", p.ReleaseTimeout(short), ErrPoolClosed)
		faceWant(t, c.name+": then ReleaseContext", p.ReleaseContext(context.Background()), ErrPoolClosed)
		open()
		faceWait(t, wg, "the running tasks")
	}
}

func faceReleaseNil(t *testing.T, k faceKind) {
	p := faceNew(t, k, 1)
	gate, open := faceGate(t)
	wg := faceFill(t, p, p.Cap(), gate)
	released := faceAsync(func() error {
		return p.ReleaseContext(nil) //nolint:staticcheck // a nil context is documented to mean no wait
	})
	faceWant(t, "ReleaseContext(nil)", faceRecv(t, released, "ReleaseContext(nil), with tasks running"), nil)
	faceWant(t, "IsClosed()", p.IsClosed(), true)
	open()
	faceWait(t, wg, "the running tasks")
}

func faceReboot(t *testing.T, k faceKind) {
	p := faceNew(t, k, 2)
	for round := range 2 {
		if err := p.ReleaseTimeout(faceTimeout); err != nil {
			t.Fatalf("round %d: ReleaseTimeout: got %v; want nil", round, err)
		}
		p.Reboot()
		faceWant(t, "IsClosed() after Reboot", p.IsClosed(), false)
		faceWant(t, "Cap() after Reboot", p.Cap(), 2*p.pools)
		ran := make(chan struct{})
		if err := p.submit(func() { close(ran) }); err != nil {
			t.Fatalf("round %d: Submit after Reboot: got %v; want nil", round, err)
		}
		faceRecv(t, ran, "a task after Reboot")
	}
}

func faceRebootOpen(t *testing.T, k faceKind) {
	p := faceNew(t, k, 2)
	gate, open := faceGate(t)
	wg := faceFill(t, p, 1, gate)
	p.Reboot()
	faceWant(t, "IsClosed()", p.IsClosed(), false)
	faceWant(t, "Running()", p.Running(), 1)
	faceWant(t, "Cap()", p.Cap(), 2*p.pools)
	open()
	faceWait(t, wg, "the running task")
	faceGoesOn(t, p)
}

// faceNoLostWakeUp blocks many submitters on a full pool, then tunes,
// frees and, in odd rounds, releases it in quick succession. Every
// submitter must return, and every accepted task must run exactly once.
func faceNoLostWakeUp(t *testing.T, k faceKind) {
	const rounds, submitters, tasks = 4, 16, 8
	for round := range rounds {
		p := faceNew(t, k, 1)
		gate, open := faceGate(t)
		wg := faceFill(t, p, p.Cap(), gate)
		var accepted, ran atomic.Int64
		var subs sync.WaitGroup
		for range submitters {
			subs.Add(1)
			go func() {
				defer subs.Done()
				for range tasks {
					err := p.submit(func() { ran.Add(1) })
					switch err {
					case nil:
						accepted.Add(1)
					case ErrPoolClosed:
					default:
						t.Errorf("Submit: got %v; want nil or %v", err, ErrPoolClosed)
					}
				}
			}()
		}
		facePoll(t, "every submitter is blocked", func() bool { return p.Waiting() == submitters })
		p.Tune(2)
		p.Tune(1)
		open()
		p.Tune(3)
		if round%2 == 1 {
			p.Release()
		}
		p.Tune(1)
		faceWait(t, &subs, fmt.Sprintf("round %d: every submitter to return", round))
		faceWait(t, wg, "the blocking tasks")
		faceDrain(t, p)
		faceWant(t, fmt.Sprintf("round %d: tasks run", round), ran.Load(), accepted.Load())
	}
}

func faceQueue(t *testing.T, k faceKind) {
	for _, nonblocking := range []bool{false, true} {
		p := faceNew(t, k, 1, WithQueueSize(3), WithNonblocking(nonblocking))
		gate, open := faceGate(t)
		accepted := 4 * p.pools // one running and three queued per sub-pool
		fill := faceAsync(func() error {
			for range accepted {
				if err := p.submit(func() { <-gate }); err != nil {
					return err
				}
			}
			return nil
		})
		faceWant(t, "Submits into free slots", faceRecv(t, fill, fmt.Sprintf("%d Submits to return without blocking", accepted)), nil)
		faceWant(t, "Waiting() with full queues", p.Waiting(), 3*p.pools)
		faceWant(t, "Running() with full queues", p.Running(), p.pools)
		ran := make(chan struct{})
		if nonblocking {
			if err := p.submit(func() { t.Error("a refused task ran") }); err != ErrPoolOverload {
				t.Errorf("Nonblocking Submit with full queues: got %v; want %v", err, ErrPoolOverload)
			}
			close(ran)
		} else {
			blocked := faceAsync(func() error { return p.submit(func() { close(ran) }) })
			facePoll(t, "the next Submit blocks", func() bool { return p.Waiting() == 3*p.pools+1 })
			open()
			faceWant(t, "blocked Submit", faceRecv(t, blocked, "the blocked Submit"), nil)
		}
		open()
		faceRecv(t, ran, "the last task")
	}
}

// faceQueued fills every worker and queue slot of a pool with queue size 3
// with tasks that wait for gate and count themselves when they finish.
func faceQueued(t *testing.T, k faceKind) (p *faceAdapter, finished *atomic.Int64, open func()) {
	t.Helper()
	p = faceNew(t, k, 1, WithQueueSize(3))
	gate, open := faceGate(t)
	finished = new(atomic.Int64)
	for i := range 4 * p.pools {
		if err := p.submit(func() { <-gate; finished.Add(1) }); err != nil {
			t.Fatalf("Submit %d: got %v; want nil", i, err)
		}
	}
	return p, finished, open
}

func faceQueueReleaseTimeout(t *testing.T, k faceKind) {
	p, finished, open := faceQueued(t, k)
	released := faceAsync(func() error { return p.ReleaseTimeout(faceTimeout) })
	facePoll(t, "IsClosed()", p.IsClosed)
	open()
	faceWant(t, "ReleaseTimeout", faceRecv(t, released, "ReleaseTimeout"), nil)
	faceWant(t, "tasks run", finished.Load(), int64(4*p.pools))
}

func faceQueueRelease(t *testing.T, k faceKind) {
	p, finished, open := faceQueued(t, k)
	p.Release()
	open()
	facePoll(t, "every queued task has run", func() bool { return finished.Load() == int64(4*p.pools) })
}

func faceContext(t *testing.T, k faceKind) {
	for _, c := range []struct {
		name string
		ctx  func() (context.Context, context.CancelFunc)
		want error
	}{
		{"cancelled", func() (context.Context, context.CancelFunc) { return context.WithCancel(context.Background()) }, context.Canceled},
		{"past its deadline", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 20*time.Millisecond)
		}, context.DeadlineExceeded},
	} {
		p := faceNew(t, k, 1)
		gate, open := faceGate(t)
		wg := faceFill(t, p, p.Cap(), gate)
		ctx, cancel := c.ctx()
		var ran atomic.Bool
		blocked := faceAsync(func() error { return p.submitContext(ctx, func() { ran.Store(true) }) })
		if c.want == context.Canceled {
			facePoll(t, "Waiting() == 1", func() bool { return p.Waiting() == 1 })
			cancel()
		}
		err := faceRecv(t, blocked, "the abandoned Submit")
		cancel()
		if !errors.Is(err, c.want) {
			t.Errorf("%s: got %v; want %v", c.name, err, c.want)
		}
		faceWant(t, c.name+": Waiting()", p.Waiting(), 0)
		open()
		faceWait(t, wg, "the running tasks")
		if err := p.ReleaseTimeout(faceTimeout); err != nil {
			t.Fatalf("ReleaseTimeout: got %v; want nil", err)
		}
		faceWant(t, c.name+": abandoned task ran", ran.Load(), false)
	}
}

func faceByIndexes(t *testing.T, k faceKind) {
	p := faceNew(t, k, 2)
	m := p.facePool.(faceByIndex)
	gate, open := faceGate(t)
	wg := faceFill(t, p, 3, gate) // sub-pool 0 gets two, sub-pool 1 one
	for _, c := range []struct {
		name string
		read func(int) (int, error)
		want []int
		sum  int
	}{
		{"RunningByIndex", m.RunningByIndex, []int{2, 1}, p.Running()},
		{"FreeByIndex", m.FreeByIndex, []int{0, 1}, p.Free()},
		{"WaitingByIndex", m.WaitingByIndex, []int{0, 0}, p.Waiting()},
	} {
		total := 0
		for idx, want := range c.want {
			got, err := c.read(idx)
			if got != want || err != nil {
				t.Errorf("%s(%d): got %d, %v; want %d, nil", c.name, idx, got, err, want)
			}
			total += got
		}
		faceWant(t, c.name+": the aggregate", c.sum, total)
		for _, idx := range []int{-1, 2} {
			if got, err := c.read(idx); got != -1 || err != ErrInvalidPoolIndex {
				t.Errorf("%s(%d): got %d, %v; want -1, %v", c.name, idx, got, err, ErrInvalidPoolIndex)
			}
		}
	}
	faceWant(t, "Cap()", p.Cap(), 4)
	wg.Add(2)
	if err := p.submit(func() { defer wg.Done(); <-gate }); err != nil { // fills sub-pool 1
		t.Fatalf("Submit: got %v; want nil", err)
	}
	go func() { defer wg.Done(); _ = p.submit(func() {}) }() // blocks on sub-pool 0
	facePoll(t, "WaitingByIndex(0) == 1", func() bool { n, _ := m.WaitingByIndex(0); return n == 1 })
	if n, err := m.WaitingByIndex(1); n != 0 || err != nil {
		t.Errorf("WaitingByIndex(1): got %d, %v; want 0, nil", n, err)
	}
	open()
	faceWait(t, wg, "the tasks")
}

func faceRoundRobin(t *testing.T, k faceKind) {
	p := faceNewMulti(t, k, 3, 4, RoundRobin)
	m := p.facePool.(faceByIndex)
	gate, open := faceGate(t)
	wg := faceFill(t, p, 6, gate)
	for idx := range 3 {
		if got, err := m.RunningByIndex(idx); got != 2 || err != nil {
			t.Errorf("RunningByIndex(%d): got %d, %v; want 2, nil", idx, got, err)
		}
	}
	open()
	faceWait(t, wg, "the tasks")
}

// faceLeastTasks leaves sub-pool 0 with one busy and one idle worker and
// sub-pool 1 with two idle workers, so both have two live workers. Counting
// busy tasks, the next three tasks fit without blocking (1, 0, 1); counting
// live workers as ants v2 does, the first two would both go to sub-pool 0
// and the second would be refused.
func faceLeastTasks(t *testing.T, k faceKind) {
	p := faceNew(t, k, 2, WithDisablePurge(true), WithNonblocking(true))
	opens := make([]func(), 4)
	var wg sync.WaitGroup
	for i := range opens {
		gate, open := faceGate(t)
		opens[i] = open
		wg.Add(1)
		if err := p.submit(func() { defer wg.Done(); <-gate }); err != nil {
			t.Fatalf("Submit %d: got %v; want nil", i, err)
		}
	}
	for _, i := range []int{1, 2, 3} { // tasks 0 and 2 run on sub-pool 0, 1 and 3 on 1
		opens[i]()
	}
	facePoll(t, "one busy task is left", func() bool { return p.Stats().Busy == 1 })
	faceWant(t, "Running()", p.Running(), 4)
	gate, open := faceGate(t)
	for i := range 3 {
		wg.Add(1)
		if err := p.submit(func() { defer wg.Done(); <-gate }); err != nil {
			t.Fatalf("Submit %d of 3 into the free slots: got %v; want nil", i, err)
		}
	}
	faceWant(t, "Free()", p.Free(), 0)
	open()
	opens[0]()
	faceWait(t, &wg, "the tasks")
}
