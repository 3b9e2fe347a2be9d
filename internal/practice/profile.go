package practice

import (
	"context"

	"github.com/calmally/practice/internal/profile"
	"github.com/calmally/practice/internal/store"
)

// Profile is the practitioner profile and practice settings service of this
// profile folder. Like the others it asks for the keys and the audit chain
// on every call.
func (p *Practice) Profile() *profile.Service {
	return profile.NewService(profile.Config{
		Store: store.NewProfileStore(p.db, p.AuditChain),
		Keys: func() (profile.Sealer, error) {
			k, err := p.Keys()
			if err != nil {
				return nil, err // not a typed nil in the interface
			}
			return k, nil
		},
		Now:   p.Now,
		Actor: p.opts.Actor,
	})
}

// PractitionerForExport returns the practitioner and practice as exports
// name them (FHIR Practitioner and Organization). Fields not recorded are
// empty strings; before the first save everything is empty. It needs the
// vault unlocked.
func (p *Practice) PractitionerForExport(ctx context.Context) (profile.ExportView, error) {
	return p.Profile().ExportView(ctx)
}
