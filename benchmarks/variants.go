package benchmarks

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// PairRatio is a variant's primary metric over its base's in one round.
type PairRatio struct {
	Round int
	Ratio float64
	State HostState // from the probes taken just before the two samples
}

// PairRatios returns, in round order, the ratio of impl's primary metric
// on c to base's in the same round, for the rounds in which both ran and
// reported it.
func (r *Report) PairRatios(c Case, impl, base string) []PairRatio {
	return r.pairRatios(c, impl, base, func(m Measurement) float64 { return primary(c, m) })
}

// pairRatios is PairRatios for the metric f.
func (r *Report) pairRatios(c Case, impl, base string, f func(Measurement) float64) []PairRatio {
	of := map[int]Sample{}
	for _, s := range r.Samples {
		if s.Case == c.Name && s.Impl == base {
			of[s.Round] = s
		}
	}
	var out []PairRatio
	for _, s := range r.Samples {
		if s.Case != c.Name || s.Impl != impl {
			continue
		}
		b, ok := of[s.Round]
		if !ok {
			continue
		}
		if x, ok := ratio(s.M, b.M, f); ok {
			out = append(out, PairRatio{Round: s.Round, Ratio: x, State: StateOf(s.LineTrip, b.LineTrip)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Round < out[j].Round })
	return out
}

// writeVariants writes, for every implementation with a Pair that ran
// alongside it, its ratios to that pair on every case, of the primary
// metric and of the CPU time per task: the median, the range, the medians
// by host state and every round with its state.
func writeVariants(w io.Writer, r *Report) {
	ran := map[string]bool{}
	for _, im := range r.Impls {
		ran[im.Name] = true
	}
	header := false
	for _, im := range r.Impls {
		if im.Pair == "" || !ran[im.Pair] {
			continue
		}
		if !header {
			fmt.Fprintf(w, "\n## Variants against their base\n\n")
			fmt.Fprintf(w, "Per round, the variant's value over its base's in the same round; the median over rounds, the min–max, "+
				"the medians over the near and the far rounds (both samples probed below %v, or both at or above; how many in brackets), "+
				"and every round with its state (n near, f far, m the probes disagree).\n", NearLine)
			header = true
		}
		fmt.Fprintf(w, "\n### %s ×%s: wall time (p99 for LAT, p99.9 for FAIR)\n\n", im.Name, im.Pair)
		writePairTable(w, r, im, func(c Case) []PairRatio { return r.PairRatios(c, im.Name, im.Pair) })
		fmt.Fprintf(w, "\n### %s ×%s: CPU time per task\n\n", im.Name, im.Pair)
		writePairTable(w, r, im, func(c Case) []PairRatio { return r.pairRatios(c, im.Name, im.Pair, cpuPerTask) })
	}
}

func writePairTable(w io.Writer, r *Report, im Impl, ratios func(Case) []PairRatio) {
	fmt.Fprintf(w, "| case | ×%s | min–max | near | far | per round |\n|---|--:|--:|--:|--:|---|\n", im.Pair)
	for _, c := range r.Cases {
		prs := ratios(c)
		if len(prs) == 0 {
			continue
		}
		var all, near, far []float64
		rounds := make([]string, len(prs))
		for i, p := range prs {
			all = append(all, p.Ratio)
			switch p.State {
			case Near:
				near = append(near, p.Ratio)
			case Far:
				far = append(far, p.Ratio)
			}
			rounds[i] = fmtRatio(p.Ratio) + stateMark(p.State)
		}
		lo, hi := minMax(all)
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |\n", c.Name, fmtRatio(Median(all)), fmtRange(lo, hi),
			fmtStateRatio(near), fmtStateRatio(far), strings.Join(rounds, " "))
	}
}
