package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/profile"
)

// The profile_documents table (migrations/0011_profile.sql): the
// practitioner profile and the practice settings, one sealed JSON document
// each. This file never sees plaintext.

func init() {
	registerSealed(SealedColumn{Table: profile.TableDocuments, Column: profile.ColDocument})
}

// ProfileStore implements profile.Store on the database.
type ProfileStore struct {
	db    *DB
	chain func() (*audit.Chain, error)
}

var _ profile.Store = (*ProfileStore)(nil)

// NewProfileStore returns the profile store; chain yields the audit chain,
// or a locked error while the vault is locked.
func NewProfileStore(db *DB, chain func() (*audit.Chain, error)) *ProfileStore {
	return &ProfileStore{db: db, chain: chain}
}

func profileRowTx(ctx context.Context, tx *sql.Tx, id string) (*profile.Row, error) {
	var r profile.Row
	var created, updated string
	var state sql.NullString
	err := tx.QueryRowContext(ctx, `SELECT id, rev, created_at, updated_at, review_state, document FROM profile_documents WHERE id = ?`, id).
		Scan(&r.ID, &r.Rev, &created, &updated, &state, &r.Document)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: read profile document: %w", err)
	}
	r.ReviewState = profile.ReviewState(state.String)
	if r.CreatedAt, err = time.Parse(outboxTimeLayout, created); err != nil {
		return nil, fmt.Errorf("store: read profile document: created_at: %w", err)
	}
	if r.UpdatedAt, err = time.Parse(outboxTimeLayout, updated); err != nil {
		return nil, fmt.Errorf("store: read profile document: updated_at: %w", err)
	}
	return &r, nil
}

// Document returns the row with id, or an apperr not_found.
func (s *ProfileStore) Document(ctx context.Context, id string) (profile.Row, error) {
	var out *profile.Row
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = profileRowTx(ctx, tx, id)
		return err
	})
	if err != nil {
		return profile.Row{}, err
	}
	if out == nil {
		return profile.Row{}, apperr.New(apperr.NotFound, "profile: nothing saved yet")
	}
	return *out, nil
}

// UpdateDocument reads the row, lets fn decide and writes the change with
// its audit entry in one transaction.
func (s *ProfileStore) UpdateDocument(ctx context.Context, id string, fn func(cur *profile.Row) (profile.Change, error)) error {
	chain, err := s.chain()
	if err != nil {
		return err
	}
	if chain == nil {
		return apperr.New(apperr.Locked, "the vault is locked")
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		cur, err := profileRowTx(ctx, tx, id)
		if err != nil {
			return err
		}
		ch, err := fn(cur)
		if err != nil {
			return err
		}
		r := ch.Row
		if r.ID != id {
			return fmt.Errorf("store: write profile document: id changed")
		}
		var state any
		if r.ReviewState != "" {
			state = string(r.ReviewState)
		}
		var res sql.Result
		switch {
		case cur == nil && r.Rev == 1:
			if len(r.Document) == 0 {
				return fmt.Errorf("store: write profile document: sealed document missing")
			}
			res, err = tx.ExecContext(ctx, `INSERT INTO profile_documents (id, rev, created_at, updated_at, review_state, document) VALUES (?, 1, ?, ?, ?, ?)`,
				r.ID, formatOutboxTime(r.CreatedAt), formatOutboxTime(r.UpdatedAt), state, r.Document)
		case cur != nil && r.Rev == cur.Rev+1:
			if len(r.Document) == 0 {
				return fmt.Errorf("store: write profile document: sealed document missing")
			}
			res, err = tx.ExecContext(ctx, `UPDATE profile_documents SET rev = ?, updated_at = ?, review_state = ?, document = ? WHERE id = ? AND rev = ?`,
				r.Rev, formatOutboxTime(r.UpdatedAt), state, r.Document, r.ID, cur.Rev)
		case cur != nil && r.Rev == cur.Rev:
			res, err = tx.ExecContext(ctx, `UPDATE profile_documents SET updated_at = ?, review_state = ? WHERE id = ? AND rev = ?`,
				formatOutboxTime(r.UpdatedAt), state, r.ID, cur.Rev)
		default:
			return apperr.New(apperr.Conflict, "the profile was changed elsewhere: reload it and try again")
		}
		if err != nil {
			return fmt.Errorf("store: write profile document: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("store: write profile document: %w", err)
		} else if n != 1 {
			return apperr.New(apperr.Conflict, "the profile was changed elsewhere: reload it and try again")
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
func (s *ProfileStore) RecordAudit(ctx context.Context, e audit.Entry) error {
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
