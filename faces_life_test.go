package ants

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Lifecycle behaviours of TestFaces (see faces_test.go): purging, panics,
// Release, Reboot and wake-ups.

func facePurge(t *testing.T, k faceKind) {
	p := faceNew(t, k, 4, WithExpiryDuration(10*time.Millisecond))
	gate, open := faceGate(t)
	wg := faceFill(t, p, p.Cap(), gate)
	open()
	faceWait(t, wg, "the tasks")
	facePoll(t, "the idle workers are purged", func() bool { return p.Running() == 0 })
	faceWant(t, "Free() once purged", p.Free(), p.Cap())
}

func faceDisablePurge(t *testing.T, k faceKind) {
	const expiry = 2 * time.Millisecond
	p := faceNew(t, k, 4, WithExpiryDuration(expiry), WithDisablePurge(true))
	gate, open := faceGate(t)
	wg := faceFill(t, p, p.Cap(), gate)
	open()
	faceWait(t, wg, "the tasks")
	time.Sleep(5 * expiry) // the time under test, not synchronisation
	faceWant(t, "Running() after 5 expiry periods", p.Running(), p.Cap())
}

func facePanicHandler(t *testing.T, k faceKind) {
	type report struct {
		value   any
		running int
	}
	reports := make(chan report, 1)
	var p *faceAdapter
	p = faceNew(t, k, 2, WithPanicHandler(func(v any) { reports <- report{v, p.Running()} }))
	if err := p.submit(func() { panic("boom") }); err != nil {
		t.Fatalf("Submit: got %v; want nil", err)
	}
	got := faceRecv(t, reports, "the PanicHandler")
	faceWant(t, "panic value", got.value, any("boom"))
	faceWant(t, "Running() in the handler", got.running, 0)
	faceGoesOn(t, p)
}

func facePanicLogged(t *testing.T, k faceKind) {
	logger := &faceLogger{lines: make(chan string, 4)}
	p := faceNew(t, k, 2, WithLogger(logger))
	if err := p.submit(func() { panic("boom") }); err != nil {
		t.Fatalf("Submit: got %v; want nil", err)
	}
	line := faceRecv(t, logger.lines, "the log line")
	for _, want := range []string{"worker exits from panic: boom", "goroutine ", "runtime/debug.Stack"} {
		if !strings.Contains(line, want) {
			t.Errorf("log line: got %q; want it to contain %q", line, want)
		}
	}
	faceGoesOn(t, p)
}

// faceGoesOn checks that p still runs tasks.
func faceGoesOn(t *testing.T, p *faceAdapter) {
	t.Helper()
	ran := make(chan struct{})
	if err := p.submit(func() { close(ran) }); err != nil {
		t.Fatalf("Submit after the panic: got %v; want nil", err)
	}
	faceRecv(t, ran, "a task after the panic")
}

func faceRelease(t *testing.T, k faceKind) {
	p := faceNew(t, k, 1)
	gate, open := faceGate(t)
	wg := faceFill(t, p, p.Cap(), gate)
	blocked := faceAsync(func() error { return p.submit(func() { t.Error("a refused task ran") }) })
	facePoll(t, "Waiting() == 1", func() bool { return p.Waiting() == 1 })
	p.Release()
	faceWant(t, "blocked Submit", faceRecv(t, blocked, "the blocked Submit"), ErrPoolClosed)
	faceWant(t, "IsClosed()", p.IsClosed(), true)
	faceWant(t, "Waiting()", p.Waiting(), 0)
	faceWant(t, "Submit", p.submit(func() {}), ErrPoolClosed)
	faceWant(t, "SubmitContext", p.submitContext(context.Background(), func() {}), ErrPoolClosed)
	open()
	faceWait(t, wg, "the running tasks")
}

func faceReleaseWaits(t *testing.T, k faceKind) {
	p := faceNew(t, k, 2)
	gate, open := faceGate(t)
	var finished atomic.Int64
	for i := range p.Cap() {
		if err := p.submit(func() { <-gate; finished.Add(1) }); err != nil {
			t.Fatalf("Submit %d: got %v; want nil", i, err)
		}
	}
	released := faceAsync(func() error { return p.ReleaseTimeout(faceTimeout) })
	facePoll(t, "IsClosed()", p.IsClosed)
	open()
	faceWant(t, "ReleaseTimeout", faceRecv(t, released, "ReleaseTimeout"), nil)
	faceWant(t, "tasks finished when ReleaseTimeout returns", finished.Load(), int64(p.Cap()))
	faceWant(t, "Running() after ReleaseTimeout", p.Running(), 0)
	faceWant(t, "Free() after ReleaseTimeout", p.Free(), p.Cap())
}

func faceReleaseGivesUp(t *testing.T, k faceKind) {
	const short = 20 * time.Millisecond
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, c := range []struct {
		name    string
		release func(p facePool) error
		want    error
	}{
		{"ReleaseTimeout", func(p facePool) error { return p.ReleaseTimeout(short) }, ErrTimeout},
		{"ReleaseContext past its deadline", func(p facePool) error {
			ctx, cancel := context.WithTimeout(context.Background(), short)
			defer cancel()
			return p.ReleaseContext(ctx)
		}, context.DeadlineExceeded},
		{"ReleaseContext cancelled", func(p facePool) error { return p.ReleaseContext(cancelled) }, context.Canceled},
	} {
		p := faceNew(t, k, 1)
		gate, open := faceGate(t)
		wg := faceFill(t, p, p.Cap(), gate)
		err := c.release(p)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: got %v; want an error that is %v", c.name, err, c.want)
		}
		switch {
		case !k.multi && err != c.want:
			t.Errorf("%s: got %v; want exactly %v", c.name, err, c.want)
		case k.multi && (err == nil || !strings.HasPrefix(err.Error(), "pool 0: ")):
			t.Errorf("%s: got %v; want a message that starts with %q", c.name, err, "pool 0: ")
		}
		faceWant(t, c.name+": then ReleaseTimeout", p.ReleaseTimeout(short), ErrPoolClosed)
		faceWant(t, c.name+": then ReleaseContext", p.ReleaseContext(context.Background()), ErrPoolClosed)
		open()
		faceWait(t, wg, "the running tasks")
	}
}

func faceReleaseNil(t *testing.T, k faceKind) {
	p := faceNew(t, k, 1)
	gate, open := faceGate(t)
	wg := faceFill(t, p, p.Cap(), gate)
	released := faceAsync(func() error {
		return p.ReleaseContext(nil) //nolint:staticcheck // a nil context is documented to mean no wait
	})
	faceWant(t, "ReleaseContext(nil)", faceRecv(t, released, "ReleaseContext(nil), with tasks running"), nil)
	faceWant(t, "IsClosed()", p.IsClosed(), true)
	open()
	faceWait(t, wg, "the running tasks")
}

func faceReboot(t *testing.T, k faceKind) {
	p := faceNew(t, k, 2)
	for round := range 2 {
		if err := p.ReleaseTimeout(faceTimeout); err != nil {
			t.Fatalf("round %d: ReleaseTimeout: got %v; want nil", round, err)
		}
		p.Reboot()
		faceWant(t, "IsClosed() after Reboot", p.IsClosed(), false)
		faceWant(t, "Cap() after Reboot", p.Cap(), 2*p.pools)
		ran := make(chan struct{})
		if err := p.submit(func() { close(ran) }); err != nil {
			t.Fatalf("round %d: Submit after Reboot: got %v; want nil", round, err)
		}
		faceRecv(t, ran, "a task after Reboot")
	}
}

func faceRebootOpen(t *testing.T, k faceKind) {
	p := faceNew(t, k, 2)
	gate, open := faceGate(t)
	wg := faceFill(t, p, 1, gate)
	p.Reboot()
	faceWant(t, "IsClosed()", p.IsClosed(), false)
	faceWant(t, "Running()", p.Running(), 1)
	faceWant(t, "Cap()", p.Cap(), 2*p.pools)
	open()
	faceWait(t, wg, "the running task")
	faceGoesOn(t, p)
}

// faceNoLostWakeUp blocks many submitters on a full pool, then tunes,
// frees and, in odd rounds, releases it in quick succession. Every
// submitter must return, and every accepted task must run exactly once.
func faceNoLostWakeUp(t *testing.T, k faceKind) {
	const rounds, submitters, tasks = 4, 16, 8
	for round := range rounds {
		p := faceNew(t, k, 1)
		gate, open := faceGate(t)
		wg := faceFill(t, p, p.Cap(), gate)
		var accepted, ran atomic.Int64
		var subs sync.WaitGroup
		for range submitters {
			subs.Add(1)
			go func() {
				defer subs.Done()
				for range tasks {
					err := p.submit(func() { ran.Add(1) })
					switch err {
					case nil:
						accepted.Add(1)
					case ErrPoolClosed:
					default:
						t.Errorf("Submit: got %v; want nil or %v", err, ErrPoolClosed)
					}
				}
			}()
		}
		facePoll(t, "every submitter is blocked", func() bool { return p.Waiting() == submitters })
		p.Tune(2)
		p.Tune(1)
		open()
		p.Tune(3)
		if round%2 == 1 {
			p.Release()
		}
		p.Tune(1)
		faceWait(t, &subs, fmt.Sprintf("round %d: every submitter to return", round))
		faceWait(t, wg, "the blocking tasks")
		faceDrain(t, p)
		faceWant(t, fmt.Sprintf("round %d: tasks run", round), ran.Load(), accepted.Load())
	}
}
