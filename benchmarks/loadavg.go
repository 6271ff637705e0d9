package benchmarks

import (
	"fmt"
	"io"
	"os"
	"strings"
)

// LoadAverage returns the host's 1-, 5- and 15-minute load averages as
// /proc/loadavg states them ("10.63 10.07 8.74"), or "" where there is no
// such file. The reports record it at the start and the end of a run: on a
// host shared with other work it says how much else was running.
func LoadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

// writeLoad writes the load averages of a run on a host of cpus CPUs, if
// any were recorded.
func writeLoad(w io.Writer, loads []string, cpus int) {
	var got []string
	for _, l := range loads {
		if l != "" {
			got = append(got, l)
		}
	}
	if len(got) == 0 {
		return
	}
	fmt.Fprintf(w, "- Load average (1, 5, 15 min) at the start and the end of the run: %s "+
		"(the host has %d CPUs, and the run itself keeps up to %d busy: the figures at the start show the other work on the host, "+
		"those at the end include the run's own)\n", strings.Join(got, "; "), cpus, cpus)
}
