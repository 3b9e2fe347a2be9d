package notes

import (
	"context"
	"errors"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
)

// ListForClient returns a client's notes, newest session first, decrypting
// only the titles (the client page must open fast with years of notes). A
// title that fails its integrity check is listed as Damaged with no title,
// and audited.
func (s *Service) ListForClient(ctx context.Context, clientID string) ([]ListItem, error) {
	if !validID(clientID) {
		return nil, ErrClientNotFound
	}
	e, err := s.entry(audit.ActionView, "client", clientID, audit.D("what", "notes"))
	if err != nil {
		return nil, err
	}
	return s.list(ctx, ListFilter{ClientID: clientID}, &e)
}

// DraftsAwaitingSignature lists every unsigned note, newest session first.
func (s *Service) DraftsAwaitingSignature(ctx context.Context) ([]ListItem, error) {
	e, err := s.entry(audit.ActionView, RecordType, "", audit.D("what", "drafts"))
	if err != nil {
		return nil, err
	}
	return s.list(ctx, ListFilter{Status: StatusDraft}, &e)
}

func (s *Service) list(ctx context.Context, f ListFilter, view *audit.Entry) ([]ListItem, error) {
	keys, err := s.sealer()
	if err != nil {
		return nil, err
	}
	rows, err := s.store.ListTitles(ctx, f, view)
	if err != nil {
		return nil, err
	}
	out := make([]ListItem, len(rows))
	var damaged []string
	for i, r := range rows {
		it := ListItem{ID: r.ID, ClientID: r.ClientID, Kind: r.Kind, TemplateID: r.TemplateID,
			SessionDate: r.SessionDate, Status: r.Status, UpdatedAt: r.UpdatedAt, BookingID: r.BookingID}
		title, err := open(keys, noteAD(ColTitle, r.ID, r.Rev), r.Title)
		switch {
		case err == nil:
			it.Title = string(title)
		case apperr.CodeOf(err) == apperr.Locked:
			return nil, err
		default:
			it.Damaged = true
			damaged = append(damaged, r.ID)
		}
		out[i] = it
	}
	for _, id := range damaged {
		// Audited after the list query has finished with the connection.
		_ = s.integrity(ctx, RecordType, id, &openError{table: TableNotes, column: ColTitle, err: errors.New("envelope rejected")})
	}
	return out, nil
}

// ForEachDecrypted streams every note's decrypted title and body (sections in
// template order, then addenda) to fn, for building the search index at
// unlock. It reads with one query and decrypts in order; fn must not use the
// database. Notes that fail their integrity check are skipped and audited, and
// an integrity error saying how many is returned after the others were
// streamed.
func (s *Service) ForEachDecrypted(ctx context.Context, fn func(NoteText) error) error {
	keys, err := s.sealer()
	if err != nil {
		return err
	}
	user, err := s.store.Templates(ctx)
	if err != nil {
		return err
	}
	orders := map[[2]any][]string{}
	for _, t := range append(append([]Template(nil), builtins...), user...) {
		orders[[2]any{t.ID, t.Version}] = t.Keys()
	}
	var failed []error
	var failedIDs []string
	err = s.store.EachNote(ctx, func(r Record, adds []AddendumRecord) error {
		n, err := openNote(keys, r, adds)
		if err != nil {
			if apperr.CodeOf(err) == apperr.Locked {
				return err
			}
			failed, failedIDs = append(failed, err), append(failedIDs, r.ID)
			return nil
		}
		return fn(NoteText{ID: n.ID, ClientID: n.ClientID, Kind: n.Kind, Title: n.Title,
			Body: bodyText(n, orders[[2]any{n.TemplateID, n.TemplateVersion}]), At: n.UpdatedAt})
	})
	if err != nil {
		return err
	}
	for i, id := range failedIDs {
		_ = s.integrity(ctx, RecordType, id, failed[i])
	}
	if len(failedIDs) > 0 {
		return apperr.Errorf(apperr.Integrity, "%d notes failed their integrity check and were left out of search", len(failedIDs))
	}
	return nil
}
