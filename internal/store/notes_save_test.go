package store

import (
	"database/sql"
	"encoding/json"
	"errors"
	"testing"
	"time"

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

// BenchmarkNoteSaveFloor measures, interleaved like BenchmarkNoteSaveRatio,
// a plain insert, the same insert with an audit entry appended in its
// transaction (statements prepared), and a full service save. The middle one
// is the floor of save/plain while every save is audited in its own
// transaction: the entry's row, its three indexes and the head are five more
// pages for the commit to write and sync.
func BenchmarkNoteSaveFloor(b *testing.B) {
	e := newNoteEnv(b)
	createPlainNotes(b, e)
	sections := benchSections()
	js, _ := json.Marshal(sections)
	stmts := newStmtCache(e.db.sql, auditTailQuery, auditInsertQuery, auditMoveHeadQuery)
	stmts.prepare(e.ctx)
	var plain, withAudit, save time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		now := e.clock.Now()
		t0 := time.Now()
		if err := insertPlainNote(e, newTestID(now), now, []byte("Session note"), js); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		id := newTestID(now)
		err := e.db.Tx(e.ctx, func(tx *sql.Tx) error {
			if _, err := tx.Exec(`INSERT INTO plain_notes VALUES (?, 1, ?, 'progress', 'soap', 1, '2024-02-29', NULL, 'draft', ?, ?, NULL, NULL, NULL, ?, ?)`,
				id, e.client, formatNoteTime(now), formatNoteTime(now), []byte("Session note"), js); err != nil {
				return err
			}
			_, err := appendAuditTx(e.ctx, tx, stmts, e.chain, audit.Entry{At: now, Actor: "p", Action: audit.ActionCreate, RecordType: "note", RecordID: id})
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		if _, err := e.svc.Create(e.ctx, notes.NewNote{ClientID: e.client, TemplateID: notes.TemplateSOAP, Title: "Session note", Sections: sections}); err != nil {
			b.Fatal(err)
		}
		t3 := time.Now()
		plain, withAudit, save = plain+t1.Sub(t0), withAudit+t2.Sub(t1), save+t3.Sub(t2)
	}
	b.ReportMetric(float64(withAudit)/float64(plain), "plain+audit/plain")
	b.ReportMetric(float64(save)/float64(plain), "save/plain")
}
