package ants

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// This file checks that a task submitted with a context, through a future
// or a group, never starts once that context has ended, even when it was
// already admitted and waited in the pool's queue; that its future or
// group learns of it at once; and that each such task either starts or is
// dropped, exactly once. The helpers are in future_test.go and
// group_test.go.

// cqQueuedPool returns a pool of one worker, held by a task until the
// returned function is called, and a queue for the tasks under test.
func cqQueuedPool(t *testing.T) (*Pool, func()) {
	t.Helper()
	p := futNewPool(t, 1, WithQueueSize(64))
	release := make(chan struct{})
	futBlocker(t, p, release)
	var once sync.Once
	unblock := func() { once.Do(func() { close(release) }) }
	t.Cleanup(unblock)
	return p, unblock
}

// cqDrained waits until every task admitted to p has been taken off its
// queue and finished.
func cqDrained(t *testing.T, p *Pool) {
	t.Helper()
	futEventually(t, "the pool to drain", func() bool { s := p.Stats(); return s.Busy == 0 && s.Queued == 0 })
}

func TestFutureCancelWhileQueued(t *testing.T) {
	t.Run("is ready with the context's error while the worker is still busy, and never runs", func(t *testing.T) {
		p, unblock := cqQueuedPool(t)
		var cancelled, started atomic.Bool
		late := make(chan string, 16)
		ctx, cancel := context.WithCancel(context.Background())
		deadline, stop := context.WithTimeout(context.Background(), time.Hour)
		defer stop()
		var futures []*Future[int]
		for i := range 8 {
			c := ctx
			if i%2 == 1 {
				c = deadline
			}
			futures = append(futures, SubmitFutureContext(c, p, func(c context.Context) (int, error) {
				started.Store(true)
				if c == ctx && cancelled.Load() {
					late <- "a task started after its context ended"
				}
				return 1, nil
			}))
		}
		if got := p.Stats().Queued; got != 8 {
			t.Fatalf("Queued = %d; want 8", got)
		}
		cancelled.Store(true)
		cancel()
		for i, f := range futures {
			if i%2 == 1 {
				continue
			}
			// The worker is still held: only the context can make it ready.
			if v, err := futResult(t, f); v != 0 || !errors.Is(err, context.Canceled) {
				t.Errorf("future %d: got %v, %v; want 0, %v", i, v, err, context.Canceled)
			}
		}
		if got := p.Stats().Queued; got != 8 {
			t.Errorf("Queued = %d after the cancel; want 8 (the tasks keep their places)", got)
		}
		unblock()
		for i, f := range futures {
			if i%2 == 0 {
				continue
			}
			if v, err := futResult(t, f); v != 1 || err != nil {
				t.Errorf("future %d with a live context: got %v, %v; want 1, <nil>", i, v, err)
			}
		}
		cqDrained(t, p)
		close(late)
		for msg := range late {
			t.Error(msg)
		}
		if !started.Load() {
			t.Error("no future with a live context ran")
		}
	})

	t.Run("is ready with DeadlineExceeded when its deadline passes in the queue", func(t *testing.T) {
		p, _ := cqQueuedPool(t)
		ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
		defer cancel()
		var ran atomic.Bool
		f := SubmitFutureContext(ctx, p, func(context.Context) (int, error) { ran.Store(true); return 1, nil })
		if _, err := futResult(t, f); !errors.Is(err, context.DeadlineExceeded) || ran.Load() {
			t.Errorf("got %v, ran %v; want %v, false", err, ran.Load(), context.DeadlineExceeded)
		}
	})

	t.Run("gives the slot back once a worker reaches the dropped task", func(t *testing.T) {
		p, unblock := cqQueuedPool(t)
		ctx, cancel := context.WithCancel(context.Background())
		f := SubmitFutureContext(ctx, p, func(context.Context) (int, error) { return 1, nil })
		cancel()
		futWait(t, f.Done(), "the dropped future")
		before := p.Stats().Completed
		unblock()
		cqDrained(t, p)
		// The blocker and the dropped task, which the worker returned from.
		if got := p.Stats().Completed - before; got != 2 {
			t.Errorf("Completed grew by %d; want 2", got)
		}
	})

	t.Run("removes its watch on the context when the function starts", func(t *testing.T) {
		p := futNewPool(t, 2)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		w := &cqWatchedCtx{Context: ctx}
		for range 50 {
			if _, err := futResult(t, SubmitFutureContext(w, p, func(context.Context) (int, error) { return 1, nil })); err != nil {
				t.Fatal(err)
			}
		}
		if r, s := w.registered.Load(), w.stopped.Load(); r != 50 || s != 50 {
			t.Errorf("%d watches registered, %d removed; want 50, 50", r, s)
		}
	})

	t.Run("a plain SubmitContext task still runs after its context ends", func(t *testing.T) {
		p, unblock := cqQueuedPool(t)
		ctx, cancel := context.WithCancel(context.Background())
		ran := make(chan struct{})
		if err := p.SubmitContext(ctx, func() { close(ran) }); err != nil {
			t.Fatal(err)
		}
		cancel()
		unblock()
		futWait(t, ran, "the admitted task")
	})
}

// cqWatchedCtx counts the AfterFunc registrations made on it, and their
// removals. The context package calls the AfterFunc method of a parent
// that has one, unless it finds a cancelCtx of its own through Value:
// Value hides it.
type cqWatchedCtx struct {
	context.Context
	registered, stopped atomic.Int64
}

func (c *cqWatchedCtx) Value(any) any { return nil }

func (c *cqWatchedCtx) AfterFunc(f func()) func() bool {
	c.registered.Add(1)
	stop := context.AfterFunc(c.Context, f)
	return func() bool {
		c.stopped.Add(1)
		return stop()
	}
}

// TestFutureCancelRace races the end of a future's context with a worker
// reaching its task: the function starts, or the future is ready with the
// context's error, never both and never neither.
func TestFutureCancelRace(t *testing.T) {
	p := futNewPool(t, 2, WithQueueSize(16))
	var ranCount, droppedCount int
	for i := range 2000 {
		ctx, cancel := context.WithCancel(context.Background())
		var ran atomic.Int32
		f := SubmitFutureContext(ctx, p, func(context.Context) (int, error) {
			ran.Add(1)
			return 1, nil
		})
		if i%2 == 0 {
			go cancel()
		} else {
			cancel()
		}
		v, err := futResult(t, f)
		cqDrained(t, p) // the worker has reached the task, if it was to
		switch n := ran.Load(); {
		case n == 1 && v == 1 && err == nil:
			ranCount++
		case n == 0 && v == 0 && errors.Is(err, context.Canceled):
			droppedCount++
		default:
			t.Fatalf("iteration %d: the function ran %d times and the future got %v, %v", i, n, v, err)
		}
		cancel()
	}
	t.Logf("%d functions ran, %d were dropped", ranCount, droppedCount)
}

func TestGroupCancelWhileQueued(t *testing.T) {
	t.Run("the caller's context drops the queued tasks and Wait returns at once", func(t *testing.T) {
		p, unblock := cqQueuedPool(t)
		parent, cancel := context.WithCancel(context.Background())
		g, ctx := NewGroup(parent, p, WithLimit(16))
		var cancelled atomic.Bool
		late := make(chan string, 16)
		for range 10 {
			g.Go(func(context.Context) error {
				if cancelled.Load() {
					late <- "a task started after the caller's context ended"
				}
				return nil
			})
		}
		cancelled.Store(true)
		cancel()
		// The worker is still held: only the drop can end the tasks.
		if err := grpWait(t, g); !errors.Is(err, context.Canceled) {
			t.Errorf("Wait = %v; want %v", err, context.Canceled)
		}
		if ctx.Err() == nil {
			t.Error("the group's context is not done after Wait")
		}
		unblock()
		cqDrained(t, p)
		close(late)
		for msg := range late {
			t.Error(msg)
		}
	})

	t.Run("the group's own first error runs the queued tasks, with its context cancelled", func(t *testing.T) {
		p, unblock := cqQueuedPool(t)
		g, _ := NewGroup(context.Background(), p)
		var ran, sawCancel atomic.Int64
		for range 5 {
			g.Go(func(ctx context.Context) error {
				ran.Add(1)
				if ctx.Err() != nil {
					sawCancel.Add(1)
				}
				return nil
			})
		}
		g.Go(nil) // the first error, while the tasks are queued
		unblock()
		if err := grpWait(t, g); err != ErrNilTask {
			t.Errorf("Wait = %v; want %v", err, ErrNilTask)
		}
		if ran.Load() != 5 || sawCancel.Load() != 5 {
			t.Errorf("%d tasks ran, %d saw the cancel; want 5, 5", ran.Load(), sawCancel.Load())
		}
	})

	t.Run("WithFailFast drops the queued tasks on the first error without waiting for a worker", func(t *testing.T) {
		p, unblock := cqQueuedPool(t)
		g, _ := NewGroup(context.Background(), p, WithFailFast(), WithLimit(8))
		var ran atomic.Int64
		for range 5 {
			g.Go(func(context.Context) error { ran.Add(1); return nil })
		}
		g.Go(nil)
		if err := grpWait(t, g); err != ErrNilTask {
			t.Errorf("Wait = %v; want %v", err, ErrNilTask)
		}
		unblock()
		cqDrained(t, p)
		if got := ran.Load(); got != 0 {
			t.Errorf("%d dropped tasks ran; want 0", got)
		}
	})

	t.Run("a ResultGroup keeps the zero value for a dropped task", func(t *testing.T) {
		p, unblock := cqQueuedPool(t)
		parent, cancel := context.WithCancel(context.Background())
		g, _ := NewResultGroup[int](parent, p)
		g.Go(func(context.Context) (int, error) { return 7, nil })
		cancel()
		got, err := g.Wait()
		if len(got) != 1 || got[0] != 0 || !errors.Is(err, context.Canceled) {
			t.Errorf("got %v, %v; want [0], %v", got, err, context.Canceled)
		}
		unblock()
		cqDrained(t, p)
	})

	t.Run("removes its watch on the caller's context in Wait", func(t *testing.T) {
		p := futNewPool(t, 2)
		parent, cancel := context.WithCancel(context.Background())
		defer cancel()
		w := &cqWatchedCtx{Context: parent}
		g, _ := NewGroup(w, p)
		for range 20 {
			g.Go(func(context.Context) error { return nil })
		}
		if err := grpWait(t, g); err != nil {
			t.Fatal(err)
		}
		// NewGroup's own context and the group's watch, both removed.
		if r, s := w.registered.Load(), w.stopped.Load(); r < 2 || s != r {
			t.Errorf("%d watches registered on the caller's context, %d removed; want at least 2, all removed", r, s)
		}
	})
}

// TestGroupCancelRace races the end of the caller's context with workers
// reaching a group's tasks. Every task must end exactly once: Wait returns,
// and no task starts after it returned (a task ended twice would let Wait
// return while another still waits to start).
func TestGroupCancelRace(t *testing.T) {
	p := futNewPool(t, 2, WithQueueSize(32))
	var total, dropped int64
	defer func() { t.Logf("%d tasks, %d did not run", total, dropped) }()
	for i := range 500 {
		parent, cancel := context.WithCancel(context.Background())
		opts := []GroupOption{WithLimit(8)}
		if i%2 == 1 {
			opts = append(opts, WithFailFast())
		}
		g, _ := NewGroup(parent, p, opts...)
		var waited atomic.Bool
		var ran, late atomic.Int64
		const tasks = 12
		for j := range tasks {
			if j == tasks/2 {
				go cancel()
			}
			g.Go(func(context.Context) error {
				if waited.Load() {
					late.Add(1)
				}
				ran.Add(1)
				return nil
			})
		}
		err := grpWait(t, g)
		waited.Store(true)
		cqDrained(t, p)
		if n := late.Load(); n != 0 {
			t.Fatalf("iteration %d: %d tasks started after Wait returned", i, n)
		}
		if n := g.active.Load(); n != 0 {
			t.Fatalf("iteration %d: %d tasks still counted once every task ended; want 0 (each ended once)", i, n)
		}
		total += tasks
		dropped += tasks - ran.Load()
		if n := ran.Load(); n < tasks && !errors.Is(err, context.Canceled) {
			t.Fatalf("iteration %d: %d of %d tasks ran and Wait = %v; want %v", i, n, tasks, err, context.Canceled)
		}
		cancel()
	}
}
