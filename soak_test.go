package ants

import (
	"errors"
	"flag"
	"math/rand/v2"
	"testing"
	"time"
)

// relSoak is how long TestSoak runs; zero skips it. Run it with
//
//	go test -race -run TestSoak -soak=30s .
var relSoak = flag.Duration("soak", 0, "run TestSoak for this long (0 skips it)")

// relSoakSeed fixes the random plans of TestSoak, to replay a failure.
var relSoakSeed = flag.Uint64("soak.seed", 0, "seed of TestSoak's random plans (0 picks one)")

// TestSoak runs random plans of the model checker, on every face and with
// Tune, Release and Reboot mixed into the load, one after another until
// -soak has passed, and logs what it exercised.
func TestSoak(t *testing.T) {
	if testing.Short() || *relSoak <= 0 {
		t.Skip("soak test: run with -soak=30s")
	}
	seed := *relSoakSeed
	if seed == 0 {
		seed = rand.Uint64()
	}
	t.Logf("seed %d (replay with -soak.seed=%d)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, seed))
	before := relTotalsSnapshot()
	var faults struct{ panics, goexits, cancels, releases, tunes, reboots int }
	deadline := time.Now().Add(*relSoak)
	for time.Now().Before(deadline) {
		data := relSoakBytes(rng)
		plan := relDecodePlan(data)
		for _, ops := range plan.actors {
			for _, op := range ops {
				switch op.kind {
				case relOpSubmit, relOpSubmitCtx:
					switch op.task {
					case relTaskPanic:
						faults.panics++
					case relTaskGoexit:
						faults.goexits++
					}
					if op.kind == relOpSubmitCtx && op.ctx != relCtxBackground {
						faults.cancels++
					}
				case relOpRelease, relOpReleaseTimeout, relOpReleaseContext:
					faults.releases++
				case relOpTune:
					faults.tunes++
				case relOpReboot:
					faults.reboots++
				}
			}
		}
		if err := relCheckPlan(plan, relNewFace, relDefaultLimits); err != nil {
			lost := errors.Is(err, relErrLost)
			t.Fatalf("lost=%v: %v\nplan bytes: %x\nplan: %v", lost, err, data, plan)
		}
	}
	relTotalsLog(t, before)
	t.Logf("faults injected: %d panicking tasks, %d Goexit tasks, %d cancellable submissions, %d releases, %d Tunes, %d Reboots; lost = 0, run twice = 0, capacity exceeded = 0, hangs = 0, leaks = 0",
		faults.panics, faults.goexits, faults.cancels, faults.releases, faults.tunes, faults.reboots)
}

// relSoakBytes draws the bytes of a plan for relDecodePlan with a realistic
// mix: mostly submissions, one in five tasks faulty, and fewer releases
// than reboots, so the pool is open most of the time.
func relSoakBytes(rng *rand.Rand) []byte {
	data := make([]byte, 5, 5+2*96)
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	for range 1 + rng.IntN(96) {
		var k byte
		switch w := rng.IntN(100); {
		case w < 60:
			k = 0 // Submit
		case w < 75:
			k = 7 // SubmitCtx
		case w < 84:
			k = 9 // Tune
		case w < 88:
			k = 15 // gauges
		case w < 89:
			k = 11 // Release
		case w < 90:
			k = 12 // ReleaseTimeout
		case w < 91:
			k = 13 // ReleaseContext
		default:
			k = 14 // Reboot
		}
		k += 16 * byte(rng.IntN(16)) // the context kind and timeout
		v := byte(rng.Uint32())
		if rng.IntN(5) != 0 {
			v &^= 2 // quick or hold, not panic or Goexit
		}
		data = append(data, k, v)
	}
	return data
}
