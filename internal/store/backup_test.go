package store

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/notes"
	"github.com/calmally/practice/internal/vault"
)

func TestSnapshotIsConsistentWhileWriting(t *testing.T) {
	e := newNoteEnv(t)
	sections := map[string]string{"subjective": "slept better", "plan": "continue"}
	for i := 0; i < 20; i++ {
		if _, err := e.svc.Create(e.ctx, notes.NewNote{ClientID: e.client, TemplateID: notes.TemplateSOAP, Title: "n", Sections: sections}); err != nil {
			t.Fatal(err)
		}
	}
	// Saves carry on while the snapshot is taken: neither blocks the other
	// for long, and the snapshot is one point in time.
	var wg sync.WaitGroup
	stop := make(chan struct{})
	var saveErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := e.svc.Create(e.ctx, notes.NewNote{ClientID: e.client, TemplateID: notes.TemplateSOAP, Title: "n", Sections: sections}); err != nil {
				saveErr = err
				return
			}
		}
	}()
	dir := t.TempDir()
	var paths []string
	for i := 0; i < 3; i++ {
		p := filepath.Join(dir, "snap"+string(rune('a'+i))+".db")
		if err := e.db.Snapshot(e.ctx, p); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	close(stop)
	wg.Wait()
	if saveErr != nil {
		t.Fatal(saveErr)
	}
	prev := 0
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("snapshot mode %v, want 0600", fi.Mode().Perm())
		}
		s, err := OpenSnapshot(e.ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if probs, err := s.IntegrityCheck(e.ctx); err != nil || len(probs) > 0 {
			t.Fatalf("snapshot integrity: %v %v", probs, err)
		}
		if v, err := s.SchemaVersion(e.ctx); err != nil || v != SchemaVersion() {
			t.Fatalf("snapshot schema %d %v", v, err)
		}
		// Every envelope in the snapshot opens: no torn row.
		n, err := s.SampleEnvelopes(e.ctx, SealedColumns(), 0, func(c SealedColumn, id string, rev int64, env []byte) error {
			if c.Table != "notes" {
				return nil
			}
			_, err := e.keys.Open(vault.AD{Table: c.Table, Column: c.Column, RowID: id, Revision: rev}, env)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if n < 40 || n < prev {
			t.Fatalf("snapshot holds %d envelopes (previous %d)", n, prev)
		}
		prev = n
		// A snapshot is opened read-only and leaves no -wal or -shm.
		s.Close()
		for _, suffix := range []string{"-wal", "-shm", "-journal"} {
			if _, err := os.Stat(p + suffix); err == nil {
				t.Errorf("opening the snapshot left %s", suffix)
			}
		}
	}
	// VACUUM INTO refuses to overwrite.
	if err := e.db.Snapshot(e.ctx, paths[0]); err == nil {
		t.Fatal("snapshot overwrote an existing file")
	}
	if _, err := os.Stat(paths[0]); err != nil {
		t.Fatal("a refused snapshot removed the existing file")
	}
}

func TestOpenSnapshotRefusesGarbage(t *testing.T) {
	ctx := context.Background()
	p := filepath.Join(t.TempDir(), "x.db")
	if err := os.WriteFile(p, []byte("this is not a database, just bytes......................................................................"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := OpenSnapshot(ctx, p)
	if err == nil {
		_, err = s.IntegrityCheck(ctx)
		s.Close()
	}
	if err == nil {
		t.Fatal("garbage opened as a snapshot")
	}
}

func TestQuickAndFullIntegrityCheck(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	for _, check := range []func(context.Context) ([]string, error){db.QuickCheck, db.FullIntegrityCheck} {
		if probs, err := check(ctx); err != nil || len(probs) > 0 {
			t.Fatalf("healthy database: %v %v", probs, err)
		}
	}
}

func TestBackupLog(t *testing.T) {
	e := newNoteEnv(t)
	s := NewBackupStore(e.db, func() (*audit.Chain, error) { return e.chain, nil })
	at := time.Date(2026, 2, 28, 23, 0, 0, 0, time.UTC)
	entry := func(a audit.Action, id string) audit.Entry {
		return audit.Entry{At: at, Actor: "t", Action: a, RecordType: "backup", RecordID: id}
	}
	if d, err := e.db.BackupDates(e.ctx); err != nil || !d.LastOK.IsZero() || !d.LastVerified.IsZero() || !d.TrailStart.Equal(e.clock.Now()) {
		t.Fatalf("empty log: %+v %v", d, err)
	}
	rows := []BackupRow{
		{ID: "b1", At: at, Trigger: "manual", Result: "ok", Path: []byte{1}, SHA256: "aa", Size: 10, SchemaVersion: 10},
		{ID: "b2", At: at.Add(24 * time.Hour), Trigger: "schedule", Result: "failed", ErrorCode: "invalid", Path: []byte{2}, SchemaVersion: 10},
	}
	for _, r := range rows {
		if err := s.InsertBackup(e.ctx, r, entry(audit.ActionBackup, r.ID)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.RecordVerification(e.ctx, "b1", at.Add(time.Hour), true, entry(audit.ActionBackup, "b1")); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkRemoved(e.ctx, "b1", at.Add(48*time.Hour), entry(audit.ActionDelete, "b1")); err != nil {
		t.Fatal(err)
	}
	got, err := s.ListBackups(e.ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != "b2" || got[0].ErrorCode != "invalid" || got[1].VerifyResult != "ok" ||
		!got[1].VerifiedAt.Equal(at.Add(time.Hour)) || !got[1].RemovedAt.Equal(at.Add(48*time.Hour)) {
		t.Fatalf("log %+v", got)
	}
	d, err := e.db.BackupDates(e.ctx)
	if err != nil || !d.LastOK.Equal(at) || !d.LastVerified.Equal(at.Add(time.Hour)) {
		t.Fatalf("dates %+v %v", d, err)
	}
	if _, err := s.BackupByID(e.ctx, "nope"); apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("missing backup: %v", err)
	}
	// A failed row must carry its code, an ok row none (the schema says so).
	bad := BackupRow{ID: "b3", At: at, Trigger: "manual", Result: "failed", Path: []byte{3}, SchemaVersion: 10}
	if err := s.InsertBackup(e.ctx, bad, entry(audit.ActionBackup, "b3")); err == nil {
		t.Fatal("a failed backup without an error code was logged")
	}
}

func TestBackupSettingsRevisions(t *testing.T) {
	e := newNoteEnv(t)
	s := NewBackupStore(e.db, func() (*audit.Chain, error) { return e.chain, nil })
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	entry := audit.Entry{At: at, Actor: "t", Action: audit.ActionEdit, RecordType: "backup_settings"}
	if _, err := s.BackupSettings(e.ctx); apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("no settings: %v", err)
	}
	r := BackupSettingsRow{Rev: 1, Folder: []byte{1}, Schedule: "daily", KeepDaily: 7, KeepWeekly: 4, KeepMonthly: 12, UpdatedAt: at}
	if err := s.SaveBackupSettings(e.ctx, r, 0, entry); err != nil {
		t.Fatal(err)
	}
	// A second "first save" (another window) is a conflict, not an overwrite.
	if err := s.SaveBackupSettings(e.ctx, r, 0, entry); apperr.CodeOf(err) != apperr.Conflict {
		t.Fatalf("second first save: %v", err)
	}
	r.Rev, r.Schedule = 2, "weekly"
	if err := s.SaveBackupSettings(e.ctx, r, 1, entry); err != nil {
		t.Fatal(err)
	}
	r.Rev = 2
	if err := s.SaveBackupSettings(e.ctx, r, 1, entry); err == nil {
		t.Fatal("stale revision accepted")
	}
	got, err := s.BackupSettings(e.ctx)
	if err != nil || got.Rev != 2 || got.Schedule != "weekly" || got.KeepMonthly != 12 || !got.UpdatedAt.Equal(at) {
		t.Fatalf("settings %+v %v", got, err)
	}
}
