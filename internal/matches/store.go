package matches

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

// Table, sealed columns, audit record type and the entity types of a minor
// refusal.
const (
	TableMatches   = "matches"
	ColPreview     = "preview"
	ColDeclineNote = "decline_note"
	RecordType     = "match"

	RefusedMatch  = "match"
	RefusedClient = "client"
)

// SealedColumns lists the sealed columns of a match, in schema order.
var SealedColumns = []string{ColPreview, ColDeclineNote}

// Errors.
var (
	ErrNotFound = apperr.New(apperr.NotFound, "match not found")
	ErrStale    = apperr.New(apperr.Conflict, "the match was changed elsewhere: reload it and try again")
)

// Row is a match as stored: structure plain, the preview and the decline
// note envelopes.
type Row struct {
	ID            string
	Rev           int64
	Status        Status
	AgeBand       string
	Modality      Modality
	ProposedAt    time.Time
	RespondBy     time.Time
	DecidedAt     time.Time
	DeclineReason DeclineReason
	ClientID      string
	RemoteVersion int64
	CreatedAt     time.Time
	UpdatedAt     time.Time
	Preview       []byte
	DeclineNote   []byte
}

// OutboxItem is a mutation queued for the backend (docs/outbox.md): its
// payload sealed (AD: table "outbox", column "payload", ID, rev 1).
type OutboxItem struct {
	ID        string
	Kind      string
	EntityID  string
	Payload   []byte
	CreatedAt time.Time
}

// Conflict is a local state the platform's overrode, recorded to be shown
// (codes only).
type Conflict struct {
	Local, Platform string
	Version         int64
	At              time.Time
}

// Refusal records that a record was refused as a minor's: the entity type
// (RefusedMatch or RefusedClient), the platform's id, and when. The store
// keeps only that, and queues Outbox with it.
type Refusal struct {
	EntityType string
	EntityID   string
	At         time.Time
	Outbox     OutboxItem
}

// Change is what one transaction writes: Next (insert when there was no
// row, else an update at cur.Rev+1), or Delete; and always its audit entry,
// plus an outbox item, a conflict and a minor refusal when set.
type Change struct {
	Next     *Row
	Delete   bool
	Audit    audit.Entry
	Outbox   *OutboxItem
	Conflict *Conflict
	Refusal  *Refusal
}

// Store keeps matches. Each method is one transaction.
type Store interface {
	// MatchRow reads one row and records view.
	MatchRow(ctx context.Context, id string, view audit.Entry) (Row, error)
	// MatchRows reads every row and records view.
	MatchRows(ctx context.Context, view audit.Entry) ([]Row, error)
	// ApplyMatch reads the row (nil if none) and whether the id was refused
	// as a minor's before, calls fn and writes the Change it returns (nil:
	// nothing). An update is written only if the row is still at the
	// revision read (ErrStale otherwise).
	ApplyMatch(ctx context.Context, id string, fn func(cur *Row, refused bool) (*Change, error)) error
	// RefuseMinor records r and queues its outbox item with e, unless the
	// same entity was refused before (then it writes nothing and reports
	// false).
	RefuseMinor(ctx context.Context, r Refusal, e audit.Entry) (bool, error)
	// RecordAudit appends e on its own.
	RecordAudit(ctx context.Context, e audit.Entry) error
}
