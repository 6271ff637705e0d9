// Package antsotel reports the statistics of ants pools as OpenTelemetry
// metrics.
//
// The package lives in the directory otel/ of the ants repository, in its
// own module, so that the core module github.com/antsgo/ants does not
// depend on OpenTelemetry. Its name is antsotel, not otel, so that it sits
// beside go.opentelemetry.io/otel without an import alias:
//
//	import (
//		"github.com/antsgo/ants"
//		antsotel "github.com/antsgo/ants/otel"
//	)
//
// # Usage
//
// Build one [Metrics] with [New], which creates the instruments on a meter
// provider (the global one unless [WithMeterProvider] names another), and
// register each pool under a name:
//
//	pool, _ := ants.NewPool(100)
//	m, err := antsotel.New()
//	if err != nil {
//		// the meter provider refused an instrument or the callback
//	}
//	if err := m.Register("images", pool); err != nil {
//		// the name is empty or taken, or the source is nil
//	}
//
// Every pool face of ants (Pool, PoolWithFunc, PoolWithFuncGeneric,
// MultiPool and the other multi-pools), every sub-pool (Subpool and its
// function variants) and every keyed front (Keyed) has a Stats method and
// so is a [StatsSource], as is anything else with a Stats() ants.Stats
// method. A multi-pool is reported as one pool, with the sums of its
// sub-pools; a sub-pool with its own limit and tasks; a keyed front with
// its keys and tasks, and no workers or limit of its own (see
// ants.Keyed.Stats).
//
// # Instruments
//
// No semantic convention covers worker pools, so the instruments mirror the
// closest ones, the JVM executor metrics (jvm.executor.*) and the .NET
// thread-pool metrics (dotnet.thread_pool.*), under the namespace ants.pool.
// Every point carries the attribute ants.pool.name ([PoolNameKey]), set to
// the name given to Register:
//
//	ants.pool.worker.count              UpDownCounter {worker}     live workers, by ants.pool.worker.state (busy, idle)
//	ants.pool.worker.limit              UpDownCounter {worker}     capacity; no point for an unlimited pool or a keyed front
//	ants.pool.queue.size                UpDownCounter {task}       accepted tasks not yet started
//	ants.pool.submitter.blocked         UpDownCounter {submitter}  submitters blocked waiting for a slot
//	ants.pool.key.count                 UpDownCounter {key}        keys of a keyed front with pending work; 0 for a pool
//	ants.pool.task.submitted            Counter       {task}       tasks accepted
//	ants.pool.task.completed            Counter       {task}       accepted tasks finished, panics included
//	ants.pool.task.rejected             Counter       {task}       submissions refused as overload
//	ants.pool.task.panicked             Counter       {task}       tasks that panicked
//	ants.pool.task.cancelled            Counter       {task}       submissions whose context ended before admission
//	ants.pool.adaptive.no_load_run_time Gauge         s            adaptive: estimated no-load run time
//	ants.pool.adaptive.run_time         Gauge         s            adaptive: mean run time, last window
//	ants.pool.adaptive.decision         UpDownCounter {pool}       adaptive: 1 for the last decision, by ants.pool.adaptive.decision
//
// All are asynchronous: they are read only when the meter provider collects.
// The three ants.pool.adaptive instruments have points only for a pool with
// ants.WithAdaptiveCapacity, once its controller has made a decision;
// before that they would hold no measurement. The decision has a point for
// each of hold, grow and shrink ([DecisionKey]): 1 for the controller's
// last decision, 0 for the other two. ants.pool.worker.limit has no point
// for a source without a limit of its own (Capacity -1 or 0). Every other
// instrument has a point for every source: ants.pool.key.count is 0 for a
// pool.
//
// # Cost
//
// A collection calls Stats once per registered pool, a few atomic loads
// (a keyed front also takes each of its shard locks for a moment), and
// adds nothing to the pool's Submit or Invoke path. The README gives
// the measured cost of a collection.
//
// # Counters
//
// Each cumulative counter of an ants pool is an atomic of its own that never
// decreases, and so is a multi-pool's sum of them. A StatsSource of another
// kind, such as a front whose set of pools changes, may not be so careful,
// and a backend reads any drop of a cumulative counter as a restart.
// Metrics therefore never reports a counter lower than the value it last
// reported for the same registration; a source whose counters really
// restart should be unregistered and registered again.
package antsotel

import (
	"context"
	"errors"
	"reflect"
	"sync"

	"github.com/antsgo/ants"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// ScopeName is the name of the instrumentation scope, and so of the meter,
// under which the instruments are created: the import path of this
// package, as OpenTelemetry recommends.
const ScopeName = "github.com/antsgo/ants/otel"

// The errors returned by [Metrics.Register].
var (
	// ErrEmptyName is returned by Register when the pool name is empty.
	ErrEmptyName = errors.New("pool name is empty")
	// ErrDuplicateName is returned by Register when a source is already
	// registered under the same name.
	ErrDuplicateName = errors.New("pool name already registered")
	// ErrNilSource is returned by Register when the source is nil, or a
	// nil pointer, whose Stats method could not be called.
	ErrNilSource = errors.New("stats source is nil")
	// ErrClosed is returned by Register after Close, and on a Metrics that
	// New did not build.
	ErrClosed = errors.New("metrics closed")
)

// StatsSource is anything whose statistics Metrics can report. Every pool
// face of package ants implements it. Stats is called when the meter
// provider collects, possibly from several goroutines at once, so it must
// be safe for concurrent use and should not block.
type StatsSource interface {
	Stats() ants.Stats
}

// Option configures the Metrics built by [New].
type Option func(*config)

type config struct {
	provider metric.MeterProvider
}

// WithMeterProvider makes New create its instruments on mp instead of on
// the global meter provider, otel.GetMeterProvider(). A nil mp means the
// global one.
func WithMeterProvider(mp metric.MeterProvider) Option {
	return func(c *config) { c.provider = mp }
}

// Metrics reports the [ants.Stats] of named pools through OpenTelemetry
// instruments, read only when the meter provider collects: one callback,
// registered by New, reads every registered pool.
//
// A Metrics is safe for concurrent use: pools may be registered and
// unregistered while it is being collected. The zero Metrics reports
// nothing and refuses every registration with [ErrClosed]; build one with
// New. Names are unique within one Metrics; two of them on one meter
// provider report into the same instruments, so give their pools
// different names.
type Metrics struct {
	instruments [len(specs)]instrument // by spec index
	reg         metric.Registration

	mu     sync.RWMutex // guards the fields below
	pools  map[string]*entry
	closed bool
}

// entry is one registered source with its precomputed attribute sets and
// the counter values last reported for it; mu guards last, as collections
// may run concurrently.
type entry struct {
	src        StatsSource
	pool       metric.ObserveOption                 // ants.pool.name
	busy, idle metric.ObserveOption                 // ants.pool.name and ants.pool.worker.state
	decisions  [len(decisions)]metric.ObserveOption // ants.pool.name and ants.pool.adaptive.decision

	mu   sync.Mutex
	last []int64 // by spec index; only counters use theirs
}

// New creates the instruments of the package doc on a meter named
// [ScopeName] and registers the one callback that reads the registered
// pools. If the meter provider reports errors, New returns them joined,
// along with a Metrics that reports whatever instruments the provider did
// create (the SDK still creates an instrument it reports an error for);
// if the provider refused the callback, that Metrics refuses every
// registration with [ErrClosed].
func New(opts ...Option) (*Metrics, error) {
	var cfg config
	for _, opt := range opts {
		if opt != nil {
			opt(&cfg)
		}
	}
	if cfg.provider == nil {
		cfg.provider = otel.GetMeterProvider()
	}
	meter := cfg.provider.Meter(ScopeName)

	m := &Metrics{pools: make(map[string]*entry)}
	var errs []error
	observables := make([]metric.Observable, 0, len(specs))
	for i := range specs {
		in, err := specs[i].create(meter)
		errs = append(errs, err)
		m.instruments[i] = in
		if o := in.observable(); o != nil {
			observables = append(observables, o)
		}
	}
	reg, err := meter.RegisterCallback(m.observe, observables...)
	errs = append(errs, err)
	m.reg = reg
	return m, errors.Join(errs...)
}

// Register starts reporting the statistics of src under the attribute
// ants.pool.name=name. It returns [ErrEmptyName] if name is empty,
// [ErrNilSource] if src is nil or a nil pointer, [ErrDuplicateName] if the
// name is in use and [ErrClosed] after Close; a name may be reused after
// [Metrics.Unregister].
func (m *Metrics) Register(name string, src StatsSource) error {
	switch {
	case name == "":
		return ErrEmptyName
	case isNil(src):
		return ErrNilSource
	}
	e := &entry{
		src:  src,
		pool: metric.WithAttributeSet(attribute.NewSet(PoolNameKey.String(name))),
		busy: metric.WithAttributeSet(attribute.NewSet(PoolNameKey.String(name), WorkerStateKey.String(StateBusy))),
		idle: metric.WithAttributeSet(attribute.NewSet(PoolNameKey.String(name), WorkerStateKey.String(StateIdle))),
		last: make([]int64, len(specs)),
	}
	for i, d := range decisions {
		e.decisions[i] = metric.WithAttributeSet(attribute.NewSet(PoolNameKey.String(name), DecisionKey.String(d.String())))
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed || m.reg == nil {
		return ErrClosed
	}
	if _, ok := m.pools[name]; ok {
		return ErrDuplicateName
	}
	m.pools[name] = e
	return nil
}

// Unregister stops reporting the source registered under name, and reports
// whether there was one: from the next collection on, no point carries that
// name. The source itself is not touched.
func (m *Metrics) Unregister(name string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, ok := m.pools[name]
	delete(m.pools, name)
	return ok
}

// Close unregisters the callback from the meter provider and every source
// from m; later calls to Register return [ErrClosed]. It returns the error
// of the meter provider, if any, and nil when m is already closed.
func (m *Metrics) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed || m.reg == nil {
		return nil
	}
	m.closed = true
	clear(m.pools)
	return m.reg.Unregister()
}

// observe is the callback: it reads the Stats of every registered source
// and observes every instrument for it. Stats is called without holding
// m's lock, so a slow source delays only the collection, never Register or
// Unregister.
func (m *Metrics) observe(_ context.Context, o metric.Observer) error {
	m.mu.RLock()
	pools := make([]*entry, 0, len(m.pools))
	for _, e := range m.pools {
		pools = append(pools, e)
	}
	m.mu.RUnlock()

	for _, e := range pools {
		s := e.src.Stats()
		e.mu.Lock()
		for i, spec := range specs {
			if in := m.instruments[i]; in.observable() != nil {
				spec.read(reading{o: o, in: in, s: &s, e: e, i: i})
			}
		}
		e.mu.Unlock()
	}
	return nil
}

// isNil reports whether src is nil or holds a nil pointer (or another nil
// reference), on which calling Stats would panic.
func isNil(src StatsSource) bool {
	if src == nil {
		return true
	}
	switch v := reflect.ValueOf(src); v.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan, reflect.Interface:
		return v.IsNil()
	}
	return false
}
