package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
)

// Backups: consistent snapshots of the live database, read-only access to a
// decrypted snapshot for verification and restore, the backups log and the
// backup settings (migrations/0010_backups.sql). Sealing the snapshot is
// internal/backup's job; this file never sees a key.

func init() {
	registerSealed(SealedColumn{Table: "backups", Column: "path"})
	registerSealed(SealedColumn{Table: "backup_settings", Column: "folder"})
}

// readOnlyDSN opens path read-only. immutable tells SQLite that nothing else
// writes the file (true of a decrypted snapshot, never of the live database),
// so it creates no -wal or -shm beside it.
func readOnlyDSN(path string, immutable bool) string {
	q := url.Values{}
	q.Set("mode", "ro")
	if immutable {
		q.Set("immutable", "1")
	}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "query_only(1)")
	return "file:" + path + "?" + q.Encode()
}

// readerConn opens a second handle on the live database for reading only. In
// WAL mode a reader sees one consistent snapshot and neither blocks nor is
// blocked by the writer connection, so a backup or a startup check does not
// stall note saves. forVacuum leaves the handle writable: SQLite opens the
// VACUUM INTO target with the main database's flags, so a read-only handle
// cannot write the copy. Such a handle only ever runs VACUUM INTO, which
// reads the live database.
func (db *DB) readerConn(ctx context.Context, forVacuum bool) (*sql.DB, error) {
	dsn := readOnlyDSN(db.path, false)
	if forVacuum {
		q := url.Values{}
		q.Add("_pragma", "busy_timeout(5000)")
		dsn = "file:" + db.path + "?" + q.Encode()
	}
	r, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	r.SetMaxOpenConns(1)
	if err := r.PingContext(ctx); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// Snapshot writes a consistent copy of the database to path (which must not
// exist) with VACUUM INTO, from a read-only connection: writers carry on
// meanwhile, and the copy is one point in time. The copy is compact (free
// pages, and so deleted bytes, are not carried over) and holds what the
// database holds: sealed envelopes, structural columns and the vault header.
// On failure nothing is left at path.
func (db *DB) Snapshot(ctx context.Context, path string) error {
	if _, err := os.Lstat(path); !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("store: snapshot: the target exists or cannot be checked")
	}
	r, err := db.readerConn(ctx, true)
	if err != nil {
		return fmt.Errorf("store: snapshot: open reader: %w", err)
	}
	defer r.Close()
	if _, err := r.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		_ = os.Remove(path)
		return fmt.Errorf("store: snapshot: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		_ = os.Remove(path)
		return fmt.Errorf("store: snapshot: %w", err)
	}
	return nil
}

// QuickCheck runs PRAGMA quick_check on a separate read-only connection, so
// that the check at startup does not hold the writer connection.
func (db *DB) QuickCheck(ctx context.Context) ([]string, error) {
	r, err := db.readerConn(ctx, false)
	if err != nil {
		return nil, fmt.Errorf("store: quick check: %w", err)
	}
	defer r.Close()
	return checkPragma(ctx, r, "quick_check")
}

// FullIntegrityCheck runs PRAGMA integrity_check (slower than quick_check:
// it also checks that indexes match their tables).
func (db *DB) FullIntegrityCheck(ctx context.Context) ([]string, error) {
	return checkPragma(ctx, db.sql, "integrity_check")
}

func checkPragma(ctx context.Context, q *sql.DB, pragma string) ([]string, error) {
	rows, err := q.QueryContext(ctx, "PRAGMA "+pragma)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", pragma, err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("store: %s: %w", pragma, err)
		}
		if s != "ok" {
			problems = append(problems, s)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %s: %w", pragma, err)
	}
	return problems, nil
}

// SnapshotDB is a decrypted backup snapshot opened read-only, for
// verification. It is never migrated or written.
type SnapshotDB struct {
	sql *sql.DB
}

// OpenSnapshot opens the database file at path read-only. A file that is not
// an SQLite database fails here or at the first query.
func OpenSnapshot(ctx context.Context, path string) (*SnapshotDB, error) {
	d, err := sql.Open("sqlite", readOnlyDSN(path, true))
	if err != nil {
		return nil, fmt.Errorf("store: open snapshot: %w", err)
	}
	d.SetMaxOpenConns(1)
	if err := d.PingContext(ctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("store: open snapshot: %w", err)
	}
	return &SnapshotDB{sql: d}, nil
}

// Close closes the snapshot.
func (s *SnapshotDB) Close() error { return s.sql.Close() }

// IntegrityCheck runs PRAGMA integrity_check on the snapshot.
func (s *SnapshotDB) IntegrityCheck(ctx context.Context) ([]string, error) {
	return checkPragma(ctx, s.sql, "integrity_check")
}

// Meta reads one value of the snapshot's meta table; ErrNotFound if absent.
func (s *SnapshotDB) Meta(ctx context.Context, key string) ([]byte, error) {
	var v []byte
	err := s.sql.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: snapshot: read meta: %w", err)
	}
	return v, nil
}

// SchemaVersion is the newest migration recorded in the snapshot.
func (s *SnapshotDB) SchemaVersion(ctx context.Context) (int, error) {
	var v sql.NullInt64
	if err := s.sql.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("store: snapshot: read schema version: %w", err)
	}
	return int(v.Int64), nil
}

// EnvelopeFunc receives one sealed value of a snapshot.
type EnvelopeFunc func(col SealedColumn, rowID string, rev int64, envelope []byte) error

// SampleEnvelopes calls fn for up to perColumn randomly chosen non-null
// values of each column in cols that exists in the snapshot (an older
// snapshot may lack newer tables), and returns how many it visited. A
// perColumn below 1 visits every value.
func (s *SnapshotDB) SampleEnvelopes(ctx context.Context, cols []SealedColumn, perColumn int, fn EnvelopeFunc) (int, error) {
	n := 0
	for _, c := range cols {
		var exists int
		if err := s.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM pragma_table_info(?) WHERE name = ?`, c.Table, c.Column).Scan(&exists); err != nil {
			return n, fmt.Errorf("store: snapshot: inspect schema: %w", err)
		}
		if exists == 0 {
			continue
		}
		q := fmt.Sprintf(`SELECT id, rev, %q FROM %q WHERE %q IS NOT NULL`, c.Column, c.Table, c.Column)
		args := []any{}
		if perColumn > 0 {
			q += ` ORDER BY random() LIMIT ?`
			args = append(args, perColumn)
		}
		rows, err := s.sql.QueryContext(ctx, q, args...)
		if err != nil {
			return n, fmt.Errorf("store: snapshot: read envelopes: %w", err)
		}
		for rows.Next() {
			var id string
			var rev int64
			var env []byte
			if err := rows.Scan(&id, &rev, &env); err != nil {
				rows.Close()
				return n, fmt.Errorf("store: snapshot: read envelope: %w", err)
			}
			n++
			if err := fn(c, id, rev, env); err != nil {
				rows.Close()
				return n, err
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return n, fmt.Errorf("store: snapshot: read envelopes: %w", err)
		}
	}
	return n, nil
}

// backupTimeLayout is fixed-width UTC, so text order is time order.
const backupTimeLayout = "2006-01-02T15:04:05.000000000Z"

func formatBackupTime(t time.Time) string { return t.UTC().Format(backupTimeLayout) }

func parseBackupTime(s sql.NullString) (time.Time, error) {
	if !s.Valid {
		return time.Time{}, nil
	}
	return time.Parse(backupTimeLayout, s.String)
}

// BackupRow is one line of the backups log. Path is an envelope.
type BackupRow struct {
	ID            string
	At            time.Time
	Trigger       string // "manual" | "schedule"
	Result        string // "ok" | "failed"
	ErrorCode     string // apperr code when failed
	Path          []byte // sealed: AD (backups, path, id, 1)
	SHA256        string
	Size          int64
	SchemaVersion int
	VerifiedAt    time.Time // zero: never verified
	VerifyResult  string    // "" | "ok" | "failed"
	RemovedAt     time.Time // zero: still in the folder (as far as we know)
}

// BackupStore is the backups log and settings, with the audit chain at hand.
type BackupStore struct {
	db    *DB
	chain func() (*audit.Chain, error)
}

// NewBackupStore returns the backup store; chain yields the audit chain, or a
// locked error while the vault is locked.
func NewBackupStore(db *DB, chain func() (*audit.Chain, error)) *BackupStore {
	return &BackupStore{db: db, chain: chain}
}

func (s *BackupStore) tx(ctx context.Context, fn func(tx *sql.Tx, chain *audit.Chain) error) error {
	chain, err := s.chain()
	if err != nil {
		return err
	}
	if chain == nil {
		return apperr.New(apperr.Locked, "the vault is locked")
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error { return fn(tx, chain) })
}

// InsertBackup logs a backup attempt and records e, in one transaction.
func (s *BackupStore) InsertBackup(ctx context.Context, r BackupRow, e audit.Entry) error {
	return s.tx(ctx, func(tx *sql.Tx, chain *audit.Chain) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO backups (id, rev, at, trigger, result, error_code, path, sha256,
			size_bytes, schema_version) VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.ID, formatBackupTime(r.At), r.Trigger, r.Result, nullString(r.ErrorCode), r.Path, r.SHA256,
			r.Size, r.SchemaVersion); err != nil {
			return fmt.Errorf("store: log backup: %w", err)
		}
		_, err := AppendAuditTx(ctx, tx, chain, e)
		return err
	})
}

// RecordVerification sets the verification of backup id (if it is in this
// profile's log: a file from elsewhere has no row) and records e.
func (s *BackupStore) RecordVerification(ctx context.Context, id string, at time.Time, ok bool, e audit.Entry) error {
	result := "failed"
	if ok {
		result = "ok"
	}
	return s.tx(ctx, func(tx *sql.Tx, chain *audit.Chain) error {
		if _, err := tx.ExecContext(ctx, `UPDATE backups SET verified_at = ?, verify_result = ? WHERE id = ?`,
			formatBackupTime(at), result, id); err != nil {
			return fmt.Errorf("store: record verification: %w", err)
		}
		_, err := AppendAuditTx(ctx, tx, chain, e)
		return err
	})
}

// MarkRemoved records that rotation deleted the file of backup id, and e.
func (s *BackupStore) MarkRemoved(ctx context.Context, id string, at time.Time, e audit.Entry) error {
	return s.tx(ctx, func(tx *sql.Tx, chain *audit.Chain) error {
		if _, err := tx.ExecContext(ctx, `UPDATE backups SET removed_at = ? WHERE id = ? AND removed_at IS NULL`,
			formatBackupTime(at), id); err != nil {
			return fmt.Errorf("store: mark backup removed: %w", err)
		}
		_, err := AppendAuditTx(ctx, tx, chain, e)
		return err
	})
}

const backupColumns = `id, at, trigger, result, error_code, path, sha256, size_bytes, schema_version,
	verified_at, verify_result, removed_at`

func scanBackup(sc scanner) (BackupRow, error) {
	var r BackupRow
	var at string
	var errCode, verifiedAt, verifyResult, removedAt sql.NullString
	if err := sc.Scan(&r.ID, &at, &r.Trigger, &r.Result, &errCode, &r.Path, &r.SHA256, &r.Size, &r.SchemaVersion,
		&verifiedAt, &verifyResult, &removedAt); err != nil {
		return r, err
	}
	var err error
	if r.At, err = time.Parse(backupTimeLayout, at); err != nil {
		return r, err
	}
	if r.VerifiedAt, err = parseBackupTime(verifiedAt); err != nil {
		return r, err
	}
	if r.RemovedAt, err = parseBackupTime(removedAt); err != nil {
		return r, err
	}
	r.ErrorCode, r.VerifyResult = errCode.String, verifyResult.String
	return r, nil
}

// ListBackups returns up to limit log rows, newest first. It reads only
// structural columns and envelopes, so it needs no audit entry of its own.
func (s *BackupStore) ListBackups(ctx context.Context, limit int) ([]BackupRow, error) {
	rows, err := s.db.sql.QueryContext(ctx, `SELECT `+backupColumns+` FROM backups ORDER BY at DESC, id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: list backups: %w", err)
	}
	defer rows.Close()
	var out []BackupRow
	for rows.Next() {
		r, err := scanBackup(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list backups: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list backups: %w", err)
	}
	return out, nil
}

// BackupByID returns one log row; not_found if absent.
func (s *BackupStore) BackupByID(ctx context.Context, id string) (BackupRow, error) {
	r, err := scanBackup(s.db.sql.QueryRowContext(ctx, `SELECT `+backupColumns+` FROM backups WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, apperr.New(apperr.NotFound, "no backup with that id in this profile's log")
	}
	if err != nil {
		return r, fmt.Errorf("store: read backup: %w", err)
	}
	return r, nil
}

// BackupDates are the facts the backup warning and schedule are computed
// from; zero when absent.
type BackupDates struct {
	LastOK       time.Time // the last successful backup
	LastVerified time.Time // the last successful verification
	TrailStart   time.Time // the first audit entry (the vault's creation)
}

// BackupDates reads them. All are structural, so they are readable while
// the vault is locked (the lock screen's warning).
func (db *DB) BackupDates(ctx context.Context) (BackupDates, error) {
	var ok, verified, start sql.NullString
	if err := db.sql.QueryRowContext(ctx, `SELECT
		(SELECT MAX(at) FROM backups WHERE result = 'ok'),
		(SELECT MAX(verified_at) FROM backups WHERE verify_result = 'ok'),
		(SELECT at FROM audit_log ORDER BY seq LIMIT 1)`).Scan(&ok, &verified, &start); err != nil {
		return BackupDates{}, fmt.Errorf("store: read backup dates: %w", err)
	}
	var d BackupDates
	var err error
	if d.LastOK, err = parseBackupTime(ok); err != nil {
		return BackupDates{}, fmt.Errorf("store: read backup dates: %w", err)
	}
	if d.LastVerified, err = parseBackupTime(verified); err != nil {
		return BackupDates{}, fmt.Errorf("store: read backup dates: %w", err)
	}
	if start.Valid {
		if d.TrailStart, err = time.Parse(auditTimeLayout, start.String); err != nil {
			return BackupDates{}, fmt.Errorf("store: read backup dates: %w", err)
		}
	}
	return d, nil
}

// BackupSettingsRow is the one row of backup settings. Folder is an envelope.
type BackupSettingsRow struct {
	Rev                                int64
	Folder                             []byte // sealed: AD (backup_settings, folder, "settings", rev)
	Schedule                           string
	KeepDaily, KeepWeekly, KeepMonthly int
	UpdatedAt                          time.Time
}

// BackupSettingsID is the id of the settings row (and of its envelope's AD).
const BackupSettingsID = "settings"

// BackupSettings returns the settings; not_found when none were saved.
func (s *BackupStore) BackupSettings(ctx context.Context) (BackupSettingsRow, error) {
	var r BackupSettingsRow
	var updated string
	err := s.db.sql.QueryRowContext(ctx, `SELECT rev, folder, schedule, keep_daily, keep_weekly, keep_monthly, updated_at
		FROM backup_settings WHERE id = ?`, BackupSettingsID).Scan(&r.Rev, &r.Folder, &r.Schedule, &r.KeepDaily, &r.KeepWeekly, &r.KeepMonthly, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return r, apperr.New(apperr.NotFound, "no backup folder has been chosen")
	}
	if err != nil {
		return r, fmt.Errorf("store: read backup settings: %w", err)
	}
	if r.UpdatedAt, err = time.Parse(backupTimeLayout, updated); err != nil {
		return r, fmt.Errorf("store: read backup settings: %w", err)
	}
	return r, nil
}

// SaveBackupSettings writes r if the stored revision is still expectedRev (0:
// none stored yet), and records e. r.Rev must be expectedRev+1 (its folder
// envelope is sealed for that revision). A stale expectedRev is a conflict.
func (s *BackupStore) SaveBackupSettings(ctx context.Context, r BackupSettingsRow, expectedRev int64, e audit.Entry) error {
	if r.Rev != expectedRev+1 {
		return fmt.Errorf("store: save backup settings: revision %d does not follow %d", r.Rev, expectedRev)
	}
	return s.tx(ctx, func(tx *sql.Tx, chain *audit.Chain) error {
		var res sql.Result
		var err error
		if expectedRev == 0 {
			res, err = tx.ExecContext(ctx, `INSERT INTO backup_settings (id, rev, folder, schedule, keep_daily, keep_weekly,
				keep_monthly, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
				BackupSettingsID, r.Rev, r.Folder, r.Schedule, r.KeepDaily, r.KeepWeekly, r.KeepMonthly, formatBackupTime(r.UpdatedAt))
		} else {
			res, err = tx.ExecContext(ctx, `UPDATE backup_settings SET rev = ?, folder = ?, schedule = ?, keep_daily = ?,
				keep_weekly = ?, keep_monthly = ?, updated_at = ? WHERE id = ? AND rev = ?`,
				r.Rev, r.Folder, r.Schedule, r.KeepDaily, r.KeepWeekly, r.KeepMonthly, formatBackupTime(r.UpdatedAt),
				BackupSettingsID, expectedRev)
		}
		if err != nil {
			return fmt.Errorf("store: save backup settings: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("store: save backup settings: %w", err)
		} else if n != 1 {
			return apperr.New(apperr.Conflict, "the backup settings were changed elsewhere: reload them and try again")
		}
		_, err = AppendAuditTx(ctx, tx, chain, e)
		return err
	})
}
