package ants

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// grpGauge tracks how many tasks run at once, and the most that ever did.
type grpGauge struct{ cur, peak atomic.Int64 }

func (g *grpGauge) enter() {
	n := g.cur.Add(1)
	for m := g.peak.Load(); n > m && !g.peak.CompareAndSwap(m, n); m = g.peak.Load() {
	}
}

func (g *grpGauge) leave() { g.cur.Add(-1) }

// grpWait runs g.Wait, failing the test if it does not return within
// futTimeout.
func grpWait(t *testing.T, g interface{ Wait() error }) error {
	t.Helper()
	ch := make(chan error, 1)
	go func() { ch <- g.Wait() }()
	select {
	case err := <-ch:
		return err
	case <-time.After(futTimeout):
		t.Fatal("Wait did not return")
		return nil
	}
}

// grpGo runs fn in a goroutine and returns a channel closed when it returns.
func grpGo(fn func()) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	return done
}

func TestGroup(t *testing.T) {
	t.Run("waits for every task", func(t *testing.T) {
		p := futNewPool(t, 4)
		g, _ := NewGroup(context.Background(), p)
		var n atomic.Int64
		for range 50 {
			g.Go(func(context.Context) error { n.Add(1); return nil })
		}
		if err := grpWait(t, g); err != nil || n.Load() != 50 {
			t.Errorf("got %v after %d tasks; want <nil> after 50", err, n.Load())
		}
	})

	t.Run("returns the first error and cancels its context with it", func(t *testing.T) {
		p := futNewPool(t, 4)
		g, ctx := NewGroup(context.Background(), p)
		for range 3 {
			g.Go(func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() })
		}
		g.Go(func(context.Context) error { return futErrBoom })
		if err := grpWait(t, g); err != futErrBoom {
			t.Errorf("got %v; want %v", err, futErrBoom)
		}
		if cause := context.Cause(ctx); cause != futErrBoom {
			t.Errorf("got cause %v; want %v", cause, futErrBoom)
		}
	})

	t.Run("cancels its context when Wait returns", func(t *testing.T) {
		p := futNewPool(t, 1)
		g, ctx := NewGroup(context.Background(), p)
		g.Go(func(ctx context.Context) error { return ctx.Err() })
		if err := grpWait(t, g); err != nil || ctx.Err() != context.Canceled {
			t.Errorf("got %v, ctx.Err() %v; want <nil>, %v", err, ctx.Err(), context.Canceled)
		}
	})

	t.Run("turns a panic into a PanicError", func(t *testing.T) {
		p := futNewPool(t, 1)
		g, _ := NewGroup(context.Background(), p)
		g.Go(func(context.Context) error { panic(futErrBoom) })
		err := grpWait(t, g)
		var pe *PanicError
		if !errors.As(err, &pe) || !errors.Is(err, futErrBoom) || len(pe.Stack) == 0 {
			t.Errorf("got %#v; want a *PanicError with a stack that wraps %v", err, futErrBoom)
		}
	})

	t.Run("joins a panic that follows the first error", func(t *testing.T) {
		p := futNewPool(t, 2)
		g, _ := NewGroup(context.Background(), p)
		g.Go(func(ctx context.Context) error { <-ctx.Done(); panic("late") })
		g.Go(func(context.Context) error { return futErrBoom })
		err := grpWait(t, g)
		var pe *PanicError
		if !errors.Is(err, futErrBoom) || !errors.As(err, &pe) || pe.Value != "late" {
			t.Errorf("got %v; want %v joined with the panic", err, futErrBoom)
		}
	})

	t.Run("records an error for a task that calls Goexit", func(t *testing.T) {
		p := futNewPool(t, 1)
		g, _ := NewGroup(context.Background(), p)
		g.Go(func(context.Context) error { runtime.Goexit(); return nil })
		if err := grpWait(t, g); err == nil || !strings.Contains(err.Error(), "Goexit") {
			t.Errorf("got %v; want an error that names Goexit", err)
		}
	})

	t.Run("records ErrNilTask for a nil task", func(t *testing.T) {
		p := futNewPool(t, 1)
		g, _ := NewGroup(context.Background(), p)
		g.Go(nil)
		if err := grpWait(t, g); err != ErrNilTask {
			t.Errorf("got %v; want %v", err, ErrNilTask)
		}
	})

	t.Run("accepts Go from many goroutines and from its own tasks", func(t *testing.T) {
		p := futNewPool(t, 0)
		g, _ := NewGroup(context.Background(), p)
		var n atomic.Int64
		var spawn func(depth int) func(context.Context) error
		spawn = func(depth int) func(context.Context) error {
			return func(context.Context) error {
				n.Add(1)
				if depth > 0 {
					for range 3 {
						g.Go(spawn(depth - 1))
					}
				}
				return nil
			}
		}
		var producers sync.WaitGroup
		for range 4 {
			producers.Add(1)
			go func() {
				defer producers.Done()
				g.Go(spawn(2)) // 1 + 3 + 9 tasks
			}()
		}
		futWait(t, grpGo(producers.Wait), "the producers")
		if err := grpWait(t, g); err != nil || n.Load() != 4*13 {
			t.Errorf("got %v after %d tasks; want <nil> after %d", err, n.Load(), 4*13)
		}
	})

	t.Run("runs 200 tasks on a pool of 2 without exceeding it", func(t *testing.T) {
		p := futNewPool(t, 2)
		g, _ := NewGroup(context.Background(), p)
		var gauge grpGauge
		var n atomic.Int64
		for range 200 {
			g.Go(func(context.Context) error {
				gauge.enter()
				defer gauge.leave()
				runtime.Gosched()
				n.Add(1)
				return nil
			})
		}
		if err := grpWait(t, g); err != nil || n.Load() != 200 || gauge.peak.Load() > 2 {
			t.Errorf("got %v after %d tasks, %d at once; want <nil> after 200, at most 2", err, n.Load(), gauge.peak.Load())
		}
	})

	t.Run("runs at most WithLimit tasks at once on a larger pool", func(t *testing.T) {
		p := futNewPool(t, 0)
		g, _ := NewGroup(context.Background(), p, WithLimit(3))
		var gauge grpGauge
		for range 100 {
			g.Go(func(context.Context) error {
				gauge.enter()
				defer gauge.leave()
				runtime.Gosched()
				return nil
			})
		}
		if err := grpWait(t, g); err != nil || gauge.peak.Load() > 3 {
			t.Errorf("got %v, %d at once; want <nil>, at most 3", err, gauge.peak.Load())
		}
	})

	t.Run("works over a MultiPool", func(t *testing.T) {
		mp, err := NewMultiPool(2, 2, LeastTasks)
		if err != nil {
			t.Fatalf("NewMultiPool: %v", err)
		}
		defer futRelease(t, mp)
		g, _ := NewGroup(context.Background(), mp)
		var n atomic.Int64
		for range 40 {
			g.Go(func(context.Context) error { n.Add(1); return nil })
		}
		if err := grpWait(t, g); err != nil || n.Load() != 40 {
			t.Errorf("got %v after %d tasks; want <nil> after 40", err, n.Load())
		}
	})
}

// TestGroupFailFast runs the same group twice over a pool of one worker and
// a queue: one task fails while five more wait in the queue.
func TestGroupFailFast(t *testing.T) {
	for _, tc := range []struct {
		name    string
		opts    []GroupOption
		wantRan int64
	}{
		{"runs the queued tasks with a cancelled context by default", nil, 5},
		{"skips the queued tasks with WithFailFast", []GroupOption{WithFailFast()}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := futNewPool(t, 1, WithQueueSize(8))
			g, _ := NewGroup(context.Background(), p, tc.opts...)
			release := make(chan struct{})
			g.Go(func(context.Context) error { <-release; return futErrBoom })
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
			close(release)
			if err := grpWait(t, g); err != futErrBoom {
				t.Errorf("got %v; want %v", err, futErrBoom)
			}
			if ran.Load() != tc.wantRan || sawCancel.Load() != tc.wantRan {
				t.Errorf("ran %d tasks, %d saw the cancel; want %d, %d", ran.Load(), sawCancel.Load(), tc.wantRan, tc.wantRan)
			}
			g.Go(func(context.Context) error { ran.Add(1); return nil })
			if err := grpWait(t, g); err != futErrBoom || ran.Load() != tc.wantRan {
				t.Errorf("Go after the failure: got %v, ran %d; want %v, %d", err, ran.Load(), futErrBoom, tc.wantRan)
			}
		})
	}
}

func TestGroupRefused(t *testing.T) {
	t.Run("submits nothing once its context is done", func(t *testing.T) {
		p := futNewPool(t, 1)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		g, _ := NewGroup(ctx, p)
		var ran atomic.Bool
		g.Go(func(context.Context) error { ran.Store(true); return nil })
		if err := grpWait(t, g); err != context.Canceled || ran.Load() {
			t.Errorf("got %v, ran %v; want %v, false", err, ran.Load(), context.Canceled)
		}
	})

	t.Run("gives up waiting for a worker when its context ends", func(t *testing.T) {
		p := futNewPool(t, 1)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		g, _ := NewGroup(ctx, p)
		release := make(chan struct{})
		g.Go(func(context.Context) error { <-release; return nil })
		var ran atomic.Bool
		blocked := grpGo(func() { g.Go(func(context.Context) error { ran.Store(true); return nil }) })
		futEventually(t, "Go to wait for a worker", func() bool { return p.Waiting() == 1 })
		cancel()
		futWait(t, blocked, "Go to give up")
		close(release)
		if err := grpWait(t, g); err != context.Canceled || ran.Load() {
			t.Errorf("got %v, ran %v; want %v, false", err, ran.Load(), context.Canceled)
		}
	})

	t.Run("gives up waiting for its limit when its context ends", func(t *testing.T) {
		p := futNewPool(t, 0)
		g, _ := NewGroup(context.Background(), p, WithLimit(1))
		release := make(chan struct{})
		g.Go(func(context.Context) error { <-release; return futErrBoom })
		var ran atomic.Bool
		blocked := grpGo(func() { g.Go(func(context.Context) error { ran.Store(true); return nil }) })
		close(release) // the first task fails and cancels the context
		futWait(t, blocked, "Go to give up")
		if err := grpWait(t, g); err != futErrBoom || ran.Load() {
			t.Errorf("got %v, ran %v; want %v, false", err, ran.Load(), futErrBoom)
		}
	})

	t.Run("reports the overload of a full Nonblocking pool", func(t *testing.T) {
		p := futNewPool(t, 1, WithNonblocking(true))
		g, _ := NewGroup(context.Background(), p)
		release := make(chan struct{})
		g.Go(func(context.Context) error { <-release; return nil })
		g.Go(func(context.Context) error { return nil })
		close(release)
		if err := grpWait(t, g); err != ErrPoolOverload {
			t.Errorf("got %v; want %v", err, ErrPoolOverload)
		}
	})

	t.Run("returns ErrPoolClosed when the pool is released under it", func(t *testing.T) {
		p := futNewPool(t, 2)
		g, _ := NewGroup(context.Background(), p)
		release := make(chan struct{})
		started := make(chan struct{}, 2)
		for range 2 {
			g.Go(func(context.Context) error { started <- struct{}{}; <-release; return nil })
		}
		for range 2 {
			select {
			case <-started:
			case <-time.After(futTimeout):
				t.Fatal("timed out waiting for a task to start")
			}
		}
		var ran atomic.Int64
		refused := grpGo(func() {
			for range 5 { // the first blocks until the pool is released
				g.Go(func(context.Context) error { ran.Add(1); return nil })
			}
		})
		released := make(chan error, 1)
		go func() { released <- p.ReleaseTimeout(futTimeout) }()
		futWait(t, refused, "the Go calls to be refused")
		close(release)
		if err := grpWait(t, g); err != ErrPoolClosed || ran.Load() != 0 {
			t.Errorf("got %v, ran %d; want %v, 0", err, ran.Load(), ErrPoolClosed)
		}
		if err := <-released; err != nil {
			t.Errorf("ReleaseTimeout: %v", err)
		}
	})
}
