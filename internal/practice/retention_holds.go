package practice

import (
	"context"
	"strings"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/ids"
	"github.com/calmally/practice/internal/retention"
	"github.com/calmally/practice/internal/store"
)

// Manual legal holds: the practitioner pauses retention for a client (a
// dispute, litigation, a regulator's inquiry) with a reason code, and
// releases the hold with another. Both are audited; a released hold stays
// listed as history.

// LegalHold is one manual hold.
type LegalHold struct {
	ID            string    `json:"id"`
	ClientID      string    `json:"clientId"`
	Reason        string    `json:"reason"`
	PlacedAt      time.Time `json:"placedAt"`
	PlacedBy      string    `json:"placedBy"`
	ReleasedAt    time.Time `json:"releasedAt,omitzero"`
	ReleasedBy    string    `json:"releasedBy,omitempty"`
	ReleaseReason string    `json:"releaseReason,omitempty"`
}

func legalHold(r store.LegalHoldRow) LegalHold {
	return LegalHold{ID: r.ID, ClientID: r.ClientID, Reason: r.Reason, PlacedAt: r.PlacedAt, PlacedBy: r.PlacedBy,
		ReleasedAt: r.ReleasedAt, ReleasedBy: r.ReleasedBy, ReleaseReason: r.ReleaseReason}
}

// PlaceLegalHold puts a client's records on hold for reason (one of
// retention.HoldReasons) until it is released.
func (p *Practice) PlaceLegalHold(ctx context.Context, clientID, reason string) (LegalHold, error) {
	if _, err := p.Keys(); err != nil {
		return LegalHold{}, err
	}
	if !retention.ValidHoldReason(reason) {
		return LegalHold{}, apperr.New(apperr.Invalid, "reason: must be one of "+strings.Join(retention.HoldReasons, ", "))
	}
	now := p.Now().Truncate(time.Second)
	h := store.LegalHoldRow{ID: ids.New(now), ClientID: clientID, Reason: reason, PlacedAt: now, PlacedBy: p.opts.Actor}
	e, err := audit.Event{Action: audit.ActionCreate, RecordType: "legal_hold", RecordID: h.ID,
		Detail: audit.D("client", clientID, "reason", reason)}.Entry(now, p.opts.Actor)
	if err != nil {
		// A client id that is not an id cannot name a client.
		return LegalHold{}, apperr.New(apperr.NotFound, "no client with that id")
	}
	if err := p.retentionStore().PlaceHold(ctx, h, e); err != nil {
		return LegalHold{}, err
	}
	return legalHold(h), nil
}

// ReleaseLegalHold ends a hold for reason (one of retention.ReleaseReasons).
func (p *Practice) ReleaseLegalHold(ctx context.Context, holdID, reason string) (LegalHold, error) {
	if _, err := p.Keys(); err != nil {
		return LegalHold{}, err
	}
	if !retention.ValidReleaseReason(reason) {
		return LegalHold{}, apperr.New(apperr.Invalid, "reason: must be one of "+strings.Join(retention.ReleaseReasons, ", "))
	}
	now := p.Now().Truncate(time.Second)
	e, err := audit.Event{Action: audit.ActionEdit, RecordType: "legal_hold", RecordID: holdID,
		Detail: audit.D("op", "release", "reason", reason)}.Entry(now, p.opts.Actor)
	if err != nil {
		return LegalHold{}, apperr.New(apperr.NotFound, "no legal hold with that id")
	}
	r, err := p.retentionStore().ReleaseHold(ctx, holdID, now, p.opts.Actor, reason, e)
	if err != nil {
		return LegalHold{}, err
	}
	return legalHold(r), nil
}

// LegalHolds lists holds (in place first, then newest); clientID "" lists
// every client's; openOnly leaves out released ones.
func (p *Practice) LegalHolds(ctx context.Context, clientID string, openOnly bool) ([]LegalHold, error) {
	if _, err := p.Keys(); err != nil {
		return nil, err
	}
	rows, err := p.retentionStore().Holds(ctx, clientID, openOnly)
	if err != nil {
		return nil, err
	}
	out := make([]LegalHold, 0, len(rows))
	for _, r := range rows {
		out = append(out, legalHold(r))
	}
	return out, nil
}
