package bookings

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/vault"
)

// Outbox kinds this package queues (docs/outbox.md).
const (
	OutboxConfirm  = "booking.confirm"
	OutboxDecline  = "booking.decline"
	OutboxCancel   = "booking.cancel"
	OutboxComplete = "booking.complete"
	OutboxNoShow   = "booking.no_show"
	// OutboxWalkIn tells the platform a time is taken by a session booked
	// at the clinic; its payload carries times and modality, no client.
	OutboxWalkIn = "booking.walk_in"
	// OutboxRecording and OutboxRemind carry a session's recording decision
	// and a reminder request (session.go).
	OutboxRecording = "booking.recording"
	OutboxRemind    = "booking.remind"
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

// Service is the bookings' rules and operations. Hook fields are set by the
// profile (internal/practice) after NewService.
type Service struct {
	store Store
	keys  func() (Sealer, error)
	now   func() time.Time
	actor string

	// RequireTeleconsultConsent, if set, must allow confirming an online
	// session for the client (teleconsultation consent). nil allows, until
	// the consent ledger wires it. A booking with no client yet is refused
	// while the hook is set: consent cannot be checked for nobody.
	RequireTeleconsultConsent func(ctx context.Context, clientID string) error
	// RequireRecordingConsent and RequireRemindersConsent, if set, must
	// allow recording a session and reminding the client of one (session.go).
	// nil refuses: recording and reminders are never on by default.
	RequireRecordingConsent func(ctx context.Context, clientID string) error
	RequireRemindersConsent func(ctx context.Context, clientID string) error
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

func lockedOr(err error, what string) error {
	if errors.Is(err, vault.ErrLocked) {
		return apperr.Wrap(apperr.Locked, "the vault is locked", err)
	}
	if apperr.CodeOf(err) != apperr.Internal {
		return err
	}
	return fmt.Errorf("%s: %w", what, err)
}

func (s *Service) entry(action audit.Action, id string, d audit.Detail) (audit.Entry, error) {
	e, err := audit.Event{Action: action, RecordType: RecordType, RecordID: id, Detail: d}.Entry(s.clock(), s.actor)
	if err != nil {
		return audit.Entry{}, fmt.Errorf("bookings: audit entry: %w", err)
	}
	return e, nil
}

// integrity audits an envelope that failed to open and returns the coded
// error; the detail names the column only.
func (s *Service) integrity(ctx context.Context, id string, cause error) error {
	if errors.Is(cause, vault.ErrLocked) {
		return apperr.Wrap(apperr.Locked, "the vault is locked", cause)
	}
	d := audit.D("reason", "envelope_rejected", "table", TableBookings)
	var oe *openError
	if errors.As(cause, &oe) {
		d = d.With("column", oe.column)
	}
	msg := "a booking failed its integrity check and was not shown; restore from a backup or contact support"
	if e, err := s.entry(audit.ActionIntegrityError, id, d); err == nil {
		if aerr := s.store.RecordAudit(ctx, e); aerr != nil {
			return apperr.Wrap(apperr.Integrity, msg, errors.Join(cause, aerr))
		}
	}
	return apperr.Wrap(apperr.Integrity, msg, cause)
}

// validID reports whether s is a canonical lowercase UUID.
func validID(s string) bool {
	u, err := uuid.Parse(s)
	return err == nil && u.String() == s
}

// Limits on free text, so a hostile sync payload cannot bloat the database.
const (
	maxLabel   = 200
	maxLink    = 2000
	maxText    = 20000
	maxFee     = 10_000_000 * 100 // ₹1 crore, in paise
	maxSession = 12 * time.Hour
)

func checkText(name, s string, max int) error {
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > max {
		return apperr.Errorf(apperr.Invalid, "%s: at most %d characters of text", name, max)
	}
	return nil
}

// checkJoinLink accepts only an https URL (a join link opens in a browser).
func checkJoinLink(s string) error {
	if s == "" {
		return nil
	}
	if err := checkText("join link", s, maxLink); err != nil {
		return err
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return apperr.New(apperr.Invalid, "join link: must be an https:// address")
	}
	return nil
}

// validate checks the fields every booking must satisfy.
func validate(b Booking) error {
	switch {
	case b.Start.IsZero() || b.End.IsZero() || !b.Start.Before(b.End):
		return apperr.New(apperr.Invalid, "booking: end must be after start")
	case b.End.Sub(b.Start) > maxSession:
		return apperr.New(apperr.Invalid, "booking: a session lasts at most 12 hours")
	case !b.Modality.valid():
		return apperr.New(apperr.Invalid, "modality: must be online or in_person")
	case b.FeePaise < 0 || b.FeePaise > maxFee:
		return apperr.New(apperr.Invalid, "fee: must be 0 to ₹1 crore, in paise")
	case !b.PaymentStatus.valid():
		return apperr.New(apperr.Invalid, "payment status: must be pending, paid, refund_pending or refunded")
	case b.ClientID != "" && !validID(b.ClientID):
		return ErrClientNotFound
	case b.ClientID == "" && strings.TrimSpace(b.ClientLabel) == "":
		return apperr.New(apperr.Invalid, "booking: a client or a display name is required")
	}
	if err := checkJoinLink(b.JoinLink); err != nil {
		return err
	}
	for _, f := range []struct {
		name, v string
		max     int
	}{{"client name", b.ClientLabel, maxLabel}, {"location", b.Location, maxText}, {"notes", b.Notes, maxText}, {"message", b.Message, maxText}} {
		if err := checkText(f.name, f.v, f.max); err != nil {
			return err
		}
	}
	return nil
}

// WalkIn is a session added by hand at the clinic.
type WalkIn struct {
	ClientID    string // a client record, or "" with a ClientLabel
	ClientLabel string
	Start       time.Time
	End         time.Time
	Modality    Modality // "" = in person
	Location    string
	JoinLink    string
	FeePaise    int64
	Paid        bool
	Notes       string
}

// AddWalkIn records a confirmed clinic session and tells the backend (via the
// outbox) that its time is taken, without any client data.
func (s *Service) AddWalkIn(ctx context.Context, w WalkIn) (Booking, error) {
	at := s.clock()
	b := Booking{ID: uuid.Must(uuid.NewV7()).String(), Rev: 1, Source: SourceClinic, Status: Confirmed,
		ClientID: w.ClientID, ClientLabel: w.ClientLabel,
		Start: w.Start.UTC().Truncate(time.Second), End: w.End.UTC().Truncate(time.Second),
		Modality: w.Modality, Location: w.Location, JoinLink: w.JoinLink, FeePaise: w.FeePaise,
		PaymentStatus: PaymentPending, Notes: w.Notes, CreatedAt: at, UpdatedAt: at}
	if b.Modality == "" {
		b.Modality = InPerson
	}
	if w.Paid {
		b.PaymentStatus = PaymentPaid
	}
	if err := validate(b); err != nil {
		return Booking{}, err
	}
	keys, err := s.sealer()
	if err != nil {
		return Booking{}, err
	}
	row, err := rowOf(keys, b)
	if err != nil {
		return Booking{}, err
	}
	e, err := s.entry(audit.ActionCreate, b.ID, audit.D("source", string(SourceClinic), "modality", string(b.Modality)))
	if err != nil {
		return Booking{}, err
	}
	ob, err := s.outbox(keys, OutboxWalkIn, b, at, map[string]any{
		"start": b.Start.Format(time.RFC3339), "end": b.End.Format(time.RFC3339), "modality": b.Modality})
	if err != nil {
		return Booking{}, err
	}
	var mark time.Time
	if b.ClientID != "" {
		mark = at
	}
	if err := s.store.InsertBooking(ctx, row, e, ob, mark); err != nil {
		return Booking{}, err
	}
	return b, nil
}

// Receive records a booking made on the platform (the sync engine calls it
// for each new booking it pulls). Only requested or confirmed bookings
// arrive new; nothing is queued back, since the backend sent it. ID may be
// the platform's id (a UUID) or "" for a new one.
func (s *Service) Receive(ctx context.Context, b Booking) (Booking, error) {
	at := s.clock()
	if b.ID == "" {
		b.ID = uuid.Must(uuid.NewV7()).String()
	}
	if !validID(b.ID) {
		return Booking{}, apperr.New(apperr.Invalid, "booking: id must be a UUID")
	}
	if b.Status != Requested && b.Status != Confirmed {
		return Booking{}, apperr.New(apperr.Invalid, "booking: a new booking is requested or confirmed")
	}
	if b.PaymentStatus == "" {
		b.PaymentStatus = PaymentPending
	}
	b.Rev, b.Source, b.CreatedAt, b.UpdatedAt = 1, SourcePlatform, at, at
	b.Start, b.End = b.Start.UTC().Truncate(time.Second), b.End.UTC().Truncate(time.Second)
	b.RescheduledTo = ""
	if err := validate(b); err != nil {
		return Booking{}, err
	}
	keys, err := s.sealer()
	if err != nil {
		return Booking{}, err
	}
	row, err := rowOf(keys, b)
	if err != nil {
		return Booking{}, err
	}
	e, err := s.entry(audit.ActionCreate, b.ID, audit.D("source", string(SourcePlatform), "status", string(b.Status)))
	if err != nil {
		return Booking{}, err
	}
	if err := s.store.InsertBooking(ctx, row, e, nil, time.Time{}); err != nil {
		return Booking{}, err
	}
	return b, nil
}

// Rescheduled records a reschedule made on the platform (by the client or the
// platform; the sync engine calls it): next is received as a new booking
// linked back to oldID, then the old booking moves to rescheduled, linked
// forward to next. Two transactions, in that order: if the second fails the
// new booking stands with its back link and a retry completes the move.
// Nothing is queued: the backend sent it.
func (s *Service) Rescheduled(ctx context.Context, oldID string, next Booking, by Actor) (Booking, error) {
	if by != ByClient && by != ByPlatform {
		return Booking{}, apperr.New(apperr.Invalid, "reschedule: only the client or the platform reschedules")
	}
	if !validID(oldID) {
		return Booking{}, ErrNotFound
	}
	keys, err := s.sealer()
	if err != nil {
		return Booking{}, err
	}
	next.RescheduledFrom = oldID
	nb, err := s.Receive(ctx, next)
	if err != nil {
		return Booking{}, err
	}
	at := s.clock()
	err = s.store.UpdateBooking(ctx, oldID, func(r Row) (Change, error) {
		cur, err := open(keys, r)
		if err != nil {
			return Change{}, err
		}
		if err := Transition(cur.Status, Rescheduled, by); err != nil {
			return Change{}, err
		}
		cur.Rev, cur.Status, cur.RescheduledTo, cur.UpdatedAt = cur.Rev+1, Rescheduled, nb.ID, at
		row, err := rowOf(keys, cur)
		if err != nil {
			return Change{}, err
		}
		e, err := s.entry(audit.ActionEdit, oldID, audit.D("op", string(Rescheduled), "by", string(by), "to", nb.ID))
		if err != nil {
			return Change{}, err
		}
		return Change{Next: row, Audit: e}, nil
	})
	var oe *openError
	if errors.As(err, &oe) {
		return Booking{}, s.integrity(ctx, oldID, err)
	}
	if err != nil {
		return Booking{}, err
	}
	return nb, nil
}

// outbox seals a mutation for the backend. Every payload names the booking,
// the action and the revision it produced; extra adds action-specific fields.
func (s *Service) outbox(keys Sealer, kind string, b Booking, at time.Time, extra map[string]any) (*OutboxItem, error) {
	p := map[string]any{"bookingId": b.ID, "rev": b.Rev, "status": b.Status, "paymentStatus": b.PaymentStatus,
		"at": at.Format(time.RFC3339)}
	for k, v := range extra {
		p[k] = v
	}
	plain, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("bookings: encode outbox payload: %w", err)
	}
	id := uuid.Must(uuid.NewV7()).String()
	env, err := keys.Seal(vault.AD{Table: "outbox", Column: "payload", RowID: id, Revision: 1}, plain)
	clear(plain)
	if err != nil {
		return nil, lockedOr(err, "bookings: seal outbox payload")
	}
	return &OutboxItem{ID: id, Kind: kind, EntityID: b.ID, Payload: env, CreatedAt: at}, nil
}

// Get opens one booking; the view is audited.
func (s *Service) Get(ctx context.Context, id string) (Booking, error) {
	if !validID(id) {
		return Booking{}, ErrNotFound
	}
	keys, err := s.sealer()
	if err != nil {
		return Booking{}, err
	}
	e, err := s.entry(audit.ActionView, id, audit.Detail{})
	if err != nil {
		return Booking{}, err
	}
	r, err := s.store.BookingRow(ctx, id, e)
	if err != nil {
		return Booking{}, err
	}
	b, err := open(keys, r)
	if err != nil {
		return Booking{}, s.integrity(ctx, id, err)
	}
	return b, nil
}

// ListResult is a calendar's worth of bookings; Unreadable lists the ids of
// bookings that failed their integrity check (audited, not shown).
type ListResult struct {
	Bookings   []Booking
	Unreadable []string
}

// List opens the bookings overlapping [from, to), by start. The list is
// audited as one view.
func (s *Service) List(ctx context.Context, from, to time.Time) (ListResult, error) {
	if !from.Before(to) {
		return ListResult{}, apperr.New(apperr.Invalid, "bookings: from must be before to")
	}
	if to.Sub(from) > 400*24*time.Hour {
		return ListResult{}, apperr.New(apperr.Invalid, "bookings: at most 400 days at a time")
	}
	keys, err := s.sealer()
	if err != nil {
		return ListResult{}, err
	}
	e, err := s.entry(audit.ActionView, "", audit.D("op", "list"))
	if err != nil {
		return ListResult{}, err
	}
	rows, err := s.store.BookingRows(ctx, from, to, e)
	if err != nil {
		return ListResult{}, err
	}
	return s.openAll(ctx, keys, rows)
}

// openAll opens rows in order; one that fails its integrity check is audited
// and listed as unreadable.
func (s *Service) openAll(ctx context.Context, keys Sealer, rows []Row) (ListResult, error) {
	res := ListResult{Bookings: make([]Booking, 0, len(rows))}
	for _, r := range rows {
		b, err := open(keys, r)
		if err != nil {
			if ierr := s.integrity(ctx, r.ID, err); apperr.CodeOf(ierr) == apperr.Locked {
				return ListResult{}, ierr
			}
			res.Unreadable = append(res.Unreadable, r.ID)
			continue
		}
		res.Bookings = append(res.Bookings, b)
	}
	return res, nil
}

// ListForClient opens one client's bookings, latest first: the sessions
// list of a client page, however many years it spans. The list is audited as
// one view of the client.
func (s *Service) ListForClient(ctx context.Context, clientID string) (ListResult, error) {
	if !validID(clientID) {
		return ListResult{}, ErrClientNotFound
	}
	keys, err := s.sealer()
	if err != nil {
		return ListResult{}, err
	}
	e, err := s.entry(audit.ActionView, "", audit.D("op", "list", "client", clientID))
	if err != nil {
		return ListResult{}, err
	}
	rows, err := s.store.ClientBookingRows(ctx, clientID, e)
	if err != nil {
		return ListResult{}, err
	}
	return s.openAll(ctx, keys, rows)
}

// Busy lists the requested and confirmed bookings overlapping [from, to).
func (s *Service) Busy(ctx context.Context, from, to time.Time) ([]Interval, error) {
	if _, err := s.sealer(); err != nil {
		return nil, err
	}
	return s.store.BusyIntervals(ctx, from, to)
}

// Confirm accepts a requested session. An online session needs the client's
// teleconsultation consent (RequireTeleconsultConsent).
func (s *Service) Confirm(ctx context.Context, id string) (Booking, error) {
	return s.act(ctx, id, Confirmed, OutboxConfirm, "")
}

// Decline refuses a requested session, with an optional message.
func (s *Service) Decline(ctx context.Context, id, message string) (Booking, error) {
	return s.act(ctx, id, Declined, OutboxDecline, message)
}

// Cancel cancels a confirmed session; the message to the client is
// required. A paid booking becomes refund_pending (the platform refunds).
func (s *Service) Cancel(ctx context.Context, id, message string) (Booking, error) {
	if strings.TrimSpace(message) == "" {
		return Booking{}, apperr.New(apperr.Invalid, "cancel: a message for the client is required")
	}
	return s.act(ctx, id, CancelledByPractitioner, OutboxCancel, message)
}

// Complete marks a session that took place.
func (s *Service) Complete(ctx context.Context, id string) (Booking, error) {
	return s.act(ctx, id, Completed, OutboxComplete, "")
}

// NoShow marks a session the client did not attend.
func (s *Service) NoShow(ctx context.Context, id string) (Booking, error) {
	return s.act(ctx, id, NoShow, OutboxNoShow, "")
}

// act applies one practitioner action: rules, re-seal at rev+1, audit,
// outbox and the client's last interaction, in one transaction.
func (s *Service) act(ctx context.Context, id string, to Status, kind, message string) (Booking, error) {
	if !validID(id) {
		return Booking{}, ErrNotFound
	}
	if err := checkText("message", message, maxText); err != nil {
		return Booking{}, err
	}
	keys, err := s.sealer()
	if err != nil {
		return Booking{}, err
	}
	// The consent hook may read the database: ask it before the write
	// transaction opens (one connection), from a fresh read of the booking.
	if to == Confirmed && s.RequireTeleconsultConsent != nil {
		cur, err := s.Get(ctx, id)
		if err != nil {
			return Booking{}, err
		}
		if cur.Modality == Online && cur.Status == Requested {
			if cur.ClientID == "" {
				return Booking{}, apperr.New(apperr.ConsentRequired,
					"consent required: teleconsultation (match the booking to a client first)")
			}
			if err := s.RequireTeleconsultConsent(ctx, cur.ClientID); err != nil {
				return Booking{}, err
			}
		}
	}
	var out Booking
	at := s.clock()
	err = s.store.UpdateBooking(ctx, id, func(r Row) (Change, error) {
		cur, err := open(keys, r)
		if err != nil {
			return Change{}, err
		}
		if err := Transition(cur.Status, to, ByPractitioner); err != nil {
			return Change{}, err
		}
		if err := CheckTime(to, cur.Start, cur.End, at); err != nil {
			return Change{}, err
		}
		next := cur
		next.Rev, next.Status, next.UpdatedAt = cur.Rev+1, to, at
		next.PaymentStatus = paymentAfter(to, cur.PaymentStatus)
		if to == Declined || to == CancelledByPractitioner {
			next.Message = message
		}
		row, err := rowOf(keys, next)
		if err != nil {
			return Change{}, err
		}
		e, err := s.entry(audit.ActionEdit, id, audit.D("op", string(to), "from", string(cur.Status)))
		if err != nil {
			return Change{}, err
		}
		extra := map[string]any{}
		if to == Declined || to == CancelledByPractitioner {
			extra["message"] = next.Message
		}
		ob, err := s.outbox(keys, kind, next, at, extra)
		if err != nil {
			return Change{}, err
		}
		ch := Change{Next: row, Audit: e, Outbox: ob}
		if to == Confirmed || to == Completed {
			ch.MarkInteraction = at
		}
		out = next
		return ch, nil
	})
	var oe *openError
	if errors.As(err, &oe) {
		return Booking{}, s.integrity(ctx, id, err)
	}
	if err != nil {
		return Booking{}, err
	}
	return out, nil
}
