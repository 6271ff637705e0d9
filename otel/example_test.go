package antsotel_test

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/antsgo/ants"
	antsotel "github.com/antsgo/ants/otel"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

func ExampleMetrics_Register() {
	// A meter provider with a reader that is read by hand; a program would
	// use a periodic reader with an exporter, or the global provider.
	reader := sdkmetric.NewManualReader()
	provider := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer func() {
		if err := provider.Shutdown(context.Background()); err != nil {
			fmt.Println(err)
		}
	}()

	m, err := antsotel.New(antsotel.WithMeterProvider(provider))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close()

	pool, err := ants.NewPool(4)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := m.Register("images", pool); err != nil {
		fmt.Println(err)
		return
	}

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

	// Collect as an exporter would, and print two instruments.
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		fmt.Println(err)
		return
	}
	var lines []string
	for _, sm := range rm.ScopeMetrics {
		for _, met := range sm.Metrics {
			if met.Name != "ants.pool.worker.limit" && met.Name != "ants.pool.task.completed" {
				continue
			}
			for _, dp := range met.Data.(metricdata.Sum[int64]).DataPoints {
				name, _ := dp.Attributes.Value(antsotel.PoolNameKey)
				lines = append(lines, fmt.Sprintf("%s %s{ants.pool.name=%s} %d",
					sm.Scope.Name, met.Name, name.AsString(), dp.Value))
			}
		}
	}
	sort.Strings(lines)
	for _, l := range lines {
		fmt.Println(l)
	}
	// Output:
	// github.com/antsgo/ants/otel ants.pool.task.completed{ants.pool.name=images} 10
	// github.com/antsgo/ants/otel ants.pool.worker.limit{ants.pool.name=images} 4
}
