package ants

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
)

// Tests of ResultGroup and of groups and futures on the default pool; the
// helpers are in group_test.go and future_test.go.

func TestResultGroup(t *testing.T) {
	t.Run("returns the values in the order of the Go calls", func(t *testing.T) {
		p := futNewPool(t, 0)
		g, _ := NewResultGroup[int](context.Background(), p)
		const n = 50
		// Task i waits for task i+1, so they finish in reverse order.
		finished := make([]chan struct{}, n+1)
		for i := range finished {
			finished[i] = make(chan struct{})
		}
		close(finished[n])
		for i := range n {
			g.Go(func(ctx context.Context) (int, error) {
				defer close(finished[i])
				select {
				case <-finished[i+1]:
				case <-ctx.Done():
				}
				return i * i, nil
			})
		}
		got, err := g.Wait()
		if err != nil || len(got) != n {
			t.Fatalf("got %d results, %v; want %d, <nil>", len(got), err, n)
		}
		for i, v := range got {
			if v != i*i {
				t.Errorf("result %d: got %d; want %d", i, v, i*i)
			}
		}
	})

	t.Run("leaves the zero value for failed, panicking and nil tasks", func(t *testing.T) {
		p := futNewPool(t, 8)
		g, _ := NewResultGroup[string](context.Background(), p)
		release := make(chan struct{})
		task := func(v string, err error) func(context.Context) (string, error) {
			return func(context.Context) (string, error) {
				<-release
				if v == "panic" {
					panic(v)
				}
				return v, err
			}
		}
		g.Go(task("a", nil))
		g.Go(task("lost", futErrBoom))
		g.Go(task("panic", nil))
		g.Go(task("d", nil))
		g.Go(nil) // fails the group at once; the tasks above are admitted and run
		close(release)
		got, err := g.Wait()
		want := []string{"a", "", "", "d", ""}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("got %q; want %q", got, want)
		}
		var pe *PanicError
		if !errors.Is(err, ErrNilTask) || !errors.As(err, &pe) {
			t.Errorf("got %v; want %v joined with the panic", err, ErrNilTask)
		}
	})
}

// TestGroupAndFutureOnDefaultPool is the only test of this file that uses
// the default pool: it reboots it first and releases it at the end.
func TestGroupAndFutureOnDefaultPool(t *testing.T) {
	Reboot()
	defer futRelease(t, Default())

	for _, s := range []Submitter{nil, (*Pool)(nil), (*MultiPool)(nil)} {
		if v, err := futResult(t, SubmitFuture(s, func() (int, error) { return 1, nil })); v != 1 || err != nil {
			t.Errorf("Submitter %#v: got %v, %v; want 1, <nil>", s, v, err)
		}
	}

	var g Group
	var n atomic.Int64
	for range 10 {
		g.Go(func(ctx context.Context) error { n.Add(1); return ctx.Err() })
	}
	if err := grpWait(t, &g); err != nil || n.Load() != 10 {
		t.Errorf("zero Group: got %v after %d tasks; want <nil> after 10", err, n.Load())
	}

	var rg ResultGroup[int]
	for i := range 3 {
		rg.Go(func(context.Context) (int, error) { return i, nil })
	}
	if got, err := rg.Wait(); fmt.Sprint(got) != "[0 1 2]" || err != nil {
		t.Errorf("zero ResultGroup: got %v, %v; want [0 1 2], <nil>", got, err)
	}
}

func BenchmarkGroupGo(b *testing.B) {
	p, _ := NewPool(runtime.GOMAXPROCS(0))
	defer func() { _ = p.ReleaseTimeout(futTimeout) }()
	g, _ := NewGroup(context.Background(), p)
	b.ReportAllocs()
	for range b.N {
		g.Go(func(context.Context) error { return nil })
	}
	_ = g.Wait()
}

// BenchmarkGroupGoCancelable is BenchmarkGroupGo in a group whose caller's
// context can end (and never does), with and without WithFailFast.
func BenchmarkGroupGoCancelable(b *testing.B) {
	for _, bc := range []struct {
		name string
		opts []GroupOption
	}{{"errgroup", nil}, {"failfast", []GroupOption{WithFailFast()}}} {
		b.Run(bc.name, func(b *testing.B) {
			p, _ := NewPool(runtime.GOMAXPROCS(0))
			defer func() { _ = p.ReleaseTimeout(futTimeout) }()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			g, _ := NewGroup(ctx, p, bc.opts...)
			b.ReportAllocs()
			for range b.N {
				g.Go(func(context.Context) error { return nil })
			}
			_ = g.Wait()
		})
	}
}

func BenchmarkResultGroupGo(b *testing.B) {
	p, _ := NewPool(runtime.GOMAXPROCS(0))
	defer func() { _ = p.ReleaseTimeout(futTimeout) }()
	g, _ := NewResultGroup[int](context.Background(), p)
	b.ReportAllocs()
	for range b.N {
		g.Go(func(context.Context) (int, error) { return 1, nil })
	}
	_, _ = g.Wait()
}
