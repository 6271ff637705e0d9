//go:build !ab_old

package benchmarks

import (
	"fmt"
	"io"
	"time"
)

// KeyedSample is one measurement of a keyed case on one implementation.
type KeyedSample struct {
	Case     string
	Impl     string
	Round    int
	M        KeyedMeasurement
	LineTrip time.Duration // LineRoundTrip just before the sample; 0 if not probed
}

// KeyedReport holds an interleaved run of the keyed comparison.
type KeyedReport struct {
	Machine   Machine
	Command   string
	When      time.Time
	Rounds    int
	Cases     []KeyedCase
	Impls     []KeyedImpl
	Samples   []KeyedSample
	LineTrips []time.Duration // probes before each round and after the last
}

// keyedMetric is one column of the report: a value of a sample, and
// whether the paired ratio to the baseline is shown beside it.
type keyedMetric struct {
	head  string
	value func(c KeyedCase, m KeyedMeasurement) float64
	ratio bool
	show  func(c KeyedCase) bool
	fmt   func(float64) string
}

var keyedMetrics = []keyedMetric{
	{"ns/task", func(c KeyedCase, m KeyedMeasurement) float64 { return m.NsPerTask(c) }, true,
		func(c KeyedCase) bool { return c.Kind == KeyedTiny }, fmtNs},
	{"CPU ns/task", func(c KeyedCase, m KeyedMeasurement) float64 { return m.CPUPerTask(c) }, true,
		func(c KeyedCase) bool { return c.Kind == KeyedTiny }, fmtNs},
	{"allocs/task", func(_ KeyedCase, m KeyedMeasurement) float64 { return m.AllocsPerTask }, false,
		func(c KeyedCase) bool { return c.Kind != KeyedUneven }, func(x float64) string { return fmt.Sprintf("%.2f", x) }},
	{"wait p50", func(_ KeyedCase, m KeyedMeasurement) float64 { return float64(m.P50) }, false,
		func(c KeyedCase) bool { return c.Kind == KeyedUneven }, fmtNs},
	{"wait p99", func(_ KeyedCase, m KeyedMeasurement) float64 { return float64(m.P99) }, true,
		func(c KeyedCase) bool { return c.Kind == KeyedUneven }, fmtNs},
	{"fast keys' wait p99", func(_ KeyedCase, m KeyedMeasurement) float64 { return float64(m.FastP99) }, true,
		func(c KeyedCase) bool { return c.Kind == KeyedUneven }, fmtNs},
	{"heap kept per key", func(_ KeyedCase, m KeyedMeasurement) float64 { return m.RetainedPerKey }, false,
		func(c KeyedCase) bool { return c.Kind == KeyedIdle }, func(x float64) string { return fmt.Sprintf("%.2f B", x) }},
}

// values returns the metric for each round of impl on c, by round.
func (r *KeyedReport) values(c KeyedCase, impl string, mt keyedMetric) map[int]float64 {
	out := map[int]float64{}
	for _, s := range r.Samples {
		if s.Case == c.Name && s.Impl == impl {
			out[s.Round] = mt.value(c, s.M)
		}
	}
	return out
}

// Ratios returns, for each round in which both ran, impl's metric over
// base's.
func (r *KeyedReport) ratios(c KeyedCase, impl, base string, mt keyedMetric) []float64 {
	b := r.values(c, base, mt)
	var xs []float64
	for round, v := range r.values(c, impl, mt) {
		if bv, ok := b[round]; ok && bv > 0 {
			xs = append(xs, v/bv)
		}
	}
	return xs
}

// WriteKeyedMarkdown writes the report: per case, the median of each
// metric over the rounds with its range, and the median of the paired
// ratios to the baseline (for the uneven case, to "fixed" as well).
func WriteKeyedMarkdown(w io.Writer, r *KeyedReport) error {
	fmt.Fprintf(w, "# Per-key execution: keyed front against the alternatives\n\n")
	fmt.Fprintf(w, "`%s`, %s, %d rounds, implementations interleaved and rotated each round.\n\n",
		r.Command, r.When.UTC().Format("2006-01-02 15:04 MST"), r.Rounds)
	fmt.Fprintf(w, "Machine: %s.\n\n", r.Machine)
	if len(r.LineTrips) > 0 {
		fmt.Fprintf(w, "Cache-line round trips before each round and after the last (host state, near below %v): %v.\n\n", NearLine, r.LineTrips)
	}
	fmt.Fprintf(w, "| implementation | what it is |\n|---|---|\n")
	for _, im := range r.Impls {
		fmt.Fprintf(w, "| `%s` | %s |\n", im.Name, im.Note)
	}
	fmt.Fprintf(w, "\nEach cell is the median over the rounds, with the range in brackets; ×%s is the median of the per-round ratios.\n",
		KeyedBaseline)
	for _, c := range r.Cases {
		fmt.Fprintf(w, "\n## %s\n\n%s; %s tasks.\n\n| implementation |", c.Name, c.Title, thousands(c.Tasks))
		var cols []keyedMetric
		for _, mt := range keyedMetrics {
			if mt.show(c) {
				cols = append(cols, mt)
				fmt.Fprintf(w, " %s |", mt.head)
				if mt.ratio {
					fmt.Fprintf(w, " ×%s |", keyedRatioBase(c))
				}
			}
		}
		fmt.Fprintf(w, " host near/far |\n|---|")
		for _, mt := range cols {
			fmt.Fprintf(w, "--:|")
			if mt.ratio {
				fmt.Fprintf(w, "--:|")
			}
		}
		fmt.Fprintf(w, "--:|\n")
		for _, im := range r.Impls {
			fmt.Fprintf(w, "| `%s` |", im.Name)
			for _, mt := range cols {
				var xs []float64
				for _, v := range r.values(c, im.Name, mt) {
					xs = append(xs, v)
				}
				if len(xs) == 0 {
					fmt.Fprintf(w, " – |")
				} else {
					lo, hi := minMax(xs)
					fmt.Fprintf(w, " %s [%s–%s] |", mt.fmt(Median(xs)), mt.fmt(lo), mt.fmt(hi))
				}
				if mt.ratio {
					if rs := r.ratios(c, im.Name, keyedRatioBase(c), mt); len(rs) > 0 {
						fmt.Fprintf(w, " %s |", fmtKeyedRatio(Median(rs)))
					} else {
						fmt.Fprintf(w, " – |")
					}
				}
			}
			near, far := 0, 0
			for _, s := range r.Samples {
				if s.Case == c.Name && s.Impl == im.Name && s.LineTrip > 0 {
					if s.LineTrip < NearLine {
						near++
					} else {
						far++
					}
				}
			}
			fmt.Fprintf(w, " %d/%d |\n", near, far)
		}
	}
	return nil
}

// keyedRatioBase is what the ratios of case c divide by: "fixed" for the
// uneven case, whose question is the fixed-worker design's tail, and the
// baseline for the others.
func keyedRatioBase(c KeyedCase) string {
	if c.Kind == KeyedUneven {
		return "fixed"
	}
	return KeyedBaseline
}

// fmtKeyedRatio writes a ratio with two decimals, or with two significant
// digits below 0.1, where the tail latencies of the uneven case fall.
func fmtKeyedRatio(x float64) string {
	if x > 0 && x < 0.1 {
		return fmt.Sprintf("%.2g", x)
	}
	return fmtRatio(x)
}
