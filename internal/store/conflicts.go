package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/ids"
)

// The sync_conflicts table (migrations/0012_matches.sql): where the
// platform's state won over a local one. Ids and state codes only.

// Conflict is one recorded conflict.
type Conflict struct {
	ID            string
	EntityType    string // booking | match | grievance | takedown
	EntityID      string
	LocalState    string // the status here before the platform's won
	PlatformState string // the platform's status, now in force
	RemoteVersion int64
	At            time.Time
	DismissedAt   time.Time // zero while shown
}

// insertConflictTx records a conflict; the same platform version of the
// same entity records one, however often it is applied.
func insertConflictTx(ctx context.Context, tx *sql.Tx, entityType, entityID, local, platform string, version int64, at time.Time) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO sync_conflicts (id, entity_type, entity_id, local_state, platform_state,
		remote_version, at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (entity_type, entity_id, remote_version) DO NOTHING`,
		ids.New(at), entityType, entityID, local, platform, version, formatClientTime(at)); err != nil {
		return fmt.Errorf("store: record sync conflict: %w", err)
	}
	return nil
}

// outboxPendingTx reports whether a mutation of one of kinds for entityID
// is still queued (not yet accepted by the platform) or parked (rejected).
func outboxPendingTx(ctx context.Context, tx *sql.Tx, entityID, kindPrefix string) (queued, parked bool, err error) {
	rows, err := txQuery(ctx, tx, `SELECT parked_reason IS NOT NULL FROM outbox WHERE entity_id = ? AND kind LIKE ?`,
		entityID, kindPrefix+"%")
	if err != nil {
		return false, false, fmt.Errorf("store: read outbox: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p bool
		if err := rows.Scan(&p); err != nil {
			return false, false, fmt.Errorf("store: read outbox: %w", err)
		}
		if p {
			parked = true
		} else {
			queued = true
		}
	}
	return queued, parked, rows.Err()
}

// ConflictStore lists and dismisses conflicts.
type ConflictStore struct {
	db    *DB
	chain func() (*audit.Chain, error)
}

// NewConflictStore returns the conflict store.
func NewConflictStore(db *DB, chain func() (*audit.Chain, error)) *ConflictStore {
	return &ConflictStore{db: db, chain: chain}
}

// Conflicts lists the conflicts not dismissed, newest first. They hold ids
// and codes only, so reading them is not audited as a view of client data.
func (s *ConflictStore) Conflicts(ctx context.Context) ([]Conflict, error) {
	var out []Conflict
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, entity_type, entity_id, local_state, platform_state, remote_version, at,
			dismissed_at FROM sync_conflicts WHERE dismissed_at IS NULL ORDER BY at DESC, id DESC`)
		if err != nil {
			return fmt.Errorf("store: list sync conflicts: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var c Conflict
			var at, dismissed sql.NullString
			if err := rows.Scan(&c.ID, &c.EntityType, &c.EntityID, &c.LocalState, &c.PlatformState, &c.RemoteVersion,
				&at, &dismissed); err != nil {
				return fmt.Errorf("store: list sync conflicts: %w", err)
			}
			if c.At, err = parseSyncedTime("at", at); err != nil {
				return err
			}
			if c.DismissedAt, err = parseSyncedTime("dismissed_at", dismissed); err != nil {
				return err
			}
			out = append(out, c)
		}
		return rows.Err()
	})
	return out, err
}

// DismissConflict hides a conflict the practitioner has seen, recording e.
func (s *ConflictStore) DismissConflict(ctx context.Context, id string, at time.Time, e audit.Entry) error {
	return chainedTx(ctx, s.db, s.chain, func(tx *sql.Tx, chain *audit.Chain) error {
		res, err := tx.ExecContext(ctx, `UPDATE sync_conflicts SET dismissed_at = ? WHERE id = ? AND dismissed_at IS NULL`,
			formatClientTime(at), id)
		if err != nil {
			return fmt.Errorf("store: dismiss sync conflict: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("store: dismiss sync conflict: %w", err)
		} else if n != 1 {
			return apperr.New(apperr.NotFound, "no conflict with that id to dismiss")
		}
		_, err = AppendAuditTx(ctx, tx, chain, e)
		return err
	})
}
