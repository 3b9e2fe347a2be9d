package sync

import (
	"context"
	"time"
)

// Run syncs in the background until ctx ends (the vault locks, the app
// quits): a round at once, then every Interval, and NudgeDelay after a
// local change — announced by Nudge, or found by a cheap look at the outbox
// every Poll, so that no writer has to remember to nudge. After a failed
// round the next waits: an exponential backoff with full jitter
// (Retry-After as its floor) for failures the backend or network may get
// over, the Interval for the rest. A round in progress when ctx ends stops
// at its next step; what it committed stays committed.
func (e *Engine) Run(ctx context.Context) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	poll := time.NewTicker(e.cfg.Poll)
	defer poll.Stop()
	deadline := time.Now()
	var backoffUntil time.Time
	schedule := func(d time.Duration) {
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(d)
		deadline = time.Now().Add(d)
	}
	soon := func() {
		// Soon, but not sooner than a backoff allows, and never later than
		// a round already planned.
		wait := max(e.cfg.NudgeDelay, time.Until(backoffUntil))
		if time.Now().Add(wait).Before(deadline) {
			schedule(wait)
		}
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-poll.C:
			if e.outboxDue(ctx) {
				soon()
			}
			continue
		case <-e.nudge:
			soon()
			continue
		case <-timer.C:
		}
		_, err := e.Round(ctx)
		if ctx.Err() != nil {
			return
		}
		next := e.afterRound(err)
		backoffUntil = time.Time{}
		if err != nil {
			backoffUntil = time.Now().Add(next)
		}
		schedule(next)
	}
}

// afterRound returns the wait before the next background round.
func (e *Engine) afterRound(err error) time.Duration {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err == nil {
		e.failures = 0
		return e.cfg.Interval
	}
	switch StateFor(CodeOfErr(err)) {
	case StateNeedsEnrolment, StateRegionRefused, StateUpdateNeeded, StateLocked:
		// Nothing will change by itself soon; look again later.
		e.failures = 0
		return e.cfg.Interval
	}
	e.failures++
	var floor time.Duration
	if se, ok := AsError(err); ok {
		floor = se.RetryAfter
	}
	return min(max(Backoff(e.failures, floor, e.cfg.Rand()), BackoffBase), max(BackoffCap, floor))
}

// outboxDue reports whether a local change is waiting to be pushed now.
func (e *Engine) outboxDue(ctx context.Context) bool {
	next, err := e.cfg.Store.NextPushAt(ctx)
	return err == nil && !next.IsZero() && !next.After(e.now())
}

// Nudge asks the background loop for a round soon (a local change was
// committed). It never blocks.
func (e *Engine) Nudge() {
	select {
	case e.nudge <- struct{}{}:
	default:
	}
}

// SyncNow runs a round now and waits for it ("Sync now", the CLI's
// --once). It does not wait for a background backoff.
func (e *Engine) SyncNow(ctx context.Context) (Summary, error) {
	sum, err := e.Round(ctx)
	if err == nil {
		e.mu.Lock()
		e.failures = 0
		e.mu.Unlock()
	}
	return sum, err
}
