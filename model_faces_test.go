package ants

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"
)

// The faces of the model test: every pool type behind relFace, and the
// configurations a plan draws (see model_test.go).

// relFace is the surface of the six faces that the checker drives. submit
// runs the checker's task id: Submit or Invoke when ctx is nil, and
// SubmitContext or InvokeContext otherwise.
type relFace interface {
	submit(ctx context.Context, id int64) error
	Tune(size int)
	Release()
	ReleaseTimeout(timeout time.Duration) error
	ReleaseContext(ctx context.Context) error
	Reboot()
	Running() int
	Free() int
	Waiting() int
	Cap() int
	IsClosed() bool
	Stats() Stats
}

// The faces, in the order relCfg.face numbers them.
const (
	relFacePool = iota
	relFaceFunc
	relFaceGeneric
	relFaceMulti
	relFaceMultiFunc
	relFaceMultiGeneric
	relFaceCount
)

var relFaceNames = [relFaceCount]string{"Pool", "PoolWithFunc", "PoolWithFuncGeneric", "MultiPool", "MultiPoolWithFunc", "MultiPoolWithFuncGeneric"}

type relPool struct {
	*Pool
	run func(int64)
}

func (p relPool) submit(ctx context.Context, id int64) error {
	task := func() { p.run(id) }
	if ctx == nil {
		return p.Submit(task)
	}
	return p.SubmitContext(ctx, task)
}

type relFuncPool struct{ *PoolWithFunc }

func (p relFuncPool) submit(ctx context.Context, id int64) error {
	if ctx == nil {
		return p.Invoke(id)
	}
	return p.InvokeContext(ctx, id)
}

type relGenericPool struct {
	*PoolWithFuncGeneric[int64]
}

func (p relGenericPool) submit(ctx context.Context, id int64) error {
	if ctx == nil {
		return p.Invoke(id)
	}
	return p.InvokeContext(ctx, id)
}

type relMultiPool struct {
	*MultiPool
	run func(int64)
}

func (p relMultiPool) submit(ctx context.Context, id int64) error {
	task := func() { p.run(id) }
	if ctx == nil {
		return p.Submit(task)
	}
	return p.SubmitContext(ctx, task)
}

type relMultiFuncPool struct{ *MultiPoolWithFunc }

func (p relMultiFuncPool) submit(ctx context.Context, id int64) error {
	if ctx == nil {
		return p.Invoke(id)
	}
	return p.InvokeContext(ctx, id)
}

type relMultiGenericPool struct {
	*MultiPoolWithFuncGeneric[int64]
}

func (p relMultiGenericPool) submit(ctx context.Context, id int64) error {
	if ctx == nil {
		return p.Invoke(id)
	}
	return p.InvokeContext(ctx, id)
}

// relCfg is the configuration of the pool under test.
type relCfg struct {
	face         int
	size         int // per pool; <= 0 means unlimited
	pools        int // multi-pools only
	lbs          LoadBalancingStrategy
	nonblocking  bool
	maxBlocking  int
	preAlloc     bool
	disablePurge bool
	expiry       time.Duration
	queue        int
	handler      bool // install a PanicHandler (else panics go to the Logger)
}

func (c relCfg) multi() bool { return c.face >= relFaceMulti }

// capacity is the total capacity for a per-pool size, or -1 if unlimited.
func (c relCfg) capacity(size int) int64 {
	if c.size <= 0 {
		return -1
	}
	n := int64(min(size, math.MaxInt32))
	if c.multi() {
		n *= int64(c.pools)
	}
	return n
}

// tunable reports whether Tune changes the capacity of the pool.
func (c relCfg) tunable() bool { return c.size > 0 && !c.preAlloc }

// overloadAllowed reports whether ErrPoolOverload is a legal answer.
func (c relCfg) overloadAllowed() bool { return c.nonblocking || c.maxBlocking > 0 }

func (c relCfg) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s size=%d", relFaceNames[c.face], c.size)
	if c.multi() {
		fmt.Fprintf(&b, " pools=%d lbs=%d", c.pools, c.lbs)
	}
	fmt.Fprintf(&b, " nonblocking=%v maxBlocking=%d preAlloc=%v disablePurge=%v expiry=%v queue=%d handler=%v",
		c.nonblocking, c.maxBlocking, c.preAlloc, c.disablePurge, c.expiry, c.queue, c.handler)
	return b.String()
}

func (c relCfg) options(handler func(any), logger Logger) []Option {
	opts := []Option{
		WithNonblocking(c.nonblocking),
		WithMaxBlockingTasks(c.maxBlocking),
		WithPreAlloc(c.preAlloc),
		WithDisablePurge(c.disablePurge),
		WithExpiryDuration(c.expiry),
		WithQueueSize(c.queue),
		WithLogger(logger),
	}
	if c.handler {
		opts = append(opts, WithPanicHandler(handler))
	}
	return opts
}

// relNewFace builds the pool c describes; its tasks call run with their id.
func relNewFace(c relCfg, run func(int64), handler func(any), logger Logger) (relFace, error) {
	return relBuildFace(c.face, c.size, c.pools, c.lbs, run, c.options(handler, logger)...)
}

// relBuildFace builds a face of the given size (per pool, for multi-pools
// of the given number of pools) whose tasks call run with their id.
func relBuildFace(face, size, pools int, lbs LoadBalancingStrategy, run func(int64), opts ...Option) (relFace, error) {
	switch face {
	case relFacePool:
		p, err := NewPool(size, opts...)
		if err != nil {
			return nil, err
		}
		return relPool{p, run}, nil
	case relFaceFunc:
		p, err := NewPoolWithFunc(size, func(a any) { run(a.(int64)) }, opts...)
		if err != nil {
			return nil, err
		}
		return relFuncPool{p}, nil
	case relFaceGeneric:
		p, err := NewPoolWithFuncGeneric(size, run, opts...)
		if err != nil {
			return nil, err
		}
		return relGenericPool{p}, nil
	case relFaceMulti:
		p, err := NewMultiPool(pools, size, lbs, opts...)
		if err != nil {
			return nil, err
		}
		return relMultiPool{p, run}, nil
	case relFaceMultiFunc:
		p, err := NewMultiPoolWithFunc(pools, size, func(a any) { run(a.(int64)) }, lbs, opts...)
		if err != nil {
			return nil, err
		}
		return relMultiFuncPool{p}, nil
	default:
		p, err := NewMultiPoolWithFuncGeneric(pools, size, run, lbs, opts...)
		if err != nil {
			return nil, err
		}
		return relMultiGenericPool{p}, nil
	}
}

// relFactory builds the pool under test; the checker passes its own task
// runner, panic handler and logger.
type relFactory func(c relCfg, run func(int64), handler func(any), logger Logger) (relFace, error)
