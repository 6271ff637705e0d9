package ants

import "time"

// Option configures a pool. Options are applied in order, so a later option
// overrides an earlier one; [WithOptions] replaces everything set before it.
type Option func(opts *Options)

// Options holds every setting of a pool. The zero value is a valid
// configuration: blocking submission, no limit on blocked submitters, idle
// workers purged after [DefaultCleanIntervalTime], panics logged.
type Options struct {
	// ExpiryDuration is how long a worker may stay idle before the purger
	// stops it; the purger also runs once per ExpiryDuration. Zero means
	// DefaultCleanIntervalTime. A negative value is rejected with
	// ErrInvalidPoolExpiry unless DisablePurge is set.
	ExpiryDuration time.Duration

	// PreAlloc sizes the pool's hand-off buffer for its full capacity up
	// front and fixes the capacity: Tune has no effect on such a pool. It
	// requires a positive size (ErrInvalidPreAllocSize otherwise).
	PreAlloc bool

	// MaxBlockingTasks bounds the number of goroutines blocked in Submit or
	// Invoke at once; a submitter beyond it gets ErrPoolOverload. Zero or a
	// negative value means no limit.
	MaxBlockingTasks int

	// Nonblocking makes Submit and Invoke fail with ErrPoolOverload at once
	// instead of waiting when the pool is full. MaxBlockingTasks is then
	// irrelevant.
	Nonblocking bool

	// PanicHandler receives the value of every panic raised by a task. The
	// worker that ran the task exits and is replaced on demand. When nil, the
	// panic value and its stack are written to Logger and the pool goes on.
	// A PanicHandler that panics is reported to Logger; one that calls
	// runtime.Goexit (as t.FailNow does) ends the worker's goroutine, which
	// was exiting anyway, and harms nothing else.
	PanicHandler func(any)

	// Logger receives the pool's diagnostics: the panics of tasks when
	// PanicHandler is nil, and the panics of PanicHandler. When nil, a
	// standard library logger writing to os.Stderr is used. A Logger that
	// panics does not crash the program: its panic value and stack, and the
	// message it was given, are written to os.Stderr instead (and dropped
	// only if writing to os.Stderr panics too). Like PanicHandler, it may
	// call runtime.Goexit.
	Logger Logger

	// DisablePurge keeps idle workers alive until the pool is released.
	DisablePurge bool

	// QueueSize, when positive, gives the pool a bounded queue of that many
	// tasks in front of its workers: Submit and Invoke return as soon as a
	// task is queued, and Nonblocking submission fails only when both the
	// workers and the queue are full. A submitter blocked alone on a full
	// queue is let in once half of it has drained, so that it refills the
	// queue in one go. Zero (the default) keeps the ants v2
	// behaviour, where a submitter waits for a free worker. A negative value,
	// one above MaxQueueSize, or one whose buffer would take more than 512 MiB
	// (QueueSize rounded up to a power of two, times the payload's size plus
	// 8 bytes: 16 bytes a task for a func(), 24 for an any, so both take
	// MaxQueueSize; a pool built WithTaskLabels carries 24 bytes more a
	// task, its labels, and takes at most 8,388,608) is rejected with
	// ErrInvalidQueueSize.
	QueueSize int

	// Priority orders the tasks of a pool and its sub-pools (see
	// [Pool.NewSubpool]) while the pool is saturated: a freed slot goes to
	// the waiting submission (a blocked submitter or a queued task) of the
	// highest priority first, and in order of arrival within a priority. A
	// pool's own tasks have the priority its options give, 0 by default;
	// it matters only next to sub-pools of other priorities.
	Priority int

	// TaskLabels makes every task submitted with SubmitContext or
	// InvokeContext run under the profiler labels of its context (see
	// runtime/pprof.WithLabels), and every other task under none, so that a
	// CPU profile charges pooled work to the code that asked for it. Without
	// it a worker keeps the labels of the goroutine that started it, as any
	// goroutine does. It costs two label switches per task, and a context
	// per queued task, while set; nothing when not set.
	TaskLabels bool
	// Adaptive, when not nil, lets the pool set its own capacity within
	// bounds; see [Adaptive]. The constructor's size is then the starting
	// capacity. Invalid bounds are rejected with
	// ErrInvalidAdaptiveCapacity, and PreAlloc, which fixes the capacity,
	// with ErrAdaptivePreAlloc.
	Adaptive *Adaptive
}

// MaxQueueSize is the largest QueueSize a pool accepts. The queue's buffer is
// allocated when the pool is built, so an absurd size would exhaust memory.
const MaxQueueSize = 1 << 24

// WithOptions replaces all options with the given ones.
func WithOptions(options Options) Option {
	return func(opts *Options) { *opts = options }
}

// WithExpiryDuration sets how long a worker may stay idle before it is purged.
func WithExpiryDuration(expiryDuration time.Duration) Option {
	return func(opts *Options) { opts.ExpiryDuration = expiryDuration }
}

// WithPreAlloc sizes the pool for its full capacity when it is built.
func WithPreAlloc(preAlloc bool) Option {
	return func(opts *Options) { opts.PreAlloc = preAlloc }
}

// WithMaxBlockingTasks bounds the number of submitters blocked at once.
func WithMaxBlockingTasks(maxBlockingTasks int) Option {
	return func(opts *Options) { opts.MaxBlockingTasks = maxBlockingTasks }
}

// WithNonblocking makes submission fail with ErrPoolOverload instead of
// waiting when the pool is full.
func WithNonblocking(nonblocking bool) Option {
	return func(opts *Options) { opts.Nonblocking = nonblocking }
}

// WithPanicHandler sets the function that receives the values of task panics.
func WithPanicHandler(panicHandler func(any)) Option {
	return func(opts *Options) { opts.PanicHandler = panicHandler }
}

// WithLogger sets the logger for the pool's diagnostics.
func WithLogger(logger Logger) Option {
	return func(opts *Options) { opts.Logger = logger }
}

// WithDisablePurge keeps idle workers alive until the pool is released.
func WithDisablePurge(disable bool) Option {
	return func(opts *Options) { opts.DisablePurge = disable }
}

// WithQueueSize gives the pool a bounded queue of n tasks in front of its
// workers; see [Options.QueueSize].
func WithQueueSize(n int) Option {
	return func(opts *Options) { opts.QueueSize = n }
}

// WithPriority sets the priority of the tasks of a pool or, more usefully,
// of a sub-pool; see [Options.Priority].
func WithPriority(priority int) Option {
	return func(opts *Options) { opts.Priority = priority }
}

// WithTaskLabels makes tasks run under the profiler labels of the context
// they were submitted with; see [Options.TaskLabels].
func WithTaskLabels(on bool) Option {
	return func(opts *Options) { opts.TaskLabels = on }
}

// WithAdaptiveCapacity lets the pool set its own capacity, following the
// run time of its tasks or GOMAXPROCS; see [Adaptive].
func WithAdaptiveCapacity(a Adaptive) Option {
	return func(opts *Options) { opts.Adaptive = &a }
}

// loadOptions applies options over the zero Options and validates the result.
func loadOptions(size int, options []Option) (Options, error) {
	var opts Options
	for _, option := range options {
		if option != nil {
			option(&opts)
		}
	}
	switch {
	case opts.ExpiryDuration < 0 && !opts.DisablePurge:
		return opts, ErrInvalidPoolExpiry
	case opts.PreAlloc && size <= 0:
		return opts, ErrInvalidPreAllocSize
	case opts.QueueSize < 0 || opts.QueueSize > MaxQueueSize:
		return opts, ErrInvalidQueueSize
	case opts.Adaptive != nil && opts.PreAlloc:
		return opts, ErrAdaptivePreAlloc
	}
	if opts.Adaptive != nil {
		if _, _, err := opts.Adaptive.bounds(); err != nil {
			return opts, err
		}
		a := *opts.Adaptive // the caller may change theirs later
		opts.Adaptive = &a
	}
	if opts.ExpiryDuration <= 0 {
		opts.ExpiryDuration = DefaultCleanIntervalTime
	}
	if opts.Logger == nil {
		opts.Logger = defaultLogger
	}
	return opts, nil
}
