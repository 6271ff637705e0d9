package antsprom_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/antsgo/ants"
	antsprom "github.com/antsgo/ants/prometheus"
	"github.com/prometheus/client_golang/prometheus"
)

// Sub-pools and keyed fronts are StatsSources too.
var (
	_ antsprom.StatsSource = (*ants.Subpool)(nil)
	_ antsprom.StatsSource = (*ants.SubpoolWithFunc)(nil)
	_ antsprom.StatsSource = (*ants.SubpoolWithFuncGeneric[int])(nil)
	_ antsprom.StatsSource = (*ants.Keyed[string])(nil)
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

// waitFor polls cond until it holds, and fails the test with what if it
// does not within waitLimit. It serves the states that only a source's
// Stats show, such as a submitter blocked inside Submit.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, waitLimit)
		}
		time.Sleep(time.Millisecond)
	}
}

// newPool returns a pool of the given size whose panics are counted and
// not logged; the pool is released when the test ends.
func newPool(t *testing.T, size int) *ants.Pool {
	t.Helper()
	pool, err := ants.NewPool(size, ants.WithPanicHandler(func(any) {}))
	if err != nil {
		t.Fatalf("NewPool: %v", err)
	}
	t.Cleanup(func() {
		if err := pool.ReleaseTimeout(waitLimit); err != nil && !errors.Is(err, ants.ErrPoolClosed) {
			t.Errorf("ReleaseTimeout: %v", err)
		}
	})
	return pool
}

// checkSamples compares the samples c exports for pool, written as in the
// text format, with want, in any order. It gathers through a pedantic
// registry, which also checks each metric against its descriptor.
func checkSamples(t *testing.T, c prometheus.Collector, pool string, want ...string) {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	if err := reg.Register(c); err != nil {
		t.Fatalf("Register: %v", err)
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatalf("Gather: %v", err)
	}
	var got []string
	for _, mf := range families {
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == antsprom.PoolLabel && l.GetValue() == pool {
					value := m.GetGauge().GetValue() + m.GetCounter().GetValue()
					got = append(got, fmt.Sprintf("%s{pool=%q} %v", mf.GetName(), pool, value))
				}
			}
		}
	}
	slices.Sort(got)
	want = slices.Clone(want)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("samples of %s:\ngot\n\t%s\nwant\n\t%s", pool,
			strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
}

func TestCollectorExportsSubpool(t *testing.T) {
	pool := newPool(t, 4)
	sub, err := pool.NewSubpool(2, ants.WithQueueSize(1), ants.WithNonblocking(true))
	if err != nil {
		t.Fatalf("NewSubpool: %v", err)
	}
	g := newGate(3)
	t.Cleanup(func() {
		g.release()
		if err := sub.ReleaseTimeout(waitLimit); err != nil && !errors.Is(err, ants.ErrPoolClosed) {
			t.Errorf("sub-pool ReleaseTimeout: %v", err)
		}
	})
	c := antsprom.NewCollector()
	mustAdd(t, c, "thumbs", sub)

	// One task panics and is over before the others come.
	if err := sub.Submit(func() { panic("boom") }); err != nil {
		t.Fatalf("Submit: %v", err)
	}
	waitFor(t, "the panicking task is over", func() bool {
		s := sub.Stats()
		return s.Completed == 1 && s.Busy == 0
	})
	// Two tasks run at the sub-pool's limit and one waits in its queue;
	// the sub-pool is then full, so a fourth is refused, and a submission
	// with an ended context is cancelled.
	for i := 0; i < 3; i++ {
		if err := sub.Submit(g.task); err != nil {
			t.Fatalf("Submit %d: %v", i, err)
		}
	}
	g.awaitStarted(t, 2)
	if err := sub.Submit(g.task); !errors.Is(err, ants.ErrPoolOverload) {
		t.Fatalf("Submit on a full sub-pool = %v; want ErrPoolOverload", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := sub.SubmitContext(ctx, g.task); !errors.Is(err, context.Canceled) {
		t.Fatalf("SubmitContext with an ended context = %v; want context.Canceled", err)
	}

	// The sub-pool's capacity is its limit; its workers are the pool's
	// that run its tasks, so none is idle.
	checkSamples(t, c, "thumbs",
		`ants_pool_capacity{pool="thumbs"} 2`,
		`ants_pool_workers{pool="thumbs"} 2`,
		`ants_pool_busy_workers{pool="thumbs"} 2`,
		`ants_pool_idle_workers{pool="thumbs"} 0`,
		`ants_pool_waiting_submitters{pool="thumbs"} 0`,
		`ants_pool_queued_tasks{pool="thumbs"} 1`,
		`ants_pool_keys{pool="thumbs"} 0`,
		`ants_pool_tasks_submitted_total{pool="thumbs"} 4`,
		`ants_pool_tasks_completed_total{pool="thumbs"} 1`,
		`ants_pool_tasks_rejected_total{pool="thumbs"} 1`,
		`ants_pool_tasks_panicked_total{pool="thumbs"} 1`,
		`ants_pool_tasks_cancelled_total{pool="thumbs"} 1`,
	)

	g.release()
	if err := sub.ReleaseTimeout(waitLimit); err != nil {
		t.Fatalf("ReleaseTimeout: %v", err)
	}
	checkSamples(t, c, "thumbs",
		`ants_pool_capacity{pool="thumbs"} 2`,
		`ants_pool_workers{pool="thumbs"} 0`,
		`ants_pool_busy_workers{pool="thumbs"} 0`,
		`ants_pool_idle_workers{pool="thumbs"} 0`,
		`ants_pool_waiting_submitters{pool="thumbs"} 0`,
		`ants_pool_queued_tasks{pool="thumbs"} 0`,
		`ants_pool_keys{pool="thumbs"} 0`,
		`ants_pool_tasks_submitted_total{pool="thumbs"} 4`,
		`ants_pool_tasks_completed_total{pool="thumbs"} 4`,
		`ants_pool_tasks_rejected_total{pool="thumbs"} 1`,
		`ants_pool_tasks_panicked_total{pool="thumbs"} 1`,
		`ants_pool_tasks_cancelled_total{pool="thumbs"} 1`,
	)
}

func TestCollectorExportsKeyedFront(t *testing.T) {
	pool := newPool(t, 4)
	front := ants.NewKeyed[string](pool, ants.WithKeyBacklog(1))
	g := newGate(5)
	blocked := make(chan error, 1)
	t.Cleanup(func() {
		g.release()
		if err := front.ReleaseTimeout(waitLimit); err != nil && !errors.Is(err, ants.ErrPoolClosed) {
			t.Errorf("front ReleaseTimeout: %v", err)
		}
	})
	c := antsprom.NewCollector()
	mustAdd(t, c, "orders", front)

	// A task of key c panics, and its key is gone before the others come.
	if err := front.Submit("c", func() { panic("boom") }); err != nil {
		t.Fatalf("Submit: %v", err)
	}
	waitFor(t, "key c is done", func() bool {
		s := front.Stats()
		return s.Completed == 1 && s.Keys == 0 && s.Busy == 0
	})
	// Keys a and b each run a task and hold one in their backlog of one;
	// a submission with an ended context for a's full backlog is
	// cancelled, and one more for b blocks for room.
	for _, key := range []string{"a", "a", "b", "b"} {
		if err := front.Submit(key, g.task); err != nil {
			t.Fatalf("Submit(%q): %v", key, err)
		}
	}
	g.awaitStarted(t, 2)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := front.SubmitContext(ctx, "a", g.task); !errors.Is(err, context.Canceled) {
		t.Fatalf("SubmitContext on a full backlog with an ended context = %v; want context.Canceled", err)
	}
	go func() { blocked <- front.Submit("b", g.task) }()
	waitFor(t, "a submitter blocks on b's backlog", func() bool { return front.Stats().Waiting == 1 })

	// A front has no workers and no capacity of its own: its busy
	// workers are its running tasks, one per key.
	checkSamples(t, c, "orders",
		`ants_pool_capacity{pool="orders"} 0`,
		`ants_pool_workers{pool="orders"} 0`,
		`ants_pool_busy_workers{pool="orders"} 2`,
		`ants_pool_idle_workers{pool="orders"} 0`,
		`ants_pool_waiting_submitters{pool="orders"} 1`,
		`ants_pool_queued_tasks{pool="orders"} 2`,
		`ants_pool_keys{pool="orders"} 2`,
		`ants_pool_tasks_submitted_total{pool="orders"} 5`,
		`ants_pool_tasks_completed_total{pool="orders"} 1`,
		`ants_pool_tasks_rejected_total{pool="orders"} 0`,
		`ants_pool_tasks_panicked_total{pool="orders"} 1`,
		`ants_pool_tasks_cancelled_total{pool="orders"} 1`,
	)

	g.release()
	select {
	case err := <-blocked:
		if err != nil {
			t.Fatalf("blocked Submit: %v", err)
		}
	case <-time.After(waitLimit):
		t.Fatalf("the blocked submitter did not return within %v", waitLimit)
	}
	if err := front.ReleaseTimeout(waitLimit); err != nil {
		t.Fatalf("ReleaseTimeout: %v", err)
	}
	checkSamples(t, c, "orders",
		`ants_pool_capacity{pool="orders"} 0`,
		`ants_pool_workers{pool="orders"} 0`,
		`ants_pool_busy_workers{pool="orders"} 0`,
		`ants_pool_idle_workers{pool="orders"} 0`,
		`ants_pool_waiting_submitters{pool="orders"} 0`,
		`ants_pool_queued_tasks{pool="orders"} 0`,
		`ants_pool_keys{pool="orders"} 0`,
		`ants_pool_tasks_submitted_total{pool="orders"} 6`,
		`ants_pool_tasks_completed_total{pool="orders"} 6`,
		`ants_pool_tasks_rejected_total{pool="orders"} 0`,
		`ants_pool_tasks_panicked_total{pool="orders"} 1`,
		`ants_pool_tasks_cancelled_total{pool="orders"} 1`,
	)
}
