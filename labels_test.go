package ants

import (
	"bytes"
	"context"
	"runtime/pprof"
	"strings"
	"testing"
)

// labelsNow returns the profiler labels of the calling goroutine, read from
// the goroutine profile: the record whose stack holds labelsProbe is the
// caller's own.
func labelsNow(t *testing.T) string {
	return labelsProbe(t)
}

//go:noinline
func labelsProbe(t *testing.T) string {
	var buf bytes.Buffer
	if err := pprof.Lookup("goroutine").WriteTo(&buf, 1); err != nil {
		t.Errorf("goroutine profile: %v", err)
		return ""
	}
	for _, rec := range strings.Split(buf.String(), "\n\n") {
		if !strings.Contains(rec, "ants.labelsProbe") {
			continue
		}
		for _, line := range strings.Split(rec, "\n") {
			if l, ok := strings.CutPrefix(line, "# labels: "); ok {
				return l
			}
		}
		return "" // no labels line: no labels
	}
	t.Error("the goroutine profile has no record of the probe")
	return ""
}

func TestTaskLabels(t *testing.T) {
	req := pprof.WithLabels(context.Background(), pprof.Labels("request", "42"))
	got := make(chan string, 1)
	probe := func() { got <- labelsNow(t) }

	t.Run("a task runs under its context's labels and the next under none", func(t *testing.T) {
		// The submitting goroutine has labels of its own, which the worker
		// it starts would inherit.
		pprof.SetGoroutineLabels(pprof.WithLabels(context.Background(), pprof.Labels("submitter", "test")))
		defer pprof.SetGoroutineLabels(context.Background())
		p, _ := NewPool(1, WithTaskLabels(true), WithQueueSize(4))
		defer faceDrain(t, p)
		for _, step := range []struct {
			submit func() error
			want   string
		}{
			{func() error { return p.SubmitContext(req, probe) }, `{"request":"42"}`},
			{func() error { return p.Submit(probe) }, ``},
			{func() error { return p.SubmitContext(context.Background(), probe) }, ``},
			{func() error { return p.SubmitContext(req, probe) }, `{"request":"42"}`},
		} {
			if err := step.submit(); err != nil {
				t.Fatal(err)
			}
			if l := faceRecv(t, got, "the probe"); l != step.want {
				t.Fatalf("labels inside the task: got %q; want %q", l, step.want)
			}
		}
	})
	t.Run("function pools and sub-pools carry the labels too", func(t *testing.T) {
		g, _ := NewPoolWithFuncGeneric(2, func(func()) { got <- labelsNow(t) }, WithTaskLabels(true))
		defer faceDrain(t, g)
		if err := g.InvokeContext(req, nil); err != nil {
			t.Fatal(err)
		}
		if l := faceRecv(t, got, "the probe"); l != `{"request":"42"}` {
			t.Fatalf("generic pool: got %q; want the request's labels", l)
		}
		p, _ := NewPool(2, WithTaskLabels(true))
		defer faceDrain(t, p)
		s, _ := p.NewSubpool(1, WithPriority(1))
		if err := s.SubmitContext(req, probe); err != nil {
			t.Fatal(err)
		}
		if l := faceRecv(t, got, "the probe"); l != `{"request":"42"}` {
			t.Fatalf("sub-pool: got %q; want the request's labels", l)
		}
	})
	t.Run("without the option a task does not take its context's labels", func(t *testing.T) {
		p, _ := NewPool(1)
		defer faceDrain(t, p)
		if err := p.SubmitContext(req, probe); err != nil {
			t.Fatal(err)
		}
		if l := faceRecv(t, got, "the probe"); strings.Contains(l, "request") {
			t.Fatalf("labels inside the task: got %q; want none of the request's", l)
		}
	})
}

// BenchmarkTaskLabels measures what WithTaskLabels costs per task: a
// SubmitContext of an empty task on a pool with and without the option
// (run with -cpu 2 and compare the two).
func BenchmarkTaskLabels(b *testing.B) {
	ctx := pprof.WithLabels(context.Background(), pprof.Labels("request", "42"))
	for _, on := range []bool{false, true} {
		name := "off"
		if on {
			name = "on"
		}
		b.Run(name, func(b *testing.B) {
			p, _ := NewPool(8, WithTaskLabels(on))
			defer p.Release()
			noop := func() {}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if err := p.SubmitContext(ctx, noop); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
