package rights

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/vault"
)

// Sealer seals and opens the details; *vault.Keys satisfies it.
type Sealer interface {
	Seal(ad vault.AD, plaintext []byte) ([]byte, error)
	Open(ad vault.AD, envelope []byte) ([]byte, error)
}

// Filter selects requests. Zero fields do not filter.
type Filter struct {
	ClientID string
	Status   Status
	Kind     Kind
	OpenOnly bool
}

// Store keeps requests. Each method is one transaction; audit entries are
// appended in it. A missing request or client is an apperr not_found.
type Store interface {
	InsertRequest(ctx context.Context, r Row, e audit.Entry) error
	// RequestRow reads one request; view, if not nil, is appended.
	RequestRow(ctx context.Context, id string, view *audit.Entry) (Row, error)
	// RequestRows reads the requests matching f, earliest due first (then
	// by receipt); view, if not nil, is appended.
	RequestRows(ctx context.Context, f Filter, view *audit.Entry) ([]Row, error)
	// UpdateRequest reads the row, calls fn and writes what it returns (the
	// row only if its revision and status are still the ones read) with e.
	UpdateRequest(ctx context.Context, id string, fn func(cur Row) (Row, audit.Entry, error)) (Row, error)
	RecordAudit(ctx context.Context, e audit.Entry) error
}

// Fulfiller does what a request asks and returns a reference to what it
// produced (an export, a client revision, a certificate, a consent event).
// input is whatever the caller passed to Fulfil (e.g. the correction).
type Fulfiller func(ctx context.Context, r Request, input any) (ref string, err error)

// Config builds a Service.
type Config struct {
	Store Store
	Keys  func() (Sealer, error)
	Now   func() time.Time
	Actor string
	// Fulfil maps each kind to what fulfils it; a kind without one is
	// refused with "not available yet".
	Fulfil map[Kind]Fulfiller
}

// Service records and tracks rights requests.
type Service struct {
	store  Store
	keys   func() (Sealer, error)
	now    func() time.Time
	actor  string
	fulfil map[Kind]Fulfiller
}

// NewService returns a Service.
func NewService(c Config) *Service {
	s := &Service{store: c.Store, keys: c.Keys, now: c.Now, actor: c.Actor, fulfil: c.Fulfil}
	if s.now == nil {
		s.now = time.Now
	}
	if s.actor == "" {
		s.actor = "practitioner"
	}
	return s
}

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Second) }

func (s *Service) sealer() (Sealer, error) {
	if s.keys == nil {
		return nil, apperr.New(apperr.Locked, "the vault is locked")
	}
	return s.keys()
}

func (s *Service) entry(action audit.Action, id string, d audit.Detail) (audit.Entry, error) {
	e, err := audit.Event{Action: action, RecordType: RecordType, RecordID: id, Detail: d}.Entry(s.clock(), s.actor)
	if err != nil {
		return audit.Entry{}, fmt.Errorf("rights: audit entry: %w", err)
	}
	return e, nil
}

// ErrNotFound is returned for an unknown request.
var ErrNotFound = apperr.New(apperr.NotFound, "rights request not found")

// NewRequest is a request as received.
type NewRequest struct {
	ClientID    string
	Kind        Kind
	Source      Source
	Purpose     string // withdrawal/opt-out: the consent purpose ("" for opt-out means reminders)
	PlatformRef string
	ReceivedAt  time.Time // zero: now
	Details     string
}

// Create records a request as received.
func (s *Service) Create(ctx context.Context, in NewRequest) (Request, error) {
	if !validID(in.ClientID) {
		return Request{}, apperr.New(apperr.NotFound, "client not found")
	}
	if !in.Kind.Valid() {
		return Request{}, apperr.New(apperr.Invalid, "kind: must be access, correction, erasure, opt-out or withdrawal")
	}
	if in.Source == "" {
		in.Source = SourceClinic
	}
	if in.Source != SourceClinic && in.Source != SourcePlatform {
		return Request{}, apperr.New(apperr.Invalid, "source: must be clinic or platform")
	}
	if in.Kind == KindOptOut && in.Purpose == "" {
		in.Purpose = "reminders"
	}
	if in.Kind == KindWithdrawal && in.Purpose == "" {
		return Request{}, apperr.New(apperr.Invalid, "purpose: a withdrawal names the consent purpose")
	}
	if in.Kind != KindWithdrawal && in.Kind != KindOptOut {
		in.Purpose = ""
	}
	if utf8.RuneCountInString(in.Details) > 4000 || !utf8.ValidString(in.Details) || len(in.PlatformRef) > 128 {
		return Request{}, apperr.New(apperr.Invalid, "details: up to 4000 characters of text")
	}
	keys, err := s.sealer()
	if err != nil {
		return Request{}, err
	}
	now := s.clock()
	at := in.ReceivedAt.UTC().Truncate(time.Second)
	if at.IsZero() {
		at = now
	}
	if at.After(now.Add(5 * time.Minute)) {
		return Request{}, apperr.New(apperr.Invalid, "received at: cannot lie in the future")
	}
	r := Request{ID: newID(now), Rev: 1, ClientID: in.ClientID, Kind: in.Kind, Source: in.Source,
		Status: StatusReceived, Purpose: in.Purpose, PlatformRef: in.PlatformRef, ReceivedAt: at,
		CreatedAt: now, UpdatedAt: now, Details: in.Details}
	env, err := keys.Seal(detailsAD(r.ID, r.Rev), []byte(in.Details))
	if err != nil {
		return Request{}, lockedOr(err)
	}
	e, err := s.entry(audit.ActionRightsRequest, r.ID, audit.D("client", r.ClientID, "kind", string(r.Kind),
		"source", string(r.Source), "status", string(r.Status)))
	if err != nil {
		return Request{}, err
	}
	if err := s.store.InsertRequest(ctx, Row{Request: r, Details: env}, e); err != nil {
		return Request{}, err
	}
	return r, nil
}

func lockedOr(err error) error {
	if errors.Is(err, vault.ErrLocked) {
		return apperr.Wrap(apperr.Locked, "the vault is locked", err)
	}
	return fmt.Errorf("rights: seal: %w", err)
}

// change applies a status change through the store, auditing it.
func (s *Service) change(ctx context.Context, id string, to Status, edit func(r *Request) error, d audit.Detail) (Request, error) {
	if !validID(id) {
		return Request{}, ErrNotFound
	}
	keys, err := s.sealer()
	if err != nil {
		return Request{}, err
	}
	row, err := s.store.UpdateRequest(ctx, id, func(cur Row) (Row, audit.Entry, error) {
		if err := transition(cur.Status, to); err != nil {
			return Row{}, audit.Entry{}, err
		}
		next := cur
		next.Status, next.UpdatedAt = to, s.clock()
		if err := edit(&next.Request); err != nil {
			return Row{}, audit.Entry{}, err
		}
		e, err := s.entry(audit.ActionRightsRequest, id, audit.D("client", cur.ClientID, "kind", string(cur.Kind),
			"status", string(to)).With("from", string(cur.Status)))
		if err != nil {
			return Row{}, audit.Entry{}, err
		}
		if dd := d.String(); dd != "" {
			e.Detail += " " + dd
			if err := e.Validate(); err != nil {
				return Row{}, audit.Entry{}, err
			}
		}
		return next, e, nil
	})
	if err != nil {
		return Request{}, err
	}
	return s.open(ctx, keys, row)
}

// Verify records how the requester's identity was verified; the due date
// runs from now.
func (s *Service) Verify(ctx context.Context, id, method string) (Request, error) {
	if !slices.Contains(VerificationMethods, method) {
		return Request{}, apperr.New(apperr.Invalid, "verification: must be in_person_id, platform_account, video_call, phone_callback or email_link")
	}
	return s.change(ctx, id, StatusVerified, func(r *Request) error {
		r.VerificationMethod, r.VerifiedBy, r.VerifiedAt = method, s.actor, r.UpdatedAt
		r.DueAt = DueAt(r.Kind, r.VerifiedAt)
		return nil
	}, audit.D("method", method))
}

// Start marks a verified request in progress.
func (s *Service) Start(ctx context.Context, id string) (Request, error) {
	return s.change(ctx, id, StatusInProgress, func(*Request) error { return nil }, audit.Detail{})
}

// Refuse closes an open request with a reason code.
func (s *Service) Refuse(ctx context.Context, id, reason string) (Request, error) {
	if !slices.Contains(RefusalReasons, reason) {
		return Request{}, apperr.New(apperr.Invalid, "reason: must be identity_not_verified, duplicate, withdrawn_by_client, legal_obligation or not_applicable")
	}
	return s.change(ctx, id, StatusRefused, func(r *Request) error {
		r.RefusalReason, r.ClosedAt = reason, r.UpdatedAt
		return nil
	}, audit.D("reason", reason))
}

// Fulfil does what the request asks through the kind's Fulfiller (input is
// passed to it) and closes the request with the reference it returns. The
// request is marked in progress first, so a failure leaves it open and
// visible, never silently closed.
func (s *Service) Fulfil(ctx context.Context, id string, input any) (Request, error) {
	r, err := s.Get(ctx, id)
	if err != nil {
		return Request{}, err
	}
	if r.Status == StatusReceived || !r.Status.Open() {
		return Request{}, transition(r.Status, StatusFulfilled)
	}
	f := s.fulfil[r.Kind]
	if f == nil {
		return Request{}, apperr.Errorf(apperr.Conflict, "fulfilling %s requests is not available yet", r.Kind)
	}
	if r.Status == StatusVerified {
		if r, err = s.Start(ctx, id); err != nil {
			return Request{}, err
		}
	}
	ref, err := f(ctx, r, input)
	if err != nil {
		return Request{}, err
	}
	return s.change(ctx, id, StatusFulfilled, func(r *Request) error {
		r.OutcomeRef, r.ClosedAt = ref, r.UpdatedAt
		return nil
	}, audit.Detail{})
}

// Get opens one request (audited as a view).
func (s *Service) Get(ctx context.Context, id string) (Request, error) {
	if !validID(id) {
		return Request{}, ErrNotFound
	}
	keys, err := s.sealer()
	if err != nil {
		return Request{}, err
	}
	e, err := s.entry(audit.ActionView, id, audit.Detail{})
	if err != nil {
		return Request{}, err
	}
	row, err := s.store.RequestRow(ctx, id, &e)
	if err != nil {
		return Request{}, err
	}
	return s.open(ctx, keys, row)
}

// List opens the requests matching f, earliest due first (audited as one view).
func (s *Service) List(ctx context.Context, f Filter) ([]Request, error) {
	if f.ClientID != "" && !validID(f.ClientID) {
		return nil, apperr.New(apperr.NotFound, "client not found")
	}
	keys, err := s.sealer()
	if err != nil {
		return nil, err
	}
	e, err := s.entry(audit.ActionView, "", audit.D("scope", "list"))
	if err != nil {
		return nil, err
	}
	rows, err := s.store.RequestRows(ctx, f, &e)
	if err != nil {
		return nil, err
	}
	out := make([]Request, 0, len(rows))
	for _, row := range rows {
		r, err := s.open(ctx, keys, row)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// Overdue lists open requests past their due date at now.
func (s *Service) Overdue(ctx context.Context, now time.Time) ([]Request, error) {
	return s.listWhere(ctx, func(r Request) bool { return r.Overdue(now) })
}

// DueThisWeek lists open requests due from now to the end of the week (in
// India), not yet overdue.
func (s *Service) DueThisWeek(ctx context.Context, now time.Time) ([]Request, error) {
	return s.listWhere(ctx, func(r Request) bool { return r.DueThisWeek(now) })
}

func (s *Service) listWhere(ctx context.Context, keep func(Request) bool) ([]Request, error) {
	all, err := s.List(ctx, Filter{OpenOnly: true})
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(r Request) bool { return !keep(r) }), nil
}

func (s *Service) open(ctx context.Context, keys Sealer, row Row) (Request, error) {
	b, err := keys.Open(detailsAD(row.ID, row.Rev), row.Details)
	if err != nil {
		if errors.Is(err, vault.ErrLocked) {
			return Request{}, lockedOr(err)
		}
		msg := "a rights request failed its integrity check and was not shown; restore from a backup or contact support"
		if e, aerr := s.entry(audit.ActionIntegrityError, row.ID, audit.D("reason", "envelope_rejected",
			"table", TableRequests, "column", ColumnDetails)); aerr == nil {
			if aerr := s.store.RecordAudit(ctx, e); aerr != nil {
				err = errors.Join(err, aerr)
			}
		}
		return Request{}, apperr.Wrap(apperr.Integrity, msg, err)
	}
	r := row.Request
	r.Details = string(b)
	return r, nil
}
