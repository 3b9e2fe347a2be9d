package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/bookings"
)

// Session decisions (migrations/0016_sessions.sql): the recording decision
// and the reminders of a booking. BookingStore implements
// bookings.SessionStore.

var _ bookings.SessionStore = (*BookingStore)(nil)

// SetRecording records the decision, queues ob and appends e, in one
// transaction.
func (s *BookingStore) SetRecording(ctx context.Context, bookingID string, on bool, at time.Time, ob *bookings.OutboxItem, e audit.Entry) error {
	return s.tx(ctx, func(tx *sql.Tx, chain *audit.Chain) error {
		if _, err := bookingRowTx(ctx, tx, bookingID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO session_recordings (booking_id, recorded, decided_at) VALUES (?, ?, ?)
			ON CONFLICT (booking_id) DO UPDATE SET recorded = excluded.recorded, decided_at = excluded.decided_at`,
			bookingID, on, formatOutboxTime(at)); err != nil {
			return fmt.Errorf("store: record recording decision: %w", err)
		}
		if err := s.sideEffectsTx(ctx, tx, "", ob, time.Time{}); err != nil {
			return err
		}
		_, err := AppendAuditTx(ctx, tx, chain, e)
		return err
	})
}

// SessionState reads a booking's recording request and decision and its
// reminders, oldest first.
func (s *BookingStore) SessionState(ctx context.Context, bookingID string) (bookings.SessionState, error) {
	var st bookings.SessionState
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var requested bool
		if err := tx.QueryRowContext(ctx, `SELECT recording FROM bookings WHERE id = ?`, bookingID).Scan(&requested); errors.Is(err, sql.ErrNoRows) {
			return bookings.ErrNotFound
		} else if err != nil {
			return fmt.Errorf("store: read session: %w", err)
		}
		st.RecordingRequested = requested
		var decided string
		err := tx.QueryRowContext(ctx, `SELECT recorded, decided_at FROM session_recordings WHERE booking_id = ?`, bookingID).
			Scan(&st.RecordingOn, &decided)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return fmt.Errorf("store: read recording decision: %w", err)
		default:
			if st.RecordingAt, err = time.Parse(outboxTimeLayout, decided); err != nil {
				return fmt.Errorf("store: read recording decision: decided_at: %w", err)
			}
		}
		rows, err := tx.QueryContext(ctx, `SELECT trigger, queued_at FROM session_reminders WHERE booking_id = ? ORDER BY queued_at, id`, bookingID)
		if err != nil {
			return fmt.Errorf("store: read reminders: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var r bookings.SentReminder
			var at string
			if err := rows.Scan(&r.Trigger, &at); err != nil {
				return fmt.Errorf("store: read reminder: %w", err)
			}
			if r.At, err = time.Parse(outboxTimeLayout, at); err != nil {
				return fmt.Errorf("store: read reminder: queued_at: %w", err)
			}
			st.RemindersSent = append(st.RemindersSent, r)
		}
		return rows.Err()
	})
	return st, err
}

// QueueReminder records a reminder, queues ob and appends e, in one
// transaction — unless it is automatic and the booking already had its
// automatic reminder (then nothing is written).
func (s *BookingStore) QueueReminder(ctx context.Context, bookingID, trigger string, at time.Time, ob *bookings.OutboxItem, e audit.Entry) (bool, error) {
	queued := false
	err := s.tx(ctx, func(tx *sql.Tx, chain *audit.Chain) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO session_reminders (booking_id, trigger, queued_at) VALUES (?, ?, ?)
			ON CONFLICT DO NOTHING`, bookingID, trigger, formatOutboxTime(at))
		if err != nil {
			return fmt.Errorf("store: queue reminder: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		if err := s.sideEffectsTx(ctx, tx, "", ob, time.Time{}); err != nil {
			return err
		}
		if _, err := AppendAuditTx(ctx, tx, chain, e); err != nil {
			return err
		}
		queued = true
		return nil
	})
	return queued, err
}

// ReminderCandidates lists confirmed platform bookings with a client that
// start in (from, to] and have no automatic reminder, by start.
func (s *BookingStore) ReminderCandidates(ctx context.Context, from, to time.Time) ([]bookings.ReminderCandidate, error) {
	var out []bookings.ReminderCandidate
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT b.id, b.rev, b.client_id, b.start_at, b.payment_status FROM bookings AS b
			WHERE b.source = 'platform' AND b.status = 'confirmed' AND b.client_id IS NOT NULL
			  AND b.start_at > ? AND b.start_at <= ?
			  AND NOT EXISTS (SELECT 1 FROM session_reminders AS r WHERE r.booking_id = b.id AND r.trigger = 'auto')
			ORDER BY b.start_at, b.id`, formatClientTime(from), formatClientTime(to))
		if err != nil {
			return fmt.Errorf("store: reminder candidates: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var c bookings.ReminderCandidate
			var start, pay string
			if err := rows.Scan(&c.ID, &c.Rev, &c.ClientID, &start, &pay); err != nil {
				return fmt.Errorf("store: reminder candidate: %w", err)
			}
			if c.Start, err = time.Parse(clientTimeLayout, start); err != nil {
				return fmt.Errorf("store: reminder candidate: start_at: %w", err)
			}
			c.PaymentStatus = bookings.PaymentStatus(pay)
			out = append(out, c)
		}
		return rows.Err()
	})
	return out, err
}
