package ants

import (
	"testing"
)

// TestSteadyStateAllocations pins the promise of the hot path: once a pool
// has its workers, submitting a ready func or invoking the generic pool
// with a word-sized argument allocates nothing. (Timings are measured in
// the benchmarks module; allocation counts are deterministic and belong
// here.)
func TestSteadyStateAllocations(t *testing.T) {
	noop := func() {}
	t.Run("Pool.Submit", func(t *testing.T) {
		p, err := NewPool(4)
		if err != nil {
			t.Fatal(err)
		}
		defer p.Release()
		allocs := testing.AllocsPerRun(10000, func() {
			if err := p.Submit(noop); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("Submit allocates %v times per task; want 0", allocs)
		}
	})
	t.Run("Subpool.Submit", func(t *testing.T) {
		p, err := NewPool(8)
		if err != nil {
			t.Fatal(err)
		}
		defer p.Release()
		s, err := p.NewSubpool(4, WithPriority(1))
		if err != nil {
			t.Fatal(err)
		}
		allocs := testing.AllocsPerRun(10000, func() {
			if err := s.Submit(noop); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("Subpool.Submit allocates %v times per task; want 0", allocs)
		}
	})
	t.Run("PoolWithFuncGeneric.Invoke", func(t *testing.T) {
		p, err := NewPoolWithFuncGeneric(4, func(int) {})
		if err != nil {
			t.Fatal(err)
		}
		defer p.Release()
		i := 0
		allocs := testing.AllocsPerRun(10000, func() {
			i++
			if err := p.Invoke(i); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("Invoke allocates %v times per task; want 0", allocs)
		}
	})
}
