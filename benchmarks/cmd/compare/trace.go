package main

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/antsgo/ants/benchmarks"
)

// runTraced runs the one selected case on the one selected implementation
// once with runtime/trace on (benchmarks.RunTraced), writes the trace to
// path and prints the measurement to standard error.
func runTraced(path string, cases []benchmarks.Case, impls []benchmarks.Impl) error {
	if len(cases) != 1 || len(impls) != 1 {
		return errors.New("-trace needs -only naming one case (e.g. LAT/load=90) and -impls naming one implementation")
	}
	c, im := cases[0], impls[0]
	if !im.Supports(c) {
		return fmt.Errorf("%s does not run %s", im.Name, c.Name)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	m, err := benchmarks.RunTraced(c, im, f)
	if err := errors.Join(err, f.Close()); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "%s on %s: wall %v, CPU/task %.0fns", c.Name, im.Name, m.Wall.Round(time.Microsecond), m.CPUPerTask)
	switch c.Kind {
	case benchmarks.Latency:
		fmt.Fprintf(os.Stderr, ", p50 %v, p99 %v, p99.9 %v, load seen %.1f%%", m.P50, m.P99, m.P999, 100*m.Utilisation)
	case benchmarks.SubmitWait:
		fmt.Fprintf(os.Stderr, ", Submit p50 %v, p99 %v, p99.9 %v, max %v", m.P50, m.P99, m.P999, m.Worst)
	}
	fmt.Fprintf(os.Stderr, "\ntrace written to %s; read it with: go tool trace %s\n", path, path)
	return nil
}
