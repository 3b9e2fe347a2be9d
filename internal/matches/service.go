package matches

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/ids"
	"github.com/calmally/practice/internal/vault"
)

// Outbox kinds this package queues (docs/sync-protocol.md, "Mutations").
const (
	OutboxAccept       = "match.accept"
	OutboxDecline      = "match.decline"
	OutboxMinorRefused = "minor.refused"
)

// MaxNote bounds a decline's note, in characters.
const MaxNote = 2000

// Config builds a Service.
type Config struct {
	Store Store
	// Keys returns the vault's sealer, or an apperr locked error while
	// locked. It is called on every operation.
	Keys  func() (Sealer, error)
	Now   func() time.Time // default time.Now
	Actor string           // an id, never a name
}

// Service is the match inbox's rules and operations.
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

// clock is now in UTC to the second (stored instants are fixed width).
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
		return audit.Entry{}, fmt.Errorf("matches: audit entry: %w", err)
	}
	return e, nil
}

// integrity audits an envelope that failed to open and returns the coded
// error; the detail names the column only.
func (s *Service) integrity(ctx context.Context, id string, cause error) error {
	if errors.Is(cause, vault.ErrLocked) {
		return apperr.Wrap(apperr.Locked, "the vault is locked", cause)
	}
	d := audit.D("reason", "envelope_rejected", "table", TableMatches)
	var oe *openError
	if errors.As(cause, &oe) {
		d = d.With("column", oe.column)
	}
	msg := "a match failed its integrity check and was not shown; restore from a backup or contact support"
	if e, err := s.entry(audit.ActionIntegrityError, id, d); err == nil {
		if aerr := s.store.RecordAudit(ctx, e); aerr != nil {
			return apperr.Wrap(apperr.Integrity, msg, errors.Join(cause, aerr))
		}
	}
	return apperr.Wrap(apperr.Integrity, msg, cause)
}

// outbox seals a mutation's payload.
func outbox(keys Sealer, kind, entityID string, at time.Time, payload map[string]any) (*OutboxItem, error) {
	plain, err := json.Marshal(payload)
	if err != nil {
		return nil, fmt.Errorf("matches: encode outbox payload: %w", err)
	}
	id := ids.New(at)
	env, err := keys.Seal(vault.AD{Table: "outbox", Column: "payload", RowID: id, Revision: 1}, plain)
	clear(plain)
	if err != nil {
		return nil, lockedOr(err, "matches: seal outbox payload")
	}
	return &OutboxItem{ID: id, Kind: kind, EntityID: entityID, Payload: env, CreatedAt: at}, nil
}

// refusal builds the record of a minor's refusal and its minor.refused
// mutation: the type, the id and the time, nothing else.
func (s *Service) refusal(keys Sealer, entityType, id string, at time.Time) (*Refusal, audit.Entry, error) {
	ob, err := outbox(keys, OutboxMinorRefused, id, at, map[string]any{
		"type": entityType, "id": id, "at": at.Format(time.RFC3339)})
	if err != nil {
		return nil, audit.Entry{}, err
	}
	e, err := s.entry(audit.ActionSync, id, audit.D("op", "minor_refused", "type", entityType))
	if err != nil {
		return nil, audit.Entry{}, err
	}
	return &Refusal{EntityType: entityType, EntityID: id, At: at, Outbox: *ob}, e, nil
}

// RefuseMinor records that the platform record id of entityType
// (RefusedMatch or RefusedClient) describes someone under 18 and queues
// minor.refused. Nothing of the record is kept but its type and id. Doing
// it again for the same record writes nothing; the result says whether
// this call refused it.
func (s *Service) RefuseMinor(ctx context.Context, entityType, id string) (bool, error) {
	if entityType != RefusedMatch && entityType != RefusedClient {
		return false, apperr.New(apperr.Invalid, "minor refusal: type must be match or client")
	}
	if !ids.Valid(id) {
		return false, apperr.New(apperr.Invalid, "minor refusal: id must be a UUID")
	}
	keys, err := s.sealer()
	if err != nil {
		return false, err
	}
	r, e, err := s.refusal(keys, entityType, id, s.clock())
	if err != nil {
		return false, err
	}
	return s.store.RefuseMinor(ctx, *r, e)
}

// Proposal is a match as the platform sends it.
type Proposal struct {
	ID          string
	Status      Status
	AgeBand     string
	Modality    Modality
	Concerns    []string
	Languages   []string
	Preferences string
	ProposedAt  time.Time
	RespondBy   time.Time
}

// Outcome is what Receive did.
type Outcome string

// Outcomes.
const (
	OutcomeStored    Outcome = "stored"    // inserted or updated
	OutcomeUnchanged Outcome = "unchanged" // an old or repeated version: nothing written
	OutcomeRefused   Outcome = "refused"   // a minor's: not stored, minor.refused queued (once)
)

func checkProposal(p Proposal) error {
	switch {
	case !ids.Valid(p.ID):
		return apperr.New(apperr.Invalid, "match: id must be a UUID")
	case !p.Status.valid():
		return apperr.New(apperr.Invalid, "match: unknown status")
	case !p.Modality.valid():
		return apperr.New(apperr.Invalid, "match: modality must be online, in_person or either")
	case p.ProposedAt.IsZero() || !p.RespondBy.After(p.ProposedAt):
		return apperr.New(apperr.Invalid, "match: respond-by must be after proposed-at")
	case !utf8.ValidString(p.Preferences) || utf8.RuneCountInString(p.Preferences) > 4000:
		return apperr.New(apperr.Invalid, "match: preferences at most 4000 characters")
	case len(p.Concerns) > 50 || len(p.Languages) > 50:
		return apperr.New(apperr.Invalid, "match: at most 50 concerns and 50 languages")
	}
	return nil
}

// Receive applies the platform's state of a match at version. A minor's
// proposal (an age band outside AdultBands) is refused: not stored (a
// stored earlier version is deleted), minor.refused queued once. A version
// at or below the one applied is a no-op. Nothing else is queued: the
// platform sent it.
func (s *Service) Receive(ctx context.Context, p Proposal, version int64) (Outcome, error) {
	if !ids.Valid(p.ID) {
		return "", apperr.New(apperr.Invalid, "match: id must be a UUID")
	}
	if version < 1 {
		return "", apperr.New(apperr.Invalid, "match: version must be 1 or more")
	}
	adult := IsAdultBand(p.AgeBand)
	if adult {
		if err := checkProposal(p); err != nil {
			return "", err
		}
	}
	keys, err := s.sealer()
	if err != nil {
		return "", err
	}
	at := s.clock()
	out := OutcomeUnchanged
	err = s.store.ApplyMatch(ctx, p.ID, func(cur *Row, refused bool) (*Change, error) {
		if refused {
			// Refused before: a minor's record stays refused, whatever a
			// later version says.
			return nil, nil
		}
		if !adult {
			r, e, err := s.refusal(keys, RefusedMatch, p.ID, at)
			if err != nil {
				return nil, err
			}
			out = OutcomeRefused
			return &Change{Delete: cur != nil, Audit: e, Refusal: r}, nil
		}
		if cur != nil && version <= cur.RemoteVersion {
			return nil, nil
		}
		var next Match
		var conflict *Conflict
		var d audit.Detail
		action := audit.ActionCreate
		if cur == nil {
			next = withPlatform(Match{ID: p.ID, Rev: 1, CreatedAt: at}, p)
			if next.Status == Declined {
				next.DeclineReason = ReasonOther
			}
			d = audit.D("source", "platform", "status", string(next.Status))
		} else {
			m, err := open(keys, *cur)
			if err != nil {
				return nil, err
			}
			var local, platform Status
			next, local, platform = merge(m, p)
			next.Rev = m.Rev + 1
			action, d = audit.ActionEdit, audit.D("op", "platform", "from", string(m.Status), "to", string(next.Status))
			if local != "" {
				conflict = &Conflict{Local: string(local), Platform: string(platform), Version: version, At: at}
				d = d.With("conflict", "recorded")
			}
		}
		e, err := s.entry(action, p.ID, d)
		if err != nil {
			return nil, err
		}
		next.RemoteVersion, next.UpdatedAt = version, at
		row, err := rowOf(keys, next)
		if err != nil {
			return nil, err
		}
		out = OutcomeStored
		return &Change{Next: &row, Audit: e, Conflict: conflict}, nil
	})
	if err != nil {
		return "", s.openOr(ctx, p.ID, err)
	}
	return out, nil
}

func (s *Service) openOr(ctx context.Context, id string, err error) error {
	var oe *openError
	if errors.As(err, &oe) {
		return s.integrity(ctx, id, err)
	}
	return err
}

// withPlatform copies the platform's fields of p into m.
func withPlatform(m Match, p Proposal) Match {
	m.Status, m.AgeBand, m.Modality = p.Status, p.AgeBand, p.Modality
	m.Concerns, m.Languages, m.Preferences = p.Concerns, p.Languages, p.Preferences
	m.ProposedAt, m.RespondBy = p.ProposedAt.UTC().Truncate(time.Second), p.RespondBy.UTC().Truncate(time.Second)
	return m
}

// merge applies the platform's state p over the local match cur. The
// platform wins, with one exception: while the practitioner's decision is
// on its way the platform still says "proposed", and that does not undo
// it. When the platform closes a match differently from the local decision
// (accepted here, withdrawn or expired there; declined here, accepted
// there), local and platform name the conflict; otherwise they are "".
func merge(cur Match, p Proposal) (next Match, local, platform Status) {
	next = withPlatform(cur, p)
	switch {
	case p.Status == Proposed && cur.Status.decided():
		next.Status = cur.Status
	case cur.Status == Accepted && p.Status != Accepted,
		cur.Status == Declined && p.Status == Accepted:
		local, platform = cur.Status, p.Status
	}
	if next.Status == Declined && next.DeclineReason == "" {
		next.DeclineReason = ReasonOther // declined on the platform: no reason reached us
	}
	if next.Status != Declined {
		next.DeclineReason = ""
	}
	return next, local, platform
}

// Withdrawn applies the platform's tombstone of a match at version: the
// match stays visible as withdrawn (a conflict is recorded if it was
// accepted here). An unknown match or an old version is a no-op.
func (s *Service) Withdrawn(ctx context.Context, id string, version int64) (Outcome, error) {
	if !ids.Valid(id) {
		return "", apperr.New(apperr.Invalid, "match: id must be a UUID")
	}
	keys, err := s.sealer()
	if err != nil {
		return "", err
	}
	at := s.clock()
	out := OutcomeUnchanged
	err = s.store.ApplyMatch(ctx, id, func(cur *Row, _ bool) (*Change, error) {
		if cur == nil || version <= cur.RemoteVersion {
			return nil, nil
		}
		m, err := open(keys, *cur)
		if err != nil {
			return nil, err
		}
		next := m
		next.Rev, next.Status, next.DeclineReason, next.RemoteVersion, next.UpdatedAt = m.Rev+1, Withdrawn, "", version, at
		var conflict *Conflict
		d := audit.D("op", "platform_withdrawn", "from", string(m.Status))
		if m.Status == Accepted {
			conflict = &Conflict{Local: string(Accepted), Platform: string(Withdrawn), Version: version, At: at}
			d = d.With("conflict", "recorded")
		}
		row, err := rowOf(keys, next)
		if err != nil {
			return nil, err
		}
		e, err := s.entry(audit.ActionEdit, id, d)
		if err != nil {
			return nil, err
		}
		out = OutcomeStored
		return &Change{Next: &row, Audit: e, Conflict: conflict}, nil
	})
	if err != nil {
		return "", s.openOr(ctx, id, err)
	}
	return out, nil
}

// Accept takes the client: recorded here, match.accept queued.
func (s *Service) Accept(ctx context.Context, id string) (Match, error) {
	return s.decide(ctx, id, Accepted, "", "")
}

// Decline refuses the client with a reason code (sent) and an optional note
// (kept here only, sealed).
func (s *Service) Decline(ctx context.Context, id string, reason DeclineReason, note string) (Match, error) {
	if !reason.valid() {
		return Match{}, apperr.New(apperr.Invalid, "decline reason: must be caseload_full, not_my_specialty, language, schedule or other")
	}
	note = strings.TrimSpace(note)
	if !utf8.ValidString(note) || utf8.RuneCountInString(note) > MaxNote {
		return Match{}, apperr.Errorf(apperr.Invalid, "decline note: at most %d characters of text", MaxNote)
	}
	return s.decide(ctx, id, Declined, reason, note)
}

func (s *Service) decide(ctx context.Context, id string, to Status, reason DeclineReason, note string) (Match, error) {
	if !ids.Valid(id) {
		return Match{}, ErrNotFound
	}
	keys, err := s.sealer()
	if err != nil {
		return Match{}, err
	}
	at := s.clock()
	var out Match
	err = s.store.ApplyMatch(ctx, id, func(cur *Row, _ bool) (*Change, error) {
		if cur == nil {
			return nil, ErrNotFound
		}
		m, err := open(keys, *cur)
		if err != nil {
			return nil, err
		}
		if m.Status != Proposed {
			return nil, apperr.New(apperr.Conflict, "match is "+string(m.Status)+": only a proposed match can be accepted or declined")
		}
		if !at.Before(m.RespondBy) {
			return nil, apperr.New(apperr.Conflict, "the time to respond to this match has passed")
		}
		next := m
		next.Rev, next.Status, next.DecidedAt, next.UpdatedAt = m.Rev+1, to, at, at
		next.DeclineReason, next.DeclineNote = reason, note
		row, err := rowOf(keys, next)
		if err != nil {
			return nil, err
		}
		kind, payload := OutboxAccept, map[string]any{"matchId": id, "at": at.Format(time.RFC3339)}
		d := audit.D("op", "accept")
		if to == Declined {
			kind, payload["reason"] = OutboxDecline, string(reason)
			d = audit.D("op", "decline", "reason", string(reason))
		}
		ob, err := outbox(keys, kind, id, at, payload)
		if err != nil {
			return nil, err
		}
		e, err := s.entry(audit.ActionEdit, id, d)
		if err != nil {
			return nil, err
		}
		out = next
		return &Change{Next: &row, Audit: e, Outbox: ob}, nil
	})
	if err != nil {
		return Match{}, s.openOr(ctx, id, err)
	}
	return out, nil
}

// Get opens one match; the view is audited.
func (s *Service) Get(ctx context.Context, id string) (Match, error) {
	if !ids.Valid(id) {
		return Match{}, ErrNotFound
	}
	keys, err := s.sealer()
	if err != nil {
		return Match{}, err
	}
	e, err := s.entry(audit.ActionView, id, audit.Detail{})
	if err != nil {
		return Match{}, err
	}
	r, err := s.store.MatchRow(ctx, id, e)
	if err != nil {
		return Match{}, err
	}
	m, err := open(keys, r)
	if err != nil {
		return Match{}, s.integrity(ctx, id, err)
	}
	return m, nil
}

// List opens every match, audited as one view: those still open first,
// nearest deadline first, then the rest, newest proposal first. A match
// that fails its integrity check is audited and left out.
func (s *Service) List(ctx context.Context) ([]Match, error) {
	keys, err := s.sealer()
	if err != nil {
		return nil, err
	}
	e, err := s.entry(audit.ActionView, "", audit.D("op", "list"))
	if err != nil {
		return nil, err
	}
	rows, err := s.store.MatchRows(ctx, e)
	if err != nil {
		return nil, err
	}
	out := make([]Match, 0, len(rows))
	for _, r := range rows {
		m, err := open(keys, r)
		if err != nil {
			if ierr := s.integrity(ctx, r.ID, err); apperr.CodeOf(ierr) == apperr.Locked {
				return nil, ierr
			}
			continue
		}
		out = append(out, m)
	}
	Sort(out, s.clock())
	return out, nil
}

// Sort orders matches as the inbox shows them at now.
func Sort(ms []Match, now time.Time) {
	sort.SliceStable(ms, func(i, j int) bool {
		a, b := ms[i], ms[j]
		if ao, bo := a.Open(now), b.Open(now); ao != bo {
			return ao
		} else if ao {
			return a.RespondBy.Before(b.RespondBy)
		}
		if !a.ProposedAt.Equal(b.ProposedAt) {
			return a.ProposedAt.After(b.ProposedAt)
		}
		return a.ID < b.ID
	})
}
