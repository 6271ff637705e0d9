package benchmarks

import (
	"fmt"
	"math"
	"runtime"
	"strings"
	"time"
)

// Kind is the shape of a workload's tasks and submission.
type Kind int

const (
	// Sleep tasks block in time.Sleep(SleepTask); one submitter (W1).
	Sleep Kind = iota
	// Tiny tasks do one atomic add; Submitters goroutines submit (W2, W3).
	Tiny
	// CPU tasks spin for about CPUTask of CPU time (W4).
	CPU
	// Func is Tiny through a function pool's Invoke(int) (W5).
	Func
	// Latency submits sleeping tasks at a steady pace and records the time
	// from Submit to the start of each task (LAT).
	Latency
	// SubmitWait has Submitters goroutines submit tasks in a loop, tiny
	// ones or CPU spins between TaskMin and TaskMax, and records how long
	// every Submit call took, from the call to its return (FAIR).
	SubmitWait
)

// Task parameters.
const (
	SleepTask   = 10 * time.Millisecond // W1
	CPUTask     = time.Microsecond      // W4, calibrated by Spin
	LatencyTask = 10 * time.Millisecond // LAT: how long a task holds a worker
	LatencyCap  = 160                   // LAT: workers; capacity is 16,000 tasks/s
	FairSpinMin = 10 * time.Microsecond // FAIR/spin: the shortest task
	FairSpinMax = 50 * time.Microsecond // FAIR/spin: the longest task
)

// Case is one measured configuration: a workload at one capacity.
type Case struct {
	Name       string // unique, as in benchmark names: "W2/cap=8"
	Workload   string // W1 … W5, LAT
	Title      string // one line for the report
	Kind       Kind
	Tasks      int // number of tasks (or invocations) after scaling
	Cap        int // capacity given to each implementation
	Submitters int
	Load       float64 // Latency: offered load as a fraction of capacity
	Child      bool    // measured in a process of its own, for peak RSS
	// TaskMin and TaskMax bound the CPU time of a SubmitWait case's tasks,
	// drawn evenly between them per task; zero for tiny tasks.
	TaskMin, TaskMax time.Duration
	// Extra keeps the case out of the default set: it runs only when -only
	// names it or its workload (see SelectCases).
	Extra bool

	// Pools > 0 makes the case a multi-pool one (MP): each implementation
	// with a multi-pool (Impl.NewMulti) runs as Pools pools of Cap/Pools
	// workers each, balanced by Strategy; the others do not run it.
	Pools    int
	Strategy Strategy
	// Ref names the case that runs the same tasks on one pool of the same
	// total capacity; the report divides by it ("×1 pool").
	Ref string
}

// Strategy is a multi-pool's load-balancing strategy, as the two
// libraries' LoadBalancingStrategy.
type Strategy int

// The strategies that both ants v2 and this library offer.
const (
	RoundRobin Strategy = iota + 1
	LeastTasks
)

func (s Strategy) String() string {
	switch s {
	case RoundRobin:
		return "RoundRobin"
	case LeastTasks:
		return "LeastTasks"
	}
	return fmt.Sprintf("Strategy(%d)", int(s))
}

// mpPools is the number of pools of the MP cases.
const mpPools = 4

// Cases returns every case with task counts multiplied by scale (at least
// 1 task per submitter). Capacities do not scale.
func Cases(scale float64) []Case {
	procs := runtime.GOMAXPROCS(0)
	n := func(full int) int { return max(int(math.Round(float64(full)*scale)), 1) }
	small := procs * 4
	var cs []Case
	cs = append(cs, Case{Name: "W1", Workload: "W1", Kind: Sleep, Tasks: n(1_000_000), Cap: 50_000, Submitters: 1, Child: true,
		Title: "time.Sleep(10ms) tasks, capacity 50,000, one submitter"})
	for _, c := range []int{small, 10_000} {
		cs = append(cs, Case{Name: fmt.Sprintf("W2/cap=%d", c), Workload: "W2", Kind: Tiny, Tasks: n(2_000_000), Cap: c, Submitters: 1,
			Title: fmt.Sprintf("tiny tasks (one atomic add), capacity %d, one submitter", c)})
	}
	for _, c := range []int{small, 10_000} {
		cs = append(cs, Case{Name: fmt.Sprintf("W3/cap=%d", c), Workload: "W3", Kind: Tiny, Tasks: n(2_000_000), Cap: c, Submitters: small,
			Title: fmt.Sprintf("tiny tasks, capacity %d, %d concurrent submitters", c, small)})
	}
	cs = append(cs, Case{Name: fmt.Sprintf("W4/cap=%d", procs), Workload: "W4", Kind: CPU, Tasks: n(200_000), Cap: procs, Submitters: 1,
		Title: fmt.Sprintf("~1µs CPU tasks, capacity GOMAXPROCS=%d, one submitter", procs)})
	cs = append(cs, Case{Name: fmt.Sprintf("W5/cap=%d", small), Workload: "W5", Kind: Func, Tasks: n(2_000_000), Cap: small, Submitters: 1,
		Title: fmt.Sprintf("tiny func(int) through a function pool (others: a closure per call), capacity %d", small)})
	for _, st := range []Strategy{RoundRobin, LeastTasks} {
		cs = append(cs, Case{Name: fmt.Sprintf("MP/cap=%d/%v", small, st), Workload: "MP", Kind: Tiny, Tasks: n(2_000_000), Cap: small,
			Submitters: 1, Pools: mpPools, Strategy: st, Ref: fmt.Sprintf("W2/cap=%d", small),
			Title: fmt.Sprintf("W2's tiny tasks on a multi-pool of %d pools × %d workers, %v, one submitter", mpPools, small/mpPools, st)})
	}
	for _, l := range []int{50, 90} {
		cs = append(cs, Case{Name: fmt.Sprintf("LAT/load=%d", l), Workload: "LAT", Kind: Latency, Tasks: n(10_000), Cap: LatencyCap,
			Submitters: 1, Load: float64(l) / 100,
			Title: fmt.Sprintf("arrival→start latency, %v tasks on %d workers paced at %d%% of capacity", LatencyTask, LatencyCap, l)})
	}
	cs = append(cs, fairCases(n, procs)...)
	for i := range cs {
		cs[i].Tasks = max(cs[i].Tasks, cs[i].Submitters)
	}
	return cs
}

// fairCases returns the FAIR cases: 8P submitters flood a pool of 2P (4 and
// 16 on two cores) with tiny tasks or with CPU spins of 10–50 µs, and every
// Submit call is timed; the tail of those times shows how long a blocked
// submitter can be overtaken by newcomers. They are Extra: cmd/compare runs
// them only when -only names them.
func fairCases(n func(int) int, procs int) []Case {
	capacity, submitters := 2*procs, 8*procs
	return []Case{
		{Name: fmt.Sprintf("FAIR/cap=%d/tiny", capacity), Workload: "FAIR", Kind: SubmitWait, Tasks: n(400_000), Cap: capacity,
			Submitters: submitters, Extra: true,
			Title: fmt.Sprintf("call→return time of every Submit, %d submitters flooding tiny tasks into capacity %d", submitters, capacity)},
		{Name: fmt.Sprintf("FAIR/cap=%d/spin", capacity), Workload: "FAIR", Kind: SubmitWait, Tasks: n(40_000), Cap: capacity,
			Submitters: submitters, TaskMin: FairSpinMin, TaskMax: FairSpinMax, Extra: true,
			Title: fmt.Sprintf("call→return time of every Submit, %d submitters flooding %v–%v CPU tasks into capacity %d",
				submitters, FairSpinMin, FairSpinMax, capacity)},
	}
}

// SelectCases keeps the cases whose workload or name is in the
// comma-separated list, and the Ref case of each kept multi-pool case, so
// that its "×1 pool" ratio has a denominator; an empty list keeps all but
// the Extra cases.
func SelectCases(cs []Case, list string) ([]Case, error) {
	if strings.TrimSpace(list) == "" {
		var out []Case
		for _, c := range cs {
			if !c.Extra {
				out = append(out, c)
			}
		}
		return out, nil
	}
	keep := map[string]bool{}
	for _, w := range strings.Split(list, ",") {
		w = strings.TrimSpace(w)
		found := false
		for _, c := range cs {
			if strings.EqualFold(c.Workload, w) || strings.EqualFold(c.Name, w) {
				keep[c.Name] = true
				if c.Ref != "" {
					keep[c.Ref] = true
				}
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("unknown workload %q; known: W1,W2,W3,W4,W5,MP,LAT,FAIR or a case name such as %s", w, cs[1].Name)
		}
	}
	var out []Case
	for _, c := range cs {
		if keep[c.Name] {
			out = append(out, c)
		}
	}
	return out, nil
}
