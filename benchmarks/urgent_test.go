package benchmarks

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestUrgentLanesRunEachTaskOnce(t *testing.T) {
	for _, im := range UrgentImpls() {
		for _, queue := range []int{0, UrgentQueue} {
			if queue > 0 && !im.Queues {
				continue
			}
			bulk, urgent, err := im.New(4, queue)
			if err != nil {
				t.Fatalf("%s, queue %d: %v", im.Name, queue, err)
			}
			runs, tr := make([]atomic.Int32, testTasks), newTracker(testTasks)
			for i := range runs {
				r := bulk
				if i%3 == 0 {
					r = urgent
				}
				if err := r.Submit(func() { runs[i].Add(1); tr.done() }); err != nil {
					t.Fatalf("%s, queue %d: %v", im.Name, queue, err)
				}
			}
			if err := tr.wait(testTimeout); err != nil {
				t.Fatalf("%s, queue %d: %v", im.Name, queue, err)
			}
			closeWithin(t, urgent)
			if err := bulk.Submit(func() {}); err != nil {
				t.Errorf("%s, queue %d: closing the urgent lane closed the pool: %v", im.Name, queue, err)
			}
			closeWithin(t, bulk)
			for i := range runs {
				if got := runs[i].Load(); got != 1 {
					t.Errorf("%s, queue %d: task %d ran %d times; want 1", im.Name, queue, i, got)
				}
			}
		}
	}
}

func TestRunUrgentOnEveryImpl(t *testing.T) {
	if testing.Short() {
		t.Skip("paced: a few seconds")
	}
	for _, c := range UrgentCases(0) { // the fewest urgent tasks
		for _, im := range UrgentImpls() {
			if !im.Supports(c) {
				if _, err := RunUrgent(c, im); err == nil {
					t.Errorf("%s on %s, which has no queue, ran without error", c.Name, im.Name)
				}
				continue
			}
			m, err := RunUrgent(c, im)
			if err != nil {
				t.Fatal(err)
			}
			if m.P50 < 0 || m.P50 > m.P99 || m.P99 > m.Worst {
				t.Errorf("%s on %s: p50 %v, p99 %v, max %v; want 0 <= p50 <= p99 <= max", c.Name, im.Name, m.P50, m.P99, m.Worst)
			}
			if m.BulkRate <= 0 || m.BulkTask < BulkTask || m.SlotsBusy <= 0 {
				t.Errorf("%s on %s: bulk %v/s of %v, slots busy %v; want a positive rate of tasks at least %v long",
					c.Name, im.Name, m.BulkRate, m.BulkTask, m.SlotsBusy, BulkTask)
			}
		}
	}
}

func TestSelectUrgent(t *testing.T) {
	cs, err := SelectUrgentCases(UrgentCases(1), "queue=64, URG/blocking")
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2 || cs[0].Queue != UrgentQueue || cs[1].Queue != 0 || cs[0].Urgent != 300 {
		t.Errorf("SelectUrgentCases = %+v; want the queued case, then the blocking one, of 300 urgent tasks", cs)
	}
	if _, err := SelectUrgentCases(UrgentCases(1), "W2"); err == nil {
		t.Error("an unknown URG case selects without error; want an error")
	}
	ims, err := SelectUrgentImpls("pond-sub,antsgo-sub")
	if err != nil {
		t.Fatal(err)
	}
	if len(ims) != 2 || ims[0].Name != "antsgo-sub" || ims[1].Name != "pond-sub" {
		t.Errorf("SelectUrgentImpls = %v; want antsgo-sub, pond-sub", ims)
	}
	if _, err := SelectUrgentImpls("nope"); err == nil {
		t.Error("an unknown implementation selects without error; want an error")
	}
}

// fakeUrgent has three rounds of both URG cases; ants does not run the
// queued one, and antsgo-sub skips round 2 of the blocking one.
func fakeUrgent() *UrgentReport {
	rep := &UrgentReport{Machine: ThisMachine(), Command: "go run ./cmd/urgent", When: time.Unix(0, 0), Rounds: 3,
		Cases: UrgentCases(1), Impls: UrgentImpls(), LineTrips: []time.Duration{150, 470}, LoadAvg: []string{"0.5 0.4 0.3", "1.0 0.5 0.3"}}
	for r := range 3 {
		for _, c := range rep.Cases {
			for _, im := range rep.Impls {
				if !im.Supports(c) || (im.Name == "antsgo-sub" && c.Queue == 0 && r == 2) {
					continue
				}
				f := time.Duration(1 + r)
				m := UrgentMeasurement{P50: 100 * time.Microsecond * f, P99: time.Millisecond * f, Worst: 2 * time.Millisecond * f,
					BulkRate: 7000, BulkTask: 1100 * time.Microsecond, SlotsBusy: 0.98}
				switch im.Name {
				case "antsgo-sub":
					m.P99 /= 4
					m.BulkRate = 6930
				case Baseline:
					m.P99 *= 2
				}
				line := 150 * time.Nanosecond
				if r == 1 {
					line = 470 * time.Nanosecond
				}
				rep.Samples = append(rep.Samples, UrgentSample{Case: c.Name, Impl: im.Name, Round: r, M: m, LineTrip: line})
			}
		}
	}
	return rep
}

func TestUrgentSummaryPairsEachRound(t *testing.T) {
	rep := fakeUrgent()
	rows := rep.Summary(rep.Cases[0])
	if len(rows) != 4 {
		t.Fatalf("got %d rows; want 4", len(rows))
	}
	sub := rows[0]
	for _, tc := range []struct {
		what      string
		got, want float64
	}{
		{"rounds", float64(sub.Rounds), 2},
		{"p99", sub.P99, float64(375 * time.Microsecond)}, // rounds 0 and 1: 250µs and 500µs
		{"p99 min", sub.P99Min, float64(250 * time.Microsecond)},
		{"p99 ×ants", sub.P99Ants, 0.125},
		{"p99 ×antsgo", sub.P99Ref, 0.25},
		{"bulk ×antsgo", sub.BulkRef, 0.99},
		{"near", float64(sub.Near), 1},
		{"far", float64(sub.Far), 1},
		{"antsgo p99 ×antsgo", rows[1].P99Ref, 1},
	} {
		if math.Abs(tc.got-tc.want) > 1e-9 {
			t.Errorf("%s = %v; want %v", tc.what, tc.got, tc.want)
		}
	}
	queued := rep.Summary(rep.Cases[1])
	if len(queued) != 3 || !math.IsNaN(queued[0].P99Ants) || queued[0].P99Ref != 0.25 {
		t.Errorf("queued rows = %+v; want 3 rows, no ratio to ants (which has no queue), 0.25 to antsgo", queued)
	}
}

func TestUrgentMarkdownAndSVG(t *testing.T) {
	rep := fakeUrgent()
	var md bytes.Buffer
	if err := WriteUrgentMarkdown(&md, rep); err != nil {
		t.Fatal(err)
	}
	out := md.String()
	for _, want := range []string{"## URG/blocking:", "## URG/queue=64:", "| antsgo-sub | 150.0µs | 375.0µs | 250.0µs–500.0µs |",
		"| 0.12 | 0.25 | 6.9k |", "1.0 0.5 0.3", "ants v2 has no queue", "NewSubpool(2, WithPriority(10))"} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
	checkCells(t, out)

	var svg bytes.Buffer
	if err := WriteUrgentSVG(&svg, rep); err != nil {
		t.Fatal(err)
	}
	d := xml.NewDecoder(&svg)
	bars, ticks := 0, 0
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("SVG does not parse: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			switch se.Name.Local {
			case "rect":
				bars++
			case "line":
				ticks++
			}
		}
	}
	rows := len(rep.Summary(rep.Cases[0])) + len(rep.Summary(rep.Cases[1]))
	if want := 1 + 2*rows; bars != want {
		t.Errorf("%d rects; want %d (background, and a p99 and a p50 bar per row)", bars, want)
	}
	if ticks < rows+2 {
		t.Errorf("%d lines; want at least %d (grid, the bulk task's line and a max tick per row)", ticks, rows+2)
	}
}

func TestDecades(t *testing.T) {
	got := decades(float64(37*time.Microsecond), float64(2*time.Millisecond))
	want := []float64{1e4, 1e5, 1e6, 1e7}
	if len(got) != len(want) {
		t.Fatalf("decades(37µs, 2ms) = %v; want %v", got, want)
	}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-6*want[i] {
			t.Errorf("decades(37µs, 2ms) = %v; want %v", got, want)
		}
	}
}
