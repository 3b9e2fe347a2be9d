package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/availability"
)

// The availability table (migrations/0005_availability.sql): one sealed JSON
// document per rule set. This file never sees plaintext.

func init() {
	registerSealed(SealedColumn{Table: availability.TableAvailability, Column: availability.ColRules})
}

// AvailabilityStore implements availability.Store on the database.
type AvailabilityStore struct {
	db    *DB
	chain func() (*audit.Chain, error)
}

var _ availability.Store = (*AvailabilityStore)(nil)

// NewAvailabilityStore returns the availability store; chain yields the
// audit chain, or a locked error while the vault is locked.
func NewAvailabilityStore(db *DB, chain func() (*audit.Chain, error)) *AvailabilityStore {
	return &AvailabilityStore{db: db, chain: chain}
}

func ruleSetRowsTx(ctx context.Context, tx *sql.Tx) ([]availability.Row, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, rev, created_at, updated_at, rules FROM availability ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("store: read availability: %w", err)
	}
	defer rows.Close()
	var out []availability.Row
	for rows.Next() {
		var r availability.Row
		var created, updated string
		if err := rows.Scan(&r.ID, &r.Rev, &created, &updated, &r.Rules); err != nil {
			return nil, fmt.Errorf("store: read availability: %w", err)
		}
		if r.CreatedAt, err = time.Parse(outboxTimeLayout, created); err != nil {
			return nil, fmt.Errorf("store: read availability: created_at: %w", err)
		}
		if r.UpdatedAt, err = time.Parse(outboxTimeLayout, updated); err != nil {
			return nil, fmt.Errorf("store: read availability: updated_at: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: read availability: %w", err)
	}
	return out, nil
}

// RuleSetRows returns every stored rule set.
func (s *AvailabilityStore) RuleSetRows(ctx context.Context) ([]availability.Row, error) {
	var out []availability.Row
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = ruleSetRowsTx(ctx, tx)
		return err
	})
	return out, err
}

// UpdateRuleSets reads the rows, lets fn decide and writes the change —
// rows, deletions, audit entry and outbox item — in one transaction.
func (s *AvailabilityStore) UpdateRuleSets(ctx context.Context, fn func(cur []availability.Row) (availability.Change, error)) error {
	chain, err := s.chain()
	if err != nil {
		return err
	}
	if chain == nil {
		return apperr.New(apperr.Locked, "the vault is locked")
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		cur, err := ruleSetRowsTx(ctx, tx)
		if err != nil {
			return err
		}
		ch, err := fn(cur)
		if err != nil {
			return err
		}
		for _, id := range ch.Delete {
			if _, err := tx.ExecContext(ctx, `DELETE FROM availability WHERE id = ?`, id); err != nil {
				return fmt.Errorf("store: delete rule set: %w", err)
			}
		}
		for _, r := range ch.Upsert {
			if len(r.Rules) == 0 {
				return fmt.Errorf("store: write rule set: sealed rules missing")
			}
			var res sql.Result
			if r.Rev == 1 {
				res, err = tx.ExecContext(ctx, `INSERT INTO availability (id, rev, created_at, updated_at, rules) VALUES (?, 1, ?, ?, ?)`,
					r.ID, formatOutboxTime(r.CreatedAt), formatOutboxTime(r.UpdatedAt), r.Rules)
			} else {
				res, err = tx.ExecContext(ctx, `UPDATE availability SET rev = ?, updated_at = ?, rules = ? WHERE id = ? AND rev = ?`,
					r.Rev, formatOutboxTime(r.UpdatedAt), r.Rules, r.ID, r.Rev-1)
			}
			if err != nil {
				return fmt.Errorf("store: write rule set: %w", err)
			}
			if n, err := res.RowsAffected(); err != nil {
				return fmt.Errorf("store: write rule set: %w", err)
			} else if n != 1 {
				return apperr.New(apperr.Conflict, "the availability was changed elsewhere: reload it and try again")
			}
		}
		if ob := ch.Outbox; ob != nil {
			if _, err := insertOutboxTx(ctx, tx, ob.ID, ob.Kind, ob.EntityID, ob.Payload, ob.CreatedAt); err != nil {
				return err
			}
		}
		_, err = AppendAuditTx(ctx, tx, chain, ch.Audit)
		return err
	})
}

// RecordAudit appends e in its own transaction.
func (s *AvailabilityStore) RecordAudit(ctx context.Context, e audit.Entry) error {
	chain, err := s.chain()
	if err != nil {
		return err
	}
	if chain == nil {
		return apperr.New(apperr.Locked, "the vault is locked")
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := AppendAuditTx(ctx, tx, chain, e)
		return err
	})
}
