package practice

import (
	"context"
	"testing"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/bookings"
	"github.com/calmally/practice/internal/clients"
	"github.com/calmally/practice/internal/consent"
	"github.com/calmally/practice/internal/store"
)

// sessionFixture: a client with teleconsultation consent and a confirmed
// online platform session three days ahead.
func sessionFixture(t *testing.T) (*fixture, *Practice, clients.Client, bookings.Booking) {
	t.Helper()
	f := newFixture(t)
	ctx := context.Background()
	p := f.open(t)
	mustCreate(t, p, false)
	c, err := p.Clients().Create(ctx, clients.Input{Name: "Nisha Verma", DateOfBirth: "1991-08-19"}, clients.SourceClinic)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Consent().Grant(ctx, consent.GrantInput{ClientID: c.ID, Purpose: consent.PurposeTeleconsultation, Method: consent.MethodCheckbox}); err != nil {
		t.Fatal(err)
	}
	st := p.Now().Add(72 * time.Hour).Truncate(time.Hour)
	b, err := p.Bookings().Receive(ctx, bookings.Booking{Status: bookings.Requested, ClientID: c.ID, ClientLabel: "N.V.",
		Start: st, End: st.Add(50 * time.Minute), Modality: bookings.Online})
	if err != nil {
		t.Fatal(err)
	}
	if b, err = p.Bookings().Confirm(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	return f, p, c, b
}

func outboxKinds(t *testing.T, p *Practice, kind string) int {
	t.Helper()
	rows, err := store.NewOutboxStore(p.DB()).OutboxAll(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range rows {
		if r.Kind == kind {
			n++
		}
	}
	return n
}

func refusalsAudited(t *testing.T, p *Practice, purpose string) int {
	t.Helper()
	entries, _, err := p.AuditList(context.Background(), audit.Filter{RecordType: bookings.RecordType, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		pairs, err := audit.ParseDetail(e.Detail)
		if err != nil {
			t.Fatal(err)
		}
		kv := map[string]string{}
		for _, p := range pairs {
			kv[p[0]] = p[1]
		}
		if kv["refused"] == "consent" && kv["purpose"] == purpose {
			n++
		}
	}
	return n
}

// TestRecordingNeedsRecordingConsent: refused without it (audited), on with
// it (queued for the platform), and no longer counted as recorded the moment
// the consent is withdrawn; turning it back on is refused again.
func TestRecordingNeedsRecordingConsent(t *testing.T) {
	f, p, c, b := sessionFixture(t)
	ctx := context.Background()
	if _, err := p.SetRecording(ctx, b.ID, true); apperr.MessageOf(err) != "consent required: recording" {
		t.Fatalf("recording without consent = %v", err)
	}
	if n := refusalsAudited(t, p, "recording"); n != 1 {
		t.Fatalf("audited refusals = %d", n)
	}
	if _, err := p.Consent().Grant(ctx, consent.GrantInput{ClientID: c.ID, Purpose: consent.PurposeRecording, Method: consent.MethodSignature,
		Evidence: consent.Evidence{SignedBy: "Nisha Verma"}}); err != nil {
		t.Fatal(err)
	}
	s, err := p.SetRecording(ctx, b.ID, true)
	if err != nil || !s.RecordingOn || !s.Recorded || !s.RecordingConsent {
		t.Fatalf("recording with consent = %+v %v", s, err)
	}
	if n := outboxKinds(t, p, bookings.OutboxRecording); n != 1 {
		t.Fatalf("recording mutations queued = %d", n)
	}
	f.clock.Advance(time.Minute)
	if _, err := p.Consent().Withdraw(ctx, consent.WithdrawInput{ClientID: c.ID, Purpose: consent.PurposeRecording}); err != nil {
		t.Fatal(err)
	}
	if s, err = p.Session(ctx, b.ID); err != nil || !s.RecordingOn || s.Recorded || s.RecordingConsent {
		t.Fatalf("after withdrawal = %+v %v", s, err)
	}
	if _, err := p.SetRecording(ctx, b.ID, true); apperr.CodeOf(err) != apperr.ConsentRequired {
		t.Fatalf("recording after withdrawal = %v", err)
	}
	// Turning it off needs no consent and is sent too.
	if s, err = p.SetRecording(ctx, b.ID, false); err != nil || s.RecordingOn {
		t.Fatalf("off = %+v %v", s, err)
	}
	if n := outboxKinds(t, p, bookings.OutboxRecording); n != 2 {
		t.Fatalf("recording mutations queued = %d", n)
	}
}

// TestRecordingRules: in-person sessions, walk-ins and past sessions are
// refused before consent is even asked.
func TestRecordingRules(t *testing.T) {
	f, p, _, b := sessionFixture(t)
	ctx := context.Background()
	walk, err := p.Bookings().AddWalkIn(ctx, bookings.WalkIn{Start: b.Start.Add(3 * time.Hour), End: b.Start.Add(4 * time.Hour),
		Modality: bookings.Online, ClientLabel: "walk-in"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.SetRecording(ctx, walk.ID, true); apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("recording a walk-in = %v", err)
	}
	if _, err := p.Remind(ctx, walk.ID); apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("reminding of a walk-in = %v", err)
	}
	f.clock.Advance(80 * time.Hour)
	if _, err := p.SetRecording(ctx, b.ID, true); apperr.CodeOf(err) != apperr.Conflict {
		t.Fatalf("recording a past session = %v", err)
	}
	if _, err := p.Remind(ctx, b.ID); apperr.CodeOf(err) != apperr.Conflict {
		t.Fatalf("reminding of a past session = %v", err)
	}
}

// TestRemindersNeedRemindersConsent: by hand and automatically, never
// without the consent in force, and the automatic one once per session.
func TestRemindersNeedRemindersConsent(t *testing.T) {
	f, p, c, b := sessionFixture(t)
	ctx := context.Background()
	if _, err := p.Remind(ctx, b.ID); apperr.MessageOf(err) != "consent required: reminders" {
		t.Fatalf("remind without consent = %v", err)
	}
	// Not yet in the 24-hour window: the automatic pass finds nothing.
	if run, err := p.ReminderTick(ctx); err != nil || run != (bookings.ReminderRun{}) {
		t.Fatalf("tick three days ahead = %+v %v", run, err)
	}
	f.clock.Advance(50 * time.Hour) // 22 hours before the session
	if run, err := p.ReminderTick(ctx); err != nil || run.Queued != 0 || run.NoConsent != 1 {
		t.Fatalf("tick without consent = %+v %v", run, err)
	}
	if _, err := p.Consent().Grant(ctx, consent.GrantInput{ClientID: c.ID, Purpose: consent.PurposeReminders, Method: consent.MethodCheckbox}); err != nil {
		t.Fatal(err)
	}
	if run, err := p.ReminderTick(ctx); err != nil || run.Queued != 1 {
		t.Fatalf("tick with consent = %+v %v", run, err)
	}
	if run, err := p.ReminderTick(ctx); err != nil || run != (bookings.ReminderRun{}) {
		t.Fatalf("second tick = %+v %v", run, err)
	}
	s, err := p.Remind(ctx, b.ID)
	if err != nil || len(s.RemindersSent) != 2 || s.RemindersSent[0].Trigger != bookings.ReminderAuto ||
		s.RemindersSent[1].Trigger != bookings.ReminderManual || !s.RemindersConsent {
		t.Fatalf("manual reminder = %+v %v", s, err)
	}
	if n := outboxKinds(t, p, bookings.OutboxRemind); n != 2 {
		t.Fatalf("reminders queued = %d", n)
	}
	f.clock.Advance(time.Minute)
	if _, err := p.Consent().Withdraw(ctx, consent.WithdrawInput{ClientID: c.ID, Purpose: consent.PurposeReminders}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Remind(ctx, b.ID); apperr.CodeOf(err) != apperr.ConsentRequired {
		t.Fatalf("remind after withdrawal = %v", err)
	}
	if n := outboxKinds(t, p, bookings.OutboxRemind); n != 2 {
		t.Fatalf("reminders queued after withdrawal = %d", n)
	}
}
