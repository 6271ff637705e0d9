package benchmarks

import (
	"bytes"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

// abWalls are the wall times in ms of A and B in the rounds of abReport:
// B/A is 0.9, 1.1, 0.9 and 1.
var abWalls = [][2]time.Duration{{100, 90}, {100, 110}, {200, 180}, {100, 100}}

// abReport has four rounds of one wall-time case and one LAT case for
// antsgo. Round 0 ran near, 1 and 2 far, 3 with probes that disagree;
// in round 2 B did not report its CPU time.
func abReport(t *testing.T) (*ABReport, Case, Case) {
	w2 := caseOf(t, func(c Case) bool { return c.Workload == "W2" })
	lat := caseOf(t, func(c Case) bool { return c.Kind == Latency })
	rep := &ABReport{Machine: ThisMachine(), Command: "go run ./cmd/ab", When: time.Unix(0, 0), Base: "main at 1234567",
		Cand: "the working tree", Rounds: 4, Cases: []Case{w2, lat, caseOf(t, func(c Case) bool { return c.Pools > 0 })}, Impls: []string{"antsgo"}}
	const near, far = 150 * time.Nanosecond, 470 * time.Nanosecond
	probes := [][2]time.Duration{{near, near}, {far, far}, {far, far}, {near, far}}
	for round, pr := range probes {
		for side, cand := range []bool{false, true} {
			m := Measurement{Wall: abWalls[round][side] * time.Millisecond, CPUPerTask: float64(100 + 100*side),
				P50: time.Microsecond, P99: abWalls[round][side] * time.Microsecond, P999: 2 * abWalls[round][side] * time.Microsecond,
				Utilisation: 0.9}
			if round == 2 && cand {
				m.CPUPerTask = 0
			}
			for _, c := range []Case{w2, lat} {
				rep.Samples = append(rep.Samples, ABSample{Sample: Sample{Case: c.Name, Impl: "antsgo", Round: round, M: m, LineTrip: pr[side]}, Cand: cand})
			}
		}
	}
	// A sample without a partner is no pair.
	rep.Samples = append(rep.Samples, ABSample{Sample: Sample{Case: w2.Name, Impl: "antsgo", Round: 4, M: Measurement{Wall: time.Second}}})
	return rep, w2, lat
}

func TestABPairsRoundsOfBothSides(t *testing.T) {
	rep, w2, _ := abReport(t)
	pairs := rep.Pairs(w2, "antsgo")
	if len(pairs) != 4 {
		t.Fatalf("got %d pairs; want 4 (round 4 has no B)", len(pairs))
	}
	var states []HostState
	for i, p := range pairs {
		if p.Round != i || p.Base.M.Wall != abWalls[i][0]*time.Millisecond {
			t.Errorf("pair %d is round %d with A wall %v; want round %d and A's sample", i, p.Round, p.Base.M.Wall, i)
		}
		states = append(states, p.State())
	}
	if want := []HostState{Near, Far, Far, Mixed}; !slices.Equal(states, want) {
		t.Errorf("states = %v; want %v", states, want)
	}
	if got := rep.Pairs(w2, "ants"); len(got) != 0 {
		t.Errorf("an implementation that did not run has %d pairs; want 0", len(got))
	}
}

func TestABStatsSplitByHostState(t *testing.T) {
	rep, w2, lat := abReport(t)
	stats := rep.Stats(w2, "antsgo")
	if len(stats) != 2 || stats[0].Metric != "wall" || stats[1].Metric != "CPU/task" {
		t.Fatalf("metrics of W2 = %+v; want wall and CPU/task", stats)
	}
	wall := stats[0]
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	if !near(wall.Median, 0.95) || !near(wall.Min, 0.9) || !near(wall.Max, 1.1) {
		t.Errorf("wall B/A median %v, min %v, max %v; want 0.95, 0.9, 1.1", wall.Median, wall.Min, wall.Max)
	}
	if len(wall.Near) != 1 || !near(wall.Near[0], 0.9) || len(wall.Far) != 2 || !near(Median(wall.Far), 1.0) {
		t.Errorf("wall near %v, far %v; want [0.9] and two with median 1", wall.Near, wall.Far)
	}
	if !near(wall.Base, float64(100*time.Millisecond)) || !near(wall.Cand, float64(105*time.Millisecond)) {
		t.Errorf("wall medians A %v, B %v; want 100ms, 105ms", wall.Base, wall.Cand)
	}
	cpu := stats[1]
	if len(cpu.Ratios) != 3 || !near(cpu.Median, 2) || len(cpu.Far) != 1 {
		t.Errorf("CPU ratios %v (far %v); want three of 2, round 2 left out", cpu.Ratios, cpu.Far)
	}
	var names []string
	for _, st := range rep.Stats(lat, "antsgo") {
		names = append(names, st.Metric)
	}
	if got, want := strings.Join(names, ","), "p99,p50,p99.9,CPU/task,load seen"; got != want {
		t.Errorf("metrics of LAT = %s; want %s", got, want)
	}
}

func TestABMarkdown(t *testing.T) {
	rep, w2, lat := abReport(t)
	var b bytes.Buffer
	if err := WriteABMarkdown(&b, rep); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"# A/B: the working tree against main at 1234567",
		"| " + w2.Name + " | antsgo | wall | 0.95 | 0.90–1.10 | 0.90 (1) | 1.00 (2) |",
		"| " + w2.Name + " | antsgo | CPU/task | 2.00 |",
		"| antsgo | wall | 100.0ms | 105.0ms | 0.95 | 0.90–1.10 | 0.90 (1) | 1.00 (2) | 0.90n 1.10f 0.90f 1.00m |",
		"| antsgo | p99.9 |",
		"## " + lat.Name + ":",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "## "+caseOf(t, func(c Case) bool { return c.Pools > 0 }).Name) {
		t.Error("the report has a section for a case that did not run")
	}
	if strings.Contains(out, "| "+lat.Name+" | antsgo | p50 |") {
		t.Error("the summary lists a secondary metric other than CPU/task")
	}
	checkCells(t, out)

	rep.AA = true
	b.Reset()
	if err := WriteABMarkdown(&b, rep); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "# A/A: main at 1234567 against itself") {
		t.Errorf("an A/A report has no A/A title:\n%s", b.String())
	}
}

// checkCells fails the test if a markdown table row has more or fewer
// cells than its header.
func checkCells(t *testing.T, md string) {
	t.Helper()
	var cells int
	for _, line := range strings.Split(md, "\n") {
		if !strings.HasPrefix(line, "|") {
			cells = 0
			continue
		}
		n := strings.Count(line, "|")
		if cells == 0 {
			cells = n
		} else if n != cells {
			t.Errorf("row %q has %d separators; its header has %d", line, n, cells)
		}
	}
}
