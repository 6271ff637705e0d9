package antsotel_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/antsgo/ants"
	antsotel "github.com/antsgo/ants/otel"
	"go.opentelemetry.io/otel"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

func TestMetricsReportEveryField(t *testing.T) {
	m, reader := newMetrics(t)
	mustRegister(t, m, "images", sample)
	mustRegister(t, m, "uploads", fixed{Capacity: 2, Workers: 1, Busy: 1, Submitted: 3, Completed: 2})
	mustRegister(t, m, "resize", adaptive)
	assertMetrics(t, reader,
		named{"images", ants.Stats(sample)},
		named{"uploads", ants.Stats{Capacity: 2, Workers: 1, Busy: 1, Submitted: 3, Completed: 2}},
		named{"resize", ants.Stats(adaptive)})

	// The comparison ignores the order of the metrics; this pins their
	// number, so that no instrument outside the table slips in. The
	// adaptive pool gives every instrument a point.
	if got, want := len(collect(t, reader).Metrics), len(instruments); got != want {
		t.Errorf("got %d metrics; want %d", got, want)
	}
}

func TestMetricsUnlimitedPoolHasNoLimit(t *testing.T) {
	m, reader := newMetrics(t)
	unlimited := ants.Stats{Capacity: -1, Workers: 2, Idle: 2, Submitted: 9, Completed: 9}
	mustRegister(t, m, "unlimited", fixed(unlimited))
	assertMetrics(t, reader, named{"unlimited", unlimited})
	if v, ok := value(collect(t, reader), "ants.pool.worker.limit", "unlimited", ""); ok {
		t.Errorf("ants.pool.worker.limit of an unlimited pool = %d; want no point", v)
	}
}

func TestMetricsRegister(t *testing.T) {
	m, reader := newMetrics(t)
	mustRegister(t, m, "a", sample)

	t.Run("bad input is refused with a sentinel", func(t *testing.T) {
		var nilPool *ants.Pool
		tests := []struct {
			name string
			pool string
			src  antsotel.StatsSource
			want error
		}{
			{"empty name", "", sample, antsotel.ErrEmptyName},
			{"nil source", "b", nil, antsotel.ErrNilSource},
			{"nil pool pointer", "b", nilPool, antsotel.ErrNilSource},
			{"taken name", "a", sample, antsotel.ErrDuplicateName},
		}
		for _, tt := range tests {
			if err := m.Register(tt.pool, tt.src); !errors.Is(err, tt.want) {
				t.Errorf("%s: Register(%q) = %v; want %v", tt.name, tt.pool, err, tt.want)
			}
		}
		assertMetrics(t, reader, named{"a", ants.Stats(sample)})
	})

	t.Run("unregister stops the series of that name only", func(t *testing.T) {
		mustRegister(t, m, "b", fixed{Capacity: 1})
		assertMetrics(t, reader, named{"a", ants.Stats(sample)}, named{"b", ants.Stats{Capacity: 1}})
		if !m.Unregister("a") {
			t.Error(`Unregister("a") = false; want true`)
		}
		if m.Unregister("a") {
			t.Error(`second Unregister("a") = true; want false`)
		}
		assertMetrics(t, reader, named{"b", ants.Stats{Capacity: 1}})
	})

	t.Run("an unregistered name can be registered again", func(t *testing.T) {
		mustRegister(t, m, "a", fixed{Capacity: 3})
		assertMetrics(t, reader, named{"a", ants.Stats{Capacity: 3}}, named{"b", ants.Stats{Capacity: 1}})
	})

	t.Run("close stops every series and refuses later registrations", func(t *testing.T) {
		if err := m.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if got := collect(t, reader).Metrics; len(got) != 0 {
			t.Errorf("after Close got %d metrics; want none", len(got))
		}
		if err := m.Register("c", sample); !errors.Is(err, antsotel.ErrClosed) {
			t.Errorf("Register after Close = %v; want ErrClosed", err)
		}
		if err := m.Close(); err != nil {
			t.Errorf("second Close = %v; want nil", err)
		}
	})

	t.Run("the zero Metrics refuses registrations", func(t *testing.T) {
		var zero antsotel.Metrics
		if err := zero.Register("a", sample); !errors.Is(err, antsotel.ErrClosed) {
			t.Errorf("Register on the zero Metrics = %v; want ErrClosed", err)
		}
		if zero.Unregister("a") {
			t.Error(`Unregister("a") on the zero Metrics = true; want false`)
		}
		if err := zero.Close(); err != nil {
			t.Errorf("Close on the zero Metrics = %v; want nil", err)
		}
	})
}

func TestMetricsWithoutPoolsReportNothing(t *testing.T) {
	_, reader := newMetrics(t)
	if got := collect(t, reader).Metrics; len(got) != 0 {
		t.Errorf("got %d metrics; want none", len(got))
	}
}

func TestMetricsUseGlobalProviderByDefault(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	prev := otel.GetMeterProvider()
	otel.SetMeterProvider(mp)
	t.Cleanup(func() {
		otel.SetMeterProvider(prev)
		if err := mp.Shutdown(context.Background()); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})

	m, err := antsotel.New(nil, antsotel.WithMeterProvider(nil)) // nil options and providers mean the defaults
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	defer m.Close()
	mustRegister(t, m, "global", sample)
	assertMetrics(t, reader, named{"global", ants.Stats(sample)})
}

func TestMetricsCountersNeverDecrease(t *testing.T) {
	m, reader := newMetrics(t)
	src := &settable{}
	mustRegister(t, m, "p", src)

	check := func(t *testing.T, wantSubmitted, wantBusy int64) {
		t.Helper()
		sm := collect(t, reader)
		if got, _ := value(sm, "ants.pool.task.submitted", "p", ""); got != wantSubmitted {
			t.Errorf("ants.pool.task.submitted = %d; want %d", got, wantSubmitted)
		}
		if got, _ := value(sm, "ants.pool.worker.count", "p", "busy"); got != wantBusy {
			t.Errorf("ants.pool.worker.count{busy} = %d; want %d", got, wantBusy)
		}
	}

	src.set(ants.Stats{Submitted: 5, Busy: 3})
	check(t, 5, 3)
	// A source whose counter drops (a front that lost a pool, say) is
	// followed by one that grows again: the counter holds, the
	// UpDownCounter follows.
	src.set(ants.Stats{Submitted: 4, Busy: 1})
	check(t, 5, 1)
	src.set(ants.Stats{Submitted: 7, Busy: 2})
	check(t, 7, 2)

	t.Run("registering again restarts the counters", func(t *testing.T) {
		m.Unregister("p")
		mustRegister(t, m, "p", src)
		src.set(ants.Stats{Submitted: 1})
		check(t, 1, 0)
	})
}

func TestMetricsConcurrentUse(t *testing.T) {
	m, reader := newMetrics(t)
	src := &settable{}

	const (
		mutators   = 4
		collectors = 4
		rounds     = 200
	)
	var wg sync.WaitGroup
	for i := 0; i < mutators; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := fmt.Sprintf("pool-%d", i)
			for r := 0; r < rounds; r++ {
				if err := m.Register(name, src); err != nil {
					t.Errorf("Register(%q): %v", name, err)
					return
				}
				src.set(ants.Stats{Submitted: uint64(r)})
				if !m.Unregister(name) {
					t.Errorf("Unregister(%q) = false; want true", name)
					return
				}
			}
		}()
	}
	for i := 0; i < collectors; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := 0; r < rounds; r++ {
				var rm metricdata.ResourceMetrics
				if err := reader.Collect(context.Background(), &rm); err != nil {
					t.Errorf("Collect: %v", err)
					return
				}
				for _, sm := range rm.ScopeMetrics {
					for _, met := range sm.Metrics {
						// Two points per pool at most, busy and idle: the
						// source has no adaptive controller, so there is no
						// gauge and no decision.
						sum, ok := met.Data.(metricdata.Sum[int64])
						if !ok {
							t.Errorf("%s is a %T; want a sum", met.Name, met.Data)
							return
						}
						if n := len(sum.DataPoints); n > 2*mutators {
							t.Errorf("%s has %d points; want at most %d", met.Name, n, 2*mutators)
							return
						}
					}
				}
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(waitLimit):
		t.Fatalf("concurrent Register, Unregister and Collect did not finish within %v", waitLimit)
	}
	if got := collect(t, reader).Metrics; len(got) != 0 {
		t.Errorf("after unregistering every pool got %d metrics; want none", len(got))
	}
}
