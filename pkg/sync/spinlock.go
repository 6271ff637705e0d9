// Package sync holds the spin lock that github.com/panjf2000/ants/v2
// exports from its pkg/sync package, so that a program importing it builds
// and behaves the same when ants' module path is replaced by this module.
// The pools of package ants do not use it.
package sync

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// maxYields bounds the number of times a waiting Lock yields the processor
// between two tries: the wait between tries doubles from one yield up to
// this many, so a lock held briefly is taken again quickly and a lock held
// long does not keep a processor busy with tries.
const maxYields = 16

// spinLock is a lock that waits by yielding the processor instead of
// parking the goroutine. Its zero value is unlocked.
type spinLock struct {
	held atomic.Bool
}

// Lock takes the lock, yielding the processor between tries while another
// goroutine holds it.
func (l *spinLock) Lock() {
	yields := 1
	for !l.held.CompareAndSwap(false, true) {
		for range yields {
			runtime.Gosched()
		}
		yields = min(yields*2, maxYields)
	}
}

// Unlock lets go of the lock. As with ants' lock, unlocking a lock that is
// not held leaves it unlocked and does not panic.
func (l *spinLock) Unlock() { l.held.Store(false) }

// NewSpinLock returns an unlocked spin lock: a sync.Locker whose Lock
// yields the processor while it waits instead of parking. It suits locks
// held for a few instructions; for anything longer a sync.Mutex is better.
func NewSpinLock() sync.Locker { return new(spinLock) }
