package app

import (
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
)

// AuditActions lists the action names for the Audit screen's filter.
func (a *App) AuditActions() ([]string, error) {
	acts := audit.Actions()
	out := make([]string, len(acts))
	for i, x := range acts {
		out[i] = string(x)
	}
	return out, nil
}

// AuditList returns one page of audit entries, newest first.
func (a *App) AuditList(f AuditFilterDTO) (AuditPageDTO, error) {
	p, err := a.practice()
	if err != nil {
		return AuditPageDTO{}, a.uiError("audit list", err)
	}
	filter := audit.Filter{Action: audit.Action(f.Action), RecordID: f.RecordID, Offset: f.Offset, Limit: f.Limit}
	if filter.Limit <= 0 || filter.Limit > 500 {
		filter.Limit = 50
	}
	if f.From != "" {
		if filter.From, err = time.Parse("2006-01-02", f.From); err != nil {
			return AuditPageDTO{}, a.uiError("audit list", apperr.New(apperr.Invalid, "dates are YYYY-MM-DD"))
		}
	}
	if f.To != "" {
		t, err := time.Parse("2006-01-02", f.To)
		if err != nil {
			return AuditPageDTO{}, a.uiError("audit list", apperr.New(apperr.Invalid, "dates are YYYY-MM-DD"))
		}
		filter.To = t.Add(24*time.Hour - time.Nanosecond)
	}
	entries, total, err := p.AuditList(a.ctx, filter)
	if err != nil {
		return AuditPageDTO{}, a.uiError("audit list", err)
	}
	page := AuditPageDTO{Entries: make([]AuditEntryDTO, len(entries)), Total: total}
	for i, e := range entries {
		page.Entries[i] = AuditEntryDTO{Seq: e.Seq, At: e.At.UTC().Format(time.RFC3339), Actor: e.Actor,
			Action: string(e.Action), RecordType: e.RecordType, RecordID: e.RecordID, Detail: e.Detail}
	}
	return page, nil
}

// AuditVerify checks the whole trail for edits, deletions, reordering and
// truncation.
func (a *App) AuditVerify() (AuditVerifyDTO, error) {
	p, err := a.practice()
	if err != nil {
		return AuditVerifyDTO{}, a.uiError("audit verify", err)
	}
	n, err := p.AuditVerify(a.ctx)
	if err != nil {
		if apperr.CodeOf(err) == apperr.Locked {
			return AuditVerifyDTO{}, a.uiError("audit verify", err)
		}
		return AuditVerifyDTO{OK: false, Entries: n, Problem: err.Error()}, nil
	}
	return AuditVerifyDTO{OK: true, Entries: n}, nil
}
