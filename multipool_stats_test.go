package ants

import (
	"errors"
	"testing"
)

// TestMultiPoolRejectedOnce counted 1 for the first case and 2 for the
// second before the multi-pools counted overloads themselves: a pool that
// refused a RoundRobin task counted a rejection before the multi-pool
// offered the task to another pool.
func TestMultiPoolRejectedOnce(t *testing.T) {
	for face := relFaceMulti; face < relFaceCount; face++ {
		t.Run(relFaceNames[face], func(t *testing.T) {
			gate := make(chan struct{})
			started := make(chan int64, 4)
			f, err := relBuildFace(face, 1, 2, RoundRobin, func(id int64) {
				started <- id
				if id == 0 {
					<-gate
				}
			}, WithNonblocking(true))
			if err != nil {
				t.Fatal(err)
			}
			defer relRelease(t, f)
			defer close(gate)
			// Task 0 holds pool 0; task 1 runs on pool 1 and ends.
			for id := range int64(2) {
				if err := f.submit(nil, id); err != nil {
					t.Fatalf("submit %d = %v", id, err)
				}
				relRecv(t, started, "a task to start")
			}
			if !relWaitFor(relWait, func() bool { return f.Stats().Busy == 1 }) {
				t.Fatalf("pool 1 did not free its slot: %+v", f.Stats())
			}
			t.Run("a task refused by its pool and accepted by another counts none", func(t *testing.T) {
				// Round robin picks the full pool 0 again; the least busy
				// pool, pool 1, takes the task.
				if err := f.submit(nil, 2); err != nil {
					t.Fatalf("submit = %v; want nil", err)
				}
				relRecv(t, started, "the retried task to start")
				if got := f.Stats().Rejected; got != 0 {
					t.Errorf("Rejected = %d; want 0", got)
				}
			})
			t.Run("a task refused by both pools counts one", func(t *testing.T) {
				// Hold pool 1 too, then submit to the full multi-pool.
				if !relWaitFor(relWait, func() bool { return f.Stats().Busy == 1 }) {
					t.Fatalf("pool 1 did not free its slot: %+v", f.Stats())
				}
				if err := f.submit(nil, 0); err != nil { // task 0 holds until gate
					t.Fatalf("submit = %v", err)
				}
				relRecv(t, started, "a second holding task to start")
				if err := f.submit(nil, 3); !errors.Is(err, ErrPoolOverload) {
					t.Fatalf("submit to a full multi-pool = %v; want ErrPoolOverload", err)
				}
				if got := f.Stats().Rejected; got != 1 {
					t.Errorf("Rejected = %d; want 1", got)
				}
			})
		})
	}
}
