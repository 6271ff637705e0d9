package ants

import (
	"context"
	"errors"
	"math"
	"math/rand"
	"runtime"
	"strings"
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
	// which was waiting for a slot. (With the stand-in enqueue the
	// continuation waits on a goroutine of its own, behind that task among
	// the pool's blocked submitters, so this passes with it too.)
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
	faceWant(t, "runners the pool ran", p.Stats().Completed, 1)
}

func TestKeyedBadInput(t *testing.T) {
	p := keyPool(t, 2)
	defer func() { _ = p.ReleaseTimeout(relWait) }()
	t.Run("a nil task is refused", func(t *testing.T) {
		k := NewKeyed[int](p)
		faceWant(t, "Submit(nil)", k.Submit(1, nil), ErrNilTask)
		faceWant(t, "SubmitContext(nil)", k.SubmitContext(context.Background(), 1, nil), ErrNilTask)
		k.Release()
		faceWant(t, "Submit(nil) after Release", k.Submit(1, nil), ErrPoolClosed)
	})
	t.Run("a key unequal to itself is refused", func(t *testing.T) {
		kf := NewKeyed[float64](p)
		faceWant(t, "NaN key", kf.Submit(math.NaN(), func() {}), ErrInvalidKey)
		ka := NewKeyed[any](p)
		faceWant(t, "slice key", ka.Submit([]int{1}, func() {}), ErrInvalidKey)
		type pair struct {
			a any
			b int
		}
		ks := NewKeyed[pair](p)
		faceWant(t, "struct key holding a map", ks.Submit(pair{map[int]int{}, 1}, func() {}), ErrInvalidKey)
		done := make(chan struct{})
		faceWant(t, "comparable interface key", ka.Submit("x", func() { close(done) }), nil)
		faceRecv(t, done, "the task of a valid key")
		for _, k := range []interface{ ReleaseTimeout(time.Duration) error }{kf, ka, ks} {
			if err := k.ReleaseTimeout(relWait); err != nil {
				t.Fatal(err)
			}
		}
	})
	t.Run("submission after release is refused", func(t *testing.T) {
		k := NewKeyed[int](p)
		faceWant(t, "first ReleaseTimeout", k.ReleaseTimeout(relWait), nil)
		faceWant(t, "Submit", k.Submit(1, func() {}), ErrPoolClosed)
		faceWant(t, "second ReleaseTimeout", k.ReleaseTimeout(relWait), ErrPoolClosed)
		faceWant(t, "pool closed", p.IsClosed(), false)
	})
	t.Run("submission to a released pool is refused", func(t *testing.T) {
		q := keyPool(t, 2)
		k := NewKeyed[int](q)
		q.Release()
		faceWant(t, "Submit", k.Submit(1, func() {}), ErrPoolClosed)
		faceWant(t, "ReleaseTimeout", k.ReleaseTimeout(relWait), nil)
		faceWant(t, "pool ReleaseTimeout", q.ReleaseTimeout(relWait), ErrPoolClosed)
	})
	t.Run("a done context fails at once", func(t *testing.T) {
		k := NewKeyed[int](p)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		faceWant(t, "SubmitContext", k.SubmitContext(ctx, 1, func() { t.Error("task ran") }), context.Canceled)
		faceWant(t, "Cancelled", k.Stats().Cancelled, 1)
		faceWant(t, "ReleaseTimeout", k.ReleaseTimeout(relWait), nil)
	})
	t.Run("a nil front refuses everything", func(t *testing.T) {
		var k *Keyed[int]
		faceWant(t, "Submit", k.Submit(1, func() {}), ErrPoolClosed)
		faceWant(t, "ReleaseTimeout", k.ReleaseTimeout(time.Second), ErrPoolClosed)
		faceWant(t, "Stats", k.Stats(), Stats{})
	})
}

func TestKeyedDefaultPool(t *testing.T) {
	Reboot()
	defer Release()
	for name, k := range map[string]*Keyed[string]{"a nil Submitter": NewKeyed[string](nil), "the zero Keyed": new(Keyed[string])} {
		t.Run(name+" runs on the default pool", func(t *testing.T) {
			done := make(chan struct{})
			if err := k.Submit("a", func() { close(done) }); err != nil {
				t.Fatal(err)
			}
			faceRecv(t, done, "the task")
			faceWant(t, "ReleaseTimeout", k.ReleaseTimeout(relWait), nil)
			faceWant(t, "default pool closed", Default().IsClosed(), false)
		})
	}
}

func TestKeyedBacklogBound(t *testing.T) {
	t.Run("a full backlog blocks until room frees", func(t *testing.T) {
		p := keyPool(t, 2)
		defer func() { _ = p.ReleaseTimeout(relWait) }()
		k := NewKeyed[int](p, WithKeyBacklog(2))
		gate, open := faceGate(t)
		var order []int
		var mu sync.Mutex
		add := func(i int) func() { return func() { mu.Lock(); order = append(order, i); mu.Unlock() } }
		started := make(chan struct{})
		if err := k.Submit(1, func() { close(started); <-gate }); err != nil {
			t.Fatal(err)
		}
		faceRecv(t, started, "the first task")
		for i := range 2 {
			faceWant(t, "Submit within the bound", k.Submit(1, add(i)), nil)
		}
		blocked := faceAsync(func() error { return k.Submit(1, add(2)) })
		facePoll(t, "the third Submit blocks", func() bool { return k.Stats().Waiting == 1 })
		faceWant(t, "another key is not bound by it", k.Submit(2, func() {}), nil)
		open()
		faceWant(t, "blocked Submit", faceRecv(t, blocked, "the blocked Submit"), nil)
		faceWant(t, "ReleaseTimeout", k.ReleaseTimeout(relWait), nil)
		mu.Lock()
		defer mu.Unlock()
		faceWant(t, "order", len(order) == 3 && order[0] == 0 && order[1] == 1 && order[2] == 2, true)
	})
	t.Run("a full backlog fails at once on a Nonblocking pool", func(t *testing.T) {
		p := keyPool(t, 2, WithNonblocking(true))
		defer func() { _ = p.ReleaseTimeout(relWait) }()
		k := NewKeyed[int](p, WithKeyBacklog(1))
		gate, open := faceGate(t)
		defer open()
		started := make(chan struct{})
		if err := k.Submit(1, func() { close(started); <-gate }); err != nil {
			t.Fatal(err)
		}
		faceRecv(t, started, "the first task")
		faceWant(t, "Submit within the bound", k.Submit(1, func() {}), nil)
		faceWant(t, "Submit beyond it", k.Submit(1, func() { t.Error("refused task ran") }), ErrPoolOverload)
		faceWant(t, "Rejected", k.Stats().Rejected, 1)
		open()
		faceWant(t, "ReleaseTimeout", k.ReleaseTimeout(relWait), nil)
	})
	for _, how := range []string{"its context ends", "the front is released"} {
		t.Run("a blocked Submit gives up when "+how, func(t *testing.T) {
			p := keyPool(t, 2)
			defer func() { _ = p.ReleaseTimeout(relWait) }()
			k := NewKeyed[int](p, WithKeyBacklog(1))
			gate, open := faceGate(t)
			started := make(chan struct{})
			if err := k.Submit(1, func() { close(started); <-gate }); err != nil {
				t.Fatal(err)
			}
			faceRecv(t, started, "the first task")
			faceWant(t, "Submit within the bound", k.Submit(1, func() {}), nil)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			blocked := faceAsync(func() error { return k.SubmitContext(ctx, 1, func() { t.Error("refused task ran") }) })
			facePoll(t, "the Submit blocks", func() bool { return k.Stats().Waiting == 1 })
			want := context.Canceled
			if how == "its context ends" {
				cancel()
			} else {
				k.Release()
				want = ErrPoolClosed
			}
			faceWant(t, "blocked Submit", faceRecv(t, blocked, "the blocked Submit"), want)
			faceWant(t, "Waiting", k.Stats().Waiting, 0)
			open()
			if how == "its context ends" {
				k.Release()
			}
			faceWant(t, "ReleaseContext", k.ReleaseContext(context.Background()), ErrPoolClosed)
			facePoll(t, "the front drains", func() bool { return k.Stats().Keys == 0 })
		})
	}
}

// keyGateSubmitter holds each SubmitContext until the test answers it:
// nil passes the task on to the pool, an error refuses it.
type keyGateSubmitter struct {
	p       *Pool
	calls   chan struct{}
	answers chan error
}

func (s keyGateSubmitter) SubmitContext(ctx context.Context, task func()) error {
	s.calls <- struct{}{}
	if err := <-s.answers; err != nil {
		return err
	}
	return s.p.SubmitContext(ctx, task)
}

func TestKeyedRefusedFirstTask(t *testing.T) {
	// The pool refuses the runner of an idle key while another task of the
	// key has already joined its backlog: the refused task never runs, the
	// accepted one does.
	p := keyPool(t, 2)
	defer func() { _ = p.ReleaseTimeout(relWait) }()
	s := keyGateSubmitter{p, make(chan struct{}), make(chan error)}
	k := NewKeyed[int](s)
	first := faceAsync(func() error { return k.Submit(1, func() { t.Error("refused task ran") }) })
	faceRecv(t, s.calls, "the runner's submission")
	ran := make(chan struct{})
	faceWant(t, "Submit behind the first task", k.Submit(1, func() { close(ran) }), nil)
	s.answers <- ErrPoolOverload
	// The refused submitter finds the key a runner before it returns.
	faceRecv(t, s.calls, "the resumed runner's submission")
	s.answers <- nil
	faceWant(t, "first Submit", faceRecv(t, first, "the first Submit"), ErrPoolOverload)
	faceRecv(t, ran, "the accepted task")
	faceWant(t, "ReleaseTimeout", k.ReleaseTimeout(relWait), nil)
	st := k.Stats()
	faceWant(t, "Submitted", st.Submitted, 1)
	faceWant(t, "Completed", st.Completed, 1)
	faceWant(t, "Rejected", st.Rejected, 1)
}

func TestKeyedPanics(t *testing.T) {
	t.Run("the PanicHandler gets the value and the key goes on", func(t *testing.T) {
		got := make(chan any, 1)
		p := keyPool(t, 2, WithPanicHandler(func(v any) { got <- v }))
		defer func() { _ = p.ReleaseTimeout(relWait) }()
		k := NewKeyed[int](p)
		var after atomic.Int64
		faceWant(t, "Submit", k.Submit(1, func() { panic("boom") }), nil)
		for range 3 {
			faceWant(t, "Submit", k.Submit(1, func() { after.Add(1) }), nil)
		}
		faceWant(t, "panic value", faceRecv(t, got, "the PanicHandler"), any("boom"))
		faceWant(t, "ReleaseTimeout", k.ReleaseTimeout(relWait), nil)
		faceWant(t, "tasks after the panic", after.Load(), 3)
		faceWant(t, "front's Panicked", k.Stats().Panicked, 1)
		faceWant(t, "pool's Panicked", p.Stats().Panicked, 1)
		faceWant(t, "front's Completed", k.Stats().Completed, 4)
	})
	t.Run("without a handler the Logger gets the value and the task's stack", func(t *testing.T) {
		log := &relLogSink{}
		p := keyPool(t, 2, WithLogger(log))
		defer func() { _ = p.ReleaseTimeout(relWait) }()
		k := NewKeyed[int](p)
		faceWant(t, "Submit", k.Submit(1, keyPanicky), nil)
		faceWant(t, "ReleaseTimeout", k.ReleaseTimeout(relWait), nil)
		text := log.text()
		if !strings.Contains(text, "keyed task panicked: boom") || !strings.Contains(text, "keyPanicky") {
			t.Errorf("logged %q; want the value and a stack through keyPanicky", text)
		}
	})
	t.Run("a task that calls Goexit does not stop its key", func(t *testing.T) {
		p := keyPool(t, 1)
		defer func() { _ = p.ReleaseTimeout(relWait) }()
		k := NewKeyed[int](p)
		gate, open := faceGate(t)
		faceWant(t, "Submit", k.Submit(1, func() { <-gate; runtime.Goexit() }), nil)
		done := make(chan struct{})
		faceWant(t, "Submit", k.Submit(1, func() { close(done) }), nil)
		open()
		faceRecv(t, done, "the task after Goexit")
		faceWant(t, "ReleaseTimeout", k.ReleaseTimeout(relWait), nil)
	})
}

//go:noinline
func keyPanicky() { panic("boom") }

func TestKeyedStats(t *testing.T) {
	p := keyPool(t, 4)
	defer func() { _ = p.ReleaseTimeout(relWait) }()
	k := NewKeyed[int](p)
	gate, open := faceGate(t)
	var started sync.WaitGroup
	started.Add(2)
	for key := range 2 {
		faceWant(t, "Submit", k.Submit(key, func() { started.Done(); <-gate }), nil)
	}
	faceWait(t, &started, "the first task of each key")
	for range 3 {
		faceWant(t, "Submit", k.Submit(0, func() {}), nil)
	}
	s := k.Stats()
	faceWant(t, "Keys", s.Keys, 2)
	faceWant(t, "Busy", s.Busy, 2)
	faceWant(t, "Queued", s.Queued, 3)
	faceWant(t, "Submitted", s.Submitted, 5)
	faceWant(t, "Completed", s.Completed, 0)
	faceWant(t, "Capacity", s.Capacity, 0)
	open()
	faceWant(t, "ReleaseTimeout", k.ReleaseTimeout(relWait), nil)
	s = k.Stats()
	faceWant(t, "Stats after release", s, Stats{Submitted: 5, Completed: 5})
}

func TestKeyedSteadyStateAllocations(t *testing.T) {
	// Records, their backlogs and their runners are reused, so a stream of
	// tasks allocates nothing but the tasks, here one ready func.
	p := keyPool(t, 4)
	defer func() { _ = p.ReleaseTimeout(relWait) }()
	noop := func() {}
	t.Run("with int keys", func(t *testing.T) {
		k := NewKeyed[int](p)
		i := 0
		allocs := testing.AllocsPerRun(10000, func() {
			i++
			if err := k.Submit(i%4, noop); err != nil {
				t.Fatal(err)
			}
		})
		faceWant(t, "allocations per Submit", allocs, 0)
		faceWant(t, "ReleaseTimeout", k.ReleaseTimeout(relWait), nil)
	})
	t.Run("with string keys", func(t *testing.T) {
		k := NewKeyed[string](p)
		keys := []string{"a", "b", "c", "d"}
		i := 0
		allocs := testing.AllocsPerRun(10000, func() {
			i++
			if err := k.Submit(keys[i%4], noop); err != nil {
				t.Fatal(err)
			}
		})
		faceWant(t, "allocations per Submit", allocs, 0)
		faceWant(t, "ReleaseTimeout", k.ReleaseTimeout(relWait), nil)
	})
}
