//go:build go1.24

package ants

import "hash/maphash"

// keyedSharded says whether a front spreads its keys over several shards.
// It needs maphash.Comparable (Go 1.24) to hash a key of any comparable
// type without reflection.
const keyedSharded = true

// keyHash hashes keys, once per submission: the high bits pick the shard,
// the low bits the slot in the shard's table.
type keyHash[K comparable] struct{ seed maphash.Seed }

func newKeyHash[K comparable]() keyHash[K] { return keyHash[K]{maphash.MakeSeed()} }

func (h keyHash[K]) sum(key K) uint64 { return maphash.Comparable(h.seed, key) }

// keyTable maps the keys of a shard to their records: open addressing with
// linear probing over the hash computed for the shard, so a key is hashed
// once per submission, and deletion by backward shift, so no tombstone
// builds up. The table grows at half full and shrinks to a quarter at an
// eighth full, so its size follows the number of keys with pending work,
// but never below minKeySlots once a key came: a shard whose few keys come
// and go keeps its table instead of reallocating it.
type keyTable[K comparable] struct {
	slots []keySlot[K] // a power of two long, or empty
	n     int
}

type keySlot[K comparable] struct {
	h uint64
	r *keyRun[K] // nil for a free slot
}

// minKeySlots is the size of a table that has held a key: 512 bytes.
const minKeySlots = 32

func (t *keyTable[K]) len() int { return t.n }

// get returns the record of key, whose hash is h, or nil.
func (t *keyTable[K]) get(key K, h uint64) *keyRun[K] {
	if t.n == 0 {
		return nil
	}
	mask := uint64(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.r == nil {
			return nil
		}
		if s.h == h && s.r.key == key {
			return s.r
		}
	}
}

// add adds r, whose key is not in the table, under r.h.
func (t *keyTable[K]) add(r *keyRun[K]) {
	if 2*(t.n+1) > len(t.slots) {
		t.resize(max(2*len(t.slots), minKeySlots))
	}
	t.place(r.h, r)
	t.n++
}

// place puts r in the first free slot from its home.
func (t *keyTable[K]) place(h uint64, r *keyRun[K]) {
	mask := uint64(len(t.slots) - 1)
	i := h & mask
	for t.slots[i].r != nil {
		i = (i + 1) & mask
	}
	t.slots[i] = keySlot[K]{h, r}
}

// del removes r, which is in the table.
func (t *keyTable[K]) del(r *keyRun[K]) {
	mask := uint64(len(t.slots) - 1)
	i := r.h & mask
	for t.slots[i].r != r {
		i = (i + 1) & mask
	}
	// Shift back each later entry of the cluster that the gap at i cuts off
	// from its home slot.
	for j := (i + 1) & mask; t.slots[j].r != nil; j = (j + 1) & mask {
		if home := t.slots[j].h & mask; (j-home)&mask >= (j-i)&mask {
			t.slots[i] = t.slots[j]
			i = j
		}
	}
	t.slots[i] = keySlot[K]{}
	t.n--
	if len(t.slots) > minKeySlots && 8*t.n <= len(t.slots) {
		t.resize(max(len(t.slots)/4, minKeySlots))
	}
}

// resize moves the entries to a table of size slots.
func (t *keyTable[K]) resize(size int) {
	old := t.slots
	t.slots = make([]keySlot[K], size)
	for _, s := range old {
		if s.r != nil {
			t.place(s.h, s.r)
		}
	}
}

// each calls f on every record.
func (t *keyTable[K]) each(f func(r *keyRun[K])) {
	for _, s := range t.slots {
		if s.r != nil {
			f(s.r)
		}
	}
}
