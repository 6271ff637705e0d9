//go:build !go1.24

package ants

// keyedSharded says whether a front spreads its keys over several shards.
// Before Go 1.24 there is no maphash.Comparable to hash a key of any
// comparable type without reflection, so a front has one shard.
const keyedSharded = false

// keyHash hashes every key to the one shard.
type keyHash[K comparable] struct{}

func newKeyHash[K comparable]() keyHash[K] { return keyHash[K]{} }

func (keyHash[K]) sum(K) uint64 { return 0 }
