package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/bookings"
)

// Platform applies of bookings (bookings.PlatformStore): the booking row
// written as bookings.go writes it, plus the sync columns of migration 0012
// (recording, client_ref, remote_version, removed_at), a conflict and the
// back link of a reschedule, in one transaction.

var _ bookings.PlatformStore = (*BookingStore)(nil)

const bookingSyncColumns = "recording, client_ref, remote_version, removed_at"

func bookingSyncInfoTx(ctx context.Context, tx *sql.Tx, id string) (bookings.SyncInfo, error) {
	var info bookings.SyncInfo
	var ref, removed sql.NullString
	var version sql.NullInt64
	err := txQueryRow(ctx, tx, `SELECT `+bookingSyncColumns+` FROM bookings WHERE id = ?`, id).
		Scan(&info.Recording, &ref, &version, &removed)
	if errors.Is(err, sql.ErrNoRows) {
		return bookings.SyncInfo{}, bookings.ErrNotFound
	}
	if err != nil {
		return bookings.SyncInfo{}, fmt.Errorf("store: read booking sync columns: %w", err)
	}
	info.ClientRef, info.RemoteVersion = ref.String, version.Int64
	info.RemovedAt, err = parseSyncedTime("removed_at", removed)
	return info, err
}

func syncArgs(info bookings.SyncInfo) []any {
	var version any
	if info.RemoteVersion > 0 {
		version = info.RemoteVersion
	}
	return []any{info.Recording, nullText(info.ClientRef), version, syncedTime(info.RemovedAt)}
}

// platformViewTx reads what an apply needs to decide.
func platformViewTx(ctx context.Context, tx *sql.Tx, id, clientRef, from string) (bookings.PlatformView, error) {
	var v bookings.PlatformView
	cur, err := bookingRowTx(ctx, tx, id)
	switch {
	case errors.Is(err, bookings.ErrNotFound):
	case err != nil:
		return v, err
	default:
		v.Cur = &cur
		if v.Info, err = bookingSyncInfoTx(ctx, tx, id); err != nil {
			return v, err
		}
		if v.Queued, v.Parked, err = outboxPendingTx(ctx, tx, id, "booking."); err != nil {
			return v, err
		}
	}
	if clientRef != "" {
		if v.RefClient, err = platformClientTx(ctx, tx, clientRef); err != nil {
			return v, err
		}
	}
	if from != "" {
		var one int
		err := txQueryRow(ctx, tx, `SELECT 1 FROM bookings WHERE id = ?`, from).Scan(&one)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return v, fmt.Errorf("store: read booking: %w", err)
		}
		v.FromKnown = err == nil
	}
	return v, nil
}

// ApplyPlatformBooking reads the view of booking id, lets fn decide, and
// writes the row, its sync columns, conflict, reschedule link, the client's
// last interaction and the audit entry in one transaction.
func (s *BookingStore) ApplyPlatformBooking(ctx context.Context, id, clientRef, from string,
	fn func(v bookings.PlatformView) (*bookings.PlatformWrite, error)) error {
	return s.tx(ctx, func(tx *sql.Tx, chain *audit.Chain) error {
		v, err := platformViewTx(ctx, tx, id, clientRef, from)
		if err != nil {
			return err
		}
		w, err := fn(v)
		if err != nil || w == nil {
			return err
		}
		n := w.Next
		if n.ID != id {
			return errors.New("store: apply platform booking: the change names another booking")
		}
		args, err := bookingArgs(n)
		if err != nil {
			return err
		}
		if n.ClientID != "" {
			if err := bookingClientTx(ctx, tx, n.ClientID); err != nil {
				return err
			}
		}
		if v.Cur == nil {
			if n.Rev != 1 {
				return errors.New("store: insert platform booking: a new booking starts at revision 1")
			}
			all := append(args, syncArgs(w.Info)...)
			q := `INSERT INTO bookings (` + bookingColumns + `, ` + bookingSyncColumns + `) VALUES (?` +
				strings.Repeat(", ?", len(all)-1) + `)`
			if _, err := txExec(ctx, tx, q, all...); err != nil {
				return fmt.Errorf("store: insert platform booking: %w", err)
			}
		} else if err := updatePlatformBookingTx(ctx, tx, *v.Cur, n, args, w.Info); err != nil {
			return err
		}
		if w.LinkRescheduledFrom != "" {
			if _, err := txExec(ctx, tx, `UPDATE bookings SET rescheduled_to = ? WHERE id = ? AND rescheduled_to IS NULL`,
				id, w.LinkRescheduledFrom); err != nil {
				return fmt.Errorf("store: link rescheduled booking: %w", err)
			}
		}
		if w.ConflictLocal != "" && w.ConflictPlatform != "" {
			if err := insertConflictTx(ctx, tx, bookings.RecordType, id, w.ConflictLocal, w.ConflictPlatform,
				w.Info.RemoteVersion, n.UpdatedAt); err != nil {
				return err
			}
		}
		if err := s.sideEffectsTx(ctx, tx, n.ClientID, nil, w.MarkInteraction); err != nil {
			return err
		}
		_, err = AppendAuditTx(ctx, tx, chain, w.Audit)
		return err
	})
}

func updatePlatformBookingTx(ctx context.Context, tx *sql.Tx, cur, n bookings.Row, args []any, info bookings.SyncInfo) error {
	if n.Rev != cur.Rev+1 {
		return fmt.Errorf("store: update platform booking: change does not follow revision %d", cur.Rev)
	}
	var sets []string
	var vals []any
	for i, c := range strings.Split(bookingColumns, ", ") {
		if c == "id" || c == "created_at" || c == "source" {
			continue
		}
		sets = append(sets, c+" = ?")
		vals = append(vals, args[i])
	}
	for i, c := range strings.Split(bookingSyncColumns, ", ") {
		sets = append(sets, c+" = ?")
		vals = append(vals, syncArgs(info)[i])
	}
	vals = append(vals, cur.ID, cur.Rev)
	res, err := txExec(ctx, tx, `UPDATE bookings SET `+strings.Join(sets, ", ")+` WHERE id = ? AND rev = ?`, vals...)
	if err != nil {
		return fmt.Errorf("store: update platform booking: %w", err)
	}
	if k, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: update platform booking: %w", err)
	} else if k != 1 {
		return bookings.ErrStale
	}
	return nil
}

// BookingSyncInfo reads a booking's sync columns. They hold no client data
// (a platform id and flags), so the read is not audited.
func (s *BookingStore) BookingSyncInfo(ctx context.Context, id string) (bookings.SyncInfo, error) {
	var info bookings.SyncInfo
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		info, err = bookingSyncInfoTx(ctx, tx, id)
		return err
	})
	return info, err
}
