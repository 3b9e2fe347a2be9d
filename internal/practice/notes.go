package practice

import (
	"github.com/calmally/practice/internal/notes"
	"github.com/calmally/practice/internal/store"
)

// Notes returns the session-notes service of this profile. It is cheap to
// build and holds no keys: every operation asks the profile for them, so a
// service kept across lock and unlock keeps working (and refuses while
// locked). The consent and search issues wire the Service's hooks here.
func (p *Practice) Notes() *notes.Service {
	return notes.NewService(notes.Config{
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
}
