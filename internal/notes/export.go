package notes

import (
	"context"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/vault"
)

// This file is what record exports and imports (internal/export) need from
// notes: every note of a client decrypted in one pass, and the way back in
// for notes read from a bundle — with their signatures verified, never
// re-signed.

// ForExport streams the notes of one client (clientID "" for every client),
// decrypted and with the template each was written with, to fn. It reads
// with one query; fn must not use the database. A note that fails to open or
// whose signature no longer matches is skipped and audited, and its id
// returned in damaged. The export itself is audited by the caller.
func (s *Service) ForExport(ctx context.Context, clientID string, fn func(Note, Template) error) (damaged []string, err error) {
	keys, err := s.sealer()
	if err != nil {
		return nil, err
	}
	user, err := s.store.Templates(ctx)
	if err != nil {
		return nil, err
	}
	tmpls := map[[2]any]Template{}
	for _, t := range append(append([]Template(nil), builtins...), user...) {
		tmpls[[2]any{t.ID, t.Version}] = t
	}
	var failed []error
	err = s.store.EachNote(ctx, func(r Record, adds []AddendumRecord) error {
		if clientID != "" && r.ClientID != clientID {
			return nil
		}
		n, err := openNote(keys, r, adds)
		if err != nil {
			if apperr.CodeOf(err) == apperr.Locked {
				return err
			}
			failed, damaged = append(failed, err), append(damaged, r.ID)
			return nil
		}
		t, ok := tmpls[[2]any{n.TemplateID, n.TemplateVersion}]
		if !ok {
			t = Template{ID: n.TemplateID, Version: n.TemplateVersion, Name: n.TemplateID}
		}
		if n.Signed() {
			if err := verifyNote(n, t.Keys()); err != nil {
				failed, damaged = append(failed, &openError{table: TableNotes, column: "signed_hash", err: err}), append(damaged, r.ID)
				return nil
			}
		}
		return fn(n, t)
	})
	if err != nil {
		return nil, err
	}
	for i, id := range damaged {
		_ = s.integrity(ctx, RecordType, id, failed[i])
	}
	return damaged, nil
}

// VerifyImported checks a signed note read from an import file, and each of
// its addenda, against the hashes recorded when they were signed; order is
// the section order of the note's template. ErrSignatureMismatch otherwise.
func VerifyImported(n Note, order []string) error {
	if err := verifyNote(n, order); err != nil {
		return err
	}
	for _, a := range n.Addenda {
		if a.SignedBy == "" || a.SignedAt.IsZero() {
			return ErrSignatureMismatch
		}
	}
	return nil
}

// CheckImported applies the rules a note must meet to be stored: kind,
// title, sections against its template, session date and booking id.
func CheckImported(n Note, t Template) error {
	if !validID(n.ID) || !validID(n.ClientID) {
		return apperr.New(apperr.Invalid, "a note in the file has an invalid id")
	}
	if !n.Kind.Valid() {
		return apperr.New(apperr.Invalid, "kind must be progress or psychotherapy")
	}
	if n.Status != StatusDraft && n.Status != StatusSigned {
		return apperr.New(apperr.Invalid, "a note in the file has an unknown status")
	}
	if err := validateTitle(n.Title); err != nil {
		return err
	}
	if _, err := checkSections(t, n.Sections); err != nil {
		return err
	}
	if n.SessionDate.Year < 1900 || !validBookingID(n.BookingID) {
		return apperr.New(apperr.Invalid, "a note in the file has an impossible session date or booking id")
	}
	for _, a := range n.Addenda {
		if !validID(a.ID) || a.NoteID != n.ID || len(a.Body) > maxAddendumLen {
			return apperr.New(apperr.Invalid, "an addendum in the file is malformed")
		}
	}
	return nil
}

// SealImported seals a note read from an import file for storage under this
// vault's keys at revision 1, with its signature fields (and its addenda's)
// kept as they were: the hash covers ids, text, signer and time, none of
// which change. Drafts stay drafts.
func SealImported(keys Sealer, n Note) (Record, []AddendumRecord, error) {
	r := Record{ID: n.ID, Rev: 1, ClientID: n.ClientID, Kind: n.Kind, TemplateID: n.TemplateID,
		TemplateVersion: n.TemplateVersion, SessionDate: n.SessionDate, BookingID: n.BookingID, Status: n.Status,
		CreatedAt: n.CreatedAt, UpdatedAt: n.UpdatedAt, SignedAt: n.SignedAt, SignedBy: n.SignedBy, SignedHash: n.SignedHash}
	var err error
	if r.Title, r.Sections, err = sealNote(keys, r.ID, r.Rev, n.Title, n.Sections); err != nil {
		return Record{}, nil, err
	}
	adds := make([]AddendumRecord, 0, len(n.Addenda))
	for _, a := range n.Addenda {
		env, err := seal(keys, vault.AD{Table: TableAddenda, Column: ColBody, RowID: a.ID, Revision: 1}, []byte(a.Body))
		if err != nil {
			return Record{}, nil, err
		}
		adds = append(adds, AddendumRecord{ID: a.ID, NoteID: n.ID, Rev: 1, Body: env, CreatedAt: a.CreatedAt,
			SignedAt: a.SignedAt, SignedBy: a.SignedBy, SignedHash: a.SignedHash})
	}
	return r, adds, nil
}

// BuiltinTemplate returns a built-in template version, if there is one.
func BuiltinTemplate(id string, version int) (Template, bool) { return builtin(id, version) }
