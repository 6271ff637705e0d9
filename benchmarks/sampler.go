package benchmarks

import (
	"runtime/metrics"
	"time"
)

// sampler records the peak heap-object and stack memory of the process.
type sampler struct {
	quit, done   chan struct{}
	heap, stacks uint64
}

var sampleNames = []string{"/memory/classes/heap/objects:bytes", "/memory/classes/heap/stacks:bytes"}

func startSampler(period time.Duration) *sampler {
	s := &sampler{quit: make(chan struct{}), done: make(chan struct{})}
	samples := make([]metrics.Sample, len(sampleNames))
	for i, n := range sampleNames {
		samples[i].Name = n
	}
	read := func() {
		metrics.Read(samples)
		for i, p := range []*uint64{&s.heap, &s.stacks} {
			if samples[i].Value.Kind() == metrics.KindUint64 {
				*p = max(*p, samples[i].Value.Uint64())
			}
		}
	}
	read()
	go func() {
		defer close(s.done)
		t := time.NewTicker(period)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				read()
			case <-s.quit:
				read()
				return
			}
		}
	}()
	return s
}

// stop ends the sampling and returns the peaks.
func (s *sampler) stop() (heap, stacks uint64) {
	close(s.quit)
	<-s.done
	return s.heap, s.stacks
}
