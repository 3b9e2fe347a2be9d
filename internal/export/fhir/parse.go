package fhir

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/calmally/practice/internal/export/record"
)

// ErrForeign means the bundle was not written by this app (or by a version
// whose formats this one does not know).
var ErrForeign = errors.New("fhir: not a CalmAlly record bundle")

// Limits on what Parse accepts, so a hostile file cannot exhaust memory
// beyond the archive's own size limit.
const (
	maxEntries = 2_000_000
)

type anyResource struct {
	ResourceType string `json:"resourceType"`
	ID           string `json:"id"`
}

// Parse reads a document Bundle written by Build back into a Record: the
// clients (Patient), notes and addenda (the JSON attachments of their
// DocumentReferences). Everything else is for people and other systems and
// is not read back. It checks shape, not signatures (the importer does).
func Parse(data []byte) (record.Record, error) {
	var bun struct {
		ResourceType string `json:"resourceType"`
		ID           string `json:"id"`
		Type         string `json:"type"`
		Timestamp    string `json:"timestamp"`
		Entry        []struct {
			FullURL  string          `json:"fullUrl"`
			Resource json.RawMessage `json:"resource"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(data, &bun); err != nil {
		return record.Record{}, fmt.Errorf("%w: bundle is not JSON", ErrForeign)
	}
	if bun.ResourceType != "Bundle" || bun.Type != "document" || len(bun.Entry) == 0 {
		return record.Record{}, fmt.Errorf("%w: not a FHIR document bundle", ErrForeign)
	}
	if len(bun.Entry) > maxEntries {
		return record.Record{}, fmt.Errorf("%w: too many entries", ErrForeign)
	}
	rec := record.Record{ID: bun.ID}
	if t, err := time.Parse(time.RFC3339, bun.Timestamp); err == nil {
		rec.ExportedAt = t
	}
	notes := map[string]*record.Note{}
	var addenda []record.Addendum
	for i, e := range bun.Entry {
		var r anyResource
		if err := json.Unmarshal(e.Resource, &r); err != nil {
			return record.Record{}, fmt.Errorf("%w: entry %d is not a resource", ErrForeign, i)
		}
		switch r.ResourceType {
		case "Composition":
			if i != 0 {
				return record.Record{}, fmt.Errorf("%w: the Composition is not first", ErrForeign)
			}
			var c struct {
				Subject *reference `json:"subject"`
			}
			if err := json.Unmarshal(e.Resource, &c); err != nil {
				return record.Record{}, fmt.Errorf("%w: composition", ErrForeign)
			}
			rec.Scope = record.ScopePractice
			if c.Subject != nil {
				rec.Scope, rec.ClientID = record.ScopeClient, strings.TrimPrefix(c.Subject.Reference, "urn:uuid:")
			}
		case "Patient":
			c, err := parsePatient(e.Resource)
			if err != nil {
				return record.Record{}, err
			}
			rec.Clients = append(rec.Clients, c)
		case "DocumentReference":
			n, a, err := parseDocument(e.Resource)
			if err != nil {
				return record.Record{}, err
			}
			if n != nil {
				if notes[n.ID] != nil {
					return record.Record{}, fmt.Errorf("%w: note listed twice", ErrForeign)
				}
				notes[n.ID] = n
			}
			if a != nil {
				addenda = append(addenda, *a)
			}
		}
	}
	for _, a := range addenda {
		n := notes[a.NoteID]
		if n == nil {
			return record.Record{}, fmt.Errorf("%w: an addendum points at a note the bundle does not hold", ErrForeign)
		}
		n.Addenda = append(n.Addenda, a)
	}
	for _, n := range notes {
		sort.SliceStable(n.Addenda, func(i, j int) bool {
			if !n.Addenda[i].CreatedAt.Equal(n.Addenda[j].CreatedAt) {
				return n.Addenda[i].CreatedAt.Before(n.Addenda[j].CreatedAt)
			}
			return n.Addenda[i].ID < n.Addenda[j].ID
		})
		rec.Notes = append(rec.Notes, *n)
	}
	SortNotes(rec.Notes)
	return rec, nil
}

// SortNotes orders notes by client, session date, creation and id: the order
// of the PDF and of the bundle.
func SortNotes(ns []record.Note) {
	sort.SliceStable(ns, func(i, j int) bool {
		a, b := ns[i], ns[j]
		if a.ClientID != b.ClientID {
			return a.ClientID < b.ClientID
		}
		if a.SessionDate != b.SessionDate {
			return a.SessionDate < b.SessionDate
		}
		if !a.CreatedAt.Equal(b.CreatedAt) {
			return a.CreatedAt.Before(b.CreatedAt)
		}
		return a.ID < b.ID
	})
}

func parsePatient(raw json.RawMessage) (record.Client, error) {
	var p patient
	if err := json.Unmarshal(raw, &p); err != nil {
		return record.Client{}, fmt.Errorf("%w: patient", ErrForeign)
	}
	c := record.Client{ID: p.ID, DateOfBirth: p.BirthDate, Status: "active"}
	if !p.Active {
		c.Status = "discharged"
	}
	for _, n := range p.Name {
		switch n.Use {
		case "official":
			c.Name = n.Text
		case "usual":
			c.PreferredName = n.Text
		}
	}
	for _, e := range p.Extension {
		switch e.URL {
		case ExtGenderRecorded:
			c.Gender = e.ValueString
		case ExtPresenting:
			c.PresentingConcerns = e.ValueString
		case ExtPreferences:
			c.TreatmentPreferences = e.ValueString
		case ExtCreatedAt:
			c.CreatedAt, _ = time.Parse(time.RFC3339, e.ValueString)
		}
	}
	for _, t := range p.Telecom {
		switch t.System {
		case "phone":
			c.Phone = t.Value
		case "email":
			c.Email = t.Value
		}
	}
	if len(p.Contact) > 0 {
		pc := p.Contact[0]
		for _, r := range pc.Relationship {
			if r.Text != "" {
				c.EmergencyContact.Relationship = r.Text
			}
		}
		if pc.Name != nil {
			c.EmergencyContact.Name = pc.Name.Text
		}
		for _, t := range pc.Telecom {
			if t.System == "phone" {
				c.EmergencyContact.Phone = t.Value
			}
		}
	}
	if len(p.Communication) > 0 {
		c.Language = p.Communication[0].Language.Text
	}
	if c.ID == "" || c.Name == "" {
		return record.Client{}, fmt.Errorf("%w: a patient without id or name", ErrForeign)
	}
	return c, nil
}

func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(TimeLayout, s)
}

// parseDocument reads the JSON attachment of a note or addendum.
func parseDocument(raw json.RawMessage) (*record.Note, *record.Addendum, error) {
	var d documentReference
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, nil, fmt.Errorf("%w: document reference", ErrForeign)
	}
	for _, c := range d.Content {
		if c.Format == nil || c.Format.System != SystemNoteFormat {
			continue
		}
		switch c.Format.Code {
		case NoteFormat:
			n, err := parseNoteDoc(c.Attachment.Data)
			return n, nil, err
		case AddendumFormat:
			a, err := parseAddendumDoc(c.Attachment.Data)
			return nil, a, err
		default:
			return nil, nil, fmt.Errorf("%w: unknown note format", ErrForeign)
		}
	}
	return nil, nil, fmt.Errorf("%w: a document without its machine-readable note", ErrForeign)
}

func parseNoteDoc(data []byte) (*record.Note, error) {
	var d NoteDoc
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil || d.Format != NoteFormat {
		return nil, fmt.Errorf("%w: note attachment", ErrForeign)
	}
	n := &record.Note{ID: d.ID, ClientID: d.ClientID, Kind: d.Kind, Template: d.Template, Title: d.Title,
		Sections: map[string]string{}, SessionDate: d.SessionDate, BookingID: d.BookingID, Status: d.Status,
		SignedBy: d.SignedBy}
	for _, s := range d.Sections {
		if _, dup := n.Sections[s.Key]; dup {
			return nil, fmt.Errorf("%w: a note section listed twice", ErrForeign)
		}
		n.Sections[s.Key] = s.Text
	}
	var err error
	if n.CreatedAt, err = parseTime(d.CreatedAt); err != nil {
		return nil, fmt.Errorf("%w: note time", ErrForeign)
	}
	if n.UpdatedAt, err = parseTime(d.UpdatedAt); err != nil {
		return nil, fmt.Errorf("%w: note time", ErrForeign)
	}
	if n.SignedAt, err = parseTime(d.SignedAt); err != nil {
		return nil, fmt.Errorf("%w: note time", ErrForeign)
	}
	if d.SignedHash != "" {
		if n.SignedHash, err = hex.DecodeString(d.SignedHash); err != nil {
			return nil, fmt.Errorf("%w: note hash", ErrForeign)
		}
	}
	if n.ID == "" || n.ClientID == "" {
		return nil, fmt.Errorf("%w: a note without ids", ErrForeign)
	}
	return n, nil
}

func parseAddendumDoc(data []byte) (*record.Addendum, error) {
	var d AddendumDoc
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil || d.Format != AddendumFormat {
		return nil, fmt.Errorf("%w: addendum attachment", ErrForeign)
	}
	a := &record.Addendum{ID: d.ID, NoteID: d.NoteID, Body: d.Body, SignedBy: d.SignedBy}
	var err error
	if a.CreatedAt, err = parseTime(d.CreatedAt); err != nil {
		return nil, fmt.Errorf("%w: addendum time", ErrForeign)
	}
	if a.SignedAt, err = parseTime(d.SignedAt); err != nil {
		return nil, fmt.Errorf("%w: addendum time", ErrForeign)
	}
	if a.SignedHash, err = hex.DecodeString(d.SignedHash); err != nil {
		return nil, fmt.Errorf("%w: addendum hash", ErrForeign)
	}
	if a.ID == "" || a.NoteID == "" {
		return nil, fmt.Errorf("%w: an addendum without ids", ErrForeign)
	}
	return a, nil
}
