// Command urgent runs the URG workload of package benchmarks: urgent
// tasks arriving at a steady pace at a pool saturated by bulk tasks, on
// this library with an urgent sub-pool and without one, on ants v2 and on
// pond v2 with a sub-pool, interleaved over several rounds. It writes a
// markdown table and an SVG chart of the urgent tasks' waits and of the
// bulk throughput.
//
// Run it from the benchmarks directory:
//
//	go run ./cmd/urgent                        # both cases, 5 rounds: about 4 minutes
//	go run ./cmd/urgent -scale 0.2 -rounds 2   # a quick look
//	go run ./cmd/urgent -only blocking -impls antsgo-sub,ants
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/antsgo/ants/benchmarks"
)

// lineProbes and sampleProbes are the round trips of the cache-line probe
// before each round and before each sample, as in cmd/compare.
const (
	lineProbes   = 100_000
	sampleProbes = 20_000
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "urgent:", err)
		os.Exit(1)
	}
}

func run() error {
	rounds := flag.Int("rounds", 5, "number of rounds; each runs every case on every implementation once")
	scale := flag.Float64("scale", 1, "fraction of the 300 urgent tasks (3 s of arrivals) per run")
	only := flag.String("only", "", "comma list of cases (blocking, queue=64); empty means both")
	implList := flag.String("impls", "", "comma list of implementations (antsgo-sub, antsgo, ants, pond-sub); empty means all")
	mdPath := flag.String("md", "results/urgent.md", "file for the markdown table")
	svgPath := flag.String("svg", "results/urgent.svg", "file for the SVG chart")
	flag.Parse()
	if *scale <= 0 || *rounds < 1 {
		return errors.New("-scale must be positive and -rounds at least 1")
	}
	cases, err := benchmarks.SelectUrgentCases(benchmarks.UrgentCases(*scale), *only)
	if err != nil {
		return err
	}
	impls, err := benchmarks.SelectUrgentImpls(*implList)
	if err != nil {
		return err
	}

	rep := &benchmarks.UrgentReport{Machine: benchmarks.ThisMachine(), When: time.Now(), Rounds: *rounds, Cases: cases, Impls: impls,
		Command: strings.TrimSpace("go run ./cmd/urgent " + strings.Join(os.Args[1:], " ")), LoadAvg: []string{benchmarks.LoadAverage()}}
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
				m, err := benchmarks.RunUrgent(c, im)
				if err != nil {
					return err
				}
				fmt.Fprintf(os.Stderr, "round %d/%d  %-13s %-10s urgent p50 %-10v p99 %-10v max %-10v bulk/s %6.0f  line %v\n",
					r+1, *rounds, c.Name, im.Name, m.P50.Round(time.Microsecond), m.P99.Round(time.Microsecond),
					m.Worst.Round(time.Microsecond), m.BulkRate, line)
				rep.Samples = append(rep.Samples, benchmarks.UrgentSample{Case: c.Name, Impl: im.Name, Round: r, M: m, LineTrip: line})
			}
		}
	}
	rep.LineTrips = append(rep.LineTrips, benchmarks.LineRoundTrip(lineProbes))
	rep.LoadAvg = append(rep.LoadAvg, benchmarks.LoadAverage())
	fmt.Fprintf(os.Stderr, "done in %v; load average %s\n", time.Since(begin).Round(time.Second), rep.LoadAvg[1])

	var md, svg bytes.Buffer
	if err := benchmarks.WriteUrgentMarkdown(&md, rep); err != nil {
		return err
	}
	if err := benchmarks.WriteUrgentSVG(&svg, rep); err != nil {
		return err
	}
	if _, err := os.Stdout.Write(md.Bytes()); err != nil {
		return err
	}
	return errors.Join(benchmarks.WriteResult(*mdPath, md.Bytes()), benchmarks.WriteResult(*svgPath, svg.Bytes()))
}
