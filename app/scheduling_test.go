package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSchedulingMethods walks the calendar's path through the bound methods:
// availability editor and preview, a walk-in, the time-off dialog with its
// collision, Today, and the export.
func TestSchedulingMethods(t *testing.T) {
	a := newClientTestApp(t)
	week := []WindowDTO{}
	for _, d := range []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"} {
		week = append(week, WindowDTO{Day: d, Start: "09:00", End: "13:00"})
	}
	av, err := a.AvailabilitySet(AvailabilityDTO{RuleSets: []RuleSetDTO{{SessionMinutes: 50, BufferMinutes: 10,
		HorizonDays: 60, Modality: "online", Weekly: week}}})
	if err != nil || len(av.RuleSets) != 1 || av.RuleSets[0].Zone != "Asia/Kolkata" || av.RuleSets[0].ID == "" || av.RuleSets[0].Rev != 1 {
		t.Fatalf("set: %+v %v", av, err)
	}
	// Saving again with the rev read keeps the id and bumps rev; a stale rev is a conflict.
	again, err := a.AvailabilitySet(av)
	if err != nil || again.RuleSets[0].ID != av.RuleSets[0].ID || again.RuleSets[0].Rev != 2 {
		t.Fatalf("re-save: %+v %v", again, err)
	}
	if _, err := a.AvailabilitySet(av); err == nil || !strings.HasPrefix(err.Error(), "conflict: ") {
		t.Fatalf("stale save: %v", err)
	}
	bad := again
	bad.RuleSets = []RuleSetDTO{again.RuleSets[0]}
	bad.RuleSets[0].Weekly = []WindowDTO{{Day: "mon", Start: "9am", End: "13:00"}}
	if _, err := a.AvailabilitySet(bad); err == nil || !strings.HasPrefix(err.Error(), "invalid: ") {
		t.Fatalf("bad time: %v", err)
	}

	kol, _ := time.LoadLocation("Asia/Kolkata")
	day := time.Now().In(kol).AddDate(0, 0, 3)
	d := day.Format("2006-01-02")
	slots, err := a.AvailabilityPreview(d, d)
	if err != nil || len(slots) != 4 {
		t.Fatalf("preview: %d %v", len(slots), err)
	}
	ops, err := a.AvailabilityOpenings(d, d)
	if err != nil || len(ops) != 1 {
		t.Fatalf("openings: %+v %v", ops, err)
	}
	c, err := a.ClientCreate(ClientInputDTO{Name: "Asha Kumar", DateOfBirth: "1990-05-01"})
	if err != nil {
		t.Fatal(err)
	}
	w, err := a.WalkInCreate(WalkInDTO{ClientID: c.ID, Start: d + "T10:00", FeePaise: 150000, Location: "Room 2"})
	if err != nil || w.Status != "confirmed" || w.Currency != "INR" || strings.Join(w.Actions, ",") != "cancel" {
		t.Fatalf("walk-in: %+v %v", w, err)
	}
	if slots, _ := a.AvailabilityPreview(d, d); len(slots) != 3 {
		t.Fatalf("slots after walk-in: %d", len(slots))
	}
	list, err := a.BookingsList(d, d)
	if err != nil || len(list.Bookings) != 1 || list.Bookings[0].Location != "Room 2" || list.Unreadable == nil {
		t.Fatalf("list: %+v %v", list, err)
	}

	off := TimeOffDTO{From: d, Start: "09:30", End: "11:00"}
	coll, err := a.TimeOffCollisions(off)
	if err != nil || len(coll) != 1 || coll[0].ID != w.ID {
		t.Fatalf("collisions: %+v %v", coll, err)
	}
	if _, err := a.TimeOffSave(TimeOffSaveDTO{TimeOff: off}); err == nil || !strings.HasPrefix(err.Error(), "conflict: time off collides with 1 booking(s)") {
		t.Fatalf("save without decision: %v", err)
	}
	if _, err := a.TimeOffSave(TimeOffSaveDTO{TimeOff: off, Decisions: []TimeOffDecisionDTO{{BookingID: w.ID, Action: "cancel"}}}); err == nil || !strings.HasPrefix(err.Error(), "invalid: ") {
		t.Fatalf("cancel without message: %v", err)
	}
	saved, err := a.TimeOffSave(TimeOffSaveDTO{TimeOff: off, Decisions: []TimeOffDecisionDTO{{BookingID: w.ID, Action: "keep"}}})
	if err != nil || len(saved.RuleSets[0].Exceptions) != 1 || saved.RuleSets[0].Exceptions[0].Start != "09:30" {
		t.Fatalf("save: %+v %v", saved, err)
	}
	if got, _ := a.BookingGet(w.ID); got.Status != "confirmed" {
		t.Fatalf("kept booking is %s", got.Status)
	}
	if slots, _ := a.AvailabilityPreview(d, d); len(slots) != 2 { // 11:00 and 12:00 remain
		t.Fatalf("slots after time off: %+v", slots)
	}

	ag, err := a.TodayAgenda()
	if err != nil || ag.Zone != "Asia/Kolkata" || ag.Next == nil || ag.Next.ID != w.ID || ag.Bookings == nil {
		t.Fatalf("today: %+v %v", ag, err)
	}
	if _, err := a.BookingComplete(w.ID); err == nil || !strings.Contains(err.Error(), "only once it has started") {
		t.Fatalf("early complete: %v", err)
	}
	cancelled, err := a.BookingCancel(BookingMessageDTO{ID: w.ID, Message: "Unwell"})
	if err != nil || cancelled.Status != "cancelled_by_practitioner" || len(cancelled.Actions) != 0 {
		t.Fatalf("cancel: %+v %v", cancelled, err)
	}

	path := filepath.Join(t.TempDir(), "cal.ics")
	res, err := a.CalendarExport(CalendarExportDTO{Path: path})
	if err != nil || !strings.Contains(res.ICS, "BEGIN:VEVENT") || strings.Contains(res.ICS, "Asha") {
		t.Fatalf("export: %v\n%s", err, res.ICS)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != res.ICS {
		t.Fatalf("export file: %v", err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Fatalf("export file mode %v", fi.Mode())
	}
	if res, err := a.CalendarExport(CalendarExportDTO{Names: "full"}); err != nil || !strings.Contains(res.ICS, "Asha Kumar") {
		t.Fatalf("export with names: %v", err)
	}
	if _, err := a.CalendarExport(CalendarExportDTO{Names: "all"}); err == nil || !strings.HasPrefix(err.Error(), "invalid: ") {
		t.Fatalf("bad names: %v", err)
	}
}
