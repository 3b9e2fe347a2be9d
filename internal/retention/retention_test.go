package retention

import (
	"testing"
	"time"
)

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestPlanBoundaries(t *testing.T) {
	created := ts("2017-01-10T10:00:00Z")
	last := ts("2018-02-28T10:00:00Z")
	leap := ts("2020-02-29T10:00:00Z")
	disc := ts("2024-01-31T10:00:00Z")
	tests := []struct {
		name    string
		c       ClientFacts
		asOf    time.Time
		want    string // "" none, else category/action
		wantDue time.Time
	}{
		{"health: day before 7 years", ClientFacts{ClientID: "a", CreatedAt: created, LastInteractionAt: last}, ts("2025-02-27T10:00:00Z"), "", time.Time{}},
		{"health: second before 7 years", ClientFacts{ClientID: "a", CreatedAt: created, LastInteractionAt: last}, ts("2025-02-28T09:59:59Z"), "", time.Time{}},
		{"health: at 7 years", ClientFacts{ClientID: "a", CreatedAt: created, LastInteractionAt: last}, ts("2025-02-28T10:00:00Z"), "health/delete", ts("2025-02-28T10:00:00Z")},
		{"health: day after 7 years", ClientFacts{ClientID: "a", CreatedAt: created, LastInteractionAt: last}, ts("2025-03-01T10:00:00Z"), "health/delete", ts("2025-02-28T10:00:00Z")},
		{"health: no interaction runs from creation", ClientFacts{ClientID: "a", CreatedAt: created}, ts("2024-01-10T10:00:00Z"), "health/delete", ts("2024-01-10T10:00:00Z")},
		{"health: a new interaction resets the clock", ClientFacts{ClientID: "a", CreatedAt: created, LastInteractionAt: ts("2023-06-01T10:00:00Z")}, ts("2024-01-10T10:00:00Z"), "", time.Time{}},
		{"health: leap day + 7 years is 1 March", ClientFacts{ClientID: "a", CreatedAt: leap}, ts("2027-02-28T23:59:59Z"), "", time.Time{}},
		{"health: leap day due 1 March", ClientFacts{ClientID: "a", CreatedAt: leap}, ts("2027-03-01T10:00:00Z"), "health/delete", ts("2027-03-01T10:00:00Z")},
		{"health: held by an open rights request", ClientFacts{ClientID: "a", CreatedAt: created, OpenRightsRequest: true}, ts("2030-01-01T00:00:00Z"), "health/held", ts("2024-01-10T10:00:00Z")},
		{"health: held by an erasure hold", ClientFacts{ClientID: "a", CreatedAt: created, ErasureHoldUntil: ts("2030-01-02T00:00:00Z")}, ts("2030-01-01T00:00:00Z"), "health/held", ts("2024-01-10T10:00:00Z")},
		{"health: an erasure hold that has ended holds nothing", ClientFacts{ClientID: "a", CreatedAt: created, ErasureHoldUntil: ts("2029-01-02T00:00:00Z")}, ts("2030-01-01T00:00:00Z"), "health/delete", ts("2024-01-10T10:00:00Z")},
		{"contact: day before 30 days", ClientFacts{ClientID: "b", CreatedAt: disc, LastInteractionAt: disc, Discharged: true, DischargedAt: disc}, ts("2024-02-29T10:00:00Z"), "", time.Time{}},
		{"contact: at 30 days (across February, leap year)", ClientFacts{ClientID: "b", CreatedAt: disc, LastInteractionAt: disc, Discharged: true, DischargedAt: disc}, ts("2024-03-01T10:00:00Z").Add(0).AddDate(0, 0, 1), "contact/delete", ts("2024-03-01T10:00:00Z")},
		{"contact: active client has no contact clock", ClientFacts{ClientID: "b", CreatedAt: disc, LastInteractionAt: disc}, ts("2024-12-01T10:00:00Z"), "", time.Time{}},
		{"contact: held", ClientFacts{ClientID: "b", CreatedAt: disc, Discharged: true, DischargedAt: disc, OpenRightsRequest: true}, ts("2024-12-01T10:00:00Z"), "contact/held", ts("2024-03-01T10:00:00Z")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items := Plan(Facts{Clients: []ClientFacts{tt.c}}, tt.asOf)
			if tt.want == "" {
				if len(items) != 0 {
					t.Fatalf("got %+v, want nothing due", items)
				}
				return
			}
			if len(items) != 1 {
				t.Fatalf("got %d items %+v, want 1", len(items), items)
			}
			got := string(items[0].Category) + "/" + items[0].Action
			if got != tt.want || !items[0].Due.Equal(tt.wantDue) || items[0].ClientID != tt.c.ClientID {
				t.Fatalf("got %s due %s, want %s due %s", got, items[0].Due, tt.want, tt.wantDue)
			}
		})
	}
}

func TestPlanContactDue30Days(t *testing.T) {
	disc := ts("2024-01-31T10:00:00Z")
	c := ClientFacts{ClientID: "b", CreatedAt: disc, Discharged: true, DischargedAt: disc}
	due, ok := ContactDue(c)
	if !ok || !due.Equal(ts("2024-03-01T10:00:00Z")) {
		t.Fatalf("due %s ok %v", due, ok)
	}
	if n := len(Plan(Facts{Clients: []ClientFacts{c}}, due.Add(-time.Second))); n != 0 {
		t.Fatalf("a second before: %d items", n)
	}
	if n := len(Plan(Facts{Clients: []ClientFacts{c}}, due)); n != 1 {
		t.Fatalf("at due: %d items", n)
	}
}

func TestPlanUsage(t *testing.T) {
	f := Facts{AuditEntries: 12, LogFiles: []LogFile{
		{Name: "calmally.log.1", ModTime: ts("2022-05-01T00:00:00Z")},
		{Name: "calmally.log", ModTime: ts("2024-05-01T00:00:00Z")},
	}}
	items := Plan(f, ts("2024-05-01T00:00:00Z"))
	if len(items) != 2 || items[0].Ref != "calmally.log.1" || items[0].Action != ActionDelete {
		t.Fatalf("got %+v", items)
	}
	if items[1].Rule != RuleUsageAuditKept || items[1].Action != ActionKept || items[1].Hold != KeptChainIntegrity || items[1].Ref != "12" {
		t.Fatalf("audit item %+v", items[1])
	}
	if items := Plan(f, ts("2024-04-30T23:59:59Z")); len(items) != 1 {
		t.Fatalf("day before 2 years: %+v", items)
	}
}

func TestPlanHoldsInOrder(t *testing.T) {
	created := ts("2017-01-10T10:00:00Z")
	asOf := ts("2030-01-01T00:00:00Z")
	base := ClientFacts{ClientID: "a", CreatedAt: created}
	tests := []struct {
		name string
		mod  func(*ClientFacts)
		want string
	}{
		{"none", func(*ClientFacts) {}, ""},
		{"legal hold", func(c *ClientFacts) { c.LegalHold = true }, HoldLegal},
		{"legal hold before an open request", func(c *ClientFacts) { c.LegalHold, c.OpenRightsRequest = true, true }, HoldLegal},
		{"open request before an erasure hold", func(c *ClientFacts) {
			c.OpenRightsRequest, c.ErasureHoldUntil = true, ts("2031-01-01T00:00:00Z")
		}, HoldOpenRightsRequest},
		{"erasure hold until its end", func(c *ClientFacts) { c.ErasureHoldUntil = ts("2030-01-01T00:00:01Z") }, HoldErasure},
		{"erasure hold ended at asOf", func(c *ClientFacts) { c.ErasureHoldUntil = asOf }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base
			tt.mod(&c)
			items := Plan(Facts{Clients: []ClientFacts{c}}, asOf)
			if len(items) != 1 || items[0].Hold != tt.want || (items[0].Action == ActionHeld) != (tt.want != "") {
				t.Fatalf("got %+v, want hold %q", items, tt.want)
			}
			if !items[0].Basis.Equal(created) {
				t.Fatalf("basis %s", items[0].Basis)
			}
		})
	}
}

func TestPlanContactOncePerDischarge(t *testing.T) {
	disc := ts("2024-01-31T10:00:00Z")
	c := ClientFacts{ClientID: "b", CreatedAt: disc, Discharged: true, DischargedAt: disc}
	asOf := ts("2024-06-01T00:00:00Z")
	if items := Plan(Facts{Clients: []ClientFacts{c}}, asOf); len(items) != 1 || !items[0].Basis.Equal(disc) {
		t.Fatalf("before the wipe: %+v", items)
	}
	c.ContactErasedAt = ts("2024-03-01T10:00:00Z")
	if items := Plan(Facts{Clients: []ClientFacts{c}}, asOf); len(items) != 0 {
		t.Fatalf("after the wipe: %+v", items)
	}
	// Reopened and discharged again: a new 30-day clock.
	c.DischargedAt = ts("2024-05-01T10:00:00Z")
	if items := Plan(Facts{Clients: []ClientFacts{c}}, ts("2024-05-31T09:59:59Z")); len(items) != 0 {
		t.Fatalf("before the new clock ends: %+v", items)
	}
	if items := Plan(Facts{Clients: []ClientFacts{c}}, ts("2024-05-31T10:00:00Z")); len(items) != 1 || items[0].Category != CategoryContact {
		t.Fatalf("at the new clock's end: %+v", items)
	}
}

func TestPlanRunLog(t *testing.T) {
	f := Facts{Runs: []RunRecord{{ID: "r1", At: ts("2022-05-01T00:00:00Z")}, {ID: "r2", At: ts("2023-05-01T00:00:00Z")}}}
	if items := Plan(f, ts("2024-04-30T23:59:59Z")); len(items) != 0 {
		t.Fatalf("day before 2 years: %+v", items)
	}
	items := Plan(f, ts("2024-05-01T00:00:00Z"))
	if len(items) != 1 || items[0].Ref != "r1" || items[0].Rule != RuleUsageRunLog2Years || items[0].Action != ActionDelete {
		t.Fatalf("at 2 years: %+v", items)
	}
}

func TestReasonCodes(t *testing.T) {
	for _, r := range HoldReasons {
		if !ValidHoldReason(r) || ValidReleaseReason(r) {
			t.Errorf("hold reason %q", r)
		}
	}
	for _, r := range ReleaseReasons {
		if !ValidReleaseReason(r) || ValidHoldReason(r) {
			t.Errorf("release reason %q", r)
		}
	}
	if ValidHoldReason("") || ValidHoldReason("Litigation") {
		t.Error("invalid reasons accepted")
	}
}
