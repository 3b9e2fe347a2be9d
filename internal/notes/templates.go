package notes

import (
	"context"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
)

// RecordTypeTemplate is how templates appear in the audit trail.
const RecordTypeTemplate = "note_template"

// Templates returns the newest version of every built-in and user template.
func (s *Service) Templates(ctx context.Context) ([]Template, error) {
	user, err := s.store.Templates(ctx)
	if err != nil {
		return nil, err
	}
	return append(Builtins(), latestOnly(user)...), nil
}

// Template returns one template version; version 0 means the newest.
func (s *Service) Template(ctx context.Context, id string, version int) (Template, error) {
	if t, ok := builtin(id, version); ok {
		return t, nil
	}
	if !validID(id) {
		return Template{}, apperr.New(apperr.NotFound, "template not found")
	}
	user, err := s.store.Templates(ctx)
	if err != nil {
		return Template{}, err
	}
	var best Template
	found := false
	for _, t := range user {
		if t.ID != id || (version != 0 && t.Version != version) {
			continue
		}
		if !found || t.Version > best.Version {
			best, found = t, true
		}
	}
	if !found {
		return Template{}, apperr.New(apperr.NotFound, "template not found")
	}
	return best, nil
}

// SaveTemplate stores a user template. With an empty ID it creates a new
// template at version 1; with an existing user template's ID it stores the
// next version (earlier versions stay, because notes name them). Built-in
// templates cannot be edited: save a copy under a new name instead.
func (s *Service) SaveTemplate(ctx context.Context, t Template) (Template, error) {
	if isBuiltinID(t.ID) {
		return Template{}, apperr.New(apperr.Forbidden, "built-in templates cannot be edited: save a copy instead")
	}
	t.Builtin = false
	t.CreatedAt = s.clock()
	action := audit.ActionCreate
	if t.ID == "" {
		t.ID, t.Version = newID(t.CreatedAt), 1
	} else {
		prev, err := s.Template(ctx, t.ID, 0)
		if err != nil {
			return Template{}, err
		}
		t.Version = prev.Version + 1
		action = audit.ActionEdit
	}
	if err := t.validate(); err != nil {
		return Template{}, err
	}
	e, err := s.entry(action, RecordTypeTemplate, t.ID, audit.D("version", itoa(t.Version)))
	if err != nil {
		return Template{}, err
	}
	if err := s.store.SaveTemplate(ctx, t, e); err != nil {
		return Template{}, err
	}
	return t, nil
}
