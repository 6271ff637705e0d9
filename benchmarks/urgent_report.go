package benchmarks

import (
	"bufio"
	"fmt"
	"io"
	"time"
)

// UrgentSample is one run of one URG case on one implementation.
type UrgentSample struct {
	Case     string
	Impl     string
	Round    int
	M        UrgentMeasurement
	LineTrip time.Duration // LineRoundTrip probed just before the run; 0 if not probed
}

// UrgentReport holds a URG run (cmd/urgent).
type UrgentReport struct {
	Machine   Machine
	Command   string
	When      time.Time
	Rounds    int
	Cases     []UrgentCase
	Impls     []UrgentImpl
	Samples   []UrgentSample
	LineTrips []time.Duration // probed before each round and after the last
	LoadAvg   []string        // LoadAverage at the start and the end of the run
}

// urgentRef is the implementation whose bulk rate and urgent wait the
// ×antsgo columns divide by: this library without a sub-pool, so the
// ratio is what the urgent lane changes.
const urgentRef = "antsgo"

// UrgentRow summarises one implementation on one URG case over the rounds:
// medians over rounds, and paired ratios (per round, then the median; NaN
// where the denominator did not run).
type UrgentRow struct {
	Impl                string
	Rounds              int
	P50, P99, Worst     float64 // ns
	P99Min, P99Max      float64 // ns, over rounds
	P99Ants             float64 // p99 / ants' p99
	P99Ref              float64 // p99 / antsgo's p99
	BulkRate            float64 // bulk tasks per second
	BulkAnts            float64 // bulk rate / ants'
	BulkRef             float64 // bulk rate / antsgo's
	BulkTask            float64 // ns
	SlotsBusy           float64
	Near, Far, Unprobed int // rounds by the host state the probe before the sample read
}

// Summary returns a row per implementation that ran c, in the order of
// r.Impls.
func (r *UrgentReport) Summary(c UrgentCase) []UrgentRow {
	by := func(impl string) map[int]UrgentSample {
		out := map[int]UrgentSample{}
		for _, s := range r.Samples {
			if s.Case == c.Name && s.Impl == impl {
				out[s.Round] = s
			}
		}
		return out
	}
	ants, ref := by(Baseline), by(urgentRef)
	p99 := func(m UrgentMeasurement) float64 { return float64(m.P99) }
	rate := func(m UrgentMeasurement) float64 { return m.BulkRate }
	paired := func(s UrgentSample, base map[int]UrgentSample, f func(UrgentMeasurement) float64) (float64, bool) {
		b, ok := base[s.Round]
		if !ok || f(s.M) <= 0 || f(b.M) <= 0 {
			return 0, false
		}
		return f(s.M) / f(b.M), true
	}
	var rows []UrgentRow
	for _, im := range r.Impls {
		var p50s, p99s, worsts, p99Ants, p99Ref, rates, rateAnts, rateRef, tasks, busy series
		row := UrgentRow{Impl: im.Name}
		for _, s := range r.Samples {
			if s.Case != c.Name || s.Impl != im.Name {
				continue
			}
			p50s = append(p50s, float64(s.M.P50))
			p99s = append(p99s, float64(s.M.P99))
			worsts = append(worsts, float64(s.M.Worst))
			rates = append(rates, s.M.BulkRate)
			tasks = append(tasks, float64(s.M.BulkTask))
			busy = append(busy, s.M.SlotsBusy)
			p99Ants.put(paired(s, ants, p99))
			p99Ref.put(paired(s, ref, p99))
			rateAnts.put(paired(s, ants, rate))
			rateRef.put(paired(s, ref, rate))
			switch StateOf(s.LineTrip, s.LineTrip) {
			case Near:
				row.Near++
			case Far:
				row.Far++
			default:
				row.Unprobed++
			}
		}
		if len(p99s) == 0 {
			continue
		}
		row.Rounds = len(p99s)
		row.P50, row.P99, row.Worst = Median(p50s), Median(p99s), Median(worsts)
		row.P99Min, row.P99Max = minMax(p99s)
		row.P99Ants, row.P99Ref = Median(p99Ants), Median(p99Ref)
		row.BulkRate, row.BulkAnts, row.BulkRef = Median(rates), Median(rateAnts), Median(rateRef)
		row.BulkTask, row.SlotsBusy = Median(tasks), Median(busy)
		rows = append(rows, row)
	}
	return rows
}

// WriteUrgentMarkdown writes a URG report: a header saying where and how
// it ran, a table per case and the legend.
func WriteUrgentMarkdown(w io.Writer, r *UrgentReport) error {
	b := bufio.NewWriter(w)
	writeHead(b, "Urgent work behind bulk work", r.Machine, r.Command, r.When, r.Rounds, interleaved)
	writeTrips(b, r.LineTrips)
	writeLoad(b, r.LoadAvg, r.Machine.NumCPU)
	fmt.Fprintf(b, "- Workload: a pool of capacity %d kept saturated by %d goroutines submitting bulk tasks in a loop, "+
		"each a time.Sleep(%v); one urgent task (also a time.Sleep(%v)) arrives every %v. "+
		"Urgent wait: from the task's arrival (its scheduled time, or the pacer's wake-up if later) to its start, "+
		"so a Submit that blocks is charged for its own task and for any that fall due behind it.\n",
		UrgentCap, UrgentBulkers, BulkTask, BulkTask, UrgentEvery)
	fmt.Fprintf(b, "- Columns: medians over rounds; p99 min–max over rounds; ×ants and ×%s: the ratio to that implementation "+
		"in the same round, then the median (below 1: a shorter wait, or fewer bulk tasks). Bulk/s: bulk tasks started per second "+
		"while the urgent ones arrived; bulk task: their measured mean length (the sleep and the timer's slack); "+
		"slots busy: the share of the capacity that tasks held meanwhile. States: the rounds whose probe before the sample "+
		"read near (n, below %v) or far (f).\n", urgentRef, NearLine)
	for _, c := range r.Cases {
		rows := r.Summary(c)
		if len(rows) == 0 {
			continue
		}
		fmt.Fprintf(b, "\n## %s: %s urgent tasks; %s\n\n", c.Name, thousands(c.Urgent), c.Title)
		fmt.Fprintf(b, "| impl | urgent p50 | urgent p99 | p99 min–max | urgent max | p99 ×ants | p99 ×%s | bulk/s | bulk/s ×ants | bulk/s ×%s | bulk task | slots busy | states |\n",
			urgentRef, urgentRef)
		fmt.Fprintf(b, "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|\n")
		for _, row := range rows {
			fmt.Fprintf(b, "| %s | %s | %s | %s–%s | %s | %s | %s | %s | %s | %s | %s | %.1f%% | %s |\n",
				row.Impl, fmtNs(row.P50), fmtNs(row.P99), fmtNs(row.P99Min), fmtNs(row.P99Max), fmtNs(row.Worst),
				fmtRatio(row.P99Ants), fmtRatio(row.P99Ref), fmtRate(row.BulkRate), fmtRatio(row.BulkAnts), fmtRatio(row.BulkRef),
				fmtNs(row.BulkTask), 100*row.SlotsBusy, fmtStates(row))
		}
		if c.Queue > 0 {
			fmt.Fprintf(b, "\nants v2 has no queue, so it does not run this case.\n")
		}
	}
	fmt.Fprintf(b, "\n## Implementations\n\n")
	for _, im := range r.Impls {
		fmt.Fprintf(b, "- **%s**: %s\n", im.Name, im.Note)
	}
	return b.Flush()
}

func fmtStates(row UrgentRow) string {
	s := fmt.Sprintf("%dn %df", row.Near, row.Far)
	if row.Unprobed > 0 {
		s += fmt.Sprintf(" %d unprobed", row.Unprobed)
	}
	return s
}
