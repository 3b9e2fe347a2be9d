package store

import (
	"testing"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
)

func TestBackupCopies(t *testing.T) {
	e := newNoteEnv(t)
	s := NewBackupStore(e.db, func() (*audit.Chain, error) { return e.chain, nil })
	at := time.Date(2026, 2, 28, 23, 0, 0, 0, time.UTC)
	entry := func(id string) audit.Entry {
		return audit.Entry{At: at, Actor: "t", Action: audit.ActionBackup, RecordType: "backup", RecordID: id}
	}
	for i, id := range []string{"b1", "b2"} {
		r := BackupRow{ID: id, At: at.Add(time.Duration(i) * time.Hour), Trigger: "manual", Result: "ok", Path: []byte{1}, SHA256: "aa", Size: 10, SchemaVersion: 10}
		if err := s.InsertBackup(e.ctx, r, entry(id)); err != nil {
			t.Fatal(err)
		}
	}
	if h, err := e.db.BackupCopyHealth(e.ctx); err != nil || h.LastUploaded.BackupID != "" || h.LastFailed.BackupID != "" {
		t.Fatalf("nothing uploaded yet: %+v %v", h, err)
	}
	if _, err := s.BackupCopy(e.ctx, "b1"); apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("never uploaded: %v", err)
	}
	const url = "https://sync.calmally.in"
	failed := BackupCopyRow{BackupID: "b1", BackendURL: url, Result: "failed", ErrorCode: "unavailable", Attempts: 4,
		AttemptedAt: at.Add(time.Minute), SHA256: "aa", Size: 10}
	ok := BackupCopyRow{BackupID: "b1", BackendURL: url, Result: "ok", Attempts: 1, AttemptedAt: at.Add(2 * time.Minute),
		UploadedAt: at.Add(2 * time.Minute), SHA256: "aa", Size: 10}
	for _, r := range []BackupCopyRow{failed, ok, failed} { // the last failure cannot undo the copy
		if err := s.RecordBackupCopy(e.ctx, r, entry(r.BackupID)); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := s.BackupCopy(e.ctx, "b1"); err != nil || got != ok {
		t.Fatalf("after failed, ok, failed: %+v %v", got, err)
	}
	h, err := e.db.BackupCopyHealth(e.ctx)
	if err != nil || h.LastUploaded != ok || h.LastFailed.BackupID != "" {
		t.Fatalf("health %+v %v", h, err)
	}
	// A newer backup that failed to upload is shown beside the older copy.
	later := failed
	later.BackupID, later.AttemptedAt, later.ErrorCode = "b2", at.Add(2*time.Hour), "region_refused"
	if err := s.RecordBackupCopy(e.ctx, later, entry("b2")); err != nil {
		t.Fatal(err)
	}
	if h, err = e.db.BackupCopyHealth(e.ctx); err != nil || h.LastUploaded != ok || h.LastFailed != later {
		t.Fatalf("health with a later failure %+v %v", h, err)
	}
	// Rows must be coherent, and must belong to a logged backup.
	for _, bad := range []BackupCopyRow{
		{BackupID: "b2", BackendURL: url, Result: "ok", AttemptedAt: at, SHA256: "aa"},                       // ok without upload time
		{BackupID: "b2", BackendURL: url, Result: "failed", AttemptedAt: at, UploadedAt: at, SHA256: "aa"},   // failed without a code
		{BackupID: "nope", BackendURL: url, Result: "failed", ErrorCode: "x", AttemptedAt: at, SHA256: "aa"}, // no such backup
	} {
		if err := s.RecordBackupCopy(e.ctx, bad, entry(bad.BackupID)); err == nil {
			t.Errorf("recorded %+v", bad)
		}
	}
}
