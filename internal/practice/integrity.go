package practice

import (
	"context"
	"fmt"
	"time"
)

// The startup integrity check: PRAGMA quick_check on a second, read-only
// connection, in the background, so that opening the app (and the lock
// screen) is not held up by a large database. Its finding is logged and shown
// through Status.

// IntegrityReport is what the startup check found.
type IntegrityReport struct {
	// State: "running", "ok", "problems" (the database is damaged: restore
	// from a backup) or "failed" (the check itself could not run).
	State     string
	Problems  int    // how many problems quick_check listed
	Message   string // for the user; names no record
	CheckedAt time.Time
	Took      time.Duration
}

// startIntegrityCheck begins the startup check; Open calls it.
func (p *Practice) startIntegrityCheck() {
	p.bk.checkMu.Lock()
	p.bk.check = IntegrityReport{State: "running", Message: "Checking the database…"}
	done := make(chan struct{})
	p.bk.checkDone = done
	p.bk.checkMu.Unlock()
	go func() {
		defer close(done)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		start := time.Now()
		probs, err := p.db.QuickCheck(ctx)
		r := IntegrityReport{CheckedAt: p.Now(), Took: time.Since(start)}
		switch {
		case err != nil:
			r.State, r.Message = "failed", "The database check could not run; the app keeps working, and the check runs again at the next start."
			p.log.Error("startup integrity check failed to run", "err", err)
		case len(probs) > 0:
			r.State, r.Problems = "problems", len(probs)
			r.Message = fmt.Sprintf("The database check found %d problem(s): the file may be damaged. Make no changes; restore from your latest verified backup.", len(probs))
			// quick_check's lines name pages and indexes, never row content.
			p.log.Error("startup integrity check found problems", "count", len(probs), "first", probs[0])
		default:
			r.State, r.Message = "ok", "The database passed its integrity check."
			p.log.Info("startup integrity check ok", "ms", r.Took.Milliseconds())
		}
		p.bk.checkMu.Lock()
		p.bk.check = r
		p.bk.checkMu.Unlock()
	}()
}

// Integrity reports the startup check's state.
func (p *Practice) Integrity() IntegrityReport {
	p.bk.checkMu.Lock()
	defer p.bk.checkMu.Unlock()
	return p.bk.check
}

// WaitIntegrityCheck blocks until the startup check has finished (tests, and
// Close, which must not close the database under it).
func (p *Practice) WaitIntegrityCheck() IntegrityReport {
	p.bk.checkMu.Lock()
	done := p.bk.checkDone
	p.bk.checkMu.Unlock()
	if done != nil {
		<-done
	}
	return p.Integrity()
}
