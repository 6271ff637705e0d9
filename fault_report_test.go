package ants

import (
	"runtime"
	"testing"
)

// This file checks the report of a task panic against faulty callbacks: a
// PanicHandler or Logger that calls runtime.Goexit. The helpers are in fault_test.go.

// relGoexitLogger is a Logger that calls runtime.Goexit, as a Logger built
// on t.Fatalf would; it signals in first.
type relGoexitLogger struct{ in chan<- struct{} }

func (l relGoexitLogger) Printf(string, ...any) {
	l.in <- struct{}{}
	runtime.Goexit()
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
