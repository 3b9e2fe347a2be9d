package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/notices"
)

// The notices table (migrations/0012_matches.sql): grievances and takedown
// notices. Sealed columns arrive and leave as envelopes; this file never
// sees plaintext.

func init() {
	for _, c := range notices.SealedColumns {
		registerSealed(SealedColumn{Table: notices.TableNotices, Column: c})
	}
}

const noticeColumns = "id, rev, kind, status, received_at, acknowledge_by, resolve_by, remove_by, acknowledged_at, " +
	"closed_at, remote_version, created_at, updated_at, details, response"

// NoticeStore implements notices.Store on the database.
type NoticeStore struct {
	db    *DB
	chain func() (*audit.Chain, error)
}

var _ notices.Store = (*NoticeStore)(nil)

// NewNoticeStore returns the notice store.
func NewNoticeStore(db *DB, chain func() (*audit.Chain, error)) *NoticeStore {
	return &NoticeStore{db: db, chain: chain}
}

func scanNotice(sc scanner) (notices.Row, error) {
	var r notices.Row
	var kind, status string
	var received, ackBy, resolveBy, removeBy, acked, closed, created, updated sql.NullString
	if err := sc.Scan(&r.ID, &r.Rev, &kind, &status, &received, &ackBy, &resolveBy, &removeBy, &acked, &closed,
		&r.RemoteVersion, &created, &updated, &r.Details, &r.Response); err != nil {
		return notices.Row{}, err
	}
	r.Kind, r.Status = notices.Kind(kind), notices.Status(status)
	err := parseSyncedTimes(map[string]struct {
		s sql.NullString
		t *time.Time
	}{"received_at": {received, &r.ReceivedAt}, "acknowledge_by": {ackBy, &r.AcknowledgeBy},
		"resolve_by": {resolveBy, &r.ResolveBy}, "remove_by": {removeBy, &r.RemoveBy},
		"acknowledged_at": {acked, &r.AcknowledgedAt}, "closed_at": {closed, &r.ClosedAt},
		"created_at": {created, &r.CreatedAt}, "updated_at": {updated, &r.UpdatedAt}})
	return r, err
}

func noticeArgs(r notices.Row) []any {
	return []any{r.ID, r.Rev, string(r.Kind), string(r.Status), formatClientTime(r.ReceivedAt), syncedTime(r.AcknowledgeBy),
		syncedTime(r.ResolveBy), syncedTime(r.RemoveBy), syncedTime(r.AcknowledgedAt), syncedTime(r.ClosedAt),
		r.RemoteVersion, formatClientTime(r.CreatedAt), formatClientTime(r.UpdatedAt), r.Details, r.Response}
}

func noticeRowTx(ctx context.Context, tx *sql.Tx, id string) (*notices.Row, error) {
	r, err := scanNotice(tx.QueryRowContext(ctx, `SELECT `+noticeColumns+` FROM notices WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: read notice: %w", err)
	}
	return &r, nil
}

// NoticeRow reads one notice and records view.
func (s *NoticeStore) NoticeRow(ctx context.Context, id string, view audit.Entry) (notices.Row, error) {
	var out notices.Row
	err := chainedTx(ctx, s.db, s.chain, func(tx *sql.Tx, chain *audit.Chain) error {
		r, err := noticeRowTx(ctx, tx, id)
		if err != nil {
			return err
		}
		if r == nil {
			return notices.ErrNotFound
		}
		out = *r
		_, err = AppendAuditTx(ctx, tx, chain, view)
		return err
	})
	return out, err
}

// NoticeRows reads every notice and records view.
func (s *NoticeStore) NoticeRows(ctx context.Context, view audit.Entry) ([]notices.Row, error) {
	var out []notices.Row
	err := chainedTx(ctx, s.db, s.chain, func(tx *sql.Tx, chain *audit.Chain) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+noticeColumns+` FROM notices ORDER BY received_at, id`)
		if err != nil {
			return fmt.Errorf("store: list notices: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanNotice(rows)
			if err != nil {
				return fmt.Errorf("store: list notices: %w", err)
			}
			out = append(out, r)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: list notices: %w", err)
		}
		_, err = AppendAuditTx(ctx, tx, chain, view)
		return err
	})
	return out, err
}

// ApplyNotice reads the notice, lets fn decide, and writes the change, its
// audit entry, outbox items and conflict in one transaction.
func (s *NoticeStore) ApplyNotice(ctx context.Context, id string, fn func(cur *notices.Row) (*notices.Change, error)) error {
	return chainedTx(ctx, s.db, s.chain, func(tx *sql.Tx, chain *audit.Chain) error {
		cur, err := noticeRowTx(ctx, tx, id)
		if err != nil {
			return err
		}
		ch, err := fn(cur)
		if err != nil || ch == nil {
			return err
		}
		if err := writeNoticeTx(ctx, tx, id, cur, ch); err != nil {
			return err
		}
		for _, o := range ch.Outbox {
			if _, err := insertOutboxTx(ctx, tx, o.ID, o.Kind, o.EntityID, o.Payload, o.CreatedAt); err != nil {
				return err
			}
		}
		if c := ch.Conflict; c != nil && cur != nil {
			if err := insertConflictTx(ctx, tx, string(cur.Kind), id, c.Local, c.Platform, c.Version, c.At); err != nil {
				return err
			}
		}
		_, err = AppendAuditTx(ctx, tx, chain, ch.Audit)
		return err
	})
}

func writeNoticeTx(ctx context.Context, tx *sql.Tx, id string, cur *notices.Row, ch *notices.Change) error {
	switch {
	case ch.Delete:
		if cur == nil {
			return errors.New("store: delete notice: no row")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM notices WHERE id = ? AND rev = ?`, id, cur.Rev); err != nil {
			return fmt.Errorf("store: delete notice: %w", err)
		}
	case ch.Next == nil:
	case cur == nil:
		if ch.Next.ID != id || ch.Next.Rev != 1 {
			return errors.New("store: insert notice: a new notice starts at revision 1")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO notices (`+noticeColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			noticeArgs(*ch.Next)...); err != nil {
			return fmt.Errorf("store: insert notice: %w", err)
		}
	default:
		n := *ch.Next
		if n.ID != id || n.Rev != cur.Rev+1 || n.Kind != cur.Kind {
			return fmt.Errorf("store: update notice: change does not follow revision %d", cur.Rev)
		}
		args := append(noticeArgs(n)[1:], id, cur.Rev)
		res, err := tx.ExecContext(ctx, `UPDATE notices SET rev = ?, kind = ?, status = ?, received_at = ?, acknowledge_by = ?,
			resolve_by = ?, remove_by = ?, acknowledged_at = ?, closed_at = ?, remote_version = ?, created_at = ?,
			updated_at = ?, details = ?, response = ? WHERE id = ? AND rev = ?`, args...)
		if err != nil {
			return fmt.Errorf("store: update notice: %w", err)
		}
		if k, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("store: update notice: %w", err)
		} else if k != 1 {
			return notices.ErrStale
		}
	}
	return nil
}

// RecordAudit appends e in its own transaction.
func (s *NoticeStore) RecordAudit(ctx context.Context, e audit.Entry) error {
	return chainedTx(ctx, s.db, s.chain, func(tx *sql.Tx, chain *audit.Chain) error {
		_, err := AppendAuditTx(ctx, tx, chain, e)
		return err
	})
}
