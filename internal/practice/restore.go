package practice

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/google/uuid"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/backup"
	"github.com/calmally/practice/internal/datadir"
	"github.com/calmally/practice/internal/store"
	"github.com/calmally/practice/internal/vault"
)

// RestorePreview is what the recovery screen shows about a backup file before
// the user types the recovery code: nothing in it is secret or names a client.
type RestorePreview struct {
	BackupID      string
	VaultID       string
	CreatedAt     time.Time
	SchemaVersion int
	AppVersion    string
	Size          int64
	// NewerThanApp: the backup was made by a newer version; update first.
	NewerThanApp bool
}

// PreviewBackup reads the plaintext header of a backup file. It does not
// authenticate it (that needs the key): Restore does, before using anything.
func PreviewBackup(path string) (RestorePreview, error) {
	f, err := os.Open(path)
	if err != nil {
		return RestorePreview{}, apperr.Wrap(apperr.NotFound, "the backup file cannot be opened", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return RestorePreview{}, fmt.Errorf("practice: preview backup: %w", err)
	}
	h, err := backup.ReadHeader(f)
	if err != nil {
		return RestorePreview{}, formatError(err)
	}
	return RestorePreview{BackupID: h.BackupID, VaultID: h.VaultID, CreatedAt: h.CreatedAt, SchemaVersion: h.SchemaVersion,
		AppVersion: h.AppVersion, Size: fi.Size(), NewerThanApp: h.SchemaVersion > store.SchemaVersion()}, nil
}

// Restore puts the backup at from into opts.DataDir, which must not hold a
// profile yet (a new computer, or a new folder), using the recovery code of
// the vault the backup was made from. It then enrols a new passphrase and
// keychain secret and a new recovery code (returned once), exactly as
// Recover does, and returns the profile open and unlocked.
//
// The backup is decrypted to a temporary file in the data folder, checked
// (every chunk authenticated, PRAGMA integrity_check, its vault header,
// every envelope opened) and only then renamed into place. A wrong code, a
// damaged file or any failure leaves the data folder without a database.
func Restore(ctx context.Context, opts Options, from, recoveryCode string, newPassphrase []byte, passphraseOnly bool) (*Practice, CreateResult, error) {
	if opts.DataDir == "" {
		return nil, CreateResult{}, errors.New("practice: restore: no data directory")
	}
	if err := vault.RequireStrong(string(newPassphrase), nil); err != nil {
		return nil, CreateResult{}, apperr.Wrap(apperr.Invalid, err.Error(), err)
	}
	if err := datadir.Ensure(opts.DataDir); err != nil {
		return nil, CreateResult{}, err
	}
	dbPath := filepath.Join(opts.DataDir, store.FileName)
	if err := clearUnusedProfile(ctx, dbPath); err != nil {
		return nil, CreateResult{}, err
	}
	backupID, err := restoreFile(ctx, opts.DataDir, from, recoveryCode)
	if err != nil {
		return nil, CreateResult{}, err
	}
	removeDB := func() {
		for _, f := range []string{dbPath, dbPath + "-wal", dbPath + "-shm"} {
			_ = os.Remove(f)
		}
	}
	p, err := Open(ctx, opts)
	if err != nil {
		removeDB()
		return nil, CreateResult{}, err
	}
	// The restored profile gets its own keychain item: a restore on the
	// computer that made the backup (to test it, or into a second folder)
	// must not replace the original profile's keychain secret.
	if err := p.db.SetMeta(ctx, metaVaultID, []byte(uuid.Must(uuid.NewV7()).String())); err != nil {
		p.Close()
		removeDB()
		return nil, CreateResult{}, err
	}
	res, err := p.Recover(ctx, recoveryCode, newPassphrase, passphraseOnly)
	if err != nil {
		p.Close()
		removeDB()
		return nil, CreateResult{}, err
	}
	p.record(ctx, p.auditEntry(audit.ActionRestore, "backup", backupID, audit.D("op", "restore")))
	p.log.Info("profile restored from backup", "id", backupID)
	return p, res, nil
}

// restoreFile decrypts and checks the backup at from and renames it into
// dataDir as the profile's database. It returns the backup's id.
func restoreFile(ctx context.Context, dataDir, from, code string) (string, error) {
	f, err := os.Open(from)
	if err != nil {
		return "", apperr.Wrap(apperr.NotFound, "the backup file cannot be opened", err)
	}
	defer f.Close()
	r, err := backup.NewReader(f)
	if err != nil {
		return "", formatError(err)
	}
	h := r.Header
	if h.SchemaVersion > store.SchemaVersion() {
		return "", apperr.New(apperr.Invalid, "this backup was made by a newer version of CalmAlly Practice; update the app, then restore")
	}
	vh, err := h.Vault()
	if err != nil {
		return "", formatError(err)
	}
	keys, err := vault.Recover(vh, code)
	if err != nil {
		if errors.Is(err, vault.ErrWrongRecoveryCode) {
			return "", apperr.Wrap(apperr.Locked, "wrong recovery code for this backup (a backup opens with the recovery code that was current when it was made)", err)
		}
		return "", formatError(err)
	}
	defer keys.Wipe()
	keys.SetDataKeyVersion(vh.DataKeyVersion)
	key, err := keys.DeriveSubkey(backupSubkey)
	if err != nil {
		return "", err
	}
	defer clear(key)
	tmp := filepath.Join(dataDir, ".restore-"+uuid.Must(uuid.NewV7()).String()+".snapshot")
	defer removeScrubbed(tmp) // a no-op once renamed
	if err := decryptTo(r, key, tmp); err != nil {
		return "", err
	}
	// Every envelope, not a sample: this is the copy the practice will live on.
	if _, err := checkSnapshot(ctx, tmp, h, keys, 0, nil); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, filepath.Join(dataDir, store.FileName)); err != nil {
		return "", fmt.Errorf("practice: restore: rename into place: %w", err)
	}
	syncDir(dataDir)
	return h.BackupID, nil
}

// clearUnusedProfile makes way for a restore: no database, or one that never
// got a vault (the app opens, and so creates, the profile before its first
// screen; on a new computer that screen offers the restore) is fine and is
// removed. Anything else is a profile that holds records: refused.
func clearUnusedProfile(ctx context.Context, dbPath string) error {
	if _, err := os.Lstat(dbPath); errors.Is(err, os.ErrNotExist) {
		if _, err := os.Lstat(dbPath + "-wal"); errors.Is(err, os.ErrNotExist) {
			return nil
		}
	}
	inUse := apperr.New(apperr.Conflict, "this data folder already holds a profile; restore into a new, empty folder")
	// A full open (not a read-only one) so that a vault header still only in
	// the WAL is seen.
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		return inUse
	}
	_, err = db.Meta(ctx, metaHeader)
	if cerr := db.Close(); cerr != nil || !errors.Is(err, store.ErrNotFound) {
		return inUse
	}
	for _, f := range []string{dbPath, dbPath + "-wal", dbPath + "-shm"} {
		if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("practice: restore: remove the empty profile: %w", err)
		}
	}
	return nil
}
