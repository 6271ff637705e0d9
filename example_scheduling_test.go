package ants

// Examples of sub-pools and priorities, keyed execution and adaptive
// capacity. (Why in package ants: see example_test.go.)

import (
	"fmt"
	"log"
	"runtime"
	"sync"
	"time"
)

// An urgent lane: a sub-pool of priority 10 on a pool kept busy by bulk
// work. While the pool is saturated, a freed worker takes urgent work
// first, whatever arrived before it.
func ExamplePool_NewSubpool() {
	pool, err := NewPool(1, WithQueueSize(8))
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Release()
	urgent, err := pool.NewSubpool(1, WithPriority(10))
	if err != nil {
		log.Fatal(err)
	}

	var mu sync.Mutex
	var order []string
	var wg sync.WaitGroup
	record := func(name string) func() {
		wg.Add(1)
		return func() {
			defer wg.Done()
			mu.Lock()
			order = append(order, name)
			mu.Unlock()
		}
	}

	busy := make(chan struct{})
	_ = pool.Submit(func() { <-busy }) // the only worker is busy
	_ = pool.Submit(record("bulk 1"))
	_ = pool.Submit(record("bulk 2"))
	_ = urgent.Submit(record("urgent"))
	close(busy)
	wg.Wait()
	fmt.Println(order)
	// Output: [urgent bulk 1 bulk 2]
}

func ExampleKeyed() {
	p, _ := NewPool(4)
	defer func() { _ = p.ReleaseTimeout(time.Second) }()

	// The events of one account are applied one at a time, in order, so an
	// account needs no lock; different accounts proceed in parallel.
	type account struct{ balances []int }
	accounts := map[string]*account{"alice": {}, "bob": {}}
	events := []struct {
		name   string
		amount int
	}{{"alice", 100}, {"bob", 50}, {"alice", -30}, {"bob", -80}, {"alice", -70}}

	k := NewKeyed[string](p)
	for _, e := range events {
		err := k.Submit(e.name, func() {
			a := accounts[e.name]
			balance := e.amount
			if n := len(a.balances); n > 0 {
				balance += a.balances[n-1]
			}
			a.balances = append(a.balances, balance)
		})
		if err != nil {
			log.Fatal(err)
		}
	}
	_ = k.ReleaseTimeout(time.Second) // waits for every accepted task
	fmt.Println("alice", accounts["alice"].balances)
	fmt.Println("bob", accounts["bob"].balances)
	// Output:
	// alice [100 70 0]
	// bob [50 -30]
}

func ExampleWithKeyBacklog() {
	p, _ := NewPool(2, WithNonblocking(true))
	defer func() { _ = p.ReleaseTimeout(time.Second) }()

	// At most one task of a key waits behind the running one; on a
	// Nonblocking pool a Submit beyond that fails at once.
	k := NewKeyed[int](p, WithKeyBacklog(1))
	started, gate := make(chan struct{}), make(chan struct{})
	_ = k.Submit(7, func() { close(started); <-gate })
	<-started
	fmt.Println(k.Submit(7, func() { fmt.Println("second task of key 7") }))
	fmt.Println(k.Submit(7, func() {}))
	fmt.Println(k.Submit(8, func() {}), "(another key)")
	close(gate)
	_ = k.ReleaseTimeout(time.Second)
	// Output:
	// <nil>
	// too many goroutines blocked on submit or Nonblocking is set
	// <nil> (another key)
	// second task of key 7
}

func ExampleKeyed_Stats() {
	p, _ := NewPool(4)
	defer func() { _ = p.ReleaseTimeout(time.Second) }()

	k := NewKeyed[string](p)
	started, gate := make(chan struct{}), make(chan struct{})
	_ = k.Submit("a", func() { close(started); <-gate })
	<-started
	_ = k.Submit("a", func() {})
	_ = k.Submit("a", func() {})
	s := k.Stats()
	fmt.Printf("keys %d, busy %d, queued %d\n", s.Keys, s.Busy, s.Queued)
	close(gate)
	_ = k.ReleaseTimeout(time.Second)
	s = k.Stats()
	fmt.Printf("submitted %d, completed %d, keys %d\n", s.Submitted, s.Completed, s.Keys)
	// Output:
	// keys 1, busy 1, queued 2
	// submitted 3, completed 3, keys 0
}

func ExampleWithAdaptiveCapacity() {
	// The tasks call a backend that serves 8 calls at once; the pool does
	// not know that, and finds out by timing them.
	backend := make(chan struct{}, 8)
	call := func() {
		backend <- struct{}{}
		time.Sleep(time.Millisecond)
		<-backend
	}

	pool, err := NewPool(0, WithAdaptiveCapacity(Adaptive{Min: 1, Max: 64}))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("starts at Min:", pool.Cap())
	for range 1000 {
		if err := pool.Submit(call); err != nil {
			log.Fatal(err)
		}
	}
	if err := pool.ReleaseTimeout(10 * time.Second); err != nil {
		log.Fatal(err)
	}

	// Where the capacity ended depends on the machine's timing, so this
	// only prints that the controller measured and decided.
	s := pool.Stats()
	fmt.Println("within bounds:", s.Capacity >= 1 && s.Capacity <= 64)
	fmt.Println("no-load run time at least 1ms:", s.NoLoadRunTime >= time.Millisecond)
	fmt.Println("decided:", s.Decision != DecisionNone && !s.DecidedAt.IsZero())
	// Output:
	// starts at Min: 1
	// within bounds: true
	// no-load run time at least 1ms: true
	// decided: true
}

func ExampleAdaptive_followGOMAXPROCS() {
	// One worker per processor that Go uses, following GOMAXPROCS when it
	// changes, as it does since Go 1.25 when the container's CPU limit does.
	pool, err := NewPool(0, WithAdaptiveCapacity(Adaptive{FollowGOMAXPROCS: true}))
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Release()
	fmt.Println(pool.Cap() == runtime.GOMAXPROCS(0))
	// Output: true
}
