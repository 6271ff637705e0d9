package ants

import (
	"context"
	"math"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The keyed front's answers to bad input, its backlog bound, and its
// handling of refusals and panics.

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
	t.Run("on a Subpool the pool's PanicHandler gets it and both count it", func(t *testing.T) {
		got := make(chan any, 1)
		p := keyPool(t, 2, WithPanicHandler(func(v any) { got <- v }))
		defer func() { _ = p.ReleaseTimeout(relWait) }()
		sp, err := p.NewSubpool(1)
		if err != nil {
			t.Fatal(err)
		}
		k := NewKeyed[int](sp)
		done := make(chan struct{})
		faceWant(t, "Submit", k.Submit(1, func() { panic("sub") }), nil)
		faceWant(t, "Submit", k.Submit(1, func() { close(done) }), nil)
		faceWant(t, "panic value", faceRecv(t, got, "the PanicHandler"), any("sub"))
		faceRecv(t, done, "the task after the panic")
		faceWant(t, "ReleaseTimeout", k.ReleaseTimeout(relWait), nil)
		faceWant(t, "sub-pool's Panicked", sp.Stats().Panicked, 1)
		faceWant(t, "pool's Panicked", p.Stats().Panicked, 1)
		faceWant(t, "sub-pool ReleaseTimeout", sp.ReleaseTimeout(relWait), nil)
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
