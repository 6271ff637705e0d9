// Package benchmarks compares github.com/antsgo/ants with ants v2 and the
// other pools Go programs use, on a fixed set of workloads: sleeping
// tasks, tiny tasks from one or many submitters, short CPU-bound tasks, a
// function pool, multi-pools, submit-to-start latency and, on request, the
// time of every Submit call under a flood of submitters (FAIR).
//
// Each implementation sits behind a Runner (or Invoker) adapter in
// peers.go; Cases lists the workloads, Run measures one case on one
// implementation (wall time, CPU time, allocations, latency), RunTraced
// does the same under runtime/trace, and Report, WriteMarkdown and
// WriteSVG turn the samples of an interleaved run into the tables and
// chart under results/. ABReport and WriteABMarkdown do the same for two
// builds of this library at different revisions. LineRoundTrip probes the
// state of the host, which the hand-off workloads depend on, and
// LoadAverage how busy the host is. UrgentCases, RunUrgent, UrgentReport
// and its writers measure how long an urgent task waits behind a pool
// saturated by bulk work (URG). The command cmd/compare drives the
// comparison with the peers, cmd/ab the comparison of two revisions,
// cmd/urgent the URG workload; see README.md.
package benchmarks
