package ants

import (
	"errors"
	"flag"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// This file holds the model-based test of issue 5: random plans of
// concurrent operations run against every face, and a checker that states
// what must hold whatever the interleaving:
//
//   - every task whose submission returned nil runs exactly once;
//   - a task whose submission failed never runs;
//   - no more tasks run at once than the capacity in force since the oldest
//     of them began its submission (see relChecker.enter);
//   - every call returns within a bound (a hang fails with a goroutine dump);
//   - a call fails only with an error its options allow;
//   - after the final ReleaseTimeout no goroutine of the pool remains.
//
// The checker returns errors instead of failing the test, so that
// TestModelCheckerCatchesFaults can run it against deliberately broken
// pools and prove that each invariant can fail.

// relDrawPlan draws a random plan.
func relDrawPlan(t *rapid.T) relPlan {
	var c relCfg
	c.face = rapid.IntRange(0, relFaceCount-1).Draw(t, "face")
	if rapid.IntRange(0, 5).Draw(t, "unlimited") == 0 {
		c.size = rapid.SampledFrom([]int{0, -1}).Draw(t, "size")
	} else {
		c.size = rapid.IntRange(1, 6).Draw(t, "size")
		c.preAlloc = rapid.IntRange(0, 3).Draw(t, "preAlloc") == 0
	}
	if c.multi() {
		c.pools = rapid.IntRange(1, 3).Draw(t, "pools")
		c.lbs = rapid.SampledFrom([]LoadBalancingStrategy{RoundRobin, LeastTasks}).Draw(t, "lbs")
	}
	c.nonblocking = rapid.IntRange(0, 3).Draw(t, "nonblocking") == 0
	c.maxBlocking = rapid.SampledFrom([]int{0, 0, 1, 3}).Draw(t, "maxBlocking")
	c.disablePurge = rapid.Bool().Draw(t, "disablePurge")
	c.expiry = rapid.SampledFrom([]time.Duration{0, time.Millisecond, 2 * time.Millisecond, 5 * time.Millisecond}).Draw(t, "expiry")
	c.queue = rapid.SampledFrom([]int{0, 0, 1, 4}).Draw(t, "queue")
	c.handler = rapid.Bool().Draw(t, "handler")

	ops := rapid.Custom(relDrawOp)
	actors := rapid.IntRange(1, 5).Draw(t, "goroutines")
	plan := relPlan{cfg: c}
	for i := range actors {
		plan.actors = append(plan.actors, rapid.SliceOfN(ops, 1, 40).Draw(t, fmt.Sprintf("ops%d", i)))
	}
	return plan
}

func relDrawOp(t *rapid.T) relOp {
	var op relOp
	switch w := rapid.IntRange(0, 99).Draw(t, "op"); {
	case w < 45:
		op.kind = relOpSubmit
	case w < 65:
		op.kind = relOpSubmitCtx
	case w < 75:
		op.kind = relOpTune
	case w < 82:
		op.kind = relOpRead
	case w < 86:
		op.kind = relOpRelease
	case w < 89:
		op.kind = relOpReleaseTimeout
	case w < 92:
		op.kind = relOpReleaseContext
	default:
		op.kind = relOpReboot
	}
	switch op.kind {
	case relOpSubmit, relOpSubmitCtx:
		switch w := rapid.IntRange(0, 99).Draw(t, "task"); {
		case w < 40:
			op.task = relTaskQuick
		case w < 85:
			op.task = relTaskHold
			op.d = time.Duration(rapid.IntRange(0, 3000).Draw(t, "hold")) * time.Microsecond
		case w < 95:
			op.task = relTaskPanic
		default:
			op.task = relTaskGoexit
		}
		if op.kind == relOpSubmitCtx {
			op.ctx = relCtxKind(rapid.IntRange(0, 2).Draw(t, "ctx"))
			if op.ctx == relCtxTimeout {
				op.d = time.Duration(rapid.IntRange(0, 3000).Draw(t, "timeout")) * time.Microsecond
			}
		}
	case relOpTune:
		op.n = rapid.IntRange(-1, 8).Draw(t, "tune")
	case relOpReleaseTimeout, relOpReleaseContext:
		op.d = rapid.SampledFrom([]time.Duration{0, time.Millisecond, 10 * time.Millisecond, 100 * time.Millisecond}).Draw(t, "timeout")
	}
	return op
}

// relChecks runs rapid with n checks unless -rapid.checks was given.
func relChecks(t *testing.T, n int, prop func(*rapid.T)) {
	explicit := false
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "rapid.checks" })
	if !explicit {
		if f := flag.Lookup("rapid.checks"); f != nil {
			old := f.Value.String()
			_ = f.Value.Set(fmt.Sprint(n))
			defer func() { _ = f.Value.Set(old) }()
		}
	}
	rapid.Check(t, prop)
}

// TestModel runs random concurrent plans against every face and option mix
// and checks the invariants listed at the top of this file.
func TestModel(t *testing.T) {
	defer relTotalsLog(t, relTotalsSnapshot())
	relChecks(t, 5000, func(rt *rapid.T) {
		plan := relDrawPlan(rt)
		if err := relCheckPlan(plan, relNewFace, relDefaultLimits); err != nil {
			rt.Fatalf("%v\nplan: %v", err, plan)
		}
	})
}

// TestModelCheckerCatchesFaults runs the model's checker against pools
// with known bugs, and checks that it reports each one; and against the
// same pool without a bug, and the real faces, where it must report none.
func TestModelCheckerCatchesFaults(t *testing.T) {
	hold := relOp{kind: relOpSubmit, task: relTaskHold, d: time.Minute}
	quick := relOp{kind: relOpSubmit, task: relTaskQuick}
	cfg := relCfg{face: relFacePool, size: 2, preAlloc: true, nonblocking: true}
	plan := relPlan{cfg: cfg, actors: [][]relOp{{quick, quick, quick, hold, hold, {kind: relOpAwait, n: 2}}}}
	overPlan := relPlan{cfg: cfg, actors: [][]relOp{{hold, hold, hold, {kind: relOpAwait, n: 3}}}}
	// Two hold tasks fill the nonblocking pool, so the quick one is refused.
	refusedPlan := relPlan{cfg: cfg, actors: [][]relOp{{hold, hold, {kind: relOpAwait, n: 2}, quick, {kind: relOpRead}}}}
	limits := relLimits{call: 300 * time.Millisecond, drain: 5 * time.Second, hold: 10 * time.Second, leak: true, stats: true}

	cases := []struct {
		name  string
		fault relFault
		plan  relPlan
		want  error // nil: the checker must find nothing
	}{
		{"a correct pool passes", relFaultNone, plan, nil},
		{"a correct pool at full capacity passes", relFaultNone, relPlan{cfg: cfg, actors: [][]relOp{{hold, hold, {kind: relOpAwait, n: 2}}}}, nil},
		{"a dropped task is reported lost", relFaultDrop, plan, relErrLost},
		{"a task run twice is reported", relFaultTwice, plan, relErrTwice},
		{"capacity exceeded by one is reported", relFaultOverCap, overPlan, relErrOverCap},
		{"a hung submission is reported", relFaultHang, plan, relErrHang},
		{"a refused task that runs is reported", relFaultRunRejected, plan, relErrRejectedRan},
		{"a goroutine left behind is reported", relFaultLeak, plan, relErrLeak},
		{"a correct pool that refuses a task passes", relFaultNone, refusedPlan, nil},
		{"a refusal counted twice in Stats is reported", relFaultDoubleReject, refusedPlan, relErrStats},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			stuck := make(chan struct{})
			defer close(stuck)
			build := func(c relCfg, run func(int64), _ func(any), _ Logger) (relFace, error) {
				slots := c.size
				if tc.fault == relFaultOverCap {
					slots++
				}
				if tc.fault == relFaultLeak {
					go func() { <-stuck }()
				}
				return &relFakePool{run: run, fault: tc.fault, nonblocking: c.nonblocking, slots: make(chan struct{}, slots), stuck: stuck}, nil
			}
			err := relCheckPlan(tc.plan, build, limits)
			switch {
			case tc.want == nil && err != nil:
				t.Fatalf("checker reported %v; want nothing", err)
			case tc.want != nil && !errors.Is(err, tc.want):
				t.Fatalf("checker reported %v; want %v", err, tc.want)
			}
			if err != nil {
				t.Logf("reported: %.200s", err)
			}
		})
	}
	t.Run("the real faces pass the same plans", func(t *testing.T) {
		for face := range relFaceCount {
			c := cfg
			c.face, c.pools, c.lbs, c.nonblocking = face, 1, RoundRobin, false
			for _, p := range []relPlan{plan, {cfg: c, actors: [][]relOp{{hold, hold, {kind: relOpAwait, n: 2}}}}} {
				p.cfg = c
				if err := relCheckPlan(p, relNewFace, relDefaultLimits); err != nil {
					t.Errorf("%s: %v", relFaceNames[face], err)
				}
			}
		}
	})
}

// relWaitFor polls cond every millisecond until it holds or d has passed,
// and reports whether it held. It is for states that the black-box API
// exposes only as gauges.
func relWaitFor(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(time.Millisecond)
	}
	return true
}

// TestModelTuneDownKeepsServing is the minimal form of a hang the model
// found: after a Tune down, a task submitted to a pool whose surplus
// workers are parked must still run. (It failed on 5a095d1: the woken
// worker saw workers > capacity and exited without passing the wake-up on,
// and the other parked worker never learned of the pending task.)
func TestModelTuneDownKeepsServing(t *testing.T) {
	for attempt := range 20 {
		p, err := NewPool(2, WithDisablePurge(true))
		if err != nil {
			t.Fatal(err)
		}
		// Two tasks at once leave two workers behind, idle.
		var started sync.WaitGroup
		started.Add(2)
		gate := make(chan struct{})
		for range 2 {
			if err := p.Submit(func() { started.Done(); <-gate }); err != nil {
				t.Fatal(err)
			}
		}
		started.Wait()
		close(gate)
		if !relWaitFor(5*time.Second, func() bool { s := p.Stats(); return s.Busy == 0 && s.Workers == 2 }) {
			t.Fatalf("attempt %d: pool did not settle: %+v", attempt, p.Stats())
		}
		p.Tune(1)
		ran := make(chan struct{})
		if err := p.Submit(func() { close(ran) }); err != nil {
			t.Fatal(err)
		}
		select {
		case <-ran:
		case <-time.After(5 * time.Second):
			t.Errorf("attempt %d: task accepted after Tune(1) did not run within 5s; Stats = %+v", attempt, p.Stats())
		}
		if err := p.ReleaseTimeout(5 * time.Second); err != nil {
			t.Fatalf("ReleaseTimeout = %v", err)
		}
		if t.Failed() {
			return
		}
	}
}

// TestModelMultiRebootReleaseRace is the minimal form of a race between
// MultiPool.Reboot and a concurrent ReleaseTimeout: Reboot flips the
// multi-pool open and then reboots its pools one by one, so a release that
// runs in between finds the pools still closed, closes nothing, and returns
// nil; Reboot then reopens the pools. The multi-pool ends up reporting
// IsClosed() == true while its pools are open with their purgers running,
// and a later ReleaseTimeout returns ErrPoolClosed without stopping them.
func TestModelMultiRebootReleaseRace(t *testing.T) {
	base := runtime.NumGoroutine()
	for i := range 2000 {
		m, err := NewMultiPool(4, 1, RoundRobin)
		if err != nil {
			t.Fatal(err)
		}
		m.Release()
		var wg sync.WaitGroup
		start := make(chan struct{})
		wg.Add(2)
		go func() { defer wg.Done(); <-start; m.Reboot() }()
		go func() { defer wg.Done(); <-start; _ = m.ReleaseTimeout(relWait) }()
		close(start)
		wg.Wait()
		if !m.IsClosed() {
			if err := m.ReleaseTimeout(relWait); err != nil {
				t.Fatalf("iteration %d: ReleaseTimeout = %v", i, err)
			}
			continue
		}
		// Closed: nothing of the pool may be left running.
		if !relNumGoroutineBelow(base, 0) {
			n := runtime.NumGoroutine() - base
			m.Reboot() // clean up: reopen, then release for real
			_ = m.ReleaseTimeout(relWait)
			t.Fatalf("iteration %d: multi-pool reports closed but %d of its goroutines still run (an open pool inside a closed multi-pool)", i, n)
		}
	}
}
