package benchmarks

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strings"
)

// Chart geometry, in pixels.
const (
	svgWidth  = 900
	svgLabel  = 200 // right edge of the implementation labels
	svgRight  = 60  // room for the value labels
	svgRow    = 18
	svgHeader = 26
	svgTop    = 70
)

// WriteSVG draws the paired ratio to the baseline of every implementation
// on every case as horizontal bars on a log2 scale that diverge from 1×:
// a bar to the left is faster (or, for LAT, a lower p99) than ants, one to
// the right slower. Bars beyond the scale are clipped and their value is
// printed.
func WriteSVG(w io.Writer, r *Report) error {
	type group struct {
		c    Case
		rows []Row
	}
	var groups []group
	span := 1.0 // half-width of the scale in powers of two
	lines := 0
	for _, c := range r.Cases {
		rows := r.Summary(c)
		if len(rows) == 0 {
			continue
		}
		groups = append(groups, group{c, rows})
		lines += len(rows)
		for _, row := range rows {
			if !math.IsNaN(row.Ratio) && row.Ratio > 0 {
				span = max(span, math.Ceil(math.Abs(math.Log2(row.Ratio))))
			}
		}
	}
	span = min(span, 5)
	height := svgTop + len(groups)*svgHeader + lines*svgRow + 40
	left, right := float64(svgLabel+10), float64(svgWidth-svgRight)
	x := func(ratio float64) float64 {
		l := min(max(math.Log2(ratio), -span), span)
		return left + (l+span)/(2*span)*(right-left)
	}
	one := x(1)

	b := bufio.NewWriter(w)
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n",
		svgWidth, height, svgWidth, height)
	fmt.Fprintf(b, `<rect x="0" y="0" width="%d" height="%d" fill="white"/>`+"\n", svgWidth, height)
	text(b, 10, 20, "start", "font-size=\"15\" font-weight=\"bold\"",
		fmt.Sprintf("Time relative to %s (paired per round, median of %d rounds; log scale, left is better)", Baseline, r.Rounds))
	text(b, 10, 38, "start", `fill="#555"`, r.Machine.String())
	for p := -span; p <= span; p++ {
		gx := x(math.Exp2(p))
		stroke := `stroke="#ddd"`
		if p == 0 {
			stroke = `stroke="#333" stroke-width="1.5"`
		}
		fmt.Fprintf(b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" %s/>`+"\n", gx, svgTop-12, gx, height-30, stroke)
		text(b, gx, svgTop-16, "middle", `fill="#555"`, ratioLabel(p))
	}
	y := svgTop
	for _, g := range groups {
		metric := map[Kind]string{Latency: "p99 latency", SubmitWait: "p99.9 submit wait"}[g.c.Kind]
		if metric == "" {
			metric = "wall"
		}
		text(b, 10, float64(y+svgHeader-8), "start", `font-weight="bold"`, fmt.Sprintf("%s (%s)", g.c.Name, metric))
		y += svgHeader
		for _, row := range g.rows {
			cy := float64(y) + svgRow/2
			text(b, svgLabel, cy+4, "end", "", row.Impl)
			if math.IsNaN(row.Ratio) || row.Ratio <= 0 {
				text(b, one+4, cy+4, "start", `fill="#555"`, "no baseline")
			} else {
				bx := x(row.Ratio)
				fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%d" fill="%s"><title>%s</title></rect>`+"\n",
					min(bx, one), cy-6, math.Max(math.Abs(bx-one), 1), 12, barColor(row.Impl), escape(fmt.Sprintf("%s %s: %.3f×", g.c.Name, row.Impl, row.Ratio)))
				text(b, right+6, cy+4, "start", "", fmt.Sprintf("%.2f×", row.Ratio))
			}
			y += svgRow
		}
	}
	text(b, 10, float64(height-10), "start", `fill="#555"`, "Dark blue: antsgo; grey: ants v2; light: others. Absolute times are in compare.md.")
	fmt.Fprintln(b, `</svg>`)
	return b.Flush()
}

func text(w io.Writer, x, y float64, anchor, attrs, s string) {
	fmt.Fprintf(w, `<text x="%.1f" y="%.1f" text-anchor="%s" %s>%s</text>`+"\n", x, y, anchor, attrs, escape(s))
}

func escape(s string) string {
	var sb strings.Builder
	_ = xml.EscapeText(&sb, []byte(s)) // writing to a strings.Builder cannot fail
	return sb.String()
}

func ratioLabel(p float64) string {
	if p >= 0 {
		return fmt.Sprintf("%g×", math.Exp2(p))
	}
	return fmt.Sprintf("1/%g×", math.Exp2(-p))
}

func barColor(impl string) string {
	switch {
	case strings.HasPrefix(impl, "antsgo"):
		return "#2b6cb0"
	case strings.HasPrefix(impl, "ants"):
		return "#718096"
	default:
		return "#b8c4d4"
	}
}
