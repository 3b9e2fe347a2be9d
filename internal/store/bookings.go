package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/bookings"
)

// The bookings table (migrations/0006_bookings.sql). Sealed columns arrive
// and leave as envelopes; this file never sees plaintext.

func init() {
	for _, c := range bookings.SealedColumns {
		registerSealed(SealedColumn{Table: bookings.TableBookings, Column: c})
	}
}

const bookingPlain = "id, rev, source, status, client_id, start_at, end_at, modality, fee_paise, payment_status, " +
	"rescheduled_from, rescheduled_to, created_at, updated_at"

var bookingColumns = bookingPlain + ", " + strings.Join(bookings.SealedColumns, ", ")

// BookingStore implements bookings.Store on the database.
type BookingStore struct {
	db    *DB
	chain func() (*audit.Chain, error)
}

var _ bookings.Store = (*BookingStore)(nil)

// NewBookingStore returns the booking store; chain yields the audit chain,
// or a locked error while the vault is locked.
func NewBookingStore(db *DB, chain func() (*audit.Chain, error)) *BookingStore {
	return &BookingStore{db: db, chain: chain}
}

func (s *BookingStore) tx(ctx context.Context, fn func(tx *sql.Tx, chain *audit.Chain) error) error {
	chain, err := s.chain()
	if err != nil {
		return err
	}
	if chain == nil {
		return apperr.New(apperr.Locked, "the vault is locked")
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error { return fn(tx, chain) })
}

func nullText(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func bookingArgs(r bookings.Row) ([]any, error) {
	args := []any{r.ID, r.Rev, string(r.Source), string(r.Status), nullText(r.ClientID),
		formatClientTime(r.Start), formatClientTime(r.End), string(r.Modality), r.FeePaise, string(r.PaymentStatus),
		nullText(r.RescheduledFrom), nullText(r.RescheduledTo), formatClientTime(r.CreatedAt), formatClientTime(r.UpdatedAt)}
	for _, c := range bookings.SealedColumns {
		env := r.Sealed[c]
		if len(env) == 0 {
			return nil, fmt.Errorf("store: write booking: sealed column %s missing", c)
		}
		args = append(args, env)
	}
	return args, nil
}

func bookingClientTx(ctx context.Context, tx *sql.Tx, id string) error {
	var one int
	err := txQueryRow(ctx, tx, `SELECT 1 FROM clients WHERE id = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return bookings.ErrClientNotFound
	}
	if err != nil {
		return fmt.Errorf("store: read client: %w", err)
	}
	return nil
}

// InsertBooking adds r with its audit entry and outbox item in one
// transaction.
func (s *BookingStore) InsertBooking(ctx context.Context, r bookings.Row, e audit.Entry, ob *bookings.OutboxItem, mark time.Time) error {
	args, err := bookingArgs(r)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx, chain *audit.Chain) error {
		if r.ClientID != "" {
			if err := bookingClientTx(ctx, tx, r.ClientID); err != nil {
				return err
			}
		}
		q := `INSERT INTO bookings (` + bookingColumns + `) VALUES (?` + strings.Repeat(", ?", len(args)-1) + `)`
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("store: insert booking: %w", err)
		}
		if err := s.sideEffectsTx(ctx, tx, r.ClientID, ob, mark); err != nil {
			return err
		}
		_, err := AppendAuditTx(ctx, tx, chain, e)
		return err
	})
}

// sideEffectsTx queues ob and moves the client's last interaction.
func (s *BookingStore) sideEffectsTx(ctx context.Context, tx *sql.Tx, clientID string, ob *bookings.OutboxItem, mark time.Time) error {
	if ob != nil {
		if _, err := insertOutboxTx(ctx, tx, ob.ID, ob.Kind, ob.EntityID, ob.Payload, ob.CreatedAt); err != nil {
			return err
		}
	}
	if clientID != "" && !mark.IsZero() {
		return MarkClientInteractionTx(ctx, tx, clientID, mark)
	}
	return nil
}

func scanBooking(sc scanner) (bookings.Row, error) {
	var r bookings.Row
	var source, status, start, end, modality, payment, created, updated string
	var client, from, to sql.NullString
	envs := make([][]byte, len(bookings.SealedColumns))
	dest := []any{&r.ID, &r.Rev, &source, &status, &client, &start, &end, &modality, &r.FeePaise, &payment,
		&from, &to, &created, &updated}
	for i := range envs {
		dest = append(dest, &envs[i])
	}
	if err := sc.Scan(dest...); err != nil {
		return bookings.Row{}, err
	}
	r.Source, r.Status, r.Modality, r.PaymentStatus = bookings.Source(source), bookings.Status(status),
		bookings.Modality(modality), bookings.PaymentStatus(payment)
	r.ClientID, r.RescheduledFrom, r.RescheduledTo = client.String, from.String, to.String
	for _, f := range []struct {
		name string
		s    string
		t    *time.Time
	}{{"start_at", start, &r.Start}, {"end_at", end, &r.End}, {"created_at", created, &r.CreatedAt}, {"updated_at", updated, &r.UpdatedAt}} {
		t, err := time.Parse(clientTimeLayout, f.s)
		if err != nil {
			return bookings.Row{}, fmt.Errorf("%s: %w", f.name, err)
		}
		*f.t = t
	}
	r.Sealed = make(map[string][]byte, len(envs))
	for i, c := range bookings.SealedColumns {
		r.Sealed[c] = envs[i]
	}
	return r, nil
}

func bookingRowTx(ctx context.Context, tx *sql.Tx, id string) (bookings.Row, error) {
	r, err := scanBooking(txQueryRow(ctx, tx, `SELECT `+bookingColumns+` FROM bookings WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return bookings.Row{}, bookings.ErrNotFound
	}
	if err != nil {
		return bookings.Row{}, fmt.Errorf("store: read booking: %w", err)
	}
	return r, nil
}

// BookingRow reads one booking and records view in the same transaction.
func (s *BookingStore) BookingRow(ctx context.Context, id string, view audit.Entry) (bookings.Row, error) {
	var r bookings.Row
	err := s.tx(ctx, func(tx *sql.Tx, chain *audit.Chain) error {
		var err error
		if r, err = bookingRowTx(ctx, tx, id); err != nil {
			return err
		}
		_, err = AppendAuditTx(ctx, tx, chain, view)
		return err
	})
	return r, err
}

// BookingRows reads the bookings overlapping [from, to), by start, and
// records view.
func (s *BookingStore) BookingRows(ctx context.Context, from, to time.Time, view audit.Entry) ([]bookings.Row, error) {
	var out []bookings.Row
	err := s.tx(ctx, func(tx *sql.Tx, chain *audit.Chain) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+bookingColumns+` FROM bookings
			WHERE start_at < ? AND end_at > ? ORDER BY start_at, id`, formatClientTime(to), formatClientTime(from))
		if err != nil {
			return fmt.Errorf("store: list bookings: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanBooking(rows)
			if err != nil {
				return fmt.Errorf("store: list bookings: %w", err)
			}
			out = append(out, r)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: list bookings: %w", err)
		}
		_, err = AppendAuditTx(ctx, tx, chain, view)
		return err
	})
	return out, err
}

// ClientBookingRows reads one client's bookings, latest start first (the
// bookings_client index), and records view.
func (s *BookingStore) ClientBookingRows(ctx context.Context, clientID string, view audit.Entry) ([]bookings.Row, error) {
	var out []bookings.Row
	err := s.tx(ctx, func(tx *sql.Tx, chain *audit.Chain) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+bookingColumns+` FROM bookings
			WHERE client_id = ? ORDER BY start_at DESC, id DESC`, clientID)
		if err != nil {
			return fmt.Errorf("store: list client bookings: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanBooking(rows)
			if err != nil {
				return fmt.Errorf("store: list client bookings: %w", err)
			}
			out = append(out, r)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: list client bookings: %w", err)
		}
		_, err = AppendAuditTx(ctx, tx, chain, view)
		return err
	})
	return out, err
}

// UpdateBooking reads the row, lets fn decide the change and writes row,
// audit entry, outbox item and the client's last interaction in one
// transaction, only if the row is still at the revision read.
func (s *BookingStore) UpdateBooking(ctx context.Context, id string, fn func(cur bookings.Row) (bookings.Change, error)) error {
	return s.tx(ctx, func(tx *sql.Tx, chain *audit.Chain) error {
		cur, err := bookingRowTx(ctx, tx, id)
		if err != nil {
			return err
		}
		ch, err := fn(cur)
		if err != nil {
			return err
		}
		n := ch.Next
		if n.ID != cur.ID || n.Rev != cur.Rev+1 {
			return fmt.Errorf("store: update booking: change does not follow revision %d", cur.Rev)
		}
		args, err := bookingArgs(n)
		if err != nil {
			return err
		}
		cols := strings.Split(bookingColumns, ", ")
		var sets []string
		var vals []any
		for i, c := range cols {
			if c == "id" || c == "created_at" || c == "source" {
				continue
			}
			sets = append(sets, c+" = ?")
			vals = append(vals, args[i])
		}
		vals = append(vals, cur.ID, cur.Rev)
		res, err := tx.ExecContext(ctx, `UPDATE bookings SET `+strings.Join(sets, ", ")+` WHERE id = ? AND rev = ?`, vals...)
		if err != nil {
			return fmt.Errorf("store: update booking: %w", err)
		}
		if k, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("store: update booking: %w", err)
		} else if k != 1 {
			return bookings.ErrStale
		}
		if err := s.sideEffectsTx(ctx, tx, n.ClientID, ch.Outbox, ch.MarkInteraction); err != nil {
			return err
		}
		_, err = AppendAuditTx(ctx, tx, chain, ch.Audit)
		return err
	})
}

// BusyIntervals lists requested and confirmed bookings overlapping [from,
// to). It reads plain columns only and works while locked.
func (s *BookingStore) BusyIntervals(ctx context.Context, from, to time.Time) ([]bookings.Interval, error) {
	var out []bookings.Interval
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, start_at, end_at FROM bookings
			WHERE status IN ('requested', 'confirmed') AND start_at < ? AND end_at > ? ORDER BY start_at, id`,
			formatClientTime(to), formatClientTime(from))
		if err != nil {
			return fmt.Errorf("store: list busy times: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var iv bookings.Interval
			var st, en string
			if err := rows.Scan(&iv.ID, &st, &en); err != nil {
				return fmt.Errorf("store: list busy times: %w", err)
			}
			if iv.Start, err = time.Parse(clientTimeLayout, st); err != nil {
				return fmt.Errorf("store: list busy times: start_at: %w", err)
			}
			if iv.End, err = time.Parse(clientTimeLayout, en); err != nil {
				return fmt.Errorf("store: list busy times: end_at: %w", err)
			}
			out = append(out, iv)
		}
		return rows.Err()
	})
	return out, err
}

// RecordAudit appends e in its own transaction.
func (s *BookingStore) RecordAudit(ctx context.Context, e audit.Entry) error {
	return s.tx(ctx, func(tx *sql.Tx, chain *audit.Chain) error {
		_, err := AppendAuditTx(ctx, tx, chain, e)
		return err
	})
}
