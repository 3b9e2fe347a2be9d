package notices

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

// Table and sealed columns.
const (
	TableNotices = "notices"
	ColDetails   = "details"
	ColResponse  = "response"
)

// SealedColumns lists the sealed columns of a notice, in schema order.
var SealedColumns = []string{ColDetails, ColResponse}

// Errors.
var (
	ErrNotFound = apperr.New(apperr.NotFound, "notice not found")
	ErrStale    = apperr.New(apperr.Conflict, "the notice was changed elsewhere: reload it and try again")
)

// Row is a notice as stored: deadlines and status plain, the details and
// the response envelopes.
type Row struct {
	ID             string
	Rev            int64
	Kind           Kind
	Status         Status
	ReceivedAt     time.Time
	AcknowledgeBy  time.Time
	ResolveBy      time.Time
	RemoveBy       time.Time
	AcknowledgedAt time.Time
	ClosedAt       time.Time
	RemoteVersion  int64
	CreatedAt      time.Time
	UpdatedAt      time.Time
	Details        []byte
	Response       []byte
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

// Conflict is a local state the platform's overrode (codes only).
type Conflict struct {
	Local, Platform string
	Version         int64
	At              time.Time
}

// Change is what one transaction writes: Next (insert when there was no
// row, else an update at cur.Rev+1) or Delete, its audit entry, outbox
// items in order and a conflict.
type Change struct {
	Next     *Row
	Delete   bool
	Audit    audit.Entry
	Outbox   []OutboxItem
	Conflict *Conflict
}

// Store keeps notices. Each method is one transaction.
type Store interface {
	// NoticeRow reads one row and records view.
	NoticeRow(ctx context.Context, id string, view audit.Entry) (Row, error)
	// NoticeRows reads every row and records view.
	NoticeRows(ctx context.Context, view audit.Entry) ([]Row, error)
	// ApplyNotice reads the row (nil if none), calls fn and writes the
	// Change it returns (nil: nothing); an update only if the row is still
	// at the revision read (ErrStale otherwise).
	ApplyNotice(ctx context.Context, id string, fn func(cur *Row) (*Change, error)) error
	// RecordAudit appends e on its own.
	RecordAudit(ctx context.Context, e audit.Entry) error
}
