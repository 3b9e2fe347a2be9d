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
	"github.com/calmally/practice/internal/rights"
)

// The rights_requests table (migrations/0008_rights.sql). details arrives
// and leaves sealed.

func init() {
	registerSealed(SealedColumn{Table: "rights_requests", Column: "details"})
}

// RightsStore implements rights.Store on the database.
type RightsStore struct {
	db    *DB
	chain func() (*audit.Chain, error)
}

var _ rights.Store = (*RightsStore)(nil)

// NewRightsStore returns the rights store; chain yields the audit chain, or
// a locked error while the vault is locked.
func NewRightsStore(db *DB, chain func() (*audit.Chain, error)) *RightsStore {
	return &RightsStore{db: db, chain: chain}
}

const rightsColumns = `id, rev, client_id, kind, source, status, purpose, platform_ref, received_at,
	verification_method, verified_by, verified_at, due_at, closed_at, refusal_reason, outcome_ref,
	created_at, updated_at, details`

const rightsTimeLayout = "2006-01-02T15:04:05Z"

func rightsTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(rightsTimeLayout)
}

func (s *RightsStore) tx(ctx context.Context, fn func(tx *sql.Tx, chain *audit.Chain) error) error {
	chain, err := s.chain()
	if err != nil {
		return err
	}
	if chain == nil {
		return apperr.New(apperr.Locked, "the vault is locked")
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error { return fn(tx, chain) })
}

func rightsArgs(r rights.Row) []any {
	return []any{r.ID, r.Rev, r.ClientID, string(r.Kind), string(r.Source), string(r.Status), r.Purpose, r.PlatformRef,
		rightsTime(r.ReceivedAt), r.VerificationMethod, r.VerifiedBy, rightsTime(r.VerifiedAt), rightsTime(r.DueAt),
		rightsTime(r.ClosedAt), r.RefusalReason, r.OutcomeRef, rightsTime(r.CreatedAt), rightsTime(r.UpdatedAt), r.Details}
}

// InsertRequest adds r and records e.
func (s *RightsStore) InsertRequest(ctx context.Context, r rights.Row, e audit.Entry) error {
	return s.tx(ctx, func(tx *sql.Tx, chain *audit.Chain) error {
		if err := clientExistsTx(ctx, tx, r.ClientID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO rights_requests (`+rightsColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, rightsArgs(r)...); err != nil {
			return fmt.Errorf("store: insert rights request: %w", err)
		}
		_, err := AppendAuditTx(ctx, tx, chain, e)
		return err
	})
}

func scanRights(sc scanner) (rights.Row, error) {
	var r rights.Row
	var kind, source, status, received, created, updated string
	var verified, due, closed sql.NullString
	if err := sc.Scan(&r.ID, &r.Rev, &r.ClientID, &kind, &source, &status, &r.Purpose, &r.PlatformRef, &received,
		&r.VerificationMethod, &r.VerifiedBy, &verified, &due, &closed, &r.RefusalReason, &r.OutcomeRef,
		&created, &updated, &r.Details); err != nil {
		return rights.Row{}, err
	}
	r.Kind, r.Source, r.Status = rights.Kind(kind), rights.Source(source), rights.Status(status)
	parse := func(s string) time.Time { t, _ := time.Parse(rightsTimeLayout, s); return t }
	r.ReceivedAt, r.CreatedAt, r.UpdatedAt = parse(received), parse(created), parse(updated)
	if verified.Valid {
		r.VerifiedAt = parse(verified.String)
	}
	if due.Valid {
		r.DueAt = parse(due.String)
	}
	if closed.Valid {
		r.ClosedAt = parse(closed.String)
	}
	return r, nil
}

func rightsRowsTx(ctx context.Context, tx *sql.Tx, where string, args ...any) ([]rights.Row, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+rightsColumns+` FROM rights_requests `+where+
		` ORDER BY due_at IS NULL, due_at, received_at, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: read rights requests: %w", err)
	}
	defer rows.Close()
	var out []rights.Row
	for rows.Next() {
		r, err := scanRights(rows)
		if err != nil {
			return nil, fmt.Errorf("store: read rights request: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: read rights requests: %w", err)
	}
	return out, nil
}

func rightsRowTx(ctx context.Context, tx *sql.Tx, id string) (rights.Row, error) {
	rows, err := rightsRowsTx(ctx, tx, `WHERE id = ?`, id)
	if err != nil {
		return rights.Row{}, err
	}
	if len(rows) == 0 {
		return rights.Row{}, rights.ErrNotFound
	}
	return rows[0], nil
}

// RequestRow reads one request and appends view.
func (s *RightsStore) RequestRow(ctx context.Context, id string, view *audit.Entry) (rights.Row, error) {
	var r rights.Row
	err := s.tx(ctx, func(tx *sql.Tx, chain *audit.Chain) error {
		var err error
		if r, err = rightsRowTx(ctx, tx, id); err != nil {
			return err
		}
		if view != nil {
			_, err = AppendAuditTx(ctx, tx, chain, *view)
		}
		return err
	})
	return r, err
}

// RequestRows reads the requests matching f and appends view.
func (s *RightsStore) RequestRows(ctx context.Context, f rights.Filter, view *audit.Entry) ([]rights.Row, error) {
	var where []string
	var args []any
	if f.ClientID != "" {
		where, args = append(where, "client_id = ?"), append(args, f.ClientID)
	}
	if f.Status != "" {
		where, args = append(where, "status = ?"), append(args, string(f.Status))
	}
	if f.Kind != "" {
		where, args = append(where, "kind = ?"), append(args, string(f.Kind))
	}
	if f.OpenOnly {
		where = append(where, "status IN ('received', 'verified', 'in_progress')")
	}
	cond := ""
	if len(where) > 0 {
		cond = "WHERE " + strings.Join(where, " AND ")
	}
	var out []rights.Row
	err := s.tx(ctx, func(tx *sql.Tx, chain *audit.Chain) error {
		var err error
		if out, err = rightsRowsTx(ctx, tx, cond, args...); err != nil {
			return err
		}
		if view != nil {
			_, err = AppendAuditTx(ctx, tx, chain, *view)
		}
		return err
	})
	return out, err
}

// UpdateRequest reads the row, lets fn decide and writes the result with its
// audit entry, only over the revision and status read.
func (s *RightsStore) UpdateRequest(ctx context.Context, id string, fn func(cur rights.Row) (rights.Row, audit.Entry, error)) (rights.Row, error) {
	var out rights.Row
	err := s.tx(ctx, func(tx *sql.Tx, chain *audit.Chain) error {
		cur, err := rightsRowTx(ctx, tx, id)
		if err != nil {
			return err
		}
		next, e, err := fn(cur)
		if err != nil {
			return err
		}
		if next.ID != cur.ID || next.ClientID != cur.ClientID || next.Kind != cur.Kind || next.Rev < cur.Rev {
			return errors.New("store: update rights request: the change does not follow the row read")
		}
		args := rightsArgs(next)
		res, err := tx.ExecContext(ctx, `UPDATE rights_requests SET rev = ?, status = ?, purpose = ?, platform_ref = ?,
			verification_method = ?, verified_by = ?, verified_at = ?, due_at = ?, closed_at = ?, refusal_reason = ?,
			outcome_ref = ?, updated_at = ?, details = ? WHERE id = ? AND rev = ? AND status = ?`,
			next.Rev, args[5], args[6], args[7], args[9], args[10], args[11], args[12], args[13], args[14], args[15],
			args[17], next.Details, cur.ID, cur.Rev, string(cur.Status))
		if err != nil {
			return fmt.Errorf("store: update rights request: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("store: update rights request: %w", err)
		} else if n != 1 {
			return apperr.New(apperr.Conflict, "the request was changed at the same time; reload and try again")
		}
		if _, err := AppendAuditTx(ctx, tx, chain, e); err != nil {
			return err
		}
		out = next
		return nil
	})
	return out, err
}

// RecordAudit appends e in its own transaction.
func (s *RightsStore) RecordAudit(ctx context.Context, e audit.Entry) error {
	return s.tx(ctx, func(tx *sql.Tx, chain *audit.Chain) error {
		_, err := AppendAuditTx(ctx, tx, chain, e)
		return err
	})
}
