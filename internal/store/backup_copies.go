package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
)

// BackupCopyRow is the latest try to upload one backup to the backend
// (migration 0017). Nothing in it is sealed: it names no client.
type BackupCopyRow struct {
	BackupID    string
	BackendURL  string
	Result      string // "ok" | "failed"
	ErrorCode   string // machine code of the failure; "" when ok
	Attempts    int
	AttemptedAt time.Time
	UploadedAt  time.Time // the backend's time; zero unless ok
	SHA256      string
	Size        int64
}

// RecordBackupCopy stores r as the latest try for its backup (replacing an
// earlier one) and records e, in one transaction. A failed try never
// replaces a copy already uploaded: the copy is still there.
func (s *BackupStore) RecordBackupCopy(ctx context.Context, r BackupCopyRow, e audit.Entry) error {
	var uploaded sql.NullString
	if !r.UploadedAt.IsZero() {
		uploaded = sql.NullString{String: formatBackupTime(r.UploadedAt), Valid: true}
	}
	return s.tx(ctx, func(tx *sql.Tx, chain *audit.Chain) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO backup_copies (backup_id, backend_url, result, error_code, attempts,
			attempted_at, uploaded_at, sha256, size_bytes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (backup_id) DO UPDATE SET backend_url = excluded.backend_url, result = excluded.result,
				error_code = excluded.error_code, attempts = excluded.attempts, attempted_at = excluded.attempted_at,
				uploaded_at = excluded.uploaded_at, sha256 = excluded.sha256, size_bytes = excluded.size_bytes
			WHERE backup_copies.result = 'failed' OR excluded.result = 'ok'`,
			r.BackupID, r.BackendURL, r.Result, nullString(r.ErrorCode), r.Attempts, formatBackupTime(r.AttemptedAt),
			uploaded, r.SHA256, r.Size); err != nil {
			return fmt.Errorf("store: record backup copy: %w", err)
		}
		_, err := AppendAuditTx(ctx, tx, chain, e)
		return err
	})
}

const backupCopyColumns = `backup_id, backend_url, result, error_code, attempts, attempted_at, uploaded_at, sha256, size_bytes`

func scanBackupCopy(sc scanner) (BackupCopyRow, error) {
	var r BackupCopyRow
	var code, uploaded sql.NullString
	var attempted string
	if err := sc.Scan(&r.BackupID, &r.BackendURL, &r.Result, &code, &r.Attempts, &attempted, &uploaded, &r.SHA256, &r.Size); err != nil {
		return r, err
	}
	var err error
	if r.AttemptedAt, err = time.Parse(backupTimeLayout, attempted); err != nil {
		return r, err
	}
	if r.UploadedAt, err = parseBackupTime(uploaded); err != nil {
		return r, err
	}
	r.ErrorCode = code.String
	return r, nil
}

// BackupCopy returns the latest try for backup id; not_found when none.
func (s *BackupStore) BackupCopy(ctx context.Context, id string) (BackupCopyRow, error) {
	r, err := scanBackupCopy(s.db.sql.QueryRowContext(ctx, `SELECT `+backupCopyColumns+` FROM backup_copies WHERE backup_id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, apperr.New(apperr.NotFound, "this backup was never uploaded")
	}
	if err != nil {
		return r, fmt.Errorf("store: read backup copy: %w", err)
	}
	return r, nil
}

// BackupCopyHealth is what Settings → Backups shows about the copy in
// India: the newest backup uploaded, and the latest try if it failed after
// that (zero rows when absent).
type BackupCopyHealth struct {
	LastUploaded BackupCopyRow // the newest upload that succeeded (by upload time)
	LastFailed   BackupCopyRow // the latest try, when it failed and came after LastUploaded
}

// BackupCopyHealth reads it. Every column is structural, so it works while
// the vault is locked.
func (db *DB) BackupCopyHealth(ctx context.Context) (BackupCopyHealth, error) {
	var h BackupCopyHealth
	r, err := scanBackupCopy(db.sql.QueryRowContext(ctx, `SELECT `+backupCopyColumns+` FROM backup_copies
		WHERE result = 'ok' ORDER BY uploaded_at DESC, backup_id DESC LIMIT 1`))
	switch {
	case err == nil:
		h.LastUploaded = r
	case !errors.Is(err, sql.ErrNoRows):
		return h, fmt.Errorf("store: read backup copies: %w", err)
	}
	r, err = scanBackupCopy(db.sql.QueryRowContext(ctx, `SELECT `+backupCopyColumns+` FROM backup_copies
		ORDER BY attempted_at DESC, backup_id DESC LIMIT 1`))
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return h, fmt.Errorf("store: read backup copies: %w", err)
	case r.Result == "failed" && r.AttemptedAt.After(h.LastUploaded.AttemptedAt):
		h.LastFailed = r
	}
	return h, nil
}
