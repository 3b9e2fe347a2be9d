package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// The pull side of sync: pulled pages wait in sync_inbox (sealed) until
// applied; sync_versions remembers the version applied per entity, and
// sync_rejected the changes a rule refused.

// InboxItem is one pulled change as stored: Change is the sealed wire.Change
// JSON (InboxAD(ID)); the plain fields are ids and a counter.
type InboxItem struct {
	ID         string
	Seq        int64 // order of arrival; assigned by StorePage
	Type       string
	EntityID   string
	Version    int64
	ReceivedAt time.Time
	Change     []byte
	Applied    int64 // read by Inbox: the entity's recorded version then (0: none)
}

// StorePage stores a page's changes, in order, and the cursor that ends the
// page, in one transaction. It sets each item's Seq and Applied (the
// entity's recorded version), so the engine can apply the page it holds
// without reading it back.
func (s *SyncStore) StorePage(ctx context.Context, cursor string, items []InboxItem) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE sync_state SET pull_cursor = ? WHERE id = 1`, cursor)
		if err != nil {
			return fmt.Errorf("store: store pulled page: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errNotEnrolled
		}
		var last int64
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM sync_inbox`).Scan(&last); err != nil {
			return fmt.Errorf("store: store pulled page: %w", err)
		}
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO sync_inbox (id, rev, seq, change_type, entity_id, version, received_at, change)
			VALUES (?, 1, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return fmt.Errorf("store: store pulled page: %w", err)
		}
		defer stmt.Close()
		for i, it := range items {
			if len(it.Change) == 0 {
				return errors.New("store: store pulled page: a change arrived unsealed or empty")
			}
			if _, err := stmt.ExecContext(ctx, it.ID, last+int64(i)+1, it.Type, it.EntityID, it.Version,
				formatOutboxTime(it.ReceivedAt), it.Change); err != nil {
				return fmt.Errorf("store: store pulled page: %w", err)
			}
		}
		return pageVersionsTx(ctx, tx, last, items)
	})
}

// pageVersionsTx sets Seq and Applied of the items just stored after seq
// last, in one query.
func pageVersionsTx(ctx context.Context, tx *sql.Tx, last int64, items []InboxItem) error {
	rows, err := tx.QueryContext(ctx, `SELECT i.seq, COALESCE(v.version, 0) FROM sync_inbox i
		LEFT JOIN sync_versions v ON v.change_type = i.change_type AND v.entity_id = i.entity_id
		WHERE i.seq > ? ORDER BY i.seq`, last)
	if err != nil {
		return fmt.Errorf("store: store pulled page: %w", err)
	}
	defer rows.Close()
	i := 0
	for ; rows.Next() && i < len(items); i++ {
		if err := rows.Scan(&items[i].Seq, &items[i].Applied); err != nil {
			return fmt.Errorf("store: store pulled page: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: store pulled page: %w", err)
	}
	if i != len(items) {
		return errors.New("store: store pulled page: the stored page does not read back")
	}
	return nil
}

// Inbox returns up to limit stored changes in order of arrival, each with
// its entity's recorded version (one query for the lot, not one per change).
func (s *SyncStore) Inbox(ctx context.Context, limit int) ([]InboxItem, error) {
	rows, err := s.db.sql.QueryContext(ctx, `SELECT i.id, i.seq, i.change_type, i.entity_id, i.version, i.received_at, i.change,
		COALESCE(v.version, 0) FROM sync_inbox i
		LEFT JOIN sync_versions v ON v.change_type = i.change_type AND v.entity_id = i.entity_id
		ORDER BY i.seq LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: read inbox: %w", err)
	}
	defer rows.Close()
	var out []InboxItem
	for rows.Next() {
		var it InboxItem
		var received string
		if err := rows.Scan(&it.ID, &it.Seq, &it.Type, &it.EntityID, &it.Version, &received, &it.Change, &it.Applied); err != nil {
			return nil, fmt.Errorf("store: read inbox: %w", err)
		}
		if it.ReceivedAt, err = time.Parse(outboxTimeLayout, received); err != nil {
			return nil, fmt.Errorf("store: read inbox: received_at: %w", err)
		}
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: read inbox: %w", err)
	}
	return out, nil
}

// AppliedVersion is the version last applied (or refused) for an entity; 0
// if none.
func (s *SyncStore) AppliedVersion(ctx context.Context, typ, id string) (int64, error) {
	var v int64
	err := s.db.sql.QueryRowContext(ctx, `SELECT version FROM sync_versions WHERE change_type = ? AND entity_id = ?`,
		typ, id).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: read applied version: %w", err)
	}
	return v, nil
}

// Settled is how one inbox row ended: applied, skipped (stale), or
// refused with a rule code (RejectCode).
type Settled struct {
	InboxID    string
	Type       string
	EntityID   string
	Version    int64
	Skipped    bool   // at or below the applied version: nothing recorded
	RejectCode string // refused for good: recorded in sync_rejected
	At         time.Time
}

// Batch runs fn in one transaction of the sync store's database
// (DB.Batch): the engine applies a page and settles it in one commit.
func (s *SyncStore) Batch(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.db.Batch(ctx, fn)
}

// SettleChanges removes the inbox rows and records, for each applied or
// refused change, its entity's version (never lowering it) — all in one
// transaction. The engine calls it after each change it applies (or after a
// small group: Apply is idempotent for a version, so a crash before the
// commit only applies those changes once more). Inside a Batch it joins the
// batch's transaction.
func (s *SyncStore) SettleChanges(ctx context.Context, done []Settled) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		del, err := tx.PrepareContext(ctx, `DELETE FROM sync_inbox WHERE id = ?`)
		if err != nil {
			return fmt.Errorf("store: settle pulled change: %w", err)
		}
		defer del.Close()
		ver, err := tx.PrepareContext(ctx, `INSERT INTO sync_versions (change_type, entity_id, version) VALUES (?, ?, ?)
			ON CONFLICT (change_type, entity_id) DO UPDATE SET version = max(version, excluded.version)`)
		if err != nil {
			return fmt.Errorf("store: record applied version: %w", err)
		}
		defer ver.Close()
		for _, d := range done {
			if _, err := del.ExecContext(ctx, d.InboxID); err != nil {
				return fmt.Errorf("store: settle pulled change: %w", err)
			}
			if d.Skipped {
				continue
			}
			if _, err := ver.ExecContext(ctx, d.Type, d.EntityID, d.Version); err != nil {
				return fmt.Errorf("store: record applied version: %w", err)
			}
			if d.RejectCode == "" {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO sync_rejected (change_type, entity_id, version, code, at)
				VALUES (?, ?, ?, ?, ?)`, d.Type, d.EntityID, d.Version, d.RejectCode, formatOutboxTime(d.At)); err != nil {
				return fmt.Errorf("store: record refused change: %w", err)
			}
		}
		return nil
	})
}

// RejectedChange is a pulled change a rule refused: ids and a code.
type RejectedChange struct {
	Type     string
	EntityID string
	Version  int64
	Code     string
	At       time.Time
}

// RejectedChanges lists the refused changes, newest first.
func (s *SyncStore) RejectedChanges(ctx context.Context) ([]RejectedChange, error) {
	rows, err := s.db.sql.QueryContext(ctx, `SELECT change_type, entity_id, version, code, at FROM sync_rejected
		ORDER BY at DESC, change_type, entity_id`)
	if err != nil {
		return nil, fmt.Errorf("store: read refused changes: %w", err)
	}
	defer rows.Close()
	var out []RejectedChange
	for rows.Next() {
		var r RejectedChange
		var at string
		if err := rows.Scan(&r.Type, &r.EntityID, &r.Version, &r.Code, &at); err != nil {
			return nil, fmt.Errorf("store: read refused changes: %w", err)
		}
		if r.At, err = time.Parse(outboxTimeLayout, at); err != nil {
			return nil, fmt.Errorf("store: read refused changes: at: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: read refused changes: %w", err)
	}
	return out, nil
}
