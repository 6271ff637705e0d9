//go:build go1.25

// synctest needs the timer channels of Go 1.23 and later, which the go 1.22
// line of go.mod would otherwise turn off for this test binary.
//go:debug asynctimerchan=0

package ants

import (
	"testing"
	"testing/synctest"
	"time"
)

// These tests run the purger on the fake clock of testing/synctest (Go
// 1.25), so they check its timing exactly and take no real time; the face
// table checks the same behaviours on the real clock with wide margins.
//
// The purger ticks every ExpiryDuration and retires the workers parked for
// longer than ExpiryDuration at that tick, so a worker is retired between
// one and two ExpiryDurations after it parked.

const fakeExpiry = time.Second

// purgeCase runs check on every face inside a synctest bubble, on a pool of
// two sub-pools (multi-pools) of size 2 whose workers were all started by
// tasks that finished at the bubble's time zero.
func purgeCase(t *testing.T, check func(t *testing.T, p *faceAdapter), opts ...Option) {
	for _, k := range faceKinds {
		t.Run(k.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p, err := k.build(2, 2, LeastTasks, append([]Option{WithExpiryDuration(fakeExpiry)}, opts...)...)
				if err != nil {
					t.Fatalf("building the pool: got %v; want nil", err)
				}
				gate := make(chan struct{})
				wg := faceFill(t, p, p.Cap(), gate)
				close(gate)
				wg.Wait()
				synctest.Wait() // every worker is parked
				faceWant(t, "Running() once the tasks are done", p.Running(), p.Cap())
				check(t, p)
				if err := p.ReleaseTimeout(time.Minute); err != nil {
					t.Errorf("ReleaseTimeout: got %v; want nil", err)
				}
			})
		})
	}
}

// sleepUntil advances the bubble's clock to d after its start and lets
// every goroutine in it settle.
func sleepUntil(start time.Time, d time.Duration) {
	time.Sleep(time.Until(start.Add(d)))
	synctest.Wait()
}

func TestPurgeOnTheFakeClock(t *testing.T) {
	t.Run("idle workers are retired after one to two expiry periods", func(t *testing.T) {
		purgeCase(t, func(t *testing.T, p *faceAdapter) {
			start := time.Now()
			sleepUntil(start, fakeExpiry/2)
			faceWant(t, "Running() after half an expiry period", p.Running(), p.Cap())
			sleepUntil(start, 3*fakeExpiry/2)
			faceWant(t, "Running() after the first tick", p.Running(), p.Cap())
			sleepUntil(start, 5*fakeExpiry/2)
			faceWant(t, "Running() after the second tick", p.Running(), 0)
			faceWant(t, "Free() once purged", p.Free(), p.Cap())
		})
	})
	t.Run("a worker that ran a task later is retired later", func(t *testing.T) {
		purgeCase(t, func(t *testing.T, p *faceAdapter) {
			start := time.Now()
			sleepUntil(start, 3*fakeExpiry/2)
			ran := make(chan struct{})
			if err := p.submit(func() { close(ran) }); err != nil {
				t.Fatalf("Submit: got %v; want nil", err)
			}
			<-ran
			sleepUntil(start, 5*fakeExpiry/2)
			faceWant(t, "Running() after the second tick", p.Running(), 1)
			sleepUntil(start, 7*fakeExpiry/2)
			faceWant(t, "Running() after the third tick", p.Running(), 0)
		})
	})
	t.Run("DisablePurge keeps idle workers", func(t *testing.T) {
		purgeCase(t, func(t *testing.T, p *faceAdapter) {
			sleepUntil(time.Now(), 10*fakeExpiry)
			faceWant(t, "Running() after ten expiry periods", p.Running(), p.Cap())
		}, WithDisablePurge(true))
	})
}
