package ical

import (
	"bytes"
	"strings"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"

	"github.com/calmally/practice/internal/availability"
	"github.com/calmally/practice/internal/bookings"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func fixture() ([]Event, []availability.Opening) {
	mk := func(id, start string, rev int64, st bookings.Status, m bookings.Modality) bookings.Booking {
		s := at(start)
		return bookings.Booking{ID: id, Rev: rev, Status: st, Start: s, End: s.Add(50 * time.Minute), Modality: m,
			Location: "Room 2, 14 MG Road", JoinLink: "https://meet.calmally.in/r/xyz", Notes: "NOTES-MUST-NOT-LEAK",
			CreatedAt: at("2024-06-01T10:00:00Z"), UpdatedAt: at("2024-06-02T10:00:00Z")}
	}
	events := []Event{
		{mk("0190a2b4-0000-7000-8000-000000000001", "2024-06-17T03:30:00Z", 2, bookings.Confirmed, bookings.Online), "Asha Kumar"},
		{mk("0190a2b4-0000-7000-8000-000000000002", "2024-06-18T09:30:00Z", 1, bookings.Requested, bookings.InPerson), "Ravi Shankar Iyer"},
		{mk("0190a2b4-0000-7000-8000-000000000003", "2024-06-19T03:30:00Z", 3, bookings.CancelledByPractitioner, bookings.Online), "Meera"},
	}
	openings := []availability.Opening{
		{Start: at("2024-06-17T03:30:00Z"), End: at("2024-06-17T07:30:00Z"), Modality: availability.Online, Zone: "Asia/Kolkata"},
		{Start: at("2024-06-19T08:30:00Z"), End: at("2024-06-19T12:30:00Z"), Modality: availability.InPerson, Location: "Room 2, 14 MG Road", Zone: "Asia/Kolkata"},
	}
	return events, openings
}

func export(t *testing.T, opts Options, events []Event, openings []availability.Opening) (string, *goical.Calendar) {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, opts, events, openings); err != nil {
		t.Fatal(err)
	}
	cal, err := goical.NewDecoder(bytes.NewReader(buf.Bytes())).Decode()
	if err != nil {
		t.Fatalf("independent parser refused the export: %v\n%s", err, buf.String())
	}
	return buf.String(), cal
}

func TestExportParsesBackWithAnIndependentParser(t *testing.T) {
	events, openings := fixture()
	opts := Options{Now: at("2024-06-10T12:00:00Z"), From: at("2024-06-16T18:30:00Z"), To: at("2024-06-23T18:30:00Z")}
	text, cal := export(t, opts, events, openings)

	evs := cal.Events()
	if len(evs) != len(events) {
		t.Fatalf("%d events, want %d", len(evs), len(events))
	}
	wantStatus := []string{"CONFIRMED", "TENTATIVE", "CANCELLED"}
	for i, ev := range evs {
		b := events[i].Booking
		if uid := ev.Props.Get(goical.PropUID).Value; uid != b.ID+"@calmally.in" {
			t.Errorf("event %d: UID %q", i, uid)
		}
		st, err1 := ev.DateTimeStart(time.UTC)
		en, err2 := ev.DateTimeEnd(time.UTC)
		if err1 != nil || err2 != nil || !st.Equal(b.Start) || !en.Equal(b.End) {
			t.Errorf("event %d: %s–%s (%v %v), want %s–%s", i, st, en, err1, err2, b.Start, b.End)
		}
		if s := ev.Props.Get(goical.PropSummary).Value; s != "Session" {
			t.Errorf("event %d: summary %q, want the default \"Session\"", i, s)
		}
		if s := ev.Props.Get(goical.PropStatus).Value; s != wantStatus[i] {
			t.Errorf("event %d: status %s, want %s", i, s, wantStatus[i])
		}
		if s := ev.Props.Get(goical.PropSequence).Value; s != string(rune('0'+b.Rev-1)) {
			t.Errorf("event %d: sequence %s for rev %d", i, s, b.Rev)
		}
		if ev.Props.Get(goical.PropDateTimeStamp) == nil {
			t.Errorf("event %d: no DTSTAMP", i)
		}
		if ev.Props.Get(goical.PropURL) != nil {
			t.Errorf("event %d: join link exported without being asked", i)
		}
	}
	if loc, err := evs[1].Props.Text(goical.PropLocation); err != nil || loc != "Room 2, 14 MG Road" {
		t.Errorf("in-person location: %q %v", loc, err)
	}

	var va *goical.Component
	for _, c := range cal.Children {
		if c.Name == "VAVAILABILITY" {
			va = c
		}
	}
	if va == nil {
		t.Fatalf("no VAVAILABILITY in\n%s", text)
	}
	if len(va.Children) != len(openings) {
		t.Fatalf("%d AVAILABLE components, want %d", len(va.Children), len(openings))
	}
	for i, av := range va.Children {
		st, err1 := av.Props.DateTime(goical.PropDateTimeStart, time.UTC)
		en, err2 := av.Props.DateTime(goical.PropDateTimeEnd, time.UTC)
		if av.Name != "AVAILABLE" || err1 != nil || err2 != nil || !st.Equal(openings[i].Start) || !en.Equal(openings[i].End) {
			t.Errorf("AVAILABLE %d: %s %s–%s (%v %v)", i, av.Name, st, en, err1, err2)
		}
		if av.Props.Get(goical.PropUID) == nil || av.Props.Get(goical.PropDateTimeStamp) == nil {
			t.Errorf("AVAILABLE %d: UID or DTSTAMP missing", i)
		}
	}
	if st, err := va.Props.DateTime(goical.PropDateTimeStart, time.UTC); err != nil || !st.Equal(opts.From) {
		t.Errorf("VAVAILABILITY start %s %v", st, err)
	}

	// Privacy by default: no name, no initials, no notes anywhere.
	for _, leak := range []string{"Asha", "Kumar", "A.K.", "Ravi", "Meera", "NOTES-MUST-NOT-LEAK", "meet.calmally.in"} {
		if strings.Contains(text, leak) {
			t.Errorf("default export contains %q", leak)
		}
	}
	if !strings.Contains(text, "\r\n") {
		t.Error("lines must end in CRLF")
	}

	// Re-export (later, after an edit) keeps the UIDs; SEQUENCE moves on.
	events[0].Booking.Rev++
	_, again := export(t, Options{Now: at("2024-06-11T12:00:00Z")}, events, openings)
	for i, ev := range again.Events() {
		if ev.Props.Get(goical.PropUID).Value != evs[i].Props.Get(goical.PropUID).Value {
			t.Errorf("event %d: UID changed on re-export", i)
		}
	}
	if s := again.Events()[0].Props.Get(goical.PropSequence).Value; s != "2" {
		t.Errorf("sequence after an edit: %s", s)
	}
}

func TestExportNamesOnlyWhenAsked(t *testing.T) {
	events, _ := fixture()
	_, cal := export(t, Options{Now: at("2024-06-10T12:00:00Z"), Names: NamesInitials, JoinLinks: true}, events, nil)
	want := []string{"Session – A.K.", "Session – R.S.I.", "Session – M."}
	for i, ev := range cal.Events() {
		if s := ev.Props.Get(goical.PropSummary).Value; s != want[i] {
			t.Errorf("initials %d: %q, want %q", i, s, want[i])
		}
	}
	if u := cal.Events()[0].Props.Get(goical.PropURL); u == nil || u.Value != "https://meet.calmally.in/r/xyz" {
		t.Errorf("join link when asked: %v", u)
	}
	_, cal = export(t, Options{Now: at("2024-06-10T12:00:00Z"), Names: NamesFull}, events, nil)
	if s := cal.Events()[1].Props.Get(goical.PropSummary).Value; s != "Session – Ravi Shankar Iyer" {
		t.Errorf("full name: %q", s)
	}
	for _, c := range cal.Children {
		if c.Name == "VAVAILABILITY" {
			t.Error("VAVAILABILITY without openings")
		}
	}
}

func TestInitials(t *testing.T) {
	for in, want := range map[string]string{"Asha Kumar": "A.K.", "  asha  ": "A.", "आशा कुमार": "आ.क.", "": "", "1 2 3": "",
		"A B C D E": "A.B.C.D."} {
		if got := Initials(in); got != want {
			t.Errorf("Initials(%q) = %q, want %q", in, got, want)
		}
	}
	if _, err := ParseNames("everything"); err == nil {
		t.Error("unknown names mode accepted")
	}
}
