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
	Keys: 9,
}

// adaptive is the sample of a pool whose adaptive controller has decided.
var adaptive = fixed{
	Capacity: 12, Workers: 4, Busy: 4, Submitted: 50, Completed: 46,
	NoLoadRunTime: 2 * time.Millisecond, RunTime: 3500 * time.Microsecond,
	Decision: ants.DecisionShrink, DecidedAt: time.Unix(1, 0),
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
// unit, description and kind, and the points a pool in state s gives:
// points for a sum of int64 (monotonic or not), seconds for a gauge of
// float64.
type instrument struct {
	name, unit, desc string
	monotonic        bool
	points           func(pool string, s ants.Stats) []metricdata.DataPoint[int64]
	seconds          func(pool string, s ants.Stats) []metricdata.DataPoint[float64]
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
		}, nil},
	{"ants.pool.worker.limit", "{worker}",
		"Maximum number of workers the pool runs at once; not reported for an unlimited pool or a keyed front.", false,
		func(pool string, s ants.Stats) []metricdata.DataPoint[int64] {
			if s.Capacity <= 0 {
				return nil
			}
			return []metricdata.DataPoint[int64]{point(pool, s.Capacity)}
		}, nil},
	{"ants.pool.queue.size", "{task}",
		"Number of tasks the pool accepted and has not started yet.", false,
		one(func(s ants.Stats) int { return s.Queued }), nil},
	{"ants.pool.submitter.blocked", "{submitter}",
		"Number of submitters blocked waiting for a free slot in the pool.", false,
		one(func(s ants.Stats) int { return s.Waiting }), nil},
	{"ants.pool.key.count", "{key}",
		"Number of keys of a keyed front with a task running or waiting; 0 for a pool.", false,
		one(func(s ants.Stats) int { return s.Keys }), nil},
	{"ants.pool.task.submitted", "{task}",
		"Number of tasks the pool accepted.", true,
		one(func(s ants.Stats) int { return int(s.Submitted) }), nil},
	{"ants.pool.task.completed", "{task}",
		"Number of accepted tasks that finished, including those that panicked.", true,
		one(func(s ants.Stats) int { return int(s.Completed) }), nil},
	{"ants.pool.task.rejected", "{task}",
		"Number of submissions the pool refused because it was overloaded.", true,
		one(func(s ants.Stats) int { return int(s.Rejected) }), nil},
	{"ants.pool.task.panicked", "{task}",
		"Number of tasks that panicked.", true,
		one(func(s ants.Stats) int { return int(s.Panicked) }), nil},
	{"ants.pool.task.cancelled", "{task}",
		"Number of submissions abandoned because their context ended before the pool admitted the task.", true,
		one(func(s ants.Stats) int { return int(s.Cancelled) }), nil},
	{"ants.pool.adaptive.no_load_run_time", "s",
		"Adaptive capacity: the controller's estimate of the run time of a task that queues behind nothing.", false,
		nil, decided(func(s ants.Stats) time.Duration { return s.NoLoadRunTime })},
	{"ants.pool.adaptive.run_time", "s",
		"Adaptive capacity: the mean run time of the tasks timed in the controller's last window.", false,
		nil, decided(func(s ants.Stats) time.Duration { return s.RunTime })},
	{"ants.pool.adaptive.decision", "{pool}",
		"Adaptive capacity: 1 for the controller's last decision on the capacity (hold, grow or shrink), 0 for the other two.", false,
		func(pool string, s ants.Stats) []metricdata.DataPoint[int64] {
			if s.Decision == ants.DecisionNone {
				return nil
			}
			var dps []metricdata.DataPoint[int64]
			for _, d := range []string{"hold", "grow", "shrink"} {
				last := 0
				if d == s.Decision.String() {
					last = 1
				}
				dps = append(dps, point(pool, last, antsotel.DecisionKey.String(d)))
			}
			return dps
		}, nil},
}

// decided returns the points of a run-time gauge: one per pool whose
// adaptive controller has decided, in seconds.
func decided(field func(s ants.Stats) time.Duration) func(string, ants.Stats) []metricdata.DataPoint[float64] {
	return func(pool string, s ants.Stats) []metricdata.DataPoint[float64] {
		if s.Decision == ants.DecisionNone {
			return nil
		}
		return []metricdata.DataPoint[float64]{{
			Attributes: attribute.NewSet(antsotel.PoolNameKey.String(pool)),
			Value:      field(s).Seconds(),
		}}
	}
}

// want returns the metrics expected for the given pools: every instrument
// with at least one point, as cumulative sums or as gauges.
func want(pools ...named) metricdata.ScopeMetrics {
	out := metricdata.ScopeMetrics{Scope: instrumentation.Scope{Name: antsotel.ScopeName}}
	for _, in := range instruments {
		var (
			ints   []metricdata.DataPoint[int64]
			floats []metricdata.DataPoint[float64]
		)
		for _, p := range pools {
			if in.points != nil {
				ints = append(ints, in.points(p.name, p.s)...)
			} else {
				floats = append(floats, in.seconds(p.name, p.s)...)
			}
		}
		met := metricdata.Metrics{Name: in.name, Description: in.desc, Unit: in.unit}
		switch {
		case len(ints) > 0:
			met.Data = metricdata.Sum[int64]{
				DataPoints:  ints,
				Temporality: metricdata.CumulativeTemporality,
				IsMonotonic: in.monotonic,
			}
		case len(floats) > 0:
			met.Data = metricdata.Gauge[float64]{DataPoints: floats}
		default:
			continue
		}
		out.Metrics = append(out.Metrics, met)
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
