//go:build unix

package benchmarks

import (
	"syscall"
	"time"
)

// processCPU returns the user plus system CPU time this process has used
// so far, over all its threads (getrusage RUSAGE_SELF), and whether the
// system reported it.
func processCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
