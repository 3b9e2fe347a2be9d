package notes

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/vault"
)

// RecordType is how notes appear in the audit trail.
const RecordType = "note"

// DefaultAutosaveAuditWindow is how long autosave edit entries are coalesced.
const DefaultAutosaveAuditWindow = 5 * time.Minute

// Config builds a Service.
type Config struct {
	Store Store
	// Keys returns the vault's sealer, or an apperr locked error while the
	// vault is locked. It is called on every operation.
	Keys func() (Sealer, error)
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Actor is who acts and who signs (an id, never a name).
	Actor string
	// Zone decides what "today" is for default session dates (default
	// Asia/Kolkata, or UTC where the zone database is missing).
	Zone *time.Location
}

// Service is the notes' rules and operations. The hook fields may be set
// after NewService and before use.
type Service struct {
	store Store
	keys  func() (Sealer, error)
	now   func() time.Time
	actor string
	zone  *time.Location

	// AutosaveAuditWindow coalesces edit entries (see the package doc).
	AutosaveAuditWindow time.Duration

	// RequireHealthConsent, if set, must allow creating a note for a client
	// (health-data processing consent). nil allows (until the consent issue
	// wires it).
	RequireHealthConsent func(ctx context.Context, clientID string) error

	// ConsentCheck gates sharing a summary with the client (purpose
	// PurposeSummarySharing). nil refuses: nothing is shared without a
	// consent ledger to ask.
	ConsentCheck func(ctx context.Context, clientID, purpose string) error

	// Index, if set, is told about every committed save.
	Index Index
}

// NewService returns a Service.
func NewService(c Config) *Service {
	s := &Service{store: c.Store, keys: c.Keys, now: c.Now, actor: c.Actor, zone: c.Zone,
		AutosaveAuditWindow: DefaultAutosaveAuditWindow}
	if s.now == nil {
		s.now = time.Now
	}
	if s.actor == "" {
		s.actor = "practitioner"
	}
	if s.zone == nil {
		if z, err := time.LoadLocation("Asia/Kolkata"); err == nil {
			s.zone = z
		} else {
			s.zone = time.UTC
		}
	}
	return s
}

func (s *Service) clock() time.Time { return s.now().UTC() }

// today is the civil date in the service's zone.
func (s *Service) today() Date { return DateOf(s.now().In(s.zone)) }

func (s *Service) sealer() (Sealer, error) {
	if s.keys == nil {
		return nil, apperr.New(apperr.Locked, "the vault is locked")
	}
	return s.keys()
}

func (s *Service) entry(action audit.Action, recordType, id string, d audit.Detail) (audit.Entry, error) {
	e, err := audit.Event{Action: action, RecordType: recordType, RecordID: id, Detail: d}.Entry(s.clock(), s.actor)
	if err != nil {
		return audit.Entry{}, fmt.Errorf("notes: audit entry: %w", err)
	}
	return e, nil
}

// record appends an entry on its own; failures are returned joined to cause.
func (s *Service) record(ctx context.Context, action audit.Action, recordType, id string, d audit.Detail) error {
	e, err := s.entry(action, recordType, id, d)
	if err != nil {
		return err
	}
	return s.store.Audit(ctx, e)
}

// refuseSigned audits an attempt to change a signed note and returns ErrSigned.
func (s *Service) refuseSigned(ctx context.Context, id, op string) error {
	if err := s.record(ctx, audit.ActionEdit, RecordType, id, audit.D("refused", "signed", "op", op)); err != nil {
		return errors.Join(ErrSigned, err)
	}
	return ErrSigned
}

// asSigned passes err through, auditing it first if it is ErrSigned (a race
// that the store caught).
func (s *Service) asSigned(ctx context.Context, err error, id, op string) error {
	if errors.Is(err, ErrSigned) {
		return s.refuseSigned(ctx, id, op)
	}
	return err
}

// seal seals plaintext for ad.
func seal(keys Sealer, ad vault.AD, plaintext []byte) ([]byte, error) {
	env, err := keys.Seal(ad, plaintext)
	if err != nil {
		return nil, lockedOr(err, "notes: seal")
	}
	return env, nil
}

func lockedOr(err error, what string) error {
	if errors.Is(err, vault.ErrLocked) {
		return apperr.Wrap(apperr.Locked, "the vault is locked", err)
	}
	if apperr.CodeOf(err) != apperr.Internal {
		return err
	}
	return fmt.Errorf("%s: %w", what, err)
}

// openError says which envelope failed; it carries table and column only.
type openError struct {
	table, column string
	err           error
}

func (e *openError) Error() string { return "open " + e.table + "." + e.column + ": " + e.err.Error() }
func (e *openError) Unwrap() error { return e.err }

func open(keys Sealer, ad vault.AD, env []byte) ([]byte, error) {
	b, err := keys.Open(ad, env)
	if err != nil {
		if errors.Is(err, vault.ErrLocked) || apperr.CodeOf(err) == apperr.Locked {
			return nil, lockedOr(err, "notes: open")
		}
		return nil, &openError{table: ad.Table, column: ad.Column, err: err}
	}
	return b, nil
}

// integrity audits a field that failed to open and returns the coded error;
// a locked vault passes through unchanged.
func (s *Service) integrity(ctx context.Context, recordType, id string, cause error) error {
	var oe *openError
	if !errors.As(cause, &oe) {
		return cause
	}
	msg := "a note failed its integrity check and was not shown; restore from a backup or contact support"
	d := audit.D("reason", "envelope_rejected", "table", oe.table, "column", oe.column)
	if err := s.record(ctx, audit.ActionIntegrityError, recordType, id, d); err != nil {
		return apperr.Wrap(apperr.Integrity, msg, errors.Join(cause, err))
	}
	return apperr.Wrap(apperr.Integrity, msg, cause)
}

func noteAD(col, id string, rev int64) vault.AD {
	return vault.AD{Table: TableNotes, Column: col, RowID: id, Revision: rev}
}

// sealNote seals title and sections for (id, rev).
func sealNote(keys Sealer, id string, rev int64, title string, sections map[string]string) (t, sec []byte, err error) {
	js, err := json.Marshal(sections)
	if err != nil {
		return nil, nil, fmt.Errorf("notes: encode sections: %w", err)
	}
	defer clear(js)
	if t, err = seal(keys, noteAD(ColTitle, id, rev), []byte(title)); err != nil {
		return nil, nil, err
	}
	if sec, err = seal(keys, noteAD(ColSections, id, rev), js); err != nil {
		return nil, nil, err
	}
	return t, sec, nil
}

// openNote decrypts a record and its addenda.
func openNote(keys Sealer, r Record, adds []AddendumRecord) (Note, error) {
	title, err := open(keys, noteAD(ColTitle, r.ID, r.Rev), r.Title)
	if err != nil {
		return Note{}, err
	}
	js, err := open(keys, noteAD(ColSections, r.ID, r.Rev), r.Sections)
	if err != nil {
		return Note{}, err
	}
	var sections map[string]string
	if err := json.Unmarshal(js, &sections); err != nil {
		return Note{}, &openError{table: TableNotes, column: ColSections, err: err}
	}
	clear(js)
	n := Note{
		ID: r.ID, Rev: r.Rev, ClientID: r.ClientID, Kind: r.Kind, TemplateID: r.TemplateID,
		TemplateVersion: r.TemplateVersion, Title: string(title), Sections: sections,
		SessionDate: r.SessionDate, BookingID: r.BookingID, Status: r.Status,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, SignedAt: r.SignedAt,
		SignedBy: r.SignedBy, SignedHash: r.SignedHash,
	}
	for _, a := range adds {
		body, err := open(keys, vault.AD{Table: TableAddenda, Column: ColBody, RowID: a.ID, Revision: a.Rev}, a.Body)
		if err != nil {
			return Note{}, err
		}
		n.Addenda = append(n.Addenda, Addendum{ID: a.ID, NoteID: a.NoteID, Rev: a.Rev, Body: string(body),
			CreatedAt: a.CreatedAt, SignedAt: a.SignedAt, SignedBy: a.SignedBy, SignedHash: a.SignedHash})
	}
	return n, nil
}

// bodyText joins sections in template order and then the addenda, for search.
func bodyText(n Note, order []string) string {
	var b strings.Builder
	for _, k := range sectionOrder(order, n.Sections) {
		if v := n.Sections[k]; v != "" {
			if b.Len() > 0 {
				b.WriteString("\n\n")
			}
			b.WriteString(v)
		}
	}
	for _, a := range n.Addenda {
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString(a.Body)
	}
	return b.String()
}

func (s *Service) index(n Note, order []string) {
	if s.Index != nil {
		s.Index.Put(n.ID, string(n.Kind), n.ClientID, n.Title, bodyText(n, order), n.UpdatedAt)
	}
}
