package practice

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/backup"
	"github.com/calmally/practice/internal/clients"
	"github.com/calmally/practice/internal/notes"
	"github.com/calmally/practice/internal/store"
	"github.com/calmally/practice/internal/vault"
)

const backupMarker = "BKMARKER-Zq7xVw"

// seedRecords writes clients with every field filled, consent, notes (a
// signed one with an addendum, a draft, a process note), all carrying the
// marker, and returns the client ids.
func seedRecords(t *testing.T, p *Practice) []string {
	t.Helper()
	ctx := context.Background()
	var ids []string
	for i, name := range []string{"Ananya " + backupMarker, "Rahul " + backupMarker} {
		c, err := p.Clients().Create(ctx, clients.Input{
			Name: name, PreferredName: "Anu" + backupMarker, DateOfBirth: "1990-02-2" + string(rune('1'+i)),
			Gender: "female", Phone: "+91 98765 4321" + string(rune('0'+i)), Email: "a" + string(rune('0'+i)) + "@example.in",
			EmergencyContact:   clients.EmergencyContact{Name: "Kin " + backupMarker, Relationship: "sister", Phone: "+919876500000"},
			PresentingConcerns: "panic " + backupMarker, TreatmentPreferences: "CBT " + backupMarker, Language: "hi",
		}, clients.SourceClinic)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
		grantHealthData(t, p, c.ID)
		svc := p.Notes()
		n, err := svc.Create(ctx, notes.NewNote{ClientID: c.ID, TemplateID: notes.TemplateSOAP, Title: "First " + backupMarker,
			Sections: map[string]string{"subjective": "sleep " + backupMarker, "plan": "breathing " + backupMarker}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Sign(ctx, n.ID, n.Rev); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AddAddendum(ctx, n.ID, "addendum "+backupMarker); err != nil {
			t.Fatal(err)
		}
		d, err := svc.Create(ctx, notes.NewNote{ClientID: c.ID, TemplateID: notes.TemplateDAP, Title: "Draft " + backupMarker,
			Sections: map[string]string{"data": "draft " + backupMarker}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.SaveDraft(ctx, d.ID, d.Rev, "Draft 2 "+backupMarker, map[string]string{"data": "more " + backupMarker}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Create(ctx, notes.NewNote{ClientID: c.ID, TemplateID: notes.TemplateFree, Kind: notes.KindPsychotherapy,
			Sections: map[string]string{"body": "process " + backupMarker}}); err != nil {
			t.Fatal(err)
		}
	}
	return ids
}

// records is everything the services return for the clients, decrypted.
type records struct {
	Clients []clients.Client
	Notes   []notes.Note
}

func readRecords(t *testing.T, p *Practice, ids []string) records {
	t.Helper()
	ctx := context.Background()
	var r records
	for _, id := range ids {
		c, err := p.Clients().Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		r.Clients = append(r.Clients, c)
		items, err := p.Notes().ListForClient(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			n, err := p.Notes().Get(ctx, it.ID)
			if err != nil {
				t.Fatal(err)
			}
			r.Notes = append(r.Notes, n)
		}
	}
	return r
}

// assertNoMarkerIn is AssertNoMarker for a folder without a log file (a
// backup folder).
func assertNoMarkerIn(t *testing.T, dir, marker string) {
	t.Helper()
	files := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(b, []byte(marker)) {
			t.Errorf("%s contains the plaintext marker", filepath.Base(path))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files == 0 {
		t.Fatal("no files scanned")
	}
}

func setFolder(t *testing.T, p *Practice, folder string, keep backup.Policy) {
	t.Helper()
	s, err := p.BackupSettings(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	s.Folder = folder
	if keep.Daily > 0 {
		s.Keep = keep
	}
	if _, err := p.SetBackupSettings(context.Background(), s); err != nil {
		t.Fatal(err)
	}
}

func TestBackupRestoreOnANewMachine(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	p := f.open(t)
	created := mustCreate(t, p, false)
	ids := seedRecords(t, p)
	// A rotation half-way and then finished: the backup spans key versions.
	if err := p.RotateDataKey(ctx, nil); err != nil {
		t.Fatal(err)
	}
	folder := filepath.Join(t.TempDir(), "backups")
	if err := os.Mkdir(folder, 0o700); err != nil {
		t.Fatal(err)
	}
	setFolder(t, p, folder, backup.Policy{})
	res, err := p.BackupNow(ctx, TriggerManual)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Verified || res.Size == 0 || filepath.Dir(res.Path) != folder {
		t.Fatalf("backup result %+v", res)
	}
	want := readRecords(t, p, ids)
	if len(want.Notes) != 6 || len(want.Notes[0].Addenda)+len(want.Notes[1].Addenda)+len(want.Notes[2].Addenda) != 1 {
		t.Fatalf("seeded %d notes", len(want.Notes))
	}
	// The backup folder holds the backup and nothing else (no temp files),
	// and no byte of it is plaintext.
	entries, _ := os.ReadDir(folder)
	if len(entries) != 1 {
		t.Fatalf("backup folder holds %d files", len(entries))
	}
	assertNoMarkerIn(t, folder, backupMarker)
	for _, e := range mustReadDir(t, f.dir) {
		if strings.HasSuffix(e, ".snapshot") || strings.HasSuffix(e, ".tmp") {
			t.Errorf("temporary file %s left in the data folder", e)
		}
	}

	// A new machine: a fresh data folder and an empty keychain. The app has
	// already opened (and so created) the profile before offering the restore.
	g := newFixture(t)
	g.clock = f.clock
	g.open(t).Close()
	opts := Options{DataDir: g.dir, Keychain: g.kc, Now: g.clock.Now, KDF: vault.MinimumKDF, Sleep: func(time.Duration) {}}
	const newPass = "monsoon lanterns guide the quiet ferry"

	t.Run("wrong recovery code is refused", func(t *testing.T) {
		other := "AAAAA-AAAAA-AAAAA-AAAAA-AAAAA-AAAAA"
		_, _, err := Restore(ctx, opts, res.Path, other, []byte(newPass), false)
		if c := apperr.CodeOf(err); c != apperr.Locked && c != apperr.Invalid {
			t.Fatalf("wrong code: %v", err)
		}
		// Another vault's real code.
		h := newFixture(t)
		q := h.open(t)
		otherRes := mustCreate(t, q, true)
		_, _, err = Restore(ctx, opts, res.Path, otherRes.RecoveryCode, []byte(newPass), false)
		wantCode(t, err, apperr.Locked)
		noDatabase(t, g.dir)
	})

	t.Run("tampered backup is refused with an integrity error", func(t *testing.T) {
		b, err := os.ReadFile(res.Path)
		if err != nil {
			t.Fatal(err)
		}
		for _, at := range []int{len(b) / 2, len(b) - 1} {
			bad := bytes.Clone(b)
			bad[at] ^= 0x40
			path := filepath.Join(t.TempDir(), backup.FileName(time.Now()))
			if err := os.WriteFile(path, bad, 0o600); err != nil {
				t.Fatal(err)
			}
			_, _, err := Restore(ctx, opts, path, created.RecoveryCode, []byte(newPass), false)
			wantCode(t, err, apperr.Integrity)
			if !errors.Is(err, vault.ErrIntegrity) {
				t.Fatalf("tampered restore: %v", err)
			}
			noDatabase(t, g.dir)
			_, err = p.VerifyBackup(ctx, path)
			wantCode(t, err, apperr.Integrity)
		}
		// Truncated to half.
		path := filepath.Join(t.TempDir(), "half.cbk")
		if err := os.WriteFile(path, b[:len(b)/2], 0o600); err != nil {
			t.Fatal(err)
		}
		_, _, err = Restore(ctx, opts, path, created.RecoveryCode, []byte(newPass), false)
		wantCode(t, err, apperr.Integrity)
		noDatabase(t, g.dir)
	})

	t.Run("restore with the recovery kit gives identical records", func(t *testing.T) {
		prev, err := PreviewBackup(res.Path)
		if err != nil || prev.BackupID != res.ID || prev.NewerThanApp {
			t.Fatalf("preview %+v %v", prev, err)
		}
		q, again, err := Restore(ctx, opts, res.Path, created.RecoveryCode, []byte(newPass), false)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { q.Close() })
		if again.RecoveryCode == "" || again.RecoveryCode == created.RecoveryCode {
			t.Fatal("restore did not issue a new recovery code")
		}
		got := readRecords(t, q, ids)
		if !reflect.DeepEqual(got.Clients, want.Clients) {
			t.Fatalf("clients differ after restore:\n got %+v\nwant %+v", got.Clients, want.Clients)
		}
		if !reflect.DeepEqual(got.Notes, want.Notes) {
			t.Fatalf("notes differ after restore")
		}
		for _, n := range got.Notes {
			if n.Signed() {
				if err := q.Notes().VerifySignature(ctx, n); err != nil {
					t.Fatalf("signature after restore: %v", err)
				}
			}
		}
		if _, err := q.AuditVerify(ctx); err != nil {
			t.Fatalf("audit trail after restore: %v", err)
		}
		// The new passphrase and the new keychain secret unlock it.
		q.Lock(ctx, "user")
		if err := q.Unlock(ctx, []byte(newPass)); err != nil {
			t.Fatal(err)
		}
		// A second restore into the same folder is refused.
		_, _, err = Restore(ctx, opts, res.Path, again.RecoveryCode, []byte(newPass), false)
		wantCode(t, err, apperr.Conflict)
		q.Lock(ctx, "user")
		q.Close()
		AssertNoMarker(t, g.dir, backupMarker)
	})
}

func noDatabase(t *testing.T, dir string) {
	t.Helper()
	for _, e := range mustReadDir(t, dir) {
		if strings.HasPrefix(e, store.FileName) || strings.HasSuffix(e, ".snapshot") {
			t.Fatalf("a refused restore left %s in the data folder", e)
		}
	}
}

func mustReadDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestBackupRotationScheduleAndWarning(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	p := f.open(t)
	mustCreate(t, p, true)
	if r := p.WaitIntegrityCheck(); r.State != "ok" {
		t.Fatalf("startup check %+v", r)
	}
	if s := p.Status(ctx); s.Backup.Stale || s.Integrity.State != "ok" {
		t.Fatalf("new vault status %+v", s)
	}
	// No folder: nothing scheduled, and BackupNow explains.
	if ran, err := p.BackupTick(ctx); ran || err != nil {
		t.Fatalf("tick without folder: %v %v", ran, err)
	}
	_, err := p.BackupNow(ctx, TriggerManual)
	wantCode(t, err, apperr.Invalid)
	// A folder inside the data folder is refused.
	s, _ := p.BackupSettings(ctx)
	s.Folder = f.dir
	_, err = p.SetBackupSettings(ctx, s)
	wantCode(t, err, apperr.Invalid)

	f.clock.Advance(8 * 24 * time.Hour)
	if !p.Status(ctx).Backup.Stale {
		t.Fatal("no warning after 8 days without a verified backup")
	}
	folder := t.TempDir()
	setFolder(t, p, folder, backup.Policy{Daily: 2, Weekly: 1, Monthly: 0})
	// A file of the user's in the folder is never touched.
	if err := os.WriteFile(filepath.Join(folder, "mine.txt"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	var days int
	for i := 0; i < 10; i++ {
		ran, err := p.BackupTick(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if ran {
			days++
		}
		if ran2, _ := p.BackupTick(ctx); ran2 {
			t.Fatal("a second backup the same day")
		}
		f.clock.Advance(24 * time.Hour)
	}
	if days != 10 {
		t.Fatalf("scheduled backups ran on %d of 10 days", days)
	}
	if p.Status(ctx).Backup.Stale {
		t.Fatal("warning despite a verified backup today")
	}
	names := mustReadDir(t, folder)
	// Keep 2 daily + 1 weekly (the newest of the previous ISO week, unless it
	// is already one of the two) + the user's file.
	if len(names) < 3 || len(names) > 4 || !contains(names, "mine.txt") {
		t.Fatalf("folder after rotation: %v", names)
	}
	list, err := p.Backups(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	present, removed := 0, 0
	for _, b := range list {
		if b.Present {
			present++
		}
		if !b.RemovedAt.IsZero() {
			removed++
		}
		if b.VerifyResult != "ok" || b.Trigger != "schedule" || b.Damaged {
			t.Fatalf("log row %+v", b)
		}
	}
	if len(list) != 10 || present != len(names)-1 || removed != 10-present {
		t.Fatalf("log: %d rows, %d present, %d removed; folder %v", len(list), present, removed, names)
	}
	// Scheduled off: nothing runs.
	s, _ = p.BackupSettings(ctx)
	s.Schedule = backup.Off
	if _, err := p.SetBackupSettings(ctx, s); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(48 * time.Hour)
	if ran, _ := p.BackupTick(ctx); ran {
		t.Fatal("backup ran with the schedule off")
	}
	// A stale revision is a conflict.
	s.Rev--
	_, err = p.SetBackupSettings(ctx, s)
	wantCode(t, err, apperr.Conflict)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestBackupToRefusesExistingFileAndLogsFailures(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	p := f.open(t)
	mustCreate(t, p, true)
	out := filepath.Join(t.TempDir(), "one.cbk")
	if err := os.WriteFile(out, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := p.BackupTo(ctx, out, true)
	wantCode(t, err, apperr.Conflict)
	if b, _ := os.ReadFile(out); string(b) != "keep me" {
		t.Fatal("an existing file was overwritten")
	}
	_, err = p.BackupTo(ctx, filepath.Join(t.TempDir(), "missing-folder", "x.cbk"), true)
	if err == nil {
		t.Fatal("backup into a missing folder succeeded")
	}
	list, err := p.Backups(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Result != "failed" || list[0].ErrorCode == "" {
		t.Fatalf("failures not logged: %+v", list)
	}
	// The verify of a file from another vault says so.
	g := newFixture(t)
	q := g.open(t)
	mustCreate(t, q, true)
	other := filepath.Join(t.TempDir(), "other.cbk")
	if _, err := q.BackupTo(ctx, other, true); err != nil {
		t.Fatal(err)
	}
	_, err = p.VerifyBackup(ctx, other)
	wantCode(t, err, apperr.Invalid)
	// Not a backup at all.
	_, err = p.VerifyBackup(ctx, out)
	wantCode(t, err, apperr.Invalid)
	// Locked: refused.
	p.Lock(ctx, "user")
	_, err = p.BackupTo(ctx, filepath.Join(t.TempDir(), "x.cbk"), true)
	wantCode(t, err, apperr.Locked)
}

func TestRestoreOnTheSameComputerLeavesTheOriginalAlone(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	p := f.open(t)
	created := mustCreate(t, p, false)
	out := filepath.Join(t.TempDir(), "b.cbk")
	if _, err := p.BackupTo(ctx, out, true); err != nil {
		t.Fatal(err)
	}
	// Same keychain, second data folder.
	opts := Options{DataDir: filepath.Join(t.TempDir(), "copy"), Keychain: f.kc, Now: f.clock.Now, KDF: vault.MinimumKDF,
		Sleep: func(time.Duration) {}}
	q, _, err := Restore(ctx, opts, out, created.RecoveryCode, []byte(otherPass), false)
	if err != nil {
		t.Fatal(err)
	}
	q.Close()
	p.Lock(ctx, "user")
	if err := p.Unlock(ctx, []byte(goodPass)); err != nil {
		t.Fatalf("the original profile no longer unlocks after a restore beside it: %v", err)
	}
}
