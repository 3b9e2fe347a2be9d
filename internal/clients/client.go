package clients

import (
	"time"
)

// Status is where a client is in their care. It is stored plain.
type Status string

// Statuses.
const (
	StatusActive     Status = "active"
	StatusDischarged Status = "discharged"
)

// Source is how a record arrived. It is stored plain.
type Source string

// Sources.
const (
	SourceClinic   Source = "clinic"   // entered by hand
	SourcePlatform Source = "platform" // from an accepted match
	SourceImport   Source = "import"   // from an import file
)

func (s Source) valid() bool {
	return s == SourceClinic || s == SourcePlatform || s == SourceImport
}

// EmergencyContact is who to call in a crisis; all of it is sealed, as one
// envelope.
type EmergencyContact struct {
	Name         string `json:"name"`
	Relationship string `json:"relationship"`
	Phone        string `json:"phone"`
}

// IsZero reports whether no part of the contact is filled in.
func (e EmergencyContact) IsZero() bool { return e == EmergencyContact{} }

// Profile is what names or describes a client: every field is sealed at rest.
type Profile struct {
	Name                 string
	PreferredName        string
	DateOfBirth          Date
	Gender               string
	Phone                string // normalised E.164 (+91… for Indian numbers)
	Email                string
	EmergencyContact     EmergencyContact
	PresentingConcerns   string
	TreatmentPreferences string
	Language             string
}

// Client is one person in therapy, opened: the sealed Profile and the plain
// structural fields.
type Client struct {
	ID  string
	Rev int64
	Profile

	Status            Status
	Source            Source
	CreatedAt         time.Time
	UpdatedAt         time.Time
	LastInteractionAt time.Time // zero: none yet
}

// DisplayName is the preferred name if there is one, else the name.
func (c Client) DisplayName() string {
	if c.PreferredName != "" {
		return c.PreferredName
	}
	return c.Name
}

// Field names, as they appear in history and audit details. They are also the
// sealed column names.
const (
	FieldName                 = "name"
	FieldPreferredName        = "preferred_name"
	FieldDateOfBirth          = "date_of_birth"
	FieldGender               = "gender"
	FieldPhone                = "phone"
	FieldEmail                = "email"
	FieldEmergencyContact     = "emergency_contact"
	FieldPresentingConcerns   = "presenting_concerns"
	FieldTreatmentPreferences = "treatment_preferences"
	FieldLanguage             = "language"
)

// SealedFields lists every sealed column of the clients table, in schema
// order. internal/store registers the same list for key rotation (a test
// cross-checks them).
var SealedFields = []string{
	FieldName, FieldPreferredName, FieldDateOfBirth, FieldGender, FieldPhone,
	FieldEmail, FieldEmergencyContact, FieldPresentingConcerns,
	FieldTreatmentPreferences, FieldLanguage,
}

// Tables and columns named in associated data.
const (
	TableClients   = "clients"
	TableHistory   = "client_history"
	ColumnPrevious = "previous"
)

// RecordType is the audit record type of a client.
const RecordType = "client"
