package practice

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/backup"
	"github.com/calmally/practice/internal/buildinfo"
	"github.com/calmally/practice/internal/store"
	"github.com/calmally/practice/internal/vault"
)

// Backups of the profile (internal/backup has the format): a snapshot taken
// with VACUUM INTO on a second connection (saves carry on), sealed as a whole
// under the vault's backup subkey, written to a temporary file beside the
// target, synced and renamed into place; then read back and verified, logged
// (path sealed) and audited, and the folder rotated. Restore (restore.go)
// runs the other way on a new computer with the recovery kit.

// backupSubkey is the vault subkey purpose that seals backup files. It does
// not change when the data key is rotated, so old backups stay readable.
const backupSubkey = "backup"

// verifySample is how many envelopes per sealed column a verification opens.
const verifySample = 200

// backupState is the part of Practice that backups and the startup check own.
type backupState struct {
	mu        sync.Mutex // one backup, verification or rotation at a time
	checkMu   sync.Mutex
	check     IntegrityReport
	checkDone chan struct{} // closed when the startup check has finished
	uploadMu  sync.Mutex    // one upload to the backend at a time (backup_remote.go)
}

// Trigger says who asked for a backup.
type Trigger string

// Triggers.
const (
	TriggerManual   Trigger = "manual"
	TriggerSchedule Trigger = "schedule"
)

// BackupSettings are where and how often the app backs up on its own.
type BackupSettings struct {
	Folder   string          // absolute; "" until the user picks one
	Schedule backup.Schedule // default daily
	Keep     backup.Policy   // rotation; Zone is the practice's
	Rev      int64           // send back unchanged when saving; 0: never saved
	// AtMinute is the time of day of scheduled backups (minutes after
	// midnight, practice zone); -1: the first time the app is open that day.
	AtMinute int
}

// BackupResult describes a backup just written.
type BackupResult struct {
	ID       string
	Path     string
	At       time.Time
	Size     int64
	SHA256   string
	Verified bool     // read back and checked (BackupNow always verifies)
	Removed  []string // file names rotation deleted
	// Remote is how the copy to the backend in India went (backup_remote.go);
	// its failure never fails the backup.
	Remote RemoteCopyResult
}

// VerifyResult is what a verification found.
type VerifyResult struct {
	BackupID        string
	CreatedAt       time.Time
	SchemaVersion   int
	Size            int64
	EnvelopesOpened int
}

// BackupInfo is one line of the backups log, path decrypted.
type BackupInfo struct {
	ID            string
	At            time.Time
	Trigger       string
	Result        string // "ok" | "failed"
	ErrorCode     string
	Path          string // "" when its envelope failed to open (Damaged)
	Size          int64
	SHA256        string
	SchemaVersion int
	VerifiedAt    time.Time
	VerifyResult  string // "" | "ok" | "failed"
	RemovedAt     time.Time
	Present       bool // the file is still there
	Damaged       bool
}

// BackupHealth is what the lock screen and Settings → Backups show.
type BackupHealth struct {
	LastBackupAt   time.Time // last successful backup; zero: never
	LastVerifiedAt time.Time // last successful verification; zero: never
	// Stale: no verified backup for 7 days (counted from the vault's
	// creation when there has never been one).
	Stale bool
	// Remote is the copy in India (backup_remote.go).
	Remote RemoteHealth
}

func practiceZone() *time.Location {
	if z, err := time.LoadLocation("Asia/Kolkata"); err == nil {
		return z
	}
	return time.FixedZone("IST", 5*3600+1800)
}

func (p *Practice) backupStore() *store.BackupStore {
	return store.NewBackupStore(p.db, p.AuditChain)
}

func (p *Practice) auditEntry(action audit.Action, recordType, id string, d audit.Detail) audit.Entry {
	return audit.Entry{At: p.Now(), Actor: p.opts.Actor, Action: action, RecordType: recordType, RecordID: id, Detail: d.String()}
}

func backupPathAD(id string) vault.AD {
	return vault.AD{Table: "backups", Column: "path", RowID: id, Revision: 1}
}

func settingsAD(rev int64) vault.AD {
	return vault.AD{Table: "backup_settings", Column: "folder", RowID: store.BackupSettingsID, Revision: rev}
}

// BackupSettings returns the backup settings, or the defaults (no folder,
// daily, 7/4/12) when none were saved.
func (p *Practice) BackupSettings(ctx context.Context) (BackupSettings, error) {
	keys, err := p.Keys()
	if err != nil {
		return BackupSettings{}, err
	}
	r, err := p.backupStore().BackupSettings(ctx)
	if apperr.CodeOf(err) == apperr.NotFound {
		return BackupSettings{Schedule: backup.Daily, Keep: backup.DefaultPolicy(practiceZone()), AtMinute: p.backupAtMinute(ctx)}, nil
	}
	if err != nil {
		return BackupSettings{}, err
	}
	folder, err := keys.Open(settingsAD(r.Rev), r.Folder)
	if err != nil {
		p.record(ctx, p.auditEntry(audit.ActionIntegrityError, "backup_settings", store.BackupSettingsID, audit.D()))
		return BackupSettings{}, apperr.Wrap(apperr.Integrity, "the backup settings failed their integrity check", err)
	}
	return BackupSettings{
		Folder:   string(folder),
		Schedule: backup.Schedule(r.Schedule),
		Keep:     backup.Policy{Daily: r.KeepDaily, Weekly: r.KeepWeekly, Monthly: r.KeepMonthly, Zone: practiceZone()},
		Rev:      r.Rev,
		AtMinute: p.backupAtMinute(ctx),
	}, nil
}

// SetBackupSettings saves s. The folder must be an absolute path to an
// existing folder outside the profile's data directory. s.Rev must be the
// revision last read (a stale one is a conflict).
func (p *Practice) SetBackupSettings(ctx context.Context, s BackupSettings) (BackupSettings, error) {
	keys, err := p.Keys()
	if err != nil {
		return BackupSettings{}, err
	}
	if _, err := backup.ParseSchedule(string(s.Schedule)); err != nil {
		return BackupSettings{}, apperr.New(apperr.Invalid, "the schedule must be off, daily or weekly")
	}
	if s.Keep.Daily < 1 || s.Keep.Daily > 366 || s.Keep.Weekly < 0 || s.Keep.Weekly > 520 || s.Keep.Monthly < 0 || s.Keep.Monthly > 1200 {
		return BackupSettings{}, apperr.New(apperr.Invalid, "keep 1–366 daily, 0–520 weekly and 0–1200 monthly backups")
	}
	if s.AtMinute < -1 || s.AtMinute >= 24*60 {
		return BackupSettings{}, apperr.New(apperr.Invalid, "the backup time must be a time of day (00:00–23:59) or any time")
	}
	if err := p.checkFolder(s.Folder); err != nil {
		return BackupSettings{}, err
	}
	rev := s.Rev + 1
	env, err := keys.Seal(settingsAD(rev), []byte(s.Folder))
	if err != nil {
		return BackupSettings{}, err
	}
	row := store.BackupSettingsRow{Rev: rev, Folder: env, Schedule: string(s.Schedule), KeepDaily: s.Keep.Daily,
		KeepWeekly: s.Keep.Weekly, KeepMonthly: s.Keep.Monthly, UpdatedAt: p.Now()}
	e := p.auditEntry(audit.ActionEdit, "backup_settings", store.BackupSettingsID, audit.D("schedule", string(s.Schedule)))
	if err := p.backupStore().SaveBackupSettings(ctx, row, s.Rev, e); err != nil {
		return BackupSettings{}, err
	}
	if err := p.setBackupAtMinute(ctx, s.AtMinute); err != nil {
		return BackupSettings{}, err
	}
	s.Rev = rev
	s.Keep.Zone = practiceZone()
	return s, nil
}

func (p *Practice) checkFolder(folder string) error {
	if folder == "" {
		return nil // backups off until a folder is chosen
	}
	if !filepath.IsAbs(folder) {
		return apperr.New(apperr.Invalid, "the backup folder must be an absolute path")
	}
	fi, err := os.Stat(folder)
	if err != nil || !fi.IsDir() {
		return apperr.New(apperr.Invalid, "the backup folder does not exist")
	}
	if inside(folder, p.DataDir()) {
		return apperr.New(apperr.Invalid, "choose a backup folder outside the profile's data folder (ideally another disk)")
	}
	return nil
}

// inside reports whether path is dir or below it.
func inside(path, dir string) bool {
	rel, err := filepath.Rel(filepath.Clean(dir), filepath.Clean(path))
	return err == nil && (rel == "." || (rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))))
}

// BackupNow writes a backup into the settings' folder, verifies it and
// rotates the folder, then uploads it to the backend in India when the
// profile is enrolled (res.Remote). Without a folder it is refused.
func (p *Practice) BackupNow(ctx context.Context, trigger Trigger) (BackupResult, error) {
	res, err := p.backupNow(ctx, trigger)
	if err == nil {
		res.Remote = p.copyToBackend(ctx, res.ID)
	}
	return res, err
}

func (p *Practice) backupNow(ctx context.Context, trigger Trigger) (BackupResult, error) {
	s, err := p.BackupSettings(ctx)
	if err != nil {
		return BackupResult{}, err
	}
	if s.Folder == "" {
		return BackupResult{}, apperr.New(apperr.Invalid, "choose a backup folder first (Settings → Backups)")
	}
	if err := p.checkFolder(s.Folder); err != nil {
		return BackupResult{}, err
	}
	p.bk.mu.Lock()
	defer p.bk.mu.Unlock()
	at := p.Now()
	res, err := p.writeBackup(ctx, filepath.Join(s.Folder, backup.FileName(at)), at, trigger)
	if err != nil {
		return res, err
	}
	if _, err := p.verifyLocked(ctx, res.Path); err != nil {
		// Keep the older backups: rotation runs only after a good one.
		return res, err
	}
	res.Verified = true
	removed, err := p.rotateLocked(ctx, s.Folder, s.Keep)
	res.Removed = removed
	if err != nil {
		p.log.Warn("backup rotation failed", "err", err)
	}
	return res, nil
}

// BackupTo writes a backup to exactly path (the CLI's --out), which must not
// exist. It does not rotate; it verifies when verify is set; it uploads the
// backup as BackupNow does.
func (p *Practice) BackupTo(ctx context.Context, path string, verify bool) (BackupResult, error) {
	res, err := p.backupTo(ctx, path, verify)
	if err == nil {
		res.Remote = p.copyToBackend(ctx, res.ID)
	}
	return res, err
}

func (p *Practice) backupTo(ctx context.Context, path string, verify bool) (BackupResult, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return BackupResult{}, apperr.Wrap(apperr.Invalid, "the backup path is not valid", err)
	}
	if inside(abs, p.DataDir()) {
		return BackupResult{}, apperr.New(apperr.Invalid, "write the backup outside the profile's data folder")
	}
	p.bk.mu.Lock()
	defer p.bk.mu.Unlock()
	res, err := p.writeBackup(ctx, abs, p.Now(), TriggerManual)
	if err != nil || !verify {
		return res, err
	}
	if _, err := p.verifyLocked(ctx, res.Path); err != nil {
		return res, err
	}
	res.Verified = true
	return res, nil
}

// writeBackup takes the snapshot, seals it into dest atomically and logs it.
// A failure leaves no file at dest and no temporary file behind, and is
// logged and audited with its error code.
func (p *Practice) writeBackup(ctx context.Context, dest string, at time.Time, trigger Trigger) (BackupResult, error) {
	keys, err := p.Keys()
	if err != nil {
		return BackupResult{}, err
	}
	id := uuid.Must(uuid.NewV7()).String()
	res := BackupResult{ID: id, Path: dest, At: at}
	err = p.sealBackup(ctx, keys, &res)
	row := store.BackupRow{ID: id, At: at, Trigger: string(trigger), Result: "ok", SHA256: res.SHA256, Size: res.Size,
		SchemaVersion: store.SchemaVersion()}
	detail := audit.D("trigger", string(trigger), "result", "ok")
	if err != nil {
		err = backupError(err)
		row.Result, row.ErrorCode, row.SHA256, row.Size = "failed", apperr.CodeOf(err), "", 0
		detail = audit.D("trigger", string(trigger), "result", "failed", "code", apperr.CodeOf(err))
		p.log.Error("backup failed", "id", id, "err", err)
	}
	env, serr := keys.Seal(backupPathAD(id), []byte(dest))
	if serr != nil {
		return res, errors.Join(err, serr)
	}
	row.Path = env
	if lerr := p.backupStore().InsertBackup(ctx, row, p.auditEntry(audit.ActionBackup, "backup", id, detail)); lerr != nil {
		p.log.Error("backup log failed", "id", id, "err", lerr)
		if err == nil {
			err = lerr
		}
	}
	if err == nil {
		p.log.Info("backup written", "id", id, "bytes", res.Size)
	}
	return res, err
}

// backupError gives an uncoded failure a message the user can act on.
func backupError(err error) error {
	if apperr.CodeOf(err) != apperr.Internal {
		return err
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		return apperr.Wrap(apperr.Invalid, "the backup could not be written to the chosen place (is the disk full, missing or read-only?)", err)
	}
	return err
}

func (p *Practice) sealBackup(ctx context.Context, keys *vault.Keys, res *BackupResult) error {
	if _, err := os.Lstat(res.Path); !errors.Is(err, os.ErrNotExist) {
		return apperr.New(apperr.Conflict, "a file with the backup's name already exists; choose a new name")
	}
	key, err := keys.DeriveSubkey(backupSubkey)
	if err != nil {
		return err
	}
	defer clear(key)
	p.removeStaleTemps(filepath.Dir(res.Path))
	// The unsealed snapshot stays in the data folder, never in the backup
	// folder (which may be synced to a cloud drive as soon as a file appears).
	snap := filepath.Join(p.DataDir(), ".backup-"+res.ID+".snapshot")
	defer removeScrubbed(snap)
	if err := p.db.Snapshot(ctx, snap); err != nil {
		return err
	}
	hdr, err := snapshotHeader(ctx, snap, res.ID, res.At)
	if err != nil {
		return err
	}
	src, err := os.Open(snap)
	if err != nil {
		return fmt.Errorf("practice: backup: %w", err)
	}
	defer src.Close()
	return writeAtomic(res.Path, func(w io.Writer) error {
		h := sha256.New()
		cw := &countWriter{w: io.MultiWriter(w, h)}
		if err := backup.Write(cw, hdr, key, src); err != nil {
			return err
		}
		res.Size, res.SHA256 = cw.n, hex.EncodeToString(h.Sum(nil))
		return nil
	})
}

// snapshotHeader builds the backup header from the snapshot itself, so the
// vault header it carries is exactly the one inside (a rotation running
// meanwhile cannot make them differ).
func snapshotHeader(ctx context.Context, snap, id string, at time.Time) (backup.Header, error) {
	s, err := store.OpenSnapshot(ctx, snap)
	if err != nil {
		return backup.Header{}, err
	}
	defer s.Close()
	vh, err := s.Meta(ctx, metaHeader)
	if err != nil {
		return backup.Header{}, fmt.Errorf("practice: backup: read vault header: %w", err)
	}
	vid, err := s.Meta(ctx, metaVaultID)
	if err != nil {
		return backup.Header{}, fmt.Errorf("practice: backup: read vault id: %w", err)
	}
	schema, err := s.SchemaVersion(ctx)
	if err != nil {
		return backup.Header{}, err
	}
	return backup.Header{Format: backup.FormatVersion, BackupID: id, VaultID: string(vid), CreatedAt: at.UTC(),
		SchemaVersion: schema, AppVersion: buildinfo.Version, VaultHeader: vh}, nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	return n, err
}

// tempPrefix starts the name of every temporary file this file makes in a
// backup folder; removeStaleTemps cleans up after a crash.
const tempPrefix = ".calmally-backup-"

// writeAtomic writes a file through fill into a temporary file beside path,
// syncs it, renames it into place and syncs the folder: a crash leaves
// either the whole file under its name or nothing under it.
func writeAtomic(path string, fill func(io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, tempPrefix+"*.tmp")
	if err != nil {
		return fmt.Errorf("practice: backup: create temporary file: %w", err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err := f.Chmod(0o600); err != nil {
		return fmt.Errorf("practice: backup: %w", err)
	}
	if err := fill(f); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("practice: backup: sync: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("practice: backup: close: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("practice: backup: rename into place: %w", err)
	}
	syncDir(dir)
	return nil
}

// syncDir makes a rename durable where the OS supports syncing a folder.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// removeStaleTemps deletes temporary files a crashed backup, verification or
// restore left behind: in the backup folder and in the data folder. Files
// younger than an hour are left alone (another process may be writing).
func (p *Practice) removeStaleTemps(folder string) {
	cutoff := time.Now().Add(-time.Hour)
	sweep := func(dir string, match func(string) bool) {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return
		}
		for _, e := range entries {
			if e.IsDir() || !match(e.Name()) {
				continue
			}
			if fi, err := e.Info(); err == nil && fi.ModTime().Before(cutoff) {
				removeScrubbed(filepath.Join(dir, e.Name()))
			}
		}
	}
	sweep(folder, func(n string) bool { return strings.HasPrefix(n, tempPrefix) && strings.HasSuffix(n, ".tmp") })
	sweep(p.DataDir(), func(n string) bool {
		return (strings.HasPrefix(n, ".backup-") || strings.HasPrefix(n, ".verify-") || strings.HasPrefix(n, ".restore-")) &&
			strings.HasSuffix(n, ".snapshot")
	})
}

// removeScrubbed overwrites a temporary file with zeros before removing it.
// The files it is used on hold only envelopes and the vault header, never
// plaintext; scrubbing is belt and braces, and best effort on SSDs and
// copy-on-write file systems.
func removeScrubbed(path string) {
	if f, err := os.OpenFile(path, os.O_WRONLY, 0); err == nil {
		if fi, err := f.Stat(); err == nil {
			zero := make([]byte, 1<<20)
			for left := fi.Size(); left > 0; {
				n := min(left, int64(len(zero)))
				if _, err := f.Write(zero[:n]); err != nil {
					break
				}
				left -= n
			}
			_ = f.Sync()
		}
		f.Close()
	}
	_ = os.Remove(path)
}

// VerifyBackup reads a backup file back with this vault's key and checks it:
// every chunk authenticates, the snapshot passes PRAGMA integrity_check, its
// vault header is this vault's, and a sample of envelopes opens. The result
// is recorded in the log (for this profile's own backups) and audited.
func (p *Practice) VerifyBackup(ctx context.Context, path string) (VerifyResult, error) {
	p.bk.mu.Lock()
	defer p.bk.mu.Unlock()
	return p.verifyLocked(ctx, path)
}

func (p *Practice) verifyLocked(ctx context.Context, path string) (VerifyResult, error) {
	keys, err := p.Keys()
	if err != nil {
		return VerifyResult{}, err
	}
	res, id, err := p.verify(ctx, keys, path)
	ok := err == nil
	detail := audit.D("result", "ok")
	if !ok {
		detail = audit.D("result", "failed", "code", apperr.CodeOf(err))
	}
	if id == "" {
		id = "unknown"
	}
	e := p.auditEntry(audit.ActionBackup, "backup", id, detail.With("op", "verify"))
	if rerr := p.backupStore().RecordVerification(ctx, id, p.Now(), ok, e); rerr != nil {
		p.log.Error("record backup verification failed", "err", rerr)
	}
	if ok {
		p.log.Info("backup verified", "id", id, "envelopes", res.EnvelopesOpened)
	} else {
		p.log.Warn("backup verification failed", "id", id, "err", err)
	}
	return res, err
}

func (p *Practice) verify(ctx context.Context, keys *vault.Keys, path string) (VerifyResult, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return VerifyResult{}, "", apperr.Wrap(apperr.NotFound, "the backup file cannot be opened", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return VerifyResult{}, "", fmt.Errorf("practice: verify backup: %w", err)
	}
	r, err := backup.NewReader(f)
	if err != nil {
		return VerifyResult{}, "", formatError(err)
	}
	h := r.Header
	res := VerifyResult{BackupID: h.BackupID, CreatedAt: h.CreatedAt, SchemaVersion: h.SchemaVersion, Size: fi.Size()}
	p.mu.Lock()
	ours := p.header
	p.mu.Unlock()
	vh, err := h.Vault()
	if err != nil {
		return res, h.BackupID, formatError(err)
	}
	if ours == nil || string(vh.KeyID) != string(ours.KeyID) {
		return res, h.BackupID, apperr.New(apperr.Invalid, "this backup belongs to another vault; restore it into a new data folder with its recovery kit")
	}
	key, err := keys.DeriveSubkey(backupSubkey)
	if err != nil {
		return res, h.BackupID, err
	}
	defer clear(key)
	snap := filepath.Join(p.DataDir(), ".verify-"+uuid.Must(uuid.NewV7()).String()+".snapshot")
	defer removeScrubbed(snap)
	if err := decryptTo(r, key, snap); err != nil {
		return res, h.BackupID, err
	}
	res.EnvelopesOpened, err = checkSnapshot(ctx, snap, h, keys, verifySample, func(c store.SealedColumn, id string) {
		p.record(ctx, p.auditEntry(audit.ActionIntegrityError, recordTypeOf(c.Table), id, audit.D("in", "backup")))
	})
	return res, h.BackupID, err
}

func recordTypeOf(table string) string {
	if t, ok := strings.CutSuffix(table, "s"); ok {
		return t
	}
	return table
}

// decryptTo streams the snapshot of r into a new file at dst (0600). The
// file is usable only if this returns nil; on error it is removed.
func decryptTo(r *backup.Reader, key []byte, dst string) (err error) {
	pr, err := r.Decrypt(key)
	if err != nil {
		return formatError(err)
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("practice: decrypt backup: %w", err)
	}
	defer func() {
		if err != nil {
			out.Close()
			removeScrubbed(dst)
		}
	}()
	if _, err := io.Copy(out, pr); err != nil {
		return formatError(err)
	}
	if err := out.Sync(); err != nil {
		return fmt.Errorf("practice: decrypt backup: %w", err)
	}
	return out.Close()
}

// checkSnapshot opens a decrypted snapshot read-only and checks it against
// its backup header: SQLite integrity, the vault header and id it carries,
// its schema version, and sample envelopes (perColumn < 1: all of them).
func checkSnapshot(ctx context.Context, snap string, h backup.Header, keys *vault.Keys, perColumn int,
	onDamaged func(store.SealedColumn, string)) (int, error) {
	damaged := func(msg string, cause error) error {
		return apperr.Wrap(apperr.Integrity, msg, errors.Join(backup.ErrIntegrity, cause))
	}
	s, err := store.OpenSnapshot(ctx, snap)
	if err != nil {
		return 0, damaged("the backup's database does not open", err)
	}
	defer s.Close()
	probs, err := s.IntegrityCheck(ctx)
	if err != nil || len(probs) > 0 {
		return 0, damaged("the backup's database fails its integrity check", err)
	}
	vh, err := s.Meta(ctx, metaHeader)
	if err != nil || string(vh) != string(h.VaultHeader) {
		return 0, damaged("the backup's vault header does not match its database", err)
	}
	vid, err := s.Meta(ctx, metaVaultID)
	if err != nil || string(vid) != h.VaultID {
		return 0, damaged("the backup's vault id does not match its database", err)
	}
	if v, err := s.SchemaVersion(ctx); err != nil || v != h.SchemaVersion {
		return 0, damaged("the backup's schema version does not match its database", err)
	}
	n, err := s.SampleEnvelopes(ctx, store.SealedColumns(), perColumn, func(c store.SealedColumn, id string, rev int64, env []byte) error {
		plain, err := keys.Open(vault.AD{Table: c.Table, Column: c.Column, RowID: id, Revision: rev}, env)
		clear(plain)
		if err != nil {
			if onDamaged != nil {
				onDamaged(c, id)
			}
			return damaged("a sealed field in the backup fails its integrity check", err)
		}
		return nil
	})
	return n, err
}

// formatError maps the backup package's errors to coded ones.
func formatError(err error) error {
	switch {
	case err == nil:
		return nil
	case apperr.CodeOf(err) != apperr.Internal:
		return err
	case errors.Is(err, backup.ErrNotBackup):
		return apperr.Wrap(apperr.Invalid, "this file is not a CalmAlly Practice backup", err)
	case errors.Is(err, backup.ErrUnsupported), errors.Is(err, vault.ErrUnsupported):
		return apperr.Wrap(apperr.Invalid, "this backup was made by a newer version of CalmAlly Practice; update the app", err)
	case errors.Is(err, vault.ErrIntegrity):
		return apperr.Wrap(apperr.Integrity, "the backup file was changed or damaged, or belongs to another vault; it was not used", err)
	}
	return err
}

// rotateLocked deletes the backups in folder that the policy no longer keeps
// and notes it in the log.
func (p *Practice) rotateLocked(ctx context.Context, folder string, pol backup.Policy) ([]string, error) {
	entries, err := os.ReadDir(folder)
	if err != nil {
		return nil, fmt.Errorf("practice: rotate backups: %w", err)
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() {
			names = append(names, e.Name())
		}
	}
	_, remove := pol.Plan(names, p.Now())
	if len(remove) == 0 {
		return nil, nil
	}
	byPath := p.logIDsByPath(ctx)
	var removed []string
	var errs []error
	for _, name := range remove {
		path := filepath.Join(folder, name)
		if err := os.Remove(path); err != nil {
			errs = append(errs, err)
			continue
		}
		removed = append(removed, name)
		id := byPath[path]
		if id == "" {
			id = "unknown"
		}
		e := p.auditEntry(audit.ActionDelete, "backup", id, audit.D("reason", "rotation"))
		if err := p.backupStore().MarkRemoved(ctx, id, p.Now(), e); err != nil {
			errs = append(errs, err)
		}
	}
	syncDir(folder)
	return removed, errors.Join(errs...)
}

// logIDsByPath maps the paths in the backups log to their ids.
func (p *Practice) logIDsByPath(ctx context.Context) map[string]string {
	out := map[string]string{}
	infos, err := p.Backups(ctx, 5000)
	if err != nil {
		return out
	}
	for _, b := range infos {
		if b.Path != "" {
			out[b.Path] = b.ID
		}
	}
	return out
}

// Backups lists the backups log, newest first, paths decrypted.
func (p *Practice) Backups(ctx context.Context, limit int) ([]BackupInfo, error) {
	keys, err := p.Keys()
	if err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 5000 {
		limit = 5000
	}
	rows, err := p.backupStore().ListBackups(ctx, limit)
	if err != nil {
		return nil, err
	}
	out := make([]BackupInfo, 0, len(rows))
	for _, r := range rows {
		b := BackupInfo{ID: r.ID, At: r.At, Trigger: r.Trigger, Result: r.Result, ErrorCode: r.ErrorCode, Size: r.Size,
			SHA256: r.SHA256, SchemaVersion: r.SchemaVersion, VerifiedAt: r.VerifiedAt, VerifyResult: r.VerifyResult,
			RemovedAt: r.RemovedAt}
		path, err := keys.Open(backupPathAD(r.ID), r.Path)
		if err != nil {
			b.Damaged = true
			p.record(ctx, p.auditEntry(audit.ActionIntegrityError, "backup", r.ID, audit.D()))
		} else {
			b.Path = string(path)
			if r.Result == "ok" {
				_, serr := os.Stat(b.Path)
				b.Present = serr == nil
			}
		}
		out = append(out, b)
	}
	return out, nil
}

// BackupHealth reports the last backup and verification and whether the
// "no verified backup for 7 days" warning is due. It works while locked.
func (p *Practice) BackupHealth(ctx context.Context) BackupHealth {
	var h BackupHealth
	d, err := p.db.BackupDates(ctx)
	if err != nil {
		p.log.Warn("read backup dates failed", "err", err)
		return h
	}
	h.LastBackupAt, h.LastVerifiedAt = d.LastOK, d.LastVerified
	p.mu.Lock()
	exists := p.header != nil
	p.mu.Unlock()
	if exists && !d.TrailStart.IsZero() {
		h.Stale = backup.Stale(d.LastVerified, d.TrailStart, p.Now())
	}
	h.Remote = p.remoteHealth(ctx)
	return h
}

// BackupTick runs the scheduled backup if one is due: the vault is unlocked,
// a folder is set, the schedule is on and the last successful backup is old
// enough. It reports whether a backup ran.
func (p *Practice) BackupTick(ctx context.Context) (bool, error) {
	if _, err := p.Keys(); err != nil {
		return false, nil // locked: try again later
	}
	s, err := p.BackupSettings(ctx)
	if err != nil || s.Folder == "" {
		return false, err
	}
	d, err := p.db.BackupDates(ctx)
	if err != nil {
		return false, err
	}
	if !s.Schedule.DueAt(d.LastOK, p.Now(), s.Keep.Zone, s.AtMinute) {
		return false, nil
	}
	_, err = p.BackupNow(ctx, TriggerSchedule)
	return true, err
}

// backupTickEvery is how often RunBackupSchedule looks whether a backup is
// due; the first look is a minute after it starts, so that opening the app
// is not slowed by a backup.
var backupTickEvery = 10 * time.Minute

// RunBackupSchedule runs scheduled backups until ctx ends. The app starts it
// once per profile; the CLI never does.
func (p *Practice) RunBackupSchedule(ctx context.Context) {
	t := time.NewTimer(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-p.idle.stopped: // closed
			return
		case <-t.C:
		}
		if ran, err := p.BackupTick(ctx); err != nil {
			p.log.Error("scheduled backup failed", "err", err)
		} else if ran {
			p.log.Info("scheduled backup done")
		}
		t.Reset(backupTickEvery)
	}
}
