package benchmarks

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"
)

// Sample is one measurement of one implementation on one case in a round.
type Sample struct {
	Case  string
	Impl  string
	Round int
	M     Measurement
	// LineTrip is LineRoundTrip probed just before the sample ran: the
	// host's state (see NearLine); 0 if not probed.
	LineTrip time.Duration
}

// Machine describes the host the numbers come from.
type Machine struct {
	GOOS, GOARCH string
	CPU          string
	NumCPU       int
	GOMAXPROCS   int
	GoVersion    string
}

// ThisMachine describes the running host; the CPU model comes from
// /proc/cpuinfo where there is one.
func ThisMachine() Machine {
	m := Machine{GOOS: runtime.GOOS, GOARCH: runtime.GOARCH, CPU: "unknown",
		NumCPU: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0), GoVersion: runtime.Version()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	return m
}

func (m Machine) String() string {
	return fmt.Sprintf("%s/%s, %s, NumCPU=%d, GOMAXPROCS=%d, %s", m.GOOS, m.GOARCH, m.CPU, m.NumCPU, m.GOMAXPROCS, m.GoVersion)
}

// Report holds a comparison run: what ran, where, and every sample.
type Report struct {
	Machine Machine
	Command string // how the run was started, flags included
	When    time.Time
	Rounds  int
	Cases   []Case
	Impls   []Impl
	Samples []Sample
	// LineTrips holds LineRoundTrip probed before each round and after
	// the last one: the state of the host while the rounds ran.
	LineTrips []time.Duration
	// Calibration is the one the runs used, for the notes under W4 and
	// LAT; zero if not recorded.
	Calibration Calibration
	// LoadAvg holds LoadAverage at the start and the end of the run.
	LoadAvg []string
}

// Row summarises one implementation on one case over the rounds. The
// primary metric is the wall time, the p99 latency for LAT cases, or the
// p99.9 submit wait for FAIR cases. Every ratio is paired: computed per
// round against the baseline's sample of that round, then the median over
// rounds; NaN without a baseline.
type Row struct {
	Impl             string
	Rounds           int
	Median, Min, Max float64 // primary metric, ns
	Ratio            float64 // primary / the baseline's
	CPUPerTask       float64 // ns of process CPU per task, median; 0 if not reported
	CPURatio         float64 // CPUPerTask / the baseline's
	RefRatio         float64 // MP: wall per task / this implementation's wall per task on c.Ref
	Allocs, Bytes    float64 // per task, medians
	Efficiency       float64 // W4, median
	P50, P99, P999   float64 // LAT, FAIR, ns, medians
	P50Ratio         float64 // LAT, FAIR: P50 / the baseline's
	P99Ratio         float64 // LAT, FAIR: P99 / the baseline's
	P999Ratio        float64 // LAT, FAIR: P999 / the baseline's
	Worst            float64 // FAIR: the longest Submit call, ns, median over rounds
	WorstRatio       float64 // FAIR: Worst / the baseline's
	Wall             float64 // ns, median
	WallRatio        float64 // Wall / the baseline's
	Utilisation      float64 // LAT, median
	PeakRSS          float64 // W1, bytes, median
	PeakHeap         float64
	PeakStack        float64
}

func primary(c Case, m Measurement) float64 {
	switch c.Kind {
	case Latency:
		return float64(m.P99)
	case SubmitWait:
		return float64(m.P999)
	}
	return float64(m.Wall)
}

func cpuPerTask(m Measurement) float64 { return m.CPUPerTask }
func p50(m Measurement) float64        { return float64(m.P50) }
func p99(m Measurement) float64        { return float64(m.P99) }
func p999(m Measurement) float64       { return float64(m.P999) }
func worst(m Measurement) float64      { return float64(m.Worst) }

// ratio returns f(s) / f(b), and false unless both are positive.
func ratio(s, b Measurement, f func(Measurement) float64) (float64, bool) {
	x, y := f(s), f(b)
	if x <= 0 || y <= 0 {
		return 0, false
	}
	return x / y, true
}

// series collects one value per round.
type series []float64

func (xs *series) put(x float64, ok bool) {
	if ok {
		*xs = append(*xs, x)
	}
}

// Summary returns one row per implementation that has samples for c, in
// the order of r.Impls.
func (r *Report) Summary(c Case) []Row {
	base := r.baseline(c)
	prim := func(m Measurement) float64 { return primary(c, m) }
	perTask := func(m Measurement) float64 { return float64(m.Wall) / float64(c.Tasks) }
	ref, refPerTask := r.refSamples(c)
	var rows []Row
	for _, im := range r.Impls {
		var v, ratios, cpu, cpuRatios, refRatios, allocs, bytes, eff series
		var p50s, p99s, p999s, p50Ratios, p99Ratios, p999Ratios, util, rss, heap, stack series
		var worsts, worstRatios, walls, wallRatios series
		for _, s := range r.Samples {
			if s.Case != c.Name || s.Impl != im.Name {
				continue
			}
			v = append(v, prim(s.M))
			if b, ok := base[s.Round]; ok {
				ratios.put(ratio(s.M, b.M, prim))
				cpuRatios.put(ratio(s.M, b.M, cpuPerTask))
				p50Ratios.put(ratio(s.M, b.M, p50))
				p99Ratios.put(ratio(s.M, b.M, p99))
				p999Ratios.put(ratio(s.M, b.M, p999))
				worstRatios.put(ratio(s.M, b.M, worst))
				wallRatios.put(ratio(s.M, b.M, wall))
			}
			if b, ok := ref[refKey{s.Impl, s.Round}]; ok {
				refRatios.put(perTask(s.M)/refPerTask(b.M), refPerTask(b.M) > 0)
			}
			cpu.put(s.M.CPUPerTask, s.M.CPUPerTask > 0)
			allocs = append(allocs, s.M.AllocsPerTask)
			bytes = append(bytes, s.M.BytesPerTask)
			eff = append(eff, s.M.Efficiency)
			p50s = append(p50s, float64(s.M.P50))
			p99s = append(p99s, float64(s.M.P99))
			p999s = append(p999s, float64(s.M.P999))
			worsts = append(worsts, float64(s.M.Worst))
			walls = append(walls, float64(s.M.Wall))
			util = append(util, s.M.Utilisation)
			rss = append(rss, float64(s.M.PeakRSS))
			heap = append(heap, float64(s.M.PeakHeap))
			stack = append(stack, float64(s.M.PeakStack))
		}
		if len(v) == 0 {
			continue
		}
		lo, hi := minMax(v)
		rows = append(rows, Row{Impl: im.Name, Rounds: len(v), Median: Median(v), Min: lo, Max: hi,
			Ratio: Median(ratios), CPUPerTask: Median(cpu), CPURatio: Median(cpuRatios), RefRatio: Median(refRatios),
			Allocs: Median(allocs), Bytes: Median(bytes), Efficiency: Median(eff),
			P50: Median(p50s), P99: Median(p99s), P999: Median(p999s), P50Ratio: Median(p50Ratios), P99Ratio: Median(p99Ratios),
			P999Ratio: Median(p999Ratios), Worst: Median(worsts), WorstRatio: Median(worstRatios), Wall: Median(walls),
			WallRatio:   Median(wallRatios),
			Utilisation: Median(util), PeakRSS: Median(rss), PeakHeap: Median(heap), PeakStack: Median(stack)})
	}
	return rows
}

type refKey struct {
	impl  string
	round int
}

// refSamples returns the samples of c.Ref by implementation and round,
// and their wall time per task; none if c has no Ref or it did not run.
func (r *Report) refSamples(c Case) (map[refKey]Sample, func(Measurement) float64) {
	ref := map[refKey]Sample{}
	for _, rc := range r.Cases {
		if c.Ref == "" || rc.Name != c.Ref {
			continue
		}
		for _, s := range r.Samples {
			if s.Case == rc.Name {
				ref[refKey{s.Impl, s.Round}] = s
			}
		}
		return ref, func(m Measurement) float64 { return float64(m.Wall) / float64(rc.Tasks) }
	}
	return ref, nil
}

// baseline returns the baseline's samples of case c by round, the
// denominators of the paired ratios.
func (r *Report) baseline(c Case) map[int]Sample {
	base := map[int]Sample{}
	for _, s := range r.Samples {
		if s.Case == c.Name && s.Impl == Baseline {
			base[s.Round] = s
		}
	}
	return base
}

// Median returns the median of xs, or NaN for none.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func minMax(xs []float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, x := range xs {
		lo, hi = min(lo, x), max(hi, x)
	}
	return lo, hi
}

// WriteResult writes data, a report or a chart, to path, making the
// folder if it is missing.
func WriteResult(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}
