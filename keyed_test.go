package ants

import (
	"context"
	"errors"
	"math/rand"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// keySubmitter is a Submitter that is not a pool of this package: it has no
// enqueue, so a front over it runs each key's backlog to the end.
type keySubmitter struct{ p *Pool }

func (s keySubmitter) SubmitContext(ctx context.Context, task func()) error {
	return s.p.SubmitContext(ctx, task)
}

// keyBackend is a Submitter for a front and the way to release it.
type keyBackend struct {
	name    string
	build   func(t *testing.T) (s Submitter, release func() error)
	yielded bool // a runner hands a hot key back to the pool
}

var keyBackends = []keyBackend{
	{"Pool", func(t *testing.T) (Submitter, func() error) { p := keyPool(t, 4); return p, keyReleaser(p) }, true},
	{"Pool of one worker", func(t *testing.T) (Submitter, func() error) { p := keyPool(t, 1); return p, keyReleaser(p) }, true},
	{"unlimited Pool", func(t *testing.T) (Submitter, func() error) { p := keyPool(t, -1); return p, keyReleaser(p) }, true},
	{"MultiPool", func(t *testing.T) (Submitter, func() error) {
		mp, err := NewMultiPool(2, 2, RoundRobin)
		if err != nil {
			t.Fatal(err)
		}
		return mp, keyReleaser(mp)
	}, true},
	{"Subpool", func(t *testing.T) (Submitter, func() error) {
		p := keyPool(t, 4)
		sp, err := p.NewSubpool(2)
		if err != nil {
			t.Fatal(err)
		}
		return sp, func() error {
			if err := sp.ReleaseTimeout(relWait); err != nil {
				return err
			}
			return p.ReleaseTimeout(relWait)
		}
	}, true},
	{"Submitter of another kind", func(t *testing.T) (Submitter, func() error) {
		p := keyPool(t, 4)
		return keySubmitter{p}, keyReleaser(p)
	}, false},
}

func keyPool(t *testing.T, size int, opts ...Option) *Pool {
	t.Helper()
	p, err := NewPool(size, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func keyReleaser(p interface{ ReleaseTimeout(time.Duration) error }) func() error {
	return func() error { return p.ReleaseTimeout(relWait) }
}

// keyChecker checks what the tasks of a front see: per key, at most one
// task at a time, and the tasks of each submitter in the order it submitted
// them; overall, each task run exactly once.
type keyChecker struct {
	t       *testing.T
	busy    []atomic.Int32   // per key: tasks running
	next    [][]atomic.Int64 // per key and submitter: the sequence number due
	runs    []atomic.Int32   // per task id: times run
	ran     atomic.Int64
	accept  atomic.Int64
	failure atomic.Pointer[string]
}

func newKeyChecker(t *testing.T, keys, submitters, tasks int) *keyChecker {
	c := &keyChecker{t: t, busy: make([]atomic.Int32, keys), next: make([][]atomic.Int64, keys), runs: make([]atomic.Int32, tasks)}
	for i := range c.next {
		c.next[i] = make([]atomic.Int64, submitters)
	}
	return c
}

func (c *keyChecker) fail(msg string) { c.failure.CompareAndSwap(nil, &msg) }

// task returns the task that submitter sub submits as its seq-th for key,
// with id unique over the test; it runs for a random short while.
func (c *keyChecker) task(key, sub int, seq int64, id int, spin int) func() {
	return func() {
		if c.busy[key].Add(1) != 1 {
			c.fail("two tasks of one key ran at once")
		}
		if got := c.next[key][sub].Load(); got > seq {
			c.fail("a task ran after a later task of its submitter and key")
		}
		c.next[key][sub].Store(seq + 1)
		if spin == 0 {
			time.Sleep(time.Microsecond) // one task in fifty parks
		}
		for range spin {
			runtime.Gosched()
		}
		c.busy[key].Add(-1)
		c.runs[id].Add(1)
		c.ran.Add(1)
	}
}

// verify fails the test on any recorded violation, or unless every
// accepted task ran exactly once.
func (c *keyChecker) verify() {
	c.t.Helper()
	if f := c.failure.Load(); f != nil {
		c.t.Fatal(*f)
	}
	faceWant(c.t, "tasks run", c.ran.Load(), c.accept.Load())
	for id := range c.runs {
		if n := c.runs[id].Load(); n > 1 {
			c.t.Fatalf("task %d ran %d times; want at most once", id, n)
		}
	}
}

// keyStream submits perSub tasks from each of subs goroutines over keys
// keys, stopping a submitter at its first error, and returns once all have
// stopped. after, if not nil, is called once, by the submitter that got
// half way first.
func keyStream(t *testing.T, k *Keyed[int], c *keyChecker, keys, subs, perSub int, after func()) {
	var wg sync.WaitGroup
	var once sync.Once
	for sub := range subs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewSource(int64(sub)))
			seq := make([]int64, keys)
			for i := range perSub {
				if i == perSub/2 && after != nil {
					once.Do(after)
				}
				key := rng.Intn(keys)
				id := sub*perSub + i
				if err := k.Submit(key, c.task(key, sub, seq[key], id, rng.Intn(50))); err != nil {
					return
				}
				seq[key]++
				c.accept.Add(1)
			}
		}()
	}
	faceWait(t, &wg, "submitters")
}

func TestKeyedOrder(t *testing.T) {
	for _, b := range keyBackends {
		t.Run("on a "+b.name, func(t *testing.T) {
			const keys, subs, perSub = 40, 8, 300
			s, release := b.build(t)
			k := NewKeyed[int](s)
			c := newKeyChecker(t, keys, subs, subs*perSub)
			keyStream(t, k, c, keys, subs, perSub, nil)
			if err := k.ReleaseTimeout(relWait); err != nil {
				t.Fatalf("Keyed.ReleaseTimeout = %v; want nil", err)
			}
			c.verify()
			if err := release(); err != nil {
				t.Fatalf("pool ReleaseTimeout = %v; want nil", err)
			}
		})
	}
}

func TestKeyedExactlyOnceAcrossRelease(t *testing.T) {
	const keys, subs, perSub = 30, 6, 400
	for _, b := range keyBackends {
		t.Run("the pool released mid-stream, on a "+b.name, func(t *testing.T) {
			s, release := b.build(t)
			k := NewKeyed[int](s)
			c := newKeyChecker(t, keys, subs, subs*perSub)
			released := make(chan error, 1)
			keyStream(t, k, c, keys, subs, perSub, func() {
				go func() { released <- release() }()
				// The submitter that released waits until it sees the effect.
				for k.Submit(0, func() { c.ran.Add(1) }) == nil {
					c.accept.Add(1)
					runtime.Gosched()
				}
			})
			if err := faceRecv(t, released, "the pool's ReleaseTimeout"); err != nil {
				t.Fatalf("pool ReleaseTimeout = %v; want nil", err)
			}
			if err := k.ReleaseTimeout(relWait); err != nil {
				t.Fatalf("Keyed.ReleaseTimeout = %v; want nil", err)
			}
			c.verify()
			keyMidStream(t, c, subs*perSub)
			if err := k.Submit(0, func() {}); !errors.Is(err, ErrPoolClosed) {
				t.Errorf("Submit after release = %v; want ErrPoolClosed", err)
			}
		})
		t.Run("the front released mid-stream, on a "+b.name, func(t *testing.T) {
			s, release := b.build(t)
			k := NewKeyed[int](s)
			c := newKeyChecker(t, keys, subs, subs*perSub)
			released := make(chan error, 1)
			keyStream(t, k, c, keys, subs, perSub, func() {
				go func() { released <- k.ReleaseTimeout(relWait) }()
				for !k.closed.Load() {
					runtime.Gosched()
				}
			})
			if err := faceRecv(t, released, "the front's ReleaseTimeout"); err != nil {
				t.Fatalf("Keyed.ReleaseTimeout = %v; want nil", err)
			}
			// Every task accepted before the release returned has run.
			c.verify()
			keyMidStream(t, c, subs*perSub)
			if err := k.Submit(0, func() {}); !errors.Is(err, ErrPoolClosed) {
				t.Errorf("Submit after release = %v; want ErrPoolClosed", err)
			}
			if err := release(); err != nil {
				t.Fatalf("pool ReleaseTimeout = %v; want nil: releasing the front must not release the pool", err)
			}
		})
	}
}

// keyMidStream fails the test unless the release came in mid-stream: some
// tasks were accepted and some refused.
func keyMidStream(t *testing.T, c *keyChecker, total int) {
	t.Helper()
	if n := c.accept.Load(); n == 0 || n == int64(total) {
		t.Errorf("%d of %d tasks accepted; want the release to refuse some but not all", n, total)
	}
}

func TestKeyedHotKeyYields(t *testing.T) {
	// On a pool of one worker, a hot key with a long backlog gives the
	// worker up after keyedRunLength tasks to the first task of another key,
	// which was waiting for a slot: the hot key's continuation queues
	// behind it, without a goroutine.
	p := keyPool(t, 1)
	defer func() { _ = p.ReleaseTimeout(relWait) }()
	k := NewKeyed[string](p)
	gate, open := faceGate(t)
	var order []string
	var mu sync.Mutex
	record := func(s string) func() {
		return func() { mu.Lock(); order = append(order, s); mu.Unlock() }
	}
	if err := k.Submit("hot", func() { <-gate }); err != nil {
		t.Fatal(err)
	}
	const hot = 200
	for range hot {
		if err := k.Submit("hot", record("hot")); err != nil {
			t.Fatal(err)
		}
	}
	cold := faceAsync(func() error { return k.Submit("cold", record("cold")) })
	facePoll(t, "the cold key's first task waits for the pool", func() bool { return p.Waiting() == 1 })
	open()
	if err := faceRecv(t, cold, "the cold key's Submit"); err != nil {
		t.Fatal(err)
	}
	if err := k.ReleaseTimeout(relWait); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	before := 0
	for before < len(order) && order[before] == "hot" {
		before++
	}
	// The gated task was the first of the run.
	if before+1 > keyedRunLength {
		t.Errorf("%d tasks of the hot key ran before the cold key's; want at most %d in all with the first", before+1, keyedRunLength)
	}
	faceWant(t, "tasks run", len(order), hot+1)
}

func TestKeyedFallbackRunsTheBacklog(t *testing.T) {
	// Over a Submitter without enqueue, a runner never yields: one runner
	// runs a hot key's whole backlog, on one worker.
	p := keyPool(t, 2)
	defer func() { _ = p.ReleaseTimeout(relWait) }()
	k := NewKeyed[int](keySubmitter{p})
	gate, open := faceGate(t)
	if err := k.Submit(1, func() { <-gate }); err != nil {
		t.Fatal(err)
	}
	var n atomic.Int64
	for range 100 {
		if err := k.Submit(1, func() { n.Add(1) }); err != nil {
			t.Fatal(err)
		}
	}
	open()
	if err := k.ReleaseTimeout(relWait); err != nil {
		t.Fatal(err)
	}
	faceWant(t, "tasks run", n.Load(), 100)
	// The front's ReleaseTimeout returns once the runner has run the last
	// task; the pool counts the runner done a moment later, after it
	// returns to its worker.
	facePoll(t, "the pool counts one runner done", func() bool { return p.Stats().Completed == 1 })
	faceWant(t, "runners the pool ran", p.Stats().Completed, 1)
}
