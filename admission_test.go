package ants

import (
	"context"
	"sync"
	"testing"
	"time"
)

// White-box tests of the gate's policy for freed slots (see the comment of
// gate in admission.go), on a gate of its own with a recording dispatch,
// and black-box tests of enqueue.

// testGate returns a gate of n slots, all taken, and the tasks it
// dispatches on behalf of waiters.
func testGate(n int64) (*gate[int], *[]int) {
	g := &gate[int]{closed: func() bool { return false }, handsTasks: true}
	var mu sync.Mutex
	var got []int
	g.dispatch = func(t int, _ *lane[int], _ context.Context, _ bool) { mu.Lock(); got = append(got, t); mu.Unlock() }
	g.limit.Store(n)
	for range n {
		if !g.tryAdmit() {
			panic("testGate: no slot")
		}
	}
	return g, &got
}

// queueWaiter queues a blocked waiter for task t, as acquire does, and
// returns it; lost is when it first lost a race for a slot (zero: never).
func queueWaiter(g *gate[int], t, prio int, lost time.Time) *waiter[int] {
	g.mu.Lock()
	defer g.mu.Unlock()
	w := g.queue.get(t, nil, nil, prio, false)
	w.lost = lost
	g.waiting.Add(1)
	g.blocked.Add(1)
	g.queue.push(w)
	return w
}

func recvErr(t *testing.T, ch <-chan error) error {
	t.Helper()
	select {
	case err := <-ch:
		return err
	default:
		t.Fatal("the waiter was not signalled")
		return nil
	}
}

func TestGateBargesWhenNobodyStarves(t *testing.T) {
	g, got := testGate(1)
	w := queueWaiter(g, 7, 0, time.Time{})
	if !g.release(true) {
		t.Fatal("release reported no waiter woken")
	}
	if err := recvErr(t, w.ready); err != errRetry {
		t.Fatalf("waiter got %v; want errRetry (try for the slot)", err)
	}
	if g.admitted() != 0 {
		t.Fatalf("admitted = %d after release; want 0: the slot is free for whoever runs first", g.admitted())
	}
	if !g.tryAdmit() {
		t.Fatal("a newcomer could not take the freed slot")
	}
	if len(*got) != 0 {
		t.Fatalf("dispatched %v; want nothing: the waiter dispatches its own task", *got)
	}
}

func TestGateHandsOverWhenStarving(t *testing.T) {
	g, got := testGate(1)
	w := queueWaiter(g, 7, 0, time.Now().Add(-2*starveAfter))
	g.mu.Lock()
	g.starving = true
	g.mu.Unlock()
	if !g.release(true) {
		t.Fatal("release reported no waiter woken")
	}
	if err := recvErr(t, w.ready); err != nil {
		t.Fatalf("waiter got %v; want nil (served)", err)
	}
	if g.admitted() != 1 {
		t.Fatalf("admitted = %d; want 1: the slot went straight to the waiter", g.admitted())
	}
	if g.tryAdmit() {
		t.Fatal("a newcomer took a slot that was handed over")
	}
	if len(*got) != 1 || (*got)[0] != 7 {
		t.Fatalf("dispatched %v; want [7]", *got)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.starving {
		t.Fatal("still starving with the queue empty")
	}
}

func TestGateStarvesAfterALostRace(t *testing.T) {
	g, _ := testGate(1)
	w := queueWaiter(g, 7, 0, time.Now().Add(-2*starveAfter))
	result := make(chan bool, 1)
	go func() { d, _ := g.await(nil, w); result <- d }() //nolint:staticcheck // nil: no context
	// The waiter is woken (errRetry) and loses the slot to a newcomer.
	g.mu.Lock()
	g.take(w)
	g.mu.Unlock()
	w.ready <- errRetry
	deadline := time.Now().Add(conserveTimeout)
	for {
		g.mu.Lock()
		starving, back := g.starving, g.queue.peek() == w
		g.mu.Unlock()
		if starving && back {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after losing the race a waiter of 2 ms: starving = %v, back at the front = %v; want both", starving, back)
		}
		time.Sleep(100 * time.Microsecond)
	}
	g.release(true) // the running task ends: the slot goes straight to the waiter
	select {
	case dispatched := <-result:
		if !dispatched {
			t.Fatal("the starving waiter was not served by hand-over")
		}
	case <-time.After(conserveTimeout):
		t.Fatal("the starving waiter was not served")
	}
}

func TestGateServesHigherPrioritiesFirst(t *testing.T) {
	g, got := testGate(1)
	low := queueWaiter(g, 1, 0, time.Time{})
	high := queueWaiter(g, 2, 5, time.Time{})
	g.release(true)
	if err := recvErr(t, high.ready); err != nil {
		t.Fatalf("high-priority waiter got %v; want nil (served first, by hand-over)", err)
	}
	select {
	case err := <-low.ready:
		t.Fatalf("the low-priority waiter was signalled (%v) before the high one was done", err)
	default:
	}
	if len(*got) != 1 || (*got)[0] != 2 {
		t.Fatalf("dispatched %v; want [2]", *got)
	}
}

func TestGateGrowServesWaitersBeforeNewcomers(t *testing.T) {
	g, got := testGate(1)
	a := queueWaiter(g, 1, 0, time.Time{})
	b := queueWaiter(g, 2, 0, time.Time{})
	g.mu.Lock()
	served := g.raise(4)
	g.mu.Unlock()
	for _, w := range served {
		g.hand(w, false)
	}
	for _, w := range []*waiter[int]{a, b} {
		if err := recvErr(t, w.ready); err != nil {
			t.Fatalf("waiter got %v; want nil", err)
		}
	}
	if len(*got) != 2 || (*got)[0] != 1 || (*got)[1] != 2 {
		t.Fatalf("dispatched %v; want [1 2] in order", *got)
	}
	if g.admitted() != 3 {
		t.Fatalf("admitted = %d; want 3", g.admitted())
	}
}

func TestGateShrunkDoesNotHandOn(t *testing.T) {
	g, got := testGate(2)
	w := queueWaiter(g, 7, 5, time.Time{}) // a priority: would be handed over
	g.limit.Store(1)                       // Tune down: one slot too many
	g.release(true)
	select {
	case err := <-w.ready:
		t.Fatalf("waiter got %v although the pool is over its new limit", err)
	default:
	}
	if g.admitted() != 1 || len(*got) != 0 {
		t.Fatalf("admitted = %d, dispatched %v; want 1 and nothing", g.admitted(), *got)
	}
	g.release(true) // now within the limit: served
	if err := recvErr(t, w.ready); err != nil {
		t.Fatalf("waiter got %v; want nil", err)
	}
}

// TestEnqueue covers the continuations that a running task queues through
// enqueue: no blocking, no goroutine, order with the blocked submitters,
// and exactly once even across Release.
func TestEnqueue(t *testing.T) {
	t.Run("a full pool queues the task without blocking, before later submitters", func(t *testing.T) {
		p, _ := NewPool(1, WithNonblocking(false), WithMaxBlockingTasks(1))
		defer faceDrain(t, p)
		gate := make(chan struct{})
		order := make(chan string, 3)
		if err := p.Submit(func() { <-gate; order <- "holder" }); err != nil {
			t.Fatal(err)
		}
		if err := p.enqueue(func() { order <- "continuation" }); err != nil {
			t.Fatalf("enqueue on a full pool: got %v; want nil", err)
		}
		if got := p.Stats().Queued; got != 1 {
			t.Errorf("Stats().Queued = %d; want 1 (the continuation)", got)
		}
		blocked := faceAsync(func() error { return p.Submit(func() { order <- "submitter" }) })
		facePoll(t, "the submitter blocks", func() bool { return p.Stats().Waiting == 1 })
		close(gate)
		if err := faceRecv(t, blocked, "the blocked Submit"); err != nil {
			t.Fatalf("blocked Submit: got %v; want nil", err)
		}
		for _, want := range []string{"holder", "continuation", "submitter"} {
			if got := faceRecv(t, order, want); got != want {
				t.Fatalf("ran %q; want %q (a continuation keeps its place among the waiters)", got, want)
			}
		}
	})
	t.Run("a queued continuation runs after Release, which waits for it", func(t *testing.T) {
		p, _ := NewPool(1)
		gate := make(chan struct{})
		var ran sync.WaitGroup
		ran.Add(2)
		if err := p.Submit(func() { <-gate; ran.Done() }); err != nil {
			t.Fatal(err)
		}
		if err := p.enqueue(ran.Done); err != nil {
			t.Fatal(err)
		}
		released := faceAsync(func() error { return p.ReleaseTimeout(faceTimeout) })
		close(gate)
		if err := faceRecv(t, released, "ReleaseTimeout"); err != nil {
			t.Fatalf("ReleaseTimeout: got %v; want nil", err)
		}
		faceWait(t, &ran, "the holder and the continuation")
		if err := p.enqueue(func() {}); err != ErrPoolClosed {
			t.Fatalf("enqueue on a released pool: got %v; want ErrPoolClosed", err)
		}
	})
	t.Run("Nonblocking does not refuse a continuation", func(t *testing.T) {
		m, _ := NewMultiPool(1, 1, RoundRobin, WithNonblocking(true))
		defer faceDrain(t, m)
		gate := make(chan struct{})
		done := make(chan struct{})
		if err := m.Submit(func() { <-gate }); err != nil {
			t.Fatal(err)
		}
		if err := m.Submit(func() {}); err != ErrPoolOverload {
			t.Fatalf("Submit on the full pool: got %v; want ErrPoolOverload", err)
		}
		if err := m.enqueue(func() { close(done) }); err != nil {
			t.Fatalf("enqueue: got %v; want nil", err)
		}
		close(gate)
		faceRecv(t, done, "the continuation")
	})
}

func TestGateBatchesWakeUpsOfAFullQueue(t *testing.T) {
	t.Run("the waiter is woken when the batch is free", func(t *testing.T) {
		g, _ := testGate(8)
		g.batch = 4
		w := queueWaiter(g, 7, 0, time.Time{})
		g.mu.Lock()
		g.rehint()
		g.mu.Unlock()
		for i := range 3 {
			if g.release(true) {
				t.Fatalf("release %d woke the waiter before 4 slots were free", i+1)
			}
		}
		if !g.release(true) {
			t.Fatal("the 4th release did not wake the waiter")
		}
		if err := recvErr(t, w.ready); err != errRetry {
			t.Fatalf("waiter got %v; want errRetry", err)
		}
	})
	t.Run("newcomers taking the slots delay it by one batch at most", func(t *testing.T) {
		g, _ := testGate(8)
		g.batch = 4
		w := queueWaiter(g, 7, 0, time.Time{})
		g.mu.Lock()
		g.rehint()
		g.mu.Unlock()
		woke := 0
		for range 4 {
			woke += map[bool]int{true: 1}[g.release(true)]
			if woke == 0 && !g.tryAdmit() { // a newcomer takes the slot
				t.Fatal("a newcomer found no free slot")
			}
		}
		if woke != 1 {
			t.Fatalf("woken %d times in 4 releases taken by newcomers; want once, at the 4th", woke)
		}
		if err := recvErr(t, w.ready); err != errRetry {
			t.Fatalf("waiter got %v; want errRetry", err)
		}
	})
}
