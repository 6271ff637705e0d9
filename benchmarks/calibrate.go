package benchmarks

import (
	"errors"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Calibration holds the measurements of the host that size the tasks of W4
// and pace the LAT cases. A process measures them once, on first use; two
// processes that must run the same tasks (the two builds of an A/B run)
// share one Calibration through SetCalibration instead, so that neither
// measures its own.
type Calibration struct {
	SpinIters int           // rounds of the W4 busy loop per task
	SpinCost  time.Duration // measured CPU time of one W4 task
	Sleep     time.Duration // median length of time.Sleep(LatencyTask)
}

var (
	spinOnce  sync.Once
	spinIters int
	spinCost  time.Duration
	spinSink  atomic.Uint64

	sleepOnce sync.Once
	sleepDur  time.Duration
)

// Calibrate returns this process's calibration, measuring what has not
// been measured or set yet: about a quarter of a second the first time.
func Calibrate() Calibration {
	iters, cost := Spin()
	return Calibration{SpinIters: iters, SpinCost: cost, Sleep: sleepCost()}
}

// SetCalibration makes c the calibration of this process. It must come
// before the first run or Calibrate; afterwards it returns an error and
// changes nothing, as it also does for a c with a field not positive.
func SetCalibration(c Calibration) error {
	if c.SpinIters <= 0 || c.SpinCost <= 0 || c.Sleep <= 0 {
		return errors.New("calibration has a field not positive")
	}
	set := 0
	spinOnce.Do(func() { spinIters, spinCost = c.SpinIters, c.SpinCost; set++ })
	sleepOnce.Do(func() { sleepDur = c.Sleep; set++ })
	if set != 2 {
		return errors.New("calibration already measured or set")
	}
	return nil
}

// Spin returns the iteration count of the W4 busy loop, calibrated once so
// that a task takes about CPUTask, and the measured CPU time of one task
// (the fastest of several trials, to discount preemption on a noisy host).
func Spin() (iters int, cost time.Duration) {
	spinOnce.Do(func() {
		const probe = 1 << 16
		best := time.Duration(1<<63 - 1)
		for range 7 {
			t := time.Now()
			spinTask(probe)
			best = min(best, time.Since(t))
		}
		spinIters = max(int(float64(probe)*float64(CPUTask)/float64(best)), 1)
		best = time.Duration(1<<63 - 1)
		for range 7 {
			t := time.Now()
			for range 1000 {
				spinTask(spinIters)
			}
			best = min(best, time.Since(t)/1000)
		}
		spinCost = best
	})
	return spinIters, spinCost
}

// spinTask burns n rounds of xorshift. The state never becomes zero, but the
// compiler cannot know, so the loop is not removed.
func spinTask(n int) {
	x := uint64(n) | 1
	for range n {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	if x == 0 {
		spinSink.Add(1)
	}
}

// sleepCost returns the median length of time.Sleep(LatencyTask) on this
// host (timer slack makes it longer than asked), measured once.
func sleepCost() time.Duration {
	sleepOnce.Do(func() {
		d := make([]time.Duration, 21)
		for i := range d {
			t := time.Now()
			time.Sleep(LatencyTask)
			d[i] = time.Since(t)
		}
		sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
		sleepDur = d[len(d)/2]
	})
	return sleepDur
}
