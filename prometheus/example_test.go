package antsprom_test

import (
	"fmt"
	"sync"
	"time"

	"github.com/antsgo/ants"
	antsprom "github.com/antsgo/ants/prometheus"
	"github.com/prometheus/client_golang/prometheus"
)

func ExampleNewCollector() {
	pool, err := ants.NewPool(4)
	if err != nil {
		fmt.Println(err)
		return
	}

	// Export the pool under the name "images", on a registry of our own;
	// most programs register on prometheus.DefaultRegisterer instead.
	c := antsprom.NewCollector(antsprom.WithConstLabels(prometheus.Labels{"service": "thumbs"}))
	if err := c.Add("images", pool); err != nil {
		fmt.Println(err)
		return
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)

	var wg sync.WaitGroup
	for i := 0; i < 10; i++ {
		wg.Add(1)
		if err := pool.Submit(wg.Done); err != nil {
			fmt.Println(err)
			wg.Done()
		}
	}
	wg.Wait()
	// Wait for the workers to finish their bookkeeping too, so that the
	// counters below are exact.
	if err := pool.ReleaseTimeout(5 * time.Second); err != nil {
		fmt.Println(err)
	}

	// Gather as a Prometheus server's scrape would, and print two samples.
	families, err := reg.Gather()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, mf := range families {
		switch mf.GetName() {
		case "ants_pool_capacity", "ants_pool_tasks_completed_total":
			for _, m := range mf.GetMetric() {
				value := m.GetGauge().GetValue() + m.GetCounter().GetValue()
				fmt.Print(mf.GetName(), "{")
				for i, l := range m.GetLabel() {
					if i > 0 {
						fmt.Print(",")
					}
					fmt.Printf("%s=%q", l.GetName(), l.GetValue())
				}
				fmt.Println("}", value)
			}
		}
	}
	// Output:
	// ants_pool_capacity{pool="images",service="thumbs"} 4
	// ants_pool_tasks_completed_total{pool="images",service="thumbs"} 10
}
