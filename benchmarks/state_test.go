package benchmarks

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestRatiosByHostState(t *testing.T) {
	c := Cases(0.01)[1]
	impls := []Impl{{Name: "antsgo"}, {Name: Baseline}, {Name: "pond"}}
	rep := &Report{Machine: ThisMachine(), Rounds: 4, Cases: []Case{c}, Impls: impls}
	add := func(impl string, round int, wall, line time.Duration) {
		rep.Samples = append(rep.Samples, Sample{Case: c.Name, Impl: impl, Round: round, M: Measurement{Wall: wall}, LineTrip: line})
	}
	const near, far = 150 * time.Nanosecond, 470 * time.Nanosecond
	add(Baseline, 0, 400*time.Millisecond, near)
	add("antsgo", 0, 100*time.Millisecond, near) // near: 0.25
	add(Baseline, 1, 400*time.Millisecond, far)
	add("antsgo", 1, 300*time.Millisecond, far) // far: 0.75
	add(Baseline, 2, 400*time.Millisecond, far)
	add("antsgo", 2, 200*time.Millisecond, near) // the probes disagree: neither
	add(Baseline, 3, 400*time.Millisecond, 0)
	add("antsgo", 3, 200*time.Millisecond, 0) // not probed: neither

	gotNear, gotFar := rep.StateRatios(c, "antsgo")
	if len(gotNear) != 1 || gotNear[0] != 0.25 || len(gotFar) != 1 || gotFar[0] != 0.75 {
		t.Fatalf("StateRatios = %v, %v; want [0.25], [0.75]", gotNear, gotFar)
	}

	var b bytes.Buffer
	if err := WriteMarkdown(&b, rep); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.Contains(out, "## Ratios by host state") {
		t.Fatal("no section for the host states")
	}
	if want := "| " + c.Name + " | 0.25 (1) | 0.75 (1) |"; !strings.Contains(out, want) {
		t.Errorf("the state table has no row %q:\n%s", want, out)
	}
	if strings.Contains(out, "pond near") {
		t.Error("the state table lists an implementation outside stateImpls")
	}
}

func TestNoHostStateSectionWithoutProbes(t *testing.T) {
	rep := fakeReport()
	var b bytes.Buffer
	if err := WriteMarkdown(&b, rep); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "## Ratios by host state") {
		t.Error("a report without probes has a host-state section")
	}
}
