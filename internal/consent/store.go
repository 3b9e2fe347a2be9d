package consent

import (
	"context"
	"time"

	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/vault"
)

// Keys seals and opens evidence and derives the ledger's MAC key;
// *vault.Keys satisfies it. Subkey returns nil once the keys are wiped.
type Keys interface {
	Seal(ad vault.AD, plaintext []byte) ([]byte, error)
	Open(ad vault.AD, envelope []byte) ([]byte, error)
	Subkey(purpose string) []byte
}

// OutboxItem is a mutation for the platform (docs/outbox.md): a consent
// captured at the clinic or a withdrawal, which must reach the platform. The
// payload is sealed by the service (AD: outbox, payload, ID, rev 1); the
// store assigns the mutation id and writes it in the event's transaction.
type OutboxItem struct {
	ID        string
	Kind      string // OutboxGrant or OutboxWithdraw
	EntityID  string // the event id
	Payload   []byte
	CreatedAt time.Time
}

// Outbox kinds.
const (
	OutboxGrant    = "consent.grant"
	OutboxWithdraw = "consent.withdraw"
)

// Store keeps the ledger. Every method runs in one transaction; where it
// takes an audit entry it appends it in that transaction. A client that does
// not exist is an apperr not_found.
type Store interface {
	// AppendEvent stores notice if it is new (a different text under a stored
	// id, version and language is refused), chains r after the ledger's end
	// with chain.Append, inserts it, moves the head, queues out (if not nil)
	// for the platform and appends e. It returns r as stored.
	AppendEvent(ctx context.Context, chain *Chain, r Row, n Notice, out *OutboxItem, e audit.Entry) (Row, error)
	// ClientEvents returns a client's events in ledger order; view, if not
	// nil, is appended in the same transaction.
	ClientEvents(ctx context.Context, clientID string, view *audit.Entry) ([]Row, error)
	// Event returns one event; view, if not nil, is appended.
	Event(ctx context.Context, id string, view *audit.Entry) (Row, error)
	// Ledger returns every event and the head, read in one transaction.
	Ledger(ctx context.Context) ([]Row, Head, error)
	// StoredNotice returns a notice as stored (not_found if never used).
	StoredNotice(ctx context.Context, id string, version int, lang string) (Notice, error)
	// RecordAudit appends e on its own.
	RecordAudit(ctx context.Context, e audit.Entry) error
}
