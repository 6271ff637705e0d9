package ants

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Work conservation: a task accepted while fewer than the capacity run must
// start now, not when some unrelated task happens to finish. These tests
// run tasks that wait for each other, so a stranded task is a deadlock,
// which a bounded wait turns into a failure with a goroutine dump.

// conserveTimeout bounds every wait of these tests.
const conserveTimeout = 10 * time.Second

// conserveDump returns the stacks of every goroutine.
func conserveDump() string {
	buf := make([]byte, 1<<20)
	return string(buf[:runtime.Stack(buf, true)])
}

// conserveBarrier is a barrier for n tasks that a failing test can break.
type conserveBarrier struct {
	n       int64
	arrived atomic.Int64
	all     chan struct{} // closed by the n-th task to arrive
	abort   chan struct{} // closed at cleanup, to free the tasks of a failed test
	left    sync.WaitGroup
}

func newConserveBarrier(t *testing.T, n int) *conserveBarrier {
	b := barrierFor(n)
	t.Cleanup(func() { close(b.abort) })
	return b
}

// barrierFor returns a barrier for n tasks; its caller closes abort when
// it is done with it.
func barrierFor(n int) *conserveBarrier {
	b := &conserveBarrier{n: int64(n), all: make(chan struct{}), abort: make(chan struct{})}
	b.left.Add(n)
	return b
}

// meet is the body of a task at the barrier.
func (b *conserveBarrier) meet() {
	defer b.left.Done()
	if b.arrived.Add(1) == b.n {
		close(b.all)
	}
	select {
	case <-b.all:
	case <-b.abort:
	}
}

// wait fails the test if the n tasks have not all met and left in time.
func (b *conserveBarrier) wait(t *testing.T, p facePool, what string) {
	t.Helper()
	done := make(chan struct{})
	go func() { b.left.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(conserveTimeout):
		t.Fatalf("%s: the tasks did not all start within %v although the pool had room for them; Stats = %+v\n%s",
			what, conserveTimeout, p.Stats(), conserveDump())
	}
}

// conserveWarm runs n tasks at once and waits for them, so that the pool
// has n workers that are spinning or parked when the test begins: the
// state in which tasks were once stranded.
func conserveWarm(t *testing.T, p *faceAdapter, n int) {
	t.Helper()
	b := newConserveBarrier(t, n)
	for range n {
		if err := p.submit(b.meet); err != nil {
			t.Fatalf("Submit: got %v; want nil", err)
		}
	}
	b.wait(t, p, "the warm-up tasks")
}

// conservePools is the number of pools a face is built with here: two for
// a multi-pool, balanced by RoundRobin, so n tasks per pool fill it.
func conservePools(k faceKind) int {
	if k.multi {
		return 2
	}
	return 1
}

func TestConserveBarrier(t *testing.T) {
	for _, k := range faceKinds {
		for _, queue := range []int{0, 8} {
			t.Run(fmt.Sprintf("%s/queue=%d", k.name, queue), func(t *testing.T) {
				for c := 1; c <= 16; c++ {
					for round := range 2 {
						pools := conservePools(k)
						p := faceNewMulti(t, k, pools, c, RoundRobin, WithQueueSize(queue))
						conserveWarm(t, p, 1)
						n := c * pools
						b := newConserveBarrier(t, n)
						for i := range n {
							if err := p.submit(b.meet); err != nil {
								t.Fatalf("capacity %d: Submit %d: got %v; want nil", c, i, err)
							}
						}
						b.wait(t, p, fmt.Sprintf("capacity %d, %d tasks at a barrier, round %d", c, n, round))
						faceDrain(t, p)
					}
				}
			})
		}
	}
}

func TestConserveNestedFanOut(t *testing.T) {
	for _, k := range faceKinds {
		for _, queue := range []int{0, 8} {
			t.Run(fmt.Sprintf("%s/queue=%d", k.name, queue), func(t *testing.T) {
				for _, c := range []int{4, 5, 8} {
					pools := conservePools(k)
					p := faceNewMulti(t, k, pools, c, RoundRobin, WithQueueSize(queue))
					conserveWarm(t, p, 2) // one worker for the parent, one spinning
					children := newConserveBarrier(t, 3)
					parent := make(chan error, 1)
					err := p.submit(func() {
						for range 3 {
							if err := p.submit(children.meet); err != nil {
								parent <- err
								return
							}
						}
						children.left.Wait()
						parent <- nil
					})
					if err != nil {
						t.Fatalf("Submit of the parent: got %v; want nil", err)
					}
					children.wait(t, p, fmt.Sprintf("capacity %d, a task and its three children", c))
					if err := faceRecv(t, parent, "the parent task"); err != nil {
						t.Fatalf("a child's Submit: got %v; want nil", err)
					}
					faceDrain(t, p)
				}
			})
		}
	}
}

// TestConserveTuneUp shrinks a warm pool to capacity 1, blocks submitters
// behind a running task, and raises the capacity again: the blocked
// submissions and the running tasks must then all run at once. A
// multi-pool runs one task in each pool, and LeastTasks blocks the
// submitters on the first pool.
func TestConserveTuneUp(t *testing.T) {
	for _, k := range faceKinds {
		t.Run(k.name, func(t *testing.T) {
			for _, n := range []int{2, 4, 7} {
				for round := range 3 {
					pools := conservePools(k)
					p := faceNewMulti(t, k, pools, n, LeastTasks)
					conserveWarm(t, p, 1)
					p.Tune(1)
					blocked := n - 1
					b := newConserveBarrier(t, pools+blocked)
					for range pools {
						if err := p.submit(b.meet); err != nil {
							t.Fatalf("Submit: got %v; want nil", err)
						}
					}
					errs := make([]<-chan error, 0, blocked)
					for range blocked {
						errs = append(errs, faceAsync(func() error { return p.submit(b.meet) }))
					}
					facePoll(t, "the submitters block", func() bool { return p.Waiting() == blocked })
					p.Tune(n)
					for _, ch := range errs {
						if err := faceRecv(t, ch, "a blocked Submit"); err != nil {
							t.Fatalf("blocked Submit: got %v; want nil", err)
						}
					}
					b.wait(t, p, fmt.Sprintf("round %d: Tune(1) → Tune(%d) with %d submitters blocked", round, n, blocked))
					faceDrain(t, p)
				}
			}
		})
	}
}

// TestConserveTuneDownBoundsQueuedTasks is issue 9's item 3: after Tune
// shrinks a pool with a queue, its idle workers, spinning or on their way
// to park, must not start queued tasks beyond the new capacity.
func TestConserveTuneDownBoundsQueuedTasks(t *testing.T) {
	for _, k := range faceKinds {
		t.Run(k.name, func(t *testing.T) {
			pools := conservePools(k)
			for round := range 30 {
				p := faceNewMulti(t, k, pools, 8, RoundRobin, WithQueueSize(64))
				warm := newConserveBarrier(t, 8*pools)
				for range 8 * pools {
					if err := p.submit(warm.meet); err != nil {
						t.Fatalf("Submit: got %v; want nil", err)
					}
				}
				warm.wait(t, p, "8 warm-up tasks per pool")
				p.Tune(1)
				var gauge grpGauge
				var wg sync.WaitGroup
				wg.Add(4 * pools)
				for range 4 * pools {
					err := p.submit(func() {
						defer wg.Done()
						gauge.enter()
						time.Sleep(200 * time.Microsecond) // the task's work: long enough to overlap a second start
						gauge.leave()
					})
					if err != nil {
						t.Fatalf("Submit: got %v; want nil", err)
					}
				}
				faceWait(t, &wg, "the tasks after Tune(1)")
				if got := gauge.peak.Load(); got > int64(pools) {
					t.Fatalf("round %d: %d tasks ran at once after Tune(1) on %d pool(s); want at most %d", round, got, pools, pools)
				}
				faceDrain(t, p)
			}
		})
	}
}

// errStranded is what the conservation checker reports when tasks do not
// start although the pool has room for them.
var errStranded = errors.New("accepted tasks did not start while the pool had room")
