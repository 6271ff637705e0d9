package ants

import (
	"runtime"
	"sync"
	"testing"
	"time"
)

// The watchdog and the running totals of the model checker.

// relWatchdog fails a run whose call does not return in time.
type relWatchdog struct {
	c    *relChecker
	f    relFace
	hung chan struct{}
	once sync.Once
}

// call runs fn and reports a hang if it has not returned after limit.
func (w *relWatchdog) call(desc string, limit time.Duration, fn func()) {
	timer := time.AfterFunc(limit, func() {
		w.once.Do(func() {
			w.c.fail(relErrHang, "%s blocked for %v; pool: Running=%d Waiting=%d Stats=%+v; goroutines:\n%s",
				desc, limit, w.f.Running(), w.f.Waiting(), w.f.Stats(), relStacks())
			close(w.hung)
		})
	})
	fn()
	timer.Stop()
}

// relStacks returns the stacks of all goroutines.
func relStacks() string {
	buf := make([]byte, 1<<16)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return string(buf[:n])
		}
		buf = make([]byte, 2*len(buf))
	}
}

// relTotals counts what the checker has exercised, for the logs of the
// model and soak tests.
var relTotals struct {
	sync.Mutex
	plans, ops, tasks, accepted, ran, peakSum int64
}

// relTotalsRecord adds a finished plan to relTotals.
func relTotalsRecord(plan relPlan, tasks int, accepted, ran int64, peak int) {
	relTotals.Lock()
	defer relTotals.Unlock()
	relTotals.plans++
	for _, ops := range plan.actors {
		relTotals.ops += int64(len(ops))
	}
	relTotals.tasks += int64(tasks)
	relTotals.accepted += accepted
	relTotals.ran += ran
	relTotals.peakSum += int64(peak)
}

// relTotalsLog logs what was exercised since snapshot s was taken.
func relTotalsLog(t testing.TB, s [6]int64) {
	relTotals.Lock()
	defer relTotals.Unlock()
	t.Logf("%d plans, %d operations, %d tasks submitted, %d accepted, %d runs, mean peak concurrency %.1f",
		relTotals.plans-s[0], relTotals.ops-s[1], relTotals.tasks-s[2], relTotals.accepted-s[3], relTotals.ran-s[4],
		float64(relTotals.peakSum-s[5])/float64(max(relTotals.plans-s[0], 1)))
}

// relTotalsSnapshot returns relTotals, for relTotalsLog.
func relTotalsSnapshot() [6]int64 {
	relTotals.Lock()
	defer relTotals.Unlock()
	return [6]int64{relTotals.plans, relTotals.ops, relTotals.tasks, relTotals.accepted, relTotals.ran, relTotals.peakSum}
}
