package ants

import (
	"context"
	"errors"
	"sync/atomic"
	"time"
)

// Stats is a snapshot of a pool's gauges and cumulative counters, as
// returned by the Stats method of every face. Each field is read atomically
// but not all at the same instant, so on a busy pool the gauges may
// disagree by the few tasks that moved between two reads. Each cumulative
// counter is its own atomic and never decreases from one snapshot to the
// next.
type Stats struct {
	// Capacity is the pool's capacity, or -1 if it is unlimited.
	Capacity int
	// Workers is the number of live worker goroutines (Running()).
	Workers int
	// Busy is the number of tasks being run.
	Busy int
	// Idle is the number of live workers not running a task.
	Idle int
	// Waiting is the number of submitters blocked waiting for a slot. (The
	// Waiting method of a pool adds the queued tasks of a pool with a
	// queue; this field does not: see Queued.)
	Waiting int
	// Queued is the number of accepted tasks not yet started: on the
	// queue, on their way to a worker, or waiting for a slot without a
	// goroutine (continuations, and a sub-pool's own queue).
	Queued int
	// Submitted counts the tasks accepted since the pool was built.
	Submitted uint64
	// Completed counts the accepted tasks that have finished, panics
	// included.
	Completed uint64
	// Rejected counts the submissions refused with ErrPoolOverload. A
	// multi-pool counts a submission once, even when it offered the task
	// to a second pool after the first refused it.
	Rejected uint64
	// Panicked counts the tasks that panicked.
	Panicked uint64
	// Cancelled counts the submissions abandoned because their context was
	// done before the task was admitted.
	Cancelled uint64
	// Keys is the number of keys with pending work of a Keyed front; it is
	// 0 for a pool.
	Keys int

	// The fields below are the view of the controller of a pool with
	// [WithAdaptiveCapacity]; they are zero on other pools. Capacity is
	// the limit it set. On a multi-pool the run times are the largest of
	// its pools and the decision is the latest.

	// NoLoadRunTime is the controller's estimate of the run time of a task
	// that queues behind nothing: the lowest mean run time of its windows,
	// raised when cutting the capacity stops shortening the run time. It
	// stays zero when the controller follows GOMAXPROCS.
	NoLoadRunTime time.Duration
	// RunTime is the mean run time of the tasks timed in the controller's
	// last window.
	RunTime time.Duration
	// Decision is what the controller last did with the capacity.
	Decision Decision
	// DecidedAt is when it did it.
	DecidedAt time.Time
}

// counters are the engine's counts of the rarer events. The per-task counts,
// submitted and completed, sit in the engine, on the cache lines that
// submitters and workers write for every task anyway.
type counters struct {
	rejected  atomic.Uint64
	panicked  atomic.Uint64
	cancelled atomic.Uint64
	// ownerRejects is set on the lanes of a multi-pool's pools, which may
	// offer a task that one pool refused to another: the multi-pool counts
	// each refused submission once, itself, so its pools count no
	// overload. It is written before the multi-pool is returned.
	ownerRejects bool
}

// reject counts a refused submission by its cause. It runs only on
// refusal, never for an accepted task.
func (c *counters) reject(err error) {
	switch {
	case err == ErrPoolOverload:
		if !c.ownerRejects {
			c.rejected.Add(1)
		}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		c.cancelled.Add(1)
	}
}

// Stats returns a snapshot of the pool's gauges and counters.
func (e *engine[T]) Stats() Stats {
	if e == nil {
		return Stats{}
	}
	admitted := int(e.gate.admitted())
	queued := min(e.queued(), admitted)
	async := int(e.gate.async()) // queued by enqueue
	s := Stats{
		Capacity:  e.Cap(),
		Workers:   e.Running(),
		Busy:      admitted - queued,
		Waiting:   int(e.gate.blocked.Load()),
		Queued:    queued + async,
		Submitted: e.gate.submitted.Load(),
		Completed: e.gate.completed.Load(),
		Rejected:  e.counters.rejected.Load(),
		Panicked:  e.counters.panicked.Load(),
		Cancelled: e.counters.cancelled.Load(),
	}
	s.Idle = max(s.Workers-s.Busy, 0)
	if e.tuner != nil {
		e.tuner.report(&s)
	}
	return s
}

// add accumulates o into s, for the aggregate Stats of a multi-pool.
func (s *Stats) add(o Stats) {
	if s.Capacity < 0 || o.Capacity < 0 {
		s.Capacity = -1
	} else {
		s.Capacity += o.Capacity
	}
	s.Workers += o.Workers
	s.Busy += o.Busy
	s.Idle += o.Idle
	s.Waiting += o.Waiting
	s.Queued += o.Queued
	s.Submitted += o.Submitted
	s.Completed += o.Completed
	s.Rejected += o.Rejected
	s.Panicked += o.Panicked
	s.Cancelled += o.Cancelled
	s.Keys += o.Keys
	s.NoLoadRunTime = max(s.NoLoadRunTime, o.NoLoadRunTime)
	s.RunTime = max(s.RunTime, o.RunTime)
	if o.DecidedAt.After(s.DecidedAt) {
		s.Decision, s.DecidedAt = o.Decision, o.DecidedAt
	}
}
