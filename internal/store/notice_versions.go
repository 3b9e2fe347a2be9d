package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
)

// The notice_versions table (migrations/0015_notice_versions.sql): privacy
// policy and consent-notice versions published by the platform. Public
// texts, so plain.

// NoticeVersion is one published version as stored.
type NoticeVersion struct {
	ID             string
	Kind           string // privacy-policy | consent-notice
	Purpose        string // consent purpose; "" for the privacy policy
	Version        int
	Language       string
	SHA256         string // of Text
	Text           string
	Summary        string
	Material       bool
	PublishedAt    time.Time
	ReceivedAt     time.Time
	AcknowledgedAt time.Time // zero until acknowledged
}

// NoticeVersionStore keeps published notice versions.
type NoticeVersionStore struct {
	db    *DB
	chain func() (*audit.Chain, error)
}

// NewNoticeVersionStore returns the store; chain yields the audit chain.
func NewNoticeVersionStore(db *DB, chain func() (*audit.Chain, error)) *NoticeVersionStore {
	return &NoticeVersionStore{db: db, chain: chain}
}

func (s *NoticeVersionStore) tx(ctx context.Context, fn func(tx *sql.Tx, chain *audit.Chain) error) error {
	chain, err := s.chain()
	if err != nil {
		return err
	}
	if chain == nil {
		return apperr.New(apperr.Locked, "the vault is locked")
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error { return fn(tx, chain) })
}

// Insert stores v (its SHA256 computed here) and appends e, in one
// transaction. Receiving the same version again is a no-op (added is
// false, nothing audited); a different text under the same kind, purpose,
// version and language is a conflict: a published version never changes.
func (s *NoticeVersionStore) Insert(ctx context.Context, v NoticeVersion, e audit.Entry) (added bool, err error) {
	sum := sha256.Sum256([]byte(v.Text))
	v.SHA256 = hex.EncodeToString(sum[:])
	err = s.tx(ctx, func(tx *sql.Tx, chain *audit.Chain) error {
		var have string
		err := tx.QueryRowContext(ctx, `SELECT sha256 FROM notice_versions WHERE id = ? OR (kind = ? AND purpose = ? AND version = ? AND language = ?)`,
			v.ID, v.Kind, v.Purpose, v.Version, v.Language).Scan(&have)
		switch {
		case err == nil && have == v.SHA256:
			return nil
		case err == nil:
			return apperr.New(apperr.Conflict, "notice version: a published version never changes")
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("store: read notice version: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO notice_versions (id, kind, purpose, version, language, sha256, text,
			summary, material, published_at, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			v.ID, v.Kind, v.Purpose, v.Version, v.Language, v.SHA256, v.Text, v.Summary, v.Material,
			formatOutboxTime(v.PublishedAt), formatOutboxTime(v.ReceivedAt)); err != nil {
			return fmt.Errorf("store: insert notice version: %w", err)
		}
		added = true
		_, err = AppendAuditTx(ctx, tx, chain, e)
		return err
	})
	return added, err
}

// All returns every published version, by kind, purpose, version, language.
func (s *NoticeVersionStore) All(ctx context.Context) ([]NoticeVersion, error) {
	rows, err := s.db.conn(ctx).QueryContext(ctx, `SELECT id, kind, purpose, version, language, sha256, text, summary, material,
		published_at, received_at, acknowledged_at FROM notice_versions ORDER BY kind, purpose, version, language`)
	if err != nil {
		return nil, fmt.Errorf("store: list notice versions: %w", err)
	}
	defer rows.Close()
	var out []NoticeVersion
	for rows.Next() {
		var v NoticeVersion
		var pub, recv string
		var ack sql.NullString
		if err := rows.Scan(&v.ID, &v.Kind, &v.Purpose, &v.Version, &v.Language, &v.SHA256, &v.Text, &v.Summary,
			&v.Material, &pub, &recv, &ack); err != nil {
			return nil, fmt.Errorf("store: read notice version: %w", err)
		}
		if v.PublishedAt, err = time.Parse(outboxTimeLayout, pub); err != nil {
			return nil, fmt.Errorf("store: read notice version: published_at: %w", err)
		}
		if v.ReceivedAt, err = time.Parse(outboxTimeLayout, recv); err != nil {
			return nil, fmt.Errorf("store: read notice version: received_at: %w", err)
		}
		if ack.Valid {
			if v.AcknowledgedAt, err = time.Parse(outboxTimeLayout, ack.String); err != nil {
				return nil, fmt.Errorf("store: read notice version: acknowledged_at: %w", err)
			}
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Acknowledge records that the practitioner read version id, and appends e.
// Acknowledging twice keeps the first time.
func (s *NoticeVersionStore) Acknowledge(ctx context.Context, id string, at time.Time, e audit.Entry) error {
	return s.tx(ctx, func(tx *sql.Tx, chain *audit.Chain) error {
		res, err := tx.ExecContext(ctx, `UPDATE notice_versions SET acknowledged_at = COALESCE(acknowledged_at, ?) WHERE id = ?`,
			formatOutboxTime(at), id)
		if err != nil {
			return fmt.Errorf("store: acknowledge notice version: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.NotFound, "no such notice version")
		}
		_, err = AppendAuditTx(ctx, tx, chain, e)
		return err
	})
}
