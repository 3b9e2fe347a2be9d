package practice

import (
	"context"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/ids"
	"github.com/calmally/practice/internal/sync"
)

// What sync leaves for the practitioner: local changes the backend refused
// (parked: retry or discard) and pulled changes the app refused by rule.

// SyncParked lists the local changes the backend refused for good (or the
// app held back), oldest first: kind, entity id, code, time — no payload.
func (p *Practice) SyncParked(ctx context.Context) ([]sync.Parked, error) {
	if _, err := p.Keys(); err != nil {
		return nil, err
	}
	rows, err := p.syncStore().ParkedRows(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]sync.Parked, len(rows))
	for i, r := range rows {
		out[i] = sync.Parked{OutboxID: r.ID, MutationID: r.MutationID, Kind: r.Kind, EntityID: r.EntityID,
			Code: r.Reason, CreatedAt: r.CreatedAt, Attempts: r.Attempts}
	}
	return out, nil
}

// SyncRefused lists the pulled changes the app refused by rule, newest
// first (ids and codes).
func (p *Practice) SyncRefused(ctx context.Context) ([]sync.Refused, error) {
	if _, err := p.Keys(); err != nil {
		return nil, err
	}
	rows, err := p.syncStore().RejectedChanges(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]sync.Refused, len(rows))
	for i, r := range rows {
		out[i] = sync.Refused{Type: r.Type, EntityID: r.EntityID, Version: r.Version, Code: r.Code, At: r.At}
	}
	return out, nil
}

var errNoParked = apperr.New(apperr.NotFound, "no parked change with that id")

// SyncRetryParked queues a parked change again under a new mutation id
// (the backend has processed the old one), due now. Audited.
func (p *Practice) SyncRetryParked(ctx context.Context, outboxID string) error {
	chain, err := p.AuditChain()
	if err != nil {
		return err
	}
	if !ids.Valid(outboxID) {
		return errNoParked
	}
	e, err := p.syncEntry(audit.D("op", "retry_parked", "outbox", outboxID))
	if err != nil {
		return err
	}
	if _, err := p.syncStore().RequeueParked(ctx, outboxID, p.Now(), chain, e); err != nil {
		return err
	}
	p.SyncNudge()
	p.reportSyncStatus(ctx)
	return nil
}

// SyncDiscardParked drops a parked change: it stays local and the backend
// never hears of it. Audited.
func (p *Practice) SyncDiscardParked(ctx context.Context, outboxID string) error {
	chain, err := p.AuditChain()
	if err != nil {
		return err
	}
	if !ids.Valid(outboxID) {
		return errNoParked
	}
	e, err := p.syncEntry(audit.D("op", "discard_parked", "outbox", outboxID))
	if err != nil {
		return err
	}
	if err := p.syncStore().DiscardParked(ctx, outboxID, chain, e); err != nil {
		return err
	}
	p.reportSyncStatus(ctx)
	return nil
}

// reportSyncStatus tells the app the counts changed.
func (p *Practice) reportSyncStatus(ctx context.Context) {
	if s, err := p.SyncStatus(ctx); err == nil {
		p.emitStatus(s)
	}
}
