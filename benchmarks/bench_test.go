package benchmarks

import (
	"testing"
	"time"
)

// BenchmarkCompare runs every case on every implementation with b.N tasks
// per run, so ns/op, B/op and allocs/op are per task. Names have the form
// W2/cap=8/impl=antsgo; the impl= key lets benchstat put implementations in
// columns (benchstat -col /impl). For interleaved samples run the test
// binary several times with -count 1 rather than once with -count N, which
// repeats each benchmark back to back (see README.md).
//
// W1 also reports the sampled peak heap and stacks per run; W4 reports its
// efficiency, LAT its latency percentiles (its ns/op is set by the pacing),
// FAIR the percentiles and the max of its Submit calls.
func BenchmarkCompare(b *testing.B) {
	for _, c := range Cases(1) {
		for _, im := range DefaultImpls() {
			if !im.Supports(c) {
				continue
			}
			b.Run(c.Name+"/impl="+im.Name, func(b *testing.B) { benchCase(b, c, im) })
		}
	}
}

func benchCase(b *testing.B, c Case, im Impl) {
	c.Tasks = max(b.N, c.Submitters)
	lp := prepare(c)
	var s *sampler
	if c.Kind == Sleep {
		s = startSampler(5 * time.Millisecond)
	}
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	pool, err := execute(c, im, lp)
	wall := time.Since(start)
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	if err := pool.Close(); err != nil {
		b.Fatal(err)
	}
	switch c.Kind {
	case Sleep:
		heap, stacks := s.stop()
		b.ReportMetric(float64(heap), "peak-heap-B")
		b.ReportMetric(float64(stacks), "peak-stack-B")
	case CPU:
		b.ReportMetric(100*efficiency(c.Tasks, wall), "eff-%")
	case Latency, SubmitWait:
		p50, p99, p999 := percentiles(lp.lat)
		b.ReportMetric(float64(p50), "p50-ns")
		b.ReportMetric(float64(p99), "p99-ns")
		b.ReportMetric(float64(p999), "p99.9-ns")
		if c.Kind == Latency {
			b.ReportMetric(100*lp.utilisation(c), "util-%")
		} else {
			b.ReportMetric(float64(lp.lat[len(lp.lat)-1]), "max-ns")
		}
	}
}
