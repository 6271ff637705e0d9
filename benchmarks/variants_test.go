package benchmarks

import (
	"bytes"
	"math"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

func TestPairRatiosDivideEachRoundByTheBase(t *testing.T) {
	w2 := caseOf(t, func(c Case) bool { return c.Workload == "W2" })
	impls := []Impl{{Name: "antsgo"}, {Name: "antsgo-sub", Pair: "antsgo"}, {Name: Baseline}}
	rep := &Report{Machine: ThisMachine(), Rounds: 4, Cases: []Case{w2}, Impls: impls}
	add := func(impl string, round int, wall, line time.Duration) {
		m := Measurement{Wall: wall, CPUPerTask: 100}
		if impl == "antsgo-sub" {
			m.CPUPerTask = 125
		}
		rep.Samples = append(rep.Samples, Sample{Case: w2.Name, Impl: impl, Round: round, M: m, LineTrip: line})
	}
	const near, far = 150 * time.Nanosecond, 470 * time.Nanosecond
	// Added out of round order, as a rotated run may record them.
	add("antsgo-sub", 2, 300*time.Millisecond, near)
	add("antsgo", 2, 200*time.Millisecond, far) // mixed: 1.5
	add("antsgo", 0, 100*time.Millisecond, near)
	add("antsgo-sub", 0, 120*time.Millisecond, near) // near: 1.2
	add("antsgo", 1, 100*time.Millisecond, far)
	add("antsgo-sub", 1, 140*time.Millisecond, far) // far: 1.4
	add("antsgo-sub", 3, 100*time.Millisecond, far) // its base did not run in round 3
	add(Baseline, 0, 400*time.Millisecond, near)

	got := rep.PairRatios(w2, "antsgo-sub", "antsgo")
	want := []PairRatio{{0, 1.2, Near}, {1, 1.4, Far}, {2, 1.5, Mixed}}
	if len(got) != len(want) {
		t.Fatalf("PairRatios = %v; want %v", got, want)
	}
	for i := range want {
		if got[i].Round != want[i].Round || math.Abs(got[i].Ratio-want[i].Ratio) > 1e-9 || got[i].State != want[i].State {
			t.Errorf("PairRatios[%d] = %+v; want %+v", i, got[i], want[i])
		}
	}

	var b bytes.Buffer
	if err := WriteMarkdown(&b, rep); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"### antsgo-sub ×antsgo: wall time",
		"| " + w2.Name + " | 1.40 | 1.20–1.50 | 1.20 (1) | 1.40 (1) | 1.20n 1.40f 1.50m |",
		"### antsgo-sub ×antsgo: CPU time per task",
		"| " + w2.Name + " | 1.25 | 1.25–1.25 | 1.25 (1) | 1.25 (1) | 1.25n 1.25f 1.25m |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the variants section lacks %q:\n%s", want, out)
		}
	}
	checkCells(t, out)
}

func TestNoVariantsSectionWithoutThePair(t *testing.T) {
	rep := fakeReport()
	rep.Impls = append(rep.Impls, Impl{Name: "antsgo-sub", Pair: "missing"})
	var b bytes.Buffer
	if err := WriteMarkdown(&b, rep); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "## Variants against their base") {
		t.Error("a report whose variants' pairs did not run has a variants section")
	}
}

func TestExtraCasesAndImplsRunOnlyWhenNamed(t *testing.T) {
	all := Cases(1)
	def, err := SelectCases(all, "")
	if err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(def, func(c Case) bool { return c.Workload == "FAIR" }) {
		t.Error("the default cases include FAIR")
	}
	if got, want := len(def), len(all)-2; got != want {
		t.Errorf("the default set has %d cases; want %d (all but the two FAIR ones)", got, want)
	}
	fair, err := SelectCases(all, "FAIR")
	if err != nil {
		t.Fatal(err)
	}
	if len(fair) != 2 || fair[0].Kind != SubmitWait || fair[1].TaskMax != FairSpinMax {
		t.Errorf("FAIR selects %+v; want the tiny and the spin case", fair)
	}
	for _, im := range DefaultImpls() {
		if im.Extra || im.Name == "ants-b" || im.Name == "antsgo-sub" {
			t.Errorf("the default implementations include %s", im.Name)
		}
	}
	ims, err := SelectImpls("antsgo-sub,antsgo")
	if err != nil {
		t.Fatal(err)
	}
	if len(ims) != 2 || ims[0].Name != "antsgo" || ims[1].Name != "antsgo-sub" || ims[1].Pair != "antsgo" {
		t.Errorf("SelectImpls(\"antsgo-sub,antsgo\") = %v; want antsgo, then antsgo-sub paired with it", ims)
	}
}

func TestFairLengthsCoverTheRangeOnceInterleaved(t *testing.T) {
	got := fairLengths(FairSpinMin, FairSpinMax)
	sorted := slices.Clone(got)
	sort.Ints(sorted)
	for i, us := range sorted {
		if us != 10+i {
			t.Fatalf("fairLengths sorted = %v; want 10 to 50 once each", sorted)
		}
	}
	if len(sorted) != 41 {
		t.Fatalf("fairLengths has %d lengths; want 41", len(sorted))
	}
	if got[0] == 10 && got[1] == 11 {
		t.Errorf("fairLengths = %v; want short and long ones interleaved, not in order", got)
	}
}

func TestSubmitWaitRecordsEveryCall(t *testing.T) {
	for _, c := range tinyCases() {
		if c.Kind != SubmitWait {
			continue
		}
		for _, im := range []Impl{mustImpl(t, "antsgo"), mustImpl(t, Baseline), mustImpl(t, "pond")} {
			m, err := Run(c, im)
			if err != nil {
				t.Fatal(err)
			}
			if m.P50 <= 0 || m.P50 > m.P99 || m.P99 > m.P999 || m.P999 > m.Worst {
				t.Errorf("%s on %s: p50 %v, p99 %v, p99.9 %v, max %v; want 0 < p50 <= p99 <= p99.9 <= max",
					c.Name, im.Name, m.P50, m.P99, m.P999, m.Worst)
			}
		}
	}
}

func mustImpl(t *testing.T, name string) Impl {
	t.Helper()
	ims, err := SelectImpls(name)
	if err != nil || len(ims) != 1 {
		t.Fatalf("SelectImpls(%q) = %v, %v", name, ims, err)
	}
	return ims[0]
}
