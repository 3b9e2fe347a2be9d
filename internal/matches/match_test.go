package matches

import (
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func TestTimeLeftAndShown(t *testing.T) {
	m := Match{Status: Proposed, ProposedAt: t0, RespondBy: t0.Add(48 * time.Hour)}
	if got := m.TimeLeft(t0.Add(47 * time.Hour)); got != time.Hour {
		t.Fatalf("time left = %v", got)
	}
	if m.Shown(t0.Add(47*time.Hour)) != Proposed || !m.Open(t0.Add(47*time.Hour)) {
		t.Fatal("open proposal not shown as proposed")
	}
	at := t0.Add(48 * time.Hour) // the deadline itself: too late
	if m.TimeLeft(at) != 0 || m.Open(at) || m.Shown(at) != Expired {
		t.Fatalf("at the deadline: left %v open %v shown %v", m.TimeLeft(at), m.Open(at), m.Shown(at))
	}
	m.Status = Accepted
	if m.TimeLeft(t0) != 0 || m.Shown(t0.Add(72*time.Hour)) != Accepted {
		t.Fatal("a decided match has no time left and stays as decided")
	}
}

func TestIsAdultBand(t *testing.T) {
	for _, b := range AdultBands {
		if !IsAdultBand(b) {
			t.Errorf("%s refused", b)
		}
	}
	for _, b := range []string{"under-18", "13-17", "", "18", "17-24"} {
		if IsAdultBand(b) {
			t.Errorf("%q taken for adult", b)
		}
	}
}

func TestMerge(t *testing.T) {
	cases := []struct {
		local, platform, want Status
		conflict              bool
	}{
		{Proposed, Proposed, Proposed, false},
		{Proposed, Withdrawn, Withdrawn, false},
		{Proposed, Accepted, Accepted, false}, // accepted on another device
		{Accepted, Proposed, Accepted, false}, // our accept is on its way
		{Declined, Proposed, Declined, false},
		{Accepted, Accepted, Accepted, false},
		{Accepted, Withdrawn, Withdrawn, true},
		{Accepted, Expired, Expired, true},
		{Accepted, Declined, Declined, true},
		{Declined, Accepted, Accepted, true},
		{Declined, Expired, Expired, false}, // same outcome: no client
		{Expired, Proposed, Proposed, false},
	}
	for _, tc := range cases {
		cur := Match{ID: "m", Status: tc.local, Concerns: []string{"old"}}
		if tc.local == Declined {
			cur.DeclineReason = ReasonSchedule
		}
		next, local, platform := merge(cur, Proposal{Status: tc.platform, Concerns: []string{"new"}})
		if next.Status != tc.want || (local != "") != tc.conflict {
			t.Errorf("%s here, %s there: got %s (conflict %q→%q)", tc.local, tc.platform, next.Status, local, platform)
		}
		if tc.conflict && (local != tc.local || platform != tc.platform) {
			t.Errorf("conflict names %s/%s", local, platform)
		}
		if next.Concerns[0] != "new" {
			t.Error("the platform's preview did not win")
		}
		if (next.Status == Declined) != (next.DeclineReason != "") {
			t.Errorf("%s with reason %q", next.Status, next.DeclineReason)
		}
	}
}

func TestSort(t *testing.T) {
	now := t0
	ms := []Match{
		{ID: "closed-old", Status: Declined, ProposedAt: t0.Add(-72 * time.Hour), RespondBy: t0},
		{ID: "open-late", Status: Proposed, ProposedAt: t0, RespondBy: t0.Add(40 * time.Hour)},
		{ID: "past", Status: Proposed, ProposedAt: t0.Add(-48 * time.Hour), RespondBy: t0.Add(-time.Hour)},
		{ID: "open-soon", Status: Proposed, ProposedAt: t0, RespondBy: t0.Add(2 * time.Hour)},
	}
	Sort(ms, now)
	want := []string{"open-soon", "open-late", "past", "closed-old"}
	for i, id := range want {
		if ms[i].ID != id {
			t.Fatalf("order %d = %s, want %v", i, ms[i].ID, want)
		}
	}
}
