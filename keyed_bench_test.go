package ants

import (
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkKeyedRunLength measures a keyed front over a pool of capacity
// GOMAXPROCS*4 fed by as many submitters, for a few run lengths (how many
// tasks of a key a runner runs before it hands the key back), against a
// plain Submit of the same tasks. Keys are drawn at random. ns/op is per
// task, including the wait for the last one. The benchmarks module
// compares the front with other designs.
func BenchmarkKeyedRunLength(b *testing.B) {
	procs := runtime.GOMAXPROCS(0)
	for _, keys := range []int{10, 1000} {
		b.Run(fmt.Sprintf("keys=%d/plain", keys), func(b *testing.B) {
			keyBench(b, procs*4, func(p *Pool, done func()) func(int) error {
				return func(int) error { return p.Submit(done) }
			})
		})
		for _, run := range []int{4, 16, 64} {
			b.Run(fmt.Sprintf("keys=%d/run=%d", keys, run), func(b *testing.B) {
				defer func(old int) { keyedRunLength = old }(keyedRunLength)
				keyedRunLength = run
				keyBench(b, procs*4, func(p *Pool, done func()) func(int) error {
					k := NewKeyed[int](p)
					return func(i int) error { return k.Submit(scatter(i, keys), done) }
				})
			})
		}
	}
}

// scatter maps the i-th submission to one of keys keys, at random but
// the same for every run, as the keyed cases of the benchmarks module
// draw them: sometimes a key that already has work.
func scatter(i, keys int) int {
	x := uint64(i) * 0x9e3779b97f4a7c15
	x ^= x >> 29
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 32
	return int(x % uint64(keys))
}

// keyBench submits b.N tiny tasks through the function that mk returns,
// from n goroutines, to a pool of capacity n, and waits for all of them.
func keyBench(b *testing.B, n int, mk func(p *Pool, done func()) func(int) error) {
	p, err := NewPool(n)
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = p.ReleaseTimeout(time.Minute) }()
	var finished atomic.Int64
	all := make(chan struct{})
	want := int64(b.N)
	submit := mk(p, func() {
		if finished.Add(1) == want {
			close(all)
		}
	})
	var next atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.SetParallelism(4)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := submit(int(next.Add(1))); err != nil {
				b.Error(err)
				return
			}
		}
	})
	<-all
}
