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
// [LoadBalancingStrategy]. The package-level functions ([Submit],
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
//
// # Statistics
//
// Every face has a Stats method returning a [Stats] snapshot: capacity,
// workers, busy, idle, waiting and queued counts, and cumulative counts of
// submitted, completed, rejected, panicked and cancelled tasks, and the
// view of the adaptive controller of a pool that has one. The module
// github.com/antsgo/ants/prometheus exports them to Prometheus.
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
