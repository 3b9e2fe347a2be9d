package practice

import (
	"context"
	"encoding/json"
	"time"

	"github.com/calmally/practice/internal/apperr"
)

// The daily retention run: while the app is open, once per calendar day in
// the practice's zone, at the first look after the vault is unlocked (so
// opening and unlocking the app is when a day's run happens). The CLI never
// schedules; `calmally retention run` runs once.

// RetentionRunInfo is one logged run with its report.
type RetentionRunInfo struct {
	ID       string          `json:"id"`
	At       time.Time       `json:"at"`
	AsOf     time.Time       `json:"asOf"`
	Trigger  string          `json:"trigger"`
	Result   string          `json:"result"` // "ok" | "failed" (some item failed)
	Deleted  int             `json:"deleted"`
	Held     int             `json:"held"`
	Failed   int             `json:"failed"`
	Vacuumed bool            `json:"vacuumed"`
	Report   RetentionReport `json:"report"`
}

// RetentionRuns lists the logged real runs, newest first.
func (p *Practice) RetentionRuns(ctx context.Context, limit int) ([]RetentionRunInfo, error) {
	if _, err := p.Keys(); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	rows, err := p.retentionStore().Runs(ctx, limit)
	if err != nil {
		return nil, err
	}
	out := make([]RetentionRunInfo, 0, len(rows))
	for _, r := range rows {
		info := RetentionRunInfo{ID: r.ID, At: r.At, AsOf: r.AsOf, Trigger: r.Trigger, Result: r.Result,
			Deleted: r.Deleted, Held: r.Held, Failed: r.Failed, Vacuumed: r.Vacuumed}
		if err := json.Unmarshal(r.Report, &info.Report); err != nil {
			return nil, apperr.Wrap(apperr.Integrity, "a retention run's report is damaged", err)
		}
		out = append(out, info)
	}
	return out, nil
}

// RetentionTick runs the day's retention run if the vault is unlocked and no
// real run happened yet today (practice zone). It reports whether it ran.
func (p *Practice) RetentionTick(ctx context.Context) (bool, error) {
	if _, err := p.Keys(); err != nil {
		return false, nil // locked: try again later
	}
	runs, err := p.retentionStore().Runs(ctx, 1)
	if err != nil {
		return false, err
	}
	now := p.Now()
	if len(runs) > 0 && sameDay(runs[0].At, now, practiceZone()) {
		return false, nil
	}
	_, err = p.RetentionRun(ctx, now, TriggerSchedule)
	return true, err
}

func sameDay(a, b time.Time, z *time.Location) bool {
	ay, am, ad := a.In(z).Date()
	by, bm, bd := b.In(z).Date()
	return ay == by && am == bm && ad == bd
}

// retentionTickEvery is how often RunRetentionSchedule looks whether the
// day's run is due; retentionRetryAfter is the pause after a failed run.
var (
	retentionFirstTick  = 30 * time.Second
	retentionTickEvery  = time.Minute
	retentionRetryAfter = time.Hour
)

// RunRetentionSchedule runs the daily retention run until ctx ends or the
// profile closes. The app starts it once per profile.
func (p *Practice) RunRetentionSchedule(ctx context.Context) {
	t := time.NewTimer(retentionFirstTick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-p.idle.stopped:
			return
		case <-t.C:
		}
		next := retentionTickEvery
		if ran, err := p.RetentionTick(ctx); err != nil {
			p.log.Error("scheduled retention run failed", "err", err)
			next = retentionRetryAfter
		} else if ran {
			p.log.Info("scheduled retention run done")
		}
		t.Reset(next)
	}
}
