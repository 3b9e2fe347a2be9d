package clients

import (
	"context"
	"time"

	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/vault"
)

// Sealer seals and opens fields; *vault.Keys satisfies it. Open fails (with
// an error wrapping vault.ErrIntegrity) for an envelope that was altered,
// moved to another row or column, or replayed from an older revision.
type Sealer interface {
	Seal(ad vault.AD, plaintext []byte) ([]byte, error)
	Open(ad vault.AD, envelope []byte) ([]byte, error)
}

// Row is a client as stored: structural fields plain, every sealed field an
// envelope keyed by its column name (one of SealedFields).
type Row struct {
	ID                string
	Rev               int64
	Status            Status
	Source            Source
	CreatedAt         time.Time
	UpdatedAt         time.Time
	LastInteractionAt time.Time // zero: NULL
	Sealed            map[string][]byte
}

// HistoryAction is what a history row records.
type HistoryAction string

// History actions.
const (
	HistoryCorrection HistoryAction = "correction"
	HistoryDischarge  HistoryAction = "discharge"
	HistoryReopen     HistoryAction = "reopen"
)

// HistoryRow is one change as stored. Fields are plain field names;
// Previous is the sealed JSON of the values before the change (AD: table
// client_history, column previous, the row's own id and rev).
type HistoryRow struct {
	ID       string
	ClientID string
	Rev      int64 // the client's revision this change produced
	At       time.Time
	Actor    string
	Action   HistoryAction
	Reason   string
	Fields   []string
	Previous []byte
}

// Change is what a modification writes: the next row (Rev one higher, every
// sealed column re-sealed), its history row and its audit entry.
type Change struct {
	Next    Row
	History HistoryRow
	Audit   audit.Entry
}

// Store keeps client rows. Each method runs in one transaction and appends
// the given audit entry in that same transaction, so the change (or view) and
// its record commit together. A missing client is an apperr not_found.
type Store interface {
	// InsertClient adds a new row.
	InsertClient(ctx context.Context, r Row, e audit.Entry) error
	// ClientRow reads one row and records e (a view).
	ClientRow(ctx context.Context, id string, e audit.Entry) (Row, error)
	// ClientRows reads every row with the given status ("" for all) and
	// records e.
	ClientRows(ctx context.Context, status Status, e audit.Entry) ([]Row, error)
	// UpdateClient reads the current row and calls fn with it, then writes
	// the Change fn returns — the row only if its revision is still the one
	// read — with its history row and audit entry. An error from fn aborts
	// and is returned as is.
	UpdateClient(ctx context.Context, id string, fn func(cur Row) (Change, error)) error
	// ClientHistory reads a client's history rows, oldest first, and records e.
	ClientHistory(ctx context.Context, id string, e audit.Entry) ([]HistoryRow, error)
	// MarkClientInteraction moves last_interaction_at forward to at (never
	// back), without touching the revision or the sealed columns.
	MarkClientInteraction(ctx context.Context, id string, at time.Time) error
	// RecordAudit appends e on its own (integrity errors found after a read).
	RecordAudit(ctx context.Context, e audit.Entry) error
}
