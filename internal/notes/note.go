package notes

import (
	"time"
	"unicode/utf8"

	"github.com/calmally/practice/internal/apperr"
)

// Kind separates ordinary progress notes from psychotherapy (process) notes,
// which are the practitioner's private working notes: visibly marked, never a
// source for a client-facing summary, left out of sync and exports by default.
type Kind string

// Kinds.
const (
	KindProgress      Kind = "progress"
	KindPsychotherapy Kind = "psychotherapy"
)

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return k == KindProgress || k == KindPsychotherapy }

// Status of a note. A signed note never changes again.
type Status string

// Statuses.
const (
	StatusDraft  Status = "draft"
	StatusSigned Status = "signed"
)

// Note is a session note, decrypted.
type Note struct {
	ID              string
	Rev             int64
	ClientID        string
	Kind            Kind
	TemplateID      string
	TemplateVersion int
	Title           string
	Sections        map[string]string
	SessionDate     Date
	BookingID       string // optional
	Status          Status
	CreatedAt       time.Time
	UpdatedAt       time.Time
	SignedAt        time.Time // zero while a draft
	SignedBy        string
	SignedHash      []byte
	Addenda         []Addendum // oldest first; filled by Get
}

// Signed reports whether the note is signed.
func (n Note) Signed() bool { return n.Status == StatusSigned }

// Addendum is a signed correction or addition to a signed note. It is written
// and signed in one step and never changes.
type Addendum struct {
	ID         string
	NoteID     string
	Rev        int64
	Body       string
	CreatedAt  time.Time
	SignedAt   time.Time
	SignedBy   string
	SignedHash []byte
}

// ListItem is what a client's notes list shows. Only the title is decrypted.
type ListItem struct {
	ID          string
	ClientID    string
	Kind        Kind
	TemplateID  string
	Title       string
	SessionDate Date
	Status      Status
	UpdatedAt   time.Time
	BookingID   string // the session it records, "" when not linked
	Damaged     bool   // the title failed its integrity check (audited); not shown
}

// NoteText is one note's decrypted text for building the search index.
type NoteText struct {
	ID       string
	ClientID string
	Kind     Kind
	Title    string
	Body     string // sections in template order, then addenda, separated by blank lines
	At       time.Time
}

// NewNote is what Create needs.
type NewNote struct {
	ClientID    string
	Kind        Kind // default progress
	TemplateID  string
	TemplateVer int // 0: the newest version
	Title       string
	Sections    map[string]string
	SessionDate Date // zero: today in the service's zone
	BookingID   string
}

// Limits on note text. Generous for a session note, small enough that a
// runaway paste cannot wedge the app.
const (
	maxTitleLen    = 200       // runes
	maxNoteBytes   = 256 << 10 // all sections together
	maxAddendumLen = 64 << 10
	maxBookingID   = 128
)

func validateTitle(title string) error {
	if !utf8.ValidString(title) || utf8.RuneCountInString(title) > maxTitleLen {
		return apperr.Errorf(apperr.Invalid, "a note title is at most %d characters", maxTitleLen)
	}
	return nil
}

// checkSections keeps only the template's keys (refusing others) and fills
// missing ones with "".
func checkSections(t Template, in map[string]string) (map[string]string, error) {
	out := make(map[string]string, len(t.Sections))
	total := 0
	for k, v := range in {
		if !t.has(k) {
			return nil, apperr.Errorf(apperr.Invalid, "section %q is not in template %s", k, t)
		}
		if !utf8.ValidString(v) {
			return nil, apperr.New(apperr.Invalid, "note text must be valid UTF-8")
		}
		total += len(v)
		out[k] = v
	}
	if total > maxNoteBytes {
		return nil, apperr.Errorf(apperr.Invalid, "a note is at most %d KiB of text", maxNoteBytes>>10)
	}
	for _, k := range t.Keys() {
		if _, ok := out[k]; !ok {
			out[k] = ""
		}
	}
	return out, nil
}

func validBookingID(s string) bool {
	if len(s) > maxBookingID {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == ':') {
			return false
		}
	}
	return true
}
