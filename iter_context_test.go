//go:build go1.23

package ants

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

func TestMapContextEnd(t *testing.T) {
	mapModes(t, func(t *testing.T, mapFn mapFunc, ordered bool) {
		p := futNewPool(t, 2)

		t.Run("a done context gives one error pair and no call", func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			var calls atomic.Int64
			var errs []error
			mapWithin(t, func() {
				for _, err := range mapFn(ctx, p, mapCount(10), func(context.Context, int) (int, error) {
					calls.Add(1)
					return 0, nil
				}) {
					errs = append(errs, err)
				}
			})
			if len(errs) != 1 || !errors.Is(errs[0], context.Canceled) {
				t.Errorf("got %v; want one context.Canceled", errs)
			}
			if calls.Load() != 0 {
				t.Errorf("fn was called %d times; want 0", calls.Load())
			}
		})

		t.Run("ending the context mid-stream ends the loop with its error", func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var pairs int
			var last error
			mapWithin(t, func() {
				for _, err := range mapFn(ctx, p, mapCount(1000), mapTimes10, WithWindow(4)) {
					pairs++
					last = err
					if pairs == 3 {
						cancel()
					}
				}
			})
			if pairs != 4 || !errors.Is(last, context.Canceled) {
				t.Errorf("got %d pairs ending with %v; want 4 ending with context.Canceled", pairs, last)
			}
		})

		t.Run("ending the context stops calls that wait on it", func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			started := make(chan struct{}, 2)
			fn := func(ctx context.Context, i int) (int, error) {
				started <- struct{}{}
				<-ctx.Done()
				return 0, ctx.Err()
			}
			go func() {
				<-started
				cancel()
			}()
			var errs []error
			mapWithin(t, func() {
				for _, err := range mapFn(ctx, p, mapCount(10), fn) {
					errs = append(errs, err)
				}
			})
			if len(errs) != 1 || !errors.Is(errs[0], context.Canceled) {
				t.Errorf("got %v; want one context.Canceled", errs)
			}
		})

		t.Run("ending the context does not wait for tasks that have not started", func(t *testing.T) {
			// The only worker is held by another task, so Map's task
			// waits in the queue; the loop must return without it, and it
			// must not call fn when it runs.
			queued := futNewPool(t, 1, WithQueueSize(4))
			release := make(chan struct{})
			futBlocker(t, queued, release)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			go func() {
				defer cancel()
				deadline := time.Now().Add(futTimeout)
				for queued.Stats().Queued != 1 {
					if time.Now().After(deadline) {
						t.Errorf("Map's tasks were not queued within %v", futTimeout)
						return
					}
					time.Sleep(time.Millisecond)
				}
			}()
			var calls atomic.Int64
			var errs []error
			mapWithin(t, func() {
				for _, err := range mapFn(ctx, queued, mapCount(10), func(context.Context, int) (int, error) {
					calls.Add(1)
					return 0, nil
				}) {
					errs = append(errs, err)
				}
			})
			close(release)
			futRelease(t, queued)
			if len(errs) != 1 || !errors.Is(errs[0], context.Canceled) {
				t.Errorf("got %v; want one context.Canceled", errs)
			}
			if calls.Load() != 0 {
				t.Errorf("fn was called %d times; want 0", calls.Load())
			}
		})

		t.Run("ending the context frees a submission blocked on a full pool", func(t *testing.T) {
			full := futNewPool(t, 1)
			release := make(chan struct{})
			defer close(release)
			futBlocker(t, full, release)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			go func() {
				// Cancel once Map blocks on the full pool, or at the bound,
				// which fails the test.
				defer cancel()
				deadline := time.Now().Add(futTimeout)
				for full.Waiting() != 1 {
					if time.Now().After(deadline) {
						t.Errorf("Map did not block on the full pool within %v", futTimeout)
						return
					}
					time.Sleep(time.Millisecond)
				}
			}()
			var errs []error
			mapWithin(t, func() {
				for _, err := range mapFn(ctx, full, mapCount(10), mapTimes10) {
					errs = append(errs, err)
				}
			})
			if len(errs) != 1 || !errors.Is(errs[0], context.Canceled) {
				t.Errorf("got %v; want one context.Canceled", errs)
			}
		})
	})
}
