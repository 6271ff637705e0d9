package ants

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// The deliberately faulty pool of TestModelCheckerCatchesFaults (see
// model_test.go).

// relFault is a bug that relFakePool can be told to have.
type relFault int

const (
	relFaultNone         relFault = iota
	relFaultDrop                  // accepts the 2nd task and never runs it
	relFaultTwice                 // runs the 2nd task twice
	relFaultOverCap               // runs one task more than the capacity at once
	relFaultHang                  // the 2nd submission never returns
	relFaultRunRejected           // refuses the 2nd task with ErrPoolOverload and runs it anyway
	relFaultLeak                  // leaves a goroutine behind after ReleaseTimeout
	relFaultDoubleReject          // counts each ErrPoolOverload twice in Stats().Rejected
)

// relFakePool is a deliberately simple pool, one goroutine per task and a
// semaphore for the capacity, with an optional fault. It serves to prove
// that the checker notices each kind of bug.
type relFakePool struct {
	run         func(int64)
	fault       relFault
	nonblocking bool // refuse with ErrPoolOverload instead of waiting for a slot
	slots       chan struct{}
	wg          sync.WaitGroup
	closed      atomic.Bool
	n           atomic.Int64
	stuck       chan struct{} // released by the test, to end a hang or a leak

	submitted, completed, rejected, cancelled atomic.Uint64
}

func (p *relFakePool) submit(ctx context.Context, id int64) error {
	if p.closed.Load() {
		return ErrPoolClosed
	}
	nth := p.n.Add(1)
	switch {
	case p.fault == relFaultDrop && nth == 2:
		return nil
	case p.fault == relFaultHang && nth == 2:
		<-p.stuck
		return ErrPoolClosed
	}
	var done <-chan struct{}
	if ctx != nil {
		if err := ctx.Err(); err != nil {
			p.cancelled.Add(1)
			return err
		}
		done = ctx.Done()
	}
	select {
	case p.slots <- struct{}{}:
	default:
		if p.nonblocking {
			p.rejected.Add(1)
			if p.fault == relFaultDoubleReject {
				p.rejected.Add(1)
			}
			return ErrPoolOverload
		}
		select {
		case p.slots <- struct{}{}:
		case <-done:
			p.cancelled.Add(1)
			return ctx.Err()
		}
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		defer func() { <-p.slots }()
		defer p.completed.Add(1)
		p.run(id)
		if p.fault == relFaultTwice && nth == 2 {
			p.run(id)
		}
	}()
	if p.fault == relFaultRunRejected && nth == 2 {
		return ErrPoolOverload
	}
	p.submitted.Add(1)
	return nil
}

func (p *relFakePool) Tune(int)       {}
func (p *relFakePool) Release()       { p.closed.Store(true) }
func (p *relFakePool) Reboot()        { p.closed.Store(false) }
func (p *relFakePool) Running() int   { return len(p.slots) }
func (p *relFakePool) Free() int      { return cap(p.slots) - len(p.slots) }
func (p *relFakePool) Waiting() int   { return 0 }
func (p *relFakePool) Cap() int       { return cap(p.slots) }
func (p *relFakePool) IsClosed() bool { return p.closed.Load() }
func (p *relFakePool) Stats() Stats {
	return Stats{
		Submitted: p.submitted.Load(),
		Completed: p.completed.Load(),
		Rejected:  p.rejected.Load(),
		Cancelled: p.cancelled.Load(),
	}
}

func (p *relFakePool) ReleaseTimeout(d time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	err := p.ReleaseContext(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		return ErrTimeout
	}
	return err
}

func (p *relFakePool) ReleaseContext(ctx context.Context) error {
	if !p.closed.CompareAndSwap(false, true) {
		return ErrPoolClosed
	}
	done := make(chan struct{})
	go func() { p.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
