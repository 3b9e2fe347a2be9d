package notes

import (
	"context"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/vault"
)

// Sealer seals and opens fields; *vault.Keys satisfies it.
type Sealer interface {
	Seal(ad vault.AD, plaintext []byte) ([]byte, error)
	Open(ad vault.AD, envelope []byte) ([]byte, error)
}

// Index is the in-memory search index, kept current after each committed save.
type Index interface {
	Put(id, kind, clientID, title, body string, at time.Time)
	Delete(id string)
}

// Tables and sealed columns (the associated data of every envelope).
const (
	TableNotes     = "notes"
	TableAddenda   = "note_addenda"
	TableSummaries = "note_summaries"
	ColTitle       = "title"
	ColSections    = "sections"
	ColBody        = "body"
	ColContent     = "content"
)

// Errors the Store returns (and the Service passes on). Messages name the rule.
var (
	ErrSigned          = apperr.New(apperr.Conflict, "note is signed: add an addendum instead")
	ErrStale           = apperr.New(apperr.Conflict, "the note was changed elsewhere: reload it and try again")
	ErrNotFound        = apperr.New(apperr.NotFound, "note not found")
	ErrClientNotFound  = apperr.New(apperr.NotFound, "client not found")
	ErrSummaryNotFound = apperr.New(apperr.NotFound, "summary not found")
	ErrSummaryStale    = apperr.New(apperr.Conflict, "the summary was changed elsewhere: reload it and try again")
	ErrTemplateExists  = apperr.New(apperr.Conflict, "that template version already exists")
)

// Record is a note row as stored: plain structure and sealed envelopes.
type Record struct {
	ID              string
	Rev             int64
	ClientID        string
	Kind            Kind
	TemplateID      string
	TemplateVersion int
	SessionDate     Date
	BookingID       string
	Status          Status
	CreatedAt       time.Time
	UpdatedAt       time.Time
	SignedAt        time.Time
	SignedBy        string
	SignedHash      []byte
	Title           []byte // envelope (notes, title, id, rev)
	Sections        []byte // envelope (notes, sections, id, rev) of a JSON object key → text
}

// AddendumRecord is an addendum row as stored.
type AddendumRecord struct {
	ID         string
	NoteID     string
	Rev        int64
	Body       []byte // envelope (note_addenda, body, id, rev)
	CreatedAt  time.Time
	SignedAt   time.Time
	SignedBy   string
	SignedHash []byte
}

// DraftUpdate replaces a draft's text (and session details) at a new revision.
type DraftUpdate struct {
	ID          string
	ExpectedRev int64 // the revision the editor started from
	Rev         int64 // ExpectedRev + 1; the envelopes are sealed under it
	Title       []byte
	Sections    []byte
	SessionDate Date
	BookingID   string
	UpdatedAt   time.Time
}

// Signing is what SignNote records.
type Signing struct {
	ID       string
	Rev      int64 // the revision that was signed; it does not change
	SignedAt time.Time
	SignedBy string
	Hash     []byte
}

// TitleRecord is a list row: structure and the sealed title only.
type TitleRecord struct {
	ID              string
	Rev             int64
	ClientID        string
	Kind            Kind
	TemplateID      string
	TemplateVersion int
	SessionDate     Date
	Status          Status
	UpdatedAt       time.Time
	BookingID       string
	Title           []byte
}

// ListFilter selects list rows: by client, by status, or both.
type ListFilter struct {
	ClientID string
	Status   Status
}

// SummaryRecord is a session summary row.
type SummaryRecord struct {
	ID        string
	NoteID    string
	ClientID  string
	Rev       int64
	Content   []byte // envelope (note_summaries, content, id, rev) of SummaryContent JSON
	Status    SummaryStatus
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Store is what the Service needs from storage. Every method runs in one
// transaction and, where it takes an audit entry, appends it in that same
// transaction. A method that would change a signed note returns ErrSigned
// (and the database's triggers refuse it too).
type Store interface {
	// CreateNote inserts a draft and moves the client's last interaction to
	// the session date if that is later.
	CreateNote(ctx context.Context, r Record, ev audit.Entry) error
	// GetNote returns the note and its addenda (oldest first); view, if not
	// nil, is appended in the reading transaction.
	GetNote(ctx context.Context, id string, view *audit.Entry) (Record, []AddendumRecord, error)
	// UpdateDraft applies u if the note is a draft at u.ExpectedRev
	// (ErrSigned, ErrStale, ErrNotFound otherwise). ev is appended unless an
	// entry with the same action and record id was written within coalesce
	// before ev.At.
	UpdateDraft(ctx context.Context, u DraftUpdate, ev audit.Entry, coalesce time.Duration) error
	// SignNote marks the draft at s.Rev signed.
	SignNote(ctx context.Context, s Signing, ev audit.Entry) error
	// DeleteDraft removes a draft (and its summary); signed notes stay.
	DeleteDraft(ctx context.Context, id string, ev audit.Entry) error
	// AddAddendum inserts a signed addendum to a signed note.
	AddAddendum(ctx context.Context, a AddendumRecord, ev audit.Entry) error
	// ListTitles returns list rows, newest session first.
	ListTitles(ctx context.Context, f ListFilter, view *audit.Entry) ([]TitleRecord, error)
	// LastNote returns the client's most recent note (by session date, then
	// creation) without its envelopes.
	LastNote(ctx context.Context, clientID string) (Record, error)
	// EachNote streams every note with its addenda in one query.
	EachNote(ctx context.Context, fn func(Record, []AddendumRecord) error) error
	// Templates returns every stored version of every user template.
	Templates(ctx context.Context) ([]Template, error)
	// SaveTemplate inserts a template version (ErrTemplateExists if taken).
	SaveTemplate(ctx context.Context, t Template, ev audit.Entry) error
	// CreateSummary inserts a summary (one per note).
	CreateSummary(ctx context.Context, s SummaryRecord, ev audit.Entry) error
	// GetSummary returns a note's summary, or ErrSummaryNotFound.
	GetSummary(ctx context.Context, noteID string, view *audit.Entry) (SummaryRecord, error)
	// UpdateSummary replaces content and status if the row is at expectedRev.
	UpdateSummary(ctx context.Context, s SummaryRecord, expectedRev int64, ev audit.Entry) error
	// Audit appends one entry in its own transaction.
	Audit(ctx context.Context, e audit.Entry) error
}
