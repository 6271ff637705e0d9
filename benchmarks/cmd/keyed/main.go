//go:build !ab_old

// Command keyed compares per-key execution designs on the keyed cases of
// package benchmarks: the keyed front of github.com/antsgo/ants, a plain
// Submit of the same tasks, a mutex-and-queue-per-key wrapper over ants v2
// and a hash-to-fixed-worker design. It runs the implementations
// interleaved over several rounds, rotating which goes first, probes the
// host's state before every sample, and writes a markdown report.
//
// Run it from the benchmarks directory:
//
//	go run ./cmd/keyed                        # every case, 3 rounds
//	go run ./cmd/keyed -scale 0.1 -rounds 2   # a quick look
//	go run ./cmd/keyed -only tiny -impls keyed
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

// Probe lengths: before each round, and before each sample.
const (
	lineProbes   = 100_000
	sampleProbes = 20_000
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "keyed:", err)
		os.Exit(1)
	}
}

func run() error {
	rounds := flag.Int("rounds", 3, "number of rounds; each runs every case on every implementation once")
	scale := flag.Float64("scale", 1, "fraction of the task counts to run")
	only := flag.String("only", "", "comma list of cases (tiny, tiny/keys=10, uneven, idle); empty means all")
	implList := flag.String("impls", "", "comma list of implementations besides plain (keyed, mutex, fixed); empty means all")
	mdPath := flag.String("md", "results/keyed.md", "file for the markdown report")
	flag.Parse()
	if *scale <= 0 || *rounds < 1 {
		return errors.New("-scale must be positive and -rounds at least 1")
	}
	cases, err := benchmarks.SelectKeyedCases(benchmarks.KeyedCases(*scale), *only)
	if err != nil {
		return err
	}
	impls, err := benchmarks.SelectKeyedImpls(*implList)
	if err != nil {
		return err
	}
	rep := &benchmarks.KeyedReport{Machine: benchmarks.ThisMachine(), When: time.Now(), Rounds: *rounds, Cases: cases, Impls: impls,
		Command: strings.TrimSpace("go run ./cmd/keyed " + strings.Join(os.Args[1:], " "))}
	fmt.Fprintf(os.Stderr, "%s\n", rep.Machine)
	begin := time.Now()
	for r := range *rounds {
		rep.LineTrips = append(rep.LineTrips, benchmarks.LineRoundTrip(lineProbes))
		for _, c := range cases {
			for i := range impls {
				im := impls[(i+r)%len(impls)]
				line := benchmarks.LineRoundTrip(sampleProbes)
				m, err := benchmarks.RunKeyed(c, im)
				if err != nil {
					return err
				}
				fmt.Fprintf(os.Stderr, "round %d/%d  %-15s %-6s %8.0f ns/task  cpu %8.0f ns/task  p99 %-10v kept %.2f B/key  line %v\n",
					r+1, *rounds, c.Name, im.Name, m.NsPerTask(c), m.CPUPerTask(c), m.P99, m.RetainedPerKey, line)
				rep.Samples = append(rep.Samples, benchmarks.KeyedSample{Case: c.Name, Impl: im.Name, Round: r, M: m, LineTrip: line})
			}
		}
	}
	rep.LineTrips = append(rep.LineTrips, benchmarks.LineRoundTrip(lineProbes))
	fmt.Fprintf(os.Stderr, "done in %v\n", time.Since(begin).Round(time.Second))
	var md bytes.Buffer
	if err := benchmarks.WriteKeyedMarkdown(&md, rep); err != nil {
		return err
	}
	if _, err := os.Stdout.Write(md.Bytes()); err != nil {
		return err
	}
	return benchmarks.WriteResult(*mdPath, md.Bytes())
}
