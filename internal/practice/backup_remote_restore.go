package practice

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/backup"
	"github.com/calmally/practice/internal/datadir"
	"github.com/calmally/practice/internal/ids"
	"github.com/calmally/practice/internal/store"
	"github.com/calmally/practice/internal/sync"
	"github.com/calmally/practice/internal/sync/wire"
	"github.com/calmally/practice/internal/vault"
)

// Restoring from the copy in India on a new computer: the old machine and
// its device token are gone, so the app enrols anew with a fresh one-time
// code, lists the copies, downloads one into the new data folder (its
// length and SHA-256 checked as it streams), checks that it is the backup
// it was listed as, and restores it exactly as a local file (Restore: the
// recovery code, every chunk and envelope checked, a new passphrase). The
// restored profile keeps the new enrolment.

// BackendRestore says where a restore from the backend comes from.
type BackendRestore struct {
	URL           string // the backend, https://...
	EnrolmentCode string // a new one-time code from the CalmAlly account
	BackupID      string // "" for the newest copy
	RecoveryCode  string // of the vault the backup was made from
	NewPassphrase []byte
	// PassphraseOnly protects the restored vault with the passphrase alone.
	PassphraseOnly bool
}

// RestoredFromBackend is what a restore from the backend did.
type RestoredFromBackend struct {
	Copy     backup.RemoteCopy // the copy restored
	DeviceID string            // the new device's id
	// Enrolled: the new device token is in the keychain and the profile
	// syncs as the new device. False only when the keychain refused the
	// token (a passphrase-only machine): connect again in Settings → Sync.
	Enrolled bool
}

// downloadPrefix names the temporary file of a download in the new data
// folder; removeStaleTemps sweeps ".restore-…snapshot" files after a crash.
const downloadPrefix = ".restore-download-"

// RestoreFromBackend restores the newest copy (or r.BackupID) from the
// backend at r.URL into opts.DataDir, which must hold no profile yet. See
// Restore for what the restore itself checks and enrols.
func RestoreFromBackend(ctx context.Context, opts Options, r BackendRestore) (*Practice, CreateResult, RestoredFromBackend, error) {
	var out RestoredFromBackend
	fail := func(err error) (*Practice, CreateResult, RestoredFromBackend, error) {
		return nil, CreateResult{}, out, err
	}
	// Everything that can be checked before the one-time code is spent.
	switch {
	case opts.DataDir == "":
		return fail(errors.New("practice: restore: no data directory"))
	case strings.TrimSpace(r.EnrolmentCode) == "":
		return fail(apperr.New(apperr.Invalid, "a new enrolment code is required (ask for one in your CalmAlly account)"))
	case r.BackupID != "" && !ids.Valid(r.BackupID):
		return fail(apperr.New(apperr.Invalid, "a backup id is a lower-case UUID"))
	}
	if err := vault.RequireStrong(string(r.NewPassphrase), nil); err != nil {
		return fail(apperr.Wrap(apperr.Invalid, err.Error(), err))
	}
	if err := datadir.Ensure(opts.DataDir); err != nil {
		return fail(err)
	}
	if err := clearUnusedProfile(ctx, filepath.Join(opts.DataDir, store.FileName)); err != nil {
		return fail(err)
	}
	tr, err := transportFor(opts.Sync, strings.TrimSpace(r.URL))
	if err != nil {
		return fail(syncError(err))
	}
	enrolled, err := enrolForRestore(ctx, opts.Sync, tr, r.EnrolmentCode)
	if err != nil {
		return fail(err)
	}
	out.DeviceID = enrolled.DeviceID
	kept := false
	defer func() {
		if !kept { // the new device is of no use: its token goes
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			_ = tr.Revoke(rctx, enrolled.Token)
		}
	}()
	u, err := backupBackend(ctx, tr, enrolled.Token)
	if err != nil {
		return fail(uploadError(err))
	}
	sleep := opts.Sleep
	if sleep == nil {
		sleep = time.Sleep
	}
	c, tmp, err := downloadCopy(ctx, u, opts.DataDir, r.BackupID, sleep)
	if err != nil {
		return fail(err)
	}
	defer removeScrubbed(tmp)
	out.Copy = c
	p, res, err := Restore(ctx, opts, tmp, r.RecoveryCode, r.NewPassphrase, r.PassphraseOnly)
	if err != nil {
		return fail(err)
	}
	kept = true
	out.Enrolled = p.adoptEnrolment(ctx, strings.TrimSpace(r.URL), enrolled)
	if !out.Enrolled {
		kept = false
	}
	return p, res, out, nil
}

// transportFor is Practice.syncTransport before there is a profile.
func transportFor(o SyncOptions, url string) (sync.Transport, error) {
	if _, err := sync.CheckURL(url, o.DevMode); err != nil {
		return nil, err
	}
	if o.newTransport != nil {
		return o.newTransport(url)
	}
	return sync.NewHTTPTransport(sync.HTTPOptions{BaseURL: url, DevMode: o.DevMode, CAFile: o.CAFile})
}

// enrolForRestore checks the backend's protocol and region, then trades
// the one-time code for a new device.
func enrolForRestore(ctx context.Context, o SyncOptions, tr sync.Transport, code string) (wire.EnrolResponse, error) {
	info, err := tr.Info(ctx)
	if err != nil {
		return wire.EnrolResponse{}, syncError(err)
	}
	if info.MinProtocol > wire.Protocol {
		return wire.EnrolResponse{}, apperr.New(apperr.Invalid, "the backend needs a newer version of CalmAlly Practice; update the app")
	}
	if info.Region != wire.RegionIndia {
		return wire.EnrolResponse{}, errBackupsNotInIndia(info.Region)
	}
	name := o.DeviceName
	if name == "" {
		name = "CalmAlly Practice (" + runtime.GOOS + ")"
	}
	resp, err := tr.Enrol(ctx, wire.EnrolRequest{EnrolmentCode: strings.TrimSpace(code), DeviceName: name})
	if err != nil {
		return wire.EnrolResponse{}, syncError(err)
	}
	return resp, nil
}

// downloadCopy lists the copies, picks id (or the newest) and downloads it
// to a temporary file in dir, with retries. The file is returned only when
// its length and SHA-256 are the backend's and it is the backup it was
// listed as; on error nothing is left behind.
func downloadCopy(ctx context.Context, u backup.Uploader, dir, id string, sleep func(time.Duration)) (backup.RemoteCopy, string, error) {
	var list []backup.RemoteCopy
	if _, err := withRetries(ctx, sleep, func() (err error) { list, err = u.List(ctx); return err }); err != nil {
		return backup.RemoteCopy{}, "", syncError(err)
	}
	var want backup.RemoteCopy
	for _, c := range list {
		if id == "" || c.ID == id {
			want = c
			break
		}
	}
	switch {
	case want.ID == "" && id == "":
		return backup.RemoteCopy{}, "", apperr.New(apperr.NotFound, "the backend holds no backup copy for this account")
	case want.ID == "":
		return backup.RemoteCopy{}, "", apperr.New(apperr.NotFound, "the backend holds no backup copy with that id")
	}
	tmp := filepath.Join(dir, downloadPrefix+uuid.Must(uuid.NewV7()).String()+".snapshot")
	if _, err := withRetries(ctx, sleep, func() error { return downloadTo(ctx, u, want, tmp) }); err != nil {
		removeScrubbed(tmp)
		return backup.RemoteCopy{}, "", downloadError(err)
	}
	f, err := os.Open(tmp)
	if err != nil {
		removeScrubbed(tmp)
		return backup.RemoteCopy{}, "", fmt.Errorf("practice: restore: %w", err)
	}
	h, err := backup.ReadHeader(f)
	f.Close()
	if err == nil && h.BackupID != want.ID {
		err = apperr.New(apperr.Integrity, "the backend's copy is not the backup it was listed as; it was not used")
	}
	if err != nil {
		removeScrubbed(tmp)
		return backup.RemoteCopy{}, "", formatError(err)
	}
	return want, tmp, nil
}

// downloadTo writes copy c to path (0600, replaced on a retry), checking it
// against the list's size and digest as well as the download's own.
func downloadTo(ctx context.Context, u backup.Uploader, c backup.RemoteCopy, path string) (err error) {
	got, body, err := u.Download(ctx, c.ID)
	if err != nil {
		return err
	}
	defer body.Close()
	if got.Size != c.Size || got.SHA256 != c.SHA256 {
		return &sync.Error{Code: sync.CodeBackupDamaged, Retryable: true, Message: "the download is not the copy the backend listed"}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("practice: restore: %w", err)
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	if _, err := io.Copy(f, body); err != nil {
		return err
	}
	return f.Sync()
}

// downloadError explains a failed download.
func downloadError(err error) error {
	if se, ok := sync.AsError(err); ok && se.Code == sync.CodeBackupDamaged {
		return apperr.Wrap(apperr.Integrity, "the downloaded backup was damaged (its length or SHA-256 is not the backend's); nothing was restored", err)
	}
	return syncError(err)
}

// adoptEnrolment makes the restored profile sync as the new device: its
// token into the keychain (under the restored vault's new id), the
// enrolment into the database (replacing the old machine's). It reports
// whether it could.
func (p *Practice) adoptEnrolment(ctx context.Context, url string, e wire.EnrolResponse) bool {
	chain, err := p.AuditChain()
	if err != nil {
		return false
	}
	account, err := p.syncTokenAccount(ctx)
	if err != nil {
		return false
	}
	if err := p.opts.Keychain.Set(account, []byte(e.Token)); err != nil {
		p.log.Warn("restore: the new device token could not be kept in the keychain; connect again in Settings → Sync")
		return false
	}
	entry, err := p.syncEntry(audit.D("op", "enrol", "device", e.DeviceID, "via", "restore"))
	if err == nil {
		err = p.syncStore().Enrol(ctx, store.SyncState{BackendURL: url, DeviceID: e.DeviceID, TherapistID: e.TherapistID,
			EnrolledAt: p.Now()}, chain, entry)
	}
	if err != nil {
		_ = p.opts.Keychain.Delete(account)
		p.log.Warn("restore: the new enrolment was not recorded", "err", err)
		return false
	}
	return true
}
