package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/vault"
)

// The sync engine's tables (migrations/0013_sync.sql) and its side of the
// outbox. The engine (internal/sync) seals pulled changes before they get
// here and opens them after; this file never sees plaintext.
//
// Promises the engine builds on:
//   - StorePage writes a page's changes and its cursor in one transaction:
//     a crash leaves either both or neither.
//   - ChangeApplied / ChangeSkipped / ChangeRejected each remove one inbox
//     row and record its entity version in one transaction.
//   - PushQueue never returns a row after a live row that is not yet due, so
//     mutation ids reach the backend in order even while one is backing off
//     (the backend answers "duplicate" to an id below one it has seen).

func init() {
	registerSealed(SealedColumn{Table: "sync_inbox", Column: "change"})
}

// SyncStore holds the sync engine's state.
type SyncStore struct{ db *DB }

// NewSyncStore returns the sync store.
func NewSyncStore(db *DB) *SyncStore { return &SyncStore{db: db} }

// InboxAD is the associated data a pulled change is sealed with.
func InboxAD(id string) vault.AD {
	return vault.AD{Table: "sync_inbox", Column: "change", RowID: id, Revision: 1}
}

// SyncState is the enrolment and progress of this profile's sync.
type SyncState struct {
	BackendURL    string
	DeviceID      string
	TherapistID   string
	Cursor        string
	CrossBorder   bool
	EnrolledAt    time.Time
	LastSyncedAt  time.Time // zero: never
	LastErrorCode string    // "" after a successful round
	LastErrorAt   time.Time
}

var errNotEnrolled = apperr.Wrap(apperr.NotFound, "this profile is not enrolled with a sync backend", ErrNotFound)

func parseOptTime(s sql.NullString) (time.Time, error) {
	if !s.Valid {
		return time.Time{}, nil
	}
	return time.Parse(outboxTimeLayout, s.String)
}

func optTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return formatOutboxTime(t)
}

// State returns the enrolment, or a not_found error when not enrolled.
func (s *SyncStore) State(ctx context.Context) (SyncState, error) {
	var st SyncState
	var enrolled string
	var synced, errAt, errCode sql.NullString
	var cross int
	err := s.db.sql.QueryRowContext(ctx, `SELECT backend_url, device_id, therapist_id, pull_cursor, cross_border,
		enrolled_at, last_synced_at, last_error_code, last_error_at FROM sync_state WHERE id = 1`).
		Scan(&st.BackendURL, &st.DeviceID, &st.TherapistID, &st.Cursor, &cross, &enrolled, &synced, &errCode, &errAt)
	if errors.Is(err, sql.ErrNoRows) {
		return SyncState{}, errNotEnrolled
	}
	if err != nil {
		return SyncState{}, fmt.Errorf("store: read sync state: %w", err)
	}
	st.CrossBorder, st.LastErrorCode = cross == 1, errCode.String
	if st.EnrolledAt, err = time.Parse(outboxTimeLayout, enrolled); err != nil {
		return SyncState{}, fmt.Errorf("store: read sync state: enrolled_at: %w", err)
	}
	if st.LastSyncedAt, err = parseOptTime(synced); err != nil {
		return SyncState{}, fmt.Errorf("store: read sync state: last_synced_at: %w", err)
	}
	if st.LastErrorAt, err = parseOptTime(errAt); err != nil {
		return SyncState{}, fmt.Errorf("store: read sync state: last_error_at: %w", err)
	}
	return st, nil
}

// Enrol records a new enrolment (replacing any previous one) with its audit
// entry. Whatever belonged to a previous enrolment — cursor, unapplied
// changes, entity versions, refused changes — is cleared: a new device
// starts pulling from the beginning. The outbox is kept.
func (s *SyncStore) Enrol(ctx context.Context, st SyncState, chain *audit.Chain, e audit.Entry) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := clearSyncTx(ctx, tx); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO sync_state (id, backend_url, device_id, therapist_id, pull_cursor,
			cross_border, enrolled_at) VALUES (1, ?, ?, ?, '', 0, ?)`,
			st.BackendURL, st.DeviceID, st.TherapistID, formatOutboxTime(st.EnrolledAt)); err != nil {
			return fmt.Errorf("store: enrol: %w", err)
		}
		_, err := AppendAuditTx(ctx, tx, chain, e)
		return err
	})
}

// Forget removes the enrolment and what belonged to it (see Enrol), with
// its audit entry. The outbox is kept for a later enrolment.
func (s *SyncStore) Forget(ctx context.Context, chain *audit.Chain, e audit.Entry) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := clearSyncTx(ctx, tx); err != nil {
			return err
		}
		_, err := AppendAuditTx(ctx, tx, chain, e)
		return err
	})
}

func clearSyncTx(ctx context.Context, tx *sql.Tx) error {
	for _, t := range []string{"sync_state", "sync_inbox", "sync_versions", "sync_rejected"} {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+t); err != nil {
			return fmt.Errorf("store: clear %s: %w", t, err)
		}
	}
	return nil
}

// SetCrossBorder turns the cross-border setting on or off, with its audit
// entry.
func (s *SyncStore) SetCrossBorder(ctx context.Context, on bool, chain *audit.Chain, e audit.Entry) error {
	v := 0
	if on {
		v = 1
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE sync_state SET cross_border = ? WHERE id = 1`, v)
		if err != nil {
			return fmt.Errorf("store: set cross-border: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errNotEnrolled
		}
		_, err = AppendAuditTx(ctx, tx, chain, e)
		return err
	})
}

// RecordRound records how a round ended: errCode "" is success (the time
// becomes the last sync), anything else is the failure's machine code.
func (s *SyncStore) RecordRound(ctx context.Context, at time.Time, errCode string) error {
	q := `UPDATE sync_state SET last_synced_at = ?, last_error_code = NULL, last_error_at = NULL WHERE id = 1`
	args := []any{formatOutboxTime(at)}
	if errCode != "" {
		q = `UPDATE sync_state SET last_error_code = ?, last_error_at = ? WHERE id = 1`
		args = []any{errCode, formatOutboxTime(at)}
	}
	if _, err := s.db.sql.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("store: record sync round: %w", err)
	}
	return nil
}

// SyncCounts is what the status line shows.
type SyncCounts struct {
	Pending  int // live outbox rows
	Parked   int // outbox rows parked with a reason
	Inbox    int // pulled changes not yet applied
	Rejected int // pulled changes refused by a rule
}

// Counts reads the counts in one transaction.
func (s *SyncStore) Counts(ctx context.Context) (SyncCounts, error) {
	var c SyncCounts
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT
			(SELECT COUNT(*) FROM outbox WHERE parked_reason IS NULL),
			(SELECT COUNT(*) FROM outbox WHERE parked_reason IS NOT NULL),
			(SELECT COUNT(*) FROM sync_inbox),
			(SELECT COUNT(*) FROM sync_rejected)`).Scan(&c.Pending, &c.Parked, &c.Inbox, &c.Rejected)
	})
	if err != nil {
		return SyncCounts{}, fmt.Errorf("store: count sync state: %w", err)
	}
	return c, nil
}

// CountConflicts counts the conflicts recorded so far (sync_conflicts, kept
// by the applier), so a round can report how many it added.
func (s *SyncStore) CountConflicts(ctx context.Context) (int, error) {
	var n int
	if err := s.db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM sync_conflicts`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count sync conflicts: %w", err)
	}
	return n, nil
}
