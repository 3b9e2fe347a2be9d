package store

import (
	"strings"
	"testing"
	"time"

	"github.com/calmally/practice/internal/availability"
	"github.com/calmally/practice/internal/bookings"
)

// TestOutboxOneSequenceForEveryWriter: availability and bookings queue into
// the same outbox, and mutation ids follow commit order across both.
func TestOutboxOneSequenceForEveryWriter(t *testing.T) {
	e := newBookingEnv(t)
	av := newAvailabilityService(e)
	sch, err := availability.Decode(strings.NewReader(rulesDoc))
	if err != nil {
		t.Fatal(err)
	}
	st := e.clock.Now().Add(24 * time.Hour)
	if _, err := av.Set(e.ctx, sch); err != nil {
		t.Fatal(err)
	}
	w, err := e.svc.AddWalkIn(e.ctx, walkIn(st, st.Add(time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := av.Set(e.ctx, sch); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Cancel(e.ctx, w.ID, "sorry"); err != nil {
		t.Fatal(err)
	}
	rows, err := e.outbox.OutboxDue(e.ctx, e.clock.Now(), 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{availability.OutboxPublish, bookings.OutboxWalkIn, availability.OutboxPublish, bookings.OutboxCancel}
	if len(rows) != len(want) {
		t.Fatalf("%d rows", len(rows))
	}
	for i, r := range rows {
		if r.Kind != want[i] || r.MutationID != int64(i+1) || r.Attempts != 0 || r.ParkedReason != "" {
			t.Errorf("row %d: %+v", i, r)
		}
		e.payload(t, r) // opens under (outbox, payload, id, 1)
	}
	// A payload moved to another row does not open.
	if _, err := execSQL(t, e.db, `UPDATE outbox SET payload = (SELECT payload FROM outbox WHERE mutation_id = 1) WHERE mutation_id = 2`); err != nil {
		t.Fatal(err)
	}
	rows, _ = e.outbox.OutboxAll(e.ctx)
	if _, err := e.keys.Open(OutboxPayloadAD(rows[1].ID), rows[1].Payload); err == nil {
		t.Fatal("a payload copied to another row opened")
	}
}
