package benchmarks

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/trace"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Measurement is the outcome of one run of one case on one implementation.
type Measurement struct {
	Wall          time.Duration // from building the implementation to the end of the last task
	AllocsPerTask float64       // runtime.MemStats.Mallocs delta / tasks
	BytesPerTask  float64       // runtime.MemStats.TotalAlloc delta / tasks
	Efficiency    float64       // CPU: tasks × per-task CPU time / GOMAXPROCS / Wall
	// CPUPerTask is the user plus system CPU time of the whole process
	// over the same span as Wall, in nanoseconds per task: the pool, the
	// submitters, the tasks, the harness and the Go runtime (GC, timers,
	// scheduler) together. It is 0 where the system does not report it.
	CPUPerTask float64

	P50, P99, P999 time.Duration // Latency: arrival → task start; SubmitWait: Submit's call → return
	Worst          time.Duration // SubmitWait: the longest Submit call
	Utilisation    float64       // Latency: the load the workers saw, from measured task durations

	PeakRSS   uint64 // bytes; runs in a process of their own (cmd/compare) only
	PeakHeap  uint64 // bytes of heap objects, sampled (RunSampled)
	PeakStack uint64 // bytes of goroutine stacks, sampled (RunSampled)
}

// RunTimeout bounds the wait for a run's tasks; a run that exceeds it is
// reported as failed instead of hanging the harness.
var RunTimeout = 5 * time.Minute

// Run runs c once on im. It collects garbage first, so that one run's
// leftovers are not charged to the next.
func Run(c Case, im Impl) (Measurement, error) { return run(c, im, nil) }

// run is Run, with runtime/trace writing to tw over the timed span if tw
// is not nil.
func run(c Case, im Impl, tw io.Writer) (Measurement, error) {
	var m Measurement
	lp := prepare(c)
	if lp != nil && tw != nil {
		lp.tasks = make([]*trace.Task, c.Tasks)
	}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if tw != nil {
		if err := trace.Start(tw); err != nil {
			return m, err
		}
	}

	cpu0, cpuOK := processCPU()
	start := time.Now()
	pool, err := execute(c, im, lp)
	m.Wall = time.Since(start)
	cpu1, _ := processCPU()
	if tw != nil {
		trace.Stop()
	}
	if err != nil {
		return m, fmt.Errorf("%s on %s: %w", c.Name, im.Name, err)
	}
	runtime.ReadMemStats(&after)
	if err := pool.Close(); err != nil {
		return m, fmt.Errorf("%s on %s: close: %w", c.Name, im.Name, err)
	}

	n := float64(c.Tasks)
	m.AllocsPerTask = float64(after.Mallocs-before.Mallocs) / n
	m.BytesPerTask = float64(after.TotalAlloc-before.TotalAlloc) / n
	if cpuOK {
		m.CPUPerTask = float64(cpu1-cpu0) / n
	}
	if c.Kind == CPU {
		m.Efficiency = efficiency(c.Tasks, m.Wall)
	}
	if lp != nil {
		m.P50, m.P99, m.P999 = percentiles(lp.lat)
		if c.Kind == Latency {
			m.Utilisation = lp.utilisation(c)
		} else {
			m.Worst = lp.lat[len(lp.lat)-1]
		}
	}
	return m, nil
}

// RunSampled is Run with the peak heap and stack memory of the process
// sampled every period while it runs.
func RunSampled(c Case, im Impl, period time.Duration) (Measurement, error) {
	runtime.GC() // so that the first sample does not see the garbage of earlier runs
	s := startSampler(period)
	m, err := Run(c, im)
	m.PeakHeap, m.PeakStack = s.stop()
	return m, err
}

// Quantile returns the q-quantile of sorted (nearest rank).
func Quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*q+0.999999) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

type closer interface{ Close() error }

// prepare does the one-time calibrations c needs, outside any timing, and
// returns the recorder of a Latency case.
func prepare(c Case) *latencies {
	switch c.Kind {
	case CPU:
		Spin()
	case Latency:
		return &latencies{lat: make([]time.Duration, c.Tasks),
			interval: time.Duration(float64(sleepCost()) / (c.Load * float64(c.Cap)))}
	case SubmitWait:
		if c.TaskMax > 0 {
			Spin()
		}
		return &latencies{lat: make([]time.Duration, c.Tasks)}
	}
	return nil
}

// latencies is what the tasks of a Latency case, or the submitters of a
// SubmitWait case, record.
type latencies struct {
	lat      []time.Duration // Latency: arrival → start; SubmitWait: Submit's call → return; per task
	busy     atomic.Int64    // total time the tasks held a worker
	interval time.Duration   // between arrivals
	tasks    []*trace.Task   // RunTraced only: per task, from its Submit to its start
}

// utilisation is the mean measured task duration over the capacity's
// share of the arrival interval: the load the workers actually saw.
func (l *latencies) utilisation(c Case) float64 {
	return float64(l.busy.Load()) / float64(len(l.lat)) / (float64(l.interval) * float64(c.Cap))
}

// efficiency is the ideal time of n CPU tasks on GOMAXPROCS cores over wall.
func efficiency(n int, wall time.Duration) float64 {
	_, cost := Spin()
	return float64(n) * float64(cost) / float64(runtime.GOMAXPROCS(0)) / float64(wall)
}

// percentiles sorts lat in place and returns its p50, p99 and p99.9.
func percentiles(lat []time.Duration) (p50, p99, p999 time.Duration) {
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	return Quantile(lat, 0.5), Quantile(lat, 0.99), Quantile(lat, 0.999)
}

// execute builds im for c, submits c's tasks and waits until they have
// finished. The caller closes the returned pool. A pool that does not
// finish within RunTimeout is left as it is.
func execute(c Case, im Impl, lp *latencies) (closer, error) {
	tr := newTracker(c.Tasks)
	pool, err := drive(c, im, tr, lp)
	if err != nil {
		if pool != nil {
			_ = pool.Close()
		}
		return nil, err
	}
	return pool, tr.wait(RunTimeout)
}

// drive builds im for c and submits c's tasks; it returns once every task
// has been handed over.
func drive(c Case, im Impl, tr *tracker, lp *latencies) (closer, error) {
	if c.Kind == Func {
		inv, err := NewInvoker(im, c.Cap, func(int) { tr.done() })
		if err != nil {
			return nil, err
		}
		for i := range c.Tasks {
			if err := inv.Invoke(i); err != nil {
				return inv, err
			}
		}
		return inv, nil
	}
	r, err := NewRunner(im, c)
	if err != nil {
		return nil, err
	}
	switch c.Kind {
	case Sleep:
		err = submitAll(r, c.Tasks, c.Submitters, func() { time.Sleep(SleepTask); tr.done() })
	case Tiny:
		err = submitAll(r, c.Tasks, c.Submitters, tr.done)
	case CPU:
		iters, _ := Spin()
		err = submitAll(r, c.Tasks, c.Submitters, func() { spinTask(iters); tr.done() })
	case Latency:
		err = pace(r, c, tr, lp)
	case SubmitWait:
		err = submitTimed(r, c, lp.lat, fairTasks(c, tr))
	default:
		err = fmt.Errorf("unknown kind %d", c.Kind)
	}
	return r, err
}

// submitAll submits n copies of task from s goroutines.
func submitAll(r Runner, n, s int, task func()) error {
	if s <= 1 {
		for range n {
			if err := r.Submit(task); err != nil {
				return err
			}
		}
		return nil
	}
	errs := make(chan error, s)
	var wg sync.WaitGroup
	for i := range s {
		k := n / s
		if i < n%s {
			k++
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range k {
				if err := r.Submit(task); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs // nil when no submitter failed
}

// submitTimed submits c.Tasks tasks from c.Submitters goroutines, as
// submitAll does, and records in lat how long each Submit call took. Task
// k is tasks[k%len(tasks)].
func submitTimed(r Runner, c Case, lat []time.Duration, tasks []func()) error {
	errs := make(chan error, c.Submitters)
	var wg sync.WaitGroup
	lo := 0
	for i := range c.Submitters {
		k := c.Tasks / c.Submitters
		if i < c.Tasks%c.Submitters {
			k++
		}
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			for j := lo; j < hi; j++ {
				t := time.Now()
				err := r.Submit(tasks[j%len(tasks)])
				lat[j] = time.Since(t)
				if err != nil {
					errs <- err
					return
				}
			}
		}(lo, lo+k)
		lo += k
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// fairTasks returns the tasks of a SubmitWait case: tr.done alone for
// tiny tasks, otherwise a CPU spin of each length fairLengths gives, built
// once so that submitting them allocates nothing.
func fairTasks(c Case, tr *tracker) []func() {
	if c.TaskMax <= 0 {
		return []func(){tr.done}
	}
	iters, _ := Spin()
	lengths := fairLengths(c.TaskMin, c.TaskMax)
	tasks := make([]func(), len(lengths))
	for i, us := range lengths {
		rounds := iters * us
		tasks[i] = func() { spinTask(rounds); tr.done() }
	}
	return tasks
}

// fairLengths returns every whole number of CPUTask from lo to hi once, in
// an order that interleaves short and long ones: i × a stride coprime with
// their number, modulo it.
func fairLengths(lo, hi time.Duration) []int {
	first, n := int(lo/CPUTask), int((hi-lo)/CPUTask)+1
	stride := 1
	for s := n/2 + 1; s < n; s++ {
		if gcd(s, n) == 1 {
			stride = s
			break
		}
	}
	out := make([]int, n)
	for i := range out {
		out[i] = first + i*stride%n
	}
	return out
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// pace submits c.Tasks sleeping tasks, one every lp.interval: c.Load × the
// rate the workers can serve (c.Cap / the measured length of a LatencyTask
// sleep). When the pacer is late it submits every task that is due, so the
// offered load stays on schedule; as an idle Go runtime sleeps with about a
// millisecond of resolution, arrivals come in small bursts.
//
// A task's latency runs from its arrival to its start. The arrival is the
// task's scheduled time, or the pacer's last wake-up if that is later, so
// the pacer's oversleeping is not charged to the pool, but a Submit that
// blocks is, both for its own task and for the tasks that fall due behind
// it (no coordinated omission: a pool that blocks the submitter would
// otherwise hide its queue).
func pace(r Runner, c Case, tr *tracker, lp *latencies) error {
	start := time.Now()
	due := func(i int) time.Time { return start.Add(time.Duration(i) * lp.interval) }
	woke := start
	for i := 0; i < c.Tasks; {
		if d := time.Until(due(i)); d > 0 {
			time.Sleep(d)
			woke = time.Now()
		}
		for ; i < c.Tasks && !due(i).After(time.Now()); i++ {
			k, t0 := i, due(i)
			if t0.Before(woke) {
				t0 = woke
			}
			var submit *trace.Region
			if lp.tasks != nil {
				ctx, task := trace.NewTask(context.Background(), "submit→start")
				lp.tasks[k], submit = task, trace.StartRegion(ctx, "Submit")
			}
			err := r.Submit(func() {
				t1 := time.Now()
				if lp.tasks != nil {
					lp.tasks[k].End()
				}
				lp.lat[k] = t1.Sub(t0)
				time.Sleep(LatencyTask)
				lp.busy.Add(int64(time.Since(t1)))
				tr.done()
			})
			if submit != nil {
				submit.End()
			}
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// tracker counts finished tasks and closes all when the last one is done.
type tracker struct {
	n    atomic.Int64
	want int64
	all  chan struct{}
}

func newTracker(want int) *tracker {
	t := &tracker{want: int64(want), all: make(chan struct{})}
	if want <= 0 {
		close(t.all)
	}
	return t
}

// done is the tiny task of W2, W3 and W5: one atomic add.
func (t *tracker) done() {
	if t.n.Add(1) == t.want {
		close(t.all)
	}
}

func (t *tracker) wait(timeout time.Duration) error {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case <-t.all:
		return nil
	case <-timer.C:
		return fmt.Errorf("timed out after %v: %d of %d tasks finished", timeout, t.n.Load(), t.want)
	}
}
