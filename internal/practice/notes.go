package practice

import (
	"github.com/calmally/practice/internal/notes"
	"github.com/calmally/practice/internal/store"
)

// Notes returns the session-notes service of this profile. It is cheap to
// build and holds no keys: every operation asks the profile for them, so a
// service kept across lock and unlock keeps working (and refuses while
// locked). The search index hook is wired here; the consent issue wires its hooks here too.
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
	if ix != nil {
		s.Index = ix
	}
	return s
}
