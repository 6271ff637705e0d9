package ants

// What a keyed front asks of the pools of this package, beyond Submitter;
// see Keyed. (enqueue is the engine's.)

// reportPanic applies the pool's panic policy to v, recovered by a keyed
// front from a task it ran on one of the pool's workers, and counts it. The
// worker goes on with the key's next task.
func (e *engine[T]) reportPanic(v any) {
	e.counters.panicked.Add(1)
	e.reportAs("keyed task panicked: %v\n%s\n", v)
}

// nonblocking reports whether the pool is Nonblocking.
func (e *engine[T]) nonblocking() bool { return e != nil && e.opts.Nonblocking }

// reportPanic reports v through the engine the pools share.
func (m *multi[T]) reportPanic(v any) {
	if m != nil {
		m.e.reportPanic(v)
	}
}

// nonblocking reports whether the pools are Nonblocking.
func (m *multi[T]) nonblocking() bool { return m != nil && m.e.nonblocking() }

// reportPanic counts v against the sub-pool too, as a panic of one of its
// own tasks is, and reports it through the pool.
func (l *lane[T]) reportPanic(v any) {
	l.counters.panicked.Add(1)
	l.e.reportPanic(v)
}

// nonblocking reports whether the sub-pool is Nonblocking.
func (l *lane[T]) nonblocking() bool { return l != nil && l.opts.Nonblocking }
