package notices

import (
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func grievance(status Status) Notice {
	return withPlatform(Notice{ID: "g", Status: status}, Incoming{Kind: Grievance, ReceivedAt: t0,
		AcknowledgeBy: t0.Add(24 * time.Hour), ResolveBy: t0.Add(15 * 24 * time.Hour)})
}

func TestGrievanceDeadlines(t *testing.T) {
	g := grievance(Open)
	step, by := g.Next()
	if step != StepAcknowledge || !by.Equal(t0.Add(24*time.Hour)) {
		t.Fatalf("next = %s %v", step, by)
	}
	if g.Overdue(t0.Add(24*time.Hour-time.Second)) || !g.Overdue(t0.Add(24*time.Hour)) {
		t.Fatal("acknowledgement overdue from the 24th hour, not before")
	}
	if !g.Due(t0.Add(20*time.Hour), 6*time.Hour) || g.Due(t0.Add(10*time.Hour), 6*time.Hour) {
		t.Fatal("due within 6 hours wrong")
	}
	if g.Due(t0.Add(25*time.Hour), 6*time.Hour) {
		t.Fatal("an overdue step is overdue, not due")
	}
	g.Status = Acknowledged
	if step, by = g.Next(); step != StepResolve || !by.Equal(t0.Add(15*24*time.Hour)) {
		t.Fatalf("next after acknowledging = %s %v", step, by)
	}
	if g.Overdue(t0.Add(14*24*time.Hour)) || !g.Overdue(t0.Add(15*24*time.Hour)) {
		t.Fatal("resolution overdue from day 15")
	}
	if d := g.TimeLeft(t0.Add(16 * 24 * time.Hour)); d != -24*time.Hour {
		t.Fatalf("time left when a day overdue = %v", d)
	}
	g.Status = Resolved
	if g.Overdue(t0.Add(100*24*time.Hour)) || g.Due(t0, time.Hour) || g.TimeLeft(t0) != 0 {
		t.Fatal("a resolved grievance is never due")
	}
}

func TestTakedownDeadline(t *testing.T) {
	n := withPlatform(Notice{ID: "t", Status: Open}, Incoming{Kind: Takedown, ReceivedAt: t0, RemoveBy: t0.Add(36 * time.Hour)})
	if n.Overdue(t0.Add(36*time.Hour-time.Second)) || !n.Overdue(t0.Add(36*time.Hour)) {
		t.Fatal("removal overdue from the 36th hour")
	}
	n.Status = Disputed
	if n.Overdue(t0.Add(40 * time.Hour)) {
		t.Fatal("a disputed takedown is not overdue")
	}
}

func TestDeadlinesCappedByTheRules(t *testing.T) {
	g := withPlatform(Notice{}, Incoming{Kind: Grievance, ReceivedAt: t0,
		AcknowledgeBy: t0.Add(72 * time.Hour), ResolveBy: t0.Add(30 * 24 * time.Hour)})
	if !g.AcknowledgeBy.Equal(t0.Add(24*time.Hour)) || !g.ResolveBy.Equal(t0.Add(15*24*time.Hour)) {
		t.Fatalf("grievance deadlines not capped: %v %v", g.AcknowledgeBy, g.ResolveBy)
	}
	early := withPlatform(Notice{}, Incoming{Kind: Grievance, ReceivedAt: t0,
		AcknowledgeBy: t0.Add(12 * time.Hour), ResolveBy: t0.Add(10 * 24 * time.Hour)})
	if !early.AcknowledgeBy.Equal(t0.Add(12*time.Hour)) || !early.ResolveBy.Equal(t0.Add(10*24*time.Hour)) {
		t.Fatal("an earlier platform deadline must be kept")
	}
	tk := withPlatform(Notice{}, Incoming{Kind: Takedown, ReceivedAt: t0, RemoveBy: t0.Add(7 * 24 * time.Hour)})
	if !tk.RemoveBy.Equal(t0.Add(36 * time.Hour)) {
		t.Fatalf("takedown deadline not capped: %v", tk.RemoveBy)
	}
}

func TestMerge(t *testing.T) {
	cases := []struct {
		kind                  Kind
		local, platform, want Status
		conflict              bool
	}{
		{Grievance, Open, Acknowledged, Acknowledged, false},
		{Grievance, Acknowledged, Open, Acknowledged, false}, // our acknowledgement is on its way
		{Grievance, Resolved, Acknowledged, Resolved, false},
		{Grievance, Open, Resolved, Resolved, false},
		{Takedown, Open, Removed, Removed, false},
		{Takedown, Removed, Open, Removed, false},
		{Takedown, Removed, Disputed, Disputed, true},
	}
	for _, tc := range cases {
		next, local := merge(Notice{Kind: tc.kind, Status: tc.local}, tc.platform, t0)
		if next.Status != tc.want || (local != "") != tc.conflict {
			t.Errorf("%s %s here, %s there: %s conflict %q", tc.kind, tc.local, tc.platform, next.Status, local)
		}
		if next.Closed() && next.ClosedAt.IsZero() {
			t.Errorf("%s closed without a time", next.Status)
		}
	}
}

func TestSortNearestDeadlineFirst(t *testing.T) {
	a := grievance(Open) // acknowledge by t0+24h
	a.ID = "ack"
	b := grievance(Acknowledged) // resolve by t0+15d
	b.ID = "resolve"
	c := withPlatform(Notice{ID: "takedown", Status: Open}, Incoming{Kind: Takedown, ReceivedAt: t0.Add(-30 * time.Hour)})
	d := grievance(Resolved)
	d.ID = "closed"
	ns := []Notice{d, b, a, c}
	Sort(ns)
	want := []string{"takedown", "ack", "resolve", "closed"}
	for i, id := range want {
		if ns[i].ID != id {
			t.Fatalf("order %d = %s, want %v", i, ns[i].ID, want)
		}
	}
}
