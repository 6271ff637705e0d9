package ants

import (
	"context"
	"errors"
	"math"
	"sync"
	"time"
)

const (
	// DefaultAntsPoolSize is the capacity of the default pool behind the
	// package-level functions.
	DefaultAntsPoolSize = math.MaxInt32

	// DefaultCleanIntervalTime is the ExpiryDuration used when none is set.
	DefaultCleanIntervalTime = time.Second
)

const (
	// OPENED is the state of a pool that accepts tasks.
	OPENED = iota

	// CLOSED is the state of a pool that has been released.
	CLOSED
)

// The errors returned by this package. Each is a sentinel to be matched with
// errors.Is; the first nine carry the same text as in ants v2.
var (
	// ErrLackPoolFunc is returned by the function-pool constructors when the
	// function is nil.
	ErrLackPoolFunc = errors.New("must provide function for pool")

	// ErrInvalidPoolExpiry is returned when ExpiryDuration is negative and
	// purging is enabled.
	ErrInvalidPoolExpiry = errors.New("invalid expiry for pool")

	// ErrPoolClosed is returned when a task is submitted to a released pool,
	// to submitters blocked when the pool is released, and by ReleaseTimeout
	// and ReleaseContext on a pool that is already released.
	ErrPoolClosed = errors.New("this pool has been closed")

	// ErrPoolOverload is returned when the pool is full and the submitter may
	// not wait: Nonblocking is set or MaxBlockingTasks submitters already wait.
	ErrPoolOverload = errors.New("too many goroutines blocked on submit or Nonblocking is set")

	// ErrInvalidPreAllocSize is returned when PreAlloc is set on a pool whose
	// size is not positive.
	ErrInvalidPreAllocSize = errors.New("can not set up a negative capacity under PreAlloc mode")

	// ErrTimeout is returned by ReleaseTimeout when tasks are still running
	// when the timeout expires.
	ErrTimeout = errors.New("operation timed out")

	// ErrInvalidPoolIndex is returned by the ByIndex methods of the
	// multi-pools for an index out of range.
	ErrInvalidPoolIndex = errors.New("invalid pool index")

	// ErrInvalidLoadBalancingStrategy is returned when a multi-pool is built
	// with a strategy other than RoundRobin or LeastTasks.
	ErrInvalidLoadBalancingStrategy = errors.New("invalid load-balancing strategy")

	// ErrInvalidMultiPoolSize is returned when a multi-pool is built with a
	// non-positive number of pools, or with so many pools, or pools so
	// large, that their buffers together would take more than 1 GiB (see
	// [NewMultiPool]); the error then wraps it with the sizes.
	ErrInvalidMultiPoolSize = errors.New("invalid size for multiple pool")

	// ErrNilTask is returned by Submit for a nil task. ants v2 accepts the
	// nil task and loses a worker to it; this package refuses it.
	ErrNilTask = errors.New("task must not be nil")

	// ErrGoexit is the error of a future or group task that called
	// runtime.Goexit instead of returning, so that nobody waits for it
	// forever.
	ErrGoexit = errors.New("task called runtime.Goexit")

	// ErrInvalidQueueSize is returned when QueueSize is negative or larger
	// than MaxQueueSize.
	ErrInvalidQueueSize = errors.New("invalid queue size for pool")

	// ErrInvalidSubpoolSize is returned by NewSubpool for a limit that is
	// not positive or is above the pool's capacity.
	ErrInvalidSubpoolSize = errors.New("invalid size for sub-pool")

	// ErrInvalidKey is returned by a Keyed front for a key that is not
	// equal to itself: a NaN, or an interface holding a value that cannot
	// be compared (a slice, map or func). Such a key could never be found
	// again.
	ErrInvalidKey = errors.New("key is not equal to itself")
	// ErrInvalidAdaptiveCapacity is returned when the bounds of
	// WithAdaptiveCapacity are negative, above math.MaxInt32, or Min is
	// above Max. The error returned wraps it with the bounds.
	ErrInvalidAdaptiveCapacity = errors.New("invalid adaptive capacity")

	// ErrAdaptivePreAlloc is returned when WithAdaptiveCapacity is combined
	// with PreAlloc, which fixes the capacity.
	ErrAdaptivePreAlloc = errors.New("adaptive capacity cannot be used with PreAlloc")
)

// defaultPool is built on first use, so importing the package starts nothing.
var defaultPool = sync.OnceValue(func() *Pool {
	p, _ := NewPool(DefaultAntsPoolSize) // cannot fail: no options
	return p
})

// Default returns the default pool, building it on first use. It is the
// pool behind the package-level functions, so releasing it is the same as
// calling Release.
func Default() *Pool { return defaultPool() }

// Submit submits a task to the default pool, a pool of DefaultAntsPoolSize
// workers built on first use.
func Submit(task func()) error { return defaultPool().Submit(task) }

// SubmitContext submits a task to the default pool, giving up with the
// context's error if ctx is done before the task is admitted.
func SubmitContext(ctx context.Context, task func()) error {
	return defaultPool().SubmitContext(ctx, task)
}

// Running returns the number of live workers of the default pool.
func Running() int { return defaultPool().Running() }

// Cap returns the capacity of the default pool.
func Cap() int { return defaultPool().Cap() }

// Free returns the number of workers the default pool can still start.
func Free() int { return defaultPool().Free() }

// Release closes the default pool; see [Pool.Release].
func Release() { defaultPool().Release() }

// ReleaseTimeout closes the default pool and waits up to timeout for its
// workers to exit; see [Pool.ReleaseTimeout].
func ReleaseTimeout(timeout time.Duration) error { return defaultPool().ReleaseTimeout(timeout) }

// ReleaseContext closes the default pool and waits for its workers to exit
// or ctx to be done; see [Pool.ReleaseContext].
func ReleaseContext(ctx context.Context) error { return defaultPool().ReleaseContext(ctx) }

// Reboot reopens the default pool after a release; it does nothing on an
// open pool.
func Reboot() { defaultPool().Reboot() }
