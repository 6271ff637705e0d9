package benchmarks

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
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
}

// Row summarises one implementation on one case over the rounds. The
// primary metric is the wall time, or the p99 latency for LAT cases.
type Row struct {
	Impl             string
	Rounds           int
	Median, Min, Max float64 // primary metric, ns
	Ratio            float64 // median over rounds of primary / the baseline's primary in the same round; NaN without a baseline
	Allocs, Bytes    float64 // per task, medians
	Efficiency       float64 // W4, median
	P50, P99, P999   float64 // LAT, ns, medians
	Utilisation      float64 // LAT, median
	PeakRSS          float64 // W1, bytes, median
	PeakHeap         float64
	PeakStack        float64
}

func primary(c Case, m Measurement) float64 {
	if c.Kind == Latency {
		return float64(m.P99)
	}
	return float64(m.Wall)
}

// Summary returns one row per implementation that has samples for c, in
// the order of r.Impls.
func (r *Report) Summary(c Case) []Row {
	base := r.baseline(c)
	var rows []Row
	for _, im := range r.Impls {
		var prim, ratio, allocs, bytes, eff, p50, p99, p999, util, rss, heap, stack []float64
		for _, s := range r.Samples {
			if s.Case != c.Name || s.Impl != im.Name {
				continue
			}
			v := primary(c, s.M)
			prim = append(prim, v)
			if b, ok := base[s.Round]; ok && primary(c, b.M) > 0 {
				ratio = append(ratio, v/primary(c, b.M))
			}
			allocs = append(allocs, s.M.AllocsPerTask)
			bytes = append(bytes, s.M.BytesPerTask)
			eff = append(eff, s.M.Efficiency)
			p50 = append(p50, float64(s.M.P50))
			p99 = append(p99, float64(s.M.P99))
			p999 = append(p999, float64(s.M.P999))
			util = append(util, s.M.Utilisation)
			rss = append(rss, float64(s.M.PeakRSS))
			heap = append(heap, float64(s.M.PeakHeap))
			stack = append(stack, float64(s.M.PeakStack))
		}
		if len(prim) == 0 {
			continue
		}
		lo, hi := minMax(prim)
		rows = append(rows, Row{Impl: im.Name, Rounds: len(prim), Median: Median(prim), Min: lo, Max: hi,
			Ratio: Median(ratio), Allocs: Median(allocs), Bytes: Median(bytes), Efficiency: Median(eff),
			P50: Median(p50), P99: Median(p99), P999: Median(p999), Utilisation: Median(util),
			PeakRSS: Median(rss), PeakHeap: Median(heap), PeakStack: Median(stack)})
	}
	return rows
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

// WriteMarkdown writes the report as markdown: a header with the machine
// and command, one table per case, and the legend of implementations.
func WriteMarkdown(w io.Writer, r *Report) error {
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, "# antsgo vs. peers\n\n")
	fmt.Fprintf(b, "- Machine: %s\n", r.Machine)
	fmt.Fprintf(b, "- Command: `%s`\n", r.Command)
	fmt.Fprintf(b, "- Date: %s; rounds: %d, implementations interleaved within each round (start rotated per round)\n",
		r.When.UTC().Format("2006-01-02 15:04 MST"), r.Rounds)
	if len(r.LineTrips) > 0 {
		trips := make([]string, len(r.LineTrips))
		for i, d := range r.LineTrips {
			trips[i] = fmtNs(float64(d))
		}
		fmt.Fprintf(b, "- Cache-line round trip between the two cores (LineRoundTrip), before each round and after the last: %s\n",
			strings.Join(trips, ", "))
	}
	fmt.Fprintf(b, "- ×%s: the ratio to ants v2.12.1 computed per round, then the median; below 1 is better. "+
		"Time columns are medians and min–max over rounds.\n", Baseline)
	for _, c := range r.Cases {
		rows := r.Summary(c)
		if len(rows) == 0 {
			continue
		}
		fmt.Fprintf(b, "\n## %s: %s tasks; %s\n\n", c.Name, thousands(c.Tasks), c.Title)
		switch c.Kind {
		case Latency:
			fmt.Fprintf(b, "| impl | p50 | p99 | p99 min–max | p99.9 | p99 ×%s | load seen | allocs/task | B/task |\n", Baseline)
			fmt.Fprintf(b, "|---|--:|--:|--:|--:|--:|--:|--:|--:|\n")
			for _, row := range rows {
				fmt.Fprintf(b, "| %s | %s | %s | %s–%s | %s | %s | %.0f%% | %.2f | %.0f |\n", row.Impl, fmtNs(row.P50), fmtNs(row.P99),
					fmtNs(row.Min), fmtNs(row.Max), fmtNs(row.P999), fmtRatio(row.Ratio), 100*row.Utilisation, row.Allocs, row.Bytes)
			}
			fmt.Fprintf(b, "\nLatency runs from a task's arrival (its scheduled time, or the pacer's wake-up if later) to its start: "+
				"a blocking Submit is charged for its own task and for those that fall due behind it. "+
				"Load seen = measured mean task duration × arrival rate / workers; timer slack makes it exceed the nominal load. "+
				"allocs/task includes the harness's closure per task.\n")
			continue
		}
		head := fmt.Sprintf("| impl | wall | min–max | ×%s | allocs/task | B/task |", Baseline)
		rule := "|---|--:|--:|--:|--:|--:|"
		switch c.Kind {
		case Sleep:
			head += " peak RSS | peak heap | peak stacks |"
			rule += "--:|--:|--:|"
		case CPU:
			head += " efficiency |"
			rule += "--:|"
		}
		fmt.Fprintf(b, "%s\n%s\n", head, rule)
		for _, row := range rows {
			fmt.Fprintf(b, "| %s | %s | %s–%s | %s | %.2f | %.0f |", row.Impl, fmtNs(row.Median), fmtNs(row.Min), fmtNs(row.Max),
				fmtRatio(row.Ratio), row.Allocs, row.Bytes)
			switch c.Kind {
			case Sleep:
				fmt.Fprintf(b, " %s | %s | %s |", fmtBytes(row.PeakRSS), fmtBytes(row.PeakHeap), fmtBytes(row.PeakStack))
			case CPU:
				fmt.Fprintf(b, " %.0f%% |", 100*row.Efficiency)
			}
			fmt.Fprintln(b)
		}
		switch c.Kind {
		case Sleep:
			fmt.Fprintf(b, "\nFloor for a pool of %s workers: %s. Peak RSS is the child process's ru_maxrss; heap and stacks are sampled.\n",
				thousands(c.Cap), fmtNs(float64(SleepTask)*math.Ceil(float64(c.Tasks)/float64(c.Cap))))
		case CPU:
			iters, cost := Spin()
			fmt.Fprintf(b, "\nEfficiency = tasks × %v per task (%d spin rounds, measured) / GOMAXPROCS / wall.\n", cost, iters)
		}
	}
	writeStates(b, r)
	fmt.Fprintf(b, "\n## Implementations\n\n")
	for _, im := range r.Impls {
		fmt.Fprintf(b, "- **%s**: %s\n", im.Name, im.Note)
	}
	return b.Flush()
}

func fmtRatio(x float64) string {
	if math.IsNaN(x) {
		return "–"
	}
	return fmt.Sprintf("%.2f", x)
}

func fmtNs(ns float64) string {
	switch {
	case math.IsNaN(ns) || math.IsInf(ns, 0):
		return "–"
	case ns < 1e3:
		return fmt.Sprintf("%.0fns", ns)
	case ns < 1e6:
		return fmt.Sprintf("%.1fµs", ns/1e3)
	case ns < 1e9:
		return fmt.Sprintf("%.1fms", ns/1e6)
	default:
		return fmt.Sprintf("%.2fs", ns/1e9)
	}
}

func fmtBytes(b float64) string {
	switch {
	case math.IsNaN(b) || b <= 0:
		return "n/a"
	case b < 1<<20:
		return fmt.Sprintf("%.0f KiB", b/(1<<10))
	default:
		return fmt.Sprintf("%.1f MiB", b/(1<<20))
	}
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
