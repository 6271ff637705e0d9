package benchmarks

import (
	"bytes"
	"testing"
)

func TestRunTracedWritesTheTasksOfALatencyCase(t *testing.T) {
	if testing.Short() {
		t.Skip("paces a case")
	}
	var c Case
	for _, tc := range tinyCases() {
		if tc.Kind == Latency {
			c = tc
			break
		}
	}
	var b bytes.Buffer
	m, err := RunTraced(c, Impls()[0], &b)
	if err != nil {
		t.Fatal(err)
	}
	if m.P99 <= 0 {
		t.Errorf("p99 %v; want > 0", m.P99)
	}
	if !bytes.HasPrefix(b.Bytes(), []byte("go 1.")) {
		t.Errorf("the trace starts with %q; want a Go execution trace header", b.Bytes()[:min(b.Len(), 16)])
	}
	if !bytes.Contains(b.Bytes(), []byte("submit→start")) {
		t.Error("the trace has no task named submit→start")
	}
}
