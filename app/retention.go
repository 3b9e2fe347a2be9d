package app

// Retention methods bound to the UI (window.go.app.App.<Method>): Settings →
// Retention. Errors are "code: message" strings; messages never contain
// client data. The daily run itself is started by the app (RunRetentionSchedule).
//
//	RetentionPolicy() (RetentionPolicyDTO, error)
//	RetentionPlan(asOf string) (RetentionReportDTO, error)    asOf "YYYY-MM-DD": the end of that day in India; "" now
//	RetentionRunNow() (RetentionReportDTO, error)             a real run as of now (what the daily run does)
//	RetentionRuns() ([]RetentionRunDTO, error)                newest first, at most 20
//	LegalHolds() ([]LegalHoldDTO, error)                      in place first, then released (history)
//	LegalHoldPlace(req LegalHoldPlaceRequest) (LegalHoldDTO, error)
//	LegalHoldRelease(req LegalHoldReleaseRequest) (LegalHoldDTO, error)
//
// Rules the UI should expect: a bad date → "invalid: as-of …"; a reason not in
// the policy's lists → "invalid: reason: …"; a second hold for the same
// reason → "conflict: …"; releasing twice → "conflict: …"; an unknown client
// or hold → "not_found: …"; locked → "locked: …".

import (
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/practice"
	"github.com/calmally/practice/internal/retention"
)

// RetentionPolicy returns the periods and reason codes.
func (a *App) RetentionPolicy() (RetentionPolicyDTO, error) {
	return RetentionPolicyDTO{HealthYears: retention.HealthYears, ContactDays: retention.ContactDays,
		UsageYears: retention.UsageYears, HoldReasons: retention.HoldReasons, ReleaseReasons: retention.ReleaseReasons}, nil
}

var retentionZone = func() *time.Location {
	if z, err := time.LoadLocation("Asia/Kolkata"); err == nil {
		return z
	}
	return time.FixedZone("IST", 5*3600+1800)
}()

// RetentionPlan is the dry run for the end of a chosen day.
func (a *App) RetentionPlan(asOf string) (RetentionReportDTO, error) {
	p, err := a.practice()
	if err != nil {
		return RetentionReportDTO{}, a.uiError("retention plan", err)
	}
	at := p.Now()
	if asOf != "" {
		d, err := time.ParseInLocation("2006-01-02", asOf, retentionZone)
		if err != nil {
			return RetentionReportDTO{}, a.uiError("retention plan", apperr.New(apperr.Invalid, "as-of: choose a date"))
		}
		at = d.AddDate(0, 0, 1).Add(-time.Second)
	}
	rep, err := p.RetentionPlan(a.ctx, at)
	if err != nil {
		return RetentionReportDTO{}, a.uiError("retention plan", err)
	}
	return reportDTO(rep), nil
}

// RetentionRunNow runs retention as of now.
func (a *App) RetentionRunNow() (RetentionReportDTO, error) {
	p, err := a.practice()
	if err != nil {
		return RetentionReportDTO{}, a.uiError("retention run", err)
	}
	rep, err := p.RetentionRun(a.ctx, p.Now(), practice.TriggerManual)
	if err != nil {
		return RetentionReportDTO{}, a.uiError("retention run", err)
	}
	return reportDTO(rep), nil
}

// RetentionRuns lists the latest real runs.
func (a *App) RetentionRuns() ([]RetentionRunDTO, error) {
	p, err := a.practice()
	if err != nil {
		return nil, a.uiError("retention runs", err)
	}
	runs, err := p.RetentionRuns(a.ctx, 20)
	if err != nil {
		return nil, a.uiError("retention runs", err)
	}
	out := make([]RetentionRunDTO, 0, len(runs))
	for _, r := range runs {
		out = append(out, RetentionRunDTO{ID: r.ID, At: instantOrEmpty(r.At), AsOf: instantOrEmpty(r.AsOf), Trigger: r.Trigger,
			Result: r.Result, Deleted: r.Deleted, Held: r.Held, Failed: r.Failed, Vacuumed: r.Vacuumed, Report: reportDTO(r.Report)})
	}
	return out, nil
}

// LegalHolds lists every legal hold.
func (a *App) LegalHolds() ([]LegalHoldDTO, error) {
	p, err := a.practice()
	if err != nil {
		return nil, a.uiError("legal holds", err)
	}
	hs, err := p.LegalHolds(a.ctx, "", false)
	if err != nil {
		return nil, a.uiError("legal holds", err)
	}
	return holdsDTO(hs), nil
}

// LegalHoldPlace puts a client's records on hold.
func (a *App) LegalHoldPlace(req LegalHoldPlaceRequest) (LegalHoldDTO, error) {
	p, err := a.practice()
	if err != nil {
		return LegalHoldDTO{}, a.uiError("place legal hold", err)
	}
	h, err := p.PlaceLegalHold(a.ctx, req.ClientID, req.Reason)
	if err != nil {
		return LegalHoldDTO{}, a.uiError("place legal hold", err)
	}
	return holdDTO(h), nil
}

// LegalHoldRelease ends a hold.
func (a *App) LegalHoldRelease(req LegalHoldReleaseRequest) (LegalHoldDTO, error) {
	p, err := a.practice()
	if err != nil {
		return LegalHoldDTO{}, a.uiError("release legal hold", err)
	}
	h, err := p.ReleaseLegalHold(a.ctx, req.ID, req.Reason)
	if err != nil {
		return LegalHoldDTO{}, a.uiError("release legal hold", err)
	}
	return holdDTO(h), nil
}

func holdDTO(h practice.LegalHold) LegalHoldDTO {
	return LegalHoldDTO{ID: h.ID, ClientID: h.ClientID, Reason: h.Reason, PlacedAt: instantOrEmpty(h.PlacedAt), PlacedBy: h.PlacedBy,
		ReleasedAt: instantOrEmpty(h.ReleasedAt), ReleasedBy: h.ReleasedBy, ReleaseReason: h.ReleaseReason}
}

func holdsDTO(hs []practice.LegalHold) []LegalHoldDTO {
	out := make([]LegalHoldDTO, 0, len(hs))
	for _, h := range hs {
		out = append(out, holdDTO(h))
	}
	return out
}

func reportDTO(r practice.RetentionReport) RetentionReportDTO {
	out := RetentionReportDTO{ID: r.ID, AsOf: instantOrEmpty(r.AsOf), RanAt: instantOrEmpty(r.RanAt), DryRun: r.DryRun, Trigger: r.Trigger,
		Deleted: r.Deleted, Held: r.Held, Failed: r.Failed, Vacuumed: r.Vacuumed, Items: make([]RetentionItemDTO, 0, len(r.Results)),
		Holds: holdsDTO(r.Holds)}
	for _, it := range r.Results {
		d := RetentionItemDTO{Category: string(it.Category), ClientID: it.ClientID, Ref: it.Ref, Rule: it.Rule,
			Due: instantOrEmpty(it.Due), Basis: instantOrEmpty(it.Basis), Outcome: it.Outcome, Hold: it.Hold, Error: it.Error,
			Removed: make([]RetentionRemovedDTO, 0, len(it.Removed))}
		for _, rm := range it.Removed {
			cols := rm.Columns
			if cols == nil {
				cols = []string{}
			}
			d.Removed = append(d.Removed, RetentionRemovedDTO{Table: rm.Table, IDs: rm.IDs, Columns: cols})
		}
		out.Items = append(out.Items, d)
	}
	return out
}
