package ants

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer safe for the worker and the test to share.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestSlogLoggerRecordsTaskPanics(t *testing.T) {
	var out lockedBuffer
	logged := make(chan struct{})
	handler := slog.NewTextHandler(&out, nil)
	p, err := NewPool(1, WithLogger(SlogLogger(slog.New(notifyHandler{handler, logged}))))
	if err != nil {
		t.Fatalf("NewPool: %v", err)
	}
	defer func() { _ = p.ReleaseTimeout(10 * time.Second) }()

	if err := p.Submit(func() { panic("boom") }); err != nil {
		t.Fatalf("Submit: %v", err)
	}
	select {
	case <-logged:
	case <-time.After(10 * time.Second):
		t.Fatal("the panic was not logged within 10s")
	}
	got := out.String()
	for _, want := range []string{"level=ERROR", "worker exits from panic: boom", "component=ants", "goroutine "} {
		if !strings.Contains(got, want) {
			t.Errorf("log record %q does not contain %q", got, want)
		}
	}
}

func TestSlogLoggerNilUsesDefault(t *testing.T) {
	var out lockedBuffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&out, nil)))
	defer slog.SetDefault(old)

	SlogLogger(nil).Printf("pool says %d\n", 42)
	if got := out.String(); !strings.Contains(got, `msg="pool says 42"`) {
		t.Errorf("default logger got %q; want the message without its newline", got)
	}
}

// notifyHandler closes a channel after its first record, so the test can
// wait for the log line instead of sleeping.
type notifyHandler struct {
	slog.Handler
	done chan struct{}
}

func (h notifyHandler) Handle(ctx context.Context, r slog.Record) error {
	err := h.Handler.Handle(ctx, r)
	close(h.done)
	return err
}
