//go:build !unix

package benchmarks

import "time"

// processCPU reports no CPU time: this system has no getrusage, and the
// reports show n/a.
func processCPU() (time.Duration, bool) { return 0, false }
