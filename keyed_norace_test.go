//go:build !race

package ants

// raceBuild says whether the tests run under the race detector, which
// makes a keyed task about twenty times as slow.
const raceBuild = false
