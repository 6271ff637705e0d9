package antsotel_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/antsgo/ants"
	antsotel "github.com/antsgo/ants/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// waitLimit bounds every wait of these tests: a wait that runs out fails the
// test instead of hanging it.
const waitLimit = 10 * time.Second

// fixed is a StatsSource that always reports the same Stats.
type fixed ants.Stats

func (f fixed) Stats() ants.Stats { return ants.Stats(f) }

// settable is a StatsSource whose Stats the test changes between
// collections.
type settable struct {
	mu sync.Mutex
	s  ants.Stats
}

func (f *settable) Stats() ants.Stats {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.s
}

func (f *settable) set(s ants.Stats) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.s = s
}

// sample has a distinct value in every field, so a field reported under the
// wrong instrument shows up in the comparison.
var sample = fixed{
	Capacity: 8, Workers: 5, Busy: 3, Idle: 2, Waiting: 4, Queued: 6,
	Submitted: 100, Completed: 90, Rejected: 7, Panicked: 1, Cancelled: 2,
}

// newMetrics returns a Metrics on a meter provider of its own, read by the
// returned ManualReader. Both are closed when the test ends.
func newMetrics(t testing.TB) (*antsotel.Metrics, *sdkmetric.ManualReader) {
	t.Helper()
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	m, err := antsotel.New(antsotel.WithMeterProvider(mp))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		if err := mp.Shutdown(context.Background()); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
	return m, reader
}

// collect reads the reader once and returns the metrics of the ants scope,
// or an empty ScopeMetrics of that scope if there are none.
func collect(t testing.TB, reader *sdkmetric.ManualReader) metricdata.ScopeMetrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatalf("Collect: %v", err)
	}
	out := metricdata.ScopeMetrics{Scope: instrumentation.Scope{Name: antsotel.ScopeName}}
	for _, sm := range rm.ScopeMetrics {
		if sm.Scope.Name == antsotel.ScopeName {
			out.Metrics = append(out.Metrics, sm.Metrics...)
		}
	}
	return out
}

// named is a pool name with the Stats expected for it.
type named struct {
	name string
	s    ants.Stats
}

// instrument is the test's own statement of one instrument: its name,
// unit, description and kind, and the points a pool in state s gives.
type instrument struct {
	name, unit, desc string
	monotonic        bool
	points           func(pool string, s ants.Stats) []metricdata.DataPoint[int64]
}

// point is one data point of pool with the extra attributes kv.
func point(pool string, v int, kv ...attribute.KeyValue) metricdata.DataPoint[int64] {
	kv = append(kv, antsotel.PoolNameKey.String(pool))
	return metricdata.DataPoint[int64]{Attributes: attribute.NewSet(kv...), Value: int64(v)}
}

// one returns the points of an instrument with a single point per pool.
func one(field func(s ants.Stats) int) func(string, ants.Stats) []metricdata.DataPoint[int64] {
	return func(pool string, s ants.Stats) []metricdata.DataPoint[int64] {
		return []metricdata.DataPoint[int64]{point(pool, field(s))}
	}
}

// instruments is what the README's table promises, written out again here
// so that a change of name, unit, description or kind fails a test.
var instruments = []instrument{
	{"ants.pool.worker.count", "{worker}",
		"Number of live workers of the pool, by state: busy (running a task) or idle.", false,
		func(pool string, s ants.Stats) []metricdata.DataPoint[int64] {
			return []metricdata.DataPoint[int64]{
				point(pool, s.Busy, antsotel.WorkerStateKey.String("busy")),
				point(pool, s.Idle, antsotel.WorkerStateKey.String("idle")),
			}
		}},
	{"ants.pool.worker.limit", "{worker}",
		"Maximum number of workers the pool runs at once; not reported for an unlimited pool.", false,
		func(pool string, s ants.Stats) []metricdata.DataPoint[int64] {
			if s.Capacity < 0 {
				return nil
			}
			return []metricdata.DataPoint[int64]{point(pool, s.Capacity)}
		}},
	{"ants.pool.queue.size", "{task}",
		"Number of tasks the pool accepted and has not started yet.", false,
		one(func(s ants.Stats) int { return s.Queued })},
	{"ants.pool.submitter.blocked", "{submitter}",
		"Number of submitters blocked waiting for a free slot in the pool.", false,
		one(func(s ants.Stats) int { return s.Waiting })},
	{"ants.pool.task.submitted", "{task}",
		"Number of tasks the pool accepted.", true,
		one(func(s ants.Stats) int { return int(s.Submitted) })},
	{"ants.pool.task.completed", "{task}",
		"Number of accepted tasks that finished, including those that panicked.", true,
		one(func(s ants.Stats) int { return int(s.Completed) })},
	{"ants.pool.task.rejected", "{task}",
		"Number of submissions the pool refused because it was overloaded.", true,
		one(func(s ants.Stats) int { return int(s.Rejected) })},
	{"ants.pool.task.panicked", "{task}",
		"Number of tasks that panicked.", true,
		one(func(s ants.Stats) int { return int(s.Panicked) })},
	{"ants.pool.task.cancelled", "{task}",
		"Number of submissions abandoned because their context ended before the pool admitted the task.", true,
		one(func(s ants.Stats) int { return int(s.Cancelled) })},
}

// want returns the metrics expected for the given pools: every instrument
// with at least one point, as cumulative sums.
func want(pools ...named) metricdata.ScopeMetrics {
	out := metricdata.ScopeMetrics{Scope: instrumentation.Scope{Name: antsotel.ScopeName}}
	for _, in := range instruments {
		var dps []metricdata.DataPoint[int64]
		for _, p := range pools {
			dps = append(dps, in.points(p.name, p.s)...)
		}
		if len(dps) == 0 {
			continue
		}
		out.Metrics = append(out.Metrics, metricdata.Metrics{
			Name:        in.name,
			Description: in.desc,
			Unit:        in.unit,
			Data: metricdata.Sum[int64]{
				DataPoints:  dps,
				Temporality: metricdata.CumulativeTemporality,
				IsMonotonic: in.monotonic,
			},
		})
	}
	return out
}

// assertMetrics compares a collection with the metrics expected for pools,
// ignoring timestamps and the order of metrics and points.
func assertMetrics(t *testing.T, reader *sdkmetric.ManualReader, pools ...named) {
	t.Helper()
	metricdatatest.AssertEqual(t, want(pools...), collect(t, reader), metricdatatest.IgnoreTimestamp())
}

// value returns the value of the point of metric name for pool (and state,
// if not empty), and whether there is one.
func value(sm metricdata.ScopeMetrics, name, pool, state string) (int64, bool) {
	for _, m := range sm.Metrics {
		sum, ok := m.Data.(metricdata.Sum[int64])
		if m.Name != name || !ok {
			continue
		}
		for _, dp := range sum.DataPoints {
			p, _ := dp.Attributes.Value(antsotel.PoolNameKey)
			st, _ := dp.Attributes.Value(antsotel.WorkerStateKey)
			if p.AsString() == pool && st.AsString() == state {
				return dp.Value, true
			}
		}
	}
	return 0, false
}

func mustRegister(t testing.TB, m *antsotel.Metrics, name string, src antsotel.StatsSource) {
	t.Helper()
	if err := m.Register(name, src); err != nil {
		t.Fatalf("Register(%q): %v", name, err)
	}
}

// waitFor polls cond until it holds, and fails the test with what if it
// does not within waitLimit. It serves the states that only the pool's
// counters show, such as a submitter blocked inside Submit.
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
