package antsotel_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/antsgo/ants"
	antsotel "github.com/antsgo/ants/otel"
)

// Every pool face is a StatsSource.
var (
	_ antsotel.StatsSource = (*ants.Pool)(nil)
	_ antsotel.StatsSource = (*ants.PoolWithFunc)(nil)
	_ antsotel.StatsSource = (*ants.PoolWithFuncGeneric[int])(nil)
	_ antsotel.StatsSource = (*ants.MultiPool)(nil)
	_ antsotel.StatsSource = (*ants.MultiPoolWithFunc)(nil)
	_ antsotel.StatsSource = (*ants.MultiPoolWithFuncGeneric[int])(nil)
)

// gate holds tasks until it is opened; opening it twice is harmless.
type gate struct {
	started chan struct{}
	open    chan struct{}
	once    sync.Once
}

func newGate(n int) *gate {
	return &gate{started: make(chan struct{}, n), open: make(chan struct{})}
}

// task reports that it started and waits for the gate to open.
func (g *gate) task() {
	g.started <- struct{}{}
	<-g.open
}

func (g *gate) release() { g.once.Do(func() { close(g.open) }) }

// awaitStarted waits for n tasks to start.
func (g *gate) awaitStarted(t *testing.T, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		select {
		case <-g.started:
		case <-time.After(waitLimit):
			t.Fatalf("only %d of %d tasks started within %v", i, n, waitLimit)
		}
	}
}

// TestMetricsReadLivePools puts two pools in a known state, with tasks held
// at a gate, and checks every instrument against it; then unregisters one
// and checks that its series are gone, and finally checks the counters
// once every task has run.
func TestMetricsReadLivePools(t *testing.T) {
	m, reader := newMetrics(t)

	// images: 2 workers, a queue of 1, nonblocking.
	images, err := ants.NewPool(2, ants.WithQueueSize(1), ants.WithNonblocking(true),
		ants.WithPanicHandler(func(any) {}))
	if err != nil {
		t.Fatalf("NewPool: %v", err)
	}
	// uploads: 1 worker, blocking, to hold a submitter.
	uploads, err := ants.NewPool(1)
	if err != nil {
		t.Fatalf("NewPool: %v", err)
	}
	g := newGate(4)
	t.Cleanup(func() {
		g.release()
		for _, p := range []*ants.Pool{images, uploads} {
			if err := p.ReleaseTimeout(waitLimit); err != nil && !errors.Is(err, ants.ErrPoolClosed) {
				t.Errorf("ReleaseTimeout: %v", err)
			}
		}
	})
	mustRegister(t, m, "images", images)
	mustRegister(t, m, "uploads", uploads)

	// One task panics and is over before the others start; its worker
	// leaves before the panic is counted.
	if err := images.Submit(func() { panic("boom") }); err != nil {
		t.Fatalf("Submit: %v", err)
	}
	waitFor(t, "the panic is counted", func() bool { return images.Stats().Panicked == 1 })

	// Two tasks run and one waits in the queue; the pool is then full, so
	// a fourth is refused, and a submission with an ended context is
	// cancelled before it is admitted.
	for i := 0; i < 3; i++ {
		if err := images.Submit(g.task); err != nil {
			t.Fatalf("Submit %d: %v", i, err)
		}
	}
	g.awaitStarted(t, 2)
	if err := images.Submit(g.task); !errors.Is(err, ants.ErrPoolOverload) {
		t.Fatalf("Submit on a full pool = %v; want ErrPoolOverload", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := images.SubmitContext(ctx, g.task); !errors.Is(err, context.Canceled) {
		t.Fatalf("SubmitContext with an ended context = %v; want context.Canceled", err)
	}

	// uploads runs one task and holds one submitter.
	if err := uploads.Submit(g.task); err != nil {
		t.Fatalf("Submit: %v", err)
	}
	g.awaitStarted(t, 1)
	blocked := make(chan error, 1)
	go func() { blocked <- uploads.Submit(func() {}) }()
	waitFor(t, "a submitter blocks on uploads", func() bool { return uploads.Stats().Waiting == 1 })

	assertMetrics(t, reader,
		named{"images", ants.Stats{
			Capacity: 2, Workers: 2, Busy: 2, Idle: 0, Queued: 1,
			Submitted: 4, Completed: 1, Rejected: 1, Panicked: 1, Cancelled: 1,
		}},
		named{"uploads", ants.Stats{Capacity: 1, Workers: 1, Busy: 1, Waiting: 1, Submitted: 1}})

	// Unregistering uploads removes its series at once, while it still
	// runs.
	if !m.Unregister("uploads") {
		t.Fatal(`Unregister("uploads") = false; want true`)
	}
	assertMetrics(t, reader, named{"images", ants.Stats{
		Capacity: 2, Workers: 2, Busy: 2, Idle: 0, Queued: 1,
		Submitted: 4, Completed: 1, Rejected: 1, Panicked: 1, Cancelled: 1,
	}})

	// Every task runs once the gate opens; the released pool has no worker
	// left, and the counters keep their totals.
	g.release()
	select {
	case err := <-blocked:
		if err != nil {
			t.Fatalf("blocked Submit: %v", err)
		}
	case <-time.After(waitLimit):
		t.Fatalf("the blocked submitter did not return within %v", waitLimit)
	}
	if err := images.ReleaseTimeout(waitLimit); err != nil {
		t.Fatalf("ReleaseTimeout: %v", err)
	}
	assertMetrics(t, reader, named{"images", ants.Stats{
		Capacity: 2, Submitted: 4, Completed: 4, Rejected: 1, Panicked: 1, Cancelled: 1,
	}})
}

func TestMetricsReadMultiPool(t *testing.T) {
	m, reader := newMetrics(t)
	mp, err := ants.NewMultiPool(2, 3, ants.RoundRobin)
	if err != nil {
		t.Fatalf("NewMultiPool: %v", err)
	}
	g := newGate(4)
	t.Cleanup(func() {
		g.release()
		if err := mp.ReleaseTimeout(waitLimit); err != nil && !errors.Is(err, ants.ErrPoolClosed) {
			t.Errorf("ReleaseTimeout: %v", err)
		}
	})
	mustRegister(t, m, "multi", mp)

	for i := 0; i < 4; i++ {
		if err := mp.Submit(g.task); err != nil {
			t.Fatalf("Submit %d: %v", i, err)
		}
	}
	g.awaitStarted(t, 4)
	// Two pools of 3 report as one pool of 6, with 4 tasks running.
	assertMetrics(t, reader, named{"multi", ants.Stats{Capacity: 6, Workers: 4, Busy: 4, Submitted: 4}})
}

// BenchmarkCollect measures one collection of one pool through the SDK's
// ManualReader: the callback, a Stats call and eleven points on ten of the
// thirteen instruments (a pool without adaptive capacity has no adaptive
// point), plus the SDK's own aggregation and export.
func BenchmarkCollect(b *testing.B) {
	pool, err := ants.NewPool(8)
	if err != nil {
		b.Fatal(err)
	}
	defer func() {
		if err := pool.ReleaseTimeout(waitLimit); err != nil {
			b.Error(err)
		}
	}()
	m, reader := newMetrics(b)
	mustRegister(b, m, "p", pool)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		collect(b, reader)
	}
}
