package clients

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
)

// Config builds a Service.
type Config struct {
	Store Store
	// Keys returns the vault's sealer, or an apperr locked error while the
	// vault is locked. It is called on every operation, so a service built
	// once keeps working across lock and unlock.
	Keys func() (Sealer, error)
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Actor is who acts, for history and the audit trail (an id, never a name).
	Actor string
	// OnChange, when set, is called after a create or modification commits,
	// with the client as saved (the in-memory search index follows it).
	OnChange func(Client)
}

// Service is the client record's rules and operations.
type Service struct {
	store    Store
	keys     func() (Sealer, error)
	now      func() time.Time
	actor    string
	onChange func(Client)
}

// NewService returns a Service.
func NewService(c Config) *Service {
	s := &Service{store: c.Store, keys: c.Keys, now: c.Now, actor: c.Actor, onChange: c.OnChange}
	if s.now == nil {
		s.now = time.Now
	}
	if s.actor == "" {
		s.actor = "practitioner"
	}
	return s
}

// Reason codes for a correction, stored plain in history and the audit trail.
const (
	ReasonClientRequest  = "client_request"   // the client asked for it (right to correction)
	ReasonDataEntryError = "data_entry_error" // it was typed wrong
	ReasonNewInformation = "new_information"  // it changed (new phone, new address)
)

// Reasons lists the accepted reason codes.
func Reasons() []string {
	return []string{ReasonClientRequest, ReasonDataEntryError, ReasonNewInformation}
}

var errNotFound = apperr.New(apperr.NotFound, "no client with that id")

func (s *Service) sealer() (Sealer, error) {
	if s.keys == nil {
		return nil, apperr.New(apperr.Locked, "the vault is locked")
	}
	return s.keys()
}

// clock is the service's now in UTC, to the second: stored instants are
// fixed-width so that text order is time order.
func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Second) }

func (s *Service) entry(at time.Time, action audit.Action, id string, d audit.Detail) (audit.Entry, error) {
	e, err := audit.Event{Action: action, RecordType: RecordType, RecordID: id, Detail: d}.Entry(at, s.actor)
	if err != nil {
		return audit.Entry{}, fmt.Errorf("clients: audit entry: %w", err)
	}
	return e, nil
}

// Create adds a client after checking every rule (adults only among them).
func (s *Service) Create(ctx context.Context, in Input, src Source) (Client, error) {
	if src == "" {
		src = SourceClinic
	}
	if !src.valid() {
		return Client{}, apperr.New(apperr.Invalid, "source: must be clinic, platform or import")
	}
	at := s.clock()
	p, err := Normalize(in, at)
	if err != nil {
		return Client{}, err
	}
	keys, err := s.sealer()
	if err != nil {
		return Client{}, err
	}
	c := Client{ID: newID(at), Rev: 1, Profile: p, Status: StatusActive, Source: src, CreatedAt: at, UpdatedAt: at}
	sealed, err := sealProfile(keys, c.ID, c.Rev, p)
	if err != nil {
		return Client{}, fmt.Errorf("create client: %w", err)
	}
	e, err := s.entry(at, audit.ActionCreate, c.ID, audit.D("source", string(src)))
	if err != nil {
		return Client{}, err
	}
	if err := s.store.InsertClient(ctx, rowOf(c, sealed), e); err != nil {
		return Client{}, fmt.Errorf("create client: %w", err)
	}
	s.changed(c)
	return c, nil
}

func rowOf(c Client, sealed map[string][]byte) Row {
	return Row{ID: c.ID, Rev: c.Rev, Status: c.Status, Source: c.Source, CreatedAt: c.CreatedAt,
		UpdatedAt: c.UpdatedAt, LastInteractionAt: c.LastInteractionAt, Sealed: sealed}
}

// Get opens one client; the view is audited.
func (s *Service) Get(ctx context.Context, id string) (Client, error) {
	if !validID(id) {
		return Client{}, errNotFound
	}
	keys, err := s.sealer()
	if err != nil {
		return Client{}, err
	}
	e, err := s.entry(s.clock(), audit.ActionView, id, audit.Detail{})
	if err != nil {
		return Client{}, err
	}
	r, err := s.store.ClientRow(ctx, id, e)
	if err != nil {
		return Client{}, err
	}
	return s.open(ctx, keys, r)
}

// open turns a row into a Client; a field that fails to open is audited and
// returned as an apperr integrity error.
func (s *Service) open(ctx context.Context, keys Sealer, r Row) (Client, error) {
	p, err := openProfile(keys, r)
	if err != nil {
		return Client{}, s.integrity(ctx, r.ID, err)
	}
	return Client{ID: r.ID, Rev: r.Rev, Profile: p, Status: r.Status, Source: r.Source,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, LastInteractionAt: r.LastInteractionAt}, nil
}

// integrity records an integrity error for client id and returns the coded
// error. The detail names the table and column only.
func (s *Service) integrity(ctx context.Context, id string, cause error) error {
	d := audit.D("reason", "envelope_rejected")
	var oe *openError
	if errors.As(cause, &oe) {
		d = d.With("table", oe.table).With("column", oe.column)
	}
	msg := "a client record failed its integrity check and was not shown; restore from a backup or contact support"
	if e, err := s.entry(s.clock(), audit.ActionIntegrityError, id, d); err == nil {
		if aerr := s.store.RecordAudit(ctx, e); aerr != nil {
			return apperr.Wrap(apperr.Integrity, msg, errors.Join(cause, aerr))
		}
	}
	return apperr.Wrap(apperr.Integrity, msg, cause)
}

func (s *Service) changed(c Client) {
	if s.onChange != nil {
		s.onChange(c)
	}
}
