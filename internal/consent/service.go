package consent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/vault"
)

// Config builds a Service.
type Config struct {
	Store Store
	// Keys returns the vault's keys, or an apperr locked error while locked.
	Keys func() (Keys, error)
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Actor is who captures consents, for events and the audit trail (an id).
	Actor string
	// Controller names the data fiduciary on receipts; empty fields fall
	// back to DefaultController.
	Controller Controller
	// ControllerFor, if set, is asked for the controller at each receipt
	// (the practice profile), its empty fields filled from Controller.
	ControllerFor func(ctx context.Context) (Controller, error)
	// Published, if set, lists the consent-notice versions the platform
	// published after this build shipped: new consents use the newest, and
	// a material one flags older consents for renewal.
	Published func(ctx context.Context) ([]Published, error)
	// PlatformRef, if set, returns the platform's id of a client ("" for a
	// client known only to this practice). Consents captured here for a
	// platform client are queued for the platform under that id; a
	// clinic-only client's stay here (the platform has no record of them).
	// nil queues nothing.
	PlatformRef func(ctx context.Context, clientID string) (string, error)
}

// Service records, derives and enforces consent.
type Service struct {
	store       Store
	keys        func() (Keys, error)
	now         func() time.Time
	actor       string
	controller  Controller
	lookup      func(ctx context.Context) (Controller, error)
	publishedFn func(ctx context.Context) ([]Published, error)
	platformRef func(ctx context.Context, clientID string) (string, error)
}

// NewService returns a Service.
func NewService(c Config) *Service {
	s := &Service{store: c.Store, keys: c.Keys, now: c.Now, actor: c.Actor, controller: c.Controller, lookup: c.ControllerFor,
		publishedFn: c.Published, platformRef: c.PlatformRef}
	if s.now == nil {
		s.now = time.Now
	}
	if s.actor == "" {
		s.actor = "practitioner"
	}
	s.controller = s.controller.or(DefaultController)
	return s
}

// or fills c's empty fields from d.
func (c Controller) or(d Controller) Controller {
	for _, f := range []struct {
		v *string
		d string
	}{
		{&c.Name, d.Name}, {&c.Contact, d.Contact}, {&c.Street, d.Street}, {&c.Country, d.Country},
		{&c.Email, d.Email}, {&c.Phone, d.Phone}, {&c.PolicyURL, d.PolicyURL}, {&c.Jurisdiction, d.Jurisdiction},
	} {
		if *f.v == "" {
			*f.v = f.d
		}
	}
	return c
}

// clock is now in UTC to the second (stored instants are fixed width).
func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Second) }

var errClientNotFound = apperr.New(apperr.NotFound, "client not found")

// ErrEventNotFound is returned for an unknown event id.
var ErrEventNotFound = apperr.New(apperr.NotFound, "consent event not found")

// Required is the refusal every enforcement point returns.
func Required(p Purpose) error {
	return apperr.New(apperr.ConsentRequired, "consent required: "+string(p))
}

func (s *Service) sealer() (Keys, error) {
	if s.keys == nil {
		return nil, apperr.New(apperr.Locked, "the vault is locked")
	}
	return s.keys()
}

func (s *Service) chain(k Keys) (*Chain, error) {
	key := k.Subkey(SubkeyPurpose)
	if len(key) == 0 {
		return nil, apperr.New(apperr.Locked, "the vault is locked")
	}
	defer clear(key)
	return NewChain(key), nil
}

func (s *Service) entry(action audit.Action, id string, d audit.Detail) (audit.Entry, error) {
	e, err := audit.Event{Action: action, RecordType: RecordType, RecordID: id, Detail: d}.Entry(s.clock(), s.actor)
	if err != nil {
		return audit.Entry{}, fmt.Errorf("consent: audit entry: %w", err)
	}
	return e, nil
}

// GrantInput is one consent, for one purpose, given by a clear affirmative
// action. There is deliberately no way to name several purposes.
type GrantInput struct {
	ClientID      string
	Purpose       Purpose
	Method        Method
	Language      string // "en" (default) or "hi": the notice shown
	NoticeVersion int    // 0: the current notice
	Source        Source // "" : clinic, or platform for MethodPlatform
	GivenAt       time.Time
	ExpiresAt     time.Time // zero: until withdrawn
	Evidence      Evidence
}

// WithdrawInput withdraws one purpose.
type WithdrawInput struct {
	ClientID string
	Purpose  Purpose
	Channel  Channel // "" : clinic
	At       time.Time
	Evidence Evidence
}

const maxEvidence = 2000 // characters per evidence field

func checkEvidence(e Evidence) error {
	if utf8.RuneCountInString(e.SignedBy) > 200 || utf8.RuneCountInString(e.Note) > maxEvidence {
		return apperr.New(apperr.Invalid, "evidence: signer up to 200 characters, note up to 2000")
	}
	if !utf8.ValidString(e.SignedBy) || !utf8.ValidString(e.Note) {
		return apperr.New(apperr.Invalid, "evidence: text must be UTF-8")
	}
	return nil
}

// skew is how far in the future a given time may lie (clocks differ).
const skew = 5 * time.Minute

// Grant records a consent after checking every rule.
func (s *Service) Grant(ctx context.Context, in GrantInput) (Event, error) {
	if !ValidID(in.ClientID) {
		return Event{}, errClientNotFound
	}
	if !in.Purpose.Valid() {
		return Event{}, errPurpose
	}
	if !in.Method.Valid() {
		return Event{}, apperr.New(apperr.Invalid, "method: consent needs a clear affirmative action: checkbox, signature or platform")
	}
	if in.Source == "" {
		in.Source = SourceClinic
		if in.Method == MethodPlatform {
			in.Source = SourcePlatform
		}
	}
	if !in.Source.Valid() {
		return Event{}, apperr.New(apperr.Invalid, "source: must be clinic or platform")
	}
	if (in.Method == MethodPlatform) != (in.Source == SourcePlatform) {
		return Event{}, apperr.New(apperr.Invalid, "method: platform consents arrive from the platform; at the clinic use checkbox or signature")
	}
	if in.Method == MethodSignature && in.Evidence.SignedBy == "" {
		return Event{}, apperr.New(apperr.Invalid, "signature: record who signed")
	}
	if err := checkEvidence(in.Evidence); err != nil {
		return Event{}, err
	}
	n, err := s.notice(ctx, in.Purpose, in.NoticeVersion, in.Language)
	if err != nil {
		return Event{}, err
	}
	now := s.clock()
	at := in.GivenAt.UTC().Truncate(time.Second)
	if at.IsZero() {
		at = now
	}
	if at.After(now.Add(skew)) {
		return Event{}, apperr.New(apperr.Invalid, "given at: a consent cannot be given in the future")
	}
	exp := in.ExpiresAt.UTC().Truncate(time.Second)
	if !exp.IsZero() && !exp.After(at) {
		return Event{}, apperr.New(apperr.Invalid, "expires at: must be after the consent was given")
	}
	channel := ChannelClinic
	if in.Source == SourcePlatform {
		channel = ChannelPlatform
	}
	r := Row{ID: newID(now), Rev: 1, ClientID: in.ClientID, Purpose: in.Purpose, Kind: KindGrant,
		NoticeID: n.ID, NoticeVersion: n.Version, NoticeLanguage: n.Language, NoticeSHA256: n.SHA256,
		Categories: in.Purpose.Categories(), Method: in.Method, Channel: channel, Source: in.Source,
		CapturedBy: s.actor, At: at, ExpiresAt: exp, RecordedAt: now}
	d := audit.D("client", r.ClientID, "purpose", string(r.Purpose), "method", string(r.Method),
		"notice", fmt.Sprintf("v%d.%s", n.Version, n.Language))
	return s.append(ctx, r, in.Evidence, n, in.Source == SourceClinic, audit.ActionConsentGranted, d)
}

// Withdraw records a withdrawal. It takes effect at once: the next Check for
// the purpose refuses. Withdrawing what is not granted is refused.
func (s *Service) Withdraw(ctx context.Context, in WithdrawInput) (Event, error) {
	if !ValidID(in.ClientID) {
		return Event{}, errClientNotFound
	}
	if !in.Purpose.Valid() {
		return Event{}, errPurpose
	}
	if in.Channel == "" {
		in.Channel = ChannelClinic
	}
	if !in.Channel.Valid() {
		return Event{}, apperr.New(apperr.Invalid, "channel: must be clinic, platform, phone, email or written")
	}
	if err := checkEvidence(in.Evidence); err != nil {
		return Event{}, err
	}
	rows, err := s.store.ClientEvents(ctx, in.ClientID, nil)
	if err != nil {
		return Event{}, err
	}
	now := s.clock()
	at := in.At.UTC().Truncate(time.Second)
	if at.IsZero() {
		at = now
	}
	if at.After(now.Add(skew)) {
		return Event{}, apperr.New(apperr.Invalid, "withdrawn at: cannot lie in the future")
	}
	st := Derive(rows, in.Purpose, at)
	if st.Status != StatusGranted && st.Status != StatusExpired {
		return Event{}, apperr.New(apperr.Conflict, "nothing to withdraw: "+string(in.Purpose)+" is not granted")
	}
	g := *st.Event
	n, err := s.notice(ctx, in.Purpose, g.NoticeVersion, g.NoticeLanguage)
	if err != nil {
		return Event{}, err
	}
	src := SourceClinic
	if in.Channel == ChannelPlatform {
		src = SourcePlatform
	}
	r := Row{ID: newID(now), Rev: 1, ClientID: in.ClientID, Purpose: in.Purpose, Kind: KindWithdraw,
		NoticeID: g.NoticeID, NoticeVersion: g.NoticeVersion, NoticeLanguage: g.NoticeLanguage,
		NoticeSHA256: g.NoticeSHA256, Categories: g.Categories, Channel: in.Channel, Source: src,
		CapturedBy: s.actor, At: at, RecordedAt: now}
	d := audit.D("client", r.ClientID, "purpose", string(r.Purpose), "channel", string(r.Channel), "grant", g.ID)
	return s.append(ctx, r, in.Evidence, n, src == SourceClinic, audit.ActionConsentWithdrawn, d)
}

// append seals the evidence, chains and stores r with its audit entry and,
// if push, an outbox item telling the platform.
func (s *Service) append(ctx context.Context, r Row, ev Evidence, n Notice, push bool, action audit.Action, d audit.Detail) (Event, error) {
	keys, err := s.sealer()
	if err != nil {
		return Event{}, err
	}
	js, err := json.Marshal(ev)
	if err != nil {
		return Event{}, fmt.Errorf("consent: encode evidence: %w", err)
	}
	r.Evidence, err = keys.Seal(evidenceAD(r.ID, r.Rev), js)
	clear(js)
	if err != nil {
		return Event{}, lockedOr(err, "consent: seal evidence")
	}
	chain, err := s.chain(keys)
	if err != nil {
		return Event{}, err
	}
	var out *OutboxItem
	if push && s.platformRef != nil {
		ref, err := s.platformRef(ctx, r.ClientID)
		if err != nil {
			return Event{}, err
		}
		if ref != "" {
			if out, err = outboxItem(keys, r, ref); err != nil {
				return Event{}, err
			}
		}
	}
	e, err := s.entry(action, r.ID, d)
	if err != nil {
		return Event{}, err
	}
	stored, err := s.store.AppendEvent(ctx, chain, r, n, out, e)
	if err != nil {
		return Event{}, err
	}
	return Event{Row: stored, Evidence: ev}, nil
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

// Check is the single entry point for enforcement: nil if the client's
// consent for p is granted now, else an apperr consent_required error
// "consent required: <purpose>" (not_found for an unknown client). It reads
// plain columns only and is not audited; callers audit their refusals.
func (s *Service) Check(ctx context.Context, clientID string, p Purpose) error {
	if !ValidID(clientID) {
		return errClientNotFound
	}
	if !p.Valid() {
		return errPurpose
	}
	rows, err := s.store.ClientEvents(ctx, clientID, nil)
	if err != nil {
		return err
	}
	if Derive(rows, p, s.clock()).Status != StatusGranted {
		return Required(p)
	}
	return nil
}

// State derives every purpose's state for a client (audited as a view).
func (s *Service) State(ctx context.Context, clientID string) ([]State, error) {
	if !ValidID(clientID) {
		return nil, errClientNotFound
	}
	if _, err := s.sealer(); err != nil {
		return nil, err
	}
	e, err := s.entry(audit.ActionView, clientID, audit.D("scope", "state"))
	if err != nil {
		return nil, err
	}
	rows, err := s.store.ClientEvents(ctx, clientID, &e)
	if err != nil {
		return nil, err
	}
	pub, err := s.published(ctx)
	if err != nil {
		return nil, err
	}
	states := DeriveAll(rows, s.clock())
	flagRenewals(states, materialVersions(pub))
	return states, nil
}

// History returns a client's events, oldest first, with evidence opened
// (audited as a view). Evidence that fails to open is an integrity error.
func (s *Service) History(ctx context.Context, clientID string) ([]Event, error) {
	if !ValidID(clientID) {
		return nil, errClientNotFound
	}
	keys, err := s.sealer()
	if err != nil {
		return nil, err
	}
	e, err := s.entry(audit.ActionView, clientID, audit.D("scope", "history"))
	if err != nil {
		return nil, err
	}
	rows, err := s.store.ClientEvents(ctx, clientID, &e)
	if err != nil {
		return nil, err
	}
	out := make([]Event, 0, len(rows))
	for _, r := range rows {
		ev, err := s.open(ctx, keys, r)
		if err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	return out, nil
}

// Get returns one event with its evidence (audited as a view).
func (s *Service) Get(ctx context.Context, id string) (Event, error) {
	if !ValidID(id) {
		return Event{}, ErrEventNotFound
	}
	keys, err := s.sealer()
	if err != nil {
		return Event{}, err
	}
	e, err := s.entry(audit.ActionView, id, audit.Detail{})
	if err != nil {
		return Event{}, err
	}
	r, err := s.store.Event(ctx, id, &e)
	if err != nil {
		return Event{}, err
	}
	return s.open(ctx, keys, r)
}

func (s *Service) open(ctx context.Context, keys Keys, r Row) (Event, error) {
	b, err := keys.Open(evidenceAD(r.ID, r.Rev), r.Evidence)
	var ev Evidence
	if err == nil {
		err = json.Unmarshal(b, &ev)
		clear(b)
	}
	if err != nil {
		if errors.Is(err, vault.ErrLocked) {
			return Event{}, lockedOr(err, "consent: open evidence")
		}
		msg := "a consent record failed its integrity check and was not shown; restore from a backup or contact support"
		d := audit.D("reason", "envelope_rejected", "table", TableEvents, "column", ColumnEvidence)
		if e, aerr := s.entry(audit.ActionIntegrityError, r.ID, d); aerr == nil {
			if aerr := s.store.RecordAudit(ctx, e); aerr != nil {
				err = errors.Join(err, aerr)
			}
		}
		return Event{}, apperr.Wrap(apperr.Integrity, msg, err)
	}
	return Event{Row: r, Evidence: ev}, nil
}

// Verify checks the whole ledger's chain and head and returns how many
// events it holds. Damage is an apperr integrity error wrapping a *Problem.
func (s *Service) Verify(ctx context.Context) (int, error) {
	keys, err := s.sealer()
	if err != nil {
		return 0, err
	}
	chain, err := s.chain(keys)
	if err != nil {
		return 0, err
	}
	rows, head, err := s.store.Ledger(ctx)
	if err != nil {
		return 0, err
	}
	if err := chain.Verify(rows, head); err != nil {
		return 0, apperr.Wrap(apperr.Integrity, "the consent ledger failed its integrity check: "+err.Error(), err)
	}
	return len(rows), nil
}

// outboxPayload is what the platform receives about an event: ids and codes
// (docs/sync-protocol.md: clientRef, purpose, at, noticeVersion, and more).
// The client is named by the platform's id, never this practice's.
type outboxPayload struct {
	EventID       string   `json:"eventId"`
	ClientRef     string   `json:"clientRef"`
	Kind          Kind     `json:"kind"`
	Purpose       Purpose  `json:"purpose"`
	At            string   `json:"at"`
	ExpiresAt     string   `json:"expiresAt,omitempty"`
	Method        Method   `json:"method,omitempty"`
	Channel       Channel  `json:"channel"`
	NoticeID      string   `json:"noticeId"`
	NoticeVersion string   `json:"noticeVersion"`
	Language      string   `json:"language"`
	NoticeSHA256  string   `json:"noticeSha256"`
	Categories    []string `json:"categories"`
}

func outboxItem(keys Keys, r Row, clientRef string) (*OutboxItem, error) {
	plain, err := json.Marshal(outboxPayload{EventID: r.ID, ClientRef: clientRef, Kind: r.Kind, Purpose: r.Purpose,
		At: formatTime(r.At), ExpiresAt: formatTime(r.ExpiresAt), Method: r.Method, Channel: r.Channel,
		NoticeID: r.NoticeID, NoticeVersion: strconv.Itoa(r.NoticeVersion), Language: r.NoticeLanguage,
		NoticeSHA256: r.NoticeSHA256, Categories: r.Categories})
	if err != nil {
		return nil, fmt.Errorf("consent: encode outbox: %w", err)
	}
	id := newID(r.RecordedAt)
	env, err := keys.Seal(vault.AD{Table: "outbox", Column: "payload", RowID: id, Revision: 1}, plain)
	if err != nil {
		return nil, lockedOr(err, "consent: seal outbox")
	}
	kind := OutboxGrant
	if r.Kind == KindWithdraw {
		kind = OutboxWithdraw
	}
	return &OutboxItem{ID: id, Kind: kind, EntityID: r.ID, Payload: env, CreatedAt: r.RecordedAt}, nil
}
