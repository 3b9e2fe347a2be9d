package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ErrNotFound is returned when a requested row does not exist.
var ErrNotFound = errors.New("store: not found")

// Meta reads one value from the meta table; ErrNotFound if absent.
func (db *DB) Meta(ctx context.Context, key string) ([]byte, error) {
	var v []byte
	err := db.conn(ctx).QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: read meta: %w", err)
	}
	return v, nil
}

// SetMeta writes one value to the meta table.
func (db *DB) SetMeta(ctx context.Context, key string, value []byte) error {
	return db.Tx(ctx, func(tx *sql.Tx) error { return SetMetaTx(ctx, tx, key, value) })
}

// SetMetaTx writes one value to the meta table inside an open transaction.
func SetMetaTx(ctx context.Context, tx *sql.Tx, key string, value []byte) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value, updated_at) VALUES (?, ?, ?)
		ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
		key, value, time.Now().UTC().Format(time.RFC3339Nano))
	if err != nil {
		return fmt.Errorf("store: write meta: %w", err)
	}
	return nil
}
