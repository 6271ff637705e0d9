package ants

import "testing"

// TestMultiPoolSharesWorkers: the pools of a multi-pool run their tasks on
// one set of workers. Eight tasks, one after the other, go round robin
// over four pools of one worker each, and each is submitted once the
// worker of the task before is parked: that worker takes it, whichever
// pool it belongs to, so the multi-pool never has more than one. (While
// each pool had workers of its own, the first task of each pool started
// one, and Running reached 4.)
func TestMultiPoolSharesWorkers(t *testing.T) {
	mp, err := NewMultiPool(4, 1, RoundRobin, WithDisablePurge(true))
	if err != nil {
		t.Fatal(err)
	}
	defer relRelease(t, mp)
	e := mp.e
	done := make(chan struct{})
	for i := range 8 {
		if err := mp.Submit(func() { done <- struct{}{} }); err != nil {
			t.Fatalf("Submit %d: %v", i, err)
		}
		relRecv(t, done, "the task to run")
		if !relWaitFor(relWait, func() bool { return e.idle.size.Load() == 1 && e.spinning.Load() == 0 }) {
			t.Fatalf("after task %d: the worker did not park (Running %d)", i, mp.Running())
		}
		if n := mp.Running(); n != 1 {
			t.Fatalf("after task %d, of pool %d: Running() = %d; want 1", i, i%4, n)
		}
	}
	for idx := range 4 {
		if n, err := mp.FreeByIndex(idx); n != 1 || err != nil {
			t.Errorf("FreeByIndex(%d) = %d, %v; want 1, nil", idx, n, err)
		}
	}
}

// TestMultiPoolQueueRunsOnAnyWorker: with a queue, a pool's queued task
// starts on the first free worker, even one that just ran another pool's
// task while the pool's own capacity is held. Two pools of one worker and
// a queue of two each: task A holds pool 0, task C runs on pool 1 and
// ends, and task B, queued behind A in pool 0, runs before A ends. (While
// each pool had workers of its own, B waited for A.)
func TestMultiPoolQueueRunsOnAnyWorker(t *testing.T) {
	mp, err := NewMultiPool(2, 1, RoundRobin, WithQueueSize(2))
	if err != nil {
		t.Fatal(err)
	}
	defer relRelease(t, mp)
	hold := make(chan struct{})
	defer close(hold)
	started, ran := make(chan string, 3), make(chan string, 3)
	for _, name := range []string{"A", "C", "B"} {
		err := mp.Submit(func() {
			started <- name
			if name == "A" {
				<-hold
			}
			ran <- name
		})
		if err != nil {
			t.Fatalf("Submit %s: %v", name, err)
		}
		if name != "B" {
			relRecv(t, started, "task "+name+" to start")
		}
		if name == "C" {
			relRecv(t, ran, "task C to end")
		}
	}
	if got := relRecv(t, ran, "task B to run while A holds pool 0"); got != "B" {
		t.Fatalf("task %s ended first; want B", got)
	}
	if n, _ := mp.RunningByIndex(0); n != 1 {
		t.Errorf("RunningByIndex(0) = %d; want 1: A holds pool 0's one slot", n)
	}
}
