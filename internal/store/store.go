// Package store owns the SQLite database of one practice profile: opening it with
// the pragmas every connection needs, applying the embedded migrations, and the
// SQL for each aggregate (one file per aggregate).
//
// # Promises
//
//   - Every connection runs with busy_timeout, WAL, synchronous=FULL (an
//     acknowledged save survives power loss), foreign keys, secure_delete and
//     immediate transactions; a test reads them back.
//   - There is one writer connection; readers share it (SQLite serialises writers
//     anyway, and one connection keeps the WAL and checkpoints predictable).
//   - A database written by a newer version of the app is refused, never
//     "downgraded".
//   - Close checkpoints the WAL with TRUNCATE so that nothing lingers in it.
//
// The store never sees plaintext client data: sealed columns arrive as
// envelopes made by internal/vault.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	_ "modernc.org/sqlite" // registers the "sqlite" driver (pure Go, no cgo)
)

// FileName is the database file inside a profile's data directory.
const FileName = "calmally.db"

// pragmas are applied by the driver on every new connection. The driver does
// not validate them, so TestPragmas reads each one back.
var pragmas = []string{
	"busy_timeout(5000)",
	"journal_mode(WAL)",
	"synchronous(FULL)",
	"foreign_keys(1)",
	"secure_delete(ON)",
}

// ErrTooNew is returned by Open for a database made by a newer app version.
var ErrTooNew = errors.New("store: the database was written by a newer version of CalmAlly Practice; update the app to open it")

// DB is an open practice database.
type DB struct {
	sql  *sql.DB
	path string
}

// Open opens (creating if needed) the database at path and migrates it to the
// schema this binary knows.
func Open(ctx context.Context, path string) (*DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("store: create directory: %w", err)
	}
	q := url.Values{}
	for _, p := range pragmas {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	dsn := "file:" + path + "?" + q.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open: %w", err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open: %w", err)
	}
	// The file may have been created just now; keep it owner-only.
	for _, f := range []string{path, path + "-wal", path + "-shm"} {
		if _, err := os.Stat(f); err == nil {
			_ = os.Chmod(f, 0o600)
		}
	}
	s := &DB{sql: db, path: path}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// Path is the database file's path.
func (db *DB) Path() string { return db.path }

// SQL exposes the handle to this package's tests and to the few
// infrastructure packages (backup) that need raw access.
func (db *DB) SQL() *sql.DB { return db.sql }

// Checkpoint copies the WAL into the main file and truncates it, so that
// deleted or re-sealed bytes do not survive in the WAL. Inside a batch it
// runs once the batch commits (a checkpoint cannot copy what is not
// committed yet); its failure then comes back from Batch as ErrAfterCommit.
func (db *DB) Checkpoint(ctx context.Context) error {
	if db.batchOf(ctx) != nil {
		return db.AfterCommit(ctx, db.Checkpoint)
	}
	var busy, logFrames, checkpointed int
	row := db.sql.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	if err := row.Scan(&busy, &logFrames, &checkpointed); err != nil {
		return fmt.Errorf("store: checkpoint: %w", err)
	}
	if busy != 0 {
		return fmt.Errorf("store: checkpoint: database busy")
	}
	return nil
}

// Close checkpoints and closes the database.
func (db *DB) Close() error {
	cerr := db.Checkpoint(context.Background())
	if err := db.sql.Close(); err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	return cerr
}

// Tx runs fn in one immediate transaction, committing if fn returns nil.
// With a context from Batch, fn runs in a savepoint of the batch's
// transaction instead, released or rolled back as this one would commit or
// roll back (batch.go).
func (db *DB) Tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if b := db.batchOf(ctx); b != nil {
		return b.savepoint(ctx, fn)
	}
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// IntegrityCheck runs PRAGMA quick_check and returns the problems found.
func (db *DB) IntegrityCheck(ctx context.Context) ([]string, error) {
	rows, err := db.sql.QueryContext(ctx, "PRAGMA quick_check")
	if err != nil {
		return nil, fmt.Errorf("store: integrity check: %w", err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("store: integrity check: %w", err)
		}
		if s != "ok" {
			problems = append(problems, s)
		}
	}
	return problems, rows.Err()
}
