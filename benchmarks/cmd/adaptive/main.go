// Command adaptive measures ants.WithAdaptiveCapacity against fixed
// capacities, in front of a simulated backend of K slots (see
// benchmarks.Backend) whose K the pool is not told.
//
// Run it from the benchmarks directory:
//
//	go run ./cmd/adaptive              # K=64, hold 2ms, Max 512: about 90 s
//	go run ./cmd/adaptive -w           # also W1–W5 against fixed capacities
//	go run ./cmd/adaptive -k 40 -hold 5ms
//
// It sweeps fixed capacities around K (and around 2K and K/2), picks the
// best (benchmarks.Best), then runs the adaptive pool from Min and from Max
// and through K doubling and halving, and reports throughput and p99 task
// latency against the best fixed capacity, how long each run takes to
// settle within 90 % of its throughput and 1.5× its p99, and a chart of
// capacity and throughput over time.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/antsgo/ants"
	"github.com/antsgo/ants/benchmarks"
)

type config struct {
	k, maxCap, submitters int
	hold, run, sweep      time.Duration
	w, sim                bool
	scale                 float64
	wRounds               int
}

func main() {
	var cfg config
	flag.IntVar(&cfg.k, "k", 64, "the backend's slots, unknown to the pool")
	flag.DurationVar(&cfg.hold, "hold", 2*time.Millisecond, "how long a call holds a slot")
	flag.IntVar(&cfg.maxCap, "max", 512, "Adaptive.Max, and the starting capacity of the run from Max")
	flag.IntVar(&cfg.submitters, "submitters", 8, "goroutines submitting calls")
	flag.DurationVar(&cfg.run, "run", 4*time.Second, "length of an adaptive run, and of each phase of the run where K changes")
	flag.DurationVar(&cfg.sweep, "sweep", 2*time.Second, "length of each fixed-capacity run")
	flag.BoolVar(&cfg.w, "w", false, "also run W1–W5 with fixed and adaptive capacities")
	flag.BoolVar(&cfg.sim, "sim", true, "run the backend simulation (false with -w: W1–W5 only)")
	flag.Float64Var(&cfg.scale, "scale", 0.2, "with -w: fraction of the task counts of W1–W5")
	flag.IntVar(&cfg.wRounds, "wrounds", 5, "with -w: rounds of W1–W5")
	md := flag.String("md", "results/adaptive.md", "file for the markdown report")
	svg := flag.String("svg", "results/adaptive.svg", "file for the chart")
	flag.Parse()
	if cfg.wRounds < 1 || cfg.scale <= 0 {
		fmt.Fprintln(os.Stderr, "adaptive: -wrounds must be at least 1 and -scale positive")
		os.Exit(2)
	}
	if err := run(cfg, *md, *svg); err != nil {
		fmt.Fprintln(os.Stderr, "adaptive:", err)
		os.Exit(1)
	}
}

func run(cfg config, mdPath, svgPath string) error {
	var out bytes.Buffer
	report := func(format string, args ...any) {
		fmt.Fprintf(&out, format, args...)
		fmt.Printf(format, args...)
	}
	machine := benchmarks.ThisMachine()
	report("# Adaptive capacity against fixed capacities\n\n")
	report("- Machine: %s\n", machine)
	report("- Command: `go run ./cmd/adaptive %s`\n", strings.Join(os.Args[1:], " "))
	report("- Date: %s\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	report("- Backend: K=%d slots held %v per call, calls beyond K queue inside it, beyond 2K each hold grows by hold×(inside−2K)/2K; %d submitters\n",
		cfg.k, cfg.hold, cfg.submitters)
	report("- Adaptive pool: `WithAdaptiveCapacity(Adaptive{Min: 1, Max: %d})`\n", cfg.maxCap)
	report("- Cache-line round trip before the runs (LineRoundTrip): %v\n\n", benchmarks.LineRoundTrip(100_000))

	if !cfg.sim {
		if err := workloads(cfg, report); err != nil {
			return err
		}
		return benchmarks.WriteResult(mdPath, out.Bytes())
	}
	best := map[int]benchmarks.Fixed{}
	for _, k := range []int{cfg.k, 2 * cfg.k, max(cfg.k/2, 1)} {
		sweep, err := sweepAt(cfg, k, report)
		if err != nil {
			return err
		}
		best[k] = benchmarks.Best(sweep)
	}
	bestRate := func(k int) float64 { return best[k].Throughput }

	report("\n## Adaptive runs\n\n")
	report("Throughput and p99 are over the second half of each run (each phase for the run where K changes); ")
	report("settle is the time from the start (or the change) after which the calls, up to the end of the phase and from every later %v boundary up to its last second, keep ≥ 90 %% of the best fixed throughput ", bucket)
	report("and the calls keep a p99 run time ≤ 1.5× the best fixed one.\n\n")
	report("| run | K | mean capacity | calls/s | × best | p99 run | × best | p99 Submit→end | × best | settle |\n|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	adaptive := func(size int) func() (*ants.Pool, error) {
		return func() (*ants.Pool, error) {
			return ants.NewPool(size, ants.WithAdaptiveCapacity(ants.Adaptive{Min: 1, Max: cfg.maxCap}))
		}
	}
	var traces []*benchmarks.Trace
	for _, s := range []benchmarks.Scenario{
		{Name: "from Min (1)", NewPool: adaptive(0), Duration: cfg.run},
		{Name: fmt.Sprintf("from Max (%d)", cfg.maxCap), NewPool: adaptive(cfg.maxCap), Duration: cfg.run},
		{Name: "K doubles, then halves", NewPool: adaptive(0), Duration: 3 * cfg.run,
			Changes: []benchmarks.KChange{{At: cfg.run, K: 2 * cfg.k}, {At: 2 * cfg.run, K: max(cfg.k/2, 1)}}},
	} {
		s.K, s.Hold, s.Submitters, s.Bucket = cfg.k, cfg.hold, cfg.submitters, bucket
		tr, err := benchmarks.RunScenario(s)
		if err != nil {
			return err
		}
		traces = append(traces, tr)
		for from := time.Duration(0); from < s.Duration; from += cfg.run {
			k := tr.K[min(int((from+cfg.run/2)/bucket), len(tr.K)-1)]
			b := best[k]
			o := tr.Over(from+cfg.run/2, from+cfg.run)
			settle := "never"
			if d, err := tr.Settled(from, from+cfg.run, 0.9*b.Throughput, b.P99Run*3/2); err == nil {
				settle = d.Round(time.Millisecond).String()
			}
			report("| %s | %d | %.1f | %.0f | %.2f | %v | %.2f | %v | %.2f | %s |\n", s.Name, k, o.Capacity,
				o.Throughput, o.Throughput/b.Throughput, o.P99Run.Round(10*time.Microsecond), ratio(o.P99Run, b.P99Run),
				o.P99Total.Round(10*time.Microsecond), ratio(o.P99Total, b.P99Total), settle)
		}
	}
	if cfg.w {
		if err := workloads(cfg, report); err != nil {
			return err
		}
	}
	report("\n- Cache-line round trip after the runs: %v\n", benchmarks.LineRoundTrip(100_000))

	if err := benchmarks.WriteResult(mdPath, out.Bytes()); err != nil {
		return err
	}
	var chart bytes.Buffer
	subtitle := fmt.Sprintf("K=%d slots held %v, unknown to the pool; Adaptive{Min: 1, Max: %d}; %s", cfg.k, cfg.hold, cfg.maxCap, machine)
	if err := benchmarks.WriteAdaptiveSVG(&chart, "Adaptive capacity in front of a backend of K slots", subtitle, traces, bestRate); err != nil {
		return err
	}
	return benchmarks.WriteResult(svgPath, chart.Bytes())
}

// bucket is the resolution of the traces.
const bucket = 100 * time.Millisecond

// sweepAt runs fixed capacities around k and reports them.
func sweepAt(cfg config, k int, report func(string, ...any)) ([]benchmarks.Fixed, error) {
	factors := []float64{0.75, 0.875, 1, 1.125, 1.25}
	if k == cfg.k {
		factors = []float64{0.25, 0.5, 0.75, 0.875, 1, 1.125, 1.25, 1.5, 2, 4, 8}
	}
	report("\n## Fixed capacities, K=%d\n\n| capacity | calls/s | p99 run | p99 Submit→end |\n|--:|--:|--:|--:|\n", k)
	var sweep []benchmarks.Fixed
	seen := map[int]bool{}
	for _, f := range factors {
		c := min(max(int(f*float64(k)+0.5), 1), cfg.maxCap*8)
		if seen[c] {
			continue
		}
		seen[c] = true
		tr, err := benchmarks.RunScenario(benchmarks.Scenario{
			Name: fmt.Sprintf("fixed %d", c), K: k, Hold: cfg.hold, Duration: cfg.sweep,
			Submitters: cfg.submitters, Bucket: bucket,
			NewPool: func() (*ants.Pool, error) { return ants.NewPool(c) },
		})
		if err != nil {
			return nil, err
		}
		o := tr.Over(cfg.sweep/4, cfg.sweep)
		sweep = append(sweep, benchmarks.Fixed{Capacity: c, Outcome: o})
		report("| %d | %.0f | %v | %v |\n", c, o.Throughput, o.P99Run.Round(10*time.Microsecond), o.P99Total.Round(10*time.Microsecond))
	}
	b := benchmarks.Best(sweep)
	report("\nBest fixed capacity at K=%d: %d (%.0f calls/s, p99 run %v).\n", k, b.Capacity, b.Throughput, b.P99Run.Round(10*time.Microsecond))
	return sweep, nil
}

// workloads runs W1–W5 on fixed capacities around each case's capacity and
// on an adaptive pool started at the case's capacity and at Min, the five
// interleaved in each round and rotated from round to round, with the
// host's state probed before each sample. The ratios divide by the wall, in
// the same round, of the fixed capacity of the lowest median wall: the
// lowest of three noisy walls in each round would be biased low.
func workloads(cfg config, report func(string, ...any)) error {
	report("\n## W1–W5: wall time of adaptive pools against fixed capacities\n\n")
	report("Scale %g; %d rounds, the five pools of a case interleaved in each round and rotated from round to round. ", cfg.scale, cfg.wRounds)
	report("Fixed: the case's capacity c, c/4 and 4c. Adaptive: `Adaptive{Min: 1, Max: 4c}`, started at c and at Min. ")
	report("Walls are medians over the rounds; best is the fixed capacity of the lowest median wall, and × best the median over the rounds of the adaptive wall ÷ that capacity's wall in the same round, ")
	report("over all rounds and over the rounds whose five probes were all near (below %v) or all far.\n\n", benchmarks.NearLine)
	report("| case | c/4 | c | 4c | best | adaptive from c | × best | near | far | adaptive from Min | × best | near | far |\n|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	cases, err := benchmarks.SelectCases(benchmarks.Cases(cfg.scale), "W1,W2,W3,W4,W5")
	if err != nil {
		return err
	}
	antsgo := benchmarks.Impls()[0]
	for _, c := range cases {
		pools := wPools(c, antsgo)
		walls := make([][]float64, len(pools))
		var near, far []bool
		for r := range cfg.wRounds {
			wall := make([]time.Duration, len(pools))
			allNear, allFar := true, true
			for i := range pools {
				j := (i + r) % len(pools)
				probe := benchmarks.LineRoundTrip(20_000)
				allNear, allFar = allNear && probe < benchmarks.NearLine, allFar && probe >= benchmarks.NearLine
				m, err := benchmarks.Run(pools[j].c, pools[j].im)
				if err != nil {
					return err
				}
				wall[j] = m.Wall
				walls[j] = append(walls[j], float64(m.Wall))
				runtime.GC()
			}
			near, far = append(near, allNear), append(far, allFar)
			fmt.Fprintf(os.Stderr, "round %d/%d %-13s fixed %v %v %v  adaptive %v %v  near=%v far=%v\n",
				r+1, cfg.wRounds, c.Name, round(wall[0]), round(wall[1]), round(wall[2]), round(wall[3]), round(wall[4]), allNear, allFar)
		}
		// The best fixed capacity is the one of the lowest median wall;
		// each round's ratio divides by its wall in that round.
		best := 0
		for i := 1; i < 3; i++ {
			if benchmarks.Median(walls[i]) < benchmarks.Median(walls[best]) {
				best = i
			}
		}
		var fromC, fromMin [3][]float64 // all rounds, near ones, far ones
		for r := range cfg.wRounds {
			for k, into := range []*[3][]float64{&fromC, &fromMin} {
				x := walls[3+k][r] / walls[best][r]
				into[0] = append(into[0], x)
				if near[r] {
					into[1] = append(into[1], x)
				}
				if far[r] {
					into[2] = append(into[2], x)
				}
			}
		}
		med := func(xs []float64) time.Duration { return round(time.Duration(benchmarks.Median(xs))) }
		report("| %s | %v | %v | %v | %s | %v | %s | %s | %s | %v | %s | %s | %s |\n", c.Name, med(walls[0]), med(walls[1]), med(walls[2]), []string{"c/4", "c", "4c"}[best],
			med(walls[3]), medRatio(fromC[0]), medRatio(fromC[1]), medRatio(fromC[2]),
			med(walls[4]), medRatio(fromMin[0]), medRatio(fromMin[1]), medRatio(fromMin[2]))
	}
	return nil
}

// wPool is one of the pools a W case runs on.
type wPool struct {
	c  benchmarks.Case
	im benchmarks.Impl
}

// wPools returns the pools of case c: fixed capacities c/4, c and 4c, and
// adaptive pools started at c and at Min.
func wPools(c benchmarks.Case, antsgo benchmarks.Impl) []wPool {
	var pools []wPool
	for _, f := range []float64{0.25, 1, 4} {
		cc := c
		cc.Cap = max(int(f*float64(c.Cap)), 1)
		pools = append(pools, wPool{cc, antsgo})
	}
	for _, fromMin := range []bool{false, true} {
		opt := ants.WithAdaptiveCapacity(ants.Adaptive{Min: 1, Max: 4 * c.Cap})
		start := func(size int) int { return size }
		if fromMin {
			start = func(int) int { return 0 }
		}
		pools = append(pools, wPool{c, benchmarks.Impl{Name: "antsgo-adaptive",
			New: func(size int) (benchmarks.Runner, error) {
				return benchmarks.NewAntsgo(start(size), opt)
			},
			NewFunc: func(size int, fn func(int)) (benchmarks.Invoker, error) {
				return benchmarks.NewAntsgoFunc(start(size), fn, opt)
			},
		}})
	}
	return pools
}

// medRatio formats the median of xs, or a dash for none.
func medRatio(xs []float64) string {
	if len(xs) == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f (%d)", benchmarks.Median(xs), len(xs))
}

func ratio(a, b time.Duration) float64 { return float64(a) / float64(b) }

func round(d time.Duration) time.Duration { return d.Round(100 * time.Microsecond) }
