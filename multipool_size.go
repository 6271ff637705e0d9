package ants

import (
	"fmt"
	"math"
	"unsafe"
)

// maxMultiBytes bounds what a multi-pool constructor allocates up front: a
// lane per pool and the engine they share, with its ring, which holds the
// queues of all the pools. The ring may take up to maxBufferBytes, so this
// leaves room for it and for hundreds of thousands of lanes, while a pool
// count or a queue that is a mistake fails with an error instead of
// exhausting memory.
const maxMultiBytes = 1 << 30

// checkMultiBytes returns the capacity of the engine that size pools of
// sizePerPool share: the most they may run together (0, unlimited, if the
// pools are), at most math.MaxInt32. It refuses, before anything is
// allocated, a multi-pool whose queues together are longer than
// MaxQueueSize or than its ring holds within maxBufferBytes, or whose
// lanes and engine would take more than maxMultiBytes.
func checkMultiBytes[T any](size, sizePerPool int, opts Options) (int, error) {
	per := uint64(unsafe.Sizeof(lane[T]{}))
	tooMany := func(fixed uint64) error {
		return fmt.Errorf("%w: %d pools of %d bytes each and %d bytes for their workers exceed the %d bytes a multi-pool may allocate",
			ErrInvalidMultiPoolSize, size, per, fixed, maxMultiBytes)
	}
	if uint64(size) > maxMultiBytes/per {
		return 0, tooMany(0)
	}
	perPool := sizePerPool
	if a := opts.Adaptive; a != nil {
		_, perPool, _ = a.bounds() // validated by loadOptions
	}
	total := 0
	if perPool > 0 {
		total = int(min(int64(min(perPool, math.MaxInt32))*int64(size), math.MaxInt32))
	}
	shared := opts
	if queues := int64(size) * int64(opts.QueueSize); queues > MaxQueueSize {
		return 0, fmt.Errorf("%w: %d pools with a queue of %d exceed the %d tasks the queues of a multi-pool may hold together",
			ErrInvalidMultiPoolSize, size, opts.QueueSize, MaxQueueSize)
	}
	shared.QueueSize = size * opts.QueueSize
	fixed, ok := poolBytes[T](total, shared, true)
	if !ok {
		return 0, fmt.Errorf("%w: the queues of %d pools, %d tasks in all, need a ring larger than %d bytes",
			ErrInvalidMultiPoolSize, size, shared.QueueSize, maxBufferBytes)
	}
	if uint64(size)*per+fixed > maxMultiBytes {
		return 0, tooMany(fixed)
	}
	return total, nil
}

// poolBytes returns how many bytes newEngine allocates for one pool of size
// with opts: its engine, and its ring, sized by ringCells as newEngine
// sizes it, with what a task carries beside its cell (ring.side) if the
// pool has labels or lanes (a multi-pool's engine always has lanes, and
// buildEngine sizes its ring for them). It reports false if buildEngine
// refuses opts (a queue too large for the ring's budget).
// TestPoolBytesMatchesEngine keeps it in step with newEngine.
func poolBytes[T any](size int, opts Options, lanes bool) (uint64, bool) {
	capacity := int64(-1)
	if size > 0 {
		capacity = int64(min(size, math.MaxInt32))
	}
	cells, ok := ringCells[T](opts, capacity, lanes)
	if !ok {
		return 0, false
	}
	perCell := cellBytes[T](opts.TaskLabels || lanes)
	fixed := unsafe.Sizeof(engine[T]{}) + unsafe.Sizeof(ring[T]{})
	return uint64(cells)*uint64(perCell) + uint64(fixed), true
}
