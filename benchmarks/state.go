package benchmarks

import (
	"fmt"
	"io"
	"slices"
	"time"
)

// NearLine splits the host's two states (see LineRoundTrip): a cache-line
// round trip below it is the near state, at or above it the far one. On
// the machine of the committed results the probes fall at 120–290 ns or
// at 460 ns and more.
const NearLine = 300 * time.Nanosecond

// HostState is the state of the host during a pair of samples, from the
// probes taken just before each of them.
type HostState int

// The states of a pair: both probes below NearLine, both at or above it,
// one on each side, or at least one sample not probed.
const (
	Unprobed HostState = iota
	Near
	Far
	Mixed
)

// StateOf classifies the probes a and b of two paired samples.
func StateOf(a, b time.Duration) HostState {
	switch {
	case a <= 0 || b <= 0:
		return Unprobed
	case a < NearLine && b < NearLine:
		return Near
	case a >= NearLine && b >= NearLine:
		return Far
	}
	return Mixed
}

// stateImpls are the implementations whose ratios the report splits by
// host state: this library with and without its queue, and the floors.
var stateImpls = []string{"antsgo", "antsgo+queue", "antsgo-sub", "floor", "floor-sync"}

// StateRatios returns impl's paired ratios to the baseline on case c
// (wall time, p99 for LAT, p99.9 for FAIR), split by host state: a round
// counts as near (or far) when the probes taken just before impl's sample
// and the baseline's sample in that round are both below (or both at or
// above) NearLine. Rounds whose two probes disagree, or that were not probed,
// count as neither.
func (r *Report) StateRatios(c Case, impl string) (near, far []float64) {
	return r.stateRatios(c, impl, func(m Measurement) float64 { return primary(c, m) })
}

// stateRatios is StateRatios for the metric f.
func (r *Report) stateRatios(c Case, impl string, f func(Measurement) float64) (near, far []float64) {
	base := r.baseline(c)
	for _, s := range r.Samples {
		if s.Case != c.Name || s.Impl != impl {
			continue
		}
		b, ok := base[s.Round]
		if !ok {
			continue
		}
		x, ok := ratio(s.M, b.M, f)
		if !ok {
			continue
		}
		switch StateOf(s.LineTrip, b.LineTrip) {
		case Near:
			near = append(near, x)
		case Far:
			far = append(far, x)
		}
	}
	return near, far
}

// writeStates writes the ratios of stateImpls split by host state, if the
// samples were probed and the baseline ran: one table for the primary
// metric, one for the CPU time per task.
func writeStates(w io.Writer, r *Report) {
	if !slices.ContainsFunc(r.Samples, func(s Sample) bool { return s.LineTrip > 0 }) ||
		!slices.ContainsFunc(r.Impls, func(im Impl) bool { return im.Name == Baseline }) {
		return
	}
	var impls []string
	for _, im := range r.Impls {
		if slices.Contains(stateImpls, im.Name) {
			impls = append(impls, im.Name)
		}
	}
	if len(impls) == 0 {
		return
	}
	fmt.Fprintf(w, "\n## Ratios by host state\n\n")
	fmt.Fprintf(w, "×%s by the state the host was in, as probed (LineRoundTrip) just before each sample: near below %v, far at or above; "+
		"median over the rounds in that state (how many in brackets). A round where the two samples' probes disagree counts as neither.\n",
		Baseline, NearLine)
	fmt.Fprintf(w, "\n### Wall time (p99 for LAT, p99.9 for FAIR)\n\n")
	writeStateTable(w, r, impls, func(c Case) func(Measurement) float64 {
		return func(m Measurement) float64 { return primary(c, m) }
	})
	fmt.Fprintf(w, "\n### CPU time per task\n\n")
	writeStateTable(w, r, impls, func(Case) func(Measurement) float64 { return cpuPerTask })
}

func writeStateTable(w io.Writer, r *Report, impls []string, metric func(Case) func(Measurement) float64) {
	fmt.Fprintf(w, "| case |")
	for _, im := range impls {
		fmt.Fprintf(w, " %s near | %s far |", im, im)
	}
	fmt.Fprintf(w, "\n|---|")
	for range impls {
		fmt.Fprintf(w, "--:|--:|")
	}
	fmt.Fprintln(w)
	for _, c := range r.Cases {
		fmt.Fprintf(w, "| %s |", c.Name)
		for _, im := range impls {
			near, far := r.stateRatios(c, im, metric(c))
			fmt.Fprintf(w, " %s | %s |", fmtStateRatio(near), fmtStateRatio(far))
		}
		fmt.Fprintln(w)
	}
}

func fmtStateRatio(xs []float64) string {
	if len(xs) == 0 {
		return "–"
	}
	return fmt.Sprintf("%s (%d)", fmtRatio(Median(xs)), len(xs))
}
