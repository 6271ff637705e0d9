package benchmarks

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"time"
)

// caseOf returns the first case of Cases(0.01) that keep accepts.
func caseOf(t *testing.T, keep func(Case) bool) Case {
	t.Helper()
	for _, c := range Cases(0.01) {
		if keep(c) {
			return c
		}
	}
	t.Fatal("no such case")
	return Case{}
}

func TestSummaryPairsCPUAndTheSinglePoolReference(t *testing.T) {
	mp := caseOf(t, func(c Case) bool { return c.Pools > 0 && c.Strategy == RoundRobin })
	w2 := caseOf(t, func(c Case) bool { return c.Name == mp.Ref })
	rep := &Report{Rounds: 2, Cases: []Case{w2, mp}, Impls: []Impl{{Name: "antsgo"}, {Name: Baseline}}}
	add := func(c Case, impl string, round int, wall time.Duration, cpu float64) {
		rep.Samples = append(rep.Samples, Sample{Case: c.Name, Impl: impl, Round: round, M: Measurement{Wall: wall, CPUPerTask: cpu}})
	}
	for r := range 2 {
		add(w2, "antsgo", r, 100*time.Millisecond, 200)
		add(w2, Baseline, r, 300*time.Millisecond, 400)
	}
	add(mp, "antsgo", 0, 150*time.Millisecond, 300) // ×1 pool 1.5, ×ants 0.5, CPU 0.5
	add(mp, Baseline, 0, 300*time.Millisecond, 600)
	add(mp, "antsgo", 1, 250*time.Millisecond, 0) // ×1 pool 2.5, ×ants 0.625, CPU not reported
	add(mp, Baseline, 1, 400*time.Millisecond, 600)

	rows := rep.Summary(mp)
	if len(rows) != 2 {
		t.Fatalf("got %d rows; want 2", len(rows))
	}
	ours := rows[0]
	for _, tc := range []struct {
		what      string
		got, want float64
	}{
		{"×ants", ours.Ratio, (0.5 + 0.625) / 2},
		{"×1 pool", ours.RefRatio, (1.5 + 2.5) / 2},
		{"CPU ×ants", ours.CPURatio, 0.5},
		{"CPU/task", ours.CPUPerTask, 300},
		{"ants ×1 pool", rows[1].RefRatio, (1 + 4.0/3) / 2},
	} {
		if math.Abs(tc.got-tc.want) > 1e-9 {
			t.Errorf("%s = %v; want %v", tc.what, tc.got, tc.want)
		}
	}
	if got := rep.Summary(w2)[0].RefRatio; !math.IsNaN(got) {
		t.Errorf("×1 pool of a case without Ref = %v; want NaN", got)
	}
}

func TestMarkdownShowsCPUAndTheTailOfLatency(t *testing.T) {
	rep := fakeReport()
	rep.Calibration = Calibration{SpinIters: 100, SpinCost: time.Microsecond, Sleep: 10100 * time.Microsecond}
	for i := range rep.Samples {
		rep.Samples[i].M.CPUPerTask = 250
		rep.Samples[i].M.Utilisation = 0.9 * 1.02
	}
	var b bytes.Buffer
	if err := WriteMarkdown(&b, rep); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	section := func(name string) string {
		s := out[strings.Index(out, "## "+name+":"):]
		return s[:strings.Index(s, "\n## ")]
	}
	lat := section("LAT/load=90")
	for _, want := range []string{"p99.9 ×ants", "CPU/task", "| 250ns | 1.00 |", "| 91.8% | 1.020 |", "(10.1ms)"} {
		if !strings.Contains(lat, want) {
			t.Errorf("the LAT/load=90 section lacks %q:\n%s", want, lat)
		}
	}
	w2 := section(caseOf(t, func(c Case) bool { return c.Workload == "W2" }).Name)
	if !strings.Contains(w2, "| CPU/task | CPU ×ants |") {
		t.Errorf("the W2 section has no CPU columns:\n%s", w2)
	}
	if !strings.Contains(out, "×1 pool") {
		t.Error("the MP sections have no ×1 pool column")
	}
}
