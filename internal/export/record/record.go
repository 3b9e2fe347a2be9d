// Package record is the plain, decrypted picture of what one export bundle
// holds: the practitioner and practice, clients, notes with their addenda and
// signatures, consents, sessions, the access history and what was withheld.
//
// It is the meeting point of the writers (FHIR, PDF, iCalendar) and of the
// reader used by import, so that export → import → export can be compared on
// one type. It holds client data in memory only; nothing here touches disk.
package record

import (
	"time"
)

// Scope is what a bundle covers.
type Scope string

// Scopes.
const (
	ScopeClient   Scope = "client"
	ScopePractice Scope = "practice"
)

// NotRecorded fills practitioner and practice fields the profile does not
// hold yet (the profile issue fills them).
const NotRecorded = "Not recorded"

// Practitioner is who kept the record.
type Practitioner struct {
	ID           string // a stable id for the FHIR resource
	Name         string
	Council      string // the registering council, e.g. "Rehabilitation Council of India"
	Registration string // registration number with that council
}

// Organization is the practice (the custodian of the record).
type Organization struct {
	ID      string
	Name    string
	Address string
	Phone   string
	Email   string
}

// Profile supplies the practitioner and practice for exports. Until the
// practitioner-profile issue lands, the implementation returns NotRecorded
// values and the bundle says so.
type Profile interface {
	Practitioner() Practitioner
	Organization() Organization
}

// EmergencyContact is whom to call in a crisis.
type EmergencyContact struct {
	Name         string `json:"name,omitempty"`
	Relationship string `json:"relationship,omitempty"`
	Phone        string `json:"phone,omitempty"`
}

// Client is one person's record.
type Client struct {
	ID                   string
	Name                 string
	PreferredName        string
	DateOfBirth          string // YYYY-MM-DD
	Gender               string // as recorded
	Phone                string
	Email                string
	EmergencyContact     EmergencyContact
	PresentingConcerns   string
	TreatmentPreferences string
	Language             string
	Status               string // active | discharged
	CreatedAt            time.Time
}

// TemplateSection is one heading of the template a note was written with.
type TemplateSection struct {
	Key     string `json:"key"`
	Label   string `json:"label"`
	Prompt  string `json:"prompt,omitempty"`
	Summary string `json:"summary,omitempty"`
}

// Template is the structure a note was written with, carried so that the
// receiving vault can verify the signature (it covers sections in template
// order) and show the headings.
type Template struct {
	ID       string            `json:"id"`
	Version  int               `json:"version"`
	Name     string            `json:"name"`
	Builtin  bool              `json:"builtin"`
	Sections []TemplateSection `json:"sections"`
}

// Keys lists the section keys in template order.
func (t Template) Keys() []string {
	out := make([]string, len(t.Sections))
	for i, s := range t.Sections {
		out[i] = s.Key
	}
	return out
}

// Label is the heading of section key, or the key itself.
func (t Template) Label(key string) string {
	for _, s := range t.Sections {
		if s.Key == key {
			return s.Label
		}
	}
	return key
}

// Note kinds and statuses, as the notes package names them.
const (
	KindProgress      = "progress"
	KindPsychotherapy = "psychotherapy"
	StatusDraft       = "draft"
	StatusSigned      = "signed"
)

// Note is a session note with its addenda.
type Note struct {
	ID          string
	ClientID    string
	Kind        string
	Template    Template
	Title       string
	Sections    map[string]string
	SessionDate string // YYYY-MM-DD
	BookingID   string
	Status      string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	SignedAt    time.Time // zero for drafts
	SignedBy    string
	SignedHash  []byte
	Addenda     []Addendum // oldest first
}

// Signed reports whether the note is signed.
func (n Note) Signed() bool { return n.Status == StatusSigned }

// Addendum is a signed correction to a signed note.
type Addendum struct {
	ID         string
	NoteID     string
	Body       string
	CreatedAt  time.Time
	SignedAt   time.Time
	SignedBy   string
	SignedHash []byte
}

// Consent is one ledger event with its receipts as the consent service
// renders them.
type Consent struct {
	ID       string
	ClientID string
	Purpose  string
	Kind     string // grant | withdraw
	At       time.Time
	FHIR     []byte // FHIR R4 Consent JSON
	Kantara  []byte // Kantara Consent Receipt v1.1 JSON
}

// Session is a booked session (from scheduling).
type Session struct {
	ID        string
	ClientID  string
	Status    string
	Modality  string // online | in_person
	Start     time.Time
	End       time.Time
	Sequence  int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// AccessEntry is one line of the audit trail about the record: ids and codes
// only, as the trail stores them.
type AccessEntry struct {
	Seq        int64
	At         time.Time
	Actor      string
	Action     string
	RecordType string
	RecordID   string
	Detail     string
}

// Withheld is something the bundle leaves out, and why.
type Withheld struct {
	What   string `json:"what"`   // e.g. "psychotherapy notes", "calendar"
	Count  int    `json:"count"`  // how many items (0 when not countable)
	Reason string `json:"reason"` // a sentence for the recipient
	// Review is true where the client may apply to the Mental Health Review
	// Board (Mental Healthcare Act 2017, s. 25) against the withholding.
	Review bool `json:"reviewable"`
}

// Record is everything one bundle holds.
type Record struct {
	ID                   string // the bundle's id (UUID)
	Scope                Scope
	ClientID             string // scope client
	ExportedAt           time.Time
	AppVersion           string
	IncludePsychotherapy bool
	Practitioner         Practitioner
	Organization         Organization
	Clients              []Client
	Notes                []Note // by client, session date, creation
	Consents             []Consent
	Sessions             []Session
	SessionsAvailable    bool   // false: scheduling is not available; calendar withheld
	Calendar             []byte // calendar.ics as scheduling renders it; nil: export renders Sessions
	Access               []AccessEntry
	Withheld             []Withheld
}

// Counts summarises a record (for the manifest, the audit trail and the
// exports list).
type Counts struct {
	Clients  int `json:"clients"`
	Notes    int `json:"notes"`
	Addenda  int `json:"addenda"`
	Consents int `json:"consents"`
	Sessions int `json:"sessions"`
	Withheld int `json:"withheld"`
}

// Count tallies r.
func (r Record) Count() Counts {
	c := Counts{Clients: len(r.Clients), Notes: len(r.Notes), Consents: len(r.Consents), Sessions: len(r.Sessions)}
	for _, n := range r.Notes {
		c.Addenda += len(n.Addenda)
	}
	for _, w := range r.Withheld {
		c.Withheld += max(w.Count, 1)
	}
	return c
}

// ClientByID returns the client with id, if the record holds it.
func (r Record) ClientByID(id string) (Client, bool) {
	for _, c := range r.Clients {
		if c.ID == id {
			return c, true
		}
	}
	return Client{}, false
}
