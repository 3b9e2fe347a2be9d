package practice

import (
	"context"
	"strings"
	"testing"
	"time"
	_ "time/tzdata"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/availability"
	"github.com/calmally/practice/internal/bookings"
	"github.com/calmally/practice/internal/clients"
	"github.com/calmally/practice/internal/consent"
	"github.com/calmally/practice/internal/export/ical"
)

// The scheduling leak probe: availability whose location carries the
// marker, bookings with it in the display name, notes, location, join link
// and cancellation messages (also in the outbox), a time off that cancels
// one, and a calendar export with full names kept in memory.
func init() {
	LeakProbes = append(LeakProbes, func(t *testing.T, p *Practice, marker string) {
		t.Helper()
		ctx := context.Background()
		c, err := p.Clients().Create(ctx, clients.Input{Name: marker + " Client", DateOfBirth: "1990-05-01"}, clients.SourceClinic)
		if err != nil {
			t.Fatalf("scheduling probe: client: %v", err)
		}
		av := p.Availability()
		var week []availability.Window
		for d := range 7 {
			week = append(week, availability.Window{Day: availability.Weekday(d), Start: 9 * 60, End: 17 * 60})
		}
		if _, err := av.Set(ctx, availability.Schedule{RuleSets: []availability.RuleSet{{
			SessionMinutes: 50, BufferMinutes: 10, HorizonDays: 60, Modality: availability.InPerson,
			Location: marker + " clinic room", Weekly: week}}}); err != nil {
			t.Fatalf("scheduling probe: availability: %v", err)
		}
		now := p.Now()
		if _, err := av.Slots(ctx, now, now.AddDate(0, 0, 14)); err != nil {
			t.Fatalf("scheduling probe: slots: %v", err)
		}
		bs := p.Bookings()
		st := now.Add(48 * time.Hour).Truncate(time.Hour)
		// Confirming an online session needs teleconsultation consent.
		if _, err := p.Consent().Grant(ctx, consent.GrantInput{ClientID: c.ID, Purpose: consent.PurposeTeleconsultation,
			Method: consent.MethodCheckbox, Evidence: consent.Evidence{Note: marker + " consent note"}}); err != nil {
			t.Fatalf("scheduling probe: consent: %v", err)
		}
		b, err := bs.Receive(ctx, bookings.Booking{Status: bookings.Requested, ClientID: c.ID, ClientLabel: marker + " platform",
			Start: st, End: st.Add(50 * time.Minute), Modality: bookings.Online, JoinLink: "https://meet.example/" + "x",
			Notes: marker + " notes", PaymentStatus: bookings.PaymentPaid, FeePaise: 150000})
		if err != nil {
			t.Fatalf("scheduling probe: receive: %v", err)
		}
		if _, err := bs.Confirm(ctx, b.ID); err != nil {
			t.Fatalf("scheduling probe: confirm: %v", err)
		}
		w, err := bs.AddWalkIn(ctx, bookings.WalkIn{ClientID: c.ID, Start: st.Add(2 * time.Hour), End: st.Add(3 * time.Hour),
			Location: marker + " room", Notes: marker + " walk-in notes"})
		if err != nil {
			t.Fatalf("scheduling probe: walk-in: %v", err)
		}
		if _, err := bs.Cancel(ctx, w.ID, marker+" cancelled"); err != nil {
			t.Fatalf("scheduling probe: cancel: %v", err)
		}
		d := availability.DateOf(st.In(p.SchedulingZone(ctx)))
		req := availability.TimeOffRequest{From: d}
		coll, err := av.TimeOffCollisions(ctx, req)
		if err != nil || len(coll) != 1 || coll[0].ID != b.ID {
			t.Fatalf("scheduling probe: collisions: %+v %v", coll, err)
		}
		if _, err := av.SaveTimeOff(ctx, req, map[string]availability.Decision{
			b.ID: {Cancel: true, Message: marker + " time off"}}); err != nil {
			t.Fatalf("scheduling probe: time off: %v", err)
		}
		if _, err := p.CalendarExport(ctx, CalendarExportOptions{From: now, To: now.AddDate(0, 0, 14), Names: ical.NamesFull}); err != nil {
			t.Fatalf("scheduling probe: export: %v", err)
		}
		if _, err := p.TodayAgenda(ctx); err != nil {
			t.Fatalf("scheduling probe: agenda: %v", err)
		}
	})
}

// TestTimeOffCollisionsNeedADecision walks the time-off dialog: collisions
// are listed, saving without a decision is refused, keep and cancel are
// honoured, and the exported calendar follows.
func TestTimeOffCollisionsNeedADecision(t *testing.T) {
	f := newFixture(t)
	p := f.open(t)
	mustCreate(t, p, false)
	ctx := context.Background()
	now := p.Now()
	av, bs := p.Availability(), p.Bookings()
	var week []availability.Window
	for d := range 7 {
		week = append(week, availability.Window{Day: availability.Weekday(d), Start: 9 * 60, End: 13 * 60})
	}
	if _, err := av.Set(ctx, availability.Schedule{RuleSets: []availability.RuleSet{{
		SessionMinutes: 50, BufferMinutes: 10, HorizonDays: 60, Weekly: week}}}); err != nil {
		t.Fatal(err)
	}
	loc := p.SchedulingZone(ctx)
	if loc.String() != "Asia/Kolkata" {
		t.Fatalf("zone %s", loc)
	}
	day := availability.DateOf(now.In(loc)).AddDays(3)
	slots, err := av.Slots(ctx, time.Date(day.Year, day.Month, day.Day, 0, 0, 0, 0, loc), time.Date(day.Year, day.Month, day.Day, 23, 0, 0, 0, loc))
	if err != nil || len(slots) != 4 {
		t.Fatalf("slots: %d %v", len(slots), err)
	}
	var ids []string
	for _, s := range slots[:2] {
		b, err := bs.Receive(ctx, bookings.Booking{Status: bookings.Requested, ClientLabel: "R.S.", Start: s.Start, End: s.End, Modality: bookings.InPerson})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := bs.Confirm(ctx, b.ID); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, b.ID)
	}
	left, _ := av.Slots(ctx, slots[0].Start, slots[3].End)
	if len(left) != 2 {
		t.Fatalf("booked slots still offered: %d", len(left))
	}
	req := availability.TimeOffRequest{From: day}
	coll, err := av.TimeOffCollisions(ctx, req)
	if err != nil || len(coll) != 2 {
		t.Fatalf("collisions: %+v %v", coll, err)
	}
	_, err = av.SaveTimeOff(ctx, req, map[string]availability.Decision{ids[0]: {Cancel: true, Message: "sorry"}})
	if apperr.CodeOf(err) != apperr.Conflict || !strings.Contains(apperr.MessageOf(err), "1 booking(s) without a decision") {
		t.Fatalf("save without every decision: %v", err)
	}
	if got, _ := bs.Get(ctx, ids[0]); got.Status != bookings.Confirmed {
		t.Fatal("a refused save cancelled a booking")
	}
	sch, err := av.SaveTimeOff(ctx, req, map[string]availability.Decision{
		ids[0]: {Cancel: true, Message: "sorry"}, ids[1]: {Cancel: false}})
	if err != nil || len(sch.RuleSets[0].Exceptions) != 1 {
		t.Fatalf("save: %+v %v", sch, err)
	}
	a, _ := bs.Get(ctx, ids[0])
	b, _ := bs.Get(ctx, ids[1])
	if a.Status != bookings.CancelledByPractitioner || a.Message != "sorry" || b.Status != bookings.Confirmed {
		t.Fatalf("after time off: %s %s", a.Status, b.Status)
	}
	if s, _ := av.Slots(ctx, slots[0].Start, slots[3].End); len(s) != 0 {
		t.Fatalf("slots on a day off: %d", len(s))
	}
	ics, err := p.CalendarExport(ctx, CalendarExportOptions{From: now, To: now.AddDate(0, 0, 7)})
	if err != nil {
		t.Fatal(err)
	}
	text := string(ics)
	if strings.Count(text, "BEGIN:VEVENT") != 2 || !strings.Contains(text, "STATUS:CANCELLED") ||
		!strings.Contains(text, "BEGIN:VAVAILABILITY") || strings.Contains(text, "R.S.") {
		t.Fatalf("export:\n%s", text)
	}
}
