//go:build !ab_old

package benchmarks

import (
	"fmt"
	"math/rand"
	"runtime"
	"sort"
	"sync"
	"time"
)

// KeyedMeasurement is the outcome of one run of a keyed case.
type KeyedMeasurement struct {
	Wall          time.Duration // from the first Submit to the end of the last task
	CPU           time.Duration // CPU time of the process over the same span; 0 where unknown
	AllocsPerTask float64
	BytesPerTask  float64

	// KeyedUneven: arrival → start of the tasks, over all tasks and over
	// the tasks of the keys that are not slow.
	P50, P99, P999 time.Duration
	FastP99        time.Duration

	// KeyedIdle: heap bytes the implementation holds afterwards, per key.
	RetainedPerKey float64
}

// NsPerTask is the wall time per task.
func (m KeyedMeasurement) NsPerTask(c KeyedCase) float64 {
	return float64(m.Wall.Nanoseconds()) / float64(c.Tasks)
}

// CPUPerTask is the CPU time per task, or 0 where unknown.
func (m KeyedMeasurement) CPUPerTask(c KeyedCase) float64 {
	return float64(m.CPU.Nanoseconds()) / float64(c.Tasks)
}

// RunKeyed runs c once on im.
func RunKeyed(c KeyedCase, im KeyedImpl) (KeyedMeasurement, error) {
	var m KeyedMeasurement
	r, err := im.New(c.Cap)
	if err != nil {
		return m, err
	}
	tr := newTracker(c.Tasks)
	var lat []time.Duration
	var slow []bool
	runtime.GC()
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	cpu0, cpuOK := processCPU()
	start := time.Now()
	switch c.Kind {
	case KeyedTiny:
		err = keyedFlood(r, c, tr.done)
	case KeyedUneven:
		lat, slow, err = keyedPace(r, c, tr)
	case KeyedIdle:
		err = keyedDistinct(r, c, tr.done)
	}
	if err == nil {
		err = tr.wait(RunTimeout)
	}
	m.Wall = time.Since(start)
	if cpu, ok := processCPU(); ok && cpuOK {
		m.CPU = cpu - cpu0
	}
	runtime.ReadMemStats(&after)
	if err != nil {
		_ = r.Close()
		return m, fmt.Errorf("%s on %s: %w", c.Name, im.Name, err)
	}
	m.AllocsPerTask = float64(after.Mallocs-before.Mallocs) / float64(c.Tasks)
	m.BytesPerTask = float64(after.TotalAlloc-before.TotalAlloc) / float64(c.Tasks)
	if c.Kind == KeyedIdle {
		// Let the keyed fronts free their last records, then weigh what
		// is left while the implementation is still alive.
		time.Sleep(10 * time.Millisecond)
		for range 3 {
			runtime.GC()
		}
		runtime.ReadMemStats(&after)
		m.RetainedPerKey = (float64(after.HeapAlloc) - float64(before.HeapAlloc)) / float64(c.Keys)
	}
	if lat != nil {
		var fast []time.Duration
		for i, d := range lat {
			if !slow[i] {
				fast = append(fast, d)
			}
		}
		m.P50, m.P99, m.P999 = percentiles(lat)
		sort.Slice(fast, func(i, j int) bool { return fast[i] < fast[j] })
		m.FastP99 = Quantile(fast, 0.99)
	}
	runtime.KeepAlive(r)
	if err := r.Close(); err != nil {
		return m, fmt.Errorf("%s on %s: close: %w", c.Name, im.Name, err)
	}
	return m, nil
}

// keyedFlood submits c.Tasks copies of task from c.Submitters goroutines,
// each drawing its keys at random.
func keyedFlood(r KeyedRunner, c KeyedCase, task func()) error {
	return keyedSubmitters(c, func(s, n int) error {
		x := uint64(s)*0x9e3779b97f4a7c15 | 1
		for range n {
			x ^= x << 13
			x ^= x >> 7
			x ^= x << 17
			if err := r.Submit(int(x%uint64(c.Keys)), task); err != nil {
				return err
			}
		}
		return nil
	})
}

// keyedDistinct submits one task for each of c.Keys keys.
func keyedDistinct(r KeyedRunner, c KeyedCase, task func()) error {
	next := 0
	var mu sync.Mutex
	return keyedSubmitters(c, func(_, n int) error {
		for range n {
			mu.Lock()
			key := next
			next++
			mu.Unlock()
			if err := r.Submit(key, task); err != nil {
				return err
			}
		}
		return nil
	})
}

// keyedSubmitters runs submit(s, n) in c.Submitters goroutines that share
// c.Tasks between them, and returns the first error.
func keyedSubmitters(c KeyedCase, submit func(s, n int) error) error {
	errs := make(chan error, c.Submitters)
	var wg sync.WaitGroup
	for s := range c.Submitters {
		n := c.Tasks / c.Submitters
		if s < c.Tasks%c.Submitters {
			n++
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := submit(s, n); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// keyedPace submits c.Tasks sleeping tasks over c.Keys random keys at a
// steady pace, UnevenLoad of what c.Cap workers can serve, and records each
// task's wait from its arrival (its scheduled time, or the pacer's wake-up
// if later, as in pace) to its start. A Submit that blocks delays the
// arrivals behind it, and their waits count from their scheduled times.
func keyedPace(r KeyedRunner, c KeyedCase, tr *tracker) ([]time.Duration, []bool, error) {
	mean := float64(UnevenTask) * (0.99 + 0.01*UnevenSlow)
	interval := time.Duration(mean / (UnevenLoad * float64(c.Cap)))
	lat := make([]time.Duration, c.Tasks)
	slow := make([]bool, c.Tasks)
	rng := rand.New(rand.NewSource(1))
	start := time.Now()
	woke := start
	due := func(i int) time.Time { return start.Add(time.Duration(i) * interval) }
	for i := 0; i < c.Tasks; {
		if d := time.Until(due(i)); d > 0 {
			time.Sleep(d)
			woke = time.Now()
		}
		for ; i < c.Tasks && !due(i).After(time.Now()); i++ {
			k, key := i, rng.Intn(c.Keys)
			t0 := due(i)
			if t0.Before(woke) {
				t0 = woke
			}
			d := UnevenTask
			if key%UnevenSlow == 0 {
				d, slow[k] = UnevenTask*UnevenSlow, true
			}
			err := r.Submit(key, func() {
				lat[k] = time.Since(t0)
				time.Sleep(d)
				tr.done()
			})
			if err != nil {
				return nil, nil, err
			}
		}
	}
	return lat, slow, nil
}
