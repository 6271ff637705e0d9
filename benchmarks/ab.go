package benchmarks

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"time"
)

// ABSample is one sample of an A/B run (cmd/ab): a Sample taken by the
// baseline's build of this library (A) or by the candidate's (B).
type ABSample struct {
	Sample
	Cand bool // taken by the candidate's build
}

// ABReport holds an A/B run: the same harness built against two revisions
// of this library, their samples taken alternately, one process each.
type ABReport struct {
	Machine     Machine
	Command     string
	When        time.Time
	Base, Cand  string // what each side was built from
	AA          bool   // both sides ran the baseline's build: an A/A run
	Rounds      int
	Cases       []Case
	Impls       []string
	Samples     []ABSample
	LineTrips   []time.Duration // probed before each round and after the last
	Calibration Calibration     // shared by both sides
	LoadAvg     []string        // LoadAverage at the start and the end of the run
}

// ABPair is the two samples of one case on one implementation in a round.
type ABPair struct {
	Round      int
	Base, Cand Sample
}

// State is the host state of the pair, from the probes before its samples.
func (p ABPair) State() HostState { return StateOf(p.Base.LineTrip, p.Cand.LineTrip) }

// Pairs returns the rounds in which both sides ran c on impl, in round
// order.
func (r *ABReport) Pairs(c Case, impl string) []ABPair {
	base, cand := map[int]Sample{}, map[int]Sample{}
	for _, s := range r.Samples {
		if s.Case != c.Name || s.Impl != impl {
			continue
		}
		if s.Cand {
			cand[s.Round] = s.Sample
		} else {
			base[s.Round] = s.Sample
		}
	}
	var pairs []ABPair
	for round, b := range base {
		if s, ok := cand[round]; ok {
			pairs = append(pairs, ABPair{Round: round, Base: b, Cand: s})
		}
	}
	sort.Slice(pairs, func(i, j int) bool { return pairs[i].Round < pairs[j].Round })
	return pairs
}

// ABStat summarises one metric over the pairs of a case and an
// implementation.
type ABStat struct {
	Metric     string
	Base, Cand float64 // medians over the pairs in which the metric was reported
	// Ratios holds Cand/Base per pair, in round order, and States the
	// host state of each; pairs where either side did not report the
	// metric (0) are left out.
	Ratios           []float64
	States           []HostState
	Median, Min, Max float64 // of Ratios; NaN for none
	Near, Far        []float64
	format           func(float64) string
}

// abMetric is a metric an A/B report compares.
type abMetric struct {
	name   string
	f      func(Measurement) float64
	format func(float64) string
}

func wall(m Measurement) float64 { return float64(m.Wall) }

// abMetrics returns the metrics compared for c; the first is the primary.
func abMetrics(c Case) []abMetric {
	cpu := abMetric{"CPU/task", cpuPerTask, fmtNs}
	switch c.Kind {
	case Latency:
		return []abMetric{
			{"p99", func(m Measurement) float64 { return float64(m.P99) }, fmtNs},
			{"p50", p50, fmtNs},
			{"p99.9", p999, fmtNs},
			cpu,
			{"load seen", func(m Measurement) float64 { return m.Utilisation }, fmtPercent},
		}
	case SubmitWait:
		return []abMetric{{"p99.9", p999, fmtNs}, {"p50", p50, fmtNs}, {"p99", p99, fmtNs}, {"max", worst, fmtNs},
			{"wall", wall, fmtNs}, cpu}
	case Sleep:
		return []abMetric{{"wall", wall, fmtNs}, cpu, {"peak RSS", func(m Measurement) float64 { return float64(m.PeakRSS) }, fmtBytes}}
	}
	return []abMetric{{"wall", wall, fmtNs}, cpu}
}

// Stats returns the statistics of every metric of c on impl, the primary
// (wall time, p99 for LAT, p99.9 for FAIR) first.
func (r *ABReport) Stats(c Case, impl string) []ABStat {
	pairs := r.Pairs(c, impl)
	var out []ABStat
	for _, m := range abMetrics(c) {
		st := ABStat{Metric: m.name, format: m.format}
		var base, cand series
		for _, p := range pairs {
			x, ok := ratio(p.Cand.M, p.Base.M, m.f)
			if !ok {
				continue
			}
			base = append(base, m.f(p.Base.M))
			cand = append(cand, m.f(p.Cand.M))
			st.Ratios = append(st.Ratios, x)
			st.States = append(st.States, p.State())
			switch p.State() {
			case Near:
				st.Near = append(st.Near, x)
			case Far:
				st.Far = append(st.Far, x)
			}
		}
		st.Base, st.Cand, st.Median = Median(base), Median(cand), Median(st.Ratios)
		st.Min, st.Max = math.NaN(), math.NaN()
		if len(st.Ratios) > 0 {
			st.Min, st.Max = minMax(st.Ratios)
		}
		out = append(out, st)
	}
	return out
}

// WriteABMarkdown writes an A/B report: a header saying what was built
// and how it ran, a summary of the primary metric and the CPU time of
// every case, and a table per case with every metric and the ratio of
// each round.
func WriteABMarkdown(w io.Writer, r *ABReport) error {
	b := bufio.NewWriter(w)
	title := fmt.Sprintf("A/B: %s against %s", r.Cand, r.Base)
	if r.AA {
		title = fmt.Sprintf("A/A: %s against itself", r.Base)
	}
	writeHead(b, title, r.Machine, r.Command, r.When, r.Rounds, ". In each round every case runs on every implementation once from each build, "+
		"in a process of its own, one right after the other; the build that goes first alternates between rounds.")
	fmt.Fprintf(b, "- A (baseline): %s. B (candidate): %s.", r.Base, r.Cand)
	if r.AA {
		fmt.Fprintf(b, " Both sides run the same binary, so every ratio is noise: its spread is the band within which an A/B ratio says nothing.")
	}
	fmt.Fprintln(b)
	writeTrips(b, r.LineTrips)
	writeLoad(b, r.LoadAvg, r.Machine.NumCPU)
	fmt.Fprintf(b, "- B/A: per round, B's value over A's in the same round; the median over rounds and the min–max. Below 1: B is faster or uses less. "+
		"Near and far: the median over the rounds whose two samples were both probed below %v, or both at or above (how many in brackets); "+
		"per round, each ratio carries its state: n near, f far, m the probes disagree.\n", NearLine)
	fmt.Fprintf(b, "\n## Summary\n\n| case | impl | metric | B/A | min–max | near | far |\n|---|---|---|--:|--:|--:|--:|\n")
	for _, c := range r.Cases {
		for _, impl := range r.Impls {
			for i, st := range r.Stats(c, impl) {
				if len(st.Ratios) == 0 || (i > 0 && st.Metric != "CPU/task") {
					continue
				}
				fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s |\n", c.Name, impl, st.Metric, fmtRatio(st.Median),
					fmtRange(st.Min, st.Max), fmtStateRatio(st.Near), fmtStateRatio(st.Far))
			}
		}
	}
	for _, c := range r.Cases {
		var rows []string
		for _, impl := range r.Impls {
			for _, st := range r.Stats(c, impl) {
				if len(st.Ratios) > 0 {
					rows = append(rows, fmt.Sprintf("| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", impl, st.Metric,
						st.format(st.Base), st.format(st.Cand), fmtRatio(st.Median), fmtRange(st.Min, st.Max),
						fmtStateRatio(st.Near), fmtStateRatio(st.Far), fmtRounds(st)))
				}
			}
		}
		if len(rows) == 0 {
			continue // no implementation ran c on both sides
		}
		fmt.Fprintf(b, "\n## %s: %s tasks; %s\n\n", c.Name, thousands(c.Tasks), c.Title)
		fmt.Fprintf(b, "| impl | metric | A | B | B/A | min–max | near | far | per round |\n|---|---|--:|--:|--:|--:|--:|--:|---|\n")
		fmt.Fprint(b, strings.Join(rows, ""))
	}
	return b.Flush()
}

// fmtRounds lists the ratios of st in round order, each with its state.
func fmtRounds(st ABStat) string {
	parts := make([]string, len(st.Ratios))
	for i, x := range st.Ratios {
		parts[i] = fmtRatio(x) + stateMark(st.States[i])
	}
	return strings.Join(parts, " ")
}

func stateMark(s HostState) string {
	switch s {
	case Near:
		return "n"
	case Far:
		return "f"
	case Mixed:
		return "m"
	}
	return ""
}

func fmtRange(lo, hi float64) string {
	if math.IsNaN(lo) {
		return "–"
	}
	return fmtRatio(lo) + "–" + fmtRatio(hi)
}

func fmtPercent(x float64) string { return fmt.Sprintf("%.1f%%", 100*x) }
