package notices

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
	OutboxAcknowledge = "grievance.acknowledge"
	OutboxResolve     = "grievance.resolve"
	OutboxRemove      = "takedown.remove"
	OutboxDispute     = "takedown.dispute"
)

// MaxResponse bounds a response, in characters (the protocol's text limit).
const MaxResponse = 4000

// Config builds a Service.
type Config struct {
	Store Store
	// Keys returns the vault's sealer, or an apperr locked error while
	// locked. It is called on every operation.
	Keys  func() (Sealer, error)
	Now   func() time.Time // default time.Now
	Actor string           // an id, never a name
}

// Service is the notices' rules and operations.
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

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Second) }

func (s *Service) sealer() (Sealer, error) {
	if s.keys == nil {
		return nil, apperr.New(apperr.Locked, "the vault is locked")
	}
	return s.keys()
}

// entry builds an audit entry; the record type is the notice's kind.
func (s *Service) entry(action audit.Action, kind Kind, id string, d audit.Detail) (audit.Entry, error) {
	rt := string(kind)
	if rt == "" {
		rt = "notice"
	}
	e, err := audit.Event{Action: action, RecordType: rt, RecordID: id, Detail: d}.Entry(s.clock(), s.actor)
	if err != nil {
		return audit.Entry{}, fmt.Errorf("notices: audit entry: %w", err)
	}
	return e, nil
}

func (s *Service) integrity(ctx context.Context, id string, cause error) error {
	if errors.Is(cause, vault.ErrLocked) {
		return apperr.Wrap(apperr.Locked, "the vault is locked", cause)
	}
	d := audit.D("reason", "envelope_rejected", "table", TableNotices)
	var oe *openError
	if errors.As(cause, &oe) {
		d = d.With("column", oe.column)
	}
	msg := "a notice failed its integrity check and was not shown; restore from a backup or contact support"
	if e, err := s.entry(audit.ActionIntegrityError, "", id, d); err == nil {
		if aerr := s.store.RecordAudit(ctx, e); aerr != nil {
			return apperr.Wrap(apperr.Integrity, msg, errors.Join(cause, aerr))
		}
	}
	return apperr.Wrap(apperr.Integrity, msg, cause)
}

func (s *Service) openOr(ctx context.Context, id string, err error) error {
	var oe *openError
	if errors.As(err, &oe) {
		return s.integrity(ctx, id, err)
	}
	return err
}

func outbox(keys Sealer, kind, entityID string, at time.Time, payload map[string]any) (OutboxItem, error) {
	plain, err := json.Marshal(payload)
	if err != nil {
		return OutboxItem{}, fmt.Errorf("notices: encode outbox payload: %w", err)
	}
	id := ids.New(at)
	env, err := keys.Seal(vault.AD{Table: "outbox", Column: "payload", RowID: id, Revision: 1}, plain)
	clear(plain)
	if err != nil {
		return OutboxItem{}, lockedOr(err, "notices: seal outbox payload")
	}
	return OutboxItem{ID: id, Kind: kind, EntityID: entityID, Payload: env, CreatedAt: at}, nil
}

// Incoming is a notice as the platform sends it.
type Incoming struct {
	ID         string
	Kind       Kind
	Status     Status
	Category   string // grievance
	Summary    string // grievance
	ContentRef string // takedown
	Reason     string // takedown
	ReceivedAt time.Time
	// AcknowledgeBy and ResolveBy (grievance) or RemoveBy (takedown).
	AcknowledgeBy time.Time
	ResolveBy     time.Time
	RemoveBy      time.Time
}

// capAt returns the platform's deadline, brought back to received+limit if
// later (or if missing).
func capAt(platform, received time.Time, limit time.Duration) time.Time {
	max := received.Add(limit)
	if platform.IsZero() || platform.After(max) {
		return max
	}
	return platform.UTC().Truncate(time.Second)
}

func checkIncoming(in Incoming) error {
	switch {
	case !ids.Valid(in.ID):
		return apperr.New(apperr.Invalid, "notice: id must be a UUID")
	case !in.Kind.valid():
		return apperr.New(apperr.Invalid, "notice: kind must be grievance or takedown")
	case rank(in.Kind, in.Status) < 0:
		return apperr.New(apperr.Invalid, "notice: status is not one of its kind")
	case in.ReceivedAt.IsZero():
		return apperr.New(apperr.Invalid, "notice: received-at is required")
	}
	for _, f := range []string{in.Category, in.Summary, in.ContentRef, in.Reason} {
		if !utf8.ValidString(f) || utf8.RuneCountInString(f) > MaxResponse {
			return apperr.Errorf(apperr.Invalid, "notice: text at most %d characters", MaxResponse)
		}
	}
	return nil
}

// withPlatform copies in's platform fields into n, deadlines capped by the
// rules.
func withPlatform(n Notice, in Incoming) Notice {
	n.Kind, n.ReceivedAt = in.Kind, in.ReceivedAt.UTC().Truncate(time.Second)
	n.Category, n.Summary, n.ContentRef, n.Reason = in.Category, in.Summary, in.ContentRef, in.Reason
	n.AcknowledgeBy, n.ResolveBy, n.RemoveBy = time.Time{}, time.Time{}, time.Time{}
	if in.Kind == Grievance {
		n.AcknowledgeBy = capAt(in.AcknowledgeBy, n.ReceivedAt, AcknowledgeWithin)
		n.ResolveBy = capAt(in.ResolveBy, n.ReceivedAt, ResolveWithin)
	} else {
		n.RemoveBy = capAt(in.RemoveBy, n.ReceivedAt, RemoveWithin)
	}
	return n
}

// merge applies the platform's status over the local one: forward moves
// win; a platform status behind a local answer (still on its way) does not
// undo it; a different answer at the same step (removed there, disputed
// here) wins and names a conflict.
func merge(cur Notice, platform Status, at time.Time) (next Notice, conflictLocal Status) {
	next = cur
	lr, pr := rank(cur.Kind, cur.Status), rank(cur.Kind, platform)
	switch {
	case pr > lr:
		next.Status = platform
	case pr == lr && platform != cur.Status:
		next.Status, conflictLocal = platform, cur.Status
	}
	stamp(&next, at)
	return next, conflictLocal
}

// stamp sets when a notice was acknowledged and closed, once.
func stamp(n *Notice, at time.Time) {
	if n.Kind == Grievance && n.Status != Open && n.AcknowledgedAt.IsZero() {
		n.AcknowledgedAt = at
	}
	if n.Closed() && n.ClosedAt.IsZero() {
		n.ClosedAt = at
	}
}

// Receive applies the platform's state of a notice at version. A version at
// or below the one applied is a no-op (false). Nothing is queued.
func (s *Service) Receive(ctx context.Context, in Incoming, version int64) (bool, error) {
	if err := checkIncoming(in); err != nil {
		return false, err
	}
	if version < 1 {
		return false, apperr.New(apperr.Invalid, "notice: version must be 1 or more")
	}
	keys, err := s.sealer()
	if err != nil {
		return false, err
	}
	at := s.clock()
	stored := false
	err = s.store.ApplyNotice(ctx, in.ID, func(cur *Row) (*Change, error) {
		if cur != nil && cur.Kind != in.Kind {
			return nil, apperr.New(apperr.Invalid, "notice: a notice does not change its kind")
		}
		if cur != nil && version <= cur.RemoteVersion {
			return nil, nil
		}
		var next Notice
		var conflict *Conflict
		action, d := audit.ActionCreate, audit.D("source", "platform", "status", string(in.Status))
		if cur == nil {
			next = withPlatform(Notice{ID: in.ID, Rev: 1, Status: in.Status, CreatedAt: at}, in)
			stamp(&next, at)
		} else {
			n, err := open(keys, *cur)
			if err != nil {
				return nil, err
			}
			var local Status
			next, local = merge(withPlatform(n, in), in.Status, at)
			next.Rev = n.Rev + 1
			action, d = audit.ActionEdit, audit.D("op", "platform", "from", string(n.Status), "to", string(next.Status))
			if local != "" {
				conflict = &Conflict{Local: string(local), Platform: string(in.Status), Version: version, At: at}
				d = d.With("conflict", "recorded")
			}
		}
		next.RemoteVersion, next.UpdatedAt = version, at
		row, err := rowOf(keys, next)
		if err != nil {
			return nil, err
		}
		e, err := s.entry(action, in.Kind, in.ID, d)
		if err != nil {
			return nil, err
		}
		stored = true
		return &Change{Next: &row, Audit: e, Conflict: conflict}, nil
	})
	if err != nil {
		return false, s.openOr(ctx, in.ID, err)
	}
	return stored, nil
}

// Withdrawn applies the platform's tombstone of a notice at version: the
// platform withdrew it, so it leaves the Requests screen (the deletion is
// audited). An unknown notice or an old version is a no-op.
func (s *Service) Withdrawn(ctx context.Context, id string, version int64) (bool, error) {
	if !ids.Valid(id) {
		return false, apperr.New(apperr.Invalid, "notice: id must be a UUID")
	}
	if _, err := s.sealer(); err != nil {
		return false, err
	}
	done := false
	err := s.store.ApplyNotice(ctx, id, func(cur *Row) (*Change, error) {
		if cur == nil || version <= cur.RemoteVersion {
			return nil, nil
		}
		e, err := s.entry(audit.ActionDelete, cur.Kind, id, audit.D("op", "platform_withdrawn", "status", string(cur.Status)))
		if err != nil {
			return nil, err
		}
		done = true
		return &Change{Delete: true, Audit: e}, nil
	})
	return done, err
}

func checkResponse(response string, required bool) (string, error) {
	response = strings.TrimSpace(response)
	if !utf8.ValidString(response) || utf8.RuneCountInString(response) > MaxResponse {
		return "", apperr.Errorf(apperr.Invalid, "response: at most %d characters of text", MaxResponse)
	}
	if required && response == "" {
		return "", apperr.New(apperr.Invalid, "response: required")
	}
	return response, nil
}

// Acknowledge acknowledges an open grievance.
func (s *Service) Acknowledge(ctx context.Context, id string) (Notice, error) {
	return s.answer(ctx, id, Grievance, Acknowledged, "")
}

// Resolve resolves a grievance with the response sent to the complainant.
// An open grievance is acknowledged in the same step (both are queued).
func (s *Service) Resolve(ctx context.Context, id, response string) (Notice, error) {
	r, err := checkResponse(response, true)
	if err != nil {
		return Notice{}, err
	}
	return s.answer(ctx, id, Grievance, Resolved, r)
}

// Remove records that the content named by a takedown notice was removed,
// with an optional response.
func (s *Service) Remove(ctx context.Context, id, response string) (Notice, error) {
	r, err := checkResponse(response, false)
	if err != nil {
		return Notice{}, err
	}
	return s.answer(ctx, id, Takedown, Removed, r)
}

// Dispute disputes a takedown notice; the response says why.
func (s *Service) Dispute(ctx context.Context, id, response string) (Notice, error) {
	r, err := checkResponse(response, true)
	if err != nil {
		return Notice{}, err
	}
	return s.answer(ctx, id, Takedown, Disputed, r)
}

func (s *Service) answer(ctx context.Context, id string, kind Kind, to Status, response string) (Notice, error) {
	if !ids.Valid(id) {
		return Notice{}, ErrNotFound
	}
	keys, err := s.sealer()
	if err != nil {
		return Notice{}, err
	}
	at := s.clock()
	var out Notice
	err = s.store.ApplyNotice(ctx, id, func(cur *Row) (*Change, error) {
		if cur == nil || cur.Kind != kind {
			return nil, ErrNotFound
		}
		n, err := open(keys, *cur)
		if err != nil {
			return nil, err
		}
		if rank(kind, to) <= rank(kind, n.Status) {
			return nil, apperr.New(apperr.Conflict, string(kind)+" is already "+string(n.Status))
		}
		next := n
		next.Rev, next.Status, next.UpdatedAt = n.Rev+1, to, at
		if response != "" || to != Acknowledged {
			next.Response = response
		}
		stamp(&next, at)
		row, err := rowOf(keys, next)
		if err != nil {
			return nil, err
		}
		var items []OutboxItem
		add := func(kind string, extra map[string]any) error {
			p := map[string]any{"at": at.Format(time.RFC3339)}
			for k, v := range extra {
				p[k] = v
			}
			ob, err := outbox(keys, kind, id, at, p)
			items = append(items, ob)
			return err
		}
		switch {
		case kind == Grievance:
			if n.Status == Open {
				err = add(OutboxAcknowledge, map[string]any{"grievanceId": id})
			}
			if err == nil && to == Resolved {
				err = add(OutboxResolve, map[string]any{"grievanceId": id, "response": response})
			}
		case to == Removed:
			err = add(OutboxRemove, map[string]any{"takedownId": id, "response": response})
		default:
			err = add(OutboxDispute, map[string]any{"takedownId": id, "response": response})
		}
		if err != nil {
			return nil, err
		}
		e, err := s.entry(audit.ActionEdit, kind, id, audit.D("op", string(to), "from", string(n.Status)))
		if err != nil {
			return nil, err
		}
		out = next
		return &Change{Next: &row, Audit: e, Outbox: items}, nil
	})
	if err != nil {
		return Notice{}, s.openOr(ctx, id, err)
	}
	return out, nil
}

// Get opens one notice; the view is audited.
func (s *Service) Get(ctx context.Context, id string) (Notice, error) {
	if !ids.Valid(id) {
		return Notice{}, ErrNotFound
	}
	keys, err := s.sealer()
	if err != nil {
		return Notice{}, err
	}
	e, err := s.entry(audit.ActionView, "", id, audit.Detail{})
	if err != nil {
		return Notice{}, err
	}
	r, err := s.store.NoticeRow(ctx, id, e)
	if err != nil {
		return Notice{}, err
	}
	n, err := open(keys, r)
	if err != nil {
		return Notice{}, s.integrity(ctx, id, err)
	}
	return n, nil
}

// List opens every notice, audited as one view, sorted by Sort. A notice
// that fails its integrity check is audited and left out.
func (s *Service) List(ctx context.Context) ([]Notice, error) {
	keys, err := s.sealer()
	if err != nil {
		return nil, err
	}
	e, err := s.entry(audit.ActionView, "", "", audit.D("op", "list"))
	if err != nil {
		return nil, err
	}
	rows, err := s.store.NoticeRows(ctx, e)
	if err != nil {
		return nil, err
	}
	out := make([]Notice, 0, len(rows))
	for _, r := range rows {
		n, err := open(keys, r)
		if err != nil {
			if ierr := s.integrity(ctx, r.ID, err); apperr.CodeOf(ierr) == apperr.Locked {
				return nil, ierr
			}
			continue
		}
		out = append(out, n)
	}
	Sort(out)
	return out, nil
}

// Sort orders notices nearest deadline first (so the overdue lead), then
// the closed ones, most recently received first.
func Sort(ns []Notice) {
	sort.SliceStable(ns, func(i, j int) bool {
		a, b := ns[i], ns[j]
		as, ad := a.Next()
		bs, bd := b.Next()
		if (as == StepNone) != (bs == StepNone) {
			return as != StepNone
		}
		if as != StepNone && !ad.Equal(bd) {
			return ad.Before(bd)
		}
		if !a.ReceivedAt.Equal(b.ReceivedAt) {
			return a.ReceivedAt.After(b.ReceivedAt)
		}
		return a.ID < b.ID
	})
}
