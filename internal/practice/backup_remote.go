package practice

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/backup"
	"github.com/calmally/practice/internal/store"
	"github.com/calmally/practice/internal/sync"
	"github.com/calmally/practice/internal/sync/wire"
)

// The copy in India (docs/sync-protocol.md, "Backup copies"): after every
// successful local backup, a profile enrolled with a backend in India
// uploads the backup file as it is (sealed under the vault's backup subkey:
// the backend holds only ciphertext), retrying a few times with backoff on
// a failure that may pass. A failure is recorded and shown; it never undoes
// or fails the local backup. The result of the latest try per backup is in
// the backup_copies table; BackupHealth reports the newest copy.
//
// A backend outside India never receives a backup, whatever the
// cross-border setting says: a backup holds every client's records, and no
// one client's consent can cover it.

// uploadAttempts is how many requests one upload makes at most before its
// failure is recorded (the user can try again with "Upload now").
const uploadAttempts = 5

// uploadBackoffCap bounds the wait between two attempts: the user may be
// watching the progress of "Back up now".
const uploadBackoffCap = time.Minute

// RemoteCopyResult is how one upload of a backup to the backend ended.
type RemoteCopyResult struct {
	BackupID string
	// NotEnrolled: the profile syncs with no backend, so no copy is kept
	// off-site (nothing was tried or recorded).
	NotEnrolled bool
	UploadedAt  time.Time // the backend's time; zero unless uploaded
	Attempts    int
	Err         error // nil when uploaded (or not enrolled); an apperr
}

// RemoteHealth is what Settings → Backups shows about the copy in India.
type RemoteHealth struct {
	Enrolled       bool      // a copy is uploaded after each backup
	LastUploadedAt time.Time // the newest copy the backend stored; zero: none
	LastBackupID   string
	// The latest try, when it failed after the newest copy: its backup, when
	// it ended and its machine code.
	FailedAt       time.Time
	FailedBackupID string
	FailedCode     string
}

// backendUploader is backup.Uploader on a sync backend.
type backendUploader struct {
	tr    sync.BackupTransport
	token string
}

var _ backup.Uploader = backendUploader{}

func remoteCopy(c wire.BackupCopy) backup.RemoteCopy {
	return backup.RemoteCopy{ID: c.ID, Size: c.Size, SHA256: c.SHA256, UploadedAt: c.UploadedAt}
}

func (u backendUploader) Upload(ctx context.Context, id string, size int64, sha256 string, r io.Reader) (backup.RemoteCopy, error) {
	c, err := u.tr.UploadBackup(ctx, u.token, id, size, sha256, r)
	return remoteCopy(c), err
}

func (u backendUploader) List(ctx context.Context) ([]backup.RemoteCopy, error) {
	list, err := u.tr.ListBackups(ctx, u.token)
	out := make([]backup.RemoteCopy, 0, len(list))
	for _, c := range list {
		out = append(out, remoteCopy(c))
	}
	return out, err
}

func (u backendUploader) Download(ctx context.Context, id string) (backup.RemoteCopy, io.ReadCloser, error) {
	d, err := u.tr.DownloadBackup(ctx, u.token, id)
	if err != nil {
		return backup.RemoteCopy{}, nil, err
	}
	return remoteCopy(d.Copy), d.Body, nil
}

// errBackupsNotInIndia refuses a backend outside India for backups.
func errBackupsNotInIndia(region string) error {
	return apperr.Wrap(apperr.Forbidden, "backup copies are kept only on a backend in India; this backend keeps data in "+
		region+", so no copy was uploaded", &sync.Error{Code: sync.CodeRegionRefused})
}

// backupBackend opens the Uploader of a backend after checking, with
// GET /v1/info, that it speaks this protocol and keeps data in India.
func backupBackend(ctx context.Context, tr sync.Transport, token string) (backup.Uploader, error) {
	bt, ok := tr.(sync.BackupTransport)
	if !ok {
		return nil, apperr.New(apperr.Invalid, "this backend connection cannot carry backup copies")
	}
	info, err := tr.Info(ctx)
	if err != nil {
		return nil, err
	}
	if info.MinProtocol > wire.Protocol {
		return nil, apperr.New(apperr.Invalid, "the backend needs a newer version of CalmAlly Practice; update the app")
	}
	if info.Region != wire.RegionIndia {
		return nil, errBackupsNotInIndia(info.Region)
	}
	return backendUploader{tr: bt, token: token}, nil
}

// enrolledBackend is the enrolled backend's Uploader (see backupBackend)
// and its URL.
func (p *Practice) enrolledBackend(ctx context.Context) (backup.Uploader, string, error) {
	st, err := p.syncStore().State(ctx)
	if err != nil {
		return nil, "", err
	}
	token, err := p.syncToken(ctx)
	if err != nil {
		return nil, st.BackendURL, apperr.Wrap(apperr.NotFound, "this profile's device token is not in the keychain; enrol it again", err)
	}
	tr, err := p.syncTransport(st.BackendURL)
	if err != nil {
		return nil, st.BackendURL, err
	}
	u, err := backupBackend(ctx, tr, token)
	return u, st.BackendURL, err
}

// retryable reports whether a failed upload or download may succeed if
// tried again as it is, and the server's floor for the wait.
func retryable(err error) (bool, time.Duration) {
	if se, ok := sync.AsError(err); ok {
		return se.Retryable, se.RetryAfter
	}
	return false, 0
}

// withRetries runs try until it succeeds, fails for good, ctx ends or
// uploadAttempts were made, sleeping with the protocol's backoff (full
// jitter, Retry-After as a floor, capped) in between. It returns the
// attempts made.
func withRetries(ctx context.Context, sleep func(time.Duration), try func() error) (int, error) {
	for attempt := 1; ; attempt++ {
		err := try()
		again, floor := retryable(err)
		if err == nil || !again || attempt == uploadAttempts || ctx.Err() != nil {
			return attempt, err
		}
		sleep(min(sync.Backoff(attempt, floor, rand.Float64()), max(uploadBackoffCap, floor)))
		if ctx.Err() != nil {
			return attempt, ctx.Err()
		}
	}
}

// copyToBackend uploads backup id after a local backup, if the profile is
// enrolled; a failure is in the result, never returned.
func (p *Practice) copyToBackend(ctx context.Context, id string) RemoteCopyResult {
	if _, err := p.syncStore().State(ctx); err != nil {
		return RemoteCopyResult{BackupID: id, NotEnrolled: true}
	}
	return p.UploadBackup(ctx, id)
}

// UploadBackup uploads backup id of this profile's log to the enrolled
// backend (with retries), records how it ended and audits it. The result's
// Err says why it failed; it is the user's to see, not a failure of the
// backup.
func (p *Practice) UploadBackup(ctx context.Context, id string) RemoteCopyResult {
	p.bk.uploadMu.Lock()
	defer p.bk.uploadMu.Unlock()
	res := RemoteCopyResult{BackupID: id}
	keys, err := p.Keys()
	if err != nil {
		res.Err = err
		return res
	}
	row, err := p.backupStore().BackupByID(ctx, id)
	if err != nil {
		res.Err = err
		return res
	}
	if row.Result != "ok" {
		res.Err = apperr.New(apperr.Invalid, "this backup failed; only a finished backup is uploaded")
		return res
	}
	pathB, err := keys.Open(backupPathAD(id), row.Path)
	if err != nil {
		res.Err = apperr.Wrap(apperr.Integrity, "the backups log entry failed its integrity check", err)
		return res
	}
	path := string(pathB)
	var url string
	var copied backup.RemoteCopy
	res.Attempts, err = withRetries(ctx, p.opts.Sleep, func() error {
		var u backup.Uploader
		var err error
		if u, url, err = p.enrolledBackend(ctx); err != nil {
			return err
		}
		copied, err = uploadFile(ctx, u, path, row)
		return err
	})
	if err == nil {
		res.UploadedAt = copied.UploadedAt
	} else {
		res.Err = uploadError(err)
	}
	p.recordUpload(ctx, row, url, res)
	return res
}

// uploadFile streams the backup file at path, which must still be the file
// the log describes (its size here, its digest checked by the backend).
func uploadFile(ctx context.Context, u backup.Uploader, path string, row store.BackupRow) (backup.RemoteCopy, error) {
	f, err := os.Open(path)
	if err != nil {
		return backup.RemoteCopy{}, apperr.Wrap(apperr.NotFound, "the backup file is no longer in its folder", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return backup.RemoteCopy{}, fmt.Errorf("practice: upload backup: %w", err)
	}
	if fi.Size() != row.Size {
		return backup.RemoteCopy{}, apperr.New(apperr.Integrity, "the backup file changed since it was written; it was not uploaded")
	}
	return u.Upload(ctx, row.ID, row.Size, row.SHA256, f)
}

// uploadError gives a failed upload an apperr code and a message that says
// what to do.
func uploadError(err error) error {
	se, ok := sync.AsError(err)
	switch {
	case !ok:
		return err
	case se.Code == wire.CodeDigestMismatch:
		return apperr.Wrap(apperr.Integrity, "the backup file changed since it was written; it was not uploaded", err)
	case se.Code == wire.CodeBackupConflict:
		return apperr.Wrap(apperr.Conflict, "the backend holds another file under this backup's id; it was not replaced", err)
	case se.Code == wire.CodeTooLarge:
		return apperr.Wrap(apperr.Invalid, "the backup is larger than the 512 MiB the backend accepts", err)
	}
	return syncError(err)
}

// uploadCode is the machine code a failed upload is recorded with: the
// protocol's when there is one (unavailable, region_refused, ...).
func uploadCode(err error) string {
	if se, ok := sync.AsError(err); ok {
		return se.Code
	}
	return apperr.CodeOf(err)
}

func (p *Practice) recordUpload(ctx context.Context, row store.BackupRow, url string, res RemoteCopyResult) {
	r := store.BackupCopyRow{BackupID: row.ID, BackendURL: url, Result: "ok", Attempts: res.Attempts, AttemptedAt: p.Now(),
		UploadedAt: res.UploadedAt, SHA256: row.SHA256, Size: row.Size}
	detail := audit.D("op", "upload", "result", "ok", "attempts", fmt.Sprint(res.Attempts))
	if res.Err != nil {
		r.Result, r.ErrorCode, r.UploadedAt = "failed", uploadCode(res.Err), time.Time{}
		detail = audit.D("op", "upload", "result", "failed", "code", r.ErrorCode, "attempts", fmt.Sprint(res.Attempts))
		p.log.Warn("backup copy not uploaded", "id", row.ID, "code", r.ErrorCode, "attempts", res.Attempts)
	} else {
		p.log.Info("backup copy uploaded", "id", row.ID, "bytes", row.Size, "attempts", res.Attempts)
	}
	if r.BackendURL == "" {
		if st, err := p.syncStore().State(ctx); err == nil {
			r.BackendURL = st.BackendURL
		}
	}
	if err := p.backupStore().RecordBackupCopy(ctx, r, p.auditEntry(audit.ActionBackup, "backup", row.ID, detail)); err != nil {
		p.log.Error("record backup copy failed", "id", row.ID, "err", err)
	}
}

// PushNewestBackup uploads the newest successful backup that is still in
// its folder ("Upload now", `calmally backup push`).
func (p *Practice) PushNewestBackup(ctx context.Context) (RemoteCopyResult, error) {
	if _, err := p.syncStore().State(ctx); err != nil {
		return RemoteCopyResult{NotEnrolled: true}, apperr.Wrap(apperr.NotFound,
			"this profile is not connected to a CalmAlly backend; connect it in Settings → Sync first", err)
	}
	list, err := p.Backups(ctx, 5000)
	if err != nil {
		return RemoteCopyResult{}, err
	}
	for _, b := range list {
		if b.Result == "ok" && b.Present && !b.Damaged {
			res := p.UploadBackup(ctx, b.ID)
			return res, res.Err
		}
	}
	return RemoteCopyResult{}, apperr.New(apperr.NotFound, "there is no backup to upload; back up first")
}

// remoteHealth reads the copy-in-India facts; like BackupHealth it works
// while locked.
func (p *Practice) remoteHealth(ctx context.Context) RemoteHealth {
	var h RemoteHealth
	if _, err := p.syncStore().State(ctx); err == nil {
		h.Enrolled = true
	}
	c, err := p.db.BackupCopyHealth(ctx)
	if err != nil {
		p.log.Warn("read backup copies failed", "err", err)
		return h
	}
	h.LastUploadedAt, h.LastBackupID = c.LastUploaded.UploadedAt, c.LastUploaded.BackupID
	h.FailedAt, h.FailedBackupID, h.FailedCode = c.LastFailed.AttemptedAt, c.LastFailed.BackupID, c.LastFailed.ErrorCode
	return h
}

// RemoteBackups lists the copies the enrolled backend holds, newest first.
func (p *Practice) RemoteBackups(ctx context.Context) ([]backup.RemoteCopy, error) {
	if _, err := p.Keys(); err != nil {
		return nil, err
	}
	u, _, err := p.enrolledBackend(ctx)
	if err != nil {
		return nil, uploadError(err)
	}
	list, err := u.List(ctx)
	if err != nil {
		return nil, syncError(err)
	}
	return list, nil
}
