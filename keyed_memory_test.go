package ants

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
)

// keyHeap collects garbage until sync.Pools are empty too and returns the
// bytes of live heap objects.
func keyHeap() uint64 {
	var m runtime.MemStats
	for range 3 {
		runtime.GC()
	}
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func TestKeyedMemoryReturnsToBaseline(t *testing.T) {
	// A million distinct keys come and go, up to tens of thousands of them
	// pending at once; afterwards the front holds no record and its maps
	// are back to their first size. A leaked record costs over 100 bytes,
	// a leaked map slot over 16, so a leak of any kind shows as megabytes
	// against a tolerance of 256 KiB.
	n := 1_000_000
	if testing.Short() || raceBuild {
		n = 200_000 // the race detector makes the million take a minute
	}
	const submitters, tolerance = 4, 256 << 10
	// The queue lets the runners of many idle keys be admitted at once.
	p := keyPool(t, 4, WithQueueSize(1<<16))
	defer func() { _ = p.ReleaseTimeout(relWait) }()
	k := NewKeyed[int](p)
	var done atomic.Int64
	all := make(chan struct{})
	task := func() {
		if done.Add(1) == int64(n) {
			close(all)
		}
	}
	before := keyHeap()
	var wg sync.WaitGroup
	for s := range submitters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for key := s; key < n; key += submitters {
				if err := k.Submit(key, task); err != nil {
					t.Errorf("Submit = %v; want nil", err)
					return
				}
			}
		}()
	}
	faceWait(t, &wg, "submitters")
	faceRecv(t, all, "the tasks")
	// The release waits for the runners to free their records too.
	faceWant(t, "ReleaseTimeout", k.ReleaseTimeout(relWait), nil)
	for i := range k.shards {
		sh := &k.shards[i]
		sh.mu.Lock()
		if n := sh.keys.len(); n != 0 {
			t.Errorf("shard %d holds %d keys; want 0", i, n)
		}
		sh.mu.Unlock()
	}
	faceWant(t, "Keys", k.Stats().Keys, 0)
	after := keyHeap()
	grown := int64(after) - int64(before)
	t.Logf("%d keys: heap %+d bytes (%.3f per key)", n, grown, float64(grown)/float64(n))
	if grown > tolerance {
		t.Errorf("heap grew by %d bytes after %d keys came and went; want at most %d", grown, n, tolerance)
	}
}
