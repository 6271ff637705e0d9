package benchmarks

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"time"
)

// WriteUrgentSVG draws the urgent tasks' waits of every implementation on
// every URG case as horizontal bars on a log time scale: a bar to the p99,
// a thin dark one inside it to the p50, a tick at the longest wait, and a
// dashed line at the length of one bulk task, the wait the urgent lane is
// meant to stay within. The values are medians over rounds.
func WriteUrgentSVG(w io.Writer, r *UrgentReport) error {
	type group struct {
		c    UrgentCase
		rows []UrgentRow
	}
	var groups []group
	lines := 0
	lo, hi := math.Inf(1), 0.0
	var bulk []float64
	for _, c := range r.Cases {
		rows := r.Summary(c)
		if len(rows) == 0 {
			continue
		}
		groups = append(groups, group{c, rows})
		lines += len(rows)
		for _, row := range rows {
			for _, v := range []float64{row.P50, row.P99, row.Worst} {
				if v > 0 {
					lo, hi = min(lo, v), max(hi, v)
				}
			}
			if row.BulkTask > 0 {
				bulk = append(bulk, row.BulkTask)
			}
		}
	}
	if hi == 0 {
		lo, hi = float64(10*time.Microsecond), float64(10*time.Millisecond)
	}
	ticks := decades(lo, max(hi, float64(BulkTask)))
	first, last := math.Log10(ticks[0]), math.Log10(ticks[len(ticks)-1])
	if last == first {
		last++
	}
	left, right := float64(svgLabel+10), float64(svgWidth-240) // room on the right for the values
	x := func(ns float64) float64 {
		l := min(max(math.Log10(max(ns, 1)), first), last)
		return left + (l-first)/(last-first)*(right-left)
	}
	height := svgTop + len(groups)*svgHeader + lines*svgRow + 56

	b := bufio.NewWriter(w)
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n",
		svgWidth, height, svgWidth, height)
	fmt.Fprintf(b, `<rect x="0" y="0" width="%d" height="%d" fill="white"/>`+"\n", svgWidth, height)
	text(b, 10, 20, "start", "font-size=\"15\" font-weight=\"bold\"",
		fmt.Sprintf("Urgent task wait behind a saturated pool of %d (median of %d rounds; log scale, left is better)", UrgentCap, r.Rounds))
	text(b, 10, 38, "start", `fill="#555"`, r.Machine.String())
	for _, t := range ticks {
		gx := x(t)
		fmt.Fprintf(b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/>`+"\n", gx, svgTop-12, gx, height-46)
		text(b, gx, svgTop-16, "middle", `fill="#555"`, fmtNs(t))
	}
	if len(bulk) > 0 {
		bx := x(Median(bulk))
		fmt.Fprintf(b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#c05621" stroke-width="1.5" stroke-dasharray="5,4"/>`+"\n",
			bx, svgTop-12, bx, height-46)
		text(b, bx+4, float64(height-34), "start", `fill="#c05621"`, "one bulk task ("+fmtNs(Median(bulk))+")")
	}
	y := svgTop
	for _, g := range groups {
		text(b, 10, float64(y+svgHeader-8), "start", `font-weight="bold"`, g.c.Name)
		y += svgHeader
		for _, row := range g.rows {
			cy := float64(y) + svgRow/2
			text(b, svgLabel, cy+4, "end", "", row.Impl)
			bar := func(v, half float64, fill, what string) {
				fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.0f" fill="%s"><title>%s</title></rect>`+"\n",
					left, cy-half, math.Max(x(v)-left, 1), 2*half, fill, escape(fmt.Sprintf("%s %s %s: %s", g.c.Name, row.Impl, what, fmtNs(v))))
			}
			bar(row.P99, 6, barColor(row.Impl), "p99")
			bar(row.P50, 1.5, "#1a202c", "p50")
			mx := x(row.Worst)
			fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#1a202c" stroke-width="2"><title>%s</title></line>`+"\n",
				mx, cy-7, mx, cy+7, escape(fmt.Sprintf("%s %s max: %s", g.c.Name, row.Impl, fmtNs(row.Worst))))
			text(b, right+8, cy+4, "start", "", fmt.Sprintf("p50 %s · p99 %s · max %s", fmtNs(row.P50), fmtNs(row.P99), fmtNs(row.Worst)))
			y += svgRow
		}
	}
	text(b, 10, float64(height-10), "start", `fill="#555"`,
		"Bar: p99 (blue: antsgo; grey: ants v2; light: pond); thin dark bar: p50; tick: the longest wait. Figures in urgent.md.")
	fmt.Fprintln(b, `</svg>`)
	return b.Flush()
}

// decades returns the powers of ten from the one at or below lo to the
// first at or above hi (0 < lo <= hi).
func decades(lo, hi float64) []float64 {
	out := []float64{math.Pow(10, math.Floor(math.Log10(lo)))}
	for out[len(out)-1] < hi {
		out = append(out, out[len(out)-1]*10)
	}
	return out
}
