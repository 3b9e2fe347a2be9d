package availability

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/vault"
)

// Outbox kinds this package queues.
const (
	// OutboxPublish carries the whole schedule to the backend (payload: the
	// Schedule JSON), so the platform offers the same slots.
	OutboxPublish = "availability.publish"
	// OutboxEntity is the entity id of availability mutations: there is one
	// schedule per practice.
	OutboxEntity = "schedule"
)

// Config builds a Service.
type Config struct {
	Store Store
	// Keys returns the vault's sealer, or an apperr locked error while
	// locked. It is called on every operation.
	Keys  func() (Sealer, error)
	Now   func() time.Time // default time.Now
	Actor string           // an id, never a name
}

// Service is the availability's rules and operations. The hook fields are
// set by the profile (internal/practice) after NewService.
type Service struct {
	store Store
	keys  func() (Sealer, error)
	now   func() time.Time
	actor string

	// Busy lists the requested and confirmed bookings overlapping [from,
	// to). nil: nothing is busy.
	Busy func(ctx context.Context, from, to time.Time) ([]Busy, error)
	// CancelBooking cancels one booking by the practitioner with a message
	// for the client (used by SaveTimeOff). nil: cancelling is refused.
	CancelBooking func(ctx context.Context, id, message string) error
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

// Now is the service's clock in UTC.
func (s *Service) Now() time.Time { return s.now().UTC() }

func (s *Service) sealer() (Sealer, error) {
	if s.keys == nil {
		return nil, apperr.New(apperr.Locked, "the vault is locked")
	}
	return s.keys()
}

func (s *Service) entry(action audit.Action, id string, d audit.Detail) (audit.Entry, error) {
	e, err := audit.Event{Action: action, RecordType: RecordType, RecordID: id, Detail: d}.Entry(s.Now(), s.actor)
	if err != nil {
		return audit.Entry{}, fmt.Errorf("availability: audit entry: %w", err)
	}
	return e, nil
}

func rulesAD(id string, rev int64) vault.AD {
	return vault.AD{Table: TableAvailability, Column: ColRules, RowID: id, Revision: rev}
}

// Get returns the stored schedule (an empty one if none was set).
func (s *Service) Get(ctx context.Context) (Schedule, error) {
	keys, err := s.sealer()
	if err != nil {
		return Schedule{}, err
	}
	rows, err := s.store.RuleSetRows(ctx)
	if err != nil {
		return Schedule{}, err
	}
	return s.open(ctx, keys, rows)
}

// openError is a rule set that failed to open (id "" for the schedule as a
// whole); it is audited once the store's transaction is over.
type openError struct {
	id  string
	err error
}

func (e *openError) Error() string { return "open availability rules: " + e.err.Error() }
func (e *openError) Unwrap() error { return e.err }

func (s *Service) open(ctx context.Context, keys Sealer, rows []Row) (Schedule, error) {
	sch, err := openRows(keys, rows)
	var oe *openError
	if errors.As(err, &oe) {
		return Schedule{}, s.integrity(ctx, oe.id, oe.err)
	}
	return sch, err
}

// openRows opens and validates every row; it touches no storage, so it is
// safe inside the store's transaction.
func openRows(keys Sealer, rows []Row) (Schedule, error) {
	sch := Schedule{Version: FormatVersion, RuleSets: []RuleSet{}}
	for _, r := range rows {
		b, err := keys.Open(rulesAD(r.ID, r.Rev), r.Rules)
		if err != nil {
			return Schedule{}, &openError{r.ID, err}
		}
		var rs RuleSet
		err = json.Unmarshal(b, &rs)
		clear(b)
		if err != nil {
			return Schedule{}, &openError{r.ID, fmt.Errorf("%w: %v", vault.ErrIntegrity, err)}
		}
		rs.ID, rs.Rev = r.ID, r.Rev
		sch.RuleSets = append(sch.RuleSets, rs)
	}
	if err := sch.Normalize(); err != nil {
		return Schedule{}, &openError{"", fmt.Errorf("%w: stored rules no longer valid: %v", vault.ErrIntegrity, err)}
	}
	return sch, nil
}

func (s *Service) integrity(ctx context.Context, id string, cause error) error {
	if errors.Is(cause, vault.ErrLocked) {
		return apperr.Wrap(apperr.Locked, "the vault is locked", cause)
	}
	msg := "the availability rules failed their integrity check and were not used; restore from a backup or set them again"
	if e, err := s.entry(audit.ActionIntegrityError, id, audit.D("reason", "envelope_rejected", "table", TableAvailability)); err == nil {
		if aerr := s.store.RecordAudit(ctx, e); aerr != nil {
			return apperr.Wrap(apperr.Integrity, msg, errors.Join(cause, aerr))
		}
	}
	return apperr.Wrap(apperr.Integrity, msg, cause)
}

// Set replaces the schedule. Rule sets carrying the id of a stored row
// update it (their Rev, if not zero, must be the stored one: conflict
// otherwise); others are added; stored rows not named are removed. The save,
// its audit entry and an outbox item publishing the schedule commit together.
func (s *Service) Set(ctx context.Context, sch Schedule) (Schedule, error) {
	sch = sch.Clone() // the caller's schedule is left as it was
	if err := sch.Normalize(); err != nil {
		return Schedule{}, err
	}
	return s.save(ctx, "set", func(Schedule) (Schedule, error) { return sch, nil })
}

// save loads the stored schedule inside the store's transaction, lets edit
// produce the next one and writes it.
func (s *Service) save(ctx context.Context, op string, edit func(cur Schedule) (Schedule, error)) (Schedule, error) {
	keys, err := s.sealer()
	if err != nil {
		return Schedule{}, err
	}
	var saved Schedule
	err = s.store.UpdateRuleSets(ctx, func(cur []Row) (Change, error) {
		curSch, err := openRows(keys, cur)
		if err != nil {
			return Change{}, err
		}
		next, err := edit(curSch)
		if err != nil {
			return Change{}, err
		}
		if err := next.Normalize(); err != nil {
			return Change{}, err
		}
		at := s.Now()
		byID := make(map[string]Row, len(cur))
		for _, r := range cur {
			byID[r.ID] = r
		}
		var ch Change
		kept := map[string]bool{}
		for i := range next.RuleSets {
			rs := &next.RuleSets[i]
			row := Row{ID: rs.ID, Rev: 1, CreatedAt: at, UpdatedAt: at}
			if old, ok := byID[rs.ID]; ok && rs.ID != "" {
				if rs.Rev != 0 && rs.Rev != old.Rev {
					return Change{}, apperr.New(apperr.Conflict, "the availability was changed elsewhere: reload it and try again")
				}
				row.Rev, row.CreatedAt = old.Rev+1, old.CreatedAt
				kept[rs.ID] = true
			} else {
				row.ID = uuid.Must(uuid.NewV7()).String()
			}
			rs.ID, rs.Rev = "", 0
			plain, err := json.Marshal(rs)
			if err != nil {
				return Change{}, fmt.Errorf("save availability: encode: %w", err)
			}
			row.Rules, err = keys.Seal(rulesAD(row.ID, row.Rev), plain)
			clear(plain)
			if err != nil {
				return Change{}, lockedOr(err, "save availability: seal")
			}
			rs.ID, rs.Rev = row.ID, row.Rev
			ch.Upsert = append(ch.Upsert, row)
		}
		for _, r := range cur {
			if !kept[r.ID] {
				ch.Delete = append(ch.Delete, r.ID)
			}
		}
		if ch.Audit, err = s.entry(audit.ActionEdit, OutboxEntity, audit.D("op", op,
			"rule_sets", fmt.Sprint(len(next.RuleSets)))); err != nil {
			return Change{}, err
		}
		if ch.Outbox, err = s.outbox(keys, at, next); err != nil {
			return Change{}, err
		}
		saved = next
		return ch, nil
	})
	var oe *openError
	if errors.As(err, &oe) {
		return Schedule{}, s.integrity(ctx, oe.id, oe.err)
	}
	if err != nil {
		return Schedule{}, err
	}
	return saved, nil
}

func lockedOr(err error, what string) error {
	if errors.Is(err, vault.ErrLocked) {
		return apperr.Wrap(apperr.Locked, "the vault is locked", err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// outbox seals the schedule as a publish mutation.
func (s *Service) outbox(keys Sealer, at time.Time, sch Schedule) (*OutboxItem, error) {
	pub := Schedule{Version: sch.Version, RuleSets: make([]RuleSet, len(sch.RuleSets))}
	for i, rs := range sch.RuleSets {
		rs.Rev = 0
		pub.RuleSets[i] = rs
	}
	plain, err := json.Marshal(pub)
	if err != nil {
		return nil, fmt.Errorf("save availability: encode outbox: %w", err)
	}
	id := uuid.Must(uuid.NewV7()).String()
	env, err := keys.Seal(vault.AD{Table: "outbox", Column: "payload", RowID: id, Revision: 1}, plain)
	clear(plain)
	if err != nil {
		return nil, lockedOr(err, "save availability: seal outbox")
	}
	return &OutboxItem{ID: id, Kind: OutboxPublish, EntityID: OutboxEntity, Payload: env, CreatedAt: at}, nil
}

// Slots returns the bookable slots starting in [from, to) as of now, with
// the Busy hook's bookings blocking theirs.
func (s *Service) Slots(ctx context.Context, from, to time.Time) ([]Slot, error) {
	if !from.Before(to) {
		return nil, apperr.New(apperr.Invalid, "slots: from must be before to")
	}
	if to.Sub(from) > 400*24*time.Hour {
		return nil, apperr.New(apperr.Invalid, "slots: at most 400 days at a time")
	}
	sch, err := s.Get(ctx)
	if err != nil {
		return nil, err
	}
	var busy []Busy
	if s.Busy != nil {
		if busy, err = s.Busy(ctx, from.Add(-24*time.Hour), to.Add(24*time.Hour)); err != nil {
			return nil, err
		}
	}
	return Slots(sch, from, to, s.Now(), busy), nil
}

// zoneFor is the zone time off on date d is read in: that of the rule set
// covering d, else the next to begin, else DefaultZone.
func zoneFor(sch Schedule, d Date) *time.Location {
	for _, r := range sch.RuleSets {
		if r.covers(d) || d.Before(r.EffectiveFrom) {
			return r.Loc()
		}
	}
	if loc, err := time.LoadLocation(DefaultZone); err == nil {
		return loc
	}
	return time.UTC
}

// TimeOffCollisions lists the bookings the time off would collide with.
func (s *Service) TimeOffCollisions(ctx context.Context, req TimeOffRequest) ([]Busy, error) {
	sch, err := s.Get(ctx)
	if err != nil {
		return nil, err
	}
	_, busy, err := s.collisions(ctx, sch, req)
	return busy, err
}

func (s *Service) collisions(ctx context.Context, sch Schedule, req TimeOffRequest) (*time.Location, []Busy, error) {
	loc := zoneFor(sch, req.From)
	if req.Zone != "" {
		l, err := time.LoadLocation(req.Zone)
		if err != nil {
			return nil, nil, invalid("time off: zone must be an IANA zone name")
		}
		loc = l
	}
	spans, err := req.Spans(loc)
	if err != nil || len(spans) == 0 || s.Busy == nil {
		return loc, nil, err
	}
	busy, err := s.Busy(ctx, spans[0].Start, spans[len(spans)-1].End)
	if err != nil {
		return nil, nil, err
	}
	out, err := Collisions(req, loc, busy)
	return loc, out, err
}

// SaveTimeOff adds the time off to every rule set whose period it touches.
// If it collides with bookings, decisions must name each one (keep, or
// cancel with a message); otherwise nothing is saved and the error is a
// conflict naming how many are undecided. Cancellations run first, each in
// its own transaction with its outbox item; if saving the time off then
// fails, the cancellations stand (they were decided) and a retry lists no
// collision for them.
func (s *Service) SaveTimeOff(ctx context.Context, req TimeOffRequest, decisions map[string]Decision) (Schedule, error) {
	ex, err := req.exception()
	if err != nil {
		return Schedule{}, err
	}
	sch, err := s.Get(ctx)
	if err != nil {
		return Schedule{}, err
	}
	touched := false
	for _, r := range sch.RuleSets {
		touched = touched || overlapsPeriod(r, ex)
	}
	if !touched {
		return Schedule{}, invalid("time off: no availability rules cover those dates")
	}
	_, coll, err := s.collisions(ctx, sch, req)
	if err != nil {
		return Schedule{}, err
	}
	undecided := 0
	for _, b := range coll {
		d, ok := decisions[b.ID]
		if !ok {
			undecided++
			continue
		}
		if d.Cancel && len(d.Message) == 0 {
			return Schedule{}, invalid("time off: a cancellation needs a message for the client")
		}
	}
	if undecided > 0 {
		return Schedule{}, apperr.Errorf(apperr.Conflict,
			"time off collides with %d booking(s) without a decision: keep or cancel each", undecided)
	}
	for _, b := range coll {
		if d := decisions[b.ID]; d.Cancel {
			if s.CancelBooking == nil {
				return Schedule{}, apperr.New(apperr.Forbidden, "time off: bookings cannot be cancelled here")
			}
			if err := s.CancelBooking(ctx, b.ID, d.Message); err != nil {
				return Schedule{}, err
			}
		}
	}
	return s.save(ctx, "time_off", func(cur Schedule) (Schedule, error) {
		for i := range cur.RuleSets {
			if overlapsPeriod(cur.RuleSets[i], ex) {
				cur.RuleSets[i].Exceptions = append(cur.RuleSets[i].Exceptions, ex)
			}
		}
		return cur, nil
	})
}

func overlapsPeriod(r RuleSet, e Exception) bool {
	if !r.EffectiveFrom.IsZero() && e.last().Before(r.EffectiveFrom) {
		return false
	}
	if !r.EffectiveUntil.IsZero() && r.EffectiveUntil.Before(e.From) {
		return false
	}
	return true
}
