package app

// Session-note methods bound to the UI (window.go.app.App.<Method>). Errors are
// "code: message" strings; messages name the rule, never note text. Dates are
// "YYYY-MM-DD"; instants RFC 3339 UTC (fractional seconds); "" when unset.
// Every call that returns note text is audited (ids only).
//
//	NotesForClient(clientID string) ([]NoteListItemDTO, error)  newest session first; titles only
//	NoteGet(id string) (NoteDTO, error)
//	NoteCreate(note NoteCreateDTO) (NoteDTO, error)
//	NoteSaveDraft(draft NoteSaveDraftDTO) (NoteSavedDTO, error) autosave: debounce ~1 s while typing and on blur
//	NoteSign(req NoteSignDTO) (NoteDTO, error)
//	NoteAddendum(req NoteAddendumDTO) (AddendumDTO, error)
//	NoteDeleteDraft(id string) error
//	NoteStartFromLast(clientID string) (NoteDTO, error)         same template/kind as the last note, empty text
//	DraftsAwaitingSignature() ([]NoteListItemDTO, error)
//	Templates() ([]TemplateDTO, error)                          newest version of each; built-ins first
//	TemplateSave(t TemplateSaveDTO) (TemplateDTO, error)
//	SummaryDerive(noteID string) (SummaryDTO, error)            creates (pre-filled from the plan) or returns the existing one
//	SummaryGet(noteID string) (SummaryDTO, error)
//	SummarySave(s SummarySaveDTO) (SummaryDTO, error)           back to "draft"
//	SummaryMarkReady(s SummaryStepDTO) (SummaryDTO, error)
//	SummaryShare(s SummaryStepDTO) (SummaryDTO, error)          needs the client's summary-sharing consent
//
// JSON shapes:
//
//	NoteListItemDTO  {id, clientId, kind: "progress"|"psychotherapy", templateId, title, sessionDate,
//	                  status: "draft"|"signed", updatedAt, bookingId /* "" unlinked */, damaged: bool}
//	NoteDTO          {id, rev, clientId, kind, templateId, templateVersion, templateName, title,
//	                  sections: [{key, label, prompt, text}] /* template order */, sessionDate, bookingId,
//	                  status, createdAt, updatedAt, signedAt, signedBy, signedHash /* hex */,
//	                  signatureValid: bool, addenda: AddendumDTO[] /* oldest first */}
//	AddendumDTO      {id, noteId, body, createdAt, signedAt, signedBy, signedHash}
//	NoteCreateDTO    {clientId, kind: ""|"progress"|"psychotherapy", templateId, templateVersion /* 0 newest */,
//	                  title, sections: {[key]: text}, sessionDate /* "" today */, bookingId}
//	NoteSaveDraftDTO {id, rev /* from the last ack */, title, sections: {[key]: text},
//	                  sessionDate /* "" keeps it */, bookingId}
//	NoteSavedDTO     {rev /* send with the next save */, savedAt /* for "Saved 2 s ago" */}
//	NoteSignDTO      {id, rev /* 0: current */}
//	NoteAddendumDTO  {noteId, body}
//	TemplateDTO      {id, version, name, builtin, sections: [{key, label, prompt, summary: ""|"plan"|"homework"}], createdAt}
//	TemplateSaveDTO  {id /* "" new */, name, sections: [{key, label, prompt, summary}]}
//	SummaryDTO       {id, noteId, clientId, rev, plan, homework, nextSession, status: "draft"|"ready"|"shared", updatedAt}
//	SummarySaveDTO   {noteId, rev, plan, homework, nextSession}
//	SummaryStepDTO   {noteId, rev}
//
// Rules the UI should expect: editing or re-signing a signed note →
// "conflict: note is signed: add an addendum instead"; a save whose rev is
// stale (another window saved first) → "conflict: the note was changed
// elsewhere: reload it and try again" — reload, never overwrite; signing an
// empty note → "invalid: …"; an addendum on a draft → "conflict: addenda are
// for signed notes: edit the draft instead"; sharing without consent →
// "consent_required: consent required: summary-sharing"; a summary from a
// psychotherapy note → "forbidden: …"; a damaged note → "integrity: …".
// Psychotherapy notes must be shown visibly marked as private process notes.

import (
	"encoding/hex"
	"time"

	"github.com/calmally/practice/internal/notes"
)

func (a *App) noteService() (*notes.Service, error) {
	p, err := a.practice()
	if err != nil {
		return nil, err
	}
	return p.Notes(), nil
}

// noteInstant is RFC 3339 UTC with fractional seconds, or "".
func noteInstant(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func listDTOs(items []notes.ListItem) []NoteListItemDTO {
	out := make([]NoteListItemDTO, len(items))
	for i, it := range items {
		out[i] = NoteListItemDTO{ID: it.ID, ClientID: it.ClientID, Kind: string(it.Kind), TemplateID: it.TemplateID,
			Title: it.Title, SessionDate: it.SessionDate.String(), Status: string(it.Status),
			UpdatedAt: noteInstant(it.UpdatedAt), BookingID: it.BookingID, Damaged: it.Damaged}
	}
	return out
}

// NotesForClient lists a client's notes (titles only), newest session first.
func (a *App) NotesForClient(clientID string) ([]NoteListItemDTO, error) {
	svc, err := a.noteService()
	if err != nil {
		return nil, a.uiError("notes list", err)
	}
	items, err := svc.ListForClient(a.ctx, clientID)
	if err != nil {
		return nil, a.uiError("notes list", err)
	}
	return listDTOs(items), nil
}

// DraftsAwaitingSignature lists every unsigned note.
func (a *App) DraftsAwaitingSignature() ([]NoteListItemDTO, error) {
	svc, err := a.noteService()
	if err != nil {
		return nil, a.uiError("drafts", err)
	}
	items, err := svc.DraftsAwaitingSignature(a.ctx)
	if err != nil {
		return nil, a.uiError("drafts", err)
	}
	return listDTOs(items), nil
}

// noteDTO shapes n with its template's labels and a fresh signature check.
func (a *App) noteDTO(svc *notes.Service, n notes.Note) (NoteDTO, error) {
	t, err := svc.Template(a.ctx, n.TemplateID, n.TemplateVersion)
	if err != nil {
		return NoteDTO{}, err
	}
	d := NoteDTO{ID: n.ID, Rev: n.Rev, ClientID: n.ClientID, Kind: string(n.Kind), TemplateID: n.TemplateID,
		TemplateVersion: n.TemplateVersion, TemplateName: t.Name, Title: n.Title, SessionDate: n.SessionDate.String(),
		BookingID: n.BookingID, Status: string(n.Status), CreatedAt: noteInstant(n.CreatedAt),
		UpdatedAt: noteInstant(n.UpdatedAt), SignedAt: noteInstant(n.SignedAt), SignedBy: n.SignedBy,
		Sections: make([]NoteSectionDTO, len(t.Sections)), Addenda: make([]AddendumDTO, len(n.Addenda))}
	for i, s := range t.Sections {
		d.Sections[i] = NoteSectionDTO{Key: s.Key, Label: s.Label, Prompt: s.Prompt, Text: n.Sections[s.Key]}
	}
	if n.Signed() {
		d.SignedHash = hex.EncodeToString(n.SignedHash)
		d.SignatureValid = svc.VerifySignature(a.ctx, n) == nil
	}
	for i, x := range n.Addenda {
		d.Addenda[i] = addendumDTO(x)
	}
	return d, nil
}

func addendumDTO(x notes.Addendum) AddendumDTO {
	return AddendumDTO{ID: x.ID, NoteID: x.NoteID, Body: x.Body, CreatedAt: noteInstant(x.CreatedAt),
		SignedAt: noteInstant(x.SignedAt), SignedBy: x.SignedBy, SignedHash: hex.EncodeToString(x.SignedHash)}
}

// NoteGet opens a note with its addenda.
func (a *App) NoteGet(id string) (NoteDTO, error) {
	svc, err := a.noteService()
	if err != nil {
		return NoteDTO{}, a.uiError("note get", err)
	}
	n, err := svc.Get(a.ctx, id)
	if err != nil {
		return NoteDTO{}, a.uiError("note get", err)
	}
	d, err := a.noteDTO(svc, n)
	return d, a.uiError("note get", err)
}

func parseOptionalDate(s string) (notes.Date, error) {
	if s == "" {
		return notes.Date{}, nil
	}
	return notes.ParseDate(s)
}

// NoteCreate starts a draft.
func (a *App) NoteCreate(in NoteCreateDTO) (NoteDTO, error) {
	svc, err := a.noteService()
	if err != nil {
		return NoteDTO{}, a.uiError("note create", err)
	}
	date, err := parseOptionalDate(in.SessionDate)
	if err != nil {
		return NoteDTO{}, a.uiError("note create", err)
	}
	n, err := svc.Create(a.ctx, notes.NewNote{ClientID: in.ClientID, Kind: notes.Kind(in.Kind), TemplateID: in.TemplateID,
		TemplateVer: in.TemplateVersion, Title: in.Title, Sections: in.Sections, SessionDate: date, BookingID: in.BookingID})
	if err != nil {
		return NoteDTO{}, a.uiError("note create", err)
	}
	d, err := a.noteDTO(svc, n)
	return d, a.uiError("note create", err)
}

// NoteSaveDraft autosaves a draft (one durable commit per call).
func (a *App) NoteSaveDraft(in NoteSaveDraftDTO) (NoteSavedDTO, error) {
	svc, err := a.noteService()
	if err != nil {
		return NoteSavedDTO{}, a.uiError("note save", err)
	}
	date, err := parseOptionalDate(in.SessionDate)
	if err != nil {
		return NoteSavedDTO{}, a.uiError("note save", err)
	}
	s, err := svc.SaveDraft(a.ctx, in.ID, in.Rev, in.Title, in.Sections)
	if err != nil {
		return NoteSavedDTO{}, a.uiError("note save", err)
	}
	if !date.IsZero() {
		if s, err = svc.SetSession(a.ctx, in.ID, s.Rev, date, in.BookingID); err != nil {
			return NoteSavedDTO{}, a.uiError("note save", err)
		}
	}
	return NoteSavedDTO{Rev: s.Rev, SavedAt: noteInstant(s.SavedAt)}, nil
}

// NoteSign signs a note; it never changes again.
func (a *App) NoteSign(in NoteSignDTO) (NoteDTO, error) {
	svc, err := a.noteService()
	if err != nil {
		return NoteDTO{}, a.uiError("note sign", err)
	}
	n, err := svc.Sign(a.ctx, in.ID, in.Rev)
	if err != nil {
		return NoteDTO{}, a.uiError("note sign", err)
	}
	d, err := a.noteDTO(svc, n)
	return d, a.uiError("note sign", err)
}

// NoteAddendum adds a signed addendum to a signed note.
func (a *App) NoteAddendum(in NoteAddendumDTO) (AddendumDTO, error) {
	svc, err := a.noteService()
	if err != nil {
		return AddendumDTO{}, a.uiError("note addendum", err)
	}
	x, err := svc.AddAddendum(a.ctx, in.NoteID, in.Body)
	if err != nil {
		return AddendumDTO{}, a.uiError("note addendum", err)
	}
	return addendumDTO(x), nil
}

// NoteDeleteDraft discards a draft; signed notes refuse.
func (a *App) NoteDeleteDraft(id string) error {
	svc, err := a.noteService()
	if err != nil {
		return a.uiError("note delete", err)
	}
	return a.uiError("note delete", svc.DeleteDraft(a.ctx, id))
}

// NoteStartFromLast starts a draft shaped like the client's last note.
func (a *App) NoteStartFromLast(clientID string) (NoteDTO, error) {
	svc, err := a.noteService()
	if err != nil {
		return NoteDTO{}, a.uiError("note start", err)
	}
	n, err := svc.StartFromLast(a.ctx, clientID)
	if err != nil {
		return NoteDTO{}, a.uiError("note start", err)
	}
	d, err := a.noteDTO(svc, n)
	return d, a.uiError("note start", err)
}

func templateDTO(t notes.Template) TemplateDTO {
	d := TemplateDTO{ID: t.ID, Version: t.Version, Name: t.Name, Builtin: t.Builtin,
		CreatedAt: noteInstant(t.CreatedAt), Sections: make([]TemplateSectionDTO, len(t.Sections))}
	for i, s := range t.Sections {
		d.Sections[i] = TemplateSectionDTO{Key: s.Key, Label: s.Label, Prompt: s.Prompt, Summary: s.Summary}
	}
	return d
}

// Templates lists the newest version of every template.
func (a *App) Templates() ([]TemplateDTO, error) {
	svc, err := a.noteService()
	if err != nil {
		return nil, a.uiError("templates", err)
	}
	ts, err := svc.Templates(a.ctx)
	if err != nil {
		return nil, a.uiError("templates", err)
	}
	out := make([]TemplateDTO, len(ts))
	for i, t := range ts {
		out[i] = templateDTO(t)
	}
	return out, nil
}

// TemplateSave creates a template or stores the next version of one.
func (a *App) TemplateSave(in TemplateSaveDTO) (TemplateDTO, error) {
	svc, err := a.noteService()
	if err != nil {
		return TemplateDTO{}, a.uiError("template save", err)
	}
	t := notes.Template{ID: in.ID, Name: in.Name, Sections: make([]notes.Section, len(in.Sections))}
	for i, s := range in.Sections {
		t.Sections[i] = notes.Section{Key: s.Key, Label: s.Label, Prompt: s.Prompt, Summary: s.Summary}
	}
	saved, err := svc.SaveTemplate(a.ctx, t)
	if err != nil {
		return TemplateDTO{}, a.uiError("template save", err)
	}
	return templateDTO(saved), nil
}

func summaryDTO(s notes.Summary) SummaryDTO {
	return SummaryDTO{ID: s.ID, NoteID: s.NoteID, ClientID: s.ClientID, Rev: s.Rev, Plan: s.Content.Plan,
		Homework: s.Content.Homework, NextSession: s.Content.NextSession, Status: string(s.Status),
		UpdatedAt: noteInstant(s.UpdatedAt)}
}

func (a *App) summaryCall(op string, fn func(*notes.Service) (notes.Summary, error)) (SummaryDTO, error) {
	svc, err := a.noteService()
	if err != nil {
		return SummaryDTO{}, a.uiError(op, err)
	}
	s, err := fn(svc)
	if err != nil {
		return SummaryDTO{}, a.uiError(op, err)
	}
	return summaryDTO(s), nil
}

// SummaryDerive creates the note's summary from its plan, or returns it.
func (a *App) SummaryDerive(noteID string) (SummaryDTO, error) {
	return a.summaryCall("summary derive", func(s *notes.Service) (notes.Summary, error) { return s.DeriveSummary(a.ctx, noteID) })
}

// SummaryGet returns the note's summary.
func (a *App) SummaryGet(noteID string) (SummaryDTO, error) {
	return a.summaryCall("summary get", func(s *notes.Service) (notes.Summary, error) { return s.Summary(a.ctx, noteID) })
}

// SummarySave replaces the summary's content.
func (a *App) SummarySave(in SummarySaveDTO) (SummaryDTO, error) {
	return a.summaryCall("summary save", func(s *notes.Service) (notes.Summary, error) {
		return s.SaveSummary(a.ctx, in.NoteID, in.Rev, notes.SummaryContent{Plan: in.Plan, Homework: in.Homework, NextSession: in.NextSession})
	})
}

// SummaryMarkReady records that the summary was reviewed.
func (a *App) SummaryMarkReady(in SummaryStepDTO) (SummaryDTO, error) {
	return a.summaryCall("summary ready", func(s *notes.Service) (notes.Summary, error) { return s.MarkSummaryReady(a.ctx, in.NoteID, in.Rev) })
}

// SummaryShare shares a ready summary with the client, with their consent.
func (a *App) SummaryShare(in SummaryStepDTO) (SummaryDTO, error) {
	return a.summaryCall("summary share", func(s *notes.Service) (notes.Summary, error) { return s.ShareSummary(a.ctx, in.NoteID, in.Rev) })
}
