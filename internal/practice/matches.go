package practice

import (
	"context"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/bookings"
	"github.com/calmally/practice/internal/ids"
	"github.com/calmally/practice/internal/matches"
	"github.com/calmally/practice/internal/store"
)

// queuedForSync asks background sync for a round soon, after a local action
// queued a mutation for the platform.
func (p *Practice) queuedForSync() { p.SyncNudge() }

// MatchService is the match inbox of this profile. Like the other services
// it asks for the keys and the audit chain on every call.
func (p *Practice) MatchService() *matches.Service {
	return matches.NewService(matches.Config{
		Store: store.NewMatchStore(p.db, p.AuditChain),
		Keys: func() (matches.Sealer, error) {
			k, err := p.Keys()
			if err != nil {
				return nil, err // not a typed nil in the interface
			}
			return k, nil
		},
		Now:   p.Now,
		Actor: p.opts.Actor,
	})
}

// Matches lists the match proposals, open ones first by deadline (audited
// as one view).
func (p *Practice) Matches(ctx context.Context) ([]matches.Match, error) {
	return p.MatchService().List(ctx)
}

// AcceptMatch accepts a proposal; match.accept is queued for the platform.
// The client's record arrives by sync afterwards.
func (p *Practice) AcceptMatch(ctx context.Context, id string) (matches.Match, error) {
	m, err := p.MatchService().Accept(ctx, id)
	if err == nil {
		p.queuedForSync()
	}
	return m, err
}

// DeclineMatch declines a proposal with a reason code (sent) and an
// optional note (kept here only).
func (p *Practice) DeclineMatch(ctx context.Context, id, reason, note string) (matches.Match, error) {
	m, err := p.MatchService().Decline(ctx, id, matches.DeclineReason(reason), note)
	if err == nil {
		p.queuedForSync()
	}
	return m, err
}

// Earnings is a month's fees, refunds and net, counted in India's calendar.
func (p *Practice) Earnings(ctx context.Context, year int, month time.Month) (bookings.Earnings, error) {
	return p.Bookings().Earnings(ctx, year, month)
}

// Conflict is a place where the platform's state won over a local one, to
// be shown until dismissed. Ids and status codes only.
type Conflict struct {
	ID            string
	EntityType    string // booking | match | grievance | takedown
	EntityID      string
	LocalState    string // e.g. "confirmed"
	PlatformState string // e.g. "cancelled_by_client", or "removed"
	At            time.Time
}

// Conflicts lists the conflicts not yet dismissed, newest first. They name
// no client, so listing them needs no key and is not audited.
func (p *Practice) Conflicts(ctx context.Context) ([]Conflict, error) {
	rows, err := store.NewConflictStore(p.db, p.AuditChain).Conflicts(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Conflict, len(rows))
	for i, r := range rows {
		out[i] = Conflict{ID: r.ID, EntityType: r.EntityType, EntityID: r.EntityID, LocalState: r.LocalState,
			PlatformState: r.PlatformState, At: r.At}
	}
	return out, nil
}

// DismissConflict hides a conflict the practitioner has seen (audited).
func (p *Practice) DismissConflict(ctx context.Context, id string) error {
	if !ids.Valid(id) {
		return apperr.New(apperr.NotFound, "no conflict with that id to dismiss")
	}
	now := p.Now()
	e, err := audit.Event{Action: audit.ActionSync, RecordType: "sync_conflict", RecordID: id,
		Detail: audit.D("op", "dismiss")}.Entry(now, p.opts.Actor)
	if err != nil {
		return err
	}
	return store.NewConflictStore(p.db, p.AuditChain).DismissConflict(ctx, id, now, e)
}
