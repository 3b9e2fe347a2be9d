package backend

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"

	"github.com/calmally/practice/internal/ids"
	"github.com/calmally/practice/internal/sync/wire"
)

// Backup copies (docs/sync-protocol.md, "Backup copies"): the app's sealed
// backup files, stored as they arrive. The backend checks their size and
// SHA-256 and never reads them: they are encrypted under a subkey of the
// practice's vault, which the backend never holds.
//
// Each file lives at <backup dir>/<therapist id>/<backup id>.cbk, written
// to a temporary file first, synced, and renamed into place inside the
// transaction that records it; the backup_copies table holds the size,
// digest, uploading device and time. Only a backend in region IN keeps
// backups.

var (
	errBackupRegion = apiError(http.StatusForbidden, wire.CodeRegionRefused,
		"this backend keeps no backups: backup copies are kept in India only")
	errBackupConflict = apiError(http.StatusConflict, wire.CodeBackupConflict,
		"another file is stored under this backup id")
	errDigestMismatch = apiError(http.StatusBadRequest, wire.CodeDigestMismatch,
		"the body does not have the SHA-256 its header names; nothing was stored")
	errBackupTooLarge = apiError(http.StatusRequestEntityTooLarge, wire.CodeTooLarge, "a backup copy is at most 512 MiB")
	errNoBackup       = apiError(http.StatusNotFound, wire.CodeNotFound, "no backup copy with that id")
)

// BackupDir is the folder that holds the backup copies.
func (b *Backend) BackupDir() string { return b.backupDir }

func (b *Backend) backupPath(therapist, id string) string {
	return filepath.Join(b.backupDir, therapist, id+".cbk")
}

// checkBackupArgs checks what a PUT names before its body is read.
func checkBackupArgs(id, digest string, size int64) error {
	switch {
	case !ids.Valid(id):
		return invalid("the backup id must be a lower-case UUID")
	case !wire.ValidSHA256(digest):
		return invalid("the " + wire.HeaderBackupSHA256 + " header must be 64 lower-case hex digits")
	case size > wire.MaxBackupBytes:
		return errBackupTooLarge
	case size < 1:
		return invalid("a backup copy needs a Content-Length of 1 byte or more")
	}
	return nil
}

// BackupCopy returns this view's therapist's copy with that id
// (IsNotFound when absent).
func (b *Backend) BackupCopy(ctx context.Context, id string) (wire.BackupCopy, error) {
	return scanBackupCopy(b.db.QueryRowContext(ctx, backupCopyColumns+" WHERE therapist_id = ? AND id = ?", b.therapist, id))
}

// ExistingBackup answers a repeated upload without its body: the stored
// copy when id is stored with this digest and size (a retry: the caller
// answers 200), errBackupConflict when it is stored with another, not
// found when it is new.
func (b *Backend) ExistingBackup(ctx context.Context, id, digest string, size int64) (wire.BackupCopy, error) {
	c, err := b.BackupCopy(ctx, id)
	if err != nil {
		return wire.BackupCopy{}, err
	}
	if c.SHA256 != digest || c.Size != size {
		return wire.BackupCopy{}, errBackupConflict
	}
	return c, nil
}

// PutBackup stores the size bytes of body as backup id of dev's therapist,
// if their SHA-256 is digest. It returns the stored copy and whether it is
// new: the same id with the same digest again stores nothing and is not an
// error (a retry after a lost answer); another digest under a stored id is
// errBackupConflict. A body that is shorter or longer than size, or does
// not match digest, stores nothing.
func (b *Backend) PutBackup(ctx context.Context, dev Device, id, digest string, size int64, body io.Reader) (wire.BackupCopy, bool, error) {
	if err := checkBackupArgs(id, digest, size); err != nil {
		return wire.BackupCopy{}, false, err
	}
	if b.region != wire.RegionIndia {
		return wire.BackupCopy{}, false, errBackupRegion
	}
	mine := b.ForTherapist(dev.TherapistID)
	if c, err := mine.ExistingBackup(ctx, id, digest, size); !IsNotFound(err) {
		return c, false, err
	}
	tmp, err := b.receiveBackup(digest, size, body)
	if err != nil {
		return wire.BackupCopy{}, false, err
	}
	defer os.Remove(tmp) // a no-op once renamed into place
	final := b.backupPath(dev.TherapistID, id)
	c := wire.BackupCopy{ID: id, Size: size, SHA256: digest, UploadedAt: b.now()}
	created := false
	err = b.write(ctx, func(tx *sql.Tx) error {
		// Checked again inside the write lock: two uploads of one id may
		// have raced here.
		prev, err := scanBackupCopy(tx.QueryRowContext(ctx, backupCopyColumns+" WHERE therapist_id = ? AND id = ?", dev.TherapistID, id))
		if err == nil {
			if prev.SHA256 != digest || prev.Size != size {
				return errBackupConflict
			}
			c = prev
			return nil
		}
		if !IsNotFound(err) {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO backup_copies(therapist_id, id, size, sha256, device_id, uploaded_at)
			VALUES(?, ?, ?, ?, ?, ?)`, dev.TherapistID, id, size, digest, dev.ID, ts(c.UploadedAt)); err != nil {
			return fmt.Errorf("backend: record backup copy: %w", err)
		}
		if err := os.MkdirAll(filepath.Dir(final), 0o700); err != nil {
			return fmt.Errorf("backend: store backup copy: %w", err)
		}
		if err := os.Rename(tmp, final); err != nil {
			return fmt.Errorf("backend: store backup copy: %w", err)
		}
		syncDir(filepath.Dir(final))
		created = true
		return nil
	})
	if err != nil && created {
		// The commit failed after the rename: the file has no row.
		os.Remove(final)
	}
	if err != nil {
		return wire.BackupCopy{}, false, err
	}
	return c, created, nil
}

// receiveBackup streams body into a temporary file in the backup folder,
// hashing it, and returns its path once it holds exactly size bytes whose
// SHA-256 is digest, synced. On any failure nothing is left behind.
func (b *Backend) receiveBackup(digest string, size int64, body io.Reader) (path string, err error) {
	f, err := os.CreateTemp(b.backupDir, ".upload-*.tmp")
	if err != nil {
		return "", fmt.Errorf("backend: receive backup copy: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(body, size+1))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig) || n > size:
		return "", invalid("the body is longer than its Content-Length")
	case err != nil:
		return "", fmt.Errorf("backend: receive backup copy: %w", err)
	case n < size:
		return "", invalid("the body is shorter than its Content-Length")
	case hex.EncodeToString(h.Sum(nil)) != digest:
		return "", errDigestMismatch
	}
	if err := f.Sync(); err != nil {
		return "", fmt.Errorf("backend: receive backup copy: %w", err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("backend: receive backup copy: %w", err)
	}
	return f.Name(), nil
}

// BackupCopies lists this view's therapist's copies, newest first.
func (b *Backend) BackupCopies(ctx context.Context) ([]wire.BackupCopy, error) {
	rows, err := b.db.QueryContext(ctx, backupCopyColumns+" WHERE therapist_id = ? ORDER BY uploaded_at DESC, id DESC LIMIT ?",
		b.therapist, wire.MaxBackupList)
	if err != nil {
		return nil, fmt.Errorf("backend: list backup copies: %w", err)
	}
	defer rows.Close()
	out := []wire.BackupCopy{}
	for rows.Next() {
		c, err := scanBackupCopy(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("backend: list backup copies: %w", err)
	}
	return out, nil
}

// OpenBackupCopy opens this view's therapist's copy with that id for
// reading. The caller closes the file.
func (b *Backend) OpenBackupCopy(ctx context.Context, id string) (wire.BackupCopy, *os.File, error) {
	if !ids.Valid(id) {
		return wire.BackupCopy{}, nil, errNoBackup
	}
	c, err := b.BackupCopy(ctx, id)
	if err != nil {
		return wire.BackupCopy{}, nil, err
	}
	f, err := os.Open(b.backupPath(b.therapist, id))
	if err != nil {
		return wire.BackupCopy{}, nil, fmt.Errorf("backend: open backup copy: %w", err)
	}
	return c, f, nil
}

const backupCopyColumns = "SELECT id, size, sha256, uploaded_at FROM backup_copies"

func scanBackupCopy(row scanner) (wire.BackupCopy, error) {
	var c wire.BackupCopy
	var at string
	if err := row.Scan(&c.ID, &c.Size, &c.SHA256, &at); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return wire.BackupCopy{}, errNoBackup
		}
		return wire.BackupCopy{}, fmt.Errorf("backend: read backup copy: %w", err)
	}
	var err error
	if c.UploadedAt, err = parseTS(at); err != nil {
		return wire.BackupCopy{}, fmt.Errorf("backend: read backup copy: %w", err)
	}
	return c, nil
}

// syncDir makes a rename durable where the OS can sync a folder.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
