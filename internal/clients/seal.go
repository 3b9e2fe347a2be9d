package clients

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/calmally/practice/internal/vault"
)

// fieldPlaintexts is p as one plaintext per sealed column.
func fieldPlaintexts(p Profile) (map[string][]byte, error) {
	ec, err := json.Marshal(p.EmergencyContact)
	if err != nil {
		return nil, err
	}
	return map[string][]byte{
		FieldName:                 []byte(p.Name),
		FieldPreferredName:        []byte(p.PreferredName),
		FieldDateOfBirth:          []byte(p.DateOfBirth.String()),
		FieldGender:               []byte(p.Gender),
		FieldPhone:                []byte(p.Phone),
		FieldEmail:                []byte(p.Email),
		FieldEmergencyContact:     ec,
		FieldPresentingConcerns:   []byte(p.PresentingConcerns),
		FieldTreatmentPreferences: []byte(p.TreatmentPreferences),
		FieldLanguage:             []byte(p.Language),
	}, nil
}

func fieldAD(id string, rev int64, column string) vault.AD {
	return vault.AD{Table: TableClients, Column: column, RowID: id, Revision: rev}
}

// sealProfile seals every field of p for row (id, rev).
func sealProfile(s Sealer, id string, rev int64, p Profile) (map[string][]byte, error) {
	plain, err := fieldPlaintexts(p)
	if err != nil {
		return nil, fmt.Errorf("seal client: encode: %w", err)
	}
	out := make(map[string][]byte, len(plain))
	for _, col := range SealedFields {
		env, err := s.Seal(fieldAD(id, rev, col), plain[col])
		clear(plain[col])
		if err != nil {
			return nil, fmt.Errorf("seal client: %s: %w", col, err)
		}
		out[col] = env
	}
	return out, nil
}

// openError is a sealed column that failed to open.
type openError struct {
	table, column string
	err           error
}

func (e *openError) Error() string {
	return fmt.Sprintf("open %s.%s: %v", e.table, e.column, e.err)
}

func (e *openError) Unwrap() error { return e.err }

// openProfile opens every sealed column of r. A missing or unopenable
// envelope is an *openError naming the column.
func openProfile(s Sealer, r Row) (Profile, error) {
	var p Profile
	for _, col := range SealedFields {
		env, ok := r.Sealed[col]
		if !ok || len(env) == 0 {
			return Profile{}, &openError{TableClients, col, vault.ErrIntegrity}
		}
		b, err := s.Open(fieldAD(r.ID, r.Rev, col), env)
		if err != nil {
			return Profile{}, &openError{TableClients, col, err}
		}
		if err := setField(&p, col, b); err != nil {
			return Profile{}, &openError{TableClients, col, fmt.Errorf("%w: %v", vault.ErrIntegrity, err)}
		}
	}
	return p, nil
}

func setField(p *Profile, col string, b []byte) error {
	s := string(b)
	switch col {
	case FieldName:
		p.Name = s
	case FieldPreferredName:
		p.PreferredName = s
	case FieldDateOfBirth:
		d, err := ParseDate(s)
		if err != nil {
			return err
		}
		p.DateOfBirth = d
	case FieldGender:
		p.Gender = s
	case FieldPhone:
		p.Phone = s
	case FieldEmail:
		p.Email = s
	case FieldEmergencyContact:
		return json.Unmarshal(b, &p.EmergencyContact)
	case FieldPresentingConcerns:
		p.PresentingConcerns = s
	case FieldTreatmentPreferences:
		p.TreatmentPreferences = s
	case FieldLanguage:
		p.Language = s
	default:
		return fmt.Errorf("unknown column %q", col)
	}
	return nil
}

// changedFields lists, in SealedFields order, the fields that differ.
func changedFields(a, b Profile) []string {
	pa, _ := fieldPlaintexts(a)
	pb, _ := fieldPlaintexts(b)
	var out []string
	for _, col := range SealedFields {
		if string(pa[col]) != string(pb[col]) {
			out = append(out, col)
		}
	}
	return out
}

// previousValues is the sealed content of a history row: which client and
// revision it belongs to (checked on open, so a history row moved to another
// client is caught), and the values before the change.
type previousValues struct {
	ClientID string            `json:"client"`
	Rev      int64             `json:"rev"` // the revision before the change
	Status   Status            `json:"status,omitempty"`
	Values   map[string]string `json:"values,omitempty"` // field -> plaintext
}

func historyAD(id string, rev int64) vault.AD {
	return vault.AD{Table: TableHistory, Column: ColumnPrevious, RowID: id, Revision: rev}
}

// previousOf picks the listed fields of p, as their stored plaintext.
func previousOf(p Profile, fields []string) map[string]string {
	plain, _ := fieldPlaintexts(p)
	out := make(map[string]string, len(fields))
	for _, f := range fields {
		if slices.Contains(SealedFields, f) {
			out[f] = string(plain[f])
		}
	}
	return out
}

// profileFrom fills a Profile from stored plaintexts (unknown or unparsable
// values are reported).
func profileFrom(values map[string]string) (Profile, error) {
	var p Profile
	for col, v := range values {
		if err := setField(&p, col, []byte(v)); err != nil {
			return Profile{}, err
		}
	}
	return p, nil
}
