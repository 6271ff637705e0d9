package benchmarks

import (
	"runtime"
	"sync/atomic"
	"time"
)

// LineRoundTrip measures how long one cache line takes to go from one
// core to another and back: two goroutines take turns adding one to a
// shared counter, each polling it without yielding until it is its turn,
// n turns each. It returns the mean time per round trip, or 0 with fewer
// than two processors, where the pair would take turns through the
// scheduler instead.
//
// On a shared virtual machine this cost changes with where the host puts
// the virtual CPUs, by 3× and more on the machine of the committed
// results, and the workloads that hand tiny tasks between cores follow it;
// cmd/compare probes it before every round and every sample, so a report
// says which state each sample ran in (see NearLine).
func LineRoundTrip(n int) time.Duration {
	if runtime.GOMAXPROCS(0) < 2 || n <= 0 {
		return 0
	}
	var turn atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range int64(n) {
			for turn.Load() != 2*i+1 {
			}
			turn.Add(1)
		}
	}()
	start := time.Now()
	for i := range int64(n) {
		for turn.Load() != 2*i {
		}
		turn.Add(1)
	}
	<-done
	return time.Since(start) / time.Duration(n)
}
