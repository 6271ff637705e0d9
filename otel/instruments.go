package antsotel

import (
	"math"
	"time"

	"github.com/antsgo/ants"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// The attribute keys of the points.
const (
	// PoolNameKey is the key of the attribute that holds the name a pool
	// was registered under. It is namespaced by the library, as the naming
	// rules ask of a system-specific attribute, and follows the
	// {object}.name pattern of jvm.executor.name and jvm.memory.pool.name,
	// so it does not collide with a generic "pool" or "name" attribute of
	// other instrumentation (db.client.connection.pool.name is another).
	PoolNameKey = attribute.Key("ants.pool.name")

	// WorkerStateKey is the key of the attribute that splits
	// ants.pool.worker.count by state, as jvm.executor.thread.state splits
	// jvm.executor.thread.count. Its values are [StateBusy] and [StateIdle].
	WorkerStateKey = attribute.Key("ants.pool.worker.state")

	// DecisionKey is the key of the attribute that splits
	// ants.pool.adaptive.decision by decision. Its values are the String
	// of the decisions an adaptive controller makes, ants.DecisionHold,
	// ants.DecisionGrow and ants.DecisionShrink: "hold", "grow" and
	// "shrink".
	DecisionKey = attribute.Key("ants.pool.adaptive.decision")
)

// The values of [WorkerStateKey].
const (
	// StateBusy is the state of a worker running a task.
	StateBusy = "busy"
	// StateIdle is the state of a live worker not running a task.
	StateIdle = "idle"
)

// decisions are the values of DecisionKey, in the order of the attribute
// sets of an entry.
var decisions = [...]ants.Decision{ants.DecisionHold, ants.DecisionGrow, ants.DecisionShrink}

// kind is the kind of an instrument, and so the type of its values.
type kind uint8

const (
	upDownCounter kind = iota // int64 UpDownCounter: a count that goes up and down
	counter                   // int64 monotonic Counter: a cumulative count
	secondsGauge              // float64 Gauge in seconds: a duration, not additive
)

// spec describes one instrument and how to read it from a Stats.
type spec struct {
	name string
	unit string
	desc string
	kind kind
	read func(r reading)
}

// create creates the instrument of s on meter. On an error the meter may
// still return an instrument, which is then kept.
func (s *spec) create(meter metric.Meter) (instrument, error) {
	var (
		in  instrument
		err error
	)
	switch s.kind {
	case upDownCounter:
		in.i64, err = meter.Int64ObservableUpDownCounter(s.name, metric.WithUnit(s.unit), metric.WithDescription(s.desc))
	case counter:
		in.i64, err = meter.Int64ObservableCounter(s.name, metric.WithUnit(s.unit), metric.WithDescription(s.desc))
	case secondsGauge:
		in.f64, err = meter.Float64ObservableGauge(s.name, metric.WithUnit(s.unit), metric.WithDescription(s.desc))
	}
	return in, err
}

// instrument is an instrument New created: one of its fields is set, as
// the kind of its spec says, or neither if the meter created none.
type instrument struct {
	i64 metric.Int64Observable
	f64 metric.Float64Observable
}

// observable returns the instrument, or nil if there is none.
func (in instrument) observable() metric.Observable {
	switch {
	case in.i64 != nil:
		return in.i64
	case in.f64 != nil:
		return in.f64
	}
	return nil
}

// reading is what the read function of a spec needs to observe its
// instrument for one source.
type reading struct {
	o  metric.Observer
	in instrument
	s  *ants.Stats
	e  *entry
	i  int // index of the spec, for e.last
}

// gauge observes v with the attributes set.
func (r reading) gauge(v int, set metric.ObserveOption) {
	r.o.ObserveInt64(r.in.i64, int64(v), set)
}

// seconds observes the duration d in seconds.
func (r reading) seconds(d time.Duration) {
	r.o.ObserveFloat64(r.in.f64, d.Seconds(), r.e.pool)
}

// count observes the cumulative count v, raised to at least the value last
// reported for the entry (see the package doc, # Counters). The caller
// holds r.e.mu.
func (r reading) count(v uint64) {
	n := int64(min(v, math.MaxInt64))
	if n < r.e.last[r.i] {
		n = r.e.last[r.i]
	}
	r.e.last[r.i] = n
	r.o.ObserveInt64(r.in.i64, n, r.e.pool)
}

// decided reports whether the source has an adaptive controller that has
// made a decision, and so whether its run times hold a measurement.
func (r reading) decided() bool { return r.s.Decision != ants.DecisionNone }

// specs is the one table of the instruments: New creates them from it and
// the callback observes them through it.
var specs = [...]spec{
	{"ants.pool.worker.count", "{worker}",
		"Number of live workers of the pool, by state: busy (running a task) or idle.", upDownCounter,
		func(r reading) {
			r.gauge(r.s.Busy, r.e.busy)
			r.gauge(r.s.Idle, r.e.idle)
		}},
	{"ants.pool.worker.limit", "{worker}",
		"Maximum number of workers the pool runs at once; not reported for an unlimited pool or a keyed front.", upDownCounter,
		func(r reading) {
			if r.s.Capacity > 0 {
				r.gauge(r.s.Capacity, r.e.pool)
			}
		}},
	{"ants.pool.queue.size", "{task}",
		"Number of tasks the pool accepted and has not started yet.", upDownCounter,
		func(r reading) { r.gauge(r.s.Queued, r.e.pool) }},
	{"ants.pool.submitter.blocked", "{submitter}",
		"Number of submitters blocked waiting for a free slot in the pool.", upDownCounter,
		func(r reading) { r.gauge(r.s.Waiting, r.e.pool) }},
	{"ants.pool.key.count", "{key}",
		"Number of keys of a keyed front with a task running or waiting; 0 for a pool.", upDownCounter,
		func(r reading) { r.gauge(r.s.Keys, r.e.pool) }},
	{"ants.pool.task.submitted", "{task}",
		"Number of tasks the pool accepted.", counter,
		func(r reading) { r.count(r.s.Submitted) }},
	{"ants.pool.task.completed", "{task}",
		"Number of accepted tasks that finished, including those that panicked.", counter,
		func(r reading) { r.count(r.s.Completed) }},
	{"ants.pool.task.rejected", "{task}",
		"Number of submissions the pool refused because it was overloaded.", counter,
		func(r reading) { r.count(r.s.Rejected) }},
	{"ants.pool.task.panicked", "{task}",
		"Number of tasks that panicked.", counter,
		func(r reading) { r.count(r.s.Panicked) }},
	{"ants.pool.task.cancelled", "{task}",
		"Number of submissions abandoned because their context ended before the pool admitted the task.", counter,
		func(r reading) { r.count(r.s.Cancelled) }},
	{"ants.pool.adaptive.no_load_run_time", "s",
		"Adaptive capacity: the controller's estimate of the run time of a task that queues behind nothing.", secondsGauge,
		func(r reading) {
			if r.decided() {
				r.seconds(r.s.NoLoadRunTime)
			}
		}},
	{"ants.pool.adaptive.run_time", "s",
		"Adaptive capacity: the mean run time of the tasks timed in the controller's last window.", secondsGauge,
		func(r reading) {
			if r.decided() {
				r.seconds(r.s.RunTime)
			}
		}},
	{"ants.pool.adaptive.decision", "{pool}",
		"Adaptive capacity: 1 for the controller's last decision on the capacity (hold, grow or shrink), 0 for the other two.", upDownCounter,
		func(r reading) {
			if !r.decided() {
				return
			}
			for i, d := range decisions {
				last := 0
				if d == r.s.Decision {
					last = 1
				}
				r.gauge(last, r.e.decisions[i])
			}
		}},
}
