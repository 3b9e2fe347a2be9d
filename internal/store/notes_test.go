package store

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/notes"
	"github.com/calmally/practice/internal/vault"
)

func TestSignedNoteCannotChange(t *testing.T) {
	e := newNoteEnv(t)
	n := e.signed(t)
	sec := map[string]string{"plan": "rewritten"}
	later := e.clock.Now().Add(time.Minute)

	service := []struct {
		name string
		op   string
		try  func() error
	}{
		{"SaveDraft", "save_draft", func() error { _, err := e.svc.SaveDraft(e.ctx, n.ID, n.Rev, "x", sec); return err }},
		{"SetSession", "set_session", func() error {
			_, err := e.svc.SetSession(e.ctx, n.ID, n.Rev, day(2024, 2, 1), "")
			return err
		}},
		{"Sign again", "sign", func() error { _, err := e.svc.Sign(e.ctx, n.ID, 0); return err }},
		{"DeleteDraft", "delete", func() error { return e.svc.DeleteDraft(e.ctx, n.ID) }},
	}
	for _, tc := range service {
		t.Run("service/"+tc.name, func(t *testing.T) {
			err := tc.try()
			if !errors.Is(err, notes.ErrSigned) {
				t.Fatalf("got %v, want the signed rule", err)
			}
			wantCode(t, err, apperr.Conflict)
			if apperr.MessageOf(err) != "note is signed: add an addendum instead" {
				t.Errorf("message %q", apperr.MessageOf(err))
			}
			if got := e.auditCount(t, audit.ActionEdit, n.ID, "refused=signed op="+tc.op); got != 1 {
				t.Errorf("refusal audited %d times, want 1", got)
			}
		})
	}

	ev := audit.Entry{At: later, Actor: "test", Action: audit.ActionEdit, RecordType: "note", RecordID: n.ID}
	title, sections, err := sealPair(e.keys, n.ID, n.Rev+1)
	if err != nil {
		t.Fatal(err)
	}
	storeOps := []struct {
		name string
		try  func() error
	}{
		{"UpdateDraft", func() error {
			return e.store.UpdateDraft(e.ctx, notes.DraftUpdate{ID: n.ID, ExpectedRev: n.Rev, Rev: n.Rev + 1,
				Title: title, Sections: sections, SessionDate: n.SessionDate, UpdatedAt: later}, ev, 0)
		}},
		{"SignNote", func() error {
			return e.store.SignNote(e.ctx, notes.Signing{ID: n.ID, Rev: n.Rev, SignedAt: later, SignedBy: "other", Hash: []byte{1}}, ev)
		}},
		{"DeleteDraft", func() error { return e.store.DeleteDraft(e.ctx, n.ID, ev) }},
	}
	for _, tc := range storeOps {
		t.Run("store/"+tc.name, func(t *testing.T) {
			if err := tc.try(); !errors.Is(err, notes.ErrSigned) {
				t.Fatalf("got %v, want the signed rule", err)
			}
		})
	}

	sameKeyEnvelope, err := e.keys.Seal(vault.AD{Table: "notes", Column: "sections", RowID: n.ID, Revision: n.Rev}, []byte(`{"plan":"forged"}`))
	if err != nil {
		t.Fatal(err)
	}
	raw := []struct{ name, sql string }{
		{"status back to draft", `UPDATE notes SET status = 'draft', signed_at = NULL, signed_by = NULL, signed_hash = NULL WHERE id = ?`},
		{"bump rev", `UPDATE notes SET rev = rev + 1 WHERE id = ?`},
		{"replace hash", `UPDATE notes SET signed_hash = x'00' WHERE id = ?`},
		{"change session date", `UPDATE notes SET session_date = '2020-01-01' WHERE id = ?`},
		{"change kind", `UPDATE notes SET kind = 'psychotherapy' WHERE id = ?`},
		{"delete", `DELETE FROM notes WHERE id = ?`},
	}
	for _, tc := range raw {
		t.Run("sql/"+tc.name, func(t *testing.T) {
			_, err := execSQL(t, e.db, tc.sql, n.ID)
			if err == nil || !strings.Contains(err.Error(), "signed") {
				t.Fatalf("got %v, want the trigger's signed abort", err)
			}
		})
	}
	t.Run("sql/re-seal under the same key version", func(t *testing.T) {
		_, err := execSQL(t, e.db, `UPDATE notes SET sections = ? WHERE id = ?`, sameKeyEnvelope, n.ID)
		if err == nil || !strings.Contains(err.Error(), "signed") {
			t.Fatalf("got %v, want the trigger's signed abort", err)
		}
	})

	got, err := e.svc.Get(e.ctx, n.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Rev != n.Rev || got.Sections["plan"] != n.Sections["plan"] || !got.Signed() {
		t.Fatalf("signed note changed: %+v", got)
	}
	if err := e.svc.VerifySignature(e.ctx, got); err != nil {
		t.Fatalf("verify after refused attempts: %v", err)
	}
}

func day(y int, m time.Month, d int) notes.Date { return notes.Date{Year: y, Month: m, Day: d} }

func sealPair(k *vault.Keys, id string, rev int64) ([]byte, []byte, error) {
	title, err := k.Seal(vault.AD{Table: "notes", Column: "title", RowID: id, Revision: rev}, []byte("t"))
	if err != nil {
		return nil, nil, err
	}
	sec, err := k.Seal(vault.AD{Table: "notes", Column: "sections", RowID: id, Revision: rev}, []byte(`{}`))
	return title, sec, err
}

// TestDataKeyRotationResealsSignedNotes: the one update the trigger allows.
func TestDataKeyRotationResealsSignedNotes(t *testing.T) {
	e := newNoteEnv(t)
	h, _ := testVault(t)
	keys, err := vault.Unlock(h, []byte(testPassphrase), nil) // own copy: rotation changes its version
	if err != nil {
		t.Fatal(err)
	}
	e = setupNoteEnvWithKeys(t, e, keys)
	n := e.signed(t)
	if _, err := e.svc.AddAddendum(e.ctx, n.ID, "Correction: the session was online."); err != nil {
		t.Fatal(err)
	}
	target := keys.DataKeyVersion() + 1
	var cols []SealedColumn
	for _, c := range SealedColumns() {
		if strings.HasPrefix(c.Table, "note") { // the client row here holds placeholders
			cols = append(cols, c)
		}
	}
	if len(cols) != 4 {
		t.Fatalf("notes register %d sealed columns, want 4", len(cols))
	}
	err = e.db.Reseal(e.ctx, cols, target, func(c SealedColumn, id string, rev int64, env []byte) ([]byte, error) {
		ad := vault.AD{Table: c.Table, Column: c.Column, RowID: id, Revision: rev}
		plain, err := keys.Open(ad, env)
		if err != nil {
			return nil, err
		}
		return keys.SealWith(target, ad, plain)
	}, nil)
	if err != nil {
		t.Fatalf("reseal: %v", err)
	}
	if left, err := e.db.CountNotAtKeyVersion(e.ctx, []SealedColumn{{"notes", "title"}, {"notes", "sections"}, {"note_addenda", "body"}}, target); err != nil || left != 0 {
		t.Fatalf("left %d, %v", left, err)
	}
	got, err := e.svc.Get(e.ctx, n.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.VerifySignature(e.ctx, got); err != nil {
		t.Fatalf("verify after rotation: %v", err)
	}
}

func setupNoteEnvWithKeys(t *testing.T, e *noteEnv, keys *vault.Keys) *noteEnv {
	t.Helper()
	e2 := *e
	e2.keys = keys
	e2.svc = notes.NewService(notes.Config{
		Store: e.store,
		Keys:  func() (notes.Sealer, error) { return keys, nil },
		Now:   e.clock.Now,
		Actor: "practitioner-1",
	})
	return &e2
}

func TestAddendaKeepTheOriginal(t *testing.T) {
	e := newNoteEnv(t)
	n := e.signed(t)
	bodies := []string{"Correction: the client reported sleeping 6 hours, not 8.", "Addition: risk screen negative."}
	for _, b := range bodies {
		e.clock.Add(time.Hour)
		if _, err := e.svc.AddAddendum(e.ctx, n.ID, b); err != nil {
			t.Fatal(err)
		}
	}
	got, err := e.svc.Get(e.ctx, n.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Sections["subjective"] != n.Sections["subjective"] || got.Title != n.Title {
		t.Fatalf("original changed")
	}
	if len(got.Addenda) != 2 || got.Addenda[0].Body != bodies[0] || got.Addenda[1].Body != bodies[1] {
		t.Fatalf("addenda = %+v", got.Addenda)
	}
	if got.Addenda[0].SignedBy != "practitioner-1" || len(got.Addenda[0].SignedHash) != 32 {
		t.Fatalf("addendum not signed: %+v", got.Addenda[0])
	}
	if err := e.svc.VerifySignature(e.ctx, got); err != nil {
		t.Fatal(err)
	}
	if c := e.auditCount(t, audit.ActionAddendum, n.ID, "addendum="+got.Addenda[0].ID); c != 1 {
		t.Errorf("addendum audited %d times", c)
	}
	for _, q := range []string{`UPDATE note_addenda SET signed_by = 'x' WHERE id = ?`, `DELETE FROM note_addenda WHERE id = ?`} {
		if _, err := execSQL(t, e.db, q, got.Addenda[0].ID); err == nil || !strings.Contains(err.Error(), "signed") {
			t.Errorf("%s: got %v, want refusal", q, err)
		}
	}

	draft := e.soap(t, "draft", map[string]string{"plan": "x"})
	_, err = e.svc.AddAddendum(e.ctx, draft.ID, "nope")
	wantCode(t, err, apperr.Conflict)
	_, err = e.svc.AddAddendum(e.ctx, n.ID, "   ")
	wantCode(t, err, apperr.Invalid)
}

func TestSignatureVerifiesAndDetectsChange(t *testing.T) {
	e := newNoteEnv(t)
	n := e.signed(t)
	if _, err := e.svc.AddAddendum(e.ctx, n.ID, "Addendum text."); err != nil {
		t.Fatal(err)
	}
	good, err := e.svc.Get(e.ctx, n.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.VerifySignature(e.ctx, good); err != nil {
		t.Fatalf("fresh note: %v", err)
	}
	clone := func() notes.Note {
		c := good
		c.Sections = map[string]string{}
		for k, v := range good.Sections {
			c.Sections[k] = v
		}
		c.Addenda = append([]notes.Addendum(nil), good.Addenda...)
		return c
	}
	changes := []struct {
		name string
		edit func(*notes.Note)
	}{
		{"section text", func(n *notes.Note) { n.Sections["plan"] += "." }},
		{"section moved", func(n *notes.Note) {
			n.Sections["objective"], n.Sections["subjective"] = n.Sections["subjective"], ""
		}},
		{"title", func(n *notes.Note) { n.Title = "Session 5" }},
		{"session date", func(n *notes.Note) { n.SessionDate = n.SessionDate.AddDays(-1) }},
		{"client", func(n *notes.Note) { n.ClientID = e.client[:35] + "0" }},
		{"kind", func(n *notes.Note) { n.Kind = notes.KindPsychotherapy }},
		{"template version", func(n *notes.Note) { n.TemplateVersion = 2 }},
		{"signer", func(n *notes.Note) { n.SignedBy = "someone-else" }},
		{"signed at", func(n *notes.Note) { n.SignedAt = n.SignedAt.Add(time.Second) }},
		{"addendum body", func(n *notes.Note) { n.Addenda[0].Body = "Other text." }},
		{"addendum dropped note link", func(n *notes.Note) { n.Addenda[0].NoteID = n.ClientID }},
	}
	for _, tc := range changes {
		t.Run(tc.name, func(t *testing.T) {
			c := clone()
			tc.edit(&c)
			err := e.svc.VerifySignature(e.ctx, c)
			if tc.name == "template version" {
				wantCode(t, err, apperr.NotFound) // soap v2 does not exist
				return
			}
			if !errors.Is(err, notes.ErrSignatureMismatch) {
				t.Fatalf("got %v, want a mismatch", err)
			}
		})
	}

	// A change the trigger cannot see (the trigger dropped, the text re-sealed
	// validly under the same rev by someone holding the key) is caught by the hash.
	t.Run("database edit behind the trigger", func(t *testing.T) {
		if _, err := execSQL(t, e.db, `DROP TRIGGER notes_signed_no_update`); err != nil {
			t.Fatal(err)
		}
		env, err := e.keys.Seal(vault.AD{Table: "notes", Column: "sections", RowID: n.ID, Revision: n.Rev},
			[]byte(`{"subjective":"Slept badly.","objective":"","assessment":"","plan":"Continue CBT."}`))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := execSQL(t, e.db, `UPDATE notes SET sections = ? WHERE id = ?`, env, n.ID); err != nil {
			t.Fatal(err)
		}
		got, err := e.svc.Get(e.ctx, n.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.VerifySignature(e.ctx, got); !errors.Is(err, notes.ErrSignatureMismatch) {
			t.Fatalf("got %v, want a mismatch", err)
		}
	})
}

func TestSwappedOrReplayedEnvelopeIsRefused(t *testing.T) {
	e := newNoteEnv(t)
	a := e.soap(t, "A", map[string]string{"plan": "note A"})
	b := e.soap(t, "B", map[string]string{"plan": "note B"})

	if _, err := execSQL(t, e.db, `UPDATE notes SET sections = (SELECT sections FROM notes WHERE id = ?) WHERE id = ?`, a.ID, b.ID); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.Get(e.ctx, b.ID)
	wantCode(t, err, apperr.Integrity)
	if c := e.auditCount(t, audit.ActionIntegrityError, b.ID, "column=sections"); c != 1 {
		t.Errorf("integrity error audited %d times", c)
	}
	if _, err := e.svc.Sign(e.ctx, b.ID, 0); apperr.CodeOf(err) != apperr.Integrity {
		t.Errorf("signing a swapped note: %v", err)
	}

	// Replay: an older revision's envelope put back into the row.
	c := e.soap(t, "C", map[string]string{"plan": "first"})
	var old []byte
	if err := e.db.sql.QueryRow(`SELECT sections FROM notes WHERE id = ?`, c.ID).Scan(&old); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SaveDraft(e.ctx, c.ID, c.Rev, "C", map[string]string{"plan": "second"}); err != nil {
		t.Fatal(err)
	}
	if _, err := execSQL(t, e.db, `UPDATE notes SET sections = ? WHERE id = ?`, old, c.ID); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.Get(e.ctx, c.ID)
	wantCode(t, err, apperr.Integrity)
	if strings.Contains(err.Error(), "first") {
		t.Fatal("error shows note text")
	}

	// The list shows the other notes and flags the damaged title only.
	if _, err := execSQL(t, e.db, `UPDATE notes SET title = (SELECT title FROM notes WHERE id = ?) WHERE id = ?`, a.ID, c.ID); err != nil {
		t.Fatal(err)
	}
	items, err := e.svc.ListForClient(e.ctx, e.client)
	if err != nil {
		t.Fatal(err)
	}
	damaged := 0
	for _, it := range items {
		if it.Damaged {
			damaged++
			if it.ID != c.ID || it.Title != "" {
				t.Errorf("wrong item flagged: %+v", it)
			}
		}
	}
	if damaged != 1 {
		t.Errorf("damaged = %d, want 1", damaged)
	}
}

func TestSaveDraftOptimisticConcurrency(t *testing.T) {
	e := newNoteEnv(t)
	n := e.soap(t, "t", nil)
	s1, err := e.svc.SaveDraft(e.ctx, n.ID, n.Rev, "t", map[string]string{"subjective": "one"})
	if err != nil || s1.Rev != 2 {
		t.Fatalf("save: %+v %v", s1, err)
	}
	// A second window still holding rev 1 must not overwrite.
	_, err = e.svc.SaveDraft(e.ctx, n.ID, n.Rev, "t", map[string]string{"subjective": "stale"})
	if !errors.Is(err, notes.ErrStale) {
		t.Fatalf("got %v, want stale", err)
	}
	// So must the store on its own.
	title, sec, _ := sealPair(e.keys, n.ID, 2)
	err = e.store.UpdateDraft(e.ctx, notes.DraftUpdate{ID: n.ID, ExpectedRev: 1, Rev: 2, Title: title, Sections: sec,
		SessionDate: n.SessionDate, UpdatedAt: e.clock.Now()}, audit.Entry{}, 0)
	if !errors.Is(err, notes.ErrStale) {
		t.Fatalf("store: got %v, want stale", err)
	}
	_, err = e.svc.SaveDraft(e.ctx, n.ID, s1.Rev, "t", map[string]string{"unknown": "x"})
	wantCode(t, err, apperr.Invalid)
	got, err := e.svc.Get(e.ctx, n.ID)
	if err != nil || got.Sections["subjective"] != "one" || got.Rev != 2 {
		t.Fatalf("got %+v %v", got, err)
	}
}

func TestAutosaveEditsAreCoalescedInTheTrail(t *testing.T) {
	e := newNoteEnv(t)
	n := e.soap(t, "t", nil)
	rev := n.Rev
	save := func(after time.Duration) {
		t.Helper()
		e.clock.Add(after)
		s, err := e.svc.SaveDraft(e.ctx, n.ID, rev, "t", map[string]string{"plan": e.clock.Now().String()})
		if err != nil {
			t.Fatal(err)
		}
		rev = s.Rev
	}
	for _, d := range []time.Duration{time.Second, 2 * time.Second, time.Minute, 3 * time.Minute} {
		save(d)
	}
	if c := e.auditCount(t, audit.ActionEdit, n.ID, "op=save_draft"); c != 1 {
		t.Fatalf("edits within 5 minutes wrote %d entries, want 1", c)
	}
	save(4 * time.Minute) // 5m03s after the first audited save
	if c := e.auditCount(t, audit.ActionEdit, n.ID, "op=save_draft"); c != 2 {
		t.Fatalf("after the window: %d entries, want 2", c)
	}
	if c := e.auditCount(t, audit.ActionEdit, n.ID, "rev=2 "); c != 1 {
		t.Errorf("first entry should name rev 2")
	}
}

func TestTemplatesAreVersioned(t *testing.T) {
	e := newNoteEnv(t)
	v1, err := e.svc.SaveTemplate(e.ctx, notes.Template{Name: "Couples", Sections: []notes.Section{
		{Key: "dynamics", Label: "Dynamics"}, {Key: "plan", Label: "Plan", Summary: notes.SummaryPlan}}})
	if err != nil {
		t.Fatal(err)
	}
	if v1.Version != 1 || v1.Builtin {
		t.Fatalf("v1 = %+v", v1)
	}
	n, err := e.svc.Create(e.ctx, notes.NewNote{ClientID: e.client, TemplateID: v1.ID, Sections: map[string]string{"dynamics": "d"}})
	if err != nil {
		t.Fatal(err)
	}
	edited := v1
	edited.Sections = append(edited.Sections, notes.Section{Key: "homework", Label: "Homework", Summary: notes.SummaryHomework})
	v2, err := e.svc.SaveTemplate(e.ctx, edited)
	if err != nil {
		t.Fatal(err)
	}
	if v2.ID != v1.ID || v2.Version != 2 {
		t.Fatalf("v2 = %+v", v2)
	}
	got, err := e.svc.Get(e.ctx, n.ID)
	if err != nil || got.TemplateVersion != 1 {
		t.Fatalf("note moved to another template version: %+v %v", got, err)
	}
	if _, err := e.svc.SaveDraft(e.ctx, n.ID, n.Rev, "", map[string]string{"homework": "x"}); apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("v1 note accepted a v2 section: %v", err)
	}
	old, err := e.svc.Template(e.ctx, v1.ID, 1)
	if err != nil || len(old.Sections) != 2 {
		t.Fatalf("v1 lost: %+v %v", old, err)
	}
	all, err := e.svc.Templates(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]int{}
	for _, tm := range all {
		ids[tm.ID] = tm.Version
	}
	if ids["soap"] != 1 || ids["dap"] != 1 || ids["birp"] != 1 || ids["free"] != 1 || ids[v1.ID] != 2 || len(all) != 5 {
		t.Fatalf("templates = %v", ids)
	}
	if _, err := execSQL(t, e.db, `UPDATE note_templates SET name = 'x'`); err == nil {
		t.Fatal("a template version changed in place")
	}

	bad := []struct {
		name string
		t    notes.Template
		code string
	}{
		{"built-in", notes.Template{ID: "soap", Name: "x", Sections: []notes.Section{{Key: "a", Label: "A"}}}, apperr.Forbidden},
		{"no name", notes.Template{Sections: []notes.Section{{Key: "a", Label: "A"}}}, apperr.Invalid},
		{"no sections", notes.Template{Name: "x"}, apperr.Invalid},
		{"bad key", notes.Template{Name: "x", Sections: []notes.Section{{Key: "A b", Label: "A"}}}, apperr.Invalid},
		{"duplicate key", notes.Template{Name: "x", Sections: []notes.Section{{Key: "a", Label: "A"}, {Key: "a", Label: "B"}}}, apperr.Invalid},
		{"two plans", notes.Template{Name: "x", Sections: []notes.Section{{Key: "a", Label: "A", Summary: "plan"}, {Key: "b", Label: "B", Summary: "plan"}}}, apperr.Invalid},
		{"unknown id", notes.Template{ID: "0190a000-0000-7000-8000-000000000000", Name: "x", Sections: []notes.Section{{Key: "a", Label: "A"}}}, apperr.NotFound},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.SaveTemplate(e.ctx, tc.t)
			wantCode(t, err, tc.code)
		})
	}
}

func TestStartFromLastCopiesStructureNotText(t *testing.T) {
	e := newNoteEnv(t)
	_, err := e.svc.StartFromLast(e.ctx, e.client)
	wantCode(t, err, apperr.NotFound)

	old, err := e.svc.Create(e.ctx, notes.NewNote{ClientID: e.client, TemplateID: notes.TemplateBIRP, Kind: notes.KindPsychotherapy,
		Title: "Process", Sections: map[string]string{"behavior": "Tearful when discussing work."}, SessionDate: day(2024, 2, 20)})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Add(time.Hour)
	n, err := e.svc.StartFromLast(e.ctx, e.client)
	if err != nil {
		t.Fatal(err)
	}
	if n.ID == old.ID || n.TemplateID != notes.TemplateBIRP || n.TemplateVersion != 1 || n.Kind != notes.KindPsychotherapy {
		t.Fatalf("structure not copied: %+v", n)
	}
	if len(n.Sections) != 4 || n.Title != "" {
		t.Fatalf("sections = %v", n.Sections)
	}
	for k, v := range n.Sections {
		if v != "" {
			t.Errorf("section %s carried text forward", k)
		}
	}
	if n.SessionDate != (day(2024, 2, 29)) {
		t.Errorf("session date %v, want today in Kolkata (leap day)", n.SessionDate)
	}
	if c := e.auditCount(t, audit.ActionCreate, n.ID, "from="+old.ID); c != 1 {
		t.Errorf("start-from-last not audited with its source")
	}
}

func TestSessionDateRules(t *testing.T) {
	e := newNoteEnv(t) // now: 2024-02-28 20:00 UTC = 2024-02-29 01:30 in Kolkata
	cases := []struct {
		name string
		date notes.Date
		ok   bool
	}{
		{"today in Kolkata (leap day)", day(2024, 2, 29), true},
		{"tomorrow across the month end", day(2024, 3, 1), true},
		{"two days ahead", day(2024, 3, 2), false},
		{"last year", day(2023, 12, 31), true},
		{"before 1900", day(1899, 12, 31), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.Create(e.ctx, notes.NewNote{ClientID: e.client, TemplateID: "free", SessionDate: tc.date})
			if tc.ok && err != nil {
				t.Fatal(err)
			}
			if !tc.ok {
				wantCode(t, err, apperr.Invalid)
			}
		})
	}
}

func TestNoteTouchesClientLastInteraction(t *testing.T) {
	e := newNoteEnv(t)
	read := func() (string, int64) {
		var at string
		var rev int64
		if err := e.db.sql.QueryRow(`SELECT COALESCE(last_interaction_at, ''), rev FROM clients WHERE id = ?`, e.client).Scan(&at, &rev); err != nil {
			t.Fatal(err)
		}
		return at, rev
	}
	n, err := e.svc.Create(e.ctx, notes.NewNote{ClientID: e.client, TemplateID: "free", SessionDate: day(2024, 2, 10)})
	if err != nil {
		t.Fatal(err)
	}
	if at, rev := read(); at != "2024-02-10T00:00:00Z" || rev != 1 {
		t.Fatalf("last interaction %q rev %d", at, rev)
	}
	if _, err := e.svc.Create(e.ctx, notes.NewNote{ClientID: e.client, TemplateID: "free", SessionDate: day(2024, 1, 31)}); err != nil {
		t.Fatal(err)
	}
	if at, _ := read(); at != "2024-02-10T00:00:00Z" {
		t.Fatalf("an older session moved the last interaction back: %q", at)
	}
	if _, err := e.svc.SetSession(e.ctx, n.ID, n.Rev, day(2024, 2, 29), "booking-17"); err != nil {
		t.Fatal(err)
	}
	if at, rev := read(); at != "2024-02-29T00:00:00Z" || rev != 1 {
		t.Fatalf("last interaction %q rev %d", at, rev)
	}
	_, err = e.svc.Create(e.ctx, notes.NewNote{ClientID: "0190a000-0000-7000-8000-000000000000", TemplateID: "free"})
	wantCode(t, err, apperr.NotFound)
}

func TestSummaryDerivedAndGatedByConsent(t *testing.T) {
	e := newNoteEnv(t)
	n := e.signed(t)
	s, err := e.svc.DeriveSummary(e.ctx, n.ID)
	if err != nil {
		t.Fatal(err)
	}
	if s.Content.Plan != "Continue CBT." || s.Content.Homework != "thought record" || s.Status != notes.SummaryDraft {
		t.Fatalf("prefill = %+v", s)
	}
	again, err := e.svc.DeriveSummary(e.ctx, n.ID)
	if err != nil || again.ID != s.ID {
		t.Fatalf("derive twice made another summary: %v", err)
	}
	s, err = e.svc.SaveSummary(e.ctx, n.ID, s.Rev, notes.SummaryContent{Plan: "Keep going.", Homework: "Walk daily", NextSession: "Tuesday"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.ShareSummary(e.ctx, n.ID, s.Rev)
	wantCode(t, err, apperr.Conflict) // not ready yet
	if s, err = e.svc.MarkSummaryReady(e.ctx, n.ID, s.Rev); err != nil || s.Status != notes.SummaryReady {
		t.Fatalf("ready: %+v %v", s, err)
	}

	_, err = e.svc.ShareSummary(e.ctx, n.ID, s.Rev)
	wantCode(t, err, apperr.ConsentRequired)
	if apperr.MessageOf(err) != "consent required: summary-sharing" {
		t.Errorf("message %q", apperr.MessageOf(err))
	}
	var asked []string
	e.svc.ConsentCheck = func(_ context.Context, clientID, purpose string) error {
		asked = append(asked, clientID+" "+purpose)
		return apperr.New(apperr.ConsentRequired, "consent required: summary-sharing")
	}
	_, err = e.svc.ShareSummary(e.ctx, n.ID, s.Rev)
	wantCode(t, err, apperr.ConsentRequired)
	if len(asked) != 1 || asked[0] != e.client+" summary-sharing" {
		t.Fatalf("hook asked %v", asked)
	}
	if c := e.auditCount(t, audit.ActionExport, s.ID, "refused=consent"); c != 2 {
		t.Errorf("refusals audited %d times, want 2", c)
	}
	e.svc.ConsentCheck = func(context.Context, string, string) error { return nil }
	shared, err := e.svc.ShareSummary(e.ctx, n.ID, s.Rev)
	if err != nil || shared.Status != notes.SummaryShared {
		t.Fatalf("share: %+v %v", shared, err)
	}
	_, err = e.svc.SaveSummary(e.ctx, n.ID, shared.Rev, notes.SummaryContent{Plan: "changed"})
	wantCode(t, err, apperr.Conflict)
	got, err := e.svc.Summary(e.ctx, n.ID)
	if err != nil || got.Content.Plan != "Keep going." {
		t.Fatalf("got %+v %v", got, err)
	}

	process, err := e.svc.Create(e.ctx, notes.NewNote{ClientID: e.client, TemplateID: "free", Kind: notes.KindPsychotherapy,
		Sections: map[string]string{"body": "private"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.DeriveSummary(e.ctx, process.ID)
	wantCode(t, err, apperr.Forbidden)
}

func TestHealthConsentHookRefusesNotes(t *testing.T) {
	e := newNoteEnv(t)
	e.svc.RequireHealthConsent = func(_ context.Context, clientID string) error {
		return apperr.New(apperr.ConsentRequired, "consent required: health-data")
	}
	_, err := e.svc.Create(e.ctx, notes.NewNote{ClientID: e.client, TemplateID: "soap"})
	wantCode(t, err, apperr.ConsentRequired)
	_, err = e.svc.StartFromLast(e.ctx, e.client)
	if err == nil {
		t.Fatal("start from last bypassed the hook")
	}
	var n int
	e.db.sql.QueryRow(`SELECT COUNT(*) FROM notes`).Scan(&n)
	if n != 0 {
		t.Fatalf("%d notes written without consent", n)
	}
	e.svc.RequireHealthConsent = nil
	if _, err := e.svc.Create(e.ctx, notes.NewNote{ClientID: e.client, TemplateID: "soap"}); err != nil {
		t.Fatal(err)
	}
}

type fakeIndex struct {
	put     map[string]string
	deleted []string
}

func (f *fakeIndex) Put(id, kind, clientID, title, body string, at time.Time) {
	f.put[id] = kind + "|" + title + "|" + body
}
func (f *fakeIndex) Delete(id string) { f.deleted = append(f.deleted, id) }

func TestIndexAndForEachDecrypted(t *testing.T) {
	e := newNoteEnv(t)
	idx := &fakeIndex{put: map[string]string{}}
	e.svc.Index = idx
	a := e.soap(t, "Anxiety", map[string]string{"plan": "प्राणायाम daily", "subjective": "Café visit"})
	if idx.put[a.ID] != "progress|Anxiety|Café visit\n\nप्राणायाम daily" {
		t.Fatalf("index after create: %q", idx.put[a.ID])
	}
	if _, err := e.svc.Sign(e.ctx, a.ID, a.Rev); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.AddAddendum(e.ctx, a.ID, "Late entry."); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(idx.put[a.ID], "\n\nLate entry.") {
		t.Fatalf("index after addendum: %q", idx.put[a.ID])
	}
	b := e.soap(t, "Draft", nil)
	if err := e.svc.DeleteDraft(e.ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	if len(idx.deleted) != 1 || idx.deleted[0] != b.ID {
		t.Fatalf("deleted = %v", idx.deleted)
	}
	c := e.soap(t, "Third", map[string]string{"objective": "calm"})

	seen := map[string]string{}
	if err := e.svc.ForEachDecrypted(e.ctx, func(nt notes.NoteText) error { seen[nt.ID] = nt.Title + "|" + nt.Body; return nil }); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 2 || seen[a.ID] != "Anxiety|Café visit\n\nप्राणायाम daily\n\nLate entry." || seen[c.ID] != "Third|calm" {
		t.Fatalf("streamed %q", seen)
	}

	// A damaged note is skipped, audited and reported; the others still stream.
	if _, err := execSQL(t, e.db, `UPDATE notes SET title = x'00' WHERE id = ?`, c.ID); err != nil {
		t.Fatal(err)
	}
	seen = map[string]string{}
	err := e.svc.ForEachDecrypted(e.ctx, func(nt notes.NoteText) error { seen[nt.ID] = nt.Body; return nil })
	wantCode(t, err, apperr.Integrity)
	if len(seen) != 1 || e.auditCount(t, audit.ActionIntegrityError, c.ID, "") != 1 {
		t.Fatalf("seen %d", len(seen))
	}
}

func TestListsDecryptTitlesAndAuditTheView(t *testing.T) {
	e := newNoteEnv(t)
	other := e.addClient(t)
	for i, d := range []notes.Date{day(2024, 1, 5), day(2024, 2, 29), day(2023, 12, 31)} {
		if _, err := e.svc.Create(e.ctx, notes.NewNote{ClientID: e.client, TemplateID: "dap", Title: "T" + d.String(), SessionDate: d}); err != nil {
			t.Fatal(i, err)
		}
	}
	if _, err := e.svc.Create(e.ctx, notes.NewNote{ClientID: other, TemplateID: "dap", Title: "other"}); err != nil {
		t.Fatal(err)
	}
	items, err := e.svc.ListForClient(e.ctx, e.client)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, it := range items {
		got = append(got, it.Title)
	}
	if strings.Join(got, ",") != "T2024-02-29,T2024-01-05,T2023-12-31" {
		t.Fatalf("list = %v", got)
	}
	if c := e.auditCount(t, audit.ActionView, e.client, "what=notes"); c != 1 {
		t.Errorf("list view audited %d times", c)
	}
	drafts, err := e.svc.DraftsAwaitingSignature(e.ctx)
	if err != nil || len(drafts) != 4 {
		t.Fatalf("drafts %d %v", len(drafts), err)
	}
}

func TestLockedVaultRefuses(t *testing.T) {
	e := newNoteEnv(t)
	n := e.soap(t, "t", nil)
	svc := notes.NewService(notes.Config{Store: e.store, Now: e.clock.Now,
		Keys: func() (notes.Sealer, error) { return nil, apperr.New(apperr.Locked, "the vault is locked") }})
	_, err := svc.Get(e.ctx, n.ID)
	wantCode(t, err, apperr.Locked)
	_, err = svc.Create(e.ctx, notes.NewNote{ClientID: e.client, TemplateID: "soap"})
	wantCode(t, err, apperr.Locked)
	_, err = svc.ListForClient(e.ctx, e.client)
	wantCode(t, err, apperr.Locked)
}
