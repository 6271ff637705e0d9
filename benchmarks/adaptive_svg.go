package benchmarks

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strings"
)

// Geometry of the adaptive chart, in pixels.
const (
	adWidth  = 900
	adLeft   = 70
	adRight  = 20
	adPanel  = 120 // height of one panel
	adGap    = 46  // between panels, room for a title
	adHeader = 60
)

// WriteAdaptiveSVG draws, for each trace, the capacity of the pool over
// time (log scale) against the backend's K, and its throughput against the
// throughput of the best fixed capacity for that K (bestRate, calls per
// second; 0 draws no reference).
func WriteAdaptiveSVG(w io.Writer, title, subtitle string, traces []*Trace, bestRate func(k int) float64) error {
	height := adHeader + len(traces)*2*(adPanel+adGap) + 20
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n",
		adWidth, height, adWidth, height)
	fmt.Fprintf(b, `<rect x="0" y="0" width="%d" height="%d" fill="white"/>`+"\n", adWidth, height)
	text(b, 10, 20, "start", `font-size="15" font-weight="bold"`, title)
	text(b, 10, 38, "start", `fill="#555"`, subtitle)
	y := float64(adHeader)
	for _, tr := range traces {
		n := len(tr.Capacity)
		if n == 0 {
			continue
		}
		capMax, rateMax := 1.0, 1.0
		for i := range n {
			capMax = max(capMax, float64(tr.Capacity[i]), float64(tr.K[i]))
			rateMax = max(rateMax, tr.Rate(i), bestRate(tr.K[i]))
		}
		top := math.Exp2(math.Ceil(math.Log2(capMax)))
		seconds := float64(n) * tr.Bucket.Seconds()
		x := func(i int) float64 {
			return adLeft + (float64(i)+0.5)*tr.Bucket.Seconds()/seconds*(adWidth-adLeft-adRight)
		}
		capY := func(v float64) float64 { return y + adGap + adPanel*(1-math.Log2(max(v, 1))/math.Log2(top)) }
		text(b, 10, y+adGap-12, "start", `font-weight="bold"`, tr.Name+": capacity (blue, log scale) and the backend's K (grey, dashed)")
		frame(b, y+adGap, seconds)
		for p := 1.0; p <= top; p *= 4 {
			text(b, adLeft-6, capY(p)+4, "end", `fill="#555"`, fmt.Sprintf("%g", p))
		}
		line(b, n, x, func(i int) float64 { return capY(float64(tr.K[i])) }, `stroke="#999" stroke-dasharray="4 3"`)
		line(b, n, x, func(i int) float64 { return capY(float64(tr.Capacity[i])) }, `stroke="#2b6cb0" stroke-width="1.5"`)
		y += adPanel + adGap

		rateTop := rateMax * 1.1
		rateY := func(v float64) float64 { return y + adGap + adPanel*(1-v/rateTop) }
		text(b, 10, y+adGap-12, "start", `font-weight="bold"`, tr.Name+": throughput, calls/s (blue) and that of the best fixed capacity (grey, dashed)")
		frame(b, y+adGap, seconds)
		for _, f := range []float64{0, 0.5, 1} {
			text(b, adLeft-6, rateY(f*rateMax)+4, "end", `fill="#555"`, fmt.Sprintf("%.0f", f*rateMax))
		}
		line(b, n, x, func(i int) float64 { return rateY(bestRate(tr.K[i])) }, `stroke="#999" stroke-dasharray="4 3"`)
		line(b, n, x, func(i int) float64 { return rateY(tr.Rate(i)) }, `stroke="#2b6cb0" stroke-width="1.5"`)
		y += adPanel + adGap
	}
	fmt.Fprintln(b, `</svg>`)
	return b.Flush()
}

// frame draws a panel's box at y and its time axis, in seconds.
func frame(w io.Writer, y, seconds float64) {
	right := float64(adWidth - adRight)
	fmt.Fprintf(w, `<rect x="%d" y="%.1f" width="%d" height="%d" fill="none" stroke="#ccc"/>`+"\n", adLeft, y, adWidth-adLeft-adRight, adPanel)
	for s := 0.0; s <= seconds; s++ {
		sx := adLeft + s/seconds*(right-adLeft)
		fmt.Fprintf(w, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#eee"/>`+"\n", sx, y, sx, y+adPanel)
		text(w, sx, y+adPanel+14, "middle", `fill="#555"`, fmt.Sprintf("%gs", s))
	}
}

// line draws a polyline through n points.
func line(w io.Writer, n int, x, y func(int) float64, attrs string) {
	var sb strings.Builder
	for i := range n {
		fmt.Fprintf(&sb, "%.1f,%.1f ", x(i), y(i))
	}
	fmt.Fprintf(w, `<polyline fill="none" %s points="%s"/>`+"\n", attrs, strings.TrimSpace(sb.String()))
}
