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

// rejection is a mutation refused for good: it counts as processed and the
// device is told the code. Any other error from an applier aborts the push.
type rejection struct{ code, message string }

func (r *rejection) Error() string { return r.code + ": " + r.message }

func reject(code, message string) error { return &rejection{code: code, message: message} }

func rejectInvalid(message string) error { return reject(wire.CodeInvalid, message) }

// applyCtx is what an applier works with: the push's transaction, the
// device's therapist and the time of the push.
type applyCtx struct {
	ctx       context.Context
	tx        *sql.Tx
	therapist string
	now       time.Time
}

func (a *applyCtx) load(typ, id string, v any) (entity, error) {
	return loadLive(a.ctx, a.tx, a.therapist, typ, id, v)
}

func (a *applyCtx) put(typ, id string, data any) error {
	_, err := putEntity(a.ctx, a.tx, a.now, a.therapist, typ, id, data)
	return err
}

func (a *applyCtx) exec(query string, args ...any) error {
	if _, err := a.tx.ExecContext(a.ctx, query, args...); err != nil {
		return fmt.Errorf("backend: apply: %w", err)
	}
	return nil
}

type applier func(a *applyCtx, m wire.Mutation) error

// appliers holds the business rule of every mutation kind of this protocol
// version; a kind missing here is rejected unknown_kind.
var appliers = map[string]applier{
	wire.KindBookingConfirm:       applyBookingMove,
	wire.KindBookingDecline:       applyBookingMove,
	wire.KindBookingCancel:        applyBookingMove,
	wire.KindBookingComplete:      applyBookingMove,
	wire.KindBookingNoShow:        applyBookingMove,
	wire.KindBookingWalkIn:        applyWalkIn,
	wire.KindBookingRecording:     applyRecording,
	wire.KindBookingRemind:        applyRemind,
	wire.KindAvailabilityPublish:  applyAvailability,
	wire.KindConsentGrant:         applyConsent,
	wire.KindConsentWithdraw:      applyConsent,
	wire.KindMatchAccept:          applyMatchAccept,
	wire.KindMatchDecline:         applyMatchDecline,
	wire.KindMinorRefused:         applyMinorRefused,
	wire.KindGrievanceAcknowledge: applyGrievance,
	wire.KindGrievanceResolve:     applyGrievance,
	wire.KindTakedownRemove:       applyTakedown,
	wire.KindTakedownDispute:      applyTakedown,
	wire.KindProfileSubmit:        applyProfileSubmit,
}

// decodePayload reads a mutation's payload as the typed document v.
func decodePayload(m wire.Mutation, v any) error {
	b, err := json.Marshal(m.Payload)
	if err != nil {
		return rejectInvalid("payload is not JSON")
	}
	if err := json.Unmarshal(b, v); err != nil {
		return rejectInvalid("payload does not have the shape of " + m.Kind)
	}
	return nil
}

// Push applies a batch from an authenticated device in one transaction.
// Mutations at or below the device's last processed id are answered
// duplicate and not applied again; the others are applied or rejected, in
// order, and recorded.
func (b *Backend) Push(ctx context.Context, dev Device, req wire.PushRequest) (wire.PushResponse, error) {
	if req.DeviceID != dev.ID {
		return wire.PushResponse{}, errMismatch
	}
	now := b.now()
	resp := wire.PushResponse{Results: make([]wire.MutationResult, 0, len(req.Mutations))}
	err := b.write(ctx, func(tx *sql.Tx) error {
		resp.Results = resp.Results[:0]
		var last int64
		var revoked sql.NullString
		if err := tx.QueryRowContext(ctx, "SELECT last_mutation_id, revoked_at FROM devices WHERE id = ?", dev.ID).Scan(&last, &revoked); err != nil {
			return fmt.Errorf("backend: read device: %w", err)
		}
		if revoked.Valid {
			return errRevoked
		}
		a := &applyCtx{ctx: ctx, tx: tx, therapist: dev.TherapistID, now: now}
		for _, m := range req.Mutations {
			if m.ID <= last {
				resp.Results = append(resp.Results, wire.MutationResult{ID: m.ID, Status: wire.ResultDuplicate})
				continue
			}
			r, err := applyOne(a, m)
			if err != nil {
				return err
			}
			if err := logMutation(a, dev.ID, m, r); err != nil {
				return err
			}
			resp.Results = append(resp.Results, r)
			last = m.ID
		}
		resp.LastMutationID = last
		if _, err := tx.ExecContext(ctx, "UPDATE devices SET last_mutation_id = ? WHERE id = ?", last, dev.ID); err != nil {
			return fmt.Errorf("backend: record last mutation: %w", err)
		}
		return nil
	})
	if err != nil {
		return wire.PushResponse{}, err
	}
	return resp, nil
}

// applyOne runs one mutation inside a savepoint, so that a rejection
// leaves nothing of what the applier wrote before it refused.
func applyOne(a *applyCtx, m wire.Mutation) (wire.MutationResult, error) {
	fn, ok := appliers[m.Kind]
	if !ok {
		return wire.MutationResult{ID: m.ID, Status: wire.ResultRejected, Code: wire.CodeUnknownKind,
			Message: "this backend does not know the mutation kind"}, nil
	}
	if err := a.exec("SAVEPOINT mutation"); err != nil {
		return wire.MutationResult{}, err
	}
	err := fn(a, m)
	var rej *rejection
	if errors.As(err, &rej) {
		if err := a.exec("ROLLBACK TO mutation"); err != nil {
			return wire.MutationResult{}, err
		}
	} else if err != nil {
		return wire.MutationResult{}, err
	}
	if err := a.exec("RELEASE mutation"); err != nil {
		return wire.MutationResult{}, err
	}
	if rej != nil {
		return wire.MutationResult{ID: m.ID, Status: wire.ResultRejected, Code: rej.code, Message: rej.message}, nil
	}
	return wire.MutationResult{ID: m.ID, Status: wire.ResultApplied}, nil
}

func logMutation(a *applyCtx, device string, m wire.Mutation, r wire.MutationResult) error {
	payload, err := json.Marshal(m.Payload)
	if err != nil {
		return fmt.Errorf("backend: log mutation: %w", err)
	}
	return a.exec(`INSERT INTO mutations(device_id, mutation_id, kind, entity_id, payload, at, received_at, status, code)
		VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)`, device, m.ID, m.Kind, m.EntityID, string(payload), ts(m.At), ts(a.now), r.Status, r.Code)
}

// ReceivedMutation is one processed mutation as the backend recorded it.
type ReceivedMutation struct {
	DeviceID   string          `json:"deviceId"`
	MutationID int64           `json:"mutationId"`
	Kind       string          `json:"kind"`
	EntityID   string          `json:"entityId"`
	Payload    json.RawMessage `json:"payload"`
	At         time.Time       `json:"at"`
	ReceivedAt time.Time       `json:"receivedAt"`
	Status     string          `json:"status"` // applied | rejected
	Code       string          `json:"code,omitempty"`
}

// Mutations lists what reached the backend from this view's therapist's
// devices, in the order processed (duplicates are not listed: they were
// not processed again).
func (b *Backend) Mutations(ctx context.Context) ([]ReceivedMutation, error) {
	rows, err := b.db.QueryContext(ctx, `SELECT m.device_id, m.mutation_id, m.kind, m.entity_id, m.payload, m.at, m.received_at, m.status, m.code
		FROM mutations m JOIN devices d ON d.id = m.device_id WHERE d.therapist_id = ? ORDER BY m.seq`, b.therapist)
	if err != nil {
		return nil, fmt.Errorf("backend: list mutations: %w", err)
	}
	defer rows.Close()
	out := []ReceivedMutation{}
	for rows.Next() {
		var r ReceivedMutation
		var payload, at, received string
		if err := rows.Scan(&r.DeviceID, &r.MutationID, &r.Kind, &r.EntityID, &payload, &at, &received, &r.Status, &r.Code); err != nil {
			return nil, fmt.Errorf("backend: list mutations: %w", err)
		}
		r.Payload = json.RawMessage(payload)
		if r.At, err = parseTS(at); err != nil {
			return nil, fmt.Errorf("backend: list mutations: %w", err)
		}
		if r.ReceivedAt, err = parseTS(received); err != nil {
			return nil, fmt.Errorf("backend: list mutations: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
