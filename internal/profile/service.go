package profile

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/ids"
	"github.com/calmally/practice/internal/vault"
)

// Config builds a Service.
type Config struct {
	Store Store
	// Keys returns the vault's sealer or an apperr locked error.
	Keys  func() (Sealer, error)
	Now   func() time.Time // default time.Now
	Actor string           // an id, never a name
}

// Service reads and saves the profile and the practice settings.
type Service struct {
	store Store
	keys  func() (Sealer, error)
	now   func() time.Time
	actor string
}

// NewService returns a Service.
func NewService(c Config) *Service {
	s := &Service{store: c.Store, keys: c.Keys, now: c.Now, actor: c.Actor}
	if s.now == nil {
		s.now = time.Now
	}
	if s.actor == "" {
		s.actor = "practitioner"
	}
	return s
}

func (s *Service) sealer() (Sealer, error) {
	if s.keys == nil {
		return nil, apperr.New(apperr.Locked, "the vault is locked")
	}
	return s.keys()
}

// Profile returns the stored profile and its warnings as of today in the
// practice's zone. Before the first save it returns an empty draft (Rev 0).
func (s *Service) Profile(ctx context.Context) (Profile, []Warning, error) {
	keys, err := s.sealer()
	if err != nil {
		return Profile{}, nil, err
	}
	var p Profile
	row, err := s.store.Document(ctx, IDPractitioner)
	switch {
	case apperr.CodeOf(err) == apperr.NotFound:
		p = Profile{ReviewState: ReviewDraft, Credentials: []Credential{}, Specialisations: []string{},
			Approaches: []string{}, Languages: []string{}, SessionTypes: []SessionType{}}
		return p, nil, nil
	case err != nil:
		return Profile{}, nil, err
	}
	if err := s.open(ctx, keys, row, &p); err != nil {
		return Profile{}, nil, err
	}
	p.Rev, p.ReviewState = row.Rev, row.ReviewState
	if p.ReviewState != ReviewChangesRequested {
		p.ReviewComment = "" // answered by an edit or a new submission
	}
	return p, Warnings(p, s.today(ctx, keys)), nil
}

// today is the civil date now in the practice's zone.
func (s *Service) today(ctx context.Context, keys Sealer) time.Time {
	loc := DefaultPractice().Location()
	if row, err := s.store.Document(ctx, IDPractice); err == nil {
		var pr Practice
		if s.open(ctx, keys, row, &pr) == nil {
			loc = pr.Location()
		}
	}
	return s.now().In(loc)
}

// Practice returns the stored practice settings, or the defaults (Rev 0).
func (s *Service) Practice(ctx context.Context) (Practice, error) {
	keys, err := s.sealer()
	if err != nil {
		return Practice{}, err
	}
	row, err := s.store.Document(ctx, IDPractice)
	switch {
	case apperr.CodeOf(err) == apperr.NotFound:
		return DefaultPractice(), nil
	case err != nil:
		return Practice{}, err
	}
	var pr Practice
	if err := s.open(ctx, keys, row, &pr); err != nil {
		return Practice{}, err
	}
	pr.Rev = row.Rev
	pr.fillDefaults()
	return pr, nil
}

// reviewed is the part of a profile the platform must be sent again after a
// change: everything but the contact details and demographics (and the
// platform's own comment). Preferences count: they reach the platform only
// with a submission.
func reviewed(p Profile) Profile {
	p.Rev, p.ReviewState, p.Contact, p.Demographics, p.ReviewComment = 0, "", Contact{}, Demographics{}, ""
	return p
}

// SaveProfile validates and stores p. If p.Rev is not zero it must be the
// stored revision (conflict otherwise). A change to the reviewed part puts
// the profile back to draft. It returns the saved profile and its warnings.
func (s *Service) SaveProfile(ctx context.Context, p Profile) (Profile, []Warning, error) {
	if err := p.Normalize(); err != nil {
		return Profile{}, nil, err
	}
	keys, err := s.sealer()
	if err != nil {
		return Profile{}, nil, err
	}
	saved := p
	comment := ""
	err = s.store.UpdateDocument(ctx, IDPractitioner, func(cur *Row) (Change, error) {
		state := ReviewDraft
		comment = ""
		if cur != nil {
			if p.Rev != 0 && p.Rev != cur.Rev {
				return Change{}, apperr.New(apperr.Conflict, "the profile was changed elsewhere: reload it and try again")
			}
			var old Profile
			if err := openRow(keys, *cur, &old); err != nil {
				return Change{}, err
			}
			if reflect.DeepEqual(reviewed(old), reviewed(p)) {
				state = cur.ReviewState
			}
			if state == ReviewChangesRequested {
				comment = old.ReviewComment // still what the platform asks for
			}
		}
		saved.ReviewState, saved.ReviewComment = state, comment
		doc := p
		doc.Rev, doc.ReviewState, doc.ReviewComment = 0, "", comment
		ch, err := s.change(keys, cur, IDPractitioner, state, doc, RecordTypeProfile, audit.D("review_state", string(state)))
		saved.Rev = ch.Row.Rev
		return ch, err
	})
	if err = s.integrityOr(ctx, IDPractitioner, err); err != nil {
		return Profile{}, nil, err
	}
	return saved, Warnings(saved, s.today(ctx, keys)), nil
}

// SavePractice validates and stores the practice settings.
func (s *Service) SavePractice(ctx context.Context, pr Practice) (Practice, error) {
	if err := pr.Normalize(); err != nil {
		return Practice{}, err
	}
	keys, err := s.sealer()
	if err != nil {
		return Practice{}, err
	}
	err = s.store.UpdateDocument(ctx, IDPractice, func(cur *Row) (Change, error) {
		if cur != nil && pr.Rev != 0 && pr.Rev != cur.Rev {
			return Change{}, apperr.New(apperr.Conflict, "the practice settings were changed elsewhere: reload them and try again")
		}
		doc := pr
		doc.Rev = 0
		ch, err := s.change(keys, cur, IDPractice, "", doc, RecordTypePractice, audit.D("op", "save"))
		pr.Rev = ch.Row.Rev
		return ch, err
	})
	if err = s.integrityOr(ctx, IDPractice, err); err != nil {
		return Practice{}, err
	}
	return pr, nil
}

// change seals doc (without its rev) as the next revision of cur.
func (s *Service) change(keys Sealer, cur *Row, id string, state ReviewState, doc any, recordType string, d audit.Detail) (Change, error) {
	at := s.now().UTC()
	row := Row{ID: id, Rev: 1, CreatedAt: at, UpdatedAt: at, ReviewState: state}
	if cur != nil {
		row.Rev, row.CreatedAt = cur.Rev+1, cur.CreatedAt
	}
	plain, err := json.Marshal(doc)
	if err != nil {
		return Change{}, fmt.Errorf("save profile: encode: %w", err)
	}
	row.Document, err = keys.Seal(documentAD(id, row.Rev), plain)
	clear(plain)
	if err != nil {
		return Change{}, lockedOr(err, "save profile: seal")
	}
	e, err := s.entry(audit.ActionEdit, recordType, id, d)
	return Change{Row: row, Audit: e}, err
}

// Submit sends a draft (or a profile the platform asked to change) for
// review. The sync engine carries submitted profiles to the platform.
func (s *Service) Submit(ctx context.Context) (Profile, error) {
	return s.setReview(ctx, ReviewSubmitted, "submit")
}

// ApplyReview records the platform's decision on a submitted profile
// (approved or changes_requested) without a comment.
func (s *Service) ApplyReview(ctx context.Context, state ReviewState) (Profile, error) {
	return s.ApplyPlatformReview(ctx, state, "")
}

// MaxReviewComment bounds the platform's comment, in characters.
const MaxReviewComment = 2000

// ApplyPlatformReview records the platform's decision on a submitted profile
// and, with changes_requested, its comment (what to change), which Settings
// → Profile shows until the profile is edited or submitted again. The sync
// engine calls it. A comment re-seals the document (a new revision).
func (s *Service) ApplyPlatformReview(ctx context.Context, state ReviewState, comment string) (Profile, error) {
	if state != ReviewApproved && state != ReviewChangesRequested {
		return Profile{}, invalid("review decision must be approved or changes_requested")
	}
	comment = strings.TrimSpace(comment)
	if state != ReviewChangesRequested {
		comment = ""
	}
	if err := checkText(strings.NewReplacer("\n", " ", "\t", " ").Replace(comment), MaxReviewComment); err != nil {
		return Profile{}, invalid("review comment: %s", err)
	}
	keys, err := s.sealer()
	if err != nil {
		return Profile{}, err
	}
	var p Profile
	err = s.store.UpdateDocument(ctx, IDPractitioner, func(cur *Row) (Change, error) {
		if cur == nil {
			return Change{}, apperr.New(apperr.NotFound, "profile: nothing saved yet: save the profile first")
		}
		if err := openRow(keys, *cur, &p); err != nil {
			return Change{}, err
		}
		if !CanTransition(cur.ReviewState, state) {
			return Change{}, apperr.Errorf(apperr.Conflict, "profile: a %s profile cannot become %s", cur.ReviewState, state)
		}
		d := audit.D("op", "review", "review_state", string(state))
		if p.ReviewComment == comment {
			// Nothing in the document changes: only the state moves.
			row := *cur
			row.ReviewState, row.UpdatedAt, row.Document = state, s.now().UTC(), nil
			p.Rev, p.ReviewState = row.Rev, state
			e, err := s.entry(audit.ActionEdit, RecordTypeProfile, IDPractitioner, d)
			return Change{Row: row, Audit: e}, err
		}
		p.ReviewComment = comment
		doc := p
		doc.Rev, doc.ReviewState = 0, ""
		ch, err := s.change(keys, cur, IDPractitioner, state, doc, RecordTypeProfile, d.With("comment", "1"))
		p.Rev, p.ReviewState = ch.Row.Rev, state
		return ch, err
	})
	if err = s.integrityOr(ctx, IDPractitioner, err); err != nil {
		return Profile{}, err
	}
	return p, nil
}

// CanTransition reports whether a profile may move from one review state to
// another without an edit (edits always go to draft).
func CanTransition(from, to ReviewState) bool {
	switch to {
	case ReviewSubmitted:
		return from == ReviewDraft || from == ReviewChangesRequested
	case ReviewApproved, ReviewChangesRequested:
		return from == ReviewSubmitted
	}
	return false
}

func (s *Service) setReview(ctx context.Context, to ReviewState, op string) (Profile, error) {
	keys, err := s.sealer()
	if err != nil {
		return Profile{}, err
	}
	var p Profile
	err = s.store.UpdateDocument(ctx, IDPractitioner, func(cur *Row) (Change, error) {
		if cur == nil {
			return Change{}, apperr.New(apperr.NotFound, "profile: nothing saved yet: save the profile first")
		}
		if err := openRow(keys, *cur, &p); err != nil {
			return Change{}, err
		}
		if !CanTransition(cur.ReviewState, to) {
			return Change{}, apperr.Errorf(apperr.Conflict, "profile: a %s profile cannot become %s", cur.ReviewState, to)
		}
		row := *cur
		row.ReviewState, row.UpdatedAt, row.Document = to, s.now().UTC(), nil
		p.Rev, p.ReviewState = row.Rev, to
		e, err := s.entry(audit.ActionEdit, RecordTypeProfile, IDPractitioner, audit.D("op", op, "review_state", string(to)))
		if err != nil {
			return Change{}, err
		}
		ch := Change{Row: row, Audit: e}
		if to == ReviewSubmitted {
			ch.Outbox, err = submission(keys, p, row.UpdatedAt)
		}
		return ch, err
	})
	if err = s.integrityOr(ctx, IDPractitioner, err); err != nil {
		return Profile{}, err
	}
	return p, nil
}

// ExportView is what exports need to name the practitioner (FHIR
// Practitioner) and the practice (FHIR Organization). Empty strings are
// "not recorded". The credential is the first one with a registration
// number (the first credential if none has one).
type ExportView struct {
	Name               string
	Qualification      string
	Council            string // display name, e.g. "Rehabilitation Council of India"
	CouncilCode        Council
	RegistrationNumber string
	ValidFrom          string // YYYY-MM-DD or ""
	ValidUntil         string // YYYY-MM-DD or ""
	PracticeName       string
	PracticeAddress    string // one line, e.g. "12 MG Road, Pune, Maharashtra, 411001, India"
	PracticePhone      string
	PracticeEmail      string
}

// ExportView returns the practitioner and practice as exports name them.
func (s *Service) ExportView(ctx context.Context) (ExportView, error) {
	p, _, err := s.Profile(ctx)
	if err != nil {
		return ExportView{}, err
	}
	pr, err := s.Practice(ctx)
	if err != nil {
		return ExportView{}, err
	}
	v := ExportView{Name: p.Name, PracticeName: pr.Name, PracticeAddress: pr.Address.OneLine(),
		PracticePhone: pr.Contact.Phone, PracticeEmail: pr.Contact.Email}
	if len(p.Credentials) > 0 {
		cr := p.Credentials[0]
		for _, c := range p.Credentials {
			if c.RegistrationNumber != "" {
				cr = c
				break
			}
		}
		v.Qualification, v.CouncilCode, v.RegistrationNumber = cr.Qualification, cr.Council, cr.RegistrationNumber
		v.ValidFrom, v.ValidUntil = cr.ValidFrom, cr.ValidUntil
		if cr.Council != CouncilNone {
			v.Council = cr.DisplayCouncil()
		}
	}
	return v, nil
}

// openError marks a document that failed to open; it is audited after the
// store's transaction.
type openError struct{ err error }

func (e *openError) Error() string { return "open profile document: " + e.err.Error() }
func (e *openError) Unwrap() error { return e.err }

// openRow opens and decodes a row into v (no storage touched).
func openRow(keys Sealer, row Row, v any) error {
	b, err := keys.Open(documentAD(row.ID, row.Rev), row.Document)
	if err != nil {
		return &openError{err}
	}
	err = json.Unmarshal(b, v)
	clear(b)
	if err != nil {
		return &openError{fmt.Errorf("%w: %v", vault.ErrIntegrity, err)}
	}
	return nil
}

func (s *Service) open(ctx context.Context, keys Sealer, row Row, v any) error {
	return s.integrityOr(ctx, row.ID, openRow(keys, row, v))
}

// integrityOr turns an openError into an audited integrity error.
func (s *Service) integrityOr(ctx context.Context, id string, err error) error {
	var oe *openError
	if !errors.As(err, &oe) {
		return err
	}
	if errors.Is(oe.err, vault.ErrLocked) {
		return apperr.Wrap(apperr.Locked, "the vault is locked", oe.err)
	}
	rt := RecordTypeProfile
	if id == IDPractice {
		rt = RecordTypePractice
	}
	msg := "the " + rt + " failed its integrity check and was not used; restore from a backup or save it again"
	if e, eerr := s.entry(audit.ActionIntegrityError, rt, id, audit.D("reason", "envelope_rejected", "table", TableDocuments)); eerr == nil {
		if aerr := s.store.RecordAudit(ctx, e); aerr != nil {
			return apperr.Wrap(apperr.Integrity, msg, errors.Join(oe.err, aerr))
		}
	}
	return apperr.Wrap(apperr.Integrity, msg, oe.err)
}

func (s *Service) entry(action audit.Action, recordType, id string, d audit.Detail) (audit.Entry, error) {
	e, err := audit.Event{Action: action, RecordType: recordType, RecordID: id, Detail: d}.Entry(s.now().UTC(), s.actor)
	if err != nil {
		return audit.Entry{}, fmt.Errorf("profile: audit entry: %w", err)
	}
	return e, nil
}

func lockedOr(err error, what string) error {
	if errors.Is(err, vault.ErrLocked) {
		return apperr.Wrap(apperr.Locked, "the vault is locked", err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// submission seals what profile.submit sends the platform: the reviewed
// part of the profile (what matching uses, with the practitioner's
// preferences) as a version-1 profile document (docs/profile-format.md).
// Contact details and demographics the practitioner keeps for their own
// records stay here.
func submission(keys Sealer, p Profile, at time.Time) (*OutboxItem, error) {
	doc := reviewed(p)
	plain, err := json.Marshal(Document{Version: 1, Practitioner: &doc})
	if err != nil {
		return nil, fmt.Errorf("submit profile: encode: %w", err)
	}
	id := ids.New(at)
	env, err := keys.Seal(vault.AD{Table: "outbox", Column: "payload", RowID: id, Revision: 1}, plain)
	clear(plain)
	if err != nil {
		return nil, lockedOr(err, "submit profile: seal")
	}
	return &OutboxItem{ID: id, Kind: OutboxSubmit, EntityID: OutboxEntityID, Payload: env, CreatedAt: at}, nil
}
