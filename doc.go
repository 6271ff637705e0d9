// Package ants runs tasks on a bounded set of reusable goroutines. It bounds
// how many tasks run at once, reuses the goroutines that run them, shows
// what the pool is doing, and shuts down cleanly.
//
// It is a drop-in replacement for github.com/panjf2000/ants/v2: the same
// package name, exported API and documented behaviour, so a program
// switches by changing its import path, or with one replace line in its
// go.mod that points ants' module path at a copy of this repository, which
// swaps it under every dependency that uses ants too (the README shows the
// forms of replace that work). The package imports only the standard
// library and starts no goroutine when it is imported.
//
// # Pools
//
// [Pool] runs func() tasks; [PoolWithFunc] runs one function on the
// arguments given to Invoke, and [PoolWithFuncGeneric] does the same with a
// typed argument. [MultiPool], [MultiPoolWithFunc] and
// [MultiPoolWithFuncGeneric] spread tasks over several such pools with a
// [LoadBalancingStrategy]; the pools of a multi-pool share its workers:
// each bounds how many of its own tasks run at once, and its tasks run on
// whichever worker is free. The package-level functions ([Submit],
// [Running], [Release], …) use a default pool of [DefaultAntsPoolSize]
// workers, built on first use; [Default] returns it.
//
// All of them are faces of one engine: the same admission, workers,
// purging and lifecycle, so they behave alike in every respect documented
// here. Every method is safe for concurrent use.
//
// # Capacity and blocking
//
// A pool of size n runs at most n tasks at once and starts at most n worker
// goroutines; size <= 0 means no limit. When all n are busy, Submit waits
// for one to finish, unless the pool is Nonblocking or MaxBlockingTasks
// submitters already wait, in which case it returns [ErrPoolOverload] at
// once. [Pool.SubmitContext] waits only until its context is done.
// [Pool.Tune] changes n at run time.
//
// A task accepted while fewer than n tasks run starts at once: it never
// waits for another task to finish, so tasks that wait for each other (at
// a barrier, or a parent for its children) do not deadlock as long as they
// fit in the pool. When submitters wait, a freed slot is shared out as
// sync.Mutex shares its lock: the longest-waiting submitter is woken to
// take it, and a submitter that is running may take it first, which keeps
// the workers busy while the other one wakes up; but once running
// submitters have kept taking the slots a waiting one was woken for for
// more than a millisecond, every freed slot goes straight to the
// longest-waiting submitter until none is left waiting. On a pool with a
// queue, a submitter blocked alone on the full queue is let in once half
// the queue has drained (or as many tasks have finished since it began to
// wait), so that a producer refills it in one go while the workers are
// still busy; with several blocked, each freed slot wakes one.
//
// With [WithAdaptiveCapacity], the pool sets n itself within bounds: it
// times its tasks and keeps n near the concurrency beyond which they queue
// behind whatever they wait on, or it follows GOMAXPROCS; see [Adaptive].
//
// With [WithQueueSize], a pool also holds up to that many accepted tasks in
// a queue in front of its workers: Submit returns as soon as its task is
// queued, and only waits (or fails, if Nonblocking) when the queue is full
// too. This keeps the workers fed when tasks are short.
//
// A nil error from Submit or Invoke means the task will run exactly once.
// An error means it will not run.
//
// Workers that stay idle for ExpiryDuration (one second by default) are
// stopped, unless DisablePurge is set; a later task starts a new one.
//
// # Lifecycle
//
// A pool is open from construction until [Pool.Release], and again after
// [Pool.Reboot]. Release refuses new tasks with [ErrPoolClosed], and wakes
// blocked submitters with it, but never drops a task it accepted: running
// and queued tasks still run, then the workers exit. [Pool.ReleaseTimeout]
// and [Pool.ReleaseContext] also wait for that, and for every goroutine of
// the pool to exit, so that after they return nil nothing of the pool
// runs. A pool that is not released keeps its idle workers until they
// expire, and one purger goroutine.
//
// A task that submits to its own full pool and waits can deadlock, as with
// any bounded pool: every worker may be waiting for a worker. Submit nested
// tasks to an unlimited pool, with Nonblocking, with a queue large enough,
// or with SubmitContext and a deadline.
//
// # Panics
//
// A task that panics does not crash the program. Its worker recovers, gives
// back its slot, exits (a new worker starts when one is needed) and hands
// the panic value to the PanicHandler; without one, it logs the value and
// the stack through the Logger. A PanicHandler that panics is logged too.
// A Logger that panics does not crash the program either: the worker
// recovers its panic and writes it, with its stack and the message the
// Logger was given, to os.Stderr through the logger a pool uses when
// Options.Logger is nil; only if that write panics too is the message
// dropped, there being nowhere left to put it. A PanicHandler or Logger
// that calls runtime.Goexit, as t.FailNow does in a test, ends the worker
// goroutine, which was exiting anyway: the pool does its bookkeeping in a
// defer, so it keeps serving and a later ReleaseTimeout still returns nil.
// [SubmitFuture] and the groups return a panic as a [*PanicError] instead,
// which carries the value and the stack.
//
// # Context, futures and groups
//
// Every face has a context-aware submission: SubmitContext or
// InvokeContext. [SubmitFuture] runs a function that returns a value and an
// error and gives a [Future] to wait or select on. [Group] runs functions
// like errgroup, over a pool, cancelling its context on the first error;
// [ResultGroup] also collects their results in submission order.
// Since Go 1.23, [Map] and [MapUnordered] run a function on every item of
// an iterator on a pool and yield the results as an iterator, holding at
// most a window of them; breaking out of the loop cancels the rest.
//
// # Sub-pools and priorities
//
// [Pool.NewSubpool] carves out of a pool a sub-pool that shares its
// workers and capacity and never runs more than its own limit; a pool and
// its sub-pools together never run more than the pool's capacity. A
// sub-pool's tasks take a priority, [WithPriority]: while the pool is
// saturated, a freed slot goes to the waiting submission (a blocked
// submitter or a queued task) of the highest priority, in arrival order
// within a priority; the pool's own tasks have priority 0. The order is
// strict, so a steady flow of higher-priority work can hold back lower
// priorities indefinitely: give a sub-pool a limit below the pool's
// capacity to keep room for the rest. A sub-pool is a [Submitter], so
// futures and groups run on it, and releasing it never releases the pool.
// The function pools have sub-pools too; the multi-pools have none (their
// pools are built the same way, as parts of one engine).
//
// A task submitted with a context through [SubmitFutureContext] or a
// [Group] never starts once that context has ended, even if the pool had
// already admitted it. If the context ends while the task waits in the
// pool's queue, the task is dropped at once: its future is ready with the
// context's error, or its group records that error and Wait stops waiting
// for it, without waiting for a worker. The worker that later reaches the
// dropped task returns without running it and gives its slot back; the
// pool's Stats count it as completed. Exactly one of two things happens to
// such a task: its function starts, or it is dropped with the context's
// error. For a group, the context that drops tasks is the one given to
// [NewGroup]; the group's own cancellation on its first error drops them
// only with [WithFailFast]. A plain Submit, SubmitContext, Invoke or
// InvokeContext keeps the pool's contract: once accepted, the task runs
// exactly once, whatever its context does later.
//
// # Statistics
//
// Every face has a Stats method returning a [Stats] snapshot: capacity,
// workers, busy, idle, waiting and queued counts, and cumulative counts of
// submitted, completed, rejected, panicked and cancelled tasks, and the
// view of the adaptive controller of a pool that has one. The module
// github.com/antsgo/ants/prometheus exports them to Prometheus, and the
// module github.com/antsgo/ants/otel reports them through OpenTelemetry.
//
// # Differences from ants v2
//
// These are deliberate fixes: Submit(nil) returns [ErrNilTask] instead of
// killing a worker; PoolWithFunc.Invoke(nil) calls the function with nil; a
// multi-pool's ReleaseTimeout error matches [ErrTimeout] with errors.Is;
// importing the package starts no goroutine; a blocked submitter is always
// woken when a slot frees, the pool grows or it is released; LeastTasks
// picks the pool with the fewest unfinished tasks; Reboot does not wait for
// the workers of the released pool. A worker whose task calls
// runtime.Goexit gives its slot back.
package ants
