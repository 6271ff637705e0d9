package ants

// Stats returns a snapshot of the front's gauges and counters, in the
// Stats of the pools, so that whatever exports a pool's statistics exports
// a front's too. For a front:
//
//   - Keys is the number of keys with pending work (a record each);
//   - Queued counts the accepted tasks not yet started: waiting behind
//     their key, or for the pool to admit their key's runner;
//   - Busy counts the tasks running, at most one per key;
//   - Waiting counts the submitters blocked for room in a full backlog
//     (those blocked for a slot of the pool are the pool's);
//   - Submitted, Completed, Rejected, Panicked and Cancelled count the
//     front's tasks as a pool counts its own;
//   - Capacity, Workers and Idle are 0: a front has no workers of its own.
//
// The pool that runs the tasks counts each runner as one of its tasks, and
// each panic of a keyed task in its own Panicked too.
func (k *Keyed[K]) Stats() Stats {
	if k == nil {
		return Stats{}
	}
	k.setup()
	var s Stats
	for i := range k.shards {
		sh := &k.shards[i]
		sh.mu.Lock()
		sub, st, c, keys := sh.submitted, sh.started, sh.completed, sh.keys.len()
		sh.mu.Unlock()
		// A first task is counted as taken once its runner starts, and as
		// accepted once its submitter returns, which may come later: so
		// Queued is clamped at 0.
		st += sh.firstStarted.Load()
		sub += sh.firstSubmitted.Load()
		s.Keys += keys
		s.Busy += int(st - c)
		s.Queued += max(int(sub)-int(st), 0)
		s.Submitted += sub
		s.Completed += c
	}
	s.Waiting = int(k.waiting.Load())
	s.Rejected = k.rejected.Load()
	s.Panicked = k.panicked.Load()
	s.Cancelled = k.cancelled.Load()
	return s
}
