package benchmarks

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const (
	testTasks   = 300
	testTimeout = 10 * time.Second
)

// checkOnce waits for the tracker, closes c and fails the test unless
// every counter in runs is exactly 1.
func checkOnce(t *testing.T, runs []atomic.Int32, tr *tracker, c closer) {
	t.Helper()
	if err := tr.wait(testTimeout); err != nil {
		t.Fatal(err)
	}
	closeWithin(t, c) // after Close no task of c can still run
	for i := range runs {
		if got := runs[i].Load(); got != 1 {
			t.Errorf("task %d ran %d times; want 1", i, got)
		}
	}
}

func TestEveryAdapterRunsEachTaskOnce(t *testing.T) {
	for _, im := range Impls() {
		for _, size := range []int{1, 4, 64} {
			t.Run(im.Name+"/submit", func(t *testing.T) {
				r, err := im.New(size)
				if err != nil {
					t.Fatal(err)
				}
				runs, tr := make([]atomic.Int32, testTasks), newTracker(testTasks)
				for i := range runs {
					if err := r.Submit(func() { runs[i].Add(1); tr.done() }); err != nil {
						t.Fatal(err)
					}
				}
				checkOnce(t, runs, tr, r)
			})
			t.Run(im.Name+"/invoke", func(t *testing.T) {
				runs, tr := make([]atomic.Int32, testTasks), newTracker(testTasks)
				inv, err := NewInvoker(im, size, func(i int) { runs[i].Add(1); tr.done() })
				if err != nil {
					t.Fatal(err)
				}
				for i := range runs {
					if err := inv.Invoke(i); err != nil {
						t.Fatal(err)
					}
				}
				checkOnce(t, runs, tr, inv)
			})
		}
		if im.NewMulti == nil {
			continue
		}
		for _, st := range []Strategy{RoundRobin, LeastTasks} {
			t.Run(im.Name+"/multi/"+st.String(), func(t *testing.T) {
				r, err := im.NewMulti(4, 2, st)
				if err != nil {
					t.Fatal(err)
				}
				runs, tr := make([]atomic.Int32, testTasks), newTracker(testTasks)
				for i := range runs {
					if err := r.Submit(func() { runs[i].Add(1); tr.done() }); err != nil {
						t.Fatal(err)
					}
				}
				checkOnce(t, runs, tr, r)
			})
		}
	}
}

// closeWithin closes c and fails the test if that takes longer than the
// deadline.
func closeWithin(t *testing.T, c closer) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- c.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Close: %v", err)
		}
	case <-time.After(testTimeout):
		t.Fatal("Close did not return by the deadline")
	}
}

// tinyCases returns every case with 200 tasks and at most 64 workers, small
// enough for -race (which allows 8128 live goroutines).
func tinyCases() []Case {
	cs := Cases(1)
	for i := range cs {
		cs[i].Tasks = 200
		cs[i].Cap = min(cs[i].Cap, 64)
	}
	return cs
}

func TestRunEveryCaseOnEveryImpl(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every workload")
	}
	rep := &Report{Machine: ThisMachine(), Command: "test", When: time.Now(), Rounds: 1, Cases: tinyCases(), Impls: DefaultImpls()}
	for _, c := range rep.Cases {
		for _, im := range rep.Impls {
			if c.Kind == Latency && im.Name != "antsgo" && im.Name != Baseline {
				continue // paced cases take a while; two suffice here
			}
			if !im.Supports(c) {
				if _, err := Run(c, im); err == nil {
					t.Errorf("%s on %s, which has no multi-pool, ran without error", c.Name, im.Name)
				}
				continue
			}
			m, err := Run(c, im)
			if err != nil {
				t.Fatal(err)
			}
			if m.Wall <= 0 {
				t.Errorf("%s on %s: wall %v; want > 0", c.Name, im.Name, m.Wall)
			}
			if c.Kind == Latency && (m.P50 <= 0 || m.P50 > m.P99 || m.P99 > m.P999) {
				t.Errorf("%s on %s: p50 %v, p99 %v, p99.9 %v; want 0 < p50 <= p99 <= p99.9", c.Name, im.Name, m.P50, m.P99, m.P999)
			}
			if _, ok := processCPU(); ok && m.CPUPerTask <= 0 {
				t.Errorf("%s on %s: CPU per task %v; want > 0 where the system reports it", c.Name, im.Name, m.CPUPerTask)
			}
			if c.Kind == CPU && (m.Efficiency <= 0 || math.IsInf(m.Efficiency, 0)) {
				t.Errorf("%s on %s: efficiency %v; want > 0", c.Name, im.Name, m.Efficiency)
			}
		}
	}
}

func TestSelect(t *testing.T) {
	cs, err := SelectCases(Cases(1), "W2,LAT,W4")
	if err != nil {
		t.Fatal(err)
	}
	if got := len(cs); got != 5 {
		t.Errorf("W2,LAT,W4 selects %d cases; want 5", got)
	}
	mp, err := SelectCases(Cases(1), "MP")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range mp {
		names = append(names, c.Name)
	}
	if got, want := strings.Join(names, " "), "W2/cap=8 MP/cap=8/RoundRobin MP/cap=8/LeastTasks"; runtime.GOMAXPROCS(0) == 2 && got != want {
		t.Errorf("MP selects %s; want %s (the multi-pool cases and their single-pool reference)", got, want)
	}
	if len(mp) != 3 || mp[0].Name != mp[1].Ref || mp[1].Pools != 4 || mp[2].Strategy != LeastTasks {
		t.Errorf("MP selects %+v; want W2 at 4P and its two multi-pool cases", mp)
	}
	if _, err := SelectCases(Cases(1), "W9"); err == nil {
		t.Error("W9 selects without error; want an error")
	}
	ims, err := SelectImpls("ants-b, antsgo")
	if err != nil {
		t.Fatal(err)
	}
	if len(ims) != 2 || ims[0].Name != "antsgo" || ims[1].Name != "ants-b" {
		t.Errorf("SelectImpls(\"ants-b, antsgo\") = %v; want antsgo, ants-b", ims)
	}
	if _, err := SelectImpls("nope"); err == nil {
		t.Error("an unknown implementation selects without error; want an error")
	}
}

func TestQuantile(t *testing.T) {
	d := make([]time.Duration, 1000)
	for i := range d {
		d[i] = time.Duration(i + 1)
	}
	for _, tc := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 500}, {0.99, 990}, {0.999, 999}, {1, 1000}, {0, 1}} {
		if got := Quantile(d, tc.q); got != tc.want {
			t.Errorf("Quantile(1..1000, %v) = %v; want %v", tc.q, got, tc.want)
		}
	}
}

// fakeReport has two rounds of every case for three implementations, one
// with a name that needs escaping in XML.
func fakeReport() *Report {
	impls := []Impl{{Name: "antsgo", Note: "ours"}, {Name: Baseline, Note: "theirs"}, {Name: "a<b&c", Note: "odd name"}}
	rep := &Report{Machine: ThisMachine(), Command: "go run ./cmd/compare -scale 0.01", When: time.Unix(0, 0), Rounds: 2,
		Cases: Cases(0.01), Impls: impls, LineTrips: []time.Duration{150, 470}}
	for r := range 2 {
		for _, c := range rep.Cases {
			for i, im := range impls {
				f := time.Duration(1+i) * time.Duration(1+r)
				m := Measurement{Wall: 100 * time.Millisecond * f, AllocsPerTask: 1, BytesPerTask: 16, Efficiency: 0.5,
					P50: time.Microsecond * f, P99: 10 * time.Microsecond * f, P999: 50 * time.Microsecond * f, PeakRSS: 1 << 30}
				if im.Name == "a<b&c" {
					m.Wall *= 1000 // beyond the chart's scale
				}
				rep.Samples = append(rep.Samples, Sample{Case: c.Name, Impl: im.Name, Round: r, M: m})
			}
		}
	}
	return rep
}

func TestSummaryRatiosArePairedPerRound(t *testing.T) {
	rep := fakeReport()
	rows := rep.Summary(rep.Cases[1])
	if len(rows) != 3 {
		t.Fatalf("got %d rows; want 3", len(rows))
	}
	if got := rows[0].Ratio; got != 0.5 {
		t.Errorf("antsgo ratio = %v; want 0.5", got)
	}
	if got := rows[1].Ratio; got != 1 {
		t.Errorf("baseline ratio = %v; want 1", got)
	}
	if got, want := rows[0].Median, float64(150*time.Millisecond); got != want {
		t.Errorf("antsgo median = %v; want %v", got, want)
	}
}

func TestMarkdownHasATablePerCase(t *testing.T) {
	rep := fakeReport()
	var b bytes.Buffer
	if err := WriteMarkdown(&b, rep); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, c := range rep.Cases {
		if !strings.Contains(out, "## "+c.Name+":") {
			t.Errorf("no section for %s", c.Name)
		}
	}
	if !strings.Contains(out, rep.Machine.GoVersion) {
		t.Error("the Go version is missing")
	}
	if !strings.Contains(out, "before each round and after the last: 150ns, 470ns") {
		t.Error("the cache-line probes are missing")
	}
	checkCells(t, out)
}

func TestSVGIsWellFormed(t *testing.T) {
	rep := fakeReport()
	var b bytes.Buffer
	if err := WriteSVG(&b, rep); err != nil {
		t.Fatal(err)
	}
	d := xml.NewDecoder(&b)
	var root string
	bars, texts := 0, 0
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("SVG does not parse: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			if root == "" {
				root = se.Name.Local
			}
			switch se.Name.Local {
			case "rect":
				bars++
			case "text":
				texts++
			}
		}
	}
	if root != "svg" {
		t.Errorf("root element is %q; want svg", root)
	}
	if want := 1 + len(rep.Cases)*len(rep.Impls); bars != want {
		t.Errorf("%d rects; want %d (background + one bar per case and implementation)", bars, want)
	}
	if texts == 0 {
		t.Error("no text elements")
	}
}
