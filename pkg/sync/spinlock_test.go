package sync

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

func TestSpinLockExcludes(t *testing.T) {
	l := NewSpinLock()
	const goroutines, rounds = 8, 2000
	n := 0 // guarded by l; the race detector sees any access outside it
	var wg sync.WaitGroup
	wg.Add(goroutines)
	for range goroutines {
		go func() {
			defer wg.Done()
			for range rounds {
				l.Lock()
				n++
				l.Unlock()
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the goroutines did not finish within 30s")
	}
	if n != goroutines*rounds {
		t.Fatalf("counter = %d; want %d", n, goroutines*rounds)
	}
}

func TestSpinLockWaitsForTheHolder(t *testing.T) {
	l := NewSpinLock()
	l.Lock()
	got := make(chan struct{})
	go func() { l.Lock(); close(got); l.Unlock() }()
	select {
	case <-got:
		t.Fatal("a second Lock succeeded while the lock was held")
	case <-time.After(10 * time.Millisecond): // a negative check: give it a moment to misbehave
	}
	l.Unlock()
	select {
	case <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("the waiting Lock did not take the lock after Unlock")
	}
}

func TestSpinLockUnlockUnheld(t *testing.T) {
	l := NewSpinLock()
	l.Unlock() // does not panic, and leaves the lock unlocked
	locked := make(chan struct{})
	go func() { l.Lock(); close(locked) }()
	select {
	case <-locked:
	case <-time.After(10 * time.Second):
		t.Fatal("Lock after an Unlock of an unheld lock did not succeed")
	}
}

func ExampleNewSpinLock() {
	l := NewSpinLock()
	var wg sync.WaitGroup
	sum := 0
	for i := 1; i <= 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l.Lock()
			sum += i
			l.Unlock()
		}()
	}
	wg.Wait()
	fmt.Println(sum)
	// Output: 5050
}
