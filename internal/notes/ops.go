package notes

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/vault"
)

// Saved is what an autosave acknowledges: the new revision (send it with the
// next save) and when it was committed.
type Saved struct {
	Rev     int64
	SavedAt time.Time
}

// Create starts a draft note.
func (s *Service) Create(ctx context.Context, in NewNote) (Note, error) {
	return s.create(ctx, in, "")
}

func (s *Service) create(ctx context.Context, in NewNote, from string) (Note, error) {
	if !validID(in.ClientID) {
		return Note{}, ErrClientNotFound
	}
	if in.Kind == "" {
		in.Kind = KindProgress
	}
	if !in.Kind.Valid() {
		return Note{}, apperr.New(apperr.Invalid, "kind must be progress or psychotherapy")
	}
	if s.RequireHealthConsent != nil {
		if err := s.RequireHealthConsent(ctx, in.ClientID); err != nil {
			return Note{}, err
		}
	}
	tmpl, err := s.Template(ctx, in.TemplateID, in.TemplateVer)
	if err != nil {
		return Note{}, err
	}
	sections, err := checkSections(tmpl, in.Sections)
	if err != nil {
		return Note{}, err
	}
	if err := validateTitle(in.Title); err != nil {
		return Note{}, err
	}
	if in.SessionDate.IsZero() {
		in.SessionDate = s.today()
	}
	if err := s.checkSession(in.SessionDate, in.BookingID); err != nil {
		return Note{}, err
	}
	keys, err := s.sealer()
	if err != nil {
		return Note{}, err
	}
	now := s.clock()
	n := Note{
		ID: newID(now), Rev: 1, ClientID: in.ClientID, Kind: in.Kind, TemplateID: tmpl.ID,
		TemplateVersion: tmpl.Version, Title: in.Title, Sections: sections,
		SessionDate: in.SessionDate, BookingID: in.BookingID, Status: StatusDraft,
		CreatedAt: now, UpdatedAt: now,
	}
	title, sec, err := sealNote(keys, n.ID, n.Rev, n.Title, n.Sections)
	if err != nil {
		return Note{}, err
	}
	d := audit.D("client", n.ClientID, "kind", string(n.Kind), "template", templateCode(tmpl))
	if from != "" {
		d = d.With("from", from)
	}
	e, err := s.entry(audit.ActionCreate, RecordType, n.ID, d)
	if err != nil {
		return Note{}, err
	}
	r := Record{ID: n.ID, Rev: n.Rev, ClientID: n.ClientID, Kind: n.Kind, TemplateID: n.TemplateID,
		TemplateVersion: n.TemplateVersion, SessionDate: n.SessionDate, BookingID: n.BookingID,
		Status: n.Status, CreatedAt: now, UpdatedAt: now, Title: title, Sections: sec}
	if err := s.store.CreateNote(ctx, r, e); err != nil {
		return Note{}, err
	}
	s.index(n, tmpl.Keys())
	return n, nil
}

// templateCode names a template in the audit trail: a built-in's id, or
// "user" for the practitioner's own (whose id is a uuid) — plus the version.
func templateCode(t Template) string {
	if t.Builtin {
		return t.ID + ".v" + itoa(t.Version)
	}
	return "user.v" + itoa(t.Version)
}

// checkSession refuses impossible session details. A session date may be at
// most one day after today (notes are written after sessions; the day of
// slack covers zones) and no earlier than 1900.
func (s *Service) checkSession(d Date, bookingID string) error {
	if d.Year < 1900 {
		return apperr.New(apperr.Invalid, "the session date is too far in the past")
	}
	if d.After(s.today().AddDays(1)) {
		return apperr.New(apperr.Invalid, "the session date is in the future")
	}
	if !validBookingID(bookingID) {
		return apperr.New(apperr.Invalid, "a booking id is letters, digits and - _ . : (up to 128)")
	}
	return nil
}

// load reads a note without auditing a view; callers audit what they do.
func (s *Service) load(ctx context.Context, keys Sealer, id string) (Note, error) {
	if !validID(id) {
		return Note{}, ErrNotFound
	}
	r, adds, err := s.store.GetNote(ctx, id, nil)
	if err != nil {
		return Note{}, err
	}
	n, err := openNote(keys, r, adds)
	if err != nil {
		return Note{}, s.integrity(ctx, RecordType, id, err)
	}
	return n, nil
}

// Get returns a note with its addenda; the view is audited.
func (s *Service) Get(ctx context.Context, id string) (Note, error) {
	if !validID(id) {
		return Note{}, ErrNotFound
	}
	keys, err := s.sealer()
	if err != nil {
		return Note{}, err
	}
	e, err := s.entry(audit.ActionView, RecordType, id, audit.Detail{})
	if err != nil {
		return Note{}, err
	}
	r, adds, err := s.store.GetNote(ctx, id, &e)
	if err != nil {
		return Note{}, err
	}
	n, err := openNote(keys, r, adds)
	if err != nil {
		return Note{}, s.integrity(ctx, RecordType, id, err)
	}
	return n, nil
}

// SaveDraft replaces a draft's title and sections if it is still at rev
// (optimistic concurrency: a stale rev is a conflict, never a silent
// overwrite). Each call is one durable commit.
func (s *Service) SaveDraft(ctx context.Context, id string, rev int64, title string, sections map[string]string) (Saved, error) {
	return s.update(ctx, id, rev, "save_draft", func(n *Note, t Template) error {
		sec, err := checkSections(t, sections)
		if err != nil {
			return err
		}
		if err := validateTitle(title); err != nil {
			return err
		}
		n.Title, n.Sections = title, sec
		return nil
	})
}

// SetSession changes a draft's session date and booking link.
func (s *Service) SetSession(ctx context.Context, id string, rev int64, date Date, bookingID string) (Saved, error) {
	return s.update(ctx, id, rev, "set_session", func(n *Note, _ Template) error {
		if date.IsZero() {
			date = n.SessionDate
		}
		if err := s.checkSession(date, bookingID); err != nil {
			return err
		}
		n.SessionDate, n.BookingID = date, bookingID
		return nil
	})
}

func (s *Service) update(ctx context.Context, id string, rev int64, op string, change func(*Note, Template) error) (Saved, error) {
	keys, err := s.sealer()
	if err != nil {
		return Saved{}, err
	}
	n, err := s.load(ctx, keys, id)
	if err != nil {
		return Saved{}, err
	}
	if n.Signed() {
		return Saved{}, s.refuseSigned(ctx, id, op)
	}
	if rev != n.Rev {
		return Saved{}, ErrStale
	}
	t, err := s.Template(ctx, n.TemplateID, n.TemplateVersion)
	if err != nil {
		return Saved{}, err
	}
	if err := change(&n, t); err != nil {
		return Saved{}, err
	}
	now := s.clock()
	n.Rev, n.UpdatedAt = rev+1, now
	title, sec, err := sealNote(keys, n.ID, n.Rev, n.Title, n.Sections)
	if err != nil {
		return Saved{}, err
	}
	e, err := s.entry(audit.ActionEdit, RecordType, id, audit.D("client", n.ClientID, "rev", itoa64(n.Rev), "op", op))
	if err != nil {
		return Saved{}, err
	}
	u := DraftUpdate{ID: id, ExpectedRev: rev, Rev: n.Rev, Title: title, Sections: sec,
		SessionDate: n.SessionDate, BookingID: n.BookingID, UpdatedAt: now}
	if err := s.store.UpdateDraft(ctx, u, e, s.AutosaveAuditWindow); err != nil {
		return Saved{}, s.asSigned(ctx, err, id, op)
	}
	s.index(n, t.Keys())
	return Saved{Rev: n.Rev, SavedAt: now}, nil
}

// Sign makes the draft at rev (0: whatever is current) immutable and records
// the hash of exactly what was signed and who signed it. An empty note cannot
// be signed.
func (s *Service) Sign(ctx context.Context, id string, rev int64) (Note, error) {
	keys, err := s.sealer()
	if err != nil {
		return Note{}, err
	}
	n, err := s.load(ctx, keys, id)
	if err != nil {
		return Note{}, err
	}
	if n.Signed() {
		return Note{}, s.refuseSigned(ctx, id, "sign")
	}
	if rev != 0 && rev != n.Rev {
		return Note{}, ErrStale
	}
	empty := true
	for _, v := range n.Sections {
		if strings.TrimSpace(v) != "" {
			empty = false
		}
	}
	if empty {
		return Note{}, apperr.New(apperr.Invalid, "an empty note cannot be signed")
	}
	t, err := s.Template(ctx, n.TemplateID, n.TemplateVersion)
	if err != nil {
		return Note{}, err
	}
	at := s.clock()
	hash := SignedHash(n, t.Keys(), s.actor, at)
	e, err := s.entry(audit.ActionSign, RecordType, id, audit.D("client", n.ClientID, "rev", itoa64(n.Rev)))
	if err != nil {
		return Note{}, err
	}
	if err := s.store.SignNote(ctx, Signing{ID: id, Rev: n.Rev, SignedAt: at, SignedBy: s.actor, Hash: hash}, e); err != nil {
		return Note{}, s.asSigned(ctx, err, id, "sign")
	}
	n.Status, n.SignedAt, n.SignedBy, n.SignedHash = StatusSigned, at, s.actor, hash
	return n, nil
}

// DeleteDraft discards a draft. Signed notes are never deleted here.
func (s *Service) DeleteDraft(ctx context.Context, id string) error {
	keys, err := s.sealer()
	if err != nil {
		return err
	}
	n, err := s.load(ctx, keys, id)
	if err != nil {
		return err
	}
	if n.Signed() {
		return s.refuseSigned(ctx, id, "delete")
	}
	e, err := s.entry(audit.ActionDelete, RecordType, id, audit.D("client", n.ClientID, "status", "draft"))
	if err != nil {
		return err
	}
	if err := s.store.DeleteDraft(ctx, id, e); err != nil {
		return s.asSigned(ctx, err, id, "delete")
	}
	if s.Index != nil {
		s.Index.Delete(id)
	}
	return nil
}

// AddAddendum writes and signs a correction or addition to a signed note.
// Drafts are edited instead.
func (s *Service) AddAddendum(ctx context.Context, noteID, body string) (Addendum, error) {
	if strings.TrimSpace(body) == "" {
		return Addendum{}, apperr.New(apperr.Invalid, "an addendum needs text")
	}
	if !utf8.ValidString(body) || len(body) > maxAddendumLen {
		return Addendum{}, apperr.Errorf(apperr.Invalid, "an addendum is valid text of at most %d KiB", maxAddendumLen>>10)
	}
	keys, err := s.sealer()
	if err != nil {
		return Addendum{}, err
	}
	n, err := s.load(ctx, keys, noteID)
	if err != nil {
		return Addendum{}, err
	}
	if !n.Signed() {
		return Addendum{}, apperr.New(apperr.Conflict, "addenda are for signed notes: edit the draft instead")
	}
	now := s.clock()
	a := Addendum{ID: newID(now), NoteID: noteID, Rev: 1, Body: body, CreatedAt: now, SignedAt: now, SignedBy: s.actor}
	a.SignedHash = addendumHash(a, n.SignedHash)
	env, err := seal(keys, vault.AD{Table: TableAddenda, Column: ColBody, RowID: a.ID, Revision: a.Rev}, []byte(body))
	if err != nil {
		return Addendum{}, err
	}
	e, err := s.entry(audit.ActionAddendum, RecordType, noteID, audit.D("client", n.ClientID, "addendum", a.ID))
	if err != nil {
		return Addendum{}, err
	}
	r := AddendumRecord{ID: a.ID, NoteID: noteID, Rev: a.Rev, Body: env, CreatedAt: now,
		SignedAt: now, SignedBy: a.SignedBy, SignedHash: a.SignedHash}
	if err := s.store.AddAddendum(ctx, r, e); err != nil {
		return Addendum{}, err
	}
	if s.Index != nil {
		if t, err := s.Template(ctx, n.TemplateID, n.TemplateVersion); err == nil {
			n.Addenda = append(n.Addenda, a)
			s.index(n, t.Keys())
		}
	}
	return a, nil
}

// StartFromLast creates a draft with the template, version and kind of the
// client's previous note — its headings, none of its text (see the package
// doc for why).
func (s *Service) StartFromLast(ctx context.Context, clientID string) (Note, error) {
	if !validID(clientID) {
		return Note{}, ErrClientNotFound
	}
	last, err := s.store.LastNote(ctx, clientID)
	if err != nil {
		if apperr.CodeOf(err) == apperr.NotFound {
			return Note{}, apperr.New(apperr.NotFound, "this client has no previous note to start from")
		}
		return Note{}, err
	}
	return s.create(ctx, NewNote{ClientID: clientID, Kind: last.Kind, TemplateID: last.TemplateID,
		TemplateVer: last.TemplateVersion}, last.ID)
}

// VerifySignature recomputes the hash of a signed note and of each addendum
// and compares it with what was recorded at signing.
func (s *Service) VerifySignature(ctx context.Context, n Note) error {
	t, err := s.Template(ctx, n.TemplateID, n.TemplateVersion)
	if err != nil {
		return err
	}
	return verifyNote(n, t.Keys())
}
