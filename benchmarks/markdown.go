package benchmarks

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strings"
	"time"
)

// WriteMarkdown writes the report as markdown: a header with the machine
// and command, one table per case, the ratios by host state and the legend
// of implementations.
func WriteMarkdown(w io.Writer, r *Report) error {
	b := bufio.NewWriter(w)
	writeHead(b, "antsgo vs. peers", r.Machine, r.Command, r.When, r.Rounds, interleaved)
	writeTrips(b, r.LineTrips)
	writeLoad(b, r.LoadAvg, r.Machine.NumCPU)
	fmt.Fprintf(b, "- ×%s: the ratio to ants v2.12.1 computed per round, then the median; below 1 is better. "+
		"Time columns are medians and min–max over rounds. CPU/task is the user + system CPU time of the whole process "+
		"(getrusage) over the wall time, divided by the tasks.\n", Baseline)
	for _, c := range r.Cases {
		rows := r.Summary(c)
		if len(rows) == 0 {
			continue
		}
		fmt.Fprintf(b, "\n## %s: %s tasks; %s\n\n", c.Name, thousands(c.Tasks), c.Title)
		switch c.Kind {
		case Latency:
			writeLatency(b, r, c, rows)
		case SubmitWait:
			writeSubmitWait(b, c, rows)
		default:
			writeWall(b, r, c, rows)
		}
	}
	writeStates(b, r)
	writeVariants(b, r)
	fmt.Fprintf(b, "\n## Implementations\n\n")
	for _, im := range r.Impls {
		fmt.Fprintf(b, "- **%s**: %s\n", im.Name, im.Note)
	}
	return b.Flush()
}

// interleaved is how the rounds of cmd/compare and cmd/urgent run, for
// writeHead.
const interleaved = ", implementations interleaved within each round (start rotated per round)"

// writeHead writes a report's title and the lines that say on what, by
// which command and when it ran; how follows the number of rounds.
func writeHead(b io.Writer, title string, m Machine, command string, when time.Time, rounds int, how string) {
	fmt.Fprintf(b, "# %s\n\n", title)
	fmt.Fprintf(b, "- Machine: %s\n", m)
	fmt.Fprintf(b, "- Command: `%s`\n", command)
	fmt.Fprintf(b, "- Date: %s; rounds: %d%s\n", when.UTC().Format("2006-01-02 15:04 MST"), rounds, how)
}

// writeTrips writes the cache-line probes of the rounds, if any.
func writeTrips(b io.Writer, lineTrips []time.Duration) {
	if len(lineTrips) == 0 {
		return
	}
	trips := make([]string, len(lineTrips))
	for i, d := range lineTrips {
		trips[i] = fmtNs(float64(d))
	}
	fmt.Fprintf(b, "- Cache-line round trip between the two cores (LineRoundTrip), before each round and after the last: %s\n",
		strings.Join(trips, ", "))
}

// writeLatency writes the table of a LAT case.
func writeLatency(b io.Writer, r *Report, c Case, rows []Row) {
	x := "×" + Baseline
	fmt.Fprintf(b, "| impl | p50 | p99 | p99 min–max | p99.9 | p50 %s | p99 %s | p99.9 %s | CPU/task | CPU %s | load seen | task ÷ nominal | allocs/task | B/task |\n",
		x, x, x, x)
	fmt.Fprintf(b, "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, row := range rows {
		fmt.Fprintf(b, "| %s | %s | %s | %s–%s | %s | %s | %s | %s | %s | %s | %.1f%% | %.3f | %.2f | %.0f |\n",
			row.Impl, fmtNs(row.P50), fmtNs(row.P99), fmtNs(row.Min), fmtNs(row.Max), fmtNs(row.P999),
			fmtRatio(row.P50Ratio), fmtRatio(row.Ratio), fmtRatio(row.P999Ratio), fmtNs(row.CPUPerTask), fmtRatio(row.CPURatio),
			100*row.Utilisation, row.Utilisation/c.Load, row.Allocs, row.Bytes)
	}
	nominal := "the calibrated length of time.Sleep(" + LatencyTask.String() + ") on the idle host"
	if r.Calibration.Sleep > 0 {
		nominal += " (" + fmtNs(float64(r.Calibration.Sleep)) + ")"
	}
	fmt.Fprintf(b, "\nLatency runs from a task's arrival (its scheduled time, or the pacer's wake-up if later) to its start: "+
		"a blocking Submit is charged for its own task and for those that fall due behind it. "+
		"Load seen = measured mean task duration × arrival rate / workers (nominal %.0f%%). "+
		"Task ÷ nominal = the measured mean task length ÷ %s, which sets the pace: above 1, the timers that end the sleeps slipped. "+
		"allocs/task includes the harness's closure per task.\n", 100*c.Load, nominal)
}

// writeSubmitWait writes the table of a FAIR case.
func writeSubmitWait(b io.Writer, c Case, rows []Row) {
	x := "×" + Baseline
	fmt.Fprintf(b, "| impl | p50 | p99 | p99.9 | p99.9 min–max | max | p99 %s | p99.9 %s | max %s | wall | tasks/s | wall %s | CPU/task | allocs/task |\n",
		x, x, x, x)
	fmt.Fprintf(b, "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, row := range rows {
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s–%s | %s | %s | %s | %s | %s | %s | %s | %s | %.2f |\n",
			row.Impl, fmtNs(row.P50), fmtNs(row.P99), fmtNs(row.P999), fmtNs(row.Min), fmtNs(row.Max), fmtNs(row.Worst),
			fmtRatio(row.P99Ratio), fmtRatio(row.Ratio), fmtRatio(row.WorstRatio), fmtNs(row.Wall),
			fmtRate(float64(c.Tasks)/row.Wall*1e9), fmtRatio(row.WallRatio), fmtNs(row.CPUPerTask), row.Allocs)
	}
	fmt.Fprintf(b, "\nEach of the %d submitters times every one of its Submit calls, from the call to its return, "+
		"with nothing else in its loop; the percentiles and the max are over all %s calls of a run, then the median over rounds. "+
		"An implementation with an unbounded queue (pond) never blocks its submitters, so its times are those of an enqueue: a reference, "+
		"not a policy. max is a single call and moves most from run to run.\n", c.Submitters, thousands(c.Tasks))
}

// fmtRate formats a rate per second.
func fmtRate(x float64) string {
	switch {
	case math.IsNaN(x) || math.IsInf(x, 0) || x <= 0:
		return "–"
	case x >= 1e6:
		return fmt.Sprintf("%.2fM", x/1e6)
	case x >= 1e3:
		return fmt.Sprintf("%.1fk", x/1e3)
	}
	return fmt.Sprintf("%.0f", x)
}

// writeWall writes the table of a case measured by wall time.
func writeWall(b io.Writer, r *Report, c Case, rows []Row) {
	head := fmt.Sprintf("| impl | wall | min–max | ×%s |", Baseline)
	rule := "|---|--:|--:|--:|"
	if c.Ref != "" {
		head += " ×1 pool |"
		rule += "--:|"
	}
	head += fmt.Sprintf(" CPU/task | CPU ×%s | allocs/task | B/task |", Baseline)
	rule += "--:|--:|--:|--:|"
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
		fmt.Fprintf(b, "| %s | %s | %s–%s | %s |", row.Impl, fmtNs(row.Median), fmtNs(row.Min), fmtNs(row.Max), fmtRatio(row.Ratio))
		if c.Ref != "" {
			fmt.Fprintf(b, " %s |", fmtRatio(row.RefRatio))
		}
		fmt.Fprintf(b, " %s | %s | %.2f | %.0f |", fmtNs(row.CPUPerTask), fmtRatio(row.CPURatio), row.Allocs, row.Bytes)
		switch c.Kind {
		case Sleep:
			fmt.Fprintf(b, " %s | %s | %s |", fmtBytes(row.PeakRSS), fmtBytes(row.PeakHeap), fmtBytes(row.PeakStack))
		case CPU:
			fmt.Fprintf(b, " %.0f%% |", 100*row.Efficiency)
		}
		fmt.Fprintln(b)
	}
	switch {
	case c.Kind == Sleep:
		fmt.Fprintf(b, "\nFloor for a pool of %s workers: %s. Peak RSS is the child process's ru_maxrss; heap and stacks are sampled.\n",
			thousands(c.Cap), fmtNs(float64(SleepTask)*math.Ceil(float64(c.Tasks)/float64(c.Cap))))
	case c.Kind == CPU:
		cost := "its measured CPU time"
		if r.Calibration.SpinCost > 0 {
			cost = fmt.Sprintf("%v (%d spin rounds, measured)", r.Calibration.SpinCost, r.Calibration.SpinIters)
		}
		fmt.Fprintf(b, "\nEfficiency = tasks × %s per task / GOMAXPROCS / wall.\n", cost)
	case c.Pools > 0:
		fmt.Fprintf(b, "\nOnly the implementations with a multi-pool run this case; ×%s divides by ants' multi-pool of the same shape. "+
			"×1 pool divides the wall time per task by the same implementation's on %s (one pool of the same total capacity) in the same round.\n",
			Baseline, c.Ref)
	}
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
