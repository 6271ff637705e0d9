package ants

import (
	"fmt"
	"strings"
	"time"
)

// The operations and plans of the model test (see model_test.go).

type relOpKind uint8

const (
	relOpSubmit         relOpKind = iota // Submit or Invoke
	relOpSubmitCtx                       // SubmitContext or InvokeContext
	relOpTune                            // Tune(n)
	relOpRelease                         // Release()
	relOpReleaseTimeout                  // ReleaseTimeout(d)
	relOpReleaseContext                  // ReleaseContext(ctx with timeout d)
	relOpReboot                          // Reboot()
	relOpRead                            // the gauges
	relOpAwait                           // wait until n tasks run at once (fixed plans only)
)

var relOpNames = [...]string{"Submit", "SubmitCtx", "Tune", "Release", "ReleaseTimeout", "ReleaseContext", "Reboot", "Read", "Await"}

type relTaskKind uint8

const (
	relTaskQuick  relTaskKind = iota // returns at once
	relTaskHold                      // waits for the gate or for d
	relTaskPanic                     // panics
	relTaskGoexit                    // calls runtime.Goexit
)

var relTaskNames = [...]string{"quick", "hold", "panic", "goexit"}

type relCtxKind uint8

const (
	relCtxBackground relCtxKind = iota // never done
	relCtxCancelled                    // done before the call
	relCtxTimeout                      // done after d
)

// relOp is one step of one goroutine of a plan.
type relOp struct {
	kind relOpKind
	task relTaskKind
	ctx  relCtxKind
	n    int
	d    time.Duration
}

func (o relOp) String() string {
	switch o.kind {
	case relOpSubmit:
		return fmt.Sprintf("Submit(%s %v)", relTaskNames[o.task], o.d)
	case relOpSubmitCtx:
		return fmt.Sprintf("SubmitCtx(%s %v, ctx=%d)", relTaskNames[o.task], o.d, o.ctx)
	case relOpTune, relOpAwait:
		return fmt.Sprintf("%s(%d)", relOpNames[o.kind], o.n)
	case relOpReleaseTimeout, relOpReleaseContext:
		return fmt.Sprintf("%s(%v)", relOpNames[o.kind], o.d)
	}
	return relOpNames[o.kind]
}

// relPlan is a pool configuration and, per goroutine, its operations.
type relPlan struct {
	cfg    relCfg
	actors [][]relOp
}

func (p relPlan) String() string {
	var b strings.Builder
	b.WriteString(p.cfg.String())
	for i, ops := range p.actors {
		fmt.Fprintf(&b, "\n  goroutine %d: %v", i, ops)
	}
	return b.String()
}

// relLimits bounds the time a run may take.
type relLimits struct {
	call  time.Duration // how long one call may block before it counts as a hang
	drain time.Duration // the timeout of the final ReleaseTimeout
	hold  time.Duration // how long a hold task waits at most for the gate
	leak  bool          // check for leftover goroutines with goleak
	stats bool          // check Stats() against the tasks seen
}

var relDefaultLimits = relLimits{call: 20 * time.Second, drain: 20 * time.Second, hold: 10 * time.Second, leak: true, stats: true}
