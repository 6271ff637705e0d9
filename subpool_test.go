package ants

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
)

// Sub-pools: limits, the pool's capacity over all of them, priorities,
// their own queue and options, release, and bad input.

// subOrder records the order in which tasks start.
type subOrder struct {
	mu  sync.Mutex
	got []string
}

func (o *subOrder) add(s string) { o.mu.Lock(); o.got = append(o.got, s); o.mu.Unlock() }
func (o *subOrder) list() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.got...)
}

func newSubTestPool(t *testing.T, size int, opts ...Option) *Pool {
	t.Helper()
	p, err := NewPool(size, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { faceDrain(t, p) })
	return p
}

func newSub(t *testing.T, p *Pool, limit int, opts ...Option) *Subpool {
	t.Helper()
	s, err := p.NewSubpool(limit, opts...)
	if err != nil {
		t.Fatalf("NewSubpool(%d): got %v; want nil", limit, err)
	}
	return s
}

func TestSubpoolLimits(t *testing.T) {
	p := newSubTestPool(t, 4)
	a, b := newSub(t, p, 2), newSub(t, p, 3)
	gate, open := faceGate(t)
	var ga, gb, all grpGauge
	var wg sync.WaitGroup
	task := func(g *grpGauge) func() {
		return func() {
			defer wg.Done()
			g.enter()
			all.enter()
			<-gate
			all.leave()
			g.leave()
		}
	}
	var errs []<-chan error
	for range 5 {
		wg.Add(2)
		errs = append(errs, faceAsync(func() error { return a.Submit(task(&ga)) }))
		errs = append(errs, faceAsync(func() error { return b.Submit(task(&gb)) }))
	}
	facePoll(t, "the pool runs 4 tasks", func() bool { return all.cur.Load() == 4 })
	facePoll(t, "the other submitters block", func() bool { return a.Waiting()+b.Waiting() == 6 })
	if ga.cur.Load() > 2 || gb.cur.Load() > 3 {
		t.Fatalf("running: a %d, b %d; want at most 2 and 3", ga.cur.Load(), gb.cur.Load())
	}
	open()
	for _, ch := range errs {
		if err := faceRecv(t, ch, "a Submit"); err != nil {
			t.Fatalf("Submit: got %v; want nil", err)
		}
	}
	faceWait(t, &wg, "every task")
	if ga.peak.Load() > 2 || gb.peak.Load() > 3 || all.peak.Load() > 4 {
		t.Fatalf("peaks: a %d, b %d, all %d; want at most 2, 3 and 4", ga.peak.Load(), gb.peak.Load(), all.peak.Load())
	}
	if s := a.Stats(); s.Submitted != 5 || s.Completed != 5 || s.Capacity != 2 {
		t.Errorf("a.Stats() = %+v; want 5 submitted, 5 completed, capacity 2", s)
	}
}

// subSaturate fills a pool of capacity 1 with a task that waits for gate,
// and returns the WaitGroup of the tasks started by the caller.
func subSaturate(t *testing.T, p *Pool, gate <-chan struct{}, order *subOrder) {
	t.Helper()
	started := make(chan struct{})
	if err := p.Submit(func() { close(started); <-gate; order.add("holder") }); err != nil {
		t.Fatal(err)
	}
	faceRecv(t, started, "the holder")
}

func TestSubpoolPriority(t *testing.T) {
	for _, queue := range []int{0, 2, 8} {
		t.Run(fmt.Sprintf("queue=%d", queue), func(t *testing.T) {
			p := newSubTestPool(t, 1, WithQueueSize(queue))
			urgent := newSub(t, p, 1, WithPriority(10))
			background := newSub(t, p, 1, WithPriority(-5))
			gate, open := faceGate(t)
			var order subOrder
			subSaturate(t, p, gate, &order)
			var wg sync.WaitGroup
			submit := func(s interface{ Submit(func()) error }, name string) {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if err := s.Submit(func() { order.add(name) }); err != nil {
						t.Errorf("Submit %s: %v", name, err)
					}
				}()
			}
			// Arrivals: background, bulk, bulk, urgent, bulk, urgent.
			arrive := func(s interface{ Submit(func()) error }, name string, waiting int) {
				submit(s, name)
				facePoll(t, name+" waits", func() bool { return p.Stats().Waiting+p.Stats().Queued >= waiting })
			}
			arrive(background, "background", 1)
			arrive(p, "bulk1", 2)
			arrive(p, "bulk2", 3)
			arrive(urgent, "urgent1", 4)
			arrive(p, "bulk3", 5)
			open()
			faceWait(t, &wg, "the submitters")
			facePoll(t, "all tasks ran", func() bool { return len(order.list()) == 6 })
			// urgent's limit is 1, so its second task is blocked on the
			// sub-pool and not part of this order; the rest is strict.
			want := []string{"holder", "urgent1", "bulk1", "bulk2", "bulk3", "background"}
			if got := order.list(); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("start order %v; want %v", got, want)
			}
		})
	}
}

func TestSubpoolQueueAndOptions(t *testing.T) {
	t.Run("a sub-pool's own queue accepts beyond its limit without blocking", func(t *testing.T) {
		p := newSubTestPool(t, 4)
		s := newSub(t, p, 1, WithQueueSize(2), WithNonblocking(true))
		gate, open := faceGate(t)
		var ran atomic.Int64
		for i := range 3 {
			if err := s.Submit(func() { <-gate; ran.Add(1) }); err != nil {
				t.Fatalf("Submit %d: got %v; want nil", i, err)
			}
		}
		if err := s.Submit(func() {}); err != ErrPoolOverload {
			t.Fatalf("Submit beyond limit and queue: got %v; want ErrPoolOverload", err)
		}
		facePoll(t, "Stats() shows 1 busy and 2 queued", func() bool { st := s.Stats(); return st.Busy == 1 && st.Queued == 2 })
		open()
		facePoll(t, "the three tasks ran", func() bool { return ran.Load() == 3 })
	})
	t.Run("the pool's Nonblocking applies unless the sub-pool sets its own", func(t *testing.T) {
		p := newSubTestPool(t, 1, WithNonblocking(true))
		inherit := newSub(t, p, 1)
		own := newSub(t, p, 1, WithNonblocking(false))
		gate, _ := faceGate(t)
		faceFill(t, &faceAdapter{facePool: p, submit: p.Submit}, 1, gate)
		if err := inherit.Submit(func() {}); err != ErrPoolOverload {
			t.Fatalf("inheriting sub-pool on a full pool: got %v; want ErrPoolOverload", err)
		}
		blocked := faceAsync(func() error { return own.Submit(func() {}) })
		facePoll(t, "the sub-pool's submitter blocks", func() bool { return own.Waiting() == 1 })
		own.Release()
		if err := faceRecv(t, blocked, "the blocked Submit"); err != ErrPoolClosed {
			t.Fatalf("blocked Submit after the sub-pool's Release: got %v; want ErrPoolClosed", err)
		}
	})
}

// TestSubpoolReleaseRefusesLateSubmitter covers a submitter of a sub-pool
// that took its slot of the sub-pool but reaches the full pool's gate only
// after Release refused the sub-pool's submitters there: it must be
// refused too, not left blocked until the pool has room.
func TestSubpoolReleaseRefusesLateSubmitter(t *testing.T) {
	p := newSubTestPool(t, 1)
	s := newSub(t, p, 1)
	gate, _ := faceGate(t)
	faceFill(t, &faceAdapter{facePool: p, submit: p.Submit}, 1, gate)
	s.Release()
	l := s.lane
	late := faceAsync(func() error {
		_, err := l.e.gate.acquire(nil, func() {}, l, nil, l.prio, &l.opts)
		return err
	})
	if err := faceRecv(t, late, "the late submitter"); err != ErrPoolClosed {
		t.Fatalf("a sub-pool's submitter reaching the pool's gate after Release: got %v; want ErrPoolClosed", err)
	}
}

func TestSubpoolRelease(t *testing.T) {
	p := newSubTestPool(t, 2)
	s := newSub(t, p, 1, WithQueueSize(1))
	gate, open := faceGate(t)
	var ran atomic.Int64
	for range 2 { // one running, one in the sub-pool's queue
		if err := s.Submit(func() { <-gate; ran.Add(1) }); err != nil {
			t.Fatal(err)
		}
	}
	blocked := faceAsync(func() error { return s.Submit(func() { ran.Add(100) }) })
	facePoll(t, "a submitter blocks", func() bool { return s.Stats().Waiting == 1 })
	released := faceAsync(func() error { return s.ReleaseTimeout(faceTimeout) })
	if err := faceRecv(t, blocked, "the blocked Submit"); err != ErrPoolClosed {
		t.Fatalf("blocked Submit: got %v; want ErrPoolClosed", err)
	}
	if err := s.Submit(func() {}); err != ErrPoolClosed {
		t.Fatalf("Submit after Release: got %v; want ErrPoolClosed", err)
	}
	open()
	if err := faceRecv(t, released, "ReleaseTimeout"); err != nil {
		t.Fatalf("ReleaseTimeout: got %v; want nil", err)
	}
	if got := ran.Load(); got != 2 {
		t.Fatalf("ran %d; want 2 (the running and the queued task, not the refused one)", got)
	}
	if p.IsClosed() {
		t.Fatal("releasing a sub-pool released the pool")
	}
	if err := s.ReleaseTimeout(faceTimeout); err != ErrPoolClosed {
		t.Fatalf("second ReleaseTimeout: got %v; want ErrPoolClosed", err)
	}
	done := make(chan struct{})
	if err := p.Submit(func() { close(done) }); err != nil {
		t.Fatalf("the pool after its sub-pool's release: got %v; want nil", err)
	}
	faceRecv(t, done, "a task of the pool")
}

func TestSubpoolBadInput(t *testing.T) {
	p := newSubTestPool(t, 4)
	for _, limit := range []int{0, -1, 5} {
		if _, err := p.NewSubpool(limit); !errors.Is(err, ErrInvalidSubpoolSize) {
			t.Errorf("NewSubpool(%d): got %v; want ErrInvalidSubpoolSize", limit, err)
		}
	}
	if _, err := p.NewSubpool(1, WithQueueSize(-1)); !errors.Is(err, ErrInvalidQueueSize) {
		t.Errorf("NewSubpool with a negative queue: got %v; want ErrInvalidQueueSize", err)
	}
	s := newSub(t, p, 4)
	if err := s.Submit(nil); err != ErrNilTask {
		t.Errorf("Submit(nil): got %v; want ErrNilTask", err)
	}
	var zero Subpool
	var nilSub *Subpool
	for _, z := range []*Subpool{&zero, nilSub} {
		if err := z.Submit(func() {}); err != ErrPoolClosed {
			t.Errorf("Submit on a zero or nil sub-pool: got %v; want ErrPoolClosed", err)
		}
		if _, err := SubmitFuture(z, func() (int, error) { return 0, nil }).Wait(); err != ErrPoolClosed {
			t.Errorf("a future on a zero or nil sub-pool: got %v; want ErrPoolClosed", err)
		}
	}
	if zero.Cap() != 0 || zero.Running() != 0 || !zero.IsClosed() || zero.ReleaseTimeout(0) != ErrPoolClosed {
		t.Errorf("the zero sub-pool does not behave as a released one")
	}
	zero.Tune(3)
	_ = zero.Stats()
	var nilPool *Pool
	if _, err := nilPool.NewSubpool(1); err != ErrPoolClosed {
		t.Errorf("NewSubpool on a nil pool: got %v; want ErrPoolClosed", err)
	}
	// Tune of the pool below a sub-pool's limit: both limits still hold.
	p.Tune(2)
	gate, open := faceGate(t)
	var g grpGauge
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = s.Submit(func() { g.enter(); <-gate; g.leave() })
		}()
	}
	facePoll(t, "two tasks run", func() bool { return g.cur.Load() == 2 })
	open()
	faceWait(t, &wg, "the submitters")
	if g.peak.Load() > 2 {
		t.Fatalf("%d tasks ran at once on a pool tuned to 2; want at most 2", g.peak.Load())
	}
	p.Release()
	if _, err := p.NewSubpool(1); err != ErrPoolClosed {
		t.Errorf("NewSubpool on a released pool: got %v; want ErrPoolClosed", err)
	}
	if err := s.Submit(func() {}); err != ErrPoolClosed {
		t.Errorf("Submit to a sub-pool of a released pool: got %v; want ErrPoolClosed", err)
	}
	p.Reboot()
	done := make(chan struct{})
	if err := s.Submit(func() { close(done) }); err != nil {
		t.Fatalf("Submit to a sub-pool after the pool's Reboot: got %v; want nil", err)
	}
	faceRecv(t, done, "the task after Reboot")
}

func TestSubpoolFaces(t *testing.T) {
	t.Run("PoolWithFunc", func(t *testing.T) {
		got := make(chan any, 1)
		p, _ := NewPoolWithFunc(2, func(a any) { got <- a })
		defer faceDrain(t, p)
		s, err := p.NewSubpool(1, WithPriority(3))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Invoke("x"); err != nil {
			t.Fatal(err)
		}
		if v := faceRecv(t, got, "the invocation"); v != "x" {
			t.Fatalf("got %v; want x", v)
		}
		if err := s.InvokeContext(context.Background(), "y"); err != nil || faceRecv(t, got, "the second invocation") != "y" {
			t.Fatalf("InvokeContext: %v", err)
		}
	})
	t.Run("PoolWithFuncGeneric", func(t *testing.T) {
		got := make(chan int, 1)
		p, _ := NewPoolWithFuncGeneric(2, func(i int) { got <- i })
		defer faceDrain(t, p)
		s, err := p.NewSubpool(2)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Invoke(7); err != nil || faceRecv(t, got, "the invocation") != 7 {
			t.Fatalf("Invoke: %v", err)
		}
	})
	t.Run("futures and groups run on a sub-pool", func(t *testing.T) {
		p := newSubTestPool(t, 2)
		s := newSub(t, p, 1)
		if v, err := SubmitFuture(s, func() (int, error) { return 42, nil }).Wait(); v != 42 || err != nil {
			t.Fatalf("future: got %v, %v; want 42, nil", v, err)
		}
		g, _ := NewGroup(context.Background(), s)
		var n atomic.Int64
		for range 5 {
			g.Go(func(context.Context) error { n.Add(1); return nil })
		}
		if err := g.Wait(); err != nil || n.Load() != 5 {
			t.Fatalf("group: %v, ran %d; want nil, 5", err, n.Load())
		}
	})
}

// TestSubpoolStress submits from many goroutines to a pool and two
// sub-pools, with contexts that end, a queue, Tune calls and a sub-pool
// released midway, and checks the limits and that exactly the accepted
// tasks run, once each.
func TestSubpoolStress(t *testing.T) {
	for round := range 20 {
		p := newSubTestPool(t, 4, WithQueueSize(round%3))
		a := newSub(t, p, 2, WithPriority(5), WithQueueSize(round%2))
		b := newSub(t, p, 3, WithPriority(-1), WithNonblocking(round%4 == 0))
		var ga, gb, all grpGauge
		var accepted, runs atomic.Int64
		var wg sync.WaitGroup
		for w := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 60 {
					var s interface {
						SubmitContext(context.Context, func()) error
					}
					var g *grpGauge
					switch (w + i) % 3 {
					case 0:
						s = p
					case 1:
						s, g = a, &ga
					default:
						s, g = b, &gb
					}
					ctx, cancel := context.WithCancel(context.Background())
					if i%5 == 0 {
						cancel()
					}
					err := s.SubmitContext(ctx, func() {
						if g != nil {
							g.enter()
							defer g.leave()
						}
						all.enter()
						runs.Add(1)
						all.leave()
					})
					cancel()
					if err == nil {
						accepted.Add(1)
					}
					if i == 30 && w == 0 {
						p.Tune(2)
						b.Release()
					}
					if i == 45 && w == 1 {
						p.Tune(4)
					}
				}
			}()
		}
		faceWait(t, &wg, "the submitters")
		if err := a.ReleaseTimeout(faceTimeout); err != nil {
			t.Fatalf("round %d: a.ReleaseTimeout: %v", round, err)
		}
		if err := p.ReleaseTimeout(faceTimeout); err != nil {
			t.Fatalf("round %d: p.ReleaseTimeout: %v", round, err)
		}
		if runs.Load() != accepted.Load() {
			t.Fatalf("round %d: %d tasks ran, %d accepted; want equal", round, runs.Load(), accepted.Load())
		}
		if ga.peak.Load() > 2 || gb.peak.Load() > 3 || all.peak.Load() > 4 {
			t.Fatalf("round %d: peaks a %d, b %d, all %d; want at most 2, 3, 4", round, ga.peak.Load(), gb.peak.Load(), all.peak.Load())
		}
		p.Reboot() // for the cleanup's ReleaseTimeout
	}
}
