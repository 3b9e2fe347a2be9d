package store

import (
	"errors"
	"testing"

	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/notes"
)

// The save path reads less than it used to (no separate client check, one
// statement for the audit head and last entry); these pin what it must still
// refuse.
func TestNoteSaveChecks(t *testing.T) {
	tests := []struct {
		name   string
		client func(e *noteEnv) string
		tamper []string
		want   error
	}{
		{"saves", func(e *noteEnv) string { return e.client }, nil, nil},
		{"missing client", func(*noteEnv) string { return "no-such-client" }, nil, notes.ErrClientNotFound},
		{"head removed", func(e *noteEnv) string { return e.client }, []string{`DELETE FROM audit_head`}, audit.ErrHeadMissing},
		{"last entry removed", func(e *noteEnv) string { return e.client }, []string{`DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)`}, audit.ErrTruncated},
		{"trail emptied", func(e *noteEnv) string { return e.client }, []string{`DELETE FROM audit_log`}, audit.ErrTruncated},
		{"head moved back", func(e *noteEnv) string { return e.client }, []string{`UPDATE audit_head SET seq = seq - 1`}, audit.ErrTruncated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newNoteEnv(t)
			if _, err := e.svc.Create(e.ctx, notes.NewNote{ClientID: e.client, TemplateID: notes.TemplateSOAP, Title: "first"}); err != nil {
				t.Fatal(err)
			}
			if tt.tamper != nil {
				tamper(t, e.db, tt.tamper...)
			}
			var before int
			if err := e.db.sql.QueryRowContext(e.ctx, `SELECT COUNT(*) FROM notes`).Scan(&before); err != nil {
				t.Fatal(err)
			}
			_, err := e.svc.Create(e.ctx, notes.NewNote{ClientID: tt.client(e), TemplateID: notes.TemplateSOAP, Title: "second"})
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Create: %v", err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("Create: got %v, want %v", err, tt.want)
			}
			var after int
			if err := e.db.sql.QueryRowContext(e.ctx, `SELECT COUNT(*) FROM notes`).Scan(&after); err != nil {
				t.Fatal(err)
			}
			if after != before {
				t.Fatalf("notes: %d after a refused save, want %d", after, before)
			}
		})
	}
}
