package availability

import (
	"context"
	"time"

	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/vault"
)

// Sealer seals and opens fields; *vault.Keys satisfies it.
type Sealer interface {
	Seal(ad vault.AD, plaintext []byte) ([]byte, error)
	Open(ad vault.AD, envelope []byte) ([]byte, error)
}

// Table and sealed column of a rule set (the associated data of its envelope).
const (
	TableAvailability = "availability"
	ColRules          = "rules"
	// RecordType is how availability appears in the audit trail.
	RecordType = "availability"
)

// Row is a rule set as stored: the sealed JSON of one RuleSet.
type Row struct {
	ID        string
	Rev       int64
	CreatedAt time.Time
	UpdatedAt time.Time
	Rules     []byte // envelope (availability, rules, id, rev)
}

// OutboxItem is a mutation queued for the backend (docs/outbox.md). Payload
// is sealed by the caller (AD: table "outbox", column "payload", ID, rev 1);
// the store assigns the mutation id.
type OutboxItem struct {
	ID        string
	Kind      string
	EntityID  string
	Payload   []byte
	CreatedAt time.Time
}

// Change is what a save writes in one transaction: rows to insert (Rev 1)
// or update (Rev one above the stored row), ids to delete, the audit entry
// and the outbox item.
type Change struct {
	Upsert []Row
	Delete []string
	Audit  audit.Entry
	Outbox *OutboxItem
}

// Store keeps rule set rows. Each method is one transaction.
type Store interface {
	// RuleSetRows returns every stored rule set.
	RuleSetRows(ctx context.Context) ([]Row, error)
	// UpdateRuleSets reads the stored rows, calls fn and writes the Change
	// it returns; an update whose row is no longer at Rev-1 is an apperr
	// conflict. An error from fn aborts and is returned as is.
	UpdateRuleSets(ctx context.Context, fn func(cur []Row) (Change, error)) error
	// RecordAudit appends e on its own (integrity errors found after a read).
	RecordAudit(ctx context.Context, e audit.Entry) error
}
