package benchmarks

import (
	"bytes"
	"encoding/xml"
	"io"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/antsgo/ants"
)

func TestBackendHoldsAtMostKSlots(t *testing.T) {
	b := NewBackend(3, 200*time.Microsecond)
	peak := 0
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i == 20 {
				b.SetK(5)
			}
			b.Call()
		}()
	}
	// Call reports nothing, so the test watches the backend's own count.
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case <-done:
			if got := b.K(); got != 5 {
				t.Errorf("K() after SetK(5): got %d; want 5", got)
			}
			if p := peak; p > 5 {
				t.Errorf("slots held at once: got %d; want at most 5", p)
			}
			b.mu.Lock()
			defer b.mu.Unlock()
			if b.busy != 0 || b.inside != 0 || len(b.queue) != 0 {
				t.Errorf("after every call: busy %d, inside %d, queued %d; want 0, 0, 0", b.busy, b.inside, len(b.queue))
			}
			return
		case <-deadline:
			t.Fatal("the calls did not finish within 30s")
		default:
			b.mu.Lock()
			peak = max(peak, b.busy)
			b.mu.Unlock()
			runtime.Gosched()
		}
	}
}

func TestBackendLosesThroughputBeyondTwiceK(t *testing.T) {
	b := NewBackend(2, time.Millisecond)
	b.inside = 4
	if got := b.holdTime(); got != time.Millisecond {
		t.Errorf("hold at 2K inside: got %v; want 1ms", got)
	}
	b.inside = 8
	if got := b.holdTime(); got != 2*time.Millisecond {
		t.Errorf("hold at 4K inside: got %v; want 2ms", got)
	}
}

func TestScenarioAndChart(t *testing.T) {
	tr, err := RunScenario(Scenario{
		Name: "tiny", K: 4, Hold: 100 * time.Microsecond, Duration: 300 * time.Millisecond,
		Changes: []KChange{{At: 150 * time.Millisecond, K: 8}}, Submitters: 2, Bucket: 50 * time.Millisecond,
		NewPool: func() (*ants.Pool, error) {
			return ants.NewPool(0, ants.WithAdaptiveCapacity(ants.Adaptive{Max: 16}))
		},
	})
	if err != nil {
		t.Fatalf("RunScenario: got %v; want nil", err)
	}
	if len(tr.Capacity) == 0 || len(tr.K) != len(tr.Capacity) || len(tr.Done) != len(tr.Capacity) {
		t.Fatalf("trace lengths: capacity %d, K %d, done %d; want equal and positive", len(tr.Capacity), len(tr.K), len(tr.Done))
	}
	if got := tr.K[len(tr.K)-1]; got != 8 {
		t.Errorf("K at the end: got %d; want 8", got)
	}
	for i, c := range tr.Capacity {
		if c < 1 || c > 16 {
			t.Errorf("capacity in bucket %d: got %d; want it within [1, 16]", i, c)
		}
	}
	o := tr.Over(0, 300*time.Millisecond)
	if o.Throughput <= 0 || o.P99Run < 100*time.Microsecond || o.P99Total < o.P99Run {
		t.Errorf("Over: got %+v; want calls, a p99 run time of at least the hold, and a total at least the run time", o)
	}
	var buf bytes.Buffer
	if err := WriteAdaptiveSVG(&buf, "title", "sub", []*Trace{tr}, func(int) float64 { return 1000 }); err != nil {
		t.Fatalf("WriteAdaptiveSVG: got %v; want nil", err)
	}
	dec := xml.NewDecoder(&buf)
	for {
		if _, err := dec.Token(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("the chart is not well-formed XML: %v", err)
		}
	}
}

func TestBestPrefersTheLowerLatencyAmongTheFastest(t *testing.T) {
	sweep := []Fixed{
		{Capacity: 32, Outcome: Outcome{Throughput: 900, P99Run: time.Millisecond}},
		{Capacity: 64, Outcome: Outcome{Throughput: 1000, P99Run: 2 * time.Millisecond}},
		{Capacity: 72, Outcome: Outcome{Throughput: 1010, P99Run: 3 * time.Millisecond}},
	}
	if got := Best(sweep).Capacity; got != 64 {
		t.Errorf("Best: got capacity %d; want 64", got)
	}
}

func TestSettled(t *testing.T) {
	// No call in the first 200ms, then one per millisecond for 1.8s.
	tr := &Trace{Bucket: 100 * time.Millisecond, Capacity: make([]int, 20), K: make([]int, 20), Done: make([]int, 20)}
	for i := range 1800 {
		end := 200*time.Millisecond + time.Duration(i)*time.Millisecond
		tr.calls = append(tr.calls, call{submitted: end - time.Millisecond, start: end - time.Millisecond, end: end})
	}
	if got, err := tr.Settled(0, 2*time.Second, 990, 2*time.Millisecond); err != nil || got != 200*time.Millisecond {
		t.Errorf("Settled: got %v, %v; want 200ms, nil", got, err)
	}
	if _, err := tr.Settled(0, 2*time.Second, 2000, time.Second); err == nil {
		t.Error("Settled at a rate never reached: got nil; want an error")
	}
}
