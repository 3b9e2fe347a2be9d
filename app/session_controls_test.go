package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/calmally/practice/internal/bookings"
)

func TestSessionRecordingAndReminderMethods(t *testing.T) {
	a := newClientTestApp(t)
	c, err := a.ClientCreate(ClientInputDTO{Name: "Farah Khan", DateOfBirth: "1987-11-02"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := a.practice()
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now().Add(72 * time.Hour).Truncate(time.Hour)
	b, err := p.Bookings().Receive(context.Background(), bookings.Booking{Status: bookings.Requested, ClientID: c.ID,
		ClientLabel: "F.K.", Start: start, End: start.Add(50 * time.Minute), Modality: bookings.Online})
	if err != nil {
		t.Fatal(err)
	}
	for _, purpose := range []string{"teleconsultation", "recording"} {
		if _, err := a.ConsentGrant(ConsentGrantDTO{ClientID: c.ID, Purpose: purpose, Method: "checkbox"}); err != nil {
			t.Fatal(err)
		}
	}
	if s, err := a.BookingSession(b.ID); err != nil || s.RecordingOn || len(s.Reminders) != 0 || !s.RecordingConsent || s.RemindersConsent {
		t.Fatalf("session: %+v %v", s, err)
	}
	s, err := a.BookingSetRecording(b.ID, true)
	if err != nil || !s.RecordingOn || !s.Recorded || s.RecordingAt == "" {
		t.Fatalf("recording on: %+v %v", s, err)
	}
	if _, err := a.BookingRemind(b.ID); err == nil || !strings.HasPrefix(err.Error(), "conflict: reminder:") {
		t.Fatalf("remind a requested session: %v", err)
	}
	if _, err := p.Bookings().Confirm(context.Background(), b.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := a.BookingRemind(b.ID); err == nil || err.Error() != "consent_required: consent required: reminders" {
		t.Fatalf("remind without consent: %v", err)
	}
	if _, err := a.ConsentGrant(ConsentGrantDTO{ClientID: c.ID, Purpose: "reminders", Method: "checkbox"}); err != nil {
		t.Fatal(err)
	}
	s, err = a.BookingRemind(b.ID)
	if err != nil || len(s.Reminders) != 1 || s.Reminders[0].Trigger != "manual" || !s.RemindersConsent {
		t.Fatalf("remind: %+v %v", s, err)
	}
}
