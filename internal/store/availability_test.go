package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/availability"
)

func newAvailabilityService(e *bookingEnv) *availability.Service {
	s := availability.NewService(availability.Config{
		Store: NewAvailabilityStore(e.db, func() (*audit.Chain, error) { return e.chain, nil }),
		Keys:  func() (availability.Sealer, error) { return e.keys, nil },
		Now:   e.clock.Now,
		Actor: "practitioner-1",
	})
	s.Busy = func(ctx context.Context, from, to time.Time) ([]availability.Busy, error) {
		ivs, err := e.svc.Busy(ctx, from, to)
		out := make([]availability.Busy, len(ivs))
		for i, iv := range ivs {
			out[i] = availability.Busy{ID: iv.ID, Start: iv.Start, End: iv.End}
		}
		return out, err
	}
	return s
}

const rulesDoc = `{"ruleSets":[
 {"zone":"Asia/Kolkata","effectiveUntil":"2024-03-31","sessionMinutes":50,"bufferMinutes":10,"horizonDays":60,
  "modality":"in_person","location":"Room 2","weekly":[{"day":"thu","start":"09:00","end":"11:00"}]},
 {"zone":"Europe/London","effectiveFrom":"2024-04-01","sessionMinutes":50,"bufferMinutes":10,"horizonDays":60,
  "weekly":[{"day":"mon","start":"09:00","end":"11:00"}]}]}`

func TestAvailabilityRoundTripRevsAndOutbox(t *testing.T) {
	e := newBookingEnv(t)
	av := newAvailabilityService(e)
	empty, err := av.Get(e.ctx)
	if err != nil || len(empty.RuleSets) != 0 {
		t.Fatalf("empty: %+v %v", empty, err)
	}
	sch, err := availability.Decode(strings.NewReader(rulesDoc))
	if err != nil {
		t.Fatal(err)
	}
	saved, err := av.Set(e.ctx, sch)
	if err != nil || len(saved.RuleSets) != 2 || saved.RuleSets[0].Rev != 1 {
		t.Fatalf("set: %+v %v", saved, err)
	}
	got, err := av.Get(e.ctx)
	if err != nil || len(got.RuleSets) != 2 || got.RuleSets[0].Location != "Room 2" || got.RuleSets[1].Zone != "Europe/London" {
		t.Fatalf("get: %+v %v", got, err)
	}
	// Edit the first, drop the second: rev 2 for the first, the second is deleted.
	got.RuleSets[0].BufferMinutes = 0
	got.RuleSets = got.RuleSets[:1]
	next, err := av.Set(e.ctx, got)
	if err != nil || len(next.RuleSets) != 1 || next.RuleSets[0].ID != got.RuleSets[0].ID || next.RuleSets[0].Rev != 2 {
		t.Fatalf("edit: %+v %v", next, err)
	}
	_, err = av.Set(e.ctx, got) // still carries rev 1
	wantCode(t, err, apperr.Conflict)
	var n int
	e.db.sql.QueryRow(`SELECT COUNT(*) FROM availability`).Scan(&n)
	if n != 1 {
		t.Fatalf("%d rule set rows", n)
	}
	rows, _ := e.outbox.OutboxAll(e.ctx)
	if len(rows) != 2 || rows[0].Kind != availability.OutboxPublish || rows[1].MutationID != 2 {
		t.Fatalf("outbox: %+v", rows)
	}
	p := e.payload(t, rows[1])
	if sets, ok := p["ruleSets"].([]any); !ok || len(sets) != 1 {
		t.Fatalf("publish payload: %v", p)
	}
	if n := e.auditCount(t, audit.ActionEdit, availability.OutboxEntity, "op=set rule_sets=1"); n != 1 {
		t.Fatalf("audited %d times", n)
	}
	// The location never reaches the database in the clear.
	var plain int
	e.db.sql.QueryRow(`SELECT COUNT(*) FROM availability WHERE instr(rules, 'Room 2') > 0`).Scan(&plain)
	if plain != 0 {
		t.Fatal("rules stored in the clear")
	}
}

func TestAvailabilityTamperIsAnIntegrityError(t *testing.T) {
	e := newBookingEnv(t)
	av := newAvailabilityService(e)
	sch, _ := availability.Decode(strings.NewReader(rulesDoc))
	saved, err := av.Set(e.ctx, sch)
	if err != nil {
		t.Fatal(err)
	}
	// Swap the two rule sets' envelopes: both fail (AD binds the row id).
	a, b := saved.RuleSets[0].ID, saved.RuleSets[1].ID
	if _, err := execSQL(t, e.db, `UPDATE availability SET rules = (SELECT rules FROM availability WHERE id = ?) WHERE id = ?`, b, a); err != nil {
		t.Fatal(err)
	}
	_, err = av.Get(e.ctx)
	wantCode(t, err, apperr.Integrity)
	_, err = av.Set(e.ctx, sch)
	wantCode(t, err, apperr.Integrity)
	if n := e.auditCount(t, audit.ActionIntegrityError, a, "table=availability"); n != 2 {
		t.Fatalf("integrity errors audited %d times", n)
	}
	_, err = av.Slots(e.ctx, e.clock.Now(), e.clock.Now().AddDate(0, 0, 7))
	wantCode(t, err, apperr.Integrity)
}

func TestAvailabilitySlotsSkipBookings(t *testing.T) {
	e := newBookingEnv(t) // 2024-02-28 20:00 UTC: 01:30 on Thursday 29 February in Kolkata
	av := newAvailabilityService(e)
	sch, _ := availability.Decode(strings.NewReader(rulesDoc))
	if _, err := av.Set(e.ctx, sch); err != nil {
		t.Fatal(err)
	}
	from := time.Date(2024, 2, 28, 18, 30, 0, 0, time.UTC) // leap day, Kolkata midnight
	slots, err := av.Slots(e.ctx, from, from.Add(24*time.Hour))
	if err != nil || len(slots) != 2 || slots[0].Start != time.Date(2024, 2, 29, 3, 30, 0, 0, time.UTC) || slots[0].Location != "Room 2" {
		t.Fatalf("leap-day slots: %+v %v", slots, err)
	}
	if _, err := e.svc.AddWalkIn(e.ctx, walkIn(slots[0].Start, slots[0].End)); err != nil {
		t.Fatal(err)
	}
	slots, _ = av.Slots(e.ctx, from, from.Add(24*time.Hour))
	if len(slots) != 1 || slots[0].Start != time.Date(2024, 2, 29, 4, 30, 0, 0, time.UTC) {
		t.Fatalf("after a walk-in: %+v", slots)
	}
}
