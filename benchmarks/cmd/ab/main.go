// Command ab compares this library at two revisions in one interleaved
// run: by default the working tree (B, the candidate) against main (A,
// the baseline), on the workloads of package benchmarks, and writes a
// markdown report of the paired per-round ratios B/A split by host state.
//
// Run it from the benchmarks directory:
//
//	go run ./cmd/ab                          # the working tree against main, 5 rounds
//	go run ./cmd/ab -base v0.3.0 -cand HEAD  # two commits
//	go run ./cmd/ab -aa                      # main against itself: the noise band
//
// Go links one version of a module into a binary, so the two revisions
// cannot share a process. ab extracts the baseline with git archive into
// a temporary directory and builds cmd/compare twice from this working
// tree's benchmarks module, once with the library replaced by that
// directory and once by the candidate, extracted the same way or copied
// from the working tree into a directory of the same length (-modfile:
// temporary copies of go.mod and go.sum; the harness is the same in both,
// and so is the layout of the binaries' data). It then runs every
// sample as a child process of one build or the other (cmd/compare's
// -child mode), alternating the builds, each child probing the cache line
// just before its run, and both sides sharing one calibration of the W4
// and LAT tasks.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/antsgo/ants/benchmarks"
)

// lineProbes is the number of round trips of the cache-line probe before
// each round; sampleProbes that of the probe each child takes just before
// its run (the same as cmd/compare's).
const (
	lineProbes   = 100_000
	sampleProbes = 20_000
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "ab:", err)
		os.Exit(1)
	}
}

func run() error {
	base := flag.String("base", "main", "git revision of the baseline (A)")
	cand := flag.String("cand", "", "git revision of the candidate (B); empty means the working tree, uncommitted changes included")
	aa := flag.Bool("aa", false, "run the baseline against itself (A/A): the noise band")
	rounds := flag.Int("rounds", 5, "number of rounds; each runs every case on every implementation once per build")
	scale := flag.Float64("scale", 1, "fraction of the task counts to run")
	only := flag.String("only", "", "comma list of workloads (W1,W2,W3,W4,W5,MP,LAT,FAIR) or case names; empty means all but FAIR")
	implList := flag.String("impls", "antsgo", "comma list of implementations to run from both builds")
	tags := flag.String("tags", "", "build tags for both builds")
	mdPath := flag.String("md", "results/ab.md", "file for the markdown report")
	jsonPath := flag.String("json", "", "file for the report with every sample, as JSON; empty means none")
	keep := flag.Bool("work", false, "print the temporary directory and keep it")
	flag.Parse()

	if *scale <= 0 || *rounds < 1 {
		return errors.New("-scale must be positive and -rounds at least 1")
	}
	if *aa && *cand != "" {
		return errors.New("-aa runs the baseline against itself; it takes no -cand")
	}
	cases, err := benchmarks.SelectCases(benchmarks.Cases(*scale), *only)
	if err != nil {
		return err
	}
	impls, err := benchmarks.SelectImpls(*implList)
	if err != nil {
		return err
	}

	benchDir, err := os.Getwd()
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(benchDir, "cmd", "compare")); err != nil {
		return errors.New("run ab from the benchmarks directory of the repository")
	}
	repo, err := git(benchDir, "rev-parse", "--show-toplevel")
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "antsgo-ab-")
	if err != nil {
		return err
	}
	if *keep {
		fmt.Fprintf(os.Stderr, "WORK=%s\n", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}

	a, b, err := sides(repo, benchDir, tmp, *base, *cand, *aa, *tags)
	if err != nil {
		return err
	}
	rep := &benchmarks.ABReport{Machine: benchmarks.ThisMachine(), When: time.Now(), Base: a.desc, Cand: b.desc, AA: *aa,
		Rounds: *rounds, Cases: cases, Command: strings.TrimSpace("go run ./cmd/ab " + strings.Join(os.Args[1:], " ")),
		Calibration: benchmarks.Calibrate(), LoadAvg: []string{benchmarks.LoadAverage()}}
	for _, im := range impls {
		rep.Impls = append(rep.Impls, im.Name)
	}
	calib, err := json.Marshal(rep.Calibration)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "%s\nA: %s\nB: %s\n", rep.Machine, a.desc, b.desc)

	begin := time.Now()
	for r := range *rounds {
		rep.LineTrips = append(rep.LineTrips, benchmarks.LineRoundTrip(lineProbes))
		order := []*side{&a, &b}
		if r%2 == 1 {
			order = []*side{&b, &a}
		}
		for _, c := range cases {
			for _, im := range impls {
				if !im.Supports(c) {
					continue
				}
				for _, s := range order {
					sample, err := child(s.bin, c, im, *scale, calib)
					if err != nil {
						return err
					}
					sample.Round = r
					isB := s == &b
					rep.Samples = append(rep.Samples, benchmarks.ABSample{Sample: sample, Cand: isB})
					fmt.Fprintf(os.Stderr, "round %d/%d  %-20s %-13s %s  wall %-10v p99 %-10v CPU/task %-8.0f line %v\n", r+1, *rounds,
						c.Name, im.Name, map[bool]string{false: "A", true: "B"}[isB], sample.M.Wall.Round(time.Microsecond), sample.M.P99,
						sample.M.CPUPerTask, sample.LineTrip)
				}
			}
		}
	}
	rep.LineTrips = append(rep.LineTrips, benchmarks.LineRoundTrip(lineProbes))
	rep.LoadAvg = append(rep.LoadAvg, benchmarks.LoadAverage())
	fmt.Fprintf(os.Stderr, "done in %v; load average %s\n", time.Since(begin).Round(time.Second), rep.LoadAvg[1])

	var md bytes.Buffer
	if err := benchmarks.WriteABMarkdown(&md, rep); err != nil {
		return err
	}
	if _, err := os.Stdout.Write(md.Bytes()); err != nil {
		return err
	}
	err = benchmarks.WriteResult(*mdPath, md.Bytes())
	if *jsonPath != "" {
		j, jerr := json.MarshalIndent(rep, "", "\t")
		err = errors.Join(err, jerr, benchmarks.WriteResult(*jsonPath, j))
	}
	return err
}

// sides prepares and builds the baseline and the candidate; with aa the
// candidate is the baseline's build itself.
func sides(repo, benchDir, tmp, base, cand string, aa bool, tags string) (a, b side, err error) {
	if a, err = checkout(repo, base, filepath.Join(tmp, "base")); err != nil {
		return a, b, err
	}
	if err = build(&a, "base", benchDir, tmp, tags); err != nil {
		return a, b, err
	}
	if aa {
		return a, a, nil
	}
	if cand == "" {
		b, err = workingTree(repo, filepath.Join(tmp, "cand"))
	} else {
		b, err = checkout(repo, cand, filepath.Join(tmp, "cand"))
	}
	if err != nil {
		return a, b, err
	}
	return a, b, build(&b, "cand", benchDir, tmp, tags)
}

// child runs one sample of c on im in a fresh process of bin and returns
// it: exactly what cmd/compare does for a sample, the probe included.
func child(bin string, c benchmarks.Case, im benchmarks.Impl, scale float64, calib []byte) (benchmarks.Sample, error) {
	var s benchmarks.Sample
	cmd := exec.Command(bin, "-child", c.Name, "-child-impl", im.Name, "-impls", im.Name, "-scale", fmt.Sprint(scale),
		"-child-probe", fmt.Sprint(sampleProbes), "-calib", string(calib))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return s, fmt.Errorf("%s on %s (%s): %w", c.Name, im.Name, bin, err)
	}
	if err := json.Unmarshal(out, &s); err != nil {
		return s, fmt.Errorf("%s on %s (%s): %w", c.Name, im.Name, bin, err)
	}
	return s, nil
}
