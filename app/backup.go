package app

// Backup methods bound to the UI (window.go.app.App.<Method>): Settings →
// Backups, the 7-day warning, and the restore screen on a new computer.
// Errors are "code: message" strings; messages never contain client data.
// Instants are RFC 3339 UTC, "" when unset.
//
//	BackupHealth() (BackupHealthDTO, error)              works while locked (lock screen banner)
//	BackupSettingsGet() (BackupSettingsDTO, error)       defaults: no folder, daily, 7/4/12
//	BackupSettingsSet(s BackupSettingsDTO) (BackupSettingsDTO, error)
//	BackupPickFolder() (string, error)                   native folder dialog; "" if cancelled
//	BackupNow() (BackupResultDTO, error)                 write, verify, rotate, upload the copy in India when connected
//	BackupUploadNow() (BackupCopyDTO, error)             upload the newest backup to the backend in India now
//	BackupsList() ([]BackupDTO, error)                   newest first
//	BackupVerify(path string) (BackupVerifyDTO, error)
//	RestorePickFile() (string, error)                    native file dialog; "" if cancelled
//	RestorePreview(path string) (RestorePreviewDTO, error)  before the recovery code is typed
//	Restore(req RestoreRequest) (CreateVaultDTO, error)  only on a profile without a vault
//
// JSON shapes:
//
//	BackupHealthDTO   {lastBackupAt, lastVerifiedAt, stale: bool /* warn: no verified backup for 7 days */,
//	                   integrityState: "running"|"ok"|"problems"|"failed", integrityMessage, integrityProblems,
//	                   copyEnabled: bool /* connected to a backend */, copyUploadedAt, copyBackupId,
//	                   copyFailedAt, copyErrorCode /* a later upload that failed */}
//	BackupSettingsDTO {folder, schedule: "off"|"daily"|"weekly", keepDaily, keepWeekly, keepMonthly, rev,
//	                   atTime: "HH:MM" (India time) | "" /* the first time the app is open on a due day */}
//	BackupResultDTO   {id, path, at, sizeBytes, sha256, verified: bool, removed: string[] /* file names */, copy: BackupCopyDTO}
//	BackupCopyDTO     {state: "uploaded"|"failed"|"not_enrolled", backupId, uploadedAt, attempts, errorCode, message}
//	BackupDTO         {id, at, trigger: "manual"|"schedule", result: "ok"|"failed", errorCode, path, fileName,
//	                   sizeBytes, verifiedAt, verifyResult: ""|"ok"|"failed", removedAt, present: bool, damaged: bool}
//	BackupVerifyDTO   {id, createdAt, schemaVersion, sizeBytes, sealedFieldsOpened}
//	RestorePreviewDTO {id, createdAt, schemaVersion, appVersion, sizeBytes, newerThanApp: bool}
//	RestoreRequest    {path, recoveryCode, newPassphrase, passphraseOnly: bool}
//	CreateVaultDTO    {recoveryCode, recoveryKitPDF /* base64 */}: the NEW code, shown once; confirm it
//	                  with ConfirmRecoveryCode as after CreateVault
//
// Rules the UI should expect: no folder → "invalid: choose a backup folder
// first …"; a folder inside the data folder → "invalid: …"; a stale rev →
// "conflict: …" (reload); a changed or damaged file → "integrity: the backup
// file was changed or damaged …"; a file from another vault → "invalid: this
// backup belongs to another vault …"; a wrong code → "locked: wrong recovery
// code for this backup …" (a backup opens with the code that was current when
// it was made); restoring over a profile that has a vault → "conflict: …".
// The scheduled backup runs by itself while the app is open and unlocked.

import (
	"fmt"
	"path/filepath"
	"time"

	wruntime "github.com/wailsapp/wails/v2/pkg/runtime"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/backup"
	"github.com/calmally/practice/internal/practice"
)

func instantOrEmpty(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// BackupHealth reports the last backup, the last verification, the 7-day
// warning and the startup integrity check.
func (a *App) BackupHealth() (BackupHealthDTO, error) {
	p, err := a.practice()
	if err != nil {
		return BackupHealthDTO{}, a.uiError("backup health", err)
	}
	h := p.BackupHealth(a.ctx)
	r := p.Integrity()
	return BackupHealthDTO{LastBackupAt: instantOrEmpty(h.LastBackupAt), LastVerifiedAt: instantOrEmpty(h.LastVerifiedAt),
		Stale: h.Stale, IntegrityState: r.State, IntegrityMessage: r.Message, IntegrityProblems: r.Problems,
		CopyEnabled: h.Remote.Enrolled, CopyUploadedAt: instantOrEmpty(h.Remote.LastUploadedAt), CopyBackupID: h.Remote.LastBackupID,
		CopyFailedAt: instantOrEmpty(h.Remote.FailedAt), CopyErrorCode: h.Remote.FailedCode}, nil
}

func copyDTO(r practice.RemoteCopyResult) BackupCopyDTO {
	d := BackupCopyDTO{BackupID: r.BackupID, Attempts: r.Attempts}
	switch {
	case r.NotEnrolled:
		d.State = "not_enrolled"
	case r.Err != nil:
		d.State, d.ErrorCode, d.Message = "failed", apperr.CodeOf(r.Err), apperr.MessageOf(r.Err)
	default:
		d.State, d.UploadedAt = "uploaded", instantOrEmpty(r.UploadedAt)
	}
	return d
}

// BackupUploadNow uploads the newest backup to the backend in India.
func (a *App) BackupUploadNow() (BackupCopyDTO, error) {
	p, err := a.practice()
	if err != nil {
		return BackupCopyDTO{}, a.uiError("upload backup", err)
	}
	res, err := p.PushNewestBackup(a.ctx)
	if err != nil {
		return BackupCopyDTO{}, a.uiError("upload backup", err)
	}
	return copyDTO(res), nil
}

func settingsDTO(s practice.BackupSettings) BackupSettingsDTO {
	d := BackupSettingsDTO{Folder: s.Folder, Schedule: string(s.Schedule), KeepDaily: s.Keep.Daily,
		KeepWeekly: s.Keep.Weekly, KeepMonthly: s.Keep.Monthly, Rev: s.Rev}
	if s.AtMinute >= 0 {
		d.AtTime = fmt.Sprintf("%02d:%02d", s.AtMinute/60, s.AtMinute%60)
	}
	return d
}

// atMinute reads "HH:MM" ("" → -1, any time).
func atMinute(s string) (int, error) {
	if s == "" {
		return -1, nil
	}
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, apperr.New(apperr.Invalid, "the backup time must be HH:MM (00:00–23:59), or empty for any time")
	}
	return t.Hour()*60 + t.Minute(), nil
}

// BackupSettingsGet returns the backup settings.
func (a *App) BackupSettingsGet() (BackupSettingsDTO, error) {
	p, err := a.practice()
	if err != nil {
		return BackupSettingsDTO{}, a.uiError("backup settings", err)
	}
	s, err := p.BackupSettings(a.ctx)
	if err != nil {
		return BackupSettingsDTO{}, a.uiError("backup settings", err)
	}
	return settingsDTO(s), nil
}

// BackupSettingsSet saves the backup settings.
func (a *App) BackupSettingsSet(in BackupSettingsDTO) (BackupSettingsDTO, error) {
	p, err := a.practice()
	if err != nil {
		return BackupSettingsDTO{}, a.uiError("backup settings", err)
	}
	sched, err := backup.ParseSchedule(in.Schedule)
	if err != nil {
		return BackupSettingsDTO{}, a.uiError("backup settings", apperr.New(apperr.Invalid, "the schedule must be off, daily or weekly"))
	}
	at, err := atMinute(in.AtTime)
	if err != nil {
		return BackupSettingsDTO{}, a.uiError("backup settings", err)
	}
	s, err := p.SetBackupSettings(a.ctx, practice.BackupSettings{
		Folder:   in.Folder,
		Schedule: sched,
		Keep:     backup.Policy{Daily: in.KeepDaily, Weekly: in.KeepWeekly, Monthly: in.KeepMonthly},
		Rev:      in.Rev,
		AtMinute: at,
	})
	if err != nil {
		return BackupSettingsDTO{}, a.uiError("backup settings", err)
	}
	return settingsDTO(s), nil
}

// dialogs is implemented by the Wails runtime; tests' runtimes lack it, and
// the pickers then return "".
type dialogs interface {
	pickDirectory(title string) (string, error)
	pickFile(title string) (string, error)
}

func (w wailsRuntime) pickDirectory(title string) (string, error) {
	return wruntime.OpenDirectoryDialog(w.ctx, wruntime.OpenDialogOptions{Title: title, CanCreateDirectories: true})
}

func (w wailsRuntime) pickFile(title string) (string, error) {
	return wruntime.OpenFileDialog(w.ctx, wruntime.OpenDialogOptions{Title: title,
		Filters: []wruntime.FileFilter{{DisplayName: "CalmAlly backups (*.cbk)", Pattern: "*.cbk"}}})
}

// BackupPickFolder opens the native folder dialog.
func (a *App) BackupPickFolder() (string, error) {
	d, ok := a.rt.(dialogs)
	if !ok {
		return "", nil
	}
	path, err := d.pickDirectory("Choose a folder for backups (ideally another disk)")
	if err != nil {
		return "", a.uiError("pick folder", err)
	}
	return path, nil
}

// RestorePickFile opens the native file dialog for a backup file.
func (a *App) RestorePickFile() (string, error) {
	d, ok := a.rt.(dialogs)
	if !ok {
		return "", nil
	}
	path, err := d.pickFile("Choose a CalmAlly backup")
	if err != nil {
		return "", a.uiError("pick file", err)
	}
	return path, nil
}

// BackupNow writes a backup into the chosen folder, verifies it and rotates.
func (a *App) BackupNow() (BackupResultDTO, error) {
	p, err := a.practice()
	if err != nil {
		return BackupResultDTO{}, a.uiError("backup", err)
	}
	res, err := p.BackupNow(a.ctx, practice.TriggerManual)
	if err != nil {
		return BackupResultDTO{}, a.uiError("backup", err)
	}
	removed := res.Removed
	if removed == nil {
		removed = []string{}
	}
	return BackupResultDTO{ID: res.ID, Path: res.Path, At: instantOrEmpty(res.At), Size: res.Size, SHA256: res.SHA256,
		Verified: res.Verified, Removed: removed, Copy: copyDTO(res.Remote)}, nil
}

// BackupsList returns the backups log, newest first.
func (a *App) BackupsList() ([]BackupDTO, error) {
	p, err := a.practice()
	if err != nil {
		return nil, a.uiError("backups", err)
	}
	list, err := p.Backups(a.ctx, 500)
	if err != nil {
		return nil, a.uiError("backups", err)
	}
	out := make([]BackupDTO, 0, len(list))
	for _, b := range list {
		d := BackupDTO{ID: b.ID, At: instantOrEmpty(b.At), Trigger: b.Trigger, Result: b.Result, ErrorCode: b.ErrorCode,
			Path: b.Path, Size: b.Size, VerifiedAt: instantOrEmpty(b.VerifiedAt), VerifyResult: b.VerifyResult,
			RemovedAt: instantOrEmpty(b.RemovedAt), Present: b.Present, Damaged: b.Damaged}
		if b.Path != "" {
			d.FileName = filepath.Base(b.Path)
		}
		out = append(out, d)
	}
	return out, nil
}

// BackupVerify reads a backup back and checks it.
func (a *App) BackupVerify(path string) (BackupVerifyDTO, error) {
	p, err := a.practice()
	if err != nil {
		return BackupVerifyDTO{}, a.uiError("verify backup", err)
	}
	r, err := p.VerifyBackup(a.ctx, path)
	if err != nil {
		return BackupVerifyDTO{}, a.uiError("verify backup", err)
	}
	return BackupVerifyDTO{ID: r.BackupID, CreatedAt: instantOrEmpty(r.CreatedAt), SchemaVersion: r.SchemaVersion,
		Size: r.Size, SealedFieldsOpened: r.EnvelopesOpened}, nil
}

// RestorePreview reads a backup file's plaintext header.
func (a *App) RestorePreview(path string) (RestorePreviewDTO, error) {
	r, err := practice.PreviewBackup(path)
	if err != nil {
		return RestorePreviewDTO{}, a.uiError("restore preview", err)
	}
	return RestorePreviewDTO{ID: r.BackupID, CreatedAt: instantOrEmpty(r.CreatedAt), SchemaVersion: r.SchemaVersion,
		AppVersion: r.AppVersion, Size: r.Size, NewerThanApp: r.NewerThanApp}, nil
}

// Restore replaces this (vault-less) profile with the backup, enrols the new
// passphrase and returns the new recovery code once. On failure the profile
// is reopened as it was.
func (a *App) Restore(req RestoreRequest) (CreateVaultDTO, error) {
	p, err := a.practice()
	if err != nil {
		return CreateVaultDTO{}, a.uiError("restore", err)
	}
	if p.Status(a.ctx).Initialized {
		return CreateVaultDTO{}, a.uiError("restore", apperr.New(apperr.Conflict,
			"this profile already has a vault; restore into a new data folder (start the app with --data-dir)"))
	}
	a.mu.Lock()
	a.p = nil
	dir := a.prof.cur.Dir // the open profile's folder (several profiles share a base)
	a.mu.Unlock()
	if dir == "" {
		dir = a.cfg.DataDir
	}
	p.Close()
	opts := a.practiceOptions(dir)
	q, res, rerr := practice.Restore(a.ctx, opts, req.Path, req.RecoveryCode, []byte(req.NewPassphrase), req.PassphraseOnly)
	if rerr != nil {
		q, err = practice.Open(a.ctx, opts)
	}
	a.mu.Lock()
	a.p, a.openErr = q, err
	if q != nil {
		a.log = q.Logger()
		a.prof.live.Store(q)
	}
	a.mu.Unlock()
	if q != nil {
		a.startJobs(a.ctx, q)
	}
	if rerr != nil {
		return CreateVaultDTO{}, a.uiError("restore", rerr)
	}
	if err != nil {
		return CreateVaultDTO{}, a.uiError("restore", err)
	}
	a.rt.Emit(EventVaultUnlocked, nil)
	return a.shown(res), nil
}

// practiceOptions are the options start opens the profile with.
func (a *App) practiceOptions(dir string) practice.Options {
	return practice.Options{
		DataDir:  dir,
		Sync:     syncOptions(), // background sync while unlocked, as for a profile opened at start
		Keychain: a.cfg.Keychain,
		KDF:      a.cfg.KDF,
		OnLock: func(reason string) {
			a.rt.Emit(EventVaultLocked, LockedEvent{Reason: reason})
		},
	}
}
