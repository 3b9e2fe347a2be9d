package app

import (
	"strings"
	"testing"
)

// TestNoteMethods walks the editor's path through the bound methods: create,
// autosave, sign, refused edit, addendum, list, templates and the summary.
func TestNoteMethods(t *testing.T) {
	a := newClientTestApp(t)
	c, err := a.ClientCreate(ClientInputDTO{Name: "Asha Kumar", DateOfBirth: "1990-05-01"})
	if err != nil {
		t.Fatal(err)
	}
	// No note without health-data consent (the consent ledger enforces it).
	if _, err := a.NoteCreate(NoteCreateDTO{ClientID: c.ID, TemplateID: "soap"}); err == nil ||
		err.Error() != "consent_required: consent required: health-data" {
		t.Fatalf("note without consent: %v", err)
	}
	if _, err := a.ConsentGrant(ConsentGrantDTO{ClientID: c.ID, Purpose: "health-data", Method: "checkbox"}); err != nil {
		t.Fatal(err)
	}
	n, err := a.NoteCreate(NoteCreateDTO{ClientID: c.ID, TemplateID: "soap", Title: "Session 1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(n.Sections) != 4 || n.Sections[0].Label != "Subjective" || n.Status != "draft" || n.TemplateName != "SOAP" {
		t.Fatalf("created %+v", n)
	}
	saved, err := a.NoteSaveDraft(NoteSaveDraftDTO{ID: n.ID, Rev: n.Rev, Title: "Session 1",
		Sections: map[string]string{"subjective": "Better sleep.", "plan": "Continue.\nHomework: walk"}})
	if err != nil || saved.Rev != 2 || saved.SavedAt == "" {
		t.Fatalf("save: %+v %v", saved, err)
	}
	if _, err := a.NoteSaveDraft(NoteSaveDraftDTO{ID: n.ID, Rev: n.Rev, Title: "stale"}); err == nil || !strings.HasPrefix(err.Error(), "conflict: ") {
		t.Fatalf("stale save: %v", err)
	}
	signed, err := a.NoteSign(NoteSignDTO{ID: n.ID, Rev: saved.Rev})
	if err != nil || signed.Status != "signed" || !signed.SignatureValid || len(signed.SignedHash) != 64 {
		t.Fatalf("sign: %+v %v", signed, err)
	}
	_, err = a.NoteSaveDraft(NoteSaveDraftDTO{ID: n.ID, Rev: saved.Rev, Title: "changed"})
	if err == nil || err.Error() != "conflict: note is signed: add an addendum instead" {
		t.Fatalf("edit signed: %v", err)
	}
	if _, err := a.NoteAddendum(NoteAddendumDTO{NoteID: n.ID, Body: "Correction."}); err != nil {
		t.Fatal(err)
	}
	got, err := a.NoteGet(n.ID)
	if err != nil || len(got.Addenda) != 1 || got.Sections[0].Text != "Better sleep." || !got.SignatureValid {
		t.Fatalf("get: %+v %v", got, err)
	}
	list, err := a.NotesForClient(c.ID)
	if err != nil || len(list) != 1 || list[0].Title != "Session 1" || list[0].Status != "signed" {
		t.Fatalf("list: %+v %v", list, err)
	}
	next, err := a.NoteStartFromLast(c.ID)
	if err != nil || next.TemplateID != "soap" || next.Sections[0].Text != "" {
		t.Fatalf("start from last: %+v %v", next, err)
	}
	drafts, err := a.DraftsAwaitingSignature()
	if err != nil || len(drafts) != 1 || drafts[0].ID != next.ID {
		t.Fatalf("drafts: %+v %v", drafts, err)
	}
	ts, err := a.Templates()
	if err != nil || len(ts) != 4 {
		t.Fatalf("templates: %d %v", len(ts), err)
	}
	own, err := a.TemplateSave(TemplateSaveDTO{Name: "Intake", Sections: []TemplateSectionDTO{{Key: "history", Label: "History"}}})
	if err != nil || own.Version != 1 || own.Builtin {
		t.Fatalf("template save: %+v %v", own, err)
	}

	s, err := a.SummaryDerive(n.ID)
	if err != nil || s.Plan != "Continue." || s.Homework != "walk" {
		t.Fatalf("derive: %+v %v", s, err)
	}
	s, err = a.SummaryMarkReady(SummaryStepDTO{NoteID: n.ID, Rev: s.Rev})
	if err != nil || s.Status != "ready" {
		t.Fatalf("ready: %+v %v", s, err)
	}
	if _, err := a.SummaryShare(SummaryStepDTO{NoteID: n.ID, Rev: s.Rev}); err == nil ||
		err.Error() != "consent_required: consent required: summary-sharing" {
		t.Fatalf("share without consent: %v", err)
	}
}
