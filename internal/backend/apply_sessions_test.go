package backend

import (
	"context"
	"testing"
	"time"

	"github.com/calmally/practice/internal/sync/wire"
)

func TestRecordingAndRemindersNeedALiveUpcomingBooking(t *testing.T) {
	b, _ := newBackend(t)
	ctx := context.Background()
	dev, _ := enrol(t, b)
	put := func(status, modality string, from time.Duration) string {
		bk, err := b.PutBooking(ctx, wire.Booking{Status: status, Modality: modality,
			Start: b.Now().Add(from), End: b.Now().Add(from + 50*time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
		return bk.ID
	}
	online := put(statusConfirmed, "online", 48*time.Hour)
	inPerson := put(statusConfirmed, "in_person", 48*time.Hour)
	requested := put(statusRequested, "online", 48*time.Hour)
	started := put(statusConfirmed, "online", -10*time.Minute)
	over := put(statusConfirmed, "online", -2*time.Hour)
	cancelled := put(statusCancelledClient, "online", 48*time.Hour)
	rec := func(id string, on bool) map[string]any {
		return map[string]any{"bookingId": id, "record": on, "at": b.Now()}
	}
	remind := func(id string) map[string]any { return map[string]any{"bookingId": id, "at": b.Now()} }
	var n int64
	for _, c := range []struct {
		name, kind, entity string
		payload            map[string]any
		status, code       string
	}{
		{"record an online session", wire.KindBookingRecording, online, rec(online, true), wire.ResultApplied, ""},
		{"stop recording", wire.KindBookingRecording, online, rec(online, false), wire.ResultApplied, ""},
		{"record a requested session", wire.KindBookingRecording, requested, rec(requested, true), wire.ResultApplied, ""},
		{"record in person", wire.KindBookingRecording, inPerson, rec(inPerson, true), wire.ResultRejected, wire.CodeInvalid},
		{"record without a decision", wire.KindBookingRecording, online, remind(online), wire.ResultRejected, wire.CodeInvalid},
		{"record a cancelled session", wire.KindBookingRecording, cancelled, rec(cancelled, true), wire.ResultRejected, wire.CodeBookingConflict},
		{"record a session that is over", wire.KindBookingRecording, over, rec(over, true), wire.ResultRejected, wire.CodeBookingConflict},
		{"record another booking's id", wire.KindBookingRecording, online, rec(inPerson, true), wire.ResultRejected, wire.CodeInvalid},
		{"remind of a confirmed session", wire.KindBookingRemind, inPerson, remind(inPerson), wire.ResultApplied, ""},
		{"remind of a requested session", wire.KindBookingRemind, requested, remind(requested), wire.ResultRejected, wire.CodeBookingConflict},
		{"remind of a started session", wire.KindBookingRemind, started, remind(started), wire.ResultRejected, wire.CodeBookingConflict},
		{"remind of an unknown booking", wire.KindBookingRemind, "0190f5a4-0000-7000-8000-0000000000aa",
			remind("0190f5a4-0000-7000-8000-0000000000aa"), wire.ResultRejected, wire.CodeNotFound},
	} {
		n++
		if s, code := pushOne(t, b, dev, mut(n, c.kind, c.entity, c.payload)); s != c.status || code != c.code {
			t.Errorf("%s: %s %s, want %s %s", c.name, s, code, c.status, c.code)
		}
	}
}
