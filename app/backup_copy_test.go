package app

import (
	"context"
	"testing"

	"github.com/calmally/practice/internal/backend"
	"github.com/calmally/practice/internal/backend/backendtest"
)

// TestBackupCopyInIndiaMethods: Settings → Backups through the bound
// methods against the reference backend over TLS — a backup goes up once the
// profile is connected, a failed upload is shown and never fails the
// backup, "Upload now" sends it.
func TestBackupCopyInIndiaMethods(t *testing.T) {
	env := backendtest.Start(t, backend.Options{})
	a := newSyncTestApp(t, env, &syncRuntime{})
	// Backups are named by the second: each one here gets a folder of its own.
	newFolder := func() {
		t.Helper()
		s, err := a.BackupSettingsGet()
		if err != nil {
			t.Fatal(err)
		}
		s.Folder = t.TempDir()
		if _, err := a.BackupSettingsSet(s); err != nil {
			t.Fatal(err)
		}
	}
	newFolder()
	// Not connected: the backup is local only.
	res, err := a.BackupNow()
	if err != nil || res.Copy.State != "not_enrolled" {
		t.Fatalf("backup before connecting: %+v %v", res.Copy, err)
	}
	if h, _ := a.BackupHealth(); h.CopyEnabled || h.CopyUploadedAt != "" {
		t.Fatalf("health before connecting %+v", h)
	}
	_, err = a.BackupUploadNow()
	wantCode(t, "upload before connecting", err, "not_found")

	if _, err := a.SyncConnect(SyncConnectDTO{BackendURL: env.URL, EnrolmentCode: env.EnrolmentCode(t)}); err != nil {
		t.Fatal(err)
	}
	settled(t, a)
	newFolder()
	res, err = a.BackupNow()
	if err != nil || res.Copy.State != "uploaded" || res.Copy.BackupID != res.ID || res.Copy.UploadedAt == "" {
		t.Fatalf("backup when connected: %+v %v", res.Copy, err)
	}
	h, err := a.BackupHealth()
	if err != nil || !h.CopyEnabled || h.CopyBackupID != res.ID || h.CopyUploadedAt != res.Copy.UploadedAt || h.CopyErrorCode != "" {
		t.Fatalf("health after the upload %+v %v", h, err)
	}
	// A refusal: the backup stands, the failure is shown.
	if err := env.Backend.Faults().FailNextOn("/v1/backups/", 1, 400, 0); err != nil {
		t.Fatal(err)
	}
	newFolder()
	failed, err := a.BackupNow()
	if err != nil || !failed.Verified || failed.Copy.State != "failed" || failed.Copy.ErrorCode == "" || failed.Copy.Message == "" {
		t.Fatalf("backup with a refused upload: %+v %v", failed, err)
	}
	if h, _ := a.BackupHealth(); h.CopyErrorCode != "invalid" || h.CopyBackupID != res.ID || h.CopyFailedAt == "" {
		t.Fatalf("health after the refusal %+v", h)
	}
	up, err := a.BackupUploadNow()
	if err != nil || up.State != "uploaded" || up.BackupID != failed.ID {
		t.Fatalf("upload now: %+v %v", up, err)
	}
	if h, _ := a.BackupHealth(); h.CopyErrorCode != "" || h.CopyBackupID != failed.ID {
		t.Fatalf("health after upload now %+v", h)
	}
	if copies, err := env.Backend.BackupCopies(context.Background()); err != nil || len(copies) != 2 {
		t.Fatalf("the backend holds %d copies (%v)", len(copies), err)
	}
}
