package ants

import (
	"fmt"
	"math"
	"strconv"
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
