//go:build ab_old

package benchmarks

import "errors"

// This file stands in for subpool_peer.go in builds against revisions of
// the library without sub-pools (cmd/ab -tags ab_old).

func subpoolImpls() []Impl { return nil }

func newAntsgoLanes(int, int) (bulk, urgent Runner, err error) {
	return nil, nil, errors.New("this build (tag ab_old) has no sub-pools")
}
