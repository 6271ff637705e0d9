package ants

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"os"
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
var defaultLogger Logger = log.New(os.Stderr, "[ants]: ", log.LstdFlags|log.Lmsgprefix|log.Lmicroseconds)

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
