package profile

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

// Table, sealed column and row ids of the two documents.
const (
	TableDocuments = "profile_documents"
	ColDocument    = "document"
	IDPractitioner = "practitioner"
	IDPractice     = "practice"
	// Record types in the audit trail.
	RecordTypeProfile  = "practitioner_profile"
	RecordTypePractice = "practice_settings"
)

// Row is one stored document.
type Row struct {
	ID          string // IDPractitioner or IDPractice
	Rev         int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
	ReviewState ReviewState // "" for the practice
	Document    []byte      // envelope (profile_documents, document, id, rev)
}

// Change is what an update writes in one transaction. Row.Rev 1 inserts;
// Rev one above the stored row replaces the document; Rev equal to the
// stored row changes only the review state and updated_at (Document is then
// ignored).
type Change struct {
	Row   Row
	Audit audit.Entry
	// Outbox, when set, is queued for the platform in the same transaction
	// (a submission: docs/outbox.md, profile.submit).
	Outbox *OutboxItem
}

// OutboxItem is a mutation for the platform; its payload is sealed by the
// service (AD: outbox, payload, ID, rev 1).
type OutboxItem struct {
	ID        string
	Kind      string
	EntityID  string
	Payload   []byte
	CreatedAt time.Time
}

// Outbox kind and entity of a submission: the device's therapist, so the
// entity is simply "profile".
const (
	OutboxSubmit   = "profile.submit"
	OutboxEntityID = "profile"
)

// Store keeps the two documents. Each method is one transaction.
type Store interface {
	// Document returns the row with id, or an apperr not_found.
	Document(ctx context.Context, id string) (Row, error)
	// UpdateDocument reads the row (nil if none), calls fn and writes the
	// Change it returns with its audit entry; a row no longer at the
	// expected revision is an apperr conflict. fn's error aborts as is.
	UpdateDocument(ctx context.Context, id string, fn func(cur *Row) (Change, error)) error
	// RecordAudit appends e on its own (integrity errors found on read).
	RecordAudit(ctx context.Context, e audit.Entry) error
}

func documentAD(id string, rev int64) vault.AD {
	return vault.AD{Table: TableDocuments, Column: ColDocument, RowID: id, Revision: rev}
}
