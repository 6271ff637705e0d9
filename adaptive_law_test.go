package ants

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"
)

// server models what the tasks of an adaptive pool wait on: k slots, each
// held for d by a task; the tasks beyond k queue, and beyond 2k the server
// loses throughput to contention. demand is the number of tasks that want
// to run at once (0: unbounded).
type server struct {
	k      float64
	d      time.Duration
	demand int
}

// window returns what the tuner would measure in one window of a pool of
// capacity c in front of s.
func (s server) window(c int) observation {
	l := float64(c)
	saturated := true
	if s.demand > 0 && s.demand < c {
		l, saturated = float64(s.demand), false
	}
	rt := float64(s.d) * max(1, l/s.k)
	if l > 2*s.k {
		rt *= 1 + (l-2*s.k)/s.k
	}
	return observation{capacity: c, runTime: time.Duration(rt), inFlight: l, saturated: saturated}
}

// drive runs the law for n windows from capacity c and returns the
// capacities it chose.
func drive(l *law, s server, c, n int) []int {
	out := make([]int, n)
	for i := range out {
		c, _ = l.decide(s.window(c))
		out[i] = c
	}
	return out
}

// within fails unless every capacity in cs is in [lo, hi].
func within(t *testing.T, what string, cs []int, lo, hi int) {
	t.Helper()
	for i, c := range cs {
		if c < lo || c > hi {
			t.Fatalf("%s: capacity %d at window %d; want it in [%d, %d] (all: %v)", what, c, i, lo, hi, cs)
		}
	}
}

// band is the range the law promises on a steady server of k slots:
// [0.96·k, max(k+7, 1.3·k)].
func band(k int) (lo, hi int) {
	return int(0.96 * float64(k)), max(k+7, int(math.Ceil(1.3*float64(k))))
}

func TestLawFindsTheKnee(t *testing.T) {
	for _, tc := range []struct {
		name     string
		k, start int
		min, max int
		settle   int // windows allowed to reach the band
	}{
		{"from one up to a knee of 100", 100, 1, 1, 1 << 20, 12},
		{"from one up to a knee of 3", 3, 1, 1, 1 << 20, 6},
		{"from the maximum down to a knee of 64", 64, 512, 1, 512, 12},
		{"from far above a knee of 1000", 1000, 50_000, 1, 50_000, 20},
		{"from just below a knee of 40", 40, 36, 4, 512, 12},
		{"from a knee of one", 1, 16, 1, 512, 12},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := &law{min: tc.min, max: tc.max}
			s := server{k: float64(tc.k), d: 2 * time.Millisecond}
			cs := drive(l, s, tc.start, tc.settle+60)
			lo, hi := band(tc.k)
			within(t, "after settling", cs[tc.settle:], lo, hi)
			if l.noLoad != s.d {
				t.Errorf("no-load run time: got %v; want %v", l.noLoad, s.d)
			}
		})
	}
}

func TestLawFollowsTheKnee(t *testing.T) {
	for _, tc := range []struct {
		name     string
		from, to int
		settle   int
	}{
		{"when the knee doubles", 64, 128, 8},
		{"when the knee halves", 64, 32, 4},
		{"when the knee grows tenfold", 20, 200, 40},
		{"when the knee falls tenfold", 200, 20, 8},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := &law{min: 1, max: 4096}
			before := drive(l, server{k: float64(tc.from), d: time.Millisecond}, 1, 40)
			after := drive(l, server{k: float64(tc.to), d: time.Millisecond}, before[len(before)-1], tc.settle+60)
			lo, hi := band(tc.to)
			within(t, "after the change", after[tc.settle:], lo, hi)
		})
	}
}

func TestLawBounds(t *testing.T) {
	t.Run("it stops at Max below the knee", func(t *testing.T) {
		l := &law{min: 1, max: 50}
		cs := drive(l, server{k: 100, d: time.Millisecond}, 1, 40)
		within(t, "from window 10", cs[10:], 50, 50)
	})
	t.Run("it stays at Min, or three above, when the knee is below Min", func(t *testing.T) {
		l := &law{min: 20, max: 500}
		cs := drive(l, server{k: 5, d: time.Millisecond}, 200, 60)
		within(t, "every window", cs, 20, 200)
		within(t, "from window 10", cs[10:], 20, 23)
	})
	t.Run("it never goes below one", func(t *testing.T) {
		l := &law{min: 1, max: 500}
		// A server that gets slower with every task, whatever the count.
		c := 300
		for i := range 200 {
			o := observation{capacity: c, runTime: time.Duration(i+1) * time.Millisecond, inFlight: float64(c), saturated: true}
			c, _ = l.decide(o)
			if c < 1 {
				t.Fatalf("capacity %d at window %d; want at least 1", c, i)
			}
		}
	})
	t.Run("a Tune out of bounds is brought back", func(t *testing.T) {
		l := &law{min: 4, max: 8}
		for _, tc := range []struct{ c, want int }{{1, 4}, {100, 8}} {
			if got, _ := l.decide(observation{capacity: tc.c, runTime: time.Millisecond, inFlight: 1}); got != tc.want {
				t.Errorf("decide at capacity %d: got %d; want %d", tc.c, got, tc.want)
			}
		}
	})
}

func TestLawDecisions(t *testing.T) {
	t.Run("it grows to Max while the run time stays flat", func(t *testing.T) {
		l := &law{min: 1, max: 1000}
		cs := drive(l, server{k: math.Inf(1), d: time.Millisecond}, 1, 20)
		if got := cs[len(cs)-1]; got != 1000 {
			t.Errorf("capacity after 20 flat windows: got %d; want 1000 (%v)", got, cs)
		}
	})
	t.Run("it holds while the capacity does not bind", func(t *testing.T) {
		l := &law{min: 1, max: 1000}
		cs := drive(l, server{k: math.Inf(1), d: time.Millisecond, demand: 10}, 16, 20)
		within(t, "every window", cs, 16, 16)
	})
	t.Run("it says what it did", func(t *testing.T) {
		l := &law{min: 1, max: 100, noLoad: time.Millisecond, confirmed: true}
		grow := observation{capacity: 10, runTime: time.Millisecond, inFlight: 10, saturated: true}
		shrink := observation{capacity: 20, runTime: 2 * time.Millisecond, inFlight: 20, saturated: true}
		hold := observation{capacity: 20, runTime: time.Millisecond, inFlight: 5}
		for _, tc := range []struct {
			o    observation
			want Decision
		}{{grow, DecisionGrow}, {shrink, DecisionShrink}, {hold, DecisionHold}} {
			l.prev = observation{}
			l.suspect = tc.want == DecisionShrink // a cut takes two queued windows
			if _, got := l.decide(tc.o); got != tc.want {
				t.Errorf("decide(%+v): got %v; want %v", tc.o, got, tc.want)
			}
		}
	})
	t.Run("one slow window is held, two are cut", func(t *testing.T) {
		l := &law{min: 1, max: 100, noLoad: time.Millisecond, confirmed: true}
		slow := observation{capacity: 20, runTime: 2 * time.Millisecond, inFlight: 20, saturated: true}
		flat := observation{capacity: 20, runTime: time.Millisecond, inFlight: 20, saturated: true}
		for i, tc := range []struct {
			o    observation
			want Decision
		}{{slow, DecisionHold}, {flat, DecisionGrow}, {slow, DecisionHold}, {slow, DecisionShrink}} {
			if _, got := l.decide(tc.o); got != tc.want {
				t.Errorf("window %d: got %v; want %v", i, got, tc.want)
			}
		}
	})
	t.Run("under the floor it climbs on throughput", func(t *testing.T) {
		// Tasks far under the floor: their run time grows twelvefold at
		// 64, which the law must not read as a queue, and the throughput
		// falls beyond 32 (contention).
		l := &law{min: 1, max: 64}
		cs := drive(l, server{k: 16, d: lawFloor / 100}, 8, 20)
		if cs[0] <= 8 {
			t.Errorf("capacity after the first window from 8: got %d; want growth, not a search by halving", cs[0])
		}
		// From window 5 it stays in [16, 32], but for retries of 64 that
		// it takes back after two windows (one slow window is only a
		// doubt).
		for i := 5; i < len(cs); i++ {
			if cs[i] == 64 && i+2 < len(cs) && cs[i+1] == 64 && cs[i+2] <= 32 {
				i += 2
				continue
			}
			within(t, fmt.Sprintf("window %d", i), cs[i:i+1], 16, 32)
		}
		l = &law{min: 1, max: 64}
		cs = drive(l, server{k: math.Inf(1), d: lawFloor / 100}, 1, 20)
		within(t, "with a throughput that keeps growing, from window 8", cs[8:], 64, 64)
	})
	t.Run("until its first cut it grows fourfold each window", func(t *testing.T) {
		for _, rt := range []time.Duration{time.Millisecond, lawFloor / 100} {
			l := &law{min: 1, max: 100}
			var got []int
			for c := 1; len(got) < 4; {
				c, _ = l.decide(observation{capacity: c, runTime: rt, inFlight: float64(c), saturated: true})
				got = append(got, c)
			}
			if want := []int{4, 16, 64, 100}; !slices.Equal(got, want) {
				t.Errorf("run time %v: capacities %v; want %v", rt, got, want)
			}
		}
	})
	t.Run("under the floor one slow window after a growth is only a doubt", func(t *testing.T) {
		rt := lawFloor / 100
		win := func(c int, x float64) observation {
			return observation{capacity: c, runTime: rt, inFlight: x * float64(rt), saturated: true}
		}
		for _, tc := range []struct {
			name string
			x2   float64 // the throughput of the second window after the growth
			want []int
		}{
			{"the second window holds it", 1, []int{32, 32, 64}},
			{"the second window takes it back", 0.5, []int{32, 32, 8}},
		} {
			l := &law{min: 1, max: 64}
			var got []int
			for _, o := range []observation{win(8, 1), win(32, 0.5), win(32, tc.x2)} {
				n, _ := l.decide(o)
				got = append(got, n)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("%s: capacities %v; want %v", tc.name, got, tc.want)
			}
		}
	})
	t.Run("under the floor a failed growth is retried ever less often", func(t *testing.T) {
		l := &law{min: 1, max: 64}
		cs := drive(l, server{k: 16, d: lawFloor / 100}, 32, 1000)
		var retries []int
		for i, c := range cs {
			if c == 64 && (i == 0 || cs[i-1] != 64) {
				retries = append(retries, i)
				if i+2 < len(cs) && (cs[i+1] != 64 || cs[i+2] == 64) {
					t.Fatalf("a retry of 64 at window %d lasted other than two windows: %v", i, cs[i:i+3])
				}
			}
		}
		// The gaps double from lawCeilingAge to lawCeilingMaxAge, so 1000
		// windows hold about log2(64/8) + 1000/64 retries.
		if len(retries) < 10 || len(retries) > 20 {
			t.Fatalf("retries of 64 in 1000 windows at %v; want 10 to 20", retries)
		}
		for j := 1; j < len(retries); j++ {
			gap := retries[j] - retries[j-1]
			if gap < lawCeilingAge || gap > lawCeilingMaxAge+3 {
				t.Fatalf("retries of 64 at %v: a gap of %d windows; want %d to %d", retries, gap, lawCeilingAge, lawCeilingMaxAge+3)
			}
			if j >= 2 && gap < retries[j-1]-retries[j-2] {
				t.Fatalf("retries of 64 at %v: a gap shrank; want them to grow to %d and stay", retries, lawCeilingMaxAge)
			}
		}
	})
	t.Run("under the floor a ceiling expires", func(t *testing.T) {
		l := &law{min: 1, max: 64}
		cs := drive(l, server{k: 8, d: lawFloor / 100}, 8, 3*lawCeilingMaxAge)
		within(t, "with a throughput that falls beyond 16", cs[2*lawCeilingMaxAge:], 8, 32)
		cs = drive(l, server{k: 48, d: lawFloor / 100}, cs[len(cs)-1], 2*lawCeilingMaxAge)
		within(t, "once it falls only beyond 96", cs[len(cs)-2:], 64, 64)
	})
	t.Run("a cut that does not shorten the run time is undone", func(t *testing.T) {
		// A busy machine slows every task alike, whatever the concurrency.
		l := &law{min: 1, max: 100, noLoad: time.Millisecond, confirmed: true}
		slow := func(c int) observation {
			return observation{capacity: c, runTime: 1500 * time.Microsecond, inFlight: float64(c), saturated: true}
		}
		l.decide(slow(40))
		cut, d := l.decide(slow(40))
		if d != DecisionShrink || cut >= 40 {
			t.Fatalf("two slow windows: got %d, %v; want a cut below 40", cut, d)
		}
		if got, d := l.decide(slow(cut)); got != 40 || d != DecisionGrow {
			t.Errorf("a window as slow after the cut: got %d, %v; want 40, grow", got, d)
		}
	})
	t.Run("a stale no-load run time is raised", func(t *testing.T) {
		l := &law{min: 1, max: 1000}
		drive(l, server{k: 50, d: time.Millisecond}, 1, 40)
		// The tasks themselves take four times as long from now on.
		cs := drive(l, server{k: 50, d: 4 * time.Millisecond}, 50, 60)
		lo, hi := band(50)
		within(t, "from window 20", cs[20:], lo, hi)
		if l.noLoad != 4*time.Millisecond {
			t.Errorf("no-load run time: got %v; want 4ms", l.noLoad)
		}
	})
}
