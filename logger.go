package ants

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"os"
	"runtime/debug"
	"strings"
)

// Logger receives a pool's diagnostics: the panics of tasks when no
// PanicHandler is set, and the panics of a PanicHandler. A *log.Logger is a
// Logger; [SlogLogger] adapts a *slog.Logger.
type Logger interface {
	// Printf must have the same semantics as log.Printf.
	Printf(format string, args ...any)
}

// defaultLogger writes to os.Stderr with the same prefix and flags as ants.
// It is also where the panic of another Logger goes; see logf.
var defaultLogger Logger = log.New(os.Stderr, "[ants]: ", log.LstdFlags|log.Lmsgprefix|log.Lmicroseconds)

// logf writes a diagnostic through the pool's Logger. A Logger that panics
// must not take the program down with the worker that reports, nor lose
// the report: its panic, with its stack and the message it was given, goes
// to the default logger (standard error) instead. If the default logger is
// the one that panicked, or panics too, there is nowhere left to write, and
// the message is dropped. A Logger that calls runtime.Goexit ends the
// worker goroutine, which was leaving anyway; the worker's bookkeeping runs
// in a defer (see crashed), so the pool is not harmed.
func (e *engine[T]) logf(format string, args ...any) {
	l := e.opts.Logger
	defer func() {
		if r := recover(); r != nil && l != defaultLogger {
			fallback := defaultLogger
			defer func() { _ = recover() }()
			fallback.Printf("Logger panicked: %v\n%s\nThe message it was given: %s",
				r, debug.Stack(), strings.TrimSuffix(fmt.Sprintf(format, args...), "\n"))
		}
	}()
	l.Printf(format, args...)
}

// SlogLogger returns a Logger that writes each message as one record of l
// at slog.LevelError, with the message text (which for a panic includes the
// stack) as the record's message. A nil l means slog.Default().
func SlogLogger(l *slog.Logger) Logger { return slogLogger{l} }

type slogLogger struct{ l *slog.Logger }

// Printf formats the message and logs it at error level.
func (s slogLogger) Printf(format string, args ...any) {
	l := s.l
	if l == nil {
		l = slog.Default()
	}
	msg := strings.TrimSuffix(fmt.Sprintf(format, args...), "\n")
	l.Log(context.Background(), slog.LevelError, msg, slog.String("component", "ants"))
}
