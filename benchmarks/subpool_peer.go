//go:build !ab_old

package benchmarks

import (
	"errors"
	"time"

	"github.com/antsgo/ants"
)

// The sub-pool API of this library (NewSubpool, WithPriority) is newer than
// some revisions cmd/ab builds the harness against, so everything that
// calls it sits in this file; subpool_peer_old.go stands in for it under
// the ab_old build tag (see README.md, "A/B against a revision").

// subpoolImpls returns antsgo-sub: W2 to W5 through a sub-pool whose limit
// is the pool's capacity, so its tasks take the sub-pool's slot and then
// the pool's, which is the cost of a sub-pool submission.
func subpoolImpls() []Impl {
	return []Impl{{Name: "antsgo-sub", Pair: "antsgo", Extra: true,
		Note: "antsgo through a sub-pool of the whole capacity: NewPool(size), then NewSubpool(size) (function pools: PoolWithFuncGeneric.NewSubpool)",
		New:  newAntsgoSub, NewFunc: newAntsgoSubFunc}}
}

// antsgoSub submits to a sub-pool; Close releases the sub-pool, then the
// pool.
type antsgoSub struct {
	*ants.Subpool
	pool *ants.Pool
}

func (s antsgoSub) Close() error { return closeBoth(s.Subpool, s.pool) }

func newAntsgoSub(size int) (Runner, error) {
	p, err := ants.NewPool(size)
	if err != nil {
		return nil, err
	}
	sub, err := p.NewSubpool(size)
	if err != nil {
		p.Release()
		return nil, err
	}
	return antsgoSub{sub, p}, nil
}

type antsgoSubFunc struct {
	*ants.SubpoolWithFuncGeneric[int]
	pool *ants.PoolWithFuncGeneric[int]
}

func (s antsgoSubFunc) Close() error { return closeBoth(s.SubpoolWithFuncGeneric, s.pool) }

func newAntsgoSubFunc(size int, fn func(int)) (Invoker, error) {
	p, err := ants.NewPoolWithFuncGeneric(size, fn)
	if err != nil {
		return nil, err
	}
	sub, err := p.NewSubpool(size)
	if err != nil {
		p.Release()
		return nil, err
	}
	return antsgoSubFunc{sub, p}, nil
}

// releaser is what a sub-pool and its pool have in common here.
type releaser interface {
	ReleaseTimeout(time.Duration) error
}

// closeBoth waits for the sub-pool's tasks, then releases the pool.
func closeBoth(sub, pool releaser) error {
	return errors.Join(sub.ReleaseTimeout(closeTimeout), pool.ReleaseTimeout(closeTimeout))
}

// newAntsgoLanes builds the pools of the URG case for antsgo-sub: a pool
// of capacity size (with a queue of queue tasks if queue > 0) for the bulk
// tasks, and a sub-pool of it for the urgent ones, of UrgentLimit at
// UrgentPriority.
func newAntsgoLanes(size, queue int) (bulk, urgent Runner, err error) {
	p, err := ants.NewPool(size, antsgoQueue(queue)...)
	if err != nil {
		return nil, nil, err
	}
	sub, err := p.NewSubpool(UrgentLimit, ants.WithPriority(UrgentPriority))
	if err != nil {
		p.Release()
		return nil, nil, err
	}
	return antsgoPool{p}, antsgoLane{sub}, nil
}

// antsgoLane is an urgent sub-pool; Close releases the sub-pool only.
type antsgoLane struct{ *ants.Subpool }

func (l antsgoLane) Close() error { return l.ReleaseTimeout(closeTimeout) }
