package bookings

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

// Table, sealed columns and audit record type.
const (
	TableBookings  = "bookings"
	ColClientLabel = "client_label"
	ColJoinLink    = "join_link"
	ColLocation    = "location"
	ColNotes       = "notes"
	ColMessage     = "message"
	RecordType     = "booking"
)

// SealedColumns lists the sealed columns of a booking, in schema order.
var SealedColumns = []string{ColClientLabel, ColJoinLink, ColLocation, ColNotes, ColMessage}

// Errors the Store returns.
var (
	ErrNotFound       = apperr.New(apperr.NotFound, "booking not found")
	ErrClientNotFound = apperr.New(apperr.NotFound, "client not found")
	ErrStale          = apperr.New(apperr.Conflict, "the booking was changed elsewhere: reload it and try again")
)

// Row is a booking as stored: structure plain, each sealed field an
// envelope keyed by its column (one of SealedColumns).
type Row struct {
	ID              string
	Rev             int64
	Source          Source
	Status          Status
	ClientID        string
	Start           time.Time
	End             time.Time
	Modality        Modality
	FeePaise        int64
	PaymentStatus   PaymentStatus
	RescheduledFrom string
	RescheduledTo   string
	CreatedAt       time.Time
	UpdatedAt       time.Time
	Sealed          map[string][]byte
}

// OutboxItem is a mutation queued for the backend (docs/outbox.md). Payload
// is sealed by the service (AD: table "outbox", column "payload", ID, rev 1);
// the store assigns the mutation id.
type OutboxItem struct {
	ID        string
	Kind      string
	EntityID  string
	Payload   []byte
	CreatedAt time.Time
}

// Change is what an action writes in one transaction: the next row (Rev one
// higher, every sealed column re-sealed), its audit entry, its outbox item
// and, if MarkInteraction is set and the booking names a client, the
// client's last interaction moved forward to it.
type Change struct {
	Next            Row
	Audit           audit.Entry
	Outbox          *OutboxItem
	MarkInteraction time.Time
}

// Store keeps booking rows. Each method is one transaction; entries given
// are appended in it.
type Store interface {
	// InsertBooking adds a row with its audit entry and outbox item (nil:
	// none); a ClientID naming no client is ErrClientNotFound.
	InsertBooking(ctx context.Context, r Row, e audit.Entry, ob *OutboxItem, markInteraction time.Time) error
	// BookingRow reads one row and records view.
	BookingRow(ctx context.Context, id string, view audit.Entry) (Row, error)
	// BookingRows reads the rows overlapping [from, to), by start, and
	// records view.
	BookingRows(ctx context.Context, from, to time.Time, view audit.Entry) ([]Row, error)
	// ClientBookingRows reads one client's rows, latest start first, and
	// records view.
	ClientBookingRows(ctx context.Context, clientID string, view audit.Entry) ([]Row, error)
	// UpdateBooking reads the row, calls fn and writes the Change it returns
	// only if the row is still at the revision read (ErrStale otherwise).
	UpdateBooking(ctx context.Context, id string, fn func(cur Row) (Change, error)) error
	// BusyIntervals lists requested and confirmed bookings overlapping
	// [from, to). It reads no sealed column.
	BusyIntervals(ctx context.Context, from, to time.Time) ([]Interval, error)
	// RecordAudit appends e on its own.
	RecordAudit(ctx context.Context, e audit.Entry) error
}
