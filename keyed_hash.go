//go:build go1.24

package ants

import "hash/maphash"

// keyedSharded says whether a front spreads its keys over several shards.
// It needs maphash.Comparable (Go 1.24) to hash a key of any comparable
// type without reflection.
const keyedSharded = true

// keyHash hashes keys to pick their shard.
type keyHash[K comparable] struct{ seed maphash.Seed }

func newKeyHash[K comparable]() keyHash[K] { return keyHash[K]{maphash.MakeSeed()} }

func (h keyHash[K]) sum(key K) uint64 { return maphash.Comparable(h.seed, key) }
