package antsprom_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/antsgo/ants"
	antsprom "github.com/antsgo/ants/prometheus"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
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

// settable is a StatsSource whose Stats the test changes between scrapes.
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

// sample has a distinct value in every field, so a field exported under
// the wrong name shows up in the comparison.
var sample = fixed{
	Capacity: 8, Workers: 5, Busy: 3, Idle: 2, Waiting: 4, Queued: 6,
	Submitted: 100, Completed: 90, Rejected: 7, Panicked: 1, Cancelled: 2,
	Keys: 9,
}

var allNames = []string{
	"ants_pool_capacity",
	"ants_pool_workers",
	"ants_pool_busy_workers",
	"ants_pool_idle_workers",
	"ants_pool_waiting_submitters",
	"ants_pool_queued_tasks",
	"ants_pool_keys",
	"ants_pool_tasks_submitted_total",
	"ants_pool_tasks_completed_total",
	"ants_pool_tasks_rejected_total",
	"ants_pool_tasks_panicked_total",
	"ants_pool_tasks_cancelled_total",
}

// exposition returns the expected text of one metric family.
func exposition(name, help, typ string, samples ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
	for _, s := range samples {
		fmt.Fprintf(&b, "%s%s\n", name, s)
	}
	return b.String()
}

func TestCollectorExportsEveryField(t *testing.T) {
	c := antsprom.NewCollector()
	mustAdd(t, c, "images", sample)
	mustAdd(t, c, "unlimited", fixed{Capacity: -1, Workers: 1, Idle: 1, Submitted: 3, Completed: 3})

	const want = `
# HELP ants_pool_capacity Maximum number of workers the pool runs at once, -1 if the pool is unlimited, 0 for a keyed front.
# TYPE ants_pool_capacity gauge
ants_pool_capacity{pool="images"} 8
ants_pool_capacity{pool="unlimited"} -1
# HELP ants_pool_workers Number of live worker goroutines of the pool.
# TYPE ants_pool_workers gauge
ants_pool_workers{pool="images"} 5
ants_pool_workers{pool="unlimited"} 1
# HELP ants_pool_busy_workers Number of workers of the pool running a task.
# TYPE ants_pool_busy_workers gauge
ants_pool_busy_workers{pool="images"} 3
ants_pool_busy_workers{pool="unlimited"} 0
# HELP ants_pool_idle_workers Number of live workers of the pool not running a task.
# TYPE ants_pool_idle_workers gauge
ants_pool_idle_workers{pool="images"} 2
ants_pool_idle_workers{pool="unlimited"} 1
# HELP ants_pool_waiting_submitters Number of submitters blocked waiting for a free slot in the pool.
# TYPE ants_pool_waiting_submitters gauge
ants_pool_waiting_submitters{pool="images"} 4
ants_pool_waiting_submitters{pool="unlimited"} 0
# HELP ants_pool_queued_tasks Number of tasks the pool accepted and has not started yet.
# TYPE ants_pool_queued_tasks gauge
ants_pool_queued_tasks{pool="images"} 6
ants_pool_queued_tasks{pool="unlimited"} 0
# HELP ants_pool_keys Keyed fronts: the number of keys with a task running or waiting; always 0 for a pool.
# TYPE ants_pool_keys gauge
ants_pool_keys{pool="images"} 9
ants_pool_keys{pool="unlimited"} 0
# HELP ants_pool_tasks_submitted_total Total number of tasks the pool accepted.
# TYPE ants_pool_tasks_submitted_total counter
ants_pool_tasks_submitted_total{pool="images"} 100
ants_pool_tasks_submitted_total{pool="unlimited"} 3
# HELP ants_pool_tasks_completed_total Total number of accepted tasks that finished, including those that panicked.
# TYPE ants_pool_tasks_completed_total counter
ants_pool_tasks_completed_total{pool="images"} 90
ants_pool_tasks_completed_total{pool="unlimited"} 3
# HELP ants_pool_tasks_rejected_total Total number of submissions the pool refused because it was overloaded.
# TYPE ants_pool_tasks_rejected_total counter
ants_pool_tasks_rejected_total{pool="images"} 7
ants_pool_tasks_rejected_total{pool="unlimited"} 0
# HELP ants_pool_tasks_panicked_total Total number of tasks that panicked.
# TYPE ants_pool_tasks_panicked_total counter
ants_pool_tasks_panicked_total{pool="images"} 1
ants_pool_tasks_panicked_total{pool="unlimited"} 0
# HELP ants_pool_tasks_cancelled_total Total number of submissions abandoned because their context ended before the pool admitted the task.
# TYPE ants_pool_tasks_cancelled_total counter
ants_pool_tasks_cancelled_total{pool="images"} 2
ants_pool_tasks_cancelled_total{pool="unlimited"} 0
`
	if err := testutil.CollectAndCompare(c, strings.NewReader(want)); err != nil {
		t.Error(err)
	}
	// The comparison above ignores families missing from both sides; this
	// check pins the full set of names.
	if got, want := testutil.CollectAndCount(c, allNames...), 2*len(allNames); got != want {
		t.Errorf("CollectAndCount(all names) = %d; want %d", got, want)
	}
	if got, want := testutil.CollectAndCount(c), 2*len(allNames); got != want {
		t.Errorf("CollectAndCount() = %d; want %d", got, want)
	}
}

func TestCollectorPassesLint(t *testing.T) {
	c := antsprom.NewCollector()
	mustAdd(t, c, "images", sample)
	problems, err := testutil.CollectAndLint(c)
	if err != nil {
		t.Fatalf("CollectAndLint: %v", err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
}

func TestCollectorOptions(t *testing.T) {
	const help = "Number of live worker goroutines of the pool."
	tests := []struct {
		name string
		opts []antsprom.Option
		want string // the workers family
	}{
		{
			name: "default namespace is ants",
			want: exposition("ants_pool_workers", help, "gauge", `{pool="p"} 5`),
		},
		{
			name: "namespace replaces ants",
			opts: []antsprom.Option{antsprom.WithNamespace("app")},
			want: exposition("app_pool_workers", help, "gauge", `{pool="p"} 5`),
		},
		{
			name: "empty namespace is dropped",
			opts: []antsprom.Option{antsprom.WithNamespace("")},
			want: exposition("pool_workers", help, "gauge", `{pool="p"} 5`),
		},
		{
			name: "const labels are added to every sample",
			opts: []antsprom.Option{
				antsprom.WithConstLabels(prometheus.Labels{"service": "api"}),
				antsprom.WithConstLabels(prometheus.Labels{"zone": "a"}),
				nil, // a nil option is ignored
			},
			want: exposition("ants_pool_workers", help, "gauge", `{pool="p",service="api",zone="a"} 5`),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := antsprom.NewCollector(tt.opts...)
			mustAdd(t, c, "p", sample)
			name := strings.Fields(tt.want)[2]
			if err := testutil.CollectAndCompare(c, strings.NewReader(tt.want), name); err != nil {
				t.Error(err)
			}
			if got, want := testutil.CollectAndCount(c), len(allNames); got != want {
				t.Errorf("CollectAndCount() = %d; want %d", got, want)
			}
		})
	}
}

func TestCollectorInvalidOptionsFailRegistration(t *testing.T) {
	tests := []struct {
		name string
		opt  antsprom.Option
	}{
		{"const label named pool", antsprom.WithConstLabels(prometheus.Labels{"pool": "x"})},
		{"const label value not UTF-8", antsprom.WithConstLabels(prometheus.Labels{"service": "\xff"})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := antsprom.NewCollector(tt.opt)
			if err := prometheus.NewRegistry().Register(c); err == nil {
				t.Error("Register succeeded; want an error")
			}
		})
	}
}

func TestCollectorAddAndRemove(t *testing.T) {
	c := antsprom.NewCollector()
	mustAdd(t, c, "a", sample)

	t.Run("add rejects bad input", func(t *testing.T) {
		tests := []struct {
			name string
			pool string
			src  antsprom.StatsSource
			want error
		}{
			{"empty name", "", sample, antsprom.ErrEmptyName},
			{"nil source", "b", nil, antsprom.ErrNilSource},
			{"taken name", "a", sample, antsprom.ErrDuplicateName},
		}
		for _, tt := range tests {
			if err := c.Add(tt.pool, tt.src); !errors.Is(err, tt.want) {
				t.Errorf("%s: Add(%q) = %v; want %v", tt.name, tt.pool, err, tt.want)
			}
		}
		if got, want := testutil.CollectAndCount(c), len(allNames); got != want {
			t.Errorf("CollectAndCount() = %d; want %d", got, want)
		}
	})

	t.Run("remove drops the pool's series", func(t *testing.T) {
		mustAdd(t, c, "b", sample)
		if got, want := testutil.CollectAndCount(c), 2*len(allNames); got != want {
			t.Errorf("CollectAndCount() = %d; want %d", got, want)
		}
		if !c.Remove("a") {
			t.Error(`Remove("a") = false; want true`)
		}
		if c.Remove("a") {
			t.Error(`second Remove("a") = true; want false`)
		}
		want := exposition("ants_pool_capacity",
			"Maximum number of workers the pool runs at once, -1 if the pool is unlimited, 0 for a keyed front.",
			"gauge", `{pool="b"} 8`)
		if err := testutil.CollectAndCompare(c, strings.NewReader(want), "ants_pool_capacity"); err != nil {
			t.Error(err)
		}
	})

	t.Run("a removed name can be added again", func(t *testing.T) {
		if err := c.Add("a", sample); err != nil {
			t.Errorf(`Add("a") after Remove = %v; want nil`, err)
		}
	})

	t.Run("collector without pools exports nothing", func(t *testing.T) {
		empty := antsprom.NewCollector()
		if got := testutil.CollectAndCount(empty); got != 0 {
			t.Errorf("CollectAndCount() = %d; want 0", got)
		}
	})
}

func TestCollectorZeroValueUsesDefaults(t *testing.T) {
	var c antsprom.Collector
	mustAdd(t, &c, "p", sample)
	want := exposition("ants_pool_tasks_rejected_total",
		"Total number of submissions the pool refused because it was overloaded.",
		"counter", `{pool="p"} 7`)
	if err := testutil.CollectAndCompare(&c, strings.NewReader(want), "ants_pool_tasks_rejected_total"); err != nil {
		t.Error(err)
	}
}

func TestCollectorCountersNeverDecrease(t *testing.T) {
	c := antsprom.NewCollector()
	src := &settable{}
	mustAdd(t, c, "p", src)

	const (
		submitted = "ants_pool_tasks_submitted_total"
		busy      = "ants_pool_busy_workers"
	)
	check := func(t *testing.T, wantSubmitted, wantBusy int) {
		t.Helper()
		want := exposition(submitted, "Total number of tasks the pool accepted.", "counter",
			fmt.Sprintf(`{pool="p"} %d`, wantSubmitted)) +
			exposition(busy, "Number of workers of the pool running a task.", "gauge",
				fmt.Sprintf(`{pool="p"} %d`, wantBusy))
		if err := testutil.CollectAndCompare(c, strings.NewReader(want), submitted, busy); err != nil {
			t.Error(err)
		}
	}

	src.set(ants.Stats{Submitted: 5, Busy: 3})
	check(t, 5, 3)
	// A snapshot that counted a finishing task twice is followed by an
	// exact one: the counter holds, the gauge follows.
	src.set(ants.Stats{Submitted: 4, Busy: 1})
	check(t, 5, 1)
	src.set(ants.Stats{Submitted: 7, Busy: 2})
	check(t, 7, 2)

	t.Run("re-adding a pool restarts its counters", func(t *testing.T) {
		c.Remove("p")
		mustAdd(t, c, "p", src)
		src.set(ants.Stats{Submitted: 1})
		check(t, 1, 0)
	})
}

func TestCollectorConcurrentUse(t *testing.T) {
	c := antsprom.NewCollector()
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	src := &settable{}

	const (
		mutators = 4
		scrapers = 4
		rounds   = 200
	)
	var wg sync.WaitGroup
	for m := 0; m < mutators; m++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := fmt.Sprintf("pool-%d", m)
			for i := 0; i < rounds; i++ {
				if err := c.Add(name, src); err != nil {
					t.Errorf("Add(%q): %v", name, err)
					return
				}
				src.set(ants.Stats{Submitted: uint64(i)})
				if !c.Remove(name) {
					t.Errorf("Remove(%q) = false; want true", name)
					return
				}
			}
		}()
	}
	for s := 0; s < scrapers; s++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < rounds; i++ {
				mfs, err := reg.Gather()
				if err != nil {
					t.Errorf("Gather: %v", err)
					return
				}
				for _, mf := range mfs {
					if n := len(mf.GetMetric()); n > mutators {
						t.Errorf("%s has %d series; want at most %d", mf.GetName(), n, mutators)
						return
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
		t.Fatalf("concurrent Add, Remove and Gather did not finish within %v", waitLimit)
	}
	if got := testutil.CollectAndCount(c); got != 0 {
		t.Errorf("CollectAndCount() after removing every pool = %d; want 0", got)
	}
}

func mustAdd(t *testing.T, c *antsprom.Collector, name string, src antsprom.StatsSource) {
	t.Helper()
	if err := c.Add(name, src); err != nil {
		t.Fatalf("Add(%q): %v", name, err)
	}
}
