package app

// Note DTOs (see the method list at the top of notes.go). Dates are
// "YYYY-MM-DD", instants RFC 3339 UTC with fractional seconds, "" when unset.

// NoteListItemDTO is one row of a client's notes list (titles only).
type NoteListItemDTO struct {
	ID          string `json:"id"`
	ClientID    string `json:"clientId"`
	Kind        string `json:"kind"` // "progress" | "psychotherapy"
	TemplateID  string `json:"templateId"`
	Title       string `json:"title"`
	SessionDate string `json:"sessionDate"`
	Status      string `json:"status"` // "draft" | "signed"
	UpdatedAt   string `json:"updatedAt"`
	BookingID   string `json:"bookingId"` // the session it records; "" when not linked
	Damaged     bool   `json:"damaged"`   // failed its integrity check; title not shown
}

// NoteSectionDTO is one section of a note, in template order.
type NoteSectionDTO struct {
	Key    string `json:"key"`
	Label  string `json:"label"`
	Prompt string `json:"prompt"`
	Text   string `json:"text"`
}

// AddendumDTO is a signed addendum.
type AddendumDTO struct {
	ID         string `json:"id"`
	NoteID     string `json:"noteId"`
	Body       string `json:"body"`
	CreatedAt  string `json:"createdAt"`
	SignedAt   string `json:"signedAt"`
	SignedBy   string `json:"signedBy"`
	SignedHash string `json:"signedHash"` // hex SHA-256
}

// NoteDTO is a whole note with its addenda.
type NoteDTO struct {
	ID              string           `json:"id"`
	Rev             int64            `json:"rev"`
	ClientID        string           `json:"clientId"`
	Kind            string           `json:"kind"`
	TemplateID      string           `json:"templateId"`
	TemplateVersion int              `json:"templateVersion"`
	TemplateName    string           `json:"templateName"`
	Title           string           `json:"title"`
	Sections        []NoteSectionDTO `json:"sections"`
	SessionDate     string           `json:"sessionDate"`
	BookingID       string           `json:"bookingId"`
	Status          string           `json:"status"`
	CreatedAt       string           `json:"createdAt"`
	UpdatedAt       string           `json:"updatedAt"`
	SignedAt        string           `json:"signedAt"`
	SignedBy        string           `json:"signedBy"`
	SignedHash      string           `json:"signedHash"`
	SignatureValid  bool             `json:"signatureValid"` // signed notes: the hash recomputes
	Addenda         []AddendumDTO    `json:"addenda"`
}

// NoteCreateDTO starts a draft. sections maps section key → text; missing
// keys are empty. templateVersion 0 means the newest.
type NoteCreateDTO struct {
	ClientID        string            `json:"clientId"`
	Kind            string            `json:"kind"` // "" = "progress"
	TemplateID      string            `json:"templateId"`
	TemplateVersion int               `json:"templateVersion"`
	Title           string            `json:"title"`
	Sections        map[string]string `json:"sections"`
	SessionDate     string            `json:"sessionDate"` // "" = today
	BookingID       string            `json:"bookingId"`
}

// NoteSaveDraftDTO is one autosave: the whole title and sections at rev.
// sessionDate/bookingId, when sessionDate is not "", also move the session.
type NoteSaveDraftDTO struct {
	ID          string            `json:"id"`
	Rev         int64             `json:"rev"`
	Title       string            `json:"title"`
	Sections    map[string]string `json:"sections"`
	SessionDate string            `json:"sessionDate"`
	BookingID   string            `json:"bookingId"`
}

// NoteSavedDTO acknowledges a save: send rev with the next one.
type NoteSavedDTO struct {
	Rev     int64  `json:"rev"`
	SavedAt string `json:"savedAt"`
}

// NoteSignDTO signs the note at rev (0: whatever is current).
type NoteSignDTO struct {
	ID  string `json:"id"`
	Rev int64  `json:"rev"`
}

// NoteAddendumDTO adds a signed addendum to a signed note.
type NoteAddendumDTO struct {
	NoteID string `json:"noteId"`
	Body   string `json:"body"`
}

// TemplateSectionDTO is one heading of a template. summary is "plan",
// "homework" or "" (the summary field this section pre-fills).
type TemplateSectionDTO struct {
	Key     string `json:"key"`
	Label   string `json:"label"`
	Prompt  string `json:"prompt"`
	Summary string `json:"summary"`
}

// TemplateDTO is a template version.
type TemplateDTO struct {
	ID        string               `json:"id"`
	Version   int                  `json:"version"`
	Name      string               `json:"name"`
	Builtin   bool                 `json:"builtin"`
	Sections  []TemplateSectionDTO `json:"sections"`
	CreatedAt string               `json:"createdAt"`
}

// TemplateSaveDTO creates (id "") or edits (a user template's id; stores the
// next version) a template.
type TemplateSaveDTO struct {
	ID       string               `json:"id"`
	Name     string               `json:"name"`
	Sections []TemplateSectionDTO `json:"sections"`
}

// SummaryDTO is the client-facing session summary of a note.
type SummaryDTO struct {
	ID          string `json:"id"`
	NoteID      string `json:"noteId"`
	ClientID    string `json:"clientId"`
	Rev         int64  `json:"rev"`
	Plan        string `json:"plan"`
	Homework    string `json:"homework"`
	NextSession string `json:"nextSession"`
	Status      string `json:"status"` // "draft" | "ready" | "shared"
	UpdatedAt   string `json:"updatedAt"`
}

// SummarySaveDTO replaces a summary's content at rev.
type SummarySaveDTO struct {
	NoteID      string `json:"noteId"`
	Rev         int64  `json:"rev"`
	Plan        string `json:"plan"`
	Homework    string `json:"homework"`
	NextSession string `json:"nextSession"`
}

// SummaryStepDTO marks a summary ready or shares it, at rev.
type SummaryStepDTO struct {
	NoteID string `json:"noteId"`
	Rev    int64  `json:"rev"`
}
