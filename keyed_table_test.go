package ants

import (
	"math/rand"
	"testing"
)

// FuzzKeyTable runs a random sequence of additions and deletions on a
// shard's table and on a map, with hashes that collide on purpose, and
// checks that the table finds exactly what the map holds.
func FuzzKeyTable(f *testing.F) {
	f.Add(int64(1), uint8(7))
	f.Add(int64(2), uint8(63))
	f.Add(int64(3), uint8(255))
	f.Fuzz(func(t *testing.T, seed int64, hashMask uint8) {
		rng := rand.New(rand.NewSource(seed))
		var tab keyTable[int]
		ref := map[int]*keyRun[int]{}
		hash := func(key int) uint64 {
			if !keyedSharded {
				return 0
			}
			return uint64(key*2654435761) & uint64(hashMask) // few distinct hashes: long clusters
		}
		for range 2000 {
			key := rng.Intn(300)
			if r, ok := ref[key]; ok && rng.Intn(2) == 0 {
				tab.del(r)
				delete(ref, key)
			} else if !ok {
				r := &keyRun[int]{key: key, h: hash(key)}
				tab.add(r)
				ref[key] = r
			}
			if tab.len() != len(ref) {
				t.Fatalf("len() = %d; want %d", tab.len(), len(ref))
			}
			for k := range 300 {
				if got, want := tab.get(k, hash(k)), ref[k]; got != want {
					t.Fatalf("get(%d) = %p; want %p", k, got, want)
				}
			}
		}
	})
}
