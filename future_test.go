package ants

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// futTimeout bounds every wait of the future and group tests.
const futTimeout = 10 * time.Second

var futErrBoom = errors.New("boom")

// futWait fails the test if ch is not closed within futTimeout.
func futWait(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(futTimeout):
		t.Fatalf("timed out waiting for %s", what)
	}
}

// futResult waits for f at most futTimeout.
func futResult[T any](t *testing.T, f *Future[T]) (T, error) {
	t.Helper()
	futWait(t, f.Done(), "the future")
	return f.Wait()
}

// futEventually polls cond until it holds, for states that no channel
// announces, such as a submitter parked in admission.
func futEventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(futTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// futStacks returns the stacks of every goroutine.
func futStacks() string {
	buf := make([]byte, 1<<20)
	return string(buf[:runtime.Stack(buf, true)])
}

// futNewPool returns a pool that is released, with a wait, when the test
// ends.
func futNewPool(t *testing.T, size int, opts ...Option) *Pool {
	t.Helper()
	p, err := NewPool(size, opts...)
	if err != nil {
		t.Fatalf("NewPool: %v", err)
	}
	t.Cleanup(func() { futRelease(t, p) })
	return p
}

// futRelease releases p and waits for it to drain.
func futRelease(t *testing.T, p interface{ ReleaseTimeout(time.Duration) error }) {
	t.Helper()
	if err := p.ReleaseTimeout(futTimeout); err != nil && !errors.Is(err, ErrPoolClosed) {
		t.Errorf("ReleaseTimeout: %v", err)
	}
}

// futBlocker submits a future that runs until release is closed, and waits
// until it runs, so that it holds one worker of p.
func futBlocker(t *testing.T, p Submitter, release <-chan struct{}) *Future[int] {
	t.Helper()
	started := make(chan struct{})
	f := SubmitFuture(p, func() (int, error) {
		close(started)
		<-release
		return 1, nil
	})
	futWait(t, started, "the blocking task to start")
	return f
}

func TestFuture(t *testing.T) {
	t.Run("returns the value and error of its function", func(t *testing.T) {
		p := futNewPool(t, 2)
		v, err := futResult(t, SubmitFuture(p, func() (int, error) { return 42, nil }))
		if v != 42 || err != nil {
			t.Errorf("got %v, %v; want 42, <nil>", v, err)
		}
		s, err := futResult(t, SubmitFuture(p, func() (string, error) { return "partial", futErrBoom }))
		if s != "partial" || err != futErrBoom {
			t.Errorf("got %q, %v; want %q, %v", s, err, "partial", futErrBoom)
		}
	})

	t.Run("turns a panic into a PanicError", func(t *testing.T) {
		p := futNewPool(t, 2)
		v, err := futResult(t, SubmitFuture(p, func() (int, error) { panic(futErrBoom) }))
		var pe *PanicError
		if !errors.As(err, &pe) {
			t.Fatalf("got error %v (%T); want a *PanicError", err, err)
		}
		if v != 0 || pe.Value != futErrBoom || !errors.Is(err, futErrBoom) {
			t.Errorf("got %v, Value %v, Is(futErrBoom) %v; want 0, %v, true", v, pe.Value, errors.Is(err, futErrBoom), futErrBoom)
		}
		if !bytes.Contains(pe.Stack, []byte("future_test.go")) {
			t.Errorf("stack does not show the panicking function:\n%s", pe.Stack)
		}
	})

	t.Run("keeps a non-error panic value", func(t *testing.T) {
		p := futNewPool(t, 1)
		_, err := futResult(t, SubmitFutureContext(context.Background(), p, func(context.Context) (int, error) {
			panic("oops")
		}))
		var pe *PanicError
		if !errors.As(err, &pe) || pe.Value != "oops" || pe.Unwrap() != nil {
			t.Errorf("got %#v; want a *PanicError with Value %q and no cause", err, "oops")
		}
	})

	t.Run("is ready with an error when its function calls Goexit", func(t *testing.T) {
		p := futNewPool(t, 1)
		_, err := futResult(t, SubmitFuture(p, func() (int, error) {
			runtime.Goexit()
			return 1, nil
		}))
		if err == nil || !strings.Contains(err.Error(), "Goexit") {
			t.Errorf("got %v; want an error that names Goexit", err)
		}
	})

	t.Run("closes Done and reports Ready once ready", func(t *testing.T) {
		p := futNewPool(t, 1)
		release := make(chan struct{})
		f := futBlocker(t, p, release)
		select {
		case <-f.Done():
			t.Fatal("Done is closed before the function returned")
		default:
		}
		if f.Ready() {
			t.Fatal("Ready is true before the function returned")
		}
		close(release)
		futWait(t, f.Done(), "Done")
		if v, err := f.Wait(); !f.Ready() || v != 1 || err != nil {
			t.Errorf("got Ready %v, %v, %v; want true, 1, <nil>", f.Ready(), v, err)
		}
	})

	t.Run("gives every waiter the same result", func(t *testing.T) {
		p := futNewPool(t, 1)
		release := make(chan struct{})
		f := futBlocker(t, p, release)
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if v, err := f.Wait(); v != 1 || err != nil {
					errs <- fmt.Errorf("got %v, %v; want 1, <nil>", v, err)
				}
			}()
		}
		close(release)
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		futWait(t, done, "the waiters")
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	})

	t.Run("WaitContext gives up when its context ends, and the task goes on", func(t *testing.T) {
		p := futNewPool(t, 1)
		release := make(chan struct{})
		f := futBlocker(t, p, release)
		ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
		defer cancel()
		if v, err := f.WaitContext(ctx); v != 0 || err != context.DeadlineExceeded {
			t.Errorf("got %v, %v; want 0, %v", v, err, context.DeadlineExceeded)
		}
		close(release)
		if v, err := futResult(t, f); v != 1 || err != nil {
			t.Errorf("after release got %v, %v; want 1, <nil>", v, err)
		}
		if v, err := f.WaitContext(ctx); v != 1 || err != nil {
			t.Errorf("WaitContext on a ready future got %v, %v; want 1, <nil>", v, err)
		}
	})

	t.Run("WaitContext with a nil context waits as Wait does", func(t *testing.T) {
		p := futNewPool(t, 1)
		release := make(chan struct{})
		f := futBlocker(t, p, release)
		// Release the function once this goroutine waits in WaitContext, so
		// that it waits on a pending future (it panicked there before nil
		// meant Background).
		go func() {
			defer close(release)
			deadline := time.Now().Add(futTimeout)
			for time.Now().Before(deadline) && !strings.Contains(futStacks(), ").WaitContext(") {
				time.Sleep(time.Millisecond)
			}
		}()
		if v, err := f.WaitContext(nil); v != 1 || err != nil { // nil means Background
			t.Errorf("got %v, %v; want 1, <nil>", v, err)
		}
	})

	t.Run("passes its context to the function", func(t *testing.T) {
		type key struct{}
		p := futNewPool(t, 1)
		ctx := context.WithValue(context.Background(), key{}, "value")
		got, err := futResult(t, SubmitFutureContext(ctx, p, func(ctx context.Context) (any, error) {
			return ctx.Value(key{}), nil
		}))
		if got != "value" || err != nil {
			t.Errorf("got %v, %v; want value, <nil>", got, err)
		}
	})

	t.Run("is ready with ErrNilTask for a nil function", func(t *testing.T) {
		p := futNewPool(t, 1)
		if _, err := futResult(t, SubmitFuture[int](p, nil)); err != ErrNilTask {
			t.Errorf("SubmitFuture: got %v; want %v", err, ErrNilTask)
		}
		if _, err := futResult(t, SubmitFutureContext[int](context.Background(), p, nil)); err != ErrNilTask {
			t.Errorf("SubmitFutureContext: got %v; want %v", err, ErrNilTask)
		}
	})

	t.Run("is ready with ErrNilTask when zero or nil", func(t *testing.T) {
		var zero Future[int]
		var none *Future[int]
		for _, f := range []*Future[int]{&zero, none} {
			futWait(t, f.Done(), "Done")
			v, err := f.WaitContext(context.Background())
			if !f.Ready() || v != 0 || err != ErrNilTask {
				t.Errorf("got Ready %v, %v, %v; want true, 0, %v", f.Ready(), v, err, ErrNilTask)
			}
		}
	})
}

func TestFutureRefused(t *testing.T) {
	t.Run("by a closed pool", func(t *testing.T) {
		p := futNewPool(t, 1)
		futRelease(t, p)
		var ran atomic.Bool
		_, err := futResult(t, SubmitFuture(p, func() (int, error) { ran.Store(true); return 1, nil }))
		if err != ErrPoolClosed || ran.Load() {
			t.Errorf("got %v, ran %v; want %v, false", err, ran.Load(), ErrPoolClosed)
		}
	})

	t.Run("by a full Nonblocking pool, at once", func(t *testing.T) {
		p := futNewPool(t, 1, WithNonblocking(true))
		release := make(chan struct{})
		defer close(release)
		futBlocker(t, p, release)
		f := SubmitFuture(p, func() (int, error) { return 1, nil })
		if !f.Ready() {
			t.Fatal("the refused future is not ready when SubmitFuture returns")
		}
		if _, err := f.Wait(); err != ErrPoolOverload {
			t.Errorf("got %v; want %v", err, ErrPoolOverload)
		}
	})

	t.Run("when its context ends while it waits for a worker", func(t *testing.T) {
		p := futNewPool(t, 1)
		release := make(chan struct{})
		defer close(release)
		futBlocker(t, p, release)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var ran atomic.Bool
		submitted := make(chan *Future[int], 1)
		go func() {
			submitted <- SubmitFutureContext(ctx, p, func(context.Context) (int, error) {
				ran.Store(true)
				return 1, nil
			})
		}()
		futEventually(t, "the submitter to wait", func() bool { return p.Waiting() == 1 })
		cancel()
		select {
		case f := <-submitted:
			if _, err := futResult(t, f); err != context.Canceled || ran.Load() {
				t.Errorf("got %v, ran %v; want %v, false", err, ran.Load(), context.Canceled)
			}
		case <-time.After(futTimeout):
			t.Fatal("SubmitFutureContext did not return after its context ended")
		}
	})

	t.Run("when its context has ended, even by a pool with room", func(t *testing.T) {
		p := futNewPool(t, 1)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		var ran atomic.Bool
		f := SubmitFutureContext(ctx, p, func(context.Context) (int, error) { ran.Store(true); return 1, nil })
		if _, err := futResult(t, f); err != context.Canceled || ran.Load() {
			t.Errorf("got %v, ran %v; want %v, false", err, ran.Load(), context.Canceled)
		}
	})
}

func TestFutureOnMultiPool(t *testing.T) {
	mp, err := NewMultiPool(2, 2, RoundRobin)
	if err != nil {
		t.Fatalf("NewMultiPool: %v", err)
	}
	defer futRelease(t, mp)
	futures := make([]*Future[int], 20)
	for i := range futures {
		futures[i] = SubmitFuture(mp, func() (int, error) { return i * i, nil })
	}
	for i, f := range futures {
		if v, err := futResult(t, f); v != i*i || err != nil {
			t.Errorf("future %d: got %v, %v; want %v, <nil>", i, v, err, i*i)
		}
	}
}

func BenchmarkSubmitFuture(b *testing.B) {
	p, _ := NewPool(runtime.GOMAXPROCS(0))
	defer func() { _ = p.ReleaseTimeout(futTimeout) }()
	b.ReportAllocs()
	for range b.N {
		_, _ = SubmitFuture(p, func() (int, error) { return 1, nil }).Wait()
	}
}

// BenchmarkSubmitFutureContext is BenchmarkSubmitFuture with a context that
// can end (and never does), the case where a queued future must watch it.
func BenchmarkSubmitFutureContext(b *testing.B) {
	p, _ := NewPool(runtime.GOMAXPROCS(0))
	defer func() { _ = p.ReleaseTimeout(futTimeout) }()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b.ReportAllocs()
	for range b.N {
		_, _ = SubmitFutureContext(ctx, p, func(context.Context) (int, error) { return 1, nil }).Wait()
	}
}
