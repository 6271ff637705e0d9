package ants

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"
)

// The fuzz targets of this file run their seed corpus, in
// testdata/fuzz/FuzzXxx, with every go test; go test -fuzz=FuzzXxx
// explores further.

// Bits of the flags argument of FuzzNewPool.
const (
	relFlagNonblocking = 1 << iota
	relFlagPreAlloc
	relFlagDisablePurge
	relFlagPanicHandler
	relFlagNilOption
)

// relBigAlloc bounds the sizes for which the fuzz targets let a pool
// allocate its ring: PreAlloc and QueueSize size the ring up front (16
// bytes a cell for a func(), 24 for an any), so a valid size of
// MaxQueueSize costs 256 or 384 MiB per pool. Valid sizes above it are
// reduced to it; invalid ones are kept, since they must fail before
// allocating.
const relBigAlloc = 1 << 12

// relHugeCount is a pool count beyond which every multi-pool exceeds what
// a multi-pool may allocate (an engine alone takes more than 64 bytes), so
// FuzzNewPool keeps such counts and expects ErrInvalidMultiPoolSize.
const relHugeCount = maxMultiBytes / 64

// FuzzNewPool builds every face from arbitrary sizes and options: the
// result must be a working pool or one of the package's errors, never a
// panic, and a pool must release cleanly and then refuse work.
func FuzzNewPool(f *testing.F) {
	f.Add(10, int64(0), uint8(0), 0, 0, 1, uint8(0))
	f.Add(-1, int64(0), uint8(0), 0, 0, 2, uint8(1))
	f.Add(0, int64(time.Millisecond), uint8(relFlagDisablePurge), 0, 0, 1, uint8(2))
	f.Add(math.MaxInt, int64(-1), uint8(0), 0, 0, 1, uint8(3))
	f.Add(math.MinInt, int64(-1), uint8(relFlagDisablePurge), -5, -1, 0, uint8(4))
	f.Add(0, int64(0), uint8(relFlagPreAlloc), 0, 0, 1, uint8(0))
	f.Add(5, int64(0), uint8(relFlagPreAlloc|relFlagNonblocking), 3, 4, 3, uint8(5))
	f.Add(5, int64(0), uint8(0), 0, MaxQueueSize+1, 1, uint8(0))
	f.Add(5, int64(math.MaxInt64), uint8(relFlagPanicHandler|relFlagNilOption), math.MaxInt, math.MinInt, -1, uint8(3))
	f.Add(1, int64(1), uint8(0xff), 1, 1, 1, uint8(0xff))
	f.Add(10, int64(0), uint8(0), 0, 0, math.MaxInt, uint8(3))
	f.Add(-1, int64(0), uint8(0), 0, 0, math.MaxInt/2, uint8(4))
	f.Add(1000, int64(0), uint8(relFlagPreAlloc), 0, 64, math.MaxInt32, uint8(5))
	f.Fuzz(func(t *testing.T, size int, expiry int64, flags uint8, maxBlocking, queue, pools int, pick uint8) {
		preAlloc := flags&relFlagPreAlloc != 0
		disablePurge := flags&relFlagDisablePurge != 0
		if preAlloc && size > relBigAlloc {
			size = relBigAlloc
		}
		if queue > relBigAlloc && queue <= MaxQueueSize {
			queue = relBigAlloc
		}
		if pools <= relHugeCount {
			pools = pools % 5 // keep multi-pools small; 0 and negatives stay invalid
		}
		if expiry > 0 {
			// An expiry of a few ns makes the purger tick constantly; allowed,
			// but keep the fuzzer's time for other inputs.
			expiry = max(expiry, int64(100*time.Microsecond))
		}
		opts := []Option{
			WithExpiryDuration(time.Duration(expiry)),
			WithNonblocking(flags&relFlagNonblocking != 0),
			WithPreAlloc(preAlloc),
			WithDisablePurge(disablePurge),
			WithMaxBlockingTasks(maxBlocking),
			WithQueueSize(queue),
			WithLogger(&relLogSink{}),
		}
		if flags&relFlagPanicHandler != 0 {
			opts = append(opts, WithPanicHandler(func(any) {}))
		}
		if flags&relFlagNilOption != 0 {
			opts = append(opts, nil)
		}

		// Every error the options allow; nil means the pool must build.
		var allowed []error
		if expiry < 0 && !disablePurge {
			allowed = append(allowed, ErrInvalidPoolExpiry)
		}
		if preAlloc && size <= 0 {
			allowed = append(allowed, ErrInvalidPreAllocSize)
		}
		if queue < 0 || queue > MaxQueueSize {
			allowed = append(allowed, ErrInvalidQueueSize)
		}
		face := int(pick) % relFaceCount
		lbs := RoundRobin
		if face >= relFaceMulti {
			if pools <= 0 || pools > relHugeCount {
				allowed = append(allowed, ErrInvalidMultiPoolSize)
			}
			if pick >= 128 {
				lbs = LoadBalancingStrategy(pick & 7)
				if lbs != RoundRobin && lbs != LeastTasks {
					allowed = append(allowed, ErrInvalidLoadBalancingStrategy)
				}
			}
		}

		ran := make(chan int64, 1)
		p, err := relBuildFace(face, size, pools, lbs, func(id int64) { ran <- id }, opts...)
		if err != nil {
			for _, want := range allowed {
				if errors.Is(err, want) {
					return
				}
			}
			t.Fatalf("%s(size=%d) = %v; want one of %v", relFaceNames[face], size, err, allowed)
		}
		if allowed != nil {
			p.Release()
			t.Fatalf("%s(size=%d) built a pool; want one of %v", relFaceNames[face], size, allowed)
		}
		wantCap := -1
		if size > 0 {
			wantCap = min(size, math.MaxInt32)
			if face >= relFaceMulti {
				wantCap *= pools
			}
		} else if face >= relFaceMulti {
			wantCap = -pools // ants v2 sums the -1 of each pool
		}
		if got := p.Cap(); got != wantCap {
			t.Errorf("Cap() = %d; want %d", got, wantCap)
		}
		if err := p.submit(nil, 7); err != nil {
			t.Fatalf("first submit = %v", err)
		}
		select {
		case <-ran:
		case <-time.After(relWait):
			t.Fatalf("first task did not run within %v", relWait)
		}
		if err := p.ReleaseTimeout(relWait); err != nil {
			t.Fatalf("ReleaseTimeout = %v", err)
		}
		// A released pool refuses work and a second release, and answers
		// everything else.
		if err := p.submit(nil, 8); !errors.Is(err, ErrPoolClosed) {
			t.Errorf("submit after release = %v; want ErrPoolClosed", err)
		}
		if err := p.submit(context.Background(), 8); !errors.Is(err, ErrPoolClosed) {
			t.Errorf("submit with context after release = %v; want ErrPoolClosed", err)
		}
		p.Tune(size / 2)
		p.Release()
		_, _, _, _, _ = p.Running(), p.Free(), p.Waiting(), p.Cap(), p.Stats()
		if !p.IsClosed() {
			t.Errorf("IsClosed() = false after release")
		}
		if err := p.ReleaseTimeout(time.Second); !errors.Is(err, ErrPoolClosed) {
			t.Errorf("second ReleaseTimeout = %v; want ErrPoolClosed", err)
		}
		if err := p.ReleaseContext(context.Background()); !errors.Is(err, ErrPoolClosed) {
			t.Errorf("second ReleaseContext = %v; want ErrPoolClosed", err)
		}
	})
}

// relDecodePlan turns arbitrary bytes into a plan: five bytes of
// configuration, then two bytes per operation, dealt to the goroutines in
// turn. Every byte string decodes to some plan.
func relDecodePlan(data []byte) relPlan {
	at := func(i int) byte {
		if i < len(data) {
			return data[i]
		}
		return 0
	}
	var c relCfg
	c.face = int(at(0)) % relFaceCount
	c.size = int(at(1))%9 - 1 // -1 and 0 are unlimited
	flags := at(2)
	c.nonblocking = flags&1 != 0
	c.preAlloc = flags&2 != 0 && c.size > 0
	c.disablePurge = flags&4 != 0
	c.handler = flags&8 != 0
	c.queue = []int{0, 1, 4, 0}[flags>>4&3]
	if flags&64 != 0 {
		c.lbs = LeastTasks
	} else {
		c.lbs = RoundRobin
	}
	c.pools = 1 + int(flags>>7)
	c.expiry = []time.Duration{0, time.Millisecond, 3 * time.Millisecond, 5 * time.Millisecond}[at(3)&3]
	c.maxBlocking = int(at(3)>>2) % 4
	plan := relPlan{cfg: c, actors: make([][]relOp, 1+int(at(4))%4)}
	const maxOps = 96
	for i, n := 5, 0; i+1 < len(data) && n < maxOps; i, n = i+2, n+1 {
		k, v := data[i], data[i+1]
		var op relOp
		switch k % 16 {
		case 0, 1, 2, 3, 4, 5, 6:
			op.kind = relOpSubmit
		case 7, 8:
			op.kind = relOpSubmitCtx
		case 9, 10:
			op.kind = relOpTune
		case 11:
			op.kind = relOpRelease
		case 12:
			op.kind = relOpReleaseTimeout
		case 13:
			op.kind = relOpReleaseContext
		case 14:
			op.kind = relOpReboot
		default:
			op.kind = relOpRead
		}
		switch op.kind {
		case relOpSubmit, relOpSubmitCtx:
			op.task = relTaskKind(v % 4)
			if op.task == relTaskHold {
				op.d = time.Duration(v>>2) * 50 * time.Microsecond
			}
			if op.kind == relOpSubmitCtx {
				op.ctx = relCtxKind(k / 16 % 3)
				if op.ctx == relCtxTimeout {
					op.d = time.Duration(k/16) * 200 * time.Microsecond
				}
			}
		case relOpTune:
			op.n = int(v%10) - 1
		case relOpReleaseTimeout, relOpReleaseContext:
			op.d = []time.Duration{0, time.Millisecond, 10 * time.Millisecond, 100 * time.Millisecond}[v%4]
		}
		a := n % len(plan.actors)
		plan.actors[a] = append(plan.actors[a], op)
	}
	return plan
}

// FuzzLifecycle decodes a byte string into concurrent operations on one
// pool and runs them under the model's checker: every accepted task runs
// exactly once, refused ones never, within capacity, without a hang or a
// leaked goroutine.
func FuzzLifecycle(f *testing.F) {
	f.Add([]byte{0, 3, 0, 0, 0, 0, 1, 0, 1, 0, 1, 11, 0, 14, 0, 0, 1})
	f.Add([]byte{1, 2, 0x10, 1, 3, 0, 5, 7, 9, 9, 0, 0, 5, 12, 1, 14, 0, 0, 2})
	f.Add([]byte{3, 4, 0xc1, 2, 2, 0, 9, 0x17, 1, 10, 7, 0, 2, 13, 3, 14, 0, 0, 3, 15, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		plan := relDecodePlan(data)
		if err := relCheckPlan(plan, relNewFace, relDefaultLimits); err != nil {
			t.Fatalf("%v\nplan: %v", err, plan)
		}
	})
}
