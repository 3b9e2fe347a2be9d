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
	"github.com/calmally/practice/internal/clients"
)

// The clients and client_history tables (migrations/0003_clients.sql). Sealed
// columns arrive and leave as envelopes; this file never sees plaintext.

// clientSealed lists the sealed columns of clients, in schema order. It is
// the SQL's own list (column names are never taken from a caller), checked
// against clients.SealedFields by a test.
var clientSealed = []string{
	"name", "preferred_name", "date_of_birth", "gender", "phone", "email",
	"emergency_contact", "presenting_concerns", "treatment_preferences", "language",
}

func init() {
	for _, c := range clientSealed {
		registerSealed(SealedColumn{Table: "clients", Column: c})
	}
	registerSealed(SealedColumn{Table: "client_history", Column: "previous"})
}

// clientTimeLayout is fixed-width UTC to the second, so text order in
// created_at, updated_at and last_interaction_at is time order.
const clientTimeLayout = "2006-01-02T15:04:05Z"

func formatClientTime(t time.Time) string { return t.UTC().Format(clientTimeLayout) }

var clientColumns = "id, rev, status, source, created_at, updated_at, last_interaction_at, " + strings.Join(clientSealed, ", ")

// ClientStore implements clients.Store on the database.
type ClientStore struct {
	db    *DB
	chain func() (*audit.Chain, error)
}

var _ clients.Store = (*ClientStore)(nil)

// NewClientStore returns the client store; chain yields the audit chain, or
// a locked error while the vault is locked.
func NewClientStore(db *DB, chain func() (*audit.Chain, error)) *ClientStore {
	return &ClientStore{db: db, chain: chain}
}

var errClientNotFound = apperr.New(apperr.NotFound, "no client with that id")

// tx runs fn in one transaction with the audit chain at hand.
func (s *ClientStore) tx(ctx context.Context, fn func(tx *sql.Tx, chain *audit.Chain) error) error {
	chain, err := s.chain()
	if err != nil {
		return err
	}
	if chain == nil {
		return apperr.New(apperr.Locked, "the vault is locked")
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error { return fn(tx, chain) })
}

// InsertClient adds r and records e, in one transaction.
func (s *ClientStore) InsertClient(ctx context.Context, r clients.Row, e audit.Entry) error {
	args, err := clientArgs(r)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx, chain *audit.Chain) error {
		q := `INSERT INTO clients (` + clientColumns + `) VALUES (?` + strings.Repeat(", ?", len(args)-1) + `)`
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("store: insert client: %w", err)
		}
		_, err := AppendAuditTx(ctx, tx, chain, e)
		return err
	})
}

func clientArgs(r clients.Row) ([]any, error) {
	args := []any{r.ID, r.Rev, string(r.Status), string(r.Source),
		formatClientTime(r.CreatedAt), formatClientTime(r.UpdatedAt), nullTime(r.LastInteractionAt)}
	for _, c := range clientSealed {
		env := r.Sealed[c]
		if len(env) == 0 {
			return nil, fmt.Errorf("store: write client: sealed column %s missing", c)
		}
		args = append(args, env)
	}
	return args, nil
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return formatClientTime(t)
}

// ClientRow reads one client and records e (the view) in the same transaction.
func (s *ClientStore) ClientRow(ctx context.Context, id string, e audit.Entry) (clients.Row, error) {
	var r clients.Row
	err := s.tx(ctx, func(tx *sql.Tx, chain *audit.Chain) error {
		var err error
		if r, err = clientRowTx(ctx, tx, id); err != nil {
			return err
		}
		_, err = AppendAuditTx(ctx, tx, chain, e)
		return err
	})
	return r, err
}

func clientRowTx(ctx context.Context, tx *sql.Tx, id string) (clients.Row, error) {
	row := tx.QueryRowContext(ctx, `SELECT `+clientColumns+` FROM clients WHERE id = ?`, id)
	r, err := scanClient(row)
	if errors.Is(err, sql.ErrNoRows) {
		return clients.Row{}, errClientNotFound
	}
	if err != nil {
		return clients.Row{}, fmt.Errorf("store: read client: %w", err)
	}
	return r, nil
}

type scanner interface{ Scan(dest ...any) error }

func scanClient(sc scanner) (clients.Row, error) {
	var r clients.Row
	var status, source, created, updated string
	var last sql.NullString
	envs := make([][]byte, len(clientSealed))
	dest := []any{&r.ID, &r.Rev, &status, &source, &created, &updated, &last}
	for i := range envs {
		dest = append(dest, &envs[i])
	}
	if err := sc.Scan(dest...); err != nil {
		return clients.Row{}, err
	}
	r.Status, r.Source = clients.Status(status), clients.Source(source)
	var err error
	if r.CreatedAt, err = time.Parse(clientTimeLayout, created); err != nil {
		return clients.Row{}, fmt.Errorf("created_at: %w", err)
	}
	if r.UpdatedAt, err = time.Parse(clientTimeLayout, updated); err != nil {
		return clients.Row{}, fmt.Errorf("updated_at: %w", err)
	}
	if last.Valid {
		if r.LastInteractionAt, err = time.Parse(time.RFC3339, last.String); err != nil {
			return clients.Row{}, fmt.Errorf("last_interaction_at: %w", err)
		}
		r.LastInteractionAt = r.LastInteractionAt.UTC()
	}
	r.Sealed = make(map[string][]byte, len(clientSealed))
	for i, c := range clientSealed {
		r.Sealed[c] = envs[i]
	}
	return r, nil
}

// ClientRows reads every client with the given status ("" for all) and
// records e in the same transaction.
func (s *ClientStore) ClientRows(ctx context.Context, status clients.Status, e audit.Entry) ([]clients.Row, error) {
	var out []clients.Row
	err := s.tx(ctx, func(tx *sql.Tx, chain *audit.Chain) error {
		q := `SELECT ` + clientColumns + ` FROM clients`
		var args []any
		if status != "" {
			q += ` WHERE status = ?`
			args = append(args, string(status))
		}
		rows, err := tx.QueryContext(ctx, q+` ORDER BY id`, args...)
		if err != nil {
			return fmt.Errorf("store: list clients: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanClient(rows)
			if err != nil {
				return fmt.Errorf("store: list clients: %w", err)
			}
			out = append(out, r)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: list clients: %w", err)
		}
		_, err = AppendAuditTx(ctx, tx, chain, e)
		return err
	})
	return out, err
}

// UpdateClient reads the current row, lets fn decide the change and writes
// it — row, history and audit entry — in one transaction. The write only
// applies to the revision read; anything else is a conflict.
func (s *ClientStore) UpdateClient(ctx context.Context, id string, fn func(cur clients.Row) (clients.Change, error)) error {
	return s.tx(ctx, func(tx *sql.Tx, chain *audit.Chain) error {
		cur, err := clientRowTx(ctx, tx, id)
		if err != nil {
			return err
		}
		ch, err := fn(cur)
		if err != nil {
			return err
		}
		if ch.Next.ID != cur.ID || ch.Next.Rev != cur.Rev+1 || ch.History.ClientID != cur.ID || ch.History.Rev != ch.Next.Rev {
			return fmt.Errorf("store: update client: change does not follow revision %d", cur.Rev)
		}
		args, err := clientArgs(ch.Next)
		if err != nil {
			return err
		}
		sets := []string{"rev = ?", "status = ?", "source = ?", "updated_at = ?"}
		vals := []any{ch.Next.Rev, string(ch.Next.Status), string(ch.Next.Source), formatClientTime(ch.Next.UpdatedAt)}
		for i, c := range clientSealed {
			sets = append(sets, c+" = ?")
			vals = append(vals, args[7+i])
		}
		vals = append(vals, cur.ID, cur.Rev)
		res, err := tx.ExecContext(ctx, `UPDATE clients SET `+strings.Join(sets, ", ")+` WHERE id = ? AND rev = ?`, vals...)
		if err != nil {
			return fmt.Errorf("store: update client: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("store: update client: %w", err)
		} else if n != 1 {
			return apperr.New(apperr.Conflict, "the client was changed at the same time; reload and try again")
		}
		h := ch.History
		if _, err := tx.ExecContext(ctx, `INSERT INTO client_history (id, client_id, rev, at, actor, action, reason, fields, previous)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			h.ID, h.ClientID, h.Rev, formatClientTime(h.At), h.Actor, string(h.Action), h.Reason,
			strings.Join(h.Fields, ","), h.Previous); err != nil {
			return fmt.Errorf("store: insert client history: %w", err)
		}
		_, err = AppendAuditTx(ctx, tx, chain, ch.Audit)
		return err
	})
}

// ClientHistory reads a client's history, oldest first, and records e.
func (s *ClientStore) ClientHistory(ctx context.Context, id string, e audit.Entry) ([]clients.HistoryRow, error) {
	var out []clients.HistoryRow
	err := s.tx(ctx, func(tx *sql.Tx, chain *audit.Chain) error {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM clients WHERE id = ?`, id).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return errClientNotFound
		}
		if err != nil {
			return fmt.Errorf("store: read client history: %w", err)
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, client_id, rev, at, actor, action, reason, fields, previous
			FROM client_history WHERE client_id = ? ORDER BY rev`, id)
		if err != nil {
			return fmt.Errorf("store: read client history: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var h clients.HistoryRow
			var at, action, fields string
			if err := rows.Scan(&h.ID, &h.ClientID, &h.Rev, &at, &h.Actor, &action, &h.Reason, &fields, &h.Previous); err != nil {
				return fmt.Errorf("store: read client history: %w", err)
			}
			if h.At, err = time.Parse(clientTimeLayout, at); err != nil {
				return fmt.Errorf("store: read client history: at: %w", err)
			}
			h.Action = clients.HistoryAction(action)
			if fields != "" {
				h.Fields = strings.Split(fields, ",")
			}
			out = append(out, h)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: read client history: %w", err)
		}
		_, err = AppendAuditTx(ctx, tx, chain, e)
		return err
	})
	return out, err
}

// MarkClientInteraction moves last_interaction_at forward to at. It works
// while locked too (it touches no sealed data), but callers act unlocked.
func (s *ClientStore) MarkClientInteraction(ctx context.Context, id string, at time.Time) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		return MarkClientInteractionTx(ctx, tx, id, at)
	})
}

// MarkClientInteractionTx is MarkClientInteraction inside an open
// transaction, for services (notes, bookings) that move the date in the same
// transaction as their own change.
func MarkClientInteractionTx(ctx context.Context, tx *sql.Tx, id string, at time.Time) error {
	return markClientInteractionTx(ctx, tx, nil, id, at)
}

// The statements of markClientInteractionTx, for stores that prepare them.
const (
	clientTouchQuery = `UPDATE clients SET last_interaction_at = ?
		WHERE id = ? AND (last_interaction_at IS NULL OR last_interaction_at < ?)`
	clientExistsQuery = `SELECT 1 FROM clients WHERE id = ?`
)

// markClientInteractionTx is MarkClientInteractionTx with its statements
// from stmts (nil: run as text).
func markClientInteractionTx(ctx context.Context, tx *sql.Tx, stmts *stmtCache, id string, at time.Time) error {
	ts := formatClientTime(at)
	res, err := stmts.exec(ctx, tx, clientTouchQuery, ts, id, ts)
	if err != nil {
		return fmt.Errorf("store: mark client interaction: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: mark client interaction: %w", err)
	}
	if n == 1 {
		return nil
	}
	var one int
	err = stmts.queryRow(ctx, tx, clientExistsQuery, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return errClientNotFound
	}
	if err != nil {
		return fmt.Errorf("store: mark client interaction: %w", err)
	}
	return nil // already at or after at
}

// RecordAudit appends e in its own transaction.
func (s *ClientStore) RecordAudit(ctx context.Context, e audit.Entry) error {
	return s.tx(ctx, func(tx *sql.Tx, chain *audit.Chain) error {
		_, err := AppendAuditTx(ctx, tx, chain, e)
		return err
	})
}
