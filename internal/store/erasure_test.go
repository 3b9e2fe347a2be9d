package store

import (
	"testing"
)

// TestSignedNotesDeletableOnlyUnderAMinorPurgeAuthorization: the triggers
// 0008 redefines keep refusing the deletion of signed notes and addenda,
// except while a 'minor' purge authorization for that client exists (the
// erasure engine writes and removes it in its own transaction).
func TestSignedNotesDeletableOnlyUnderAMinorPurgeAuthorization(t *testing.T) {
	e := newNoteEnv(t)
	n := e.signed(t)
	if _, err := e.svc.AddAddendum(e.ctx, n.ID, "Correction."); err != nil {
		t.Fatal(err)
	}
	other := e.addClient(t)
	db := e.db.sql
	del := func() error {
		if _, err := db.Exec(`DELETE FROM note_addenda WHERE note_id = ?`, n.ID); err != nil {
			return err
		}
		_, err := db.Exec(`DELETE FROM notes WHERE id = ?`, n.ID)
		return err
	}
	auth := func(client, scope string) {
		t.Helper()
		if _, err := db.Exec(`DELETE FROM purge_authorizations`); err != nil {
			t.Fatal(err)
		}
		if client != "" {
			if _, err := db.Exec(`INSERT INTO purge_authorizations (client_id, scope, created_at) VALUES (?, ?, '2024-01-01T00:00:00Z')`, client, scope); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, tc := range []struct{ name, client, scope string }{
		{"no authorization", "", ""},
		{"erasure scope", e.client, "erasure"},
		{"another client's purge", other, "minor"},
	} {
		auth(tc.client, tc.scope)
		if err := del(); err == nil {
			t.Fatalf("%s: a signed note or addendum was deleted", tc.name)
		}
	}
	auth(e.client, "minor")
	if err := del(); err != nil {
		t.Fatalf("minor purge: %v", err)
	}
}
