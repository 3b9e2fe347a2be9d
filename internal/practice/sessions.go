package practice

import (
	"context"
	"time"

	"github.com/calmally/practice/internal/bookings"
	"github.com/calmally/practice/internal/consent"
)

// Session decisions (internal/bookings/session.go) as the practice sees
// them: whether a session is actually recorded depends on the consent in
// force now, not only on the decision once taken.

// Session is a session's recording and reminders, with what the consent
// ledger says about them today.
type Session struct {
	bookings.SessionState
	// Recorded: recording is on AND the client's recording consent is in
	// force now. A withdrawal turns this false at once.
	Recorded bool
	// RecordingConsent and RemindersConsent report the client's consents
	// in force now (false for a booking with no client record).
	RecordingConsent bool
	RemindersConsent bool
}

// Session returns a booking's session decisions.
func (p *Practice) Session(ctx context.Context, bookingID string) (Session, error) {
	bs := p.Bookings()
	b, err := bs.Get(ctx, bookingID)
	if err != nil {
		return Session{}, err
	}
	st, err := bs.Session(ctx, bookingID)
	if err != nil {
		return Session{}, err
	}
	out := Session{SessionState: st}
	if b.ClientID != "" {
		c := p.Consent()
		out.RecordingConsent = c.Check(ctx, b.ClientID, consent.PurposeRecording) == nil
		out.RemindersConsent = c.Check(ctx, b.ClientID, consent.PurposeReminders) == nil
	}
	out.Recorded = st.RecordingOn && out.RecordingConsent
	return out, nil
}

// SetRecording turns a session's recording on (needs recording consent) or
// off, and nudges sync.
func (p *Practice) SetRecording(ctx context.Context, bookingID string, on bool) (Session, error) {
	if _, err := p.Bookings().SetRecording(ctx, bookingID, on); err != nil {
		return Session{}, err
	}
	p.SyncNudge()
	return p.Session(ctx, bookingID)
}

// Remind asks the platform to remind the client of a session now (needs
// reminders consent), and nudges sync.
func (p *Practice) Remind(ctx context.Context, bookingID string) (Session, error) {
	if _, err := p.Bookings().Remind(ctx, bookingID); err != nil {
		return Session{}, err
	}
	p.SyncNudge()
	return p.Session(ctx, bookingID)
}

// ReminderTick queues the automatic reminders due now (a locked vault is
// not an error: the next tick tries again).
func (p *Practice) ReminderTick(ctx context.Context) (bookings.ReminderRun, error) {
	if _, err := p.Keys(); err != nil {
		return bookings.ReminderRun{}, nil
	}
	run, err := p.Bookings().QueueDueReminders(ctx)
	if err == nil && run.Queued > 0 {
		p.SyncNudge()
	}
	return run, err
}

// reminderTickEvery is how often RunReminderSchedule looks for sessions
// entering the reminder window.
var reminderTickEvery = 15 * time.Minute

// RunReminderSchedule queues automatic reminders until ctx ends or the
// profile closes. The app starts it once per profile.
func (p *Practice) RunReminderSchedule(ctx context.Context) {
	t := time.NewTimer(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-p.idle.stopped:
			return
		case <-t.C:
		}
		if run, err := p.ReminderTick(ctx); err != nil {
			p.log.Error("automatic reminders failed", "err", err)
		} else if run.Queued > 0 || run.NoConsent > 0 {
			p.log.Info("automatic reminders", "queued", run.Queued, "without_consent", run.NoConsent)
		}
		t.Reset(reminderTickEvery)
	}
}
