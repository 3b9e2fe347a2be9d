package practice

import (
	"context"

	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/consent"
	"github.com/calmally/practice/internal/notes"
	"github.com/calmally/practice/internal/store"
)

// Notes returns the session-notes service of this profile. It is cheap to
// build and holds no keys: every operation asks the profile for them, so a
// service kept across lock and unlock keeps working (and refuses while
// locked). The search index hook is wired here, and the consent hooks: no note
// without health-data consent, no summary shared without summary-sharing
// consent (both through Consent().Check).
func (p *Practice) Notes() *notes.Service {
	return p.notesService(noteIndex{p.searchIndex().ix})
}

// notesService builds the service with an optional index hook.
func (p *Practice) notesService(ix notes.Index) *notes.Service {
	s := notes.NewService(notes.Config{
		Store: store.NewNoteStore(p.db, p.AuditChain),
		Keys: func() (notes.Sealer, error) {
			k, err := p.Keys()
			if err != nil {
				return nil, err
			}
			return k, nil
		},
		Now:   p.Now,
		Actor: p.opts.Actor,
	})
	s.RequireHealthConsent = func(ctx context.Context, clientID string) error {
		return p.RequireConsent(ctx, clientID, consent.PurposeHealthData, audit.ActionCreate, notes.RecordType)
	}
	s.ConsentCheck = func(ctx context.Context, clientID, purpose string) error {
		return p.Consent().Check(ctx, clientID, consent.Purpose(purpose))
	}
	if ix != nil {
		s.Index = ix
	}
	return s
}
