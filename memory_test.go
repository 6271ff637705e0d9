package ants

import (
	"runtime"
	"sync"
	"testing"
	"time"
)

// This file checks what a pool keeps alive: nothing a finished task
// captured or was given, no goroutine beyond its purger once idle, and
// nothing at all once released and dropped.

// relPayload is a large value whose collection the tests watch.
type relPayload struct {
	buf []byte
}

// relCollected reports whether the finalizer set by relNewPayload has run,
// forcing garbage collections for at most relWait.
func relCollected(collected <-chan struct{}) bool {
	deadline := time.Now().Add(relWait)
	for time.Now().Before(deadline) {
		runtime.GC()
		select {
		case <-collected:
			return true
		case <-time.After(5 * time.Millisecond):
		}
	}
	return false
}

// relNewPayload returns a 1 MiB payload and a channel closed once it has been
// collected.
func relNewPayload() (*relPayload, <-chan struct{}) {
	p := &relPayload{buf: make([]byte, 1<<20)}
	collected := make(chan struct{})
	runtime.SetFinalizer(p, func(*relPayload) { close(collected) })
	return p, collected
}

// relUse touches p so the compiler keeps the capture.
func relUse(p *relPayload) { p.buf[len(p.buf)-1]++ }

// relPayloadFace is a face reduced to handing it a payload.
type relPayloadFace struct {
	give    func(p *relPayload) error
	running func() int
	release func(time.Duration) error
}

// relPayloadFaces builds each face so that its tasks call use on the
// payload they were given (captured by a closure for the Submit faces,
// passed as the argument for the Invoke faces).
var relPayloadFaces = [relFaceCount]func(use func(*relPayload), opts ...Option) (relPayloadFace, error){
	func(use func(*relPayload), opts ...Option) (relPayloadFace, error) {
		p, err := NewPool(4, opts...)
		if err != nil {
			return relPayloadFace{}, err
		}
		return relPayloadFace{func(x *relPayload) error { return p.Submit(func() { use(x) }) }, p.Running, p.ReleaseTimeout}, nil
	},
	func(use func(*relPayload), opts ...Option) (relPayloadFace, error) {
		p, err := NewPoolWithFunc(4, func(a any) { use(a.(*relPayload)) }, opts...)
		if err != nil {
			return relPayloadFace{}, err
		}
		return relPayloadFace{func(x *relPayload) error { return p.Invoke(x) }, p.Running, p.ReleaseTimeout}, nil
	},
	func(use func(*relPayload), opts ...Option) (relPayloadFace, error) {
		p, err := NewPoolWithFuncGeneric(4, use, opts...)
		if err != nil {
			return relPayloadFace{}, err
		}
		return relPayloadFace{p.Invoke, p.Running, p.ReleaseTimeout}, nil
	},
	func(use func(*relPayload), opts ...Option) (relPayloadFace, error) {
		p, err := NewMultiPool(2, 2, RoundRobin, opts...)
		if err != nil {
			return relPayloadFace{}, err
		}
		return relPayloadFace{func(x *relPayload) error { return p.Submit(func() { use(x) }) }, p.Running, p.ReleaseTimeout}, nil
	},
	func(use func(*relPayload), opts ...Option) (relPayloadFace, error) {
		p, err := NewMultiPoolWithFunc(2, 2, func(a any) { use(a.(*relPayload)) }, LeastTasks, opts...)
		if err != nil {
			return relPayloadFace{}, err
		}
		return relPayloadFace{func(x *relPayload) error { return p.Invoke(x) }, p.Running, p.ReleaseTimeout}, nil
	},
	func(use func(*relPayload), opts ...Option) (relPayloadFace, error) {
		p, err := NewMultiPoolWithFuncGeneric(2, 2, use, RoundRobin, opts...)
		if err != nil {
			return relPayloadFace{}, err
		}
		return relPayloadFace{p.Invoke, p.Running, p.ReleaseTimeout}, nil
	},
}

// relGiveAll hands each pool task one fresh payload and returns the
// channels that report their collection. It is a separate function so that
// no payload stays on the test's stack.
//
//go:noinline
func relGiveAll(t *testing.T, f relPayloadFace, n int) []<-chan struct{} {
	t.Helper()
	var cs []<-chan struct{}
	for range n {
		p, c := relNewPayload()
		if err := f.give(p); err != nil {
			t.Fatalf("submit = %v", err)
		}
		cs = append(cs, c)
	}
	return cs
}

func TestMemoryFinishedTasksAreCollected(t *testing.T) {
	options := []struct {
		name string
		opts []Option
	}{
		{"default", nil},
		{"queue", []Option{WithQueueSize(8)}},
		{"prealloc", []Option{WithPreAlloc(true)}},
	}
	for _, o := range options {
		t.Run(o.name, func(t *testing.T) {
			relForFaces(t, func(t *testing.T, face int) {
				const n = 16
				var wg sync.WaitGroup
				wg.Add(n)
				use := func(p *relPayload) { relUse(p); wg.Done() }
				// DisablePurge keeps the idle workers alive: the payloads must
				// be collected while the workers that ran them wait for more.
				f, err := relPayloadFaces[face](use, append([]Option{WithDisablePurge(true)}, o.opts...)...)
				if err != nil {
					t.Fatal(err)
				}
				cs := relGiveAll(t, f, n)
				relWaitGroup(t, &wg, "payload tasks")
				if f.running() == 0 {
					t.Fatalf("no idle worker left to test")
				}
				for i, c := range cs {
					if !relCollected(c) {
						t.Fatalf("payload %d of %d still reachable %v after its task finished, with %d idle workers", i, n, relWait, f.running())
					}
				}
				relRelease(t, relReleaseFunc(f.release))
			})
		})
	}
}

// relReleaseFunc adapts a release function to relRelease.
type relReleaseFunc func(time.Duration) error

func (f relReleaseFunc) ReleaseTimeout(d time.Duration) error { return f(d) }

// relNumGoroutineBelow waits until at most base+extra goroutines run and
// reports whether that happened within relWait.
func relNumGoroutineBelow(base, extra int) bool {
	return relWaitFor(relWait, func() bool { return runtime.NumGoroutine() <= base+extra })
}

func TestMemoryIdlePoolGoroutines(t *testing.T) {
	// The documented figure: an idle pool whose workers have all been purged
	// keeps exactly one goroutine, its purger; with DisablePurge, none
	// beyond its idle workers. A multi-pool keeps one per pool.
	cases := []struct {
		name  string
		build func() (interface {
			Running() int
			Submit(func()) error
			ReleaseTimeout(time.Duration) error
		}, error)
		purgers int
	}{
		{"Pool", func() (interface {
			Running() int
			Submit(func()) error
			ReleaseTimeout(time.Duration) error
		}, error) {
			return NewPool(8, WithExpiryDuration(2*time.Millisecond))
		}, 1},
		{"MultiPool of 3", func() (interface {
			Running() int
			Submit(func()) error
			ReleaseTimeout(time.Duration) error
		}, error) {
			return NewMultiPool(3, 4, RoundRobin, WithExpiryDuration(2*time.Millisecond))
		}, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			base := runtime.NumGoroutine()
			p, err := tc.build()
			if err != nil {
				t.Fatal(err)
			}
			var started, wg sync.WaitGroup
			gate := make(chan struct{})
			started.Add(8)
			wg.Add(8)
			for range 8 {
				if err := p.Submit(func() { started.Done(); <-gate; wg.Done() }); err != nil {
					t.Fatal(err)
				}
			}
			relWaitGroup(t, &started, "tasks")
			if got := runtime.NumGoroutine() - base; got < 8 {
				t.Errorf("%d goroutines with 8 tasks running; want at least 8", got)
			}
			close(gate)
			relWaitGroup(t, &wg, "tasks")
			// Time is what is under test here: the purger needs a few
			// ExpiryDurations to retire the idle workers.
			if !relWaitFor(relWait, func() bool { return p.Running() == 0 }) {
				t.Fatalf("Running() = %d after %v idle; want 0", p.Running(), relWait)
			}
			if !relNumGoroutineBelow(base, tc.purgers) {
				t.Errorf("idle pool keeps %d goroutines; want %d (its purgers)", runtime.NumGoroutine()-base, tc.purgers)
			}
			relRelease(t, p)
			if !relNumGoroutineBelow(base, 0) {
				t.Errorf("released pool keeps %d goroutines; want 0", runtime.NumGoroutine()-base)
			}
		})
	}

	t.Run("DisablePurge keeps only the idle workers", func(t *testing.T) {
		base := runtime.NumGoroutine()
		p, err := NewPool(4, WithDisablePurge(true))
		if err != nil {
			t.Fatal(err)
		}
		if !relNumGoroutineBelow(base, 0) {
			t.Errorf("new pool with DisablePurge starts %d goroutines; want 0", runtime.NumGoroutine()-base)
		}
		var wg sync.WaitGroup
		wg.Add(4)
		for range 4 {
			if err := p.Submit(wg.Done); err != nil {
				t.Fatal(err)
			}
		}
		relWaitGroup(t, &wg, "tasks")
		if !relNumGoroutineBelow(base, p.Running()) {
			t.Errorf("idle pool keeps %d goroutines; want Running() = %d", runtime.NumGoroutine()-base, p.Running())
		}
		relRelease(t, p)
		if !relNumGoroutineBelow(base, 0) {
			t.Errorf("released pool keeps %d goroutines; want 0", runtime.NumGoroutine()-base)
		}
	})
}

// relDroppedPool builds, uses and releases a pool, and returns a channel
// closed once the *Pool has been collected.
//
//go:noinline
func relDroppedPool(t *testing.T, opts ...Option) <-chan struct{} {
	t.Helper()
	p, err := NewPool(4, opts...)
	if err != nil {
		t.Fatal(err)
	}
	collected := make(chan struct{})
	runtime.SetFinalizer(p, func(*Pool) { close(collected) })
	var wg sync.WaitGroup
	wg.Add(10)
	for range 10 {
		if err := p.Submit(wg.Done); err != nil {
			t.Fatal(err)
		}
	}
	relWaitGroup(t, &wg, "tasks")
	relRelease(t, p)
	return collected
}

func TestMemoryReleasedPoolIsCollected(t *testing.T) {
	for _, o := range []struct {
		name string
		opts []Option
	}{
		{"default", nil},
		{"DisablePurge", []Option{WithDisablePurge(true)}},
		{"tiny expiry and a queue", []Option{WithExpiryDuration(time.Millisecond), WithQueueSize(4)}},
	} {
		t.Run(o.name, func(t *testing.T) {
			if !relCollected(relDroppedPool(t, o.opts...)) {
				t.Errorf("released and dropped Pool still reachable after %v", relWait)
			}
		})
	}
}
