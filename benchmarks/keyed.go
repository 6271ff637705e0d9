//go:build !ab_old

package benchmarks

import (
	"fmt"
	"math"
	"runtime"
	"strings"
	"sync"
	"time"

	ants2 "github.com/panjf2000/ants/v2"

	"github.com/antsgo/ants"
)

// KeyedRunner runs tasks by key: tasks of one key one at a time, in
// submission order (except "plain", the reference without keys). Close is
// called once every submitted task has finished.
type KeyedRunner interface {
	Submit(key int, task func()) error
	Close() error
}

// KeyedImpl is a named per-key implementation; New builds it with size
// workers.
type KeyedImpl struct {
	Name string
	Note string
	New  func(size int) (KeyedRunner, error)
}

// KeyedBaseline is the implementation the keyed report's ratios divide by.
const KeyedBaseline = "plain"

// KeyedImpls returns the implementations of the keyed comparison.
func KeyedImpls() []KeyedImpl {
	return []KeyedImpl{
		{Name: "plain", Note: "antsgo Pool.Submit of the same tasks, keys ignored: no order (the baseline)", New: newPlainKeyed},
		{Name: "keyed", Note: "antsgo NewKeyed[int](pool): a backlog per key, run by whichever worker is free", New: newAntsgoKeyed},
		{Name: "mutex", Note: "ants v2.12.1 pool behind one mutex and a map of slice queues; a drainer per active key runs its queue dry", New: newMutexKeyed},
		{Name: "fixed", Note: "size goroutines, each with a channel of 1024 tasks; a key always goes to the worker of its hash", New: newFixedKeyed},
	}
}

// SelectKeyedImpls keeps the named implementations; an empty list keeps
// all. The baseline is always kept, first.
func SelectKeyedImpls(list string) ([]KeyedImpl, error) {
	all := KeyedImpls()
	if strings.TrimSpace(list) == "" {
		return all, nil
	}
	out := []KeyedImpl{all[0]}
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		found := false
		for _, im := range all {
			if im.Name == name {
				found = true
				if name != KeyedBaseline {
					out = append(out, im)
				}
			}
		}
		if !found {
			return nil, fmt.Errorf("unknown implementation %q", name)
		}
	}
	return out, nil
}

type plainKeyed struct{ p *ants.Pool }

func newPlainKeyed(size int) (KeyedRunner, error) {
	p, err := ants.NewPool(size)
	return plainKeyed{p}, err
}

func (r plainKeyed) Submit(_ int, task func()) error { return r.p.Submit(task) }
func (r plainKeyed) Close() error                    { return r.p.ReleaseTimeout(closeTimeout) }

type antsgoKeyed struct {
	p *ants.Pool
	k *ants.Keyed[int]
}

func newAntsgoKeyed(size int) (KeyedRunner, error) {
	p, err := ants.NewPool(size)
	if err != nil {
		return nil, err
	}
	return antsgoKeyed{p, ants.NewKeyed[int](p)}, nil
}

func (r antsgoKeyed) Submit(key int, task func()) error { return r.k.Submit(key, task) }

func (r antsgoKeyed) Close() error {
	if err := r.k.ReleaseTimeout(closeTimeout); err != nil {
		return err
	}
	return r.p.ReleaseTimeout(closeTimeout)
}

// mutexKeyed is the wrapper people write over ants v2: one mutex, a map
// from each key with pending work to its queue, and a drainer submitted to
// the pool when a key becomes active, which runs the queue until it is
// empty and then deletes the key.
type mutexKeyed struct {
	p  *ants2.Pool
	mu sync.Mutex
	qs map[int]*[]func()
}

func newMutexKeyed(size int) (KeyedRunner, error) {
	p, err := ants2.NewPool(size)
	return &mutexKeyed{p: p, qs: map[int]*[]func(){}}, err
}

func (m *mutexKeyed) Submit(key int, task func()) error {
	m.mu.Lock()
	if q, ok := m.qs[key]; ok {
		*q = append(*q, task)
		m.mu.Unlock()
		return nil
	}
	q := &[]func(){task}
	m.qs[key] = q
	m.mu.Unlock()
	if err := m.p.Submit(func() { m.drain(key, q) }); err != nil {
		m.mu.Lock()
		delete(m.qs, key) // tasks queued meanwhile are lost: the naive wrapper
		m.mu.Unlock()
		return err
	}
	return nil
}

func (m *mutexKeyed) drain(key int, q *[]func()) {
	for {
		m.mu.Lock()
		if len(*q) == 0 {
			delete(m.qs, key)
			m.mu.Unlock()
			return
		}
		t := (*q)[0]
		(*q)[0] = nil
		*q = (*q)[1:]
		m.mu.Unlock()
		t()
	}
}

func (m *mutexKeyed) Close() error { return m.p.ReleaseTimeout(closeTimeout) }

// fixedKeyed hashes each key to one of size workers, each reading its own
// buffered channel: the design of go-pkgz/pool's WithChunkFn and of
// keyedexecutor. A slow task delays every key of its worker.
type fixedKeyed struct {
	chans []chan func()
	wg    sync.WaitGroup
}

// fixedBuffer is the channel buffer of each fixed worker.
const fixedBuffer = 1024

func newFixedKeyed(size int) (KeyedRunner, error) {
	f := &fixedKeyed{chans: make([]chan func(), size)}
	for i := range f.chans {
		ch := make(chan func(), fixedBuffer)
		f.chans[i] = ch
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			for t := range ch {
				t()
			}
		}()
	}
	return f, nil
}

func (f *fixedKeyed) Submit(key int, task func()) error {
	h := uint64(key) * 0x9e3779b97f4a7c15 // Fibonacci hashing
	f.chans[h>>32%uint64(len(f.chans))] <- task
	return nil
}

func (f *fixedKeyed) Close() error {
	for _, ch := range f.chans {
		close(ch)
	}
	f.wg.Wait()
	return nil
}

// KeyedKind is the shape of a keyed workload.
type KeyedKind int

const (
	// KeyedTiny floods tiny tasks (one atomic add) from many submitters.
	KeyedTiny KeyedKind = iota
	// KeyedUneven paces short sleeping tasks, those of one key in a hundred
	// 100× longer, and records each task's wait from arrival to start.
	KeyedUneven
	// KeyedIdle submits one task for each of Keys distinct keys and
	// measures the heap left once they are done.
	KeyedIdle
)

// Uneven workload parameters. The tasks sleep, so that they hold their
// workers without competing for the cores with the pacer, the other
// implementations' leftovers or the other users of a shared host.
const (
	UnevenTask = time.Millisecond // how long a task of most keys holds its worker
	UnevenSlow = 100              // a slow key's task is this many times longer
	UnevenLoad = 0.5              // offered load, of the capacity
)

// KeyedCase is one configuration of the keyed comparison.
type KeyedCase struct {
	Name       string
	Title      string
	Kind       KeyedKind
	Tasks      int
	Keys       int
	Cap        int
	Submitters int
}

// KeyedCases returns the cases with task counts multiplied by scale.
func KeyedCases(scale float64) []KeyedCase {
	small := runtime.GOMAXPROCS(0) * 4
	n := func(full int) int { return max(int(math.Round(float64(full)*scale)), small) }
	return []KeyedCase{
		{Name: "tiny/keys=1000", Kind: KeyedTiny, Tasks: n(2_000_000), Keys: 1000, Cap: small, Submitters: small,
			Title: fmt.Sprintf("tiny tasks over 1,000 keys, %d submitters, capacity %d", small, small)},
		{Name: "tiny/keys=10", Kind: KeyedTiny, Tasks: n(2_000_000), Keys: 10, Cap: small, Submitters: small,
			Title: fmt.Sprintf("tiny tasks over 10 hot keys, %d submitters, capacity %d", small, small)},
		{Name: "uneven", Kind: KeyedUneven, Tasks: n(10_000), Keys: 1000, Cap: small, Submitters: 1,
			Title: fmt.Sprintf("%v sleeping tasks over 1,000 keys, those of one key in 100 %d× longer, paced at %.0f%% of capacity %d",
				UnevenTask, UnevenSlow, 100*UnevenLoad, small)},
		{Name: "idle", Kind: KeyedIdle, Tasks: n(1_000_000), Keys: n(1_000_000), Cap: small, Submitters: small,
			Title: fmt.Sprintf("one task for each of %s distinct keys; heap kept afterwards", thousands(n(1_000_000)))},
	}
}

// SelectKeyedCases keeps the cases named in the comma-separated list, or
// whose name starts with an entry and "/"; an empty list keeps all.
func SelectKeyedCases(cs []KeyedCase, list string) ([]KeyedCase, error) {
	if strings.TrimSpace(list) == "" {
		return cs, nil
	}
	var out []KeyedCase
	for _, c := range cs {
		for _, w := range strings.Split(list, ",") {
			w = strings.TrimSpace(w)
			if c.Name == w || strings.HasPrefix(c.Name, w+"/") {
				out = append(out, c)
				break
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no keyed case matches %q", list)
	}
	return out, nil
}
