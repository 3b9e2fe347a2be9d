package backend

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/calmally/practice/internal/sync/wire"
)

// Match statuses.
const (
	matchProposed  = "proposed"
	matchAccepted  = "accepted"
	matchDeclined  = "declined"
	matchExpired   = "expired"
	matchWithdrawn = "withdrawn"
)

// DeclineReasons are the reasons a therapist may give for declining a match.
var DeclineReasons = []string{"caseload_full", "not_my_specialty", "language", "schedule", "other"}

type matchPayload struct {
	MatchID string    `json:"matchId"`
	Reason  string    `json:"reason"`
	At      time.Time `json:"at"`
}

// loadOpenMatch reads the match a decision is about. A match that is gone,
// expired, withdrawn or decided the other way is closed (match_closed);
// done reports that the decision was already made (a retry: no change).
func loadOpenMatch(a *applyCtx, m wire.Mutation, decision string) (mt wire.Match, done bool, err error) {
	var p matchPayload
	if err := decodePayload(m, &p); err != nil {
		return mt, false, err
	}
	if p.MatchID != m.EntityID {
		return mt, false, rejectInvalid("payload matchId must be the mutation's entityId")
	}
	if decision == matchDeclined && !contains(DeclineReasons, p.Reason) {
		return mt, false, rejectInvalid("decline reason must be caseload_full, not_my_specialty, language, schedule or other")
	}
	e, err := loadEntity(a.ctx, a.tx, a.therapist, wire.TypeMatch, m.EntityID)
	if errors.Is(err, errNoEntity) {
		return mt, false, reject(wire.CodeNotFound, "the platform has no such match")
	}
	if err != nil {
		return mt, false, err
	}
	if e.Deleted {
		return mt, false, reject(wire.CodeMatchClosed, "the match was withdrawn")
	}
	if err := json.Unmarshal(e.Data, &mt); err != nil {
		return mt, false, fmt.Errorf("backend: decode stored match: %w", err)
	}
	switch {
	case mt.Status == decision:
		return mt, true, nil
	case mt.Status != matchProposed:
		return mt, false, reject(wire.CodeMatchClosed, "the match is "+mt.Status)
	case !a.now.Before(mt.RespondBy):
		return mt, false, reject(wire.CodeMatchClosed, "the time to respond to the match has passed")
	}
	return mt, false, nil
}

// applyMatchAccept accepts a proposed match and releases its client's
// minimal record (with the consents the client gave on the platform) as a
// client change.
func applyMatchAccept(a *applyCtx, m wire.Mutation) error {
	mt, done, err := loadOpenMatch(a, m, matchAccepted)
	if err != nil || done {
		return err
	}
	mt.Status = matchAccepted
	if err := a.put(wire.TypeMatch, mt.ID, mt); err != nil {
		return err
	}
	var clientID, data string
	err = a.tx.QueryRowContext(a.ctx, "SELECT client_id, data FROM pending_clients WHERE match_id = ?", mt.ID).Scan(&clientID, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // the platform has no record to release (an operator removed it)
	}
	if err != nil {
		return fmt.Errorf("backend: read pending client: %w", err)
	}
	var c wire.Client
	if err := json.Unmarshal([]byte(data), &c); err != nil {
		return fmt.Errorf("backend: decode pending client: %w", err)
	}
	if err := a.put(wire.TypeClient, clientID, c); err != nil {
		return err
	}
	return a.exec("DELETE FROM pending_clients WHERE match_id = ?", mt.ID)
}

func applyMatchDecline(a *applyCtx, m wire.Mutation) error {
	mt, done, err := loadOpenMatch(a, m, matchDeclined)
	if err != nil || done {
		return err
	}
	mt.Status = matchDeclined
	if err := a.put(wire.TypeMatch, mt.ID, mt); err != nil {
		return err
	}
	return a.exec("DELETE FROM pending_clients WHERE match_id = ?", mt.ID)
}

type minorPayload struct {
	Type string    `json:"type"`
	ID   string    `json:"id"`
	At   time.Time `json:"at"`
}

// applyMinorRefused records that the app refused a record describing a
// minor, and removes that record from the therapist's feed (a tombstone),
// so the app is not offered it again. Nothing of the record is kept with
// the refusal.
func applyMinorRefused(a *applyCtx, m wire.Mutation) error {
	var p minorPayload
	if err := decodePayload(m, &p); err != nil {
		return err
	}
	if p.ID != m.EntityID {
		return rejectInvalid("payload id must be the mutation's entityId")
	}
	if p.Type != wire.TypeMatch && p.Type != wire.TypeClient {
		return rejectInvalid("payload type must be match or client")
	}
	at := p.At
	if at.IsZero() {
		at = m.At
	}
	if err := a.exec(`INSERT INTO minor_refusals(id, therapist_id, type, at) VALUES(?, ?, ?, ?)
		ON CONFLICT(id) DO NOTHING`, p.ID, a.therapist, p.Type, ts(at)); err != nil {
		return err
	}
	if p.Type == wire.TypeMatch {
		if err := a.exec("DELETE FROM pending_clients WHERE match_id = ?", p.ID); err != nil {
			return err
		}
	}
	e, err := loadEntity(a.ctx, a.tx, a.therapist, p.Type, p.ID)
	if errors.Is(err, errNoEntity) || err == nil && e.Deleted {
		return nil
	}
	if err != nil {
		return err
	}
	return a.put(p.Type, p.ID, nil)
}

// MinorRefusal is a record the app refused as a minor's.
type MinorRefusal struct {
	Type string    `json:"type"`
	ID   string    `json:"id"`
	At   time.Time `json:"at"`
}

// MinorRefusals lists the refusals reported by this therapist's devices.
func (b *Backend) MinorRefusals(ctx context.Context) ([]MinorRefusal, error) {
	rows, err := b.db.QueryContext(ctx, "SELECT type, id, at FROM minor_refusals WHERE therapist_id = ? ORDER BY at, id", b.therapist)
	if err != nil {
		return nil, fmt.Errorf("backend: list minor refusals: %w", err)
	}
	defer rows.Close()
	out := []MinorRefusal{}
	for rows.Next() {
		var r MinorRefusal
		var at string
		if err := rows.Scan(&r.Type, &r.ID, &at); err != nil {
			return nil, fmt.Errorf("backend: list minor refusals: %w", err)
		}
		if r.At, err = parseTS(at); err != nil {
			return nil, fmt.Errorf("backend: list minor refusals: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
