// Command compare runs the workloads of package benchmarks on every
// implementation, interleaved over several rounds, and writes a markdown
// table and an SVG chart of the results.
//
// Run it from the benchmarks directory:
//
//	go run ./cmd/compare                      # full run, 3 rounds
//	go run ./cmd/compare -scale 0.1 -rounds 3 # quick look
//	go run ./cmd/compare -only W2,W4 -impls antsgo,ants,pond
//	go run ./cmd/compare -aa                  # ants against itself: the noise band
//	go run ./cmd/compare -only LAT/load=90 -impls antsgo -trace lat.trace
//
// Cases marked Child (W1) run in a fresh process per implementation and
// round: the command re-executes itself with the hidden -child flag, and
// the child's peak RSS (ru_maxrss) is charged to the implementation alone.
// cmd/ab runs every sample of its two builds through the same -child mode.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/antsgo/ants/benchmarks"
)

// samplePeriod is how often a child samples its heap and stacks.
const samplePeriod = 5 * time.Millisecond

// lineProbes is the number of round trips of the cache-line probe before
// each round, a few tens of milliseconds; sampleProbes that of the shorter
// probe before each sample.
const (
	lineProbes   = 100_000
	sampleProbes = 20_000
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		os.Exit(1)
	}
}

func run() error {
	rounds := flag.Int("rounds", 3, "number of rounds; each runs every case on every implementation once")
	scale := flag.Float64("scale", 1, "fraction of the task counts to run (e.g. 0.1 for a quick run)")
	only := flag.String("only", "", "comma list of workloads (W1,W2,W3,W4,W5,MP,LAT,FAIR) or case names (W2/cap=8); empty means all but FAIR")
	implList := flag.String("impls", "", "comma list of implementations; empty means all but ants-b and antsgo-sub")
	aa := flag.Bool("aa", false, "run ants against itself as \"ants\" and \"ants-b\" to measure the noise band")
	svgPath := flag.String("svg", "results/compare.svg", "file for the SVG chart")
	mdPath := flag.String("md", "results/compare.md", "file for the markdown table")
	tracePath := flag.String("trace", "", "run the one case of -only on the one implementation of -impls once, with runtime/trace writing to this file")
	child := flag.String("child", "", "internal: run this case once in this process and print the sample as JSON")
	childImpl := flag.String("child-impl", "", "internal: the implementation for -child")
	childProbe := flag.Int("child-probe", 0, "internal: probe the cache line with this many round trips just before the -child run")
	calib := flag.String("calib", "", "internal: the calibration to use, as JSON, instead of measuring one")
	flag.Usage = usage
	flag.Parse()

	if *scale <= 0 || *rounds < 1 {
		return errors.New("-scale must be positive and -rounds at least 1")
	}
	cases, err := benchmarks.SelectCases(benchmarks.Cases(*scale), *only)
	if err != nil {
		return err
	}
	if *aa && *implList == "" {
		*implList = "ants,ants-b"
	} else if *aa {
		*implList += ",ants,ants-b"
	}
	impls, err := benchmarks.SelectImpls(*implList)
	if err != nil {
		return err
	}
	if *calib != "" {
		var cal benchmarks.Calibration
		if err := json.Unmarshal([]byte(*calib), &cal); err != nil {
			return fmt.Errorf("-calib: %w", err)
		}
		if err := benchmarks.SetCalibration(cal); err != nil {
			return fmt.Errorf("-calib: %w", err)
		}
	}
	if *child != "" { // any case, the Extra ones included: cmd/ab names them with -child alone
		return runChild(*child, *childImpl, *childProbe, benchmarks.Cases(*scale), impls)
	}
	if *tracePath != "" {
		return runTraced(*tracePath, cases, impls)
	}

	rep := &benchmarks.Report{Machine: benchmarks.ThisMachine(), When: time.Now(), Rounds: *rounds, Cases: cases, Impls: impls,
		Command: strings.TrimSpace("go run ./cmd/compare " + strings.Join(os.Args[1:], " ")), LoadAvg: []string{benchmarks.LoadAverage()}}
	fmt.Fprintf(os.Stderr, "%s; load average %s\n", rep.Machine, rep.LoadAvg[0])
	begin := time.Now()
	for r := range *rounds {
		rep.LineTrips = append(rep.LineTrips, benchmarks.LineRoundTrip(lineProbes))
		for _, c := range cases {
			for i := range impls {
				im := impls[(i+r)%len(impls)] // rotate the start so no implementation always runs first
				if !im.Supports(c) {
					continue
				}
				line := benchmarks.LineRoundTrip(sampleProbes)
				m, err := measure(c, im, *scale)
				if err != nil {
					return err
				}
				fmt.Fprintf(os.Stderr, "round %d/%d  %-14s %-13s wall %-10v p99 %-10v line %v\n", r+1, *rounds, c.Name, im.Name,
					m.Wall.Round(time.Microsecond), m.P99, line)
				rep.Samples = append(rep.Samples, benchmarks.Sample{Case: c.Name, Impl: im.Name, Round: r, M: m, LineTrip: line})
			}
		}
	}
	rep.LineTrips = append(rep.LineTrips, benchmarks.LineRoundTrip(lineProbes))
	rep.LoadAvg = append(rep.LoadAvg, benchmarks.LoadAverage())
	fmt.Fprintf(os.Stderr, "done in %v; cache-line round trips %v; load average %s\n", time.Since(begin).Round(time.Second),
		rep.LineTrips, rep.LoadAvg[1])

	rep.Calibration = benchmarks.Calibrate() // measured by the runs already, unless no case needed it
	var md, svg bytes.Buffer
	if err := benchmarks.WriteMarkdown(&md, rep); err != nil {
		return err
	}
	if err := benchmarks.WriteSVG(&svg, rep); err != nil {
		return err
	}
	if _, err := os.Stdout.Write(md.Bytes()); err != nil {
		return err
	}
	return errors.Join(benchmarks.WriteResult(*mdPath, md.Bytes()), benchmarks.WriteResult(*svgPath, svg.Bytes()))
}

// measure runs c on im once, in a child process for cases that need one.
func measure(c benchmarks.Case, im benchmarks.Impl, scale float64) (benchmarks.Measurement, error) {
	if !c.Child {
		return benchmarks.Run(c, im)
	}
	var m benchmarks.Measurement
	exe, err := os.Executable()
	if err != nil {
		return m, err
	}
	cmd := exec.Command(exe, "-child", c.Name, "-child-impl", im.Name, "-impls", im.Name, "-scale", fmt.Sprint(scale))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return m, fmt.Errorf("child for %s on %s: %w", c.Name, im.Name, err)
	}
	var s benchmarks.Sample
	if err := json.Unmarshal(out, &s); err != nil {
		return m, fmt.Errorf("child for %s on %s: %w", c.Name, im.Name, err)
	}
	m = s.M
	// The child's own VmHWM is exact. The rusage of a child is only a
	// fallback: on Linux its ru_maxrss also counts the parent's memory at
	// the time of the fork, so once this process has grown, every child
	// would report at least its size.
	if m.PeakRSS == 0 {
		m.PeakRSS = maxRSS(cmd.ProcessState)
	}
	return m, nil
}

// runChild runs one case once, after a probe of probes cache-line round
// trips if probes > 0, and prints the sample as JSON. A case marked Child
// (W1) runs with its memory sampled and the process's own peak RSS, where
// the system reports it; any other runs as cmd/compare runs it in its own
// process. cmd/ab drives every sample of both builds through this.
func runChild(name, implName string, probes int, cases []benchmarks.Case, impls []benchmarks.Impl) error {
	c, im, err := pick(name, implName, cases, impls)
	if err != nil {
		return err
	}
	s := benchmarks.Sample{Case: c.Name, Impl: im.Name}
	if probes > 0 {
		s.LineTrip = benchmarks.LineRoundTrip(probes)
	}
	if c.Child {
		s.M, err = benchmarks.RunSampled(c, im, samplePeriod)
		s.M.PeakRSS = vmHWM()
	} else {
		s.M, err = benchmarks.Run(c, im)
	}
	if err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(s)
}

// pick finds the case and the implementation of these names.
func pick(name, implName string, cases []benchmarks.Case, impls []benchmarks.Impl) (benchmarks.Case, benchmarks.Impl, error) {
	for _, c := range cases {
		for _, im := range impls {
			if c.Name == name && im.Name == implName && im.Supports(c) {
				return c, im, nil
			}
		}
	}
	return benchmarks.Case{}, benchmarks.Impl{}, fmt.Errorf("no case %q with implementation %q", name, implName)
}

// vmHWM reads the peak RSS of this process from /proc/self/status (Linux),
// or returns 0.
func vmHWM() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb uint64
			if _, err := fmt.Sscanf(strings.TrimSpace(v), "%d kB", &kb); err == nil {
				return kb * 1024
			}
		}
	}
	return 0
}

// usage prints the flags other than the internal ones.
func usage() {
	out := flag.CommandLine.Output()
	fmt.Fprintf(out, "usage: go run ./cmd/compare [flags]\n\n")
	flag.VisitAll(func(f *flag.Flag) {
		if strings.HasPrefix(f.Usage, "internal:") {
			return
		}
		fmt.Fprintf(out, "  -%s\n    \t%s (default %q)\n", f.Name, f.Usage, f.DefValue)
	})
}
