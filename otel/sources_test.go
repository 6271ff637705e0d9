package antsotel_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/antsgo/ants"
	antsotel "github.com/antsgo/ants/otel"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// Sub-pools and keyed fronts are StatsSources too.
var (
	_ antsotel.StatsSource = (*ants.Subpool)(nil)
	_ antsotel.StatsSource = (*ants.SubpoolWithFunc)(nil)
	_ antsotel.StatsSource = (*ants.SubpoolWithFuncGeneric[int])(nil)
	_ antsotel.StatsSource = (*ants.Keyed[string])(nil)
)

// newPool returns a pool of the given size and options whose panics are
// counted and not logged; the pool is released when the test ends.
func newPool(t *testing.T, size int, opts ...ants.Option) *ants.Pool {
	t.Helper()
	opts = append(opts, ants.WithPanicHandler(func(any) {}))
	pool, err := ants.NewPool(size, opts...)
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

func TestMetricsReadSubpool(t *testing.T) {
	m, reader := newMetrics(t)
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
	mustRegister(t, m, "thumbs", sub)

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

	// The sub-pool's limit is its own; its workers are the pool's that
	// run its tasks, so none is idle.
	assertMetrics(t, reader, named{"thumbs", ants.Stats{
		Capacity: 2, Workers: 2, Busy: 2, Idle: 0, Queued: 1,
		Submitted: 4, Completed: 1, Rejected: 1, Panicked: 1, Cancelled: 1,
	}})

	g.release()
	if err := sub.ReleaseTimeout(waitLimit); err != nil {
		t.Fatalf("ReleaseTimeout: %v", err)
	}
	assertMetrics(t, reader, named{"thumbs", ants.Stats{
		Capacity: 2, Submitted: 4, Completed: 4, Rejected: 1, Panicked: 1, Cancelled: 1,
	}})
}

func TestMetricsReadKeyedFront(t *testing.T) {
	m, reader := newMetrics(t)
	pool := newPool(t, 4)
	front := ants.NewKeyed[string](pool, ants.WithKeyBacklog(1))
	g := newGate(5)
	t.Cleanup(func() {
		g.release()
		if err := front.ReleaseTimeout(waitLimit); err != nil && !errors.Is(err, ants.ErrPoolClosed) {
			t.Errorf("front ReleaseTimeout: %v", err)
		}
	})
	mustRegister(t, m, "orders", front)

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
	blocked := make(chan error, 1)
	go func() { blocked <- front.Submit("b", g.task) }()
	waitFor(t, "a submitter blocks on b's backlog", func() bool { return front.Stats().Waiting == 1 })

	// A front has no workers and no limit of its own, so it reports no
	// ants.pool.worker.limit; its busy workers are its running tasks.
	assertMetrics(t, reader, named{"orders", ants.Stats{
		Busy: 2, Waiting: 1, Queued: 2, Keys: 2,
		Submitted: 5, Completed: 1, Panicked: 1, Cancelled: 1,
	}})
	if v, ok := value(collect(t, reader), "ants.pool.worker.limit", "orders", ""); ok {
		t.Errorf("ants.pool.worker.limit of a keyed front = %d; want no point", v)
	}

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
	assertMetrics(t, reader, named{"orders", ants.Stats{
		Submitted: 6, Completed: 6, Panicked: 1, Cancelled: 1,
	}})
}

func TestMetricsReadAdaptivePool(t *testing.T) {
	m, reader := newMetrics(t)
	pool := newPool(t, 2, ants.WithAdaptiveCapacity(ants.Adaptive{Min: 2, Max: 8}))
	mustRegister(t, m, "adaptive", pool)

	// Before its first decision the controller has measured nothing, so
	// the pool has no adaptive point. A decision is never undone, so if
	// there is none after the collection there was none during it.
	sm := collect(t, reader)
	if pool.Stats().Decision == ants.DecisionNone {
		for _, name := range []string{
			"ants.pool.adaptive.no_load_run_time", "ants.pool.adaptive.run_time", "ants.pool.adaptive.decision",
		} {
			if has(sm, name) {
				t.Errorf("%s has a point before the controller decided", name)
			}
		}
	}

	// Tasks that take a while feed the controller until it decides.
	deadline := time.Now().Add(waitLimit)
	for ; !has(sm, "ants.pool.adaptive.run_time"); sm = collect(t, reader) {
		if time.Now().After(deadline) {
			t.Fatalf("no ants.pool.adaptive.run_time within %v", waitLimit)
		}
		if err := pool.Submit(func() { time.Sleep(100 * time.Microsecond) }); err != nil {
			t.Fatalf("Submit: %v", err)
		}
	}

	if v, ok := seconds(sm, "ants.pool.adaptive.run_time", "adaptive"); !ok || v <= 0 {
		t.Errorf("ants.pool.adaptive.run_time = %v (found %v); want a positive run time", v, ok)
	}
	if v, ok := seconds(sm, "ants.pool.adaptive.no_load_run_time", "adaptive"); !ok || v < 0 {
		t.Errorf("ants.pool.adaptive.no_load_run_time = %v (found %v); want a point, not negative", v, ok)
	}
	if v, ok := value(sm, "ants.pool.worker.limit", "adaptive", ""); !ok || v < 2 || v > 8 {
		t.Errorf("ants.pool.worker.limit = %d (found %v); want the controller's limit, within [2, 8]", v, ok)
	}
	// Exactly one of hold, grow and shrink is the last decision.
	var decided []string
	for _, d := range []string{"hold", "grow", "shrink"} {
		v, ok := decision(sm, "adaptive", d)
		if !ok {
			t.Errorf("ants.pool.adaptive.decision{%s}: no point", d)
		}
		if v == 1 {
			decided = append(decided, d)
		} else if v != 0 {
			t.Errorf("ants.pool.adaptive.decision{%s} = %d; want 0 or 1", d, v)
		}
	}
	if len(decided) != 1 {
		t.Errorf("ants.pool.adaptive.decision is 1 for %v; want exactly one decision", decided)
	}
}

// has reports whether sm holds a metric of that name.
func has(sm metricdata.ScopeMetrics, name string) bool {
	for _, m := range sm.Metrics {
		if m.Name == name {
			return true
		}
	}
	return false
}

// seconds returns the value of the point of the gauge name for pool, and
// whether there is one.
func seconds(sm metricdata.ScopeMetrics, name, pool string) (float64, bool) {
	for _, m := range sm.Metrics {
		g, ok := m.Data.(metricdata.Gauge[float64])
		if m.Name != name || !ok {
			continue
		}
		for _, dp := range g.DataPoints {
			if p, _ := dp.Attributes.Value(antsotel.PoolNameKey); p.AsString() == pool {
				return dp.Value, true
			}
		}
	}
	return 0, false
}

// decision returns the value of the point of ants.pool.adaptive.decision
// for pool and decision d, and whether there is one.
func decision(sm metricdata.ScopeMetrics, pool, d string) (int64, bool) {
	for _, m := range sm.Metrics {
		sum, ok := m.Data.(metricdata.Sum[int64])
		if m.Name != "ants.pool.adaptive.decision" || !ok {
			continue
		}
		for _, dp := range sum.DataPoints {
			p, _ := dp.Attributes.Value(antsotel.PoolNameKey)
			got, _ := dp.Attributes.Value(antsotel.DecisionKey)
			if p.AsString() == pool && got.AsString() == d {
				return dp.Value, true
			}
		}
	}
	return 0, false
}
