package benchmarks

import (
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/antsgo/ants"
)

// Scenario is one run of a pool in front of a Backend: Submitters
// goroutines submit calls to the backend as fast as the pool admits them,
// for Duration, while K changes as Changes say.
type Scenario struct {
	Name       string
	K          int           // the backend's slots at the start
	Hold       time.Duration // how long a call holds a slot
	Duration   time.Duration
	Changes    []KChange
	Submitters int
	Bucket     time.Duration // the resolution of the trace
	NewPool    func() (*ants.Pool, error)
}

// KChange sets the backend's slots to K at offset At of a run.
type KChange struct {
	At time.Duration
	K  int
}

// Trace is what a scenario recorded: per bucket of time, the pool's
// capacity and the backend's K at the end of the bucket and the calls that
// finished in it; and the time of every call.
type Trace struct {
	Name     string
	Bucket   time.Duration
	Capacity []int
	K        []int
	Done     []int
	calls    []call
}

// call is one task, as offsets from the start of the run: when it was
// submitted, when it started and when it ended.
type call struct{ submitted, start, end time.Duration }

// Outcome sums up a trace over an interval.
type Outcome struct {
	Throughput float64       // calls per second that ended in the interval
	P99Run     time.Duration // p99 of the run time (start to end) of those calls
	P99Total   time.Duration // p99 of Submit to end, the wait for a slot included
	Capacity   float64       // mean capacity over the interval's buckets
}

// RunScenario runs s once.
func RunScenario(s Scenario) (*Trace, error) {
	b := NewBackend(s.K, s.Hold)
	pool, err := s.NewPool()
	if err != nil {
		return nil, err
	}
	tr := &Trace{Name: s.Name, Bucket: s.Bucket}
	var mu sync.Mutex
	start := time.Now()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range s.Submitters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				submitted := time.Since(start)
				err := pool.Submit(func() {
					begun := time.Since(start)
					b.Call()
					c := call{submitted, begun, time.Since(start)}
					mu.Lock()
					tr.calls = append(tr.calls, c)
					mu.Unlock()
				})
				if err != nil {
					return // the pool was released
				}
			}
		}()
	}
	changes := s.Changes
	ticker := time.NewTicker(s.Bucket)
	for now := time.Since(start); now < s.Duration; now = time.Since(start) {
		<-ticker.C
		for len(changes) > 0 && time.Since(start) >= changes[0].At {
			b.SetK(changes[0].K)
			changes = changes[1:]
		}
		tr.Capacity = append(tr.Capacity, pool.Cap())
		tr.K = append(tr.K, b.K())
	}
	ticker.Stop()
	close(stop)
	err = pool.ReleaseTimeout(closeTimeout)
	wg.Wait()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.Name, err)
	}
	tr.Done = make([]int, len(tr.Capacity))
	for _, c := range tr.calls {
		if i := int(c.end / s.Bucket); i < len(tr.Done) {
			tr.Done[i]++
		}
	}
	return tr, nil
}

// Over sums up the calls that ended in [from, to).
func (tr *Trace) Over(from, to time.Duration) Outcome {
	var run, total []time.Duration
	for _, c := range tr.calls {
		if c.end >= from && c.end < to {
			run = append(run, c.end-c.start)
			total = append(total, c.end-c.submitted)
		}
	}
	o := Outcome{Throughput: float64(len(run)) / (to - from).Seconds()}
	sort.Slice(run, func(i, j int) bool { return run[i] < run[j] })
	sort.Slice(total, func(i, j int) bool { return total[i] < total[j] })
	o.P99Run, o.P99Total = Quantile(run, 0.99), Quantile(total, 0.99)
	n := 0
	for i := int(from / tr.Bucket); i < len(tr.Capacity) && time.Duration(i)*tr.Bucket < to; i++ {
		o.Capacity += float64(tr.Capacity[i])
		n++
	}
	if n > 0 {
		o.Capacity /= float64(n)
	}
	return o
}

// Rate returns the throughput of bucket i in calls per second.
func (tr *Trace) Rate(i int) float64 { return float64(tr.Done[i]) / tr.Bucket.Seconds() }

// Settled returns how long after from the trace takes to settle: the
// earliest bucket boundary t such that the calls that end in [t, to) have
// a throughput of at least minRate and a p99 run time of at most maxP99,
// and so does every later boundary up to the last second before to. A
// single slow bucket (the host paused the process) does not unsettle a
// run; a slow stretch does. It returns an error if the trace never
// settles.
func (tr *Trace) Settled(from, to time.Duration, minRate float64, maxP99 time.Duration) (time.Duration, error) {
	first, last := int(from/tr.Bucket), min(int(to/tr.Bucket), len(tr.Done))
	tail := max(last-int(time.Second/tr.Bucket), first)
	settled := -1
	for i := tail; i >= first; i-- {
		o := tr.Over(time.Duration(i)*tr.Bucket, to)
		if o.Throughput < minRate || o.P99Run > maxP99 {
			break
		}
		settled = i
	}
	if settled < 0 {
		return 0, errors.New("never settled")
	}
	return time.Duration(settled)*tr.Bucket - from, nil
}

// Fixed is the outcome of a pool of one fixed capacity.
type Fixed struct {
	Capacity int
	Outcome
}

// Best picks the best fixed capacity of a sweep: of those within 2 % of
// the highest throughput, the one with the lowest p99 run time. The 2 %
// keep the noise of a shared machine from crowning a capacity that queues
// in the backend for no more throughput.
func Best(sweep []Fixed) Fixed {
	top := 0.0
	for _, f := range sweep {
		top = max(top, f.Throughput)
	}
	var best Fixed
	for _, f := range sweep {
		if f.Throughput >= 0.98*top && (best.Capacity == 0 || f.P99Run < best.P99Run) {
			best = f
		}
	}
	return best
}

// NewAntsgo builds an antsgo Pool of size with opts, as a Runner.
func NewAntsgo(size int, opts ...ants.Option) (Runner, error) { return newAntsgo(opts...)(size) }

// NewAntsgoFunc builds an antsgo PoolWithFuncGeneric of size running fn
// with opts, as an Invoker.
func NewAntsgoFunc(size int, fn func(int), opts ...ants.Option) (Invoker, error) {
	return newAntsgoFunc(opts...)(size, fn)
}
