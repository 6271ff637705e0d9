package ants

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// The work-conservation model: random plans of bursts of blocking tasks,
// finishes and Tune calls, after each of which the pool must settle with
// exactly min(capacity, unfinished tasks) tasks running (or, after a Tune
// down, the tasks that already ran and have not finished). A task that the
// pool accepted while it had room, and that starts only when an unrelated
// task finishes, makes a plan fail: the plans finish tasks only when told.
//
// The plans run on the single pools and on multi-pools of one pool. In a
// multi-pool of several pools a freed slot serves only its own pool, so
// min(capacity, tasks) is not what it must reach.

type consOpKind uint8

const (
	consBurst  consOpKind = iota // one goroutine submits n tasks in a row
	consFinish                   // the oldest running task returns
	consTune                     // Tune(n)
)

type consOp struct {
	kind consOpKind
	n    int
}

func (o consOp) String() string {
	return fmt.Sprintf("%s(%d)", [...]string{"Burst", "Finish", "Tune"}[o.kind], o.n)
}

type consPlan struct {
	face, size, queue int
	ops               []consOp
}

func (p consPlan) String() string {
	return fmt.Sprintf("%s size=%d queue=%d %v", faceKinds[p.face].name, p.size, p.queue, p.ops)
}

// consTask is one blocking task of a plan.
type consTask struct {
	started, release, done chan struct{}
}

// consRun is the state of one run of a plan.
type consRun struct {
	p       *faceAdapter
	c       *consCheckerState
	tasks   []*consTask // unfinished, in submission order
	submits sync.WaitGroup
	errs    chan error
}

type consCheckerState struct {
	running  atomic.Int64
	capacity atomic.Int64 // the capacity in force, for the check at each start
	over     atomic.Int64 // starts that found the pool at capacity already
}

func (r *consRun) newTask() *consTask {
	t := &consTask{started: make(chan struct{}), release: make(chan struct{}), done: make(chan struct{})}
	r.tasks = append(r.tasks, t)
	return t
}

func (r *consRun) body(t *consTask) func() {
	return func() {
		if r.c.running.Add(1) > r.c.capacity.Load() {
			r.c.over.Add(1)
		}
		close(t.started)
		<-t.release
		r.c.running.Add(-1)
		close(t.done)
	}
}

// consCheck runs plan and returns the first violation. settle bounds the
// wait for the pool to reach the state each step must lead to.
func consCheck(plan consPlan, settle time.Duration) (err error) {
	p, err := faceKinds[plan.face].build(1, plan.size, RoundRobin, WithQueueSize(plan.queue))
	if err != nil {
		return err
	}
	r := &consRun{p: p, c: new(consCheckerState), errs: make(chan error, 1024)}
	r.c.capacity.Store(int64(plan.size))
	defer func() {
		for _, t := range r.tasks {
			close(t.release)
		}
		if rerr := p.ReleaseTimeout(20 * time.Second); rerr != nil && err == nil {
			err = fmt.Errorf("final ReleaseTimeout: %w", rerr)
		}
		r.submits.Wait()
		close(r.errs)
		for serr := range r.errs {
			// The final release refuses the submitters still blocked.
			if err == nil && !errors.Is(serr, ErrPoolClosed) {
				err = fmt.Errorf("a Submit failed: %w", serr)
			}
		}
	}()
	for i, op := range plan.ops {
		floor := r.countStarted() // tasks that started before this step
		switch op.kind {
		case consBurst:
			batch := make([]*consTask, op.n)
			for j := range batch {
				batch[j] = r.newTask()
			}
			r.submits.Add(1)
			go func() {
				defer r.submits.Done()
				for _, t := range batch {
					if err := p.submit(r.body(t)); err != nil {
						r.errs <- err
					}
				}
			}()
		case consFinish:
			k := r.oldestStarted()
			if k < 0 {
				continue
			}
			t := r.tasks[k]
			r.tasks = append(r.tasks[:k], r.tasks[k+1:]...)
			close(t.release)
			select {
			case <-t.done:
			case <-time.After(settle):
				return fmt.Errorf("step %d (%v): a released task did not return", i, op)
			}
			floor--
		case consTune:
			// The pool is settled: no task is about to start with the old
			// capacity, so the new one holds from the call on.
			r.c.capacity.Store(int64(op.n))
			p.Tune(op.n)
		}
		want := max(floor, min(int(r.c.capacity.Load()), len(r.tasks)))
		if !relWaitFor(settle, func() bool { return r.countStarted() == want }) {
			return fmt.Errorf("%w: step %d (%v): %d of %d unfinished tasks started, want %d with capacity %d; Stats = %+v\n%s",
				errStranded, i, op, r.countStarted(), len(r.tasks), want, r.c.capacity.Load(), p.Stats(), conserveDump())
		}
		if n := r.c.over.Load(); n > 0 {
			return fmt.Errorf("step %d (%v): %d task(s) started with the pool at capacity %d", i, op, n, r.c.capacity.Load())
		}
	}
	return nil
}

// countStarted returns how many unfinished tasks have started.
func (r *consRun) countStarted() int {
	n := 0
	for _, t := range r.tasks {
		select {
		case <-t.started:
			n++
		default:
		}
	}
	return n
}

// oldestStarted returns the index of the first started unfinished task, or
// -1.
func (r *consRun) oldestStarted() int {
	for i, t := range r.tasks {
		select {
		case <-t.started:
			return i
		default:
		}
	}
	return -1
}

func consDrawPlan(t *rapid.T) consPlan {
	p := consPlan{
		face:  rapid.IntRange(0, len(faceKinds)-1).Draw(t, "face"),
		size:  rapid.IntRange(1, 6).Draw(t, "size"),
		queue: rapid.SampledFrom([]int{0, 0, 2, 8}).Draw(t, "queue"),
	}
	op := rapid.Custom(func(t *rapid.T) consOp {
		switch w := rapid.IntRange(0, 9).Draw(t, "kind"); {
		case w < 5:
			return consOp{kind: consBurst, n: rapid.IntRange(1, 6).Draw(t, "burst")}
		case w < 8:
			return consOp{kind: consFinish}
		default:
			return consOp{kind: consTune, n: rapid.IntRange(1, 7).Draw(t, "tune")}
		}
	})
	p.ops = rapid.SliceOfN(op, 1, 12).Draw(t, "ops")
	return p
}

// TestConserveModel checks work conservation over random plans.
func TestConserveModel(t *testing.T) {
	relChecks(t, 300, func(rt *rapid.T) {
		plan := consDrawPlan(rt)
		if err := consCheck(plan, conserveTimeout); err != nil {
			rt.Fatalf("%v\nplan: %v", err, plan)
		}
	})
}

// TestConserveCheckerCatchesStrandedTasks plants the bug that issue 9
// found (a worker started for a pending task passes nothing on) and
// requires the checker to report it, and not to report the same plan
// without the plant.
func TestConserveCheckerCatchesStrandedTasks(t *testing.T) {
	plan := consPlan{face: 0, size: 4, ops: []consOp{{consBurst, 1}, {consFinish, 0}, {consBurst, 4}}}
	t.Run("the correct engine passes", func(t *testing.T) {
		for range 20 {
			if err := consCheck(plan, conserveTimeout); err != nil {
				t.Fatal(err)
			}
		}
	})
	t.Run("a lazy worker start is caught", func(t *testing.T) {
		plantLazyServe.Store(true)
		defer plantLazyServe.Store(false)
		for attempt := range 50 {
			err := consCheck(plan, time.Second)
			if errors.Is(err, errStranded) {
				t.Logf("caught at attempt %d: %.120s", attempt, strings.TrimSpace(err.Error()))
				return
			}
			if err != nil {
				t.Fatalf("attempt %d: checker reported %v; want %v or nothing", attempt, err, errStranded)
			}
		}
		t.Fatal("the checker never reported the planted bug in 50 attempts")
	})
}
