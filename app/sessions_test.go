package app

import (
	"testing"
	"time"
)

// TestSessionsForClient: the client page's sessions, latest first, only this
// client's, with the note that records one pointing at it.
func TestSessionsForClient(t *testing.T) {
	a := newClientTestApp(t)
	c, err := a.ClientCreate(ClientInputDTO{Name: "Asha Kumar", DateOfBirth: "1990-05-01"})
	if err != nil {
		t.Fatal(err)
	}
	other, err := a.ClientCreate(ClientInputDTO{Name: "Ravi Iyer", DateOfBirth: "1985-01-01"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.ConsentGrant(ConsentGrantDTO{ClientID: c.ID, Purpose: "health-data", Method: "checkbox"}); err != nil {
		t.Fatal(err)
	}
	empty, err := a.SessionsForClient(c.ID)
	if err != nil || len(empty.Bookings) != 0 || empty.Bookings == nil || empty.Zone != "Asia/Kolkata" {
		t.Fatalf("no sessions yet: %+v %v", empty, err)
	}
	var ids []string
	for _, back := range []int{800, 30, 2} {
		st := time.Now().AddDate(0, 0, -back).UTC().Truncate(time.Minute).Format(time.RFC3339)
		b, err := a.WalkInCreate(WalkInDTO{ClientID: c.ID, Start: st, FeePaise: 150000})
		if err != nil {
			t.Fatal(err)
		}
		ids = append([]string{b.ID}, ids...)
	}
	if _, err := a.WalkInCreate(WalkInDTO{ClientID: other.ID, Start: time.Now().AddDate(0, 0, -1).UTC().Format(time.RFC3339)}); err != nil {
		t.Fatal(err)
	}
	got, err := a.SessionsForClient(c.ID)
	if err != nil || len(got.Bookings) != 3 {
		t.Fatalf("sessions: %+v %v", got, err)
	}
	for i, b := range got.Bookings {
		if b.ID != ids[i] || b.ClientID != c.ID || b.FeePaise != 150000 || b.Modality != "in_person" {
			t.Fatalf("session %d: %+v", i, b)
		}
	}
	n, err := a.NoteCreate(NoteCreateDTO{ClientID: c.ID, TemplateID: "soap", BookingID: ids[1]})
	if err != nil {
		t.Fatal(err)
	}
	list, err := a.NotesForClient(c.ID)
	if err != nil || len(list) != 1 || list[0].ID != n.ID || list[0].BookingID != ids[1] {
		t.Fatalf("notes: %+v %v", list, err)
	}
	if _, err := a.SessionsForClient("nope"); err == nil || err.Error() != "not_found: client not found" {
		t.Fatalf("unknown client: %v", err)
	}
}
