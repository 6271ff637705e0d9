package antsprom_test

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/antsgo/ants"
	antsprom "github.com/antsgo/ants/prometheus"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// Every pool face is a StatsSource.
var (
	_ antsprom.StatsSource = (*ants.Pool)(nil)
	_ antsprom.StatsSource = (*ants.PoolWithFunc)(nil)
	_ antsprom.StatsSource = (*ants.PoolWithFuncGeneric[int])(nil)
	_ antsprom.StatsSource = (*ants.MultiPool)(nil)
	_ antsprom.StatsSource = (*ants.MultiPoolWithFunc)(nil)
	_ antsprom.StatsSource = (*ants.MultiPoolWithFuncGeneric[int])(nil)
)

func TestCollectorReadsLivePool(t *testing.T) {
	const size = 3
	pool, err := ants.NewPool(size, ants.WithNonblocking(true))
	if err != nil {
		t.Fatalf("NewPool: %v", err)
	}
	release := make(chan struct{})
	var releaseOnce sync.Once
	unblock := func() { releaseOnce.Do(func() { close(release) }) }
	t.Cleanup(func() {
		unblock()
		if err := pool.ReleaseTimeout(waitLimit); err != nil && !errors.Is(err, ants.ErrPoolClosed) {
			t.Errorf("ReleaseTimeout: %v", err)
		}
	})

	c := antsprom.NewCollector()
	mustAdd(t, c, "live", pool)

	started := make(chan struct{}, size)
	for i := 0; i < size; i++ {
		if err := pool.Submit(func() {
			started <- struct{}{}
			<-release
		}); err != nil {
			t.Fatalf("Submit %d: %v", i, err)
		}
	}
	for i := 0; i < size; i++ {
		select {
		case <-started:
		case <-time.After(waitLimit):
			t.Fatalf("only %d of %d tasks started within %v", i, size, waitLimit)
		}
	}
	// The pool is full and nonblocking, so one more task is refused.
	if err := pool.Submit(func() {}); !errors.Is(err, ants.ErrPoolOverload) {
		t.Fatalf("Submit on a full pool = %v; want ErrPoolOverload", err)
	}

	busyText := exposition("ants_pool_capacity",
		"Maximum number of workers the pool runs at once, -1 if the pool is unlimited, 0 for a keyed front.",
		"gauge", `{pool="live"} 3`) +
		exposition("ants_pool_workers", "Number of live worker goroutines of the pool.",
			"gauge", `{pool="live"} 3`) +
		exposition("ants_pool_busy_workers", "Number of workers of the pool running a task.",
			"gauge", `{pool="live"} 3`) +
		exposition("ants_pool_idle_workers", "Number of live workers of the pool not running a task.",
			"gauge", `{pool="live"} 0`) +
		exposition("ants_pool_tasks_submitted_total", "Total number of tasks the pool accepted.",
			"counter", `{pool="live"} 3`) +
		exposition("ants_pool_tasks_rejected_total",
			"Total number of submissions the pool refused because it was overloaded.",
			"counter", `{pool="live"} 1`)
	if err := testutil.CollectAndCompare(c, strings.NewReader(busyText),
		"ants_pool_capacity", "ants_pool_workers", "ants_pool_busy_workers",
		"ants_pool_idle_workers", "ants_pool_tasks_submitted_total",
		"ants_pool_tasks_rejected_total"); err != nil {
		t.Errorf("while tasks run: %v", err)
	}

	unblock()
	if err := pool.ReleaseTimeout(waitLimit); err != nil {
		t.Fatalf("ReleaseTimeout: %v", err)
	}
	doneText := exposition("ants_pool_busy_workers", "Number of workers of the pool running a task.",
		"gauge", `{pool="live"} 0`) +
		exposition("ants_pool_workers", "Number of live worker goroutines of the pool.",
			"gauge", `{pool="live"} 0`) +
		exposition("ants_pool_tasks_completed_total",
			"Total number of accepted tasks that finished, including those that panicked.",
			"counter", `{pool="live"} 3`)
	if err := testutil.CollectAndCompare(c, strings.NewReader(doneText),
		"ants_pool_busy_workers", "ants_pool_workers", "ants_pool_tasks_completed_total"); err != nil {
		t.Errorf("after release: %v", err)
	}
}

// BenchmarkCollect measures one scrape of one pool: a Stats call and twelve
// constant metrics.
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
	c := antsprom.NewCollector()
	if err := c.Add("p", pool); err != nil {
		b.Fatal(err)
	}
	ch := make(chan prometheus.Metric, len(allNames))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.Collect(ch)
		for range allNames {
			<-ch
		}
	}
}

func TestCollectorExportsAdaptivePools(t *testing.T) {
	t.Run("the run-time gauges appear once the controller decided", func(t *testing.T) {
		c := antsprom.NewCollector()
		mustAdd(t, c, "adaptive", fixed{Capacity: 12, NoLoadRunTime: 2 * time.Millisecond, RunTime: 3 * time.Millisecond,
			Decision: ants.DecisionShrink, DecidedAt: time.Unix(1, 0)})
		want := exposition("ants_pool_capacity",
			"Maximum number of workers the pool runs at once, -1 if the pool is unlimited, 0 for a keyed front.",
			"gauge", `{pool="adaptive"} 12`) +
			exposition("ants_pool_no_load_run_time_seconds",
				"Adaptive capacity: the controller's estimate of the run time of a task that queues behind nothing.",
				"gauge", `{pool="adaptive"} 0.002`) +
			exposition("ants_pool_run_time_seconds",
				"Adaptive capacity: the mean run time of the tasks timed in the controller's last window.",
				"gauge", `{pool="adaptive"} 0.003`)
		if err := testutil.CollectAndCompare(c, strings.NewReader(want),
			"ants_pool_capacity", "ants_pool_no_load_run_time_seconds", "ants_pool_run_time_seconds"); err != nil {
			t.Error(err)
		}
	})
	t.Run("a live adaptive pool exports the limit its controller set", func(t *testing.T) {
		pool, err := ants.NewPool(2, ants.WithAdaptiveCapacity(ants.Adaptive{Min: 2, Max: 8}))
		if err != nil {
			t.Fatalf("NewPool: %v", err)
		}
		defer func() {
			if err := pool.ReleaseTimeout(waitLimit); err != nil {
				t.Errorf("ReleaseTimeout: %v", err)
			}
		}()
		c := antsprom.NewCollector()
		mustAdd(t, c, "live", pool)
		deadline := time.Now().Add(waitLimit)
		for testutil.CollectAndCount(c, "ants_pool_run_time_seconds") == 0 {
			if time.Now().After(deadline) {
				t.Fatalf("no ants_pool_run_time_seconds within %v", waitLimit)
			}
			if err := pool.Submit(func() { time.Sleep(100 * time.Microsecond) }); err != nil {
				t.Fatalf("Submit: %v", err)
			}
		}
		// The controller may move the limit between two reads, so each
		// read is held to the bounds rather than to the other.
		s := pool.Stats()
		got := testutil.ToFloat64(gaugeOf(t, c, "ants_pool_capacity"))
		if got < 2 || got > 8 || s.Capacity < 2 || s.Capacity > 8 {
			t.Errorf("ants_pool_capacity = %v, Stats().Capacity = %d; want both within [2, 8]", got, s.Capacity)
		}
	})
}

// gaugeOf returns a collector that exports only the metric name of c.
func gaugeOf(t *testing.T, c prometheus.Collector, name string) prometheus.Collector {
	t.Helper()
	return filtered{c, name}
}

// filtered is a collector that passes on only one metric family of another.
type filtered struct {
	prometheus.Collector
	name string
}

func (f filtered) Collect(ch chan<- prometheus.Metric) {
	all := make(chan prometheus.Metric)
	go func() { f.Collector.Collect(all); close(all) }()
	for m := range all {
		if strings.Contains(m.Desc().String(), `"`+f.name+`"`) {
			ch <- m
		}
	}
}
