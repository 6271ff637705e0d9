package benchmarks

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/alitto/pond/v2"
	"github.com/antsgo/ants"
)

// The URG workload: urgent work behind bulk work (cmd/urgent). A pool of
// UrgentCap workers is kept saturated by UrgentBulkers goroutines that
// submit bulk tasks in a loop, each holding a worker for a time.Sleep of
// BulkTask; meanwhile one urgent task arrives every UrgentEvery, and each
// urgent task's wait is timed from its arrival to its start.
//
// The bulk tasks sleep rather than spin: a pool of 8 busy with 1 ms CPU
// spins on a 2-core host would measure how the Go scheduler shares two
// cores among eight spinning goroutines (and how much the other tenants
// of the host take), not which task the pool starts next. Sleeping tasks
// are also what a pool of 8 mostly runs in practice (calls to a database
// or another service), and they leave the cores idle, so a slot that
// frees is taken up within microseconds and the wait measured is the
// pool's.
const (
	UrgentCap      = 8                     // the pool's capacity
	UrgentBulkers  = 8                     // goroutines flooding bulk tasks
	BulkTask       = time.Millisecond      // time.Sleep of a bulk task, and of an urgent one
	UrgentEvery    = 10 * time.Millisecond // between urgent arrivals
	UrgentLimit    = 2                     // the urgent sub-pool's limit
	UrgentPriority = 10                    // the urgent sub-pool's priority (the pool's is 0)
	UrgentQueue    = 64                    // bulk tasks a pool queues in the queued case
)

// UrgentCase is one configuration of URG.
type UrgentCase struct {
	Name  string // "URG/blocking", "URG/queue=64"
	Title string
	// Queue is the number of bulk tasks the pool accepts beyond its
	// capacity; 0 means none, so the backlog is the bulk submitters
	// blocked in Submit.
	Queue int
	// Urgent is the number of urgent tasks, one every UrgentEvery.
	Urgent int
}

// UrgentCases returns the URG cases with 300 urgent tasks (3 s of arrivals)
// times scale, at least 10.
func UrgentCases(scale float64) []UrgentCase {
	n := max(int(math.Round(300*scale)), 10)
	return []UrgentCase{
		{Name: "URG/blocking", Urgent: n,
			Title: fmt.Sprintf("no queue: the backlog is the %d bulk submitters blocked in Submit", UrgentBulkers)},
		{Name: fmt.Sprintf("URG/queue=%d", UrgentQueue), Queue: UrgentQueue, Urgent: n,
			Title: fmt.Sprintf("a queue of %d bulk tasks, full, and the bulk submitters blocked behind it", UrgentQueue)},
	}
}

// SelectUrgentCases keeps the cases named in the comma-separated list,
// with or without the "URG/" prefix; an empty list keeps all.
func SelectUrgentCases(cs []UrgentCase, list string) ([]UrgentCase, error) {
	if strings.TrimSpace(list) == "" {
		return cs, nil
	}
	var out []UrgentCase
	for _, w := range strings.Split(list, ",") {
		w = strings.TrimPrefix(strings.TrimSpace(w), "URG/")
		i := -1
		for j, c := range cs {
			if strings.EqualFold(strings.TrimPrefix(c.Name, "URG/"), w) {
				i = j
			}
		}
		if i < 0 {
			return nil, fmt.Errorf("unknown URG case %q; known: blocking, queue=%d", w, UrgentQueue)
		}
		out = append(out, cs[i])
	}
	return out, nil
}

// UrgentImpl is an implementation under URG: where its bulk and its
// urgent tasks go.
type UrgentImpl struct {
	Name string
	Note string
	// Queues says whether the implementation can queue bulk tasks, that is
	// run the cases with a Queue.
	Queues bool
	// New builds a pool of capacity size, with a queue of queue tasks if
	// queue > 0, and returns the runner of the bulk tasks and that of the
	// urgent ones. Closing urgent never closes bulk.
	New func(size, queue int) (bulk, urgent Runner, err error)
}

// UrgentImpls returns the implementations URG compares: this library with
// an urgent sub-pool and without one, ants v2 (which has neither sub-pools
// nor priorities), and pond v2 with an urgent sub-pool (which has no
// priorities).
func UrgentImpls() []UrgentImpl {
	return []UrgentImpl{
		{Name: "antsgo-sub", Queues: true, New: newAntsgoLanes,
			Note: fmt.Sprintf("this library, NewPool(size) (with WithQueueSize(queue) if queued); urgent tasks through "+
				"NewSubpool(%d, WithPriority(%d))", UrgentLimit, UrgentPriority)},
		{Name: "antsgo", Queues: true, New: sharedLane(func(size, queue int) (Runner, error) { return newAntsgo(antsgoQueue(queue)...)(size) }),
			Note: "this library, the same pool; urgent tasks submitted to it like the bulk ones"},
		{Name: "ants", New: sharedLane(func(size, _ int) (Runner, error) { return newAnts2(size) }),
			Note: "github.com/panjf2000/ants/v2 v2.12.1, NewPool(size); urgent tasks like the bulk ones (no queue, no sub-pools, no priorities)"},
		{Name: "pond-sub", Queues: true, New: newPondLanes,
			Note: fmt.Sprintf("github.com/alitto/pond/v2 v2.7.1, NewPool(size, WithQueueSize(queue)), where a queue of 0 means none "+
				"(Go blocks until a worker takes the task, as in ants); urgent tasks through NewSubpool(%d), which has no priority", UrgentLimit)},
	}
}

// SelectUrgentImpls returns the implementations named in the
// comma-separated list, in the order of UrgentImpls; empty means all.
func SelectUrgentImpls(list string) ([]UrgentImpl, error) {
	all := UrgentImpls()
	if strings.TrimSpace(list) == "" {
		return all, nil
	}
	return selectNamed(all, func(im UrgentImpl) string { return im.Name }, list)
}

// Supports reports whether im runs c: the queued cases need a queue.
func (im UrgentImpl) Supports(c UrgentCase) bool { return c.Queue == 0 || im.Queues }

func antsgoQueue(queue int) []ants.Option {
	if queue > 0 {
		return []ants.Option{ants.WithQueueSize(queue)}
	}
	return nil
}

// sharedLane sends the urgent tasks to the bulk pool itself.
func sharedLane(build func(size, queue int) (Runner, error)) func(size, queue int) (Runner, Runner, error) {
	return func(size, queue int) (Runner, Runner, error) {
		r, err := build(size, queue)
		return r, unclosed{r}, err
	}
}

// unclosed is a runner whose Close leaves the runner to its owner.
type unclosed struct{ Runner }

func (unclosed) Close() error { return nil }

func newPondLanes(size, queue int) (bulk, urgent Runner, err error) {
	p := pond.NewPool(size, pond.WithQueueSize(queue))
	return pondPool{p}, pondPool{p.NewSubpool(UrgentLimit)}, nil
}

// UrgentMeasurement is the outcome of one run of a URG case.
type UrgentMeasurement struct {
	// P50, P99 and Worst are the urgent tasks' waits, from arrival to
	// start: the median, the 99th percentile and the longest.
	P50, P99, Worst time.Duration
	// BulkRate is the bulk tasks started per second while the urgent ones
	// arrived.
	BulkRate float64
	// BulkTask is the mean measured length of a bulk task.
	BulkTask time.Duration
	// SlotsBusy is the time held by the tasks that started while the
	// urgent ones arrived, bulk and urgent, over the capacity's time in
	// that span: about 1 when the pool is kept saturated.
	SlotsBusy float64
}

// RunUrgent runs c once on im: it starts the flood of bulk tasks, waits
// until the pool is saturated, paces the urgent tasks, then stops the flood
// and waits for every task.
//
// An urgent task arrives at its scheduled time, or when the pacer wakes up
// if that is later, so the pacer's oversleeping is not charged to the
// pool; an urgent Submit that blocks past the next arrival is charged for
// that one too (no coordinated omission), as in the LAT cases.
func RunUrgent(c UrgentCase, im UrgentImpl) (UrgentMeasurement, error) {
	var m UrgentMeasurement
	if !im.Supports(c) {
		return m, fmt.Errorf("%s on %s: no queue", c.Name, im.Name)
	}
	runtime.GC()
	bulk, urgent, err := im.New(UrgentCap, c.Queue)
	if err != nil {
		return m, fmt.Errorf("%s on %s: %w", c.Name, im.Name, err)
	}
	f := newFlood(bulk)
	lat := make([]time.Duration, c.Urgent)
	var urgentBusy atomic.Int64

	err = f.saturate(UrgentCap)
	start := time.Now().Add(UrgentEvery)
	woke := start
	var n0 int64
	var t0 time.Time
	for i := 0; i < c.Urgent && err == nil; i++ {
		due := start.Add(time.Duration(i) * UrgentEvery)
		if d := time.Until(due); d > 0 {
			time.Sleep(d)
			woke = time.Now()
		}
		if i == 0 {
			f.window.Store(true)
			n0, t0 = f.started.Load(), time.Now()
		}
		k, arrival := i, due
		if arrival.Before(woke) {
			arrival = woke
		}
		f.pending.Add(1)
		err = urgent.Submit(func() {
			t := time.Now()
			lat[k] = t.Sub(arrival)
			time.Sleep(BulkTask)
			urgentBusy.Add(int64(time.Since(t)))
			f.pending.Done()
		})
		if err != nil {
			f.pending.Done()
		}
	}
	if d := time.Until(start.Add(time.Duration(c.Urgent) * UrgentEvery)); d > 0 && err == nil {
		time.Sleep(d) // the window ends one interval after the last arrival
	}
	n1, t1 := f.started.Load(), time.Now()
	f.window.Store(false)
	err = errors.Join(err, f.stop(RunTimeout), urgent.Close(), bulk.Close())
	if err != nil {
		return m, fmt.Errorf("%s on %s: %w", c.Name, im.Name, err)
	}

	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	m.P50, m.P99, m.Worst = Quantile(lat, 0.5), Quantile(lat, 0.99), lat[len(lat)-1]
	window := t1.Sub(t0).Seconds()
	m.BulkRate = float64(n1-n0) / window
	if done := f.done.Load(); done > 0 {
		m.BulkTask = time.Duration(f.busy.Load() / done)
	}
	held := time.Duration(f.inWindow.Load() + urgentBusy.Load())
	m.SlotsBusy = held.Seconds() / (float64(UrgentCap) * window)
	return m, nil
}

// saturateWithin bounds the warm-up of a URG run; at full speed it takes
// about 4 bulk tasks.
const saturateWithin = 5 * time.Second

// flood is UrgentBulkers goroutines submitting bulk tasks to one runner
// until stopped.
type flood struct {
	r        Runner
	halt     atomic.Bool
	started  atomic.Int64 // bulk tasks started
	done     atomic.Int64 // bulk tasks finished
	busy     atomic.Int64 // ns the finished bulk tasks held a worker
	window   atomic.Bool  // the urgent tasks are arriving
	inWindow atomic.Int64 // ns held by the bulk tasks started while window was set
	pending  sync.WaitGroup
	senders  sync.WaitGroup
	errs     chan error
	bulkTask func()
}

func newFlood(r Runner) *flood {
	f := &flood{r: r, errs: make(chan error, UrgentBulkers)}
	f.bulkTask = func() {
		t, counted := time.Now(), f.window.Load()
		f.started.Add(1)
		time.Sleep(BulkTask)
		d := int64(time.Since(t))
		f.busy.Add(d)
		if counted {
			f.inWindow.Add(d)
		}
		f.done.Add(1)
		f.pending.Done()
	}
	for range UrgentBulkers {
		f.senders.Add(1)
		go func() {
			defer f.senders.Done()
			for !f.halt.Load() {
				f.pending.Add(1)
				if err := f.r.Submit(f.bulkTask); err != nil {
					f.pending.Done()
					f.errs <- err
					return
				}
			}
		}()
	}
	return f
}

// saturate waits until 4 × size bulk tasks have started, so every worker
// has run some and the backlog has formed, or fails after saturateWithin.
func (f *flood) saturate(size int) error {
	deadline := time.Now().Add(saturateWithin)
	for f.started.Load() < int64(4*size) {
		if time.Now().After(deadline) {
			return fmt.Errorf("the bulk tasks did not saturate the pool: %d started in %v", f.started.Load(), saturateWithin)
		}
		time.Sleep(BulkTask)
	}
	return nil
}

// stop ends the flood and waits for every submitted task to finish, or
// fails after timeout.
func (f *flood) stop(timeout time.Duration) error {
	f.halt.Store(true)
	f.senders.Wait()
	close(f.errs)
	err := <-f.errs
	all := make(chan struct{})
	go func() { f.pending.Wait(); close(all) }()
	select {
	case <-all:
		return err
	case <-time.After(timeout):
		return errors.Join(err, fmt.Errorf("tasks still running %v after the flood stopped", timeout))
	}
}
