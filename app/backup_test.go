package app

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/calmally/practice/internal/vault"
)

func TestBackupMethodsAndRestoreOnANewComputer(t *testing.T) {
	a := newClientTestApp(t)
	h, err := a.BackupHealth()
	if err != nil || h.Stale || h.LastBackupAt != "" {
		t.Fatalf("health %+v %v", h, err)
	}
	if _, err := a.BackupNow(); err == nil || !strings.HasPrefix(err.Error(), "invalid: choose a backup folder") {
		t.Fatalf("backup without folder: %v", err)
	}
	s, err := a.BackupSettingsGet()
	if err != nil || s.Schedule != "daily" || s.KeepDaily != 7 || s.KeepWeekly != 4 || s.KeepMonthly != 12 || s.Rev != 0 {
		t.Fatalf("default settings %+v %v", s, err)
	}
	s.Folder = t.TempDir()
	if s, err = a.BackupSettingsSet(s); err != nil || s.Rev != 1 {
		t.Fatalf("set %+v %v", s, err)
	}
	s.Schedule = "hourly"
	if _, err := a.BackupSettingsSet(s); err == nil || !strings.HasPrefix(err.Error(), "invalid:") {
		t.Fatalf("bad schedule: %v", err)
	}
	c, err := a.ClientCreate(ClientInputDTO{Name: "Kavya Rao", DateOfBirth: "1985-07-09"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := a.BackupNow()
	if err != nil || !res.Verified || res.Removed == nil {
		t.Fatalf("backup %+v %v", res, err)
	}
	list, err := a.BackupsList()
	if err != nil || len(list) != 1 || !list[0].Present || list[0].VerifyResult != "ok" || list[0].FileName != filepath.Base(res.Path) {
		t.Fatalf("list %+v %v", list, err)
	}
	if v, err := a.BackupVerify(res.Path); err != nil || v.ID != res.ID || v.SealedFieldsOpened == 0 {
		t.Fatalf("verify %+v %v", v, err)
	}
	if h, _ := a.BackupHealth(); h.LastVerifiedAt == "" || h.Stale || h.IntegrityState == "" {
		t.Fatalf("health after backup %+v", h)
	}
	code := a.pendingCode
	if code == "" {
		t.Fatal("no recovery code from onboarding")
	}

	// A new computer: the app opens a fresh profile and offers the restore.
	b, _ := New(Config{DataDir: t.TempDir(), Keychain: &memKeychain{m: map[string][]byte{}}, KDF: vault.MinimumKDF})
	b.start(context.Background(), NopRuntime{})
	t.Cleanup(b.stop)
	if p, err := b.RestorePickFile(); err != nil || p != "" {
		t.Fatalf("picker without a window: %q %v", p, err)
	}
	prev, err := b.RestorePreview(res.Path)
	if err != nil || prev.ID != res.ID || prev.NewerThanApp {
		t.Fatalf("preview %+v %v", prev, err)
	}
	bad := filepath.Join(t.TempDir(), "x.cbk")
	if err := os.WriteFile(bad, []byte("nope"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Restore(RestoreRequest{Path: bad, RecoveryCode: code, NewPassphrase: "river-saffron-kite-9-lantern-moss"}); err == nil ||
		!strings.HasPrefix(err.Error(), "invalid:") {
		t.Fatalf("restore of a non-backup: %v", err)
	}
	if st, err := b.Status(); err != nil || st.Initialized {
		t.Fatalf("after a failed restore the profile must still be usable and empty: %+v %v", st, err)
	}
	out, err := b.Restore(RestoreRequest{Path: res.Path, RecoveryCode: code, NewPassphrase: "river-saffron-kite-9-lantern-moss"})
	if err != nil || out.RecoveryCode == "" || out.RecoveryCode == code {
		t.Fatalf("restore %v", err)
	}
	got, err := b.ClientGet(c.ID)
	if err != nil || got.Name != "Kavya Rao" {
		t.Fatalf("restored client %+v %v", got, err)
	}
	// A second restore over a profile with a vault is refused.
	if _, err := b.Restore(RestoreRequest{Path: res.Path, RecoveryCode: out.RecoveryCode, NewPassphrase: "river-saffron-kite-9-lantern-moss"}); err == nil ||
		!strings.HasPrefix(err.Error(), "conflict:") {
		t.Fatalf("second restore: %v", err)
	}
}
