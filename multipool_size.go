package ants

import (
	"context"
	"fmt"
	"math"
	"unsafe"
)

// maxMultiBytes bounds what a multi-pool constructor allocates up front for
// all its pools together: their rings and their engines. One pool's ring
// may take up to maxBufferBytes, so this leaves room for a couple of the
// largest pools, or for
// tens of thousands of pools with the default 1024-cell ring, while a pool
// count or PreAlloc size that is a mistake fails with an error instead of
// exhausting memory. Each pool also has a purger goroutine (unless
// DisablePurge is set), which is not counted here.
const maxMultiBytes = 1 << 30

// checkMultiBytes refuses, before anything is allocated, a multi-pool of
// size pools whose engines and rings would take more than maxMultiBytes.
func checkMultiBytes[T any](size, sizePerPool int, opts Options) error {
	per, ok := poolBytes[T](sizePerPool, opts)
	if !ok {
		return ErrInvalidQueueSize // as newEngine would for each pool
	}
	if uint64(size) > maxMultiBytes/per {
		return fmt.Errorf("%w: %d pools of %d bytes each exceed the %d bytes a multi-pool may allocate",
			ErrInvalidMultiPoolSize, size, per, maxMultiBytes)
	}
	return nil
}

// poolBytes returns how many bytes newEngine allocates for one pool of size
// with opts: its engine, and its ring, sized by ringCells as newEngine
// sizes it (with a labels context per cell WithTaskLabels). It reports
// false if newEngine refuses opts (a queue too large for the ring's
// budget). TestPoolBytesMatchesEngine keeps it in step with newEngine.
func poolBytes[T any](size int, opts Options) (uint64, bool) {
	capacity := int64(-1)
	if size > 0 {
		capacity = int64(min(size, math.MaxInt32))
	}
	cells, ok := ringCells[T](opts, capacity)
	if !ok {
		return 0, false
	}
	perCell := unsafe.Sizeof(cell[T]{})
	if opts.TaskLabels {
		perCell += unsafe.Sizeof(context.Context(nil))
	}
	fixed := unsafe.Sizeof(engine[T]{}) + unsafe.Sizeof(ring[T]{})
	return uint64(cells)*uint64(perCell) + uint64(fixed), true
}
