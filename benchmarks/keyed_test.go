//go:build !ab_old

package benchmarks

import (
	"bytes"
	"strings"
	"sync/atomic"
	"testing"
)

func TestEveryKeyedImplRunsEachTaskOnceInKeyOrder(t *testing.T) {
	const keys = 7
	for _, im := range KeyedImpls() {
		for _, size := range []int{1, 4} {
			t.Run(im.Name, func(t *testing.T) {
				r, err := im.New(size)
				if err != nil {
					t.Fatal(err)
				}
				runs, tr := make([]atomic.Int32, testTasks), newTracker(testTasks)
				var last [keys]atomic.Int64 // per key: the latest task run, plus one
				var outOfOrder atomic.Bool
				for i := range runs {
					key := i % keys
					err := r.Submit(key, func() {
						if im.Name != KeyedBaseline && last[key].Swap(int64(i)+1) > int64(i) {
							outOfOrder.Store(true)
						}
						runs[i].Add(1)
						tr.done()
					})
					if err != nil {
						t.Fatal(err)
					}
				}
				checkOnce(t, runs, tr, r)
				if outOfOrder.Load() {
					t.Errorf("a task ran after a later task of its key")
				}
			})
		}
	}
}

func TestRunEveryKeyedCaseOnEveryImpl(t *testing.T) {
	cases := KeyedCases(0.0005)
	rep := &KeyedReport{Machine: ThisMachine(), Command: "test", Rounds: 1, Cases: cases, Impls: KeyedImpls()}
	for _, c := range cases {
		for _, im := range KeyedImpls() {
			m, err := RunKeyed(c, im)
			if err != nil {
				t.Fatalf("%s on %s: %v", c.Name, im.Name, err)
			}
			if m.Wall <= 0 {
				t.Errorf("%s on %s: wall %v; want > 0", c.Name, im.Name, m.Wall)
			}
			if c.Kind == KeyedUneven && m.P99 < m.P50 {
				t.Errorf("%s on %s: p99 %v < p50 %v", c.Name, im.Name, m.P99, m.P50)
			}
			rep.Samples = append(rep.Samples, KeyedSample{Case: c.Name, Impl: im.Name, M: m})
		}
	}
	var md bytes.Buffer
	if err := WriteKeyedMarkdown(&md, rep); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		if !strings.Contains(md.String(), "## "+c.Name+"\n") {
			t.Errorf("report has no section for %s:\n%s", c.Name, md.String())
		}
	}
}

func TestSelectKeyed(t *testing.T) {
	cs, err := SelectKeyedCases(KeyedCases(1), "tiny")
	if err != nil || len(cs) != 2 {
		t.Errorf("SelectKeyedCases(tiny) = %d cases, %v; want 2, nil", len(cs), err)
	}
	if _, err := SelectKeyedCases(KeyedCases(1), "nope"); err == nil {
		t.Errorf("SelectKeyedCases(nope): got nil error; want one")
	}
	ims, err := SelectKeyedImpls("fixed")
	if err != nil || len(ims) != 2 || ims[0].Name != KeyedBaseline || ims[1].Name != "fixed" {
		t.Errorf("SelectKeyedImpls(fixed) = %v, %v; want plain and fixed", ims, err)
	}
}
