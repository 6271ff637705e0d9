package benchmarks

import (
	"sync"
	"time"
)

// Backend simulates what the tasks of an adaptive pool call: a server of K
// slots. A call holds one slot for Hold; the calls beyond K wait for a slot
// inside the backend, first come first served; and while more than 2K calls
// are inside, each new hold is longer by Hold × (inside − 2K) / 2K, so the
// backend loses throughput to contention (at 4K calls inside, half). K can
// change while calls run (SetK). The pool in front of it knows none of
// this.
type Backend struct {
	hold time.Duration

	mu     sync.Mutex
	k      int
	busy   int             // slots held
	inside int             // calls holding or waiting for a slot
	queue  []chan struct{} // waiting calls, oldest first
}

// NewBackend returns a backend of k slots held for hold per call.
func NewBackend(k int, hold time.Duration) *Backend {
	return &Backend{k: max(k, 1), hold: hold}
}

// Call runs one call: it waits for a slot, holds it, and gives it back.
func (b *Backend) Call() {
	b.mu.Lock()
	b.inside++
	if b.busy < b.k {
		b.busy++
		b.mu.Unlock()
	} else {
		ready := make(chan struct{})
		b.queue = append(b.queue, ready)
		b.mu.Unlock()
		<-ready // the slot was handed over with busy unchanged
	}
	time.Sleep(b.holdTime())
	b.mu.Lock()
	b.inside--
	b.pass()
	b.mu.Unlock()
}

// holdTime returns how long a call that just got its slot holds it.
func (b *Backend) holdTime() time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	if excess := b.inside - 2*b.k; excess > 0 {
		return b.hold + b.hold*time.Duration(excess)/time.Duration(2*b.k)
	}
	return b.hold
}

// pass gives back the slot of a finished call: to the oldest waiting call
// if the backend still has that many slots, otherwise to nobody.
func (b *Backend) pass() {
	if len(b.queue) > 0 && b.busy <= b.k {
		next := b.queue[0]
		b.queue[0] = nil
		b.queue = b.queue[1:]
		close(next)
		return
	}
	b.busy--
}

// SetK changes the number of slots; new slots go to waiting calls at once.
func (b *Backend) SetK(k int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.k = max(k, 1)
	for len(b.queue) > 0 && b.busy < b.k {
		b.busy++
		next := b.queue[0]
		b.queue[0] = nil
		b.queue = b.queue[1:]
		close(next)
	}
}

// K returns the number of slots.
func (b *Backend) K() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.k
}
