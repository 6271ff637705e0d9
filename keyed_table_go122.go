//go:build !go1.24

package ants

// keyedSharded says whether a front spreads its keys over several shards.
// Before Go 1.24 there is no maphash.Comparable to hash a key of any
// comparable type without reflection, so a front has one shard, and its
// table is a Go map.
const keyedSharded = false

// keyHash hashes every key to 0: there is one shard, and the map hashes.
type keyHash[K comparable] struct{}

func newKeyHash[K comparable]() keyHash[K] { return keyHash[K]{} }

func (keyHash[K]) sum(K) uint64 { return 0 }

// keyTable maps the keys of the shard to their records. A Go map never
// gives back the room it grew to, so the table rebuilds the map once it
// holds an eighth of its peak or less: that frees the room of the keys
// that left, for one copy of a live entry per seven deletions at most.
type keyTable[K comparable] struct {
	m    map[K]*keyRun[K]
	peak int // the most keys held since m was built
}

// keyShrinkMin is the peak from which the map is rebuilt.
const keyShrinkMin = 128

func (t *keyTable[K]) len() int { return len(t.m) }

func (t *keyTable[K]) get(key K, _ uint64) *keyRun[K] { return t.m[key] }

func (t *keyTable[K]) add(r *keyRun[K]) {
	if t.m == nil {
		t.m = make(map[K]*keyRun[K])
	}
	t.m[r.key] = r
	t.peak = max(t.peak, len(t.m))
}

func (t *keyTable[K]) del(r *keyRun[K]) {
	delete(t.m, r.key)
	if n := len(t.m); t.peak >= keyShrinkMin && n <= t.peak/8 {
		m := make(map[K]*keyRun[K], n)
		for key, r := range t.m {
			m[key] = r
		}
		t.m, t.peak = m, n
	}
}

func (t *keyTable[K]) each(f func(r *keyRun[K])) {
	for _, r := range t.m {
		f(r)
	}
}
