package ants

import (
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
)

// This file checks the report of a task panic against faulty callbacks: a
// PanicHandler or Logger that calls runtime.Goexit, and a Logger that
// panics. The helpers are in fault_test.go.

// relGoexitLogger is a Logger that calls runtime.Goexit, as a Logger built
// on t.Fatalf would; it signals in first.
type relGoexitLogger struct{ in chan<- struct{} }

func (l relGoexitLogger) Printf(string, ...any) {
	l.in <- struct{}{}
	runtime.Goexit()
}

// relPanicLogger is a Logger whose Printf panics.
type relPanicLogger struct{ calls *atomic.Int64 }

func (l relPanicLogger) Printf(string, ...any) {
	l.calls.Add(1)
	panic("logger broke")
}

// relSetDefaultLogger makes l the package's default logger until the test
// ends. Pools built meanwhile without a Logger use it, and a Logger that
// panics is reported to it.
func relSetDefaultLogger(t *testing.T, l Logger) {
	old := defaultLogger
	defaultLogger = l
	t.Cleanup(func() { defaultLogger = old })
}

// TestFaultCallbackGoexit failed before the report was ended in a defer: a
// callback that called runtime.Goexit skipped it, and every ReleaseTimeout
// of the pool timed out from then on, even after Reboot.
func TestFaultCallbackGoexit(t *testing.T) {
	cases := []struct {
		name string
		opts func(in chan<- struct{}) []Option
	}{
		{"a PanicHandler that calls Goexit", func(in chan<- struct{}) []Option {
			return []Option{WithPanicHandler(func(any) { in <- struct{}{}; runtime.Goexit() })}
		}},
		{"a Logger that calls Goexit", func(in chan<- struct{}) []Option {
			return []Option{WithLogger(relGoexitLogger{in})}
		}},
		{"a Logger that calls Goexit for a panicking PanicHandler", func(in chan<- struct{}) []Option {
			return []Option{WithPanicHandler(func(v any) { panic(v) }), WithLogger(relGoexitLogger{in})}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			relForFaces(t, func(t *testing.T, face int) {
				in := make(chan struct{}, 1)
				ran := make(chan int64, 1)
				f, err := relBuildFace(face, 1, 2, RoundRobin, func(id int64) {
					if id < 0 {
						panic(relPanicValue{id})
					}
					ran <- id
				}, tc.opts(in)...)
				if err != nil {
					t.Fatal(err)
				}
				for round := range int64(2) {
					if err := f.submit(nil, -1); err != nil {
						t.Fatalf("round %d: submit of a panicking task = %v", round, err)
					}
					relRecv(t, in, "the callback")
					if err := f.submit(nil, round); err != nil {
						t.Fatalf("round %d: submit after the callback = %v", round, err)
					}
					if got := relRecv(t, ran, "a task after the callback"); got != round {
						t.Fatalf("round %d: task %d ran; want %d", round, got, round)
					}
					if err := f.ReleaseTimeout(relWait); err != nil {
						t.Fatalf("round %d: ReleaseTimeout = %v; want nil", round, err)
					}
					f.Reboot()
				}
				relRelease(t, f)
			})
		})
	}
}

// TestFaultLoggerPanics crashed the test binary before the pool recovered
// the panics of its Logger.
func TestFaultLoggerPanics(t *testing.T) {
	cases := []struct {
		name    string
		handler func(any)
		want    string // in the message handed to the default logger
	}{
		{"with no PanicHandler", nil, "worker exits from panic: task broke"},
		{"when the PanicHandler panics", func(v any) { panic(fmt.Sprint("handler for ", v)) }, "panic handler panicked: handler for task broke"},
	}
	for _, tc := range cases {
		t.Run(tc.name+", its panic goes to the default logger", func(t *testing.T) {
			sink := &relLogSink{}
			relSetDefaultLogger(t, sink)
			var calls atomic.Int64
			opts := []Option{WithLogger(relPanicLogger{&calls})}
			if tc.handler != nil {
				opts = append(opts, WithPanicHandler(tc.handler))
			}
			p, err := NewPool(1, opts...)
			if err != nil {
				t.Fatal(err)
			}
			const panics = 3
			for range panics {
				if err := p.Submit(func() { panic("task broke") }); err != nil {
					t.Fatal(err)
				}
			}
			ran := make(chan struct{})
			if err := p.Submit(func() { close(ran) }); err != nil {
				t.Fatal(err)
			}
			relRecv(t, ran, "a task after the Logger panicked")
			relRelease(t, p) // waits for every report to end
			text := sink.text()
			if got := strings.Count(text, "Logger panicked: logger broke"); got != panics {
				t.Errorf("the default logger got %d Logger panics; want %d:\n%s", got, panics, text)
			}
			if got := strings.Count(text, tc.want); got != panics {
				t.Errorf("the default logger got %d messages with %q; want %d:\n%s", got, tc.want, panics, text)
			}
			if got := calls.Load(); got != panics {
				t.Errorf("the Logger was called %d times; want %d", got, panics)
			}
		})
	}

	t.Run("a default logger that panics loses only the message", func(t *testing.T) {
		var calls atomic.Int64
		relSetDefaultLogger(t, relPanicLogger{&calls})
		p, err := NewPool(1) // no Logger: it uses the default one
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Submit(func() { panic("task broke") }); err != nil {
			t.Fatal(err)
		}
		ran := make(chan struct{})
		if err := p.Submit(func() { close(ran) }); err != nil {
			t.Fatal(err)
		}
		relRecv(t, ran, "a task after the default logger panicked")
		relRelease(t, p)
		if got := calls.Load(); got != 1 {
			t.Errorf("the default logger was called %d times; want 1 (and not again for its own panic)", got)
		}
	})
}
