package benchmarks

import (
	"runtime"
	"testing"
)

// The benchmarks in this file measure the two costs that bound W4 on a
// given machine (see "What the floors say" in README.md): a switch between
// two goroutines, and a cache line moving between two cores. They compare
// nothing; run them with -cpu 2 next to a W4 result:
//
//	go test -run '^$' -bench 'Cost' -cpu 2 .

// BenchmarkCostSwitch passes a token back and forth between two goroutines
// over unbuffered channels: one op is a round trip, two park/ready
// switches.
func BenchmarkCostSwitch(b *testing.B) {
	ping, pong := make(chan struct{}), make(chan struct{})
	go func() {
		for range ping {
			pong <- struct{}{}
		}
		close(pong)
	}()
	for range b.N {
		ping <- struct{}{}
		<-pong
	}
	close(ping)
	<-pong
}

// BenchmarkCostLineTransfer bounces one cache line between two cores (see
// LineRoundTrip): one op is a round trip.
func BenchmarkCostLineTransfer(b *testing.B) {
	if runtime.GOMAXPROCS(0) < 2 {
		b.Skip("needs two processors")
	}
	LineRoundTrip(b.N)
}
