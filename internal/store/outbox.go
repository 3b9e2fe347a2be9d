package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/vault"
)

// The outbox (migrations/0006_bookings.sql, docs/outbox.md).
//
// Contract between the writers (domain services, through their stores) and
// the sync engine that drains it:
//
//   - A row is written in the SAME transaction as the local change it
//     describes (insertOutboxTx), so a change never commits without its
//     mutation, nor a mutation without its change.
//   - mutation_id is assigned here from outbox_sequence: strictly increasing
//     for this profile, never reused (not even after rows are acknowledged
//     and deleted). With the device id it is what the backend deduplicates
//     on, so a retried push is applied exactly once.
//   - payload is sealed by the domain service (AD: table "outbox", column
//     "payload", row id, rev 1); the store never sees it in the clear. It is
//     JSON; its fields per kind are listed in docs/outbox.md.
//   - The engine reads due rows in mutation_id order (OutboxDue), deletes
//     those the backend applied (OutboxAck), reschedules transient failures
//     (OutboxRetry: attempts+1, next_attempt_at) and parks permanent
//     rejections (OutboxPark: a machine reason code, never client data).
//     A parked row is shown to the user and no longer due; it does not block
//     the rows after it.

func init() {
	registerSealed(SealedColumn{Table: "outbox", Column: "payload"})
}

// outboxTimeLayout is fixed-width UTC with nanoseconds, so text order is
// time order.
const outboxTimeLayout = "2006-01-02T15:04:05.000000000Z"

func formatOutboxTime(t time.Time) string { return t.UTC().Format(outboxTimeLayout) }

// OutboxRow is one queued mutation as stored.
type OutboxRow struct {
	ID            string
	MutationID    int64
	Kind          string
	EntityID      string
	Payload       []byte // envelope (outbox, payload, ID, 1)
	CreatedAt     time.Time
	Attempts      int
	NextAttemptAt time.Time
	ParkedReason  string // "" while live
}

// insertOutboxTx queues a mutation inside tx and returns its mutation id.
// It is due at once.
func insertOutboxTx(ctx context.Context, tx *sql.Tx, id, kind, entityID string, payload []byte, at time.Time) (int64, error) {
	if id == "" || kind == "" || entityID == "" || len(payload) == 0 {
		return 0, errors.New("store: queue mutation: id, kind, entity and payload are required")
	}
	var mid int64
	if err := tx.QueryRowContext(ctx, `UPDATE outbox_sequence SET last_mutation_id = last_mutation_id + 1
		WHERE id = 1 RETURNING last_mutation_id`).Scan(&mid); err != nil {
		return 0, fmt.Errorf("store: queue mutation: next mutation id: %w", err)
	}
	ts := formatOutboxTime(at)
	if _, err := tx.ExecContext(ctx, `INSERT INTO outbox (id, rev, mutation_id, kind, entity_id, payload, created_at, attempts, next_attempt_at)
		VALUES (?, 1, ?, ?, ?, ?, ?, 0, ?)`, id, mid, kind, entityID, payload, ts, ts); err != nil {
		return 0, fmt.Errorf("store: queue mutation: %w", err)
	}
	return mid, nil
}

// OutboxStore is the sync engine's view of the outbox.
type OutboxStore struct{ db *DB }

// NewOutboxStore returns the outbox store.
func NewOutboxStore(db *DB) *OutboxStore { return &OutboxStore{db: db} }

const outboxColumns = `id, mutation_id, kind, entity_id, payload, created_at, attempts, next_attempt_at, parked_reason`

func scanOutbox(sc scanner) (OutboxRow, error) {
	var r OutboxRow
	var created, next string
	var parked sql.NullString
	if err := sc.Scan(&r.ID, &r.MutationID, &r.Kind, &r.EntityID, &r.Payload, &created, &r.Attempts, &next, &parked); err != nil {
		return OutboxRow{}, err
	}
	var err error
	if r.CreatedAt, err = time.Parse(outboxTimeLayout, created); err != nil {
		return OutboxRow{}, fmt.Errorf("created_at: %w", err)
	}
	if r.NextAttemptAt, err = time.Parse(outboxTimeLayout, next); err != nil {
		return OutboxRow{}, fmt.Errorf("next_attempt_at: %w", err)
	}
	r.ParkedReason = parked.String
	return r, nil
}

func (s *OutboxStore) query(ctx context.Context, q string, args ...any) ([]OutboxRow, error) {
	var out []OutboxRow
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("store: read outbox: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanOutbox(rows)
			if err != nil {
				return fmt.Errorf("store: read outbox: %w", err)
			}
			out = append(out, r)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: read outbox: %w", err)
		}
		return nil
	})
	return out, err
}

// OutboxDue returns up to limit live rows due at now, in mutation_id order.
func (s *OutboxStore) OutboxDue(ctx context.Context, now time.Time, limit int) ([]OutboxRow, error) {
	return s.query(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE parked_reason IS NULL AND next_attempt_at <= ?
		ORDER BY mutation_id LIMIT ?`, formatOutboxTime(now), limit)
}

// OutboxAll returns every row (live and parked), in mutation_id order.
func (s *OutboxStore) OutboxAll(ctx context.Context) ([]OutboxRow, error) {
	return s.query(ctx, `SELECT `+outboxColumns+` FROM outbox ORDER BY mutation_id`)
}

// OutboxAck deletes the rows the backend applied.
func (s *OutboxStore) OutboxAck(ctx context.Context, ids ...string) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE id = ?`, id); err != nil {
				return fmt.Errorf("store: acknowledge mutation: %w", err)
			}
		}
		return nil
	})
}

// OutboxRetry counts a failed attempt and makes the row due again at next.
func (s *OutboxStore) OutboxRetry(ctx context.Context, id string, next time.Time) error {
	return s.update(ctx, `UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ? WHERE id = ? AND parked_reason IS NULL`,
		formatOutboxTime(next), id)
}

// OutboxPark stops retrying a row the backend rejected for good; reason is
// a machine code (it is shown translated, and never holds client data).
func (s *OutboxStore) OutboxPark(ctx context.Context, id, reason string) error {
	if reason == "" || len(reason) > 64 {
		return apperr.New(apperr.Invalid, "outbox: a park reason is a short code")
	}
	return s.update(ctx, `UPDATE outbox SET attempts = attempts + 1, parked_reason = ? WHERE id = ?`, reason, id)
}

func (s *OutboxStore) update(ctx context.Context, q string, args ...any) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("store: update outbox: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("store: update outbox: %w", err)
		}
		if n != 1 {
			return apperr.New(apperr.NotFound, "no live outbox row with that id")
		}
		return nil
	})
}

// OutboxPayloadAD is the associated data an outbox payload is sealed with.
func OutboxPayloadAD(id string) vault.AD {
	return vault.AD{Table: "outbox", Column: "payload", RowID: id, Revision: 1}
}
