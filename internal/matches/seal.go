package matches

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/vault"
)

func fieldAD(id string, rev int64, col string) vault.AD {
	return vault.AD{Table: TableMatches, Column: col, RowID: id, Revision: rev}
}

// preview is the sealed document: what describes the person.
type preview struct {
	Concerns    []string `json:"concerns"`
	Languages   []string `json:"languages"`
	Preferences string   `json:"preferences"`
}

func lockedOr(err error, what string) error {
	if errors.Is(err, vault.ErrLocked) {
		return apperr.Wrap(apperr.Locked, "the vault is locked", err)
	}
	if apperr.CodeOf(err) != apperr.Internal {
		return err
	}
	return fmt.Errorf("%s: %w", what, err)
}

// rowOf seals m's preview and note for (m.ID, m.Rev).
func rowOf(keys Sealer, m Match) (Row, error) {
	r := Row{ID: m.ID, Rev: m.Rev, Status: m.Status, AgeBand: m.AgeBand, Modality: m.Modality,
		ProposedAt: m.ProposedAt, RespondBy: m.RespondBy, DecidedAt: m.DecidedAt, DeclineReason: m.DeclineReason,
		ClientID: m.ClientID, RemoteVersion: m.RemoteVersion, CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt}
	doc := preview{Concerns: m.Concerns, Languages: m.Languages, Preferences: m.Preferences}
	if doc.Concerns == nil {
		doc.Concerns = []string{}
	}
	if doc.Languages == nil {
		doc.Languages = []string{}
	}
	js, err := json.Marshal(doc)
	if err != nil {
		return Row{}, fmt.Errorf("matches: encode preview: %w", err)
	}
	r.Preview, err = keys.Seal(fieldAD(m.ID, m.Rev, ColPreview), js)
	clear(js)
	if err != nil {
		return Row{}, lockedOr(err, "matches: seal preview")
	}
	if r.DeclineNote, err = keys.Seal(fieldAD(m.ID, m.Rev, ColDeclineNote), []byte(m.DeclineNote)); err != nil {
		return Row{}, lockedOr(err, "matches: seal decline note")
	}
	return r, nil
}

// openError names the column that failed to open (never its content).
type openError struct {
	column string
	err    error
}

func (e *openError) Error() string { return fmt.Sprintf("open matches.%s: %v", e.column, e.err) }
func (e *openError) Unwrap() error { return e.err }

// open opens r's sealed columns.
func open(keys Sealer, r Row) (Match, error) {
	m := Match{ID: r.ID, Rev: r.Rev, Status: r.Status, AgeBand: r.AgeBand, Modality: r.Modality,
		ProposedAt: r.ProposedAt, RespondBy: r.RespondBy, DecidedAt: r.DecidedAt, DeclineReason: r.DeclineReason,
		ClientID: r.ClientID, RemoteVersion: r.RemoteVersion, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	js, err := keys.Open(fieldAD(r.ID, r.Rev, ColPreview), r.Preview)
	if err != nil {
		return Match{}, &openError{ColPreview, err}
	}
	var doc preview
	err = json.Unmarshal(js, &doc)
	clear(js)
	if err != nil {
		return Match{}, &openError{ColPreview, vault.ErrIntegrity}
	}
	m.Concerns, m.Languages, m.Preferences = doc.Concerns, doc.Languages, doc.Preferences
	note, err := keys.Open(fieldAD(r.ID, r.Rev, ColDeclineNote), r.DeclineNote)
	if err != nil {
		return Match{}, &openError{ColDeclineNote, err}
	}
	m.DeclineNote = string(note)
	return m, nil
}
