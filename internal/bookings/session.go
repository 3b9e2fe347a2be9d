package bookings

import (
	"context"
	"errors"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
)

// Two things the practitioner can ask of a session, each gated by its own
// consent (DESIGN.md section 9; internal/consent):
//
//   - Recording: the practitioner's decision to record an online session
//     (the platform's video room records only while it is on). Turning it
//     on needs the client's recording consent; the decision is kept, but a
//     session counts as recorded only while that consent is still in force
//     — a withdrawal stops it at once, without anyone remembering to untick.
//   - Reminders: the platform reminds the client of a confirmed session by
//     the channel they chose there. Sending one needs the client's reminders
//     consent, checked at the moment it is queued. A reminder is sent by hand
//     (Remind) or by the hourly run (QueueDueReminders) once per session,
//     ReminderLead before it starts.
//
// Both go to the platform through the outbox (booking.recording,
// booking.remind), so they concern platform bookings: a walk-in is a clinic
// session the platform knows nothing about.

// ReminderLead is how long before a session the automatic reminder goes.
const ReminderLead = 24 * time.Hour

// Reminder triggers.
const (
	ReminderManual = "manual"
	ReminderAuto   = "auto"
)

// SessionState is what is decided about one session.
type SessionState struct {
	// RecordingRequested: the client asked on the platform for recording.
	RecordingRequested bool
	// RecordingOn: the practitioner turned recording on (and not off since).
	RecordingOn   bool
	RecordingAt   time.Time // when it was last turned on or off
	RemindersSent []SentReminder
}

// SentReminder is a reminder queued for the platform.
type SentReminder struct {
	At      time.Time
	Trigger string // manual | auto
}

// ReminderCandidate is a confirmed platform session with a client that
// starts within the automatic reminder's window and has no automatic
// reminder yet: its plain columns, all a reminder needs (nothing is opened,
// so the automatic pass audits reminders, not views).
type ReminderCandidate struct {
	ID            string
	Rev           int64
	ClientID      string
	Start         time.Time
	PaymentStatus PaymentStatus
}

// SessionStore keeps session decisions; *store.BookingStore implements it.
// Each write appends its audit entry and queues its outbox item (when not
// nil) in one transaction.
type SessionStore interface {
	SetRecording(ctx context.Context, bookingID string, on bool, at time.Time, ob *OutboxItem, e audit.Entry) error
	SessionState(ctx context.Context, bookingID string) (SessionState, error)
	// QueueReminder records a reminder; an automatic one for a session that
	// already had one is not queued again (queued false, nothing written).
	QueueReminder(ctx context.Context, bookingID, trigger string, at time.Time, ob *OutboxItem, e audit.Entry) (queued bool, err error)
	ReminderCandidates(ctx context.Context, from, to time.Time) ([]ReminderCandidate, error)
}

func (s *Service) sessionStore() (SessionStore, error) {
	ss, ok := s.store.(SessionStore)
	if !ok {
		return nil, errors.New("bookings: this store keeps no session decisions")
	}
	return ss, nil
}

var (
	errSessionNotLive   = apperr.New(apperr.Conflict, "session: only a requested or confirmed session that has not ended can change")
	errNoClientYet      = apperr.New(apperr.Invalid, "session: the booking is not linked to a client record yet")
	errClinicSession    = apperr.New(apperr.Invalid, "session: recording and reminders go through CalmAlly, for sessions booked there")
	errRecordingOffline = apperr.New(apperr.Invalid, "recording: only online sessions are recorded")
	errRemindConfirmed  = apperr.New(apperr.Conflict, "reminder: only a confirmed session that has not started gets a reminder")
)

// SetRecording turns recording of a session on or off. On needs the
// client's recording consent (RequireRecordingConsent); off never does.
func (s *Service) SetRecording(ctx context.Context, id string, on bool) (SessionState, error) {
	b, err := s.Get(ctx, id)
	if err != nil {
		return SessionState{}, err
	}
	now := s.clock()
	switch {
	case b.Source != SourcePlatform:
		return SessionState{}, errClinicSession
	case !b.Status.Holds() || !b.End.After(now):
		return SessionState{}, errSessionNotLive
	case on && b.Modality != Online:
		return SessionState{}, errRecordingOffline
	case on && b.ClientID == "":
		return SessionState{}, errNoClientYet
	}
	if on {
		if s.RequireRecordingConsent == nil {
			return SessionState{}, apperr.New(apperr.ConsentRequired, "consent required: recording")
		}
		if err := s.RequireRecordingConsent(ctx, b.ClientID); err != nil {
			return SessionState{}, err
		}
	}
	ss, err := s.sessionStore()
	if err != nil {
		return SessionState{}, err
	}
	keys, err := s.sealer()
	if err != nil {
		return SessionState{}, err
	}
	ob, err := s.outbox(keys, OutboxRecording, b, now, map[string]any{"record": on})
	if err != nil {
		return SessionState{}, err
	}
	op := map[bool]string{true: "recording_on", false: "recording_off"}[on]
	e, err := s.entry(audit.ActionEdit, id, audit.D("op", op))
	if err != nil {
		return SessionState{}, err
	}
	if err := ss.SetRecording(ctx, id, on, now, ob, e); err != nil {
		return SessionState{}, err
	}
	return ss.SessionState(ctx, id)
}

// Session returns what is decided about a session.
func (s *Service) Session(ctx context.Context, id string) (SessionState, error) {
	if !validID(id) {
		return SessionState{}, ErrNotFound
	}
	if _, err := s.sealer(); err != nil {
		return SessionState{}, err
	}
	ss, err := s.sessionStore()
	if err != nil {
		return SessionState{}, err
	}
	return ss.SessionState(ctx, id)
}

// Remind asks the platform to remind the client of a confirmed session now.
// It needs the client's reminders consent (RequireRemindersConsent).
func (s *Service) Remind(ctx context.Context, id string) (SessionState, error) {
	b, err := s.Get(ctx, id)
	if err != nil {
		return SessionState{}, err
	}
	if _, err := s.remind(ctx, b, ReminderManual); err != nil {
		return SessionState{}, err
	}
	return s.Session(ctx, id)
}

func (s *Service) remind(ctx context.Context, b Booking, trigger string) (bool, error) {
	now := s.clock()
	switch {
	case b.Source != SourcePlatform:
		return false, errClinicSession
	case b.Status != Confirmed || !b.Start.After(now):
		return false, errRemindConfirmed
	case b.ClientID == "":
		return false, errNoClientYet
	}
	if s.RequireRemindersConsent == nil {
		return false, apperr.New(apperr.ConsentRequired, "consent required: reminders")
	}
	if err := s.RequireRemindersConsent(ctx, b.ClientID); err != nil {
		return false, err
	}
	ss, err := s.sessionStore()
	if err != nil {
		return false, err
	}
	keys, err := s.sealer()
	if err != nil {
		return false, err
	}
	ob, err := s.outbox(keys, OutboxRemind, b, now, nil)
	if err != nil {
		return false, err
	}
	e, err := s.entry(audit.ActionEdit, b.ID, audit.D("op", "remind", "trigger", trigger))
	if err != nil {
		return false, err
	}
	return ss.QueueReminder(ctx, b.ID, trigger, now, ob, e)
}

// ReminderRun is what one automatic pass did.
type ReminderRun struct {
	Queued int
	// NoConsent counts sessions left without a reminder because the client
	// has not consented to reminders (or withdrew).
	NoConsent int
}

// QueueDueReminders queues the automatic reminder of every confirmed
// platform session starting within ReminderLead that has none yet, for
// clients whose reminders consent is in force. Others are counted, not
// reminded; a session skipped now is looked at again next pass (the client
// may consent in between).
func (s *Service) QueueDueReminders(ctx context.Context) (ReminderRun, error) {
	ss, err := s.sessionStore()
	if err != nil {
		return ReminderRun{}, err
	}
	if _, err := s.sealer(); err != nil {
		return ReminderRun{}, err
	}
	now := s.clock()
	cands, err := ss.ReminderCandidates(ctx, now, now.Add(ReminderLead))
	if err != nil {
		return ReminderRun{}, err
	}
	var run ReminderRun
	for _, c := range cands {
		b := Booking{ID: c.ID, Rev: c.Rev, Source: SourcePlatform, Status: Confirmed, ClientID: c.ClientID,
			Start: c.Start, PaymentStatus: c.PaymentStatus}
		queued, err := s.remind(ctx, b, ReminderAuto)
		switch {
		case apperr.CodeOf(err) == apperr.ConsentRequired:
			run.NoConsent++
		case err != nil:
			return run, err
		case queued:
			run.Queued++
		}
	}
	return run, nil
}
