package benchmarks

import "io"

// RunTraced is Run with runtime/trace writing an execution trace to w from
// the start of the timed span to the end of its last task: the tool to
// find where a task's start latency goes. It calibrates first, so that the
// calibration stays out of the trace. In a LAT case each task is also a
// trace task named "submit→start", from its Submit call to its start, and
// each Submit call a region named "Submit" of it; `go tool trace` lists
// the tasks with their durations and the goroutine events of each (see
// README.md). The report's latency runs from the task's arrival instead,
// so it also counts the time the task waited behind a blocking Submit of
// an earlier one, which the "Submit" regions show.
//
// Tracing costs a little on every scheduler event, so a traced run
// measures slower than an untraced one; compare its events, not its
// times.
func RunTraced(c Case, im Impl, w io.Writer) (Measurement, error) {
	Calibrate()
	return run(c, im, w)
}
