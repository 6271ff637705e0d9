package ants

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Queue, context and multi-pool behaviours of TestFaces (see faces_test.go).

func faceQueue(t *testing.T, k faceKind) {
	for _, nonblocking := range []bool{false, true} {
		p := faceNew(t, k, 1, WithQueueSize(3), WithNonblocking(nonblocking))
		gate, open := faceGate(t)
		accepted := 4 * p.pools // one running and three queued per sub-pool
		fill := faceAsync(func() error {
			for range accepted {
				if err := p.submit(func() { <-gate }); err != nil {
					return err
				}
			}
			return nil
		})
		faceWant(t, "Submits into free slots", faceRecv(t, fill, fmt.Sprintf("%d Submits to return without blocking", accepted)), nil)
		faceWant(t, "Waiting() with full queues", p.Waiting(), 3*p.pools)
		faceWant(t, "Running() with full queues", p.Running(), p.pools)
		ran := make(chan struct{})
		if nonblocking {
			if err := p.submit(func() { t.Error("a refused task ran") }); err != ErrPoolOverload {
				t.Errorf("Nonblocking Submit with full queues: got %v; want %v", err, ErrPoolOverload)
			}
			close(ran)
		} else {
			blocked := faceAsync(func() error { return p.submit(func() { close(ran) }) })
			facePoll(t, "the next Submit blocks", func() bool { return p.Waiting() == 3*p.pools+1 })
			open()
			faceWant(t, "blocked Submit", faceRecv(t, blocked, "the blocked Submit"), nil)
		}
		open()
		faceRecv(t, ran, "the last task")
	}
}

// faceQueued fills every worker and queue slot of a pool with queue size 3
// with tasks that wait for gate and count themselves when they finish.
func faceQueued(t *testing.T, k faceKind) (p *faceAdapter, finished *atomic.Int64, open func()) {
	t.Helper()
	p = faceNew(t, k, 1, WithQueueSize(3))
	gate, open := faceGate(t)
	finished = new(atomic.Int64)
	for i := range 4 * p.pools {
		if err := p.submit(func() { <-gate; finished.Add(1) }); err != nil {
			t.Fatalf("Submit %d: got %v; want nil", i, err)
		}
	}
	return p, finished, open
}

func faceQueueReleaseTimeout(t *testing.T, k faceKind) {
	p, finished, open := faceQueued(t, k)
	released := faceAsync(func() error { return p.ReleaseTimeout(faceTimeout) })
	facePoll(t, "IsClosed()", p.IsClosed)
	open()
	faceWant(t, "ReleaseTimeout", faceRecv(t, released, "ReleaseTimeout"), nil)
	faceWant(t, "tasks run", finished.Load(), int64(4*p.pools))
}

func faceQueueRelease(t *testing.T, k faceKind) {
	p, finished, open := faceQueued(t, k)
	p.Release()
	open()
	facePoll(t, "every queued task has run", func() bool { return finished.Load() == int64(4*p.pools) })
}

func faceContext(t *testing.T, k faceKind) {
	for _, c := range []struct {
		name string
		ctx  func() (context.Context, context.CancelFunc)
		want error
	}{
		{"cancelled", func() (context.Context, context.CancelFunc) { return context.WithCancel(context.Background()) }, context.Canceled},
		{"past its deadline", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 20*time.Millisecond)
		}, context.DeadlineExceeded},
	} {
		p := faceNew(t, k, 1)
		gate, open := faceGate(t)
		wg := faceFill(t, p, p.Cap(), gate)
		ctx, cancel := c.ctx()
		var ran atomic.Bool
		blocked := faceAsync(func() error { return p.submitContext(ctx, func() { ran.Store(true) }) })
		if c.want == context.Canceled {
			facePoll(t, "Waiting() == 1", func() bool { return p.Waiting() == 1 })
			cancel()
		}
		err := faceRecv(t, blocked, "the abandoned Submit")
		cancel()
		if !errors.Is(err, c.want) {
			t.Errorf("%s: got %v; want %v", c.name, err, c.want)
		}
		faceWant(t, c.name+": Waiting()", p.Waiting(), 0)
		open()
		faceWait(t, wg, "the running tasks")
		if err := p.ReleaseTimeout(faceTimeout); err != nil {
			t.Fatalf("ReleaseTimeout: got %v; want nil", err)
		}
		faceWant(t, c.name+": abandoned task ran", ran.Load(), false)
	}
}

func faceByIndexes(t *testing.T, k faceKind) {
	p := faceNew(t, k, 2)
	m := p.facePool.(faceByIndex)
	gate, open := faceGate(t)
	wg := faceFill(t, p, 3, gate) // sub-pool 0 gets two, sub-pool 1 one
	for _, c := range []struct {
		name string
		read func(int) (int, error)
		want []int
		sum  int
	}{
		{"RunningByIndex", m.RunningByIndex, []int{2, 1}, p.Running()},
		{"FreeByIndex", m.FreeByIndex, []int{0, 1}, p.Free()},
		{"WaitingByIndex", m.WaitingByIndex, []int{0, 0}, p.Waiting()},
	} {
		total := 0
		for idx, want := range c.want {
			got, err := c.read(idx)
			if got != want || err != nil {
				t.Errorf("%s(%d): got %d, %v; want %d, nil", c.name, idx, got, err, want)
			}
			total += got
		}
		faceWant(t, c.name+": the aggregate", c.sum, total)
		for _, idx := range []int{-1, 2} {
			if got, err := c.read(idx); got != -1 || err != ErrInvalidPoolIndex {
				t.Errorf("%s(%d): got %d, %v; want -1, %v", c.name, idx, got, err, ErrInvalidPoolIndex)
			}
		}
	}
	faceWant(t, "Cap()", p.Cap(), 4)
	wg.Add(2)
	if err := p.submit(func() { defer wg.Done(); <-gate }); err != nil { // fills sub-pool 1
		t.Fatalf("Submit: got %v; want nil", err)
	}
	go func() { defer wg.Done(); _ = p.submit(func() {}) }() // blocks on sub-pool 0
	facePoll(t, "WaitingByIndex(0) == 1", func() bool { n, _ := m.WaitingByIndex(0); return n == 1 })
	if n, err := m.WaitingByIndex(1); n != 0 || err != nil {
		t.Errorf("WaitingByIndex(1): got %d, %v; want 0, nil", n, err)
	}
	open()
	faceWait(t, wg, "the tasks")
}

func faceRoundRobin(t *testing.T, k faceKind) {
	p := faceNewMulti(t, k, 3, 4, RoundRobin)
	m := p.facePool.(faceByIndex)
	gate, open := faceGate(t)
	wg := faceFill(t, p, 6, gate)
	for idx := range 3 {
		if got, err := m.RunningByIndex(idx); got != 2 || err != nil {
			t.Errorf("RunningByIndex(%d): got %d, %v; want 2, nil", idx, got, err)
		}
	}
	open()
	faceWait(t, wg, "the tasks")
}

// faceLeastTasks leaves sub-pool 0 with one busy and one idle worker and
// sub-pool 1 with two idle workers, so both have two live workers. Counting
// busy tasks, the next three tasks fit without blocking (1, 0, 1); counting
// live workers as ants v2 does, the first two would both go to sub-pool 0
// and the second would be refused.
func faceLeastTasks(t *testing.T, k faceKind) {
	p := faceNew(t, k, 2, WithDisablePurge(true), WithNonblocking(true))
	opens := make([]func(), 4)
	var wg sync.WaitGroup
	for i := range opens {
		gate, open := faceGate(t)
		opens[i] = open
		wg.Add(1)
		if err := p.submit(func() { defer wg.Done(); <-gate }); err != nil {
			t.Fatalf("Submit %d: got %v; want nil", i, err)
		}
	}
	for _, i := range []int{1, 2, 3} { // tasks 0 and 2 run on sub-pool 0, 1 and 3 on 1
		opens[i]()
	}
	facePoll(t, "one busy task is left", func() bool { return p.Stats().Busy == 1 })
	faceWant(t, "Running()", p.Running(), 4)
	gate, open := faceGate(t)
	for i := range 3 {
		wg.Add(1)
		if err := p.submit(func() { defer wg.Done(); <-gate }); err != nil {
			t.Fatalf("Submit %d of 3 into the free slots: got %v; want nil", i, err)
		}
	}
	faceWant(t, "Free()", p.Free(), 0)
	open()
	opens[0]()
	faceWait(t, &wg, "the tasks")
}
