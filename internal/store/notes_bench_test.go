package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/calmally/practice/internal/notes"
	"github.com/calmally/practice/internal/vault"
)

// The figures of DESIGN.md section 8 for notes. Run with
//
//	go test ./internal/store -run '^$' -bench 'NoteSave|PlainInsert|OpenClient500Notes' -benchtime 200x
//
// BenchmarkNoteSave and BenchmarkPlainInsert write the same ~2 KB of text,
// each in its own durable transaction (synchronous=FULL, WAL), into tables of
// the same shape; the target is NoteSave ≤ 1.15 × PlainInsert.

// benchSections is about 2 KB of note text over the SOAP sections.
func benchSections() map[string]string {
	line := "Client reports improved sleep and fewer intrusive thoughts; practised grounding twice daily. "
	return map[string]string{
		"subjective": strings.Repeat(line, 6),
		"objective":  strings.Repeat(line, 5),
		"assessment": strings.Repeat(line, 5),
		"plan":       strings.Repeat(line, 5),
	}
}

// BenchmarkNoteSave creates a note through the service: validate, seal title
// and sections, insert and append the audit entry in one durable commit.
func BenchmarkNoteSave(b *testing.B) {
	e := newNoteEnv(b)
	sections := benchSections()
	js, _ := json.Marshal(sections)
	b.SetBytes(int64(len(js)) + int64(len("Session note")))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := e.svc.Create(e.ctx, notes.NewNote{ClientID: e.client, TemplateID: notes.TemplateSOAP,
			Title: "Session note", Sections: sections}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNoteAutosave is the typing path: SaveDraft of the same 2 KB.
func BenchmarkNoteAutosave(b *testing.B) {
	e := newNoteEnv(b)
	sections := benchSections()
	n, err := e.svc.Create(e.ctx, notes.NewNote{ClientID: e.client, TemplateID: notes.TemplateSOAP, Title: "Session note"})
	if err != nil {
		b.Fatal(err)
	}
	rev := n.Rev
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s, err := e.svc.SaveDraft(e.ctx, n.ID, rev, "Session note", sections)
		if err != nil {
			b.Fatal(err)
		}
		rev = s.Rev
	}
}

// BenchmarkNoteSealedInsert is BenchmarkPlainInsert with the title and
// sections sealed first: the cost of encryption alone, on the same table
// shape and durability. BenchmarkNoteSave adds what a real save also does in
// its transaction (the audit entry, the client's last interaction, the
// client check), which is not encryption.
func BenchmarkNoteSealedInsert(b *testing.B) {
	e := newNoteEnv(b)
	createPlainNotes(b, e)
	js, _ := json.Marshal(benchSections())
	b.SetBytes(int64(len(js)) + int64(len("Session note")))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		now := e.clock.Now()
		id := newTestID(now)
		title, err := e.keys.Seal(vault.AD{Table: "notes", Column: "title", RowID: id, Revision: 1}, []byte("Session note"))
		if err != nil {
			b.Fatal(err)
		}
		sec, err := e.keys.Seal(vault.AD{Table: "notes", Column: "sections", RowID: id, Revision: 1}, js)
		if err != nil {
			b.Fatal(err)
		}
		if err := insertPlainNote(e, id, now, title, sec); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPlainInsert writes the same bytes unencrypted into a table shaped
// like notes, one durable transaction per row, on the same kind of database.
func BenchmarkPlainInsert(b *testing.B) {
	e := newNoteEnv(b)
	createPlainNotes(b, e)
	js, _ := json.Marshal(benchSections())
	b.SetBytes(int64(len(js)) + int64(len("Session note")))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		now := e.clock.Now()
		if err := insertPlainNote(e, newTestID(now), now, []byte("Session note"), js); err != nil {
			b.Fatal(err)
		}
	}
}

func insertPlainNote(e *noteEnv, id string, now time.Time, title, sections []byte) error {
	return e.db.Tx(e.ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO plain_notes VALUES (?, 1, ?, 'progress', 'soap', 1, '2024-02-29', NULL, 'draft', ?, ?, NULL, NULL, NULL, ?, ?)`,
			id, e.client, formatNoteTime(now), formatNoteTime(now), title, sections)
		return err
	})
}

// createPlainNotes makes a table shaped like notes (same columns and indexes).
func createPlainNotes(b testing.TB, e *noteEnv) {
	b.Helper()
	if _, err := e.db.sql.Exec(`CREATE TABLE plain_notes (
		id TEXT PRIMARY KEY, rev INTEGER NOT NULL, client_id TEXT NOT NULL REFERENCES clients (id),
		kind TEXT NOT NULL, template_id TEXT NOT NULL, template_version INTEGER NOT NULL,
		session_date TEXT NOT NULL, booking_id TEXT, status TEXT NOT NULL, created_at TEXT NOT NULL,
		updated_at TEXT NOT NULL, signed_at TEXT, signed_by TEXT, signed_hash BLOB,
		title BLOB NOT NULL, sections BLOB NOT NULL) STRICT`); err != nil {
		b.Fatal(err)
	}
	for _, q := range []string{
		`CREATE INDEX plain_notes_client ON plain_notes (client_id, session_date DESC, created_at DESC)`,
		`CREATE INDEX plain_notes_drafts ON plain_notes (session_date DESC) WHERE status = 'draft'`,
	} {
		if _, err := e.db.sql.Exec(q); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenClient500Notes lists a client with 500 notes: one query and
// 500 title decryptions, plus the audited view.
func BenchmarkOpenClient500Notes(b *testing.B) {
	e := newNoteEnv(b)
	seedNotes(b, e, e.client, 500)
	other := e.addClient(b)
	seedNotes(b, e, other, 500) // another client's notes must not slow this one
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		items, err := e.svc.ListForClient(e.ctx, e.client)
		if err != nil {
			b.Fatal(err)
		}
		if len(items) != 500 {
			b.Fatalf("%d items", len(items))
		}
	}
}

// seedNotes writes n sealed notes for client in one transaction (setup only).
func seedNotes(b testing.TB, e *noteEnv, client string, n int) {
	b.Helper()
	js, _ := json.Marshal(benchSections())
	start := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
	err := e.db.Tx(context.Background(), func(tx *sql.Tx) error {
		for i := 0; i < n; i++ {
			at := start.Add(time.Duration(i) * 7 * 24 * time.Hour)
			id := newTestID(at)
			title, err := e.keys.Seal(vault.AD{Table: "notes", Column: "title", RowID: id, Revision: 1}, []byte("Weekly session"))
			if err != nil {
				return err
			}
			sec, err := e.keys.Seal(vault.AD{Table: "notes", Column: "sections", RowID: id, Revision: 1}, js)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(`INSERT INTO notes (`+noteColumns+`) VALUES (?, 1, ?, 'progress', 'soap', 1, ?, NULL, 'draft', ?, ?, NULL, NULL, NULL, ?, ?)`,
				id, client, at.Format("2006-01-02"), formatNoteTime(at), formatNoteTime(at), title, sec); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkNoteSaveRatio interleaves the three writes above in one loop (plain
// insert, sealed insert, full service save), so disk and machine noise hit
// all of them alike, and reports each one's mean and the ratios to the plain
// insert. sealed/plain is the cost of encryption (target ≤ 1.15); save/plain
// also carries the audit entry and the client's last interaction.
func BenchmarkNoteSaveRatio(b *testing.B) {
	e := newNoteEnv(b)
	createPlainNotes(b, e)
	sections := benchSections()
	js, _ := json.Marshal(sections)
	var plain, sealed, save time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		now := e.clock.Now()
		t0 := time.Now()
		if err := insertPlainNote(e, newTestID(now), now, []byte("Session note"), js); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		id := newTestID(now)
		title, err := e.keys.Seal(vault.AD{Table: "notes", Column: "title", RowID: id, Revision: 1}, []byte("Session note"))
		if err != nil {
			b.Fatal(err)
		}
		sec, err := e.keys.Seal(vault.AD{Table: "notes", Column: "sections", RowID: id, Revision: 1}, js)
		if err != nil {
			b.Fatal(err)
		}
		if err := insertPlainNote(e, id, now, title, sec); err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		if _, err := e.svc.Create(e.ctx, notes.NewNote{ClientID: e.client, TemplateID: notes.TemplateSOAP,
			Title: "Session note", Sections: sections}); err != nil {
			b.Fatal(err)
		}
		t3 := time.Now()
		plain, sealed, save = plain+t1.Sub(t0), sealed+t2.Sub(t1), save+t3.Sub(t2)
	}
	n := float64(b.N)
	b.ReportMetric(float64(plain.Nanoseconds())/n, "plain-ns/op")
	b.ReportMetric(float64(sealed.Nanoseconds())/n, "sealed-ns/op")
	b.ReportMetric(float64(save.Nanoseconds())/n, "save-ns/op")
	b.ReportMetric(float64(sealed)/float64(plain), "sealed/plain")
	b.ReportMetric(float64(save)/float64(plain), "save/plain")
}
