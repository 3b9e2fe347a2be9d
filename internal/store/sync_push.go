package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
)

// The sync engine's side of the outbox (docs/outbox.md), beyond the basic
// OutboxStore calls: reading the push queue in order, settling a batch in
// one transaction, and the practitioner's retry and discard of parked rows.

// PushQueue returns up to limit live rows in mutation_id order, stopping
// before the first one not due at now. A row backing off therefore holds
// back the rows after it: the backend remembers only the last mutation id
// it processed, so sending a later id first would make it answer
// "duplicate" to the earlier one, which would then be lost.
func (s *SyncStore) PushQueue(ctx context.Context, now time.Time, limit int) ([]OutboxRow, error) {
	var out []OutboxRow
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE parked_reason IS NULL
			ORDER BY mutation_id LIMIT ?`, limit)
		if err != nil {
			return fmt.Errorf("store: read push queue: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanOutbox(rows)
			if err != nil {
				return fmt.Errorf("store: read push queue: %w", err)
			}
			if r.NextAttemptAt.After(now) {
				break
			}
			out = append(out, r)
		}
		return rows.Err()
	})
	return out, err
}

// NextPushAt returns when the first live row is due (zero if none).
func (s *SyncStore) NextPushAt(ctx context.Context) (time.Time, error) {
	var next sql.NullString
	if err := s.db.sql.QueryRowContext(ctx, `SELECT next_attempt_at FROM outbox WHERE parked_reason IS NULL
		ORDER BY mutation_id LIMIT 1`).Scan(&next); err != nil && err != sql.ErrNoRows {
		return time.Time{}, fmt.Errorf("store: read push queue: %w", err)
	}
	return parseOptTime(next)
}

// Park is one row to park and its reason code.
type Park struct {
	ID, Reason string
}

// SettlePush deletes the rows the backend applied (or had applied before)
// and parks the ones it rejected, in one transaction: a crash cannot ack a
// batch but forget its rejections (a re-sent rejected mutation would come
// back "duplicate" and be acknowledged silently).
func (s *SyncStore) SettlePush(ctx context.Context, acked []string, parked []Park) error {
	for _, p := range parked {
		if !validParkReason(p.Reason) {
			return apperr.New(apperr.Invalid, "outbox: a park reason is a short code")
		}
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, id := range acked {
			if _, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE id = ?`, id); err != nil {
				return fmt.Errorf("store: acknowledge mutation: %w", err)
			}
		}
		for _, p := range parked {
			if _, err := tx.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1, parked_reason = ? WHERE id = ?`,
				p.Reason, p.ID); err != nil {
				return fmt.Errorf("store: park mutation: %w", err)
			}
		}
		return nil
	})
}

func validParkReason(r string) bool { return r != "" && len(r) <= 64 }

// RetryPush counts a failed attempt on each row and makes them due again at
// next, in one transaction.
func (s *SyncStore) RetryPush(ctx context.Context, ids []string, next time.Time) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?
				WHERE id = ? AND parked_reason IS NULL`, formatOutboxTime(next), id); err != nil {
				return fmt.Errorf("store: reschedule mutation: %w", err)
			}
		}
		return nil
	})
}

// ParkedRow is a parked mutation as the practitioner sees it: what and why,
// never the payload.
type ParkedRow struct {
	ID         string
	MutationID int64
	Kind       string
	EntityID   string
	Reason     string
	CreatedAt  time.Time
	Attempts   int
}

// ParkedRows lists the parked rows, oldest first.
func (s *SyncStore) ParkedRows(ctx context.Context) ([]ParkedRow, error) {
	rows, err := s.db.sql.QueryContext(ctx, `SELECT id, mutation_id, kind, entity_id, parked_reason, created_at, attempts
		FROM outbox WHERE parked_reason IS NOT NULL ORDER BY mutation_id`)
	if err != nil {
		return nil, fmt.Errorf("store: read parked mutations: %w", err)
	}
	defer rows.Close()
	var out []ParkedRow
	for rows.Next() {
		var r ParkedRow
		var created string
		if err := rows.Scan(&r.ID, &r.MutationID, &r.Kind, &r.EntityID, &r.Reason, &created, &r.Attempts); err != nil {
			return nil, fmt.Errorf("store: read parked mutations: %w", err)
		}
		if r.CreatedAt, err = time.Parse(outboxTimeLayout, created); err != nil {
			return nil, fmt.Errorf("store: read parked mutations: created_at: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: read parked mutations: %w", err)
	}
	return out, nil
}

var errNoParkedRow = apperr.New(apperr.NotFound, "no parked change with that id")

// RequeueParked makes a parked row live again under a new mutation id (the
// backend has processed the old one and would answer "duplicate"), due at
// now, with its audit entry. It returns the new mutation id.
func (s *SyncStore) RequeueParked(ctx context.Context, id string, now time.Time, chain *audit.Chain, e audit.Entry) (int64, error) {
	var mid int64
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := parkedExistsTx(ctx, tx, id); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `UPDATE outbox_sequence SET last_mutation_id = last_mutation_id + 1
			WHERE id = 1 RETURNING last_mutation_id`).Scan(&mid); err != nil {
			return fmt.Errorf("store: requeue mutation: next mutation id: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET mutation_id = ?, parked_reason = NULL, attempts = 0,
			next_attempt_at = ? WHERE id = ?`, mid, formatOutboxTime(now), id); err != nil {
			return fmt.Errorf("store: requeue mutation: %w", err)
		}
		_, err := AppendAuditTx(ctx, tx, chain, e)
		return err
	})
	return mid, err
}

// DiscardParked deletes a parked row with its audit entry: the change stays
// local and the backend never hears of it.
func (s *SyncStore) DiscardParked(ctx context.Context, id string, chain *audit.Chain, e audit.Entry) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := parkedExistsTx(ctx, tx, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE id = ?`, id); err != nil {
			return fmt.Errorf("store: discard mutation: %w", err)
		}
		_, err := AppendAuditTx(ctx, tx, chain, e)
		return err
	})
}

func parkedExistsTx(ctx context.Context, tx *sql.Tx, id string) error {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM outbox WHERE id = ? AND parked_reason IS NOT NULL`, id).Scan(&one)
	if err == sql.ErrNoRows {
		return errNoParkedRow
	}
	if err != nil {
		return fmt.Errorf("store: read parked mutation: %w", err)
	}
	return nil
}

// QueueMutation queues one mutation in a transaction of its own, due at
// once, for writers whose change has nothing else to commit beside it.
// payload is sealed by the caller (OutboxPayloadAD(id)).
func (s *SyncStore) QueueMutation(ctx context.Context, id, kind, entityID string, payload []byte, at time.Time) (int64, error) {
	var mid int64
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		mid, err = insertOutboxTx(ctx, tx, id, kind, entityID, payload, at)
		return err
	})
	return mid, err
}

// BookingClient is the local client a booking is for ("" for none: a
// platform booking not yet linked, a walk-in without a client). An id, not
// client data: the read is not audited.
func (s *SyncStore) BookingClient(ctx context.Context, bookingID string) (string, error) {
	var client sql.NullString
	err := s.db.sql.QueryRowContext(ctx, `SELECT client_id FROM bookings WHERE id = ?`, bookingID).Scan(&client)
	if err == sql.ErrNoRows {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: read booking client: %w", err)
	}
	return client.String, nil
}
