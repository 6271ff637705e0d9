package ants

import (
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

// This file checks that faulty tasks and faulty callbacks cannot break a
// pool: tasks that panic or call runtime.Goexit, a PanicHandler that
// panics, a Logger that blocks, and tasks that submit to their own pool.

// relWait is how long any wait in these tests may take before it fails.
const relWait = 10 * time.Second

// relWaitGroup waits for wg, failing the test after relWait.
func relWaitGroup(t *testing.T, wg *sync.WaitGroup, what string) {
	t.Helper()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(relWait):
		t.Fatalf("%s: still waiting after %v; goroutines:\n%s", what, relWait, relStacks())
	}
}

// relRecv waits for ch, failing the test after relWait.
func relRecv[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(relWait):
		t.Fatalf("%s: still waiting after %v; goroutines:\n%s", what, relWait, relStacks())
	}
	var zero T
	return zero
}

// relLogSink is a Logger that keeps what it is given.
type relLogSink struct {
	mu    sync.Mutex
	lines []string
	block chan struct{} // if not nil, Printf waits for it to close
	in    chan struct{} // if not nil, Printf signals on it when it starts
}

func (l *relLogSink) Printf(format string, args ...any) {
	if l.in != nil {
		select {
		case l.in <- struct{}{}:
		default:
		}
	}
	if l.block != nil {
		<-l.block
	}
	l.mu.Lock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
	l.mu.Unlock()
}

func (l *relLogSink) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// relForFaces runs f once per face, as a subtest named after it.
func relForFaces(t *testing.T, f func(t *testing.T, face int)) {
	for face := range relFaceCount {
		t.Run(relFaceNames[face], func(t *testing.T) { f(t, face) })
	}
}

// relRelease releases f and fails the test unless every task finished and
// every goroutine of the pool exited in time.
func relRelease(t *testing.T, f interface{ ReleaseTimeout(time.Duration) error }) {
	t.Helper()
	if err := f.ReleaseTimeout(relWait); err != nil {
		t.Fatalf("ReleaseTimeout = %v; want nil", err)
	}
}

func TestFaultEveryTaskPanics(t *testing.T) {
	relForFaces(t, func(t *testing.T, face int) {
		const submitters, perSubmitter = 4, 25
		var handled sync.WaitGroup
		handled.Add(submitters * perSubmitter)
		var panics atomic.Int64
		handler := func(v any) {
			if _, ok := v.(relPanicValue); ok {
				panics.Add(1)
			}
			handled.Done()
		}
		const total = submitters * perSubmitter
		ran := make(chan struct{})
		f, err := relBuildFace(face, 2, 2, RoundRobin, func(id int64) {
			if id == total {
				close(ran)
				return
			}
			panic(relPanicValue{id})
		},
			WithPanicHandler(handler), WithLogger(&relLogSink{}))
		if err != nil {
			t.Fatal(err)
		}
		var submitted sync.WaitGroup
		var failed atomic.Int64
		for s := range submitters {
			submitted.Add(1)
			go func() {
				defer submitted.Done()
				for i := range perSubmitter {
					if err := f.submit(nil, int64(s*perSubmitter+i)); err != nil {
						failed.Add(1)
					}
				}
			}()
		}
		relWaitGroup(t, &submitted, "blocked submitters of panicking tasks")
		relWaitGroup(t, &handled, "PanicHandler calls")
		if got := failed.Load(); got != 0 {
			t.Errorf("%d submissions failed; want 0", got)
		}
		if got := panics.Load(); got != submitters*perSubmitter {
			t.Errorf("PanicHandler saw %d task panics; want %d", got, submitters*perSubmitter)
		}
		// The pool still serves.
		if err := f.submit(nil, total); err != nil {
			t.Fatalf("submit after the panics = %v", err)
		}
		relRecv(t, ran, "a task after the panics")
		relRelease(t, f)
		if s := f.Stats(); s.Panicked != total || s.Completed != total+1 {
			t.Errorf("Stats = %+v; want Panicked = %d, Completed = %d", s, total, total+1)
		}
	})
}

func TestFaultPanicsKeepPoolServing(t *testing.T) {
	// Half the tasks panic; the other half must all run, and the pool must
	// still run tasks afterwards, on every face.
	relForFaces(t, func(t *testing.T, face int) {
		const n = 60
		var ran sync.WaitGroup
		ran.Add(n / 2)
		var handled sync.WaitGroup
		handled.Add(n / 2)
		f, err := relBuildFace(face, 1, 2, LeastTasks, func(id int64) {
			if id%2 == 0 {
				panic(relPanicValue{id})
			}
			ran.Done()
		}, WithPanicHandler(func(any) { handled.Done() }))
		if err != nil {
			t.Fatal(err)
		}
		for id := range int64(n) {
			if err := f.submit(nil, id); err != nil {
				t.Fatalf("submit %d = %v", id, err)
			}
		}
		relWaitGroup(t, &ran, "the tasks that do not panic")
		relWaitGroup(t, &handled, "PanicHandler calls")
		relRelease(t, f)
	})
}

func TestFaultGoexitReleasesSlot(t *testing.T) {
	relForFaces(t, func(t *testing.T, face int) {
		const exits, normal = 50, 10
		var finished sync.WaitGroup
		finished.Add(exits + normal)
		var concurrent, peak atomic.Int64
		f, err := relBuildFace(face, 2, 2, RoundRobin, func(id int64) {
			defer finished.Done()
			n := concurrent.Add(1)
			defer concurrent.Add(-1)
			for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
			}
			if id < exits {
				runtime.Goexit()
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		for id := range int64(exits + normal) {
			if err := f.submit(nil, id); err != nil {
				t.Fatalf("submit %d = %v", id, err)
			}
		}
		relWaitGroup(t, &finished, "tasks that call runtime.Goexit")
		capacity := 2
		if face >= relFaceMulti {
			capacity = 4
		}
		if p := peak.Load(); p > int64(capacity) {
			t.Errorf("%d tasks ran at once; capacity is %d", p, capacity)
		}
		relRelease(t, f)
		if s := f.Stats(); s.Completed != exits+normal || s.Panicked != 0 {
			t.Errorf("Stats = %+v; want Completed = %d, Panicked = 0", s, exits+normal)
		}
	})
}

func TestFaultPanicHandlerPanics(t *testing.T) {
	logger := &relLogSink{}
	var calls atomic.Int64
	p, err := NewPool(1,
		WithPanicHandler(func(v any) { calls.Add(1); panic(fmt.Sprintf("handler for %v", v)) }),
		WithLogger(logger))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if err := p.Submit(func() { panic(fmt.Sprint("task ", i)) }); err != nil {
			t.Fatal(err)
		}
	}
	ran := make(chan struct{})
	if err := p.Submit(func() { close(ran) }); err != nil {
		t.Fatal(err)
	}
	relRecv(t, ran, "a task after panicking PanicHandlers")
	if !relWaitFor(relWait, func() bool { return strings.Count(logger.text(), "handler for task") == 5 }) {
		t.Errorf("the Logger got:\n%s\nwant the 5 PanicHandler panics", logger.text())
	}
	relRelease(t, p)
	if got := calls.Load(); got != 5 {
		t.Errorf("PanicHandler called %d times; want 5", got)
	}
}

func TestFaultBlockedLogger(t *testing.T) {
	// A task panics with no PanicHandler, so its worker reports it to a
	// Logger that blocks. The pool must keep serving meanwhile, even with
	// a capacity of one.
	logger := &relLogSink{block: make(chan struct{}), in: make(chan struct{}, 1)}
	p, err := NewPool(1, WithLogger(logger))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Submit(func() { panic("into the stuck logger") }); err != nil {
		t.Fatal(err)
	}
	relRecv(t, logger.in, "the Logger call")
	var ran sync.WaitGroup
	for range 20 {
		ran.Add(1)
		if err := p.Submit(ran.Done); err != nil {
			t.Fatal(err)
		}
	}
	relWaitGroup(t, &ran, "tasks while the Logger is stuck")
	close(logger.block)
	relRelease(t, p)
	if !strings.Contains(logger.text(), "into the stuck logger") {
		t.Errorf("the Logger got %q; want the panic value", logger.text())
	}
}

func TestFaultNestedSubmit(t *testing.T) {
	t.Run("unlimited pool never deadlocks", func(t *testing.T) {
		p, err := NewPool(0)
		if err != nil {
			t.Fatal(err)
		}
		// Each task submits two children and waits for them: 63 tasks in a
		// tree of depth 6, every parent blocked on its children.
		var spawn func(depth int) error
		spawn = func(depth int) error {
			if depth == 0 {
				return nil
			}
			var wg sync.WaitGroup
			errs := make(chan error, 2)
			for range 2 {
				wg.Add(1)
				if err := p.Submit(func() { defer wg.Done(); errs <- spawn(depth - 1) }); err != nil {
					return err
				}
			}
			wg.Wait()
			return errors.Join(<-errs, <-errs)
		}
		done := make(chan error, 1)
		if err := p.Submit(func() { done <- spawn(5) }); err != nil {
			t.Fatal(err)
		}
		if err := relRecv(t, done, "nested submissions"); err != nil {
			t.Fatal(err)
		}
		relRelease(t, p)
	})

	t.Run("nonblocking pool refuses instead of waiting", func(t *testing.T) {
		p, err := NewPool(1, WithNonblocking(true))
		if err != nil {
			t.Fatal(err)
		}
		got := make(chan error, 1)
		if err := p.Submit(func() { got <- p.Submit(func() { t.Error("inner task ran") }) }); err != nil {
			t.Fatal(err)
		}
		if err := relRecv(t, got, "inner Submit"); !errors.Is(err, ErrPoolOverload) {
			t.Errorf("inner Submit = %v; want ErrPoolOverload", err)
		}
		relRelease(t, p)
	})

	t.Run("full blocking pool would block; a context bounds the wait", func(t *testing.T) {
		p, err := NewPool(1)
		if err != nil {
			t.Fatal(err)
		}
		got := make(chan error, 1)
		if err := p.Submit(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			got <- p.SubmitContext(ctx, func() { t.Error("inner task ran") })
		}); err != nil {
			t.Fatal(err)
		}
		if err := relRecv(t, got, "inner SubmitContext"); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("inner SubmitContext = %v; want context.DeadlineExceeded", err)
		}
		relRelease(t, p)
		if s := p.Stats(); s.Cancelled != 1 || s.Completed != 1 {
			t.Errorf("Stats = %+v; want Cancelled = 1, Completed = 1", s)
		}
	})

	t.Run("pool with a queue takes the nested task and runs it after", func(t *testing.T) {
		p, err := NewPool(1, WithQueueSize(1))
		if err != nil {
			t.Fatal(err)
		}
		inner := make(chan struct{})
		got := make(chan error, 1)
		if err := p.Submit(func() { got <- p.Submit(func() { close(inner) }) }); err != nil {
			t.Fatal(err)
		}
		if err := relRecv(t, got, "inner Submit"); err != nil {
			t.Errorf("inner Submit = %v; want nil", err)
		}
		relRecv(t, inner, "the queued inner task")
		relRelease(t, p)
	})
}

// TestFaultReleaseWaitsForPanicHandler checks the ReleaseTimeout contract
// ("nil once every task has finished and every goroutine of the pool has
// exited") against a PanicHandler that is still running. It failed before
// 5f407df: a worker gave its slot back and left the worker count before it
// called the PanicHandler, so ReleaseTimeout returned nil while the handler
// still ran on a goroutine of the pool (ants v2 orders it that way too).
func TestFaultReleaseWaitsForPanicHandler(t *testing.T) {
	in := make(chan struct{})
	gate := make(chan struct{})
	p, err := NewPool(1, WithPanicHandler(func(any) { close(in); <-gate }))
	if err != nil {
		t.Fatal(err)
	}
	defer close(gate)
	if err := p.Submit(func() { panic("boom") }); err != nil {
		t.Fatal(err)
	}
	relRecv(t, in, "the PanicHandler call")
	if err := p.ReleaseTimeout(100 * time.Millisecond); !errors.Is(err, ErrTimeout) {
		t.Errorf("ReleaseTimeout while the PanicHandler runs = %v; want ErrTimeout", err)
	}
}
