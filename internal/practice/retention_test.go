package practice

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/clients"
	"github.com/calmally/practice/internal/consent"
	"github.com/calmally/practice/internal/notes"
	"github.com/calmally/practice/internal/retention"
	"github.com/calmally/practice/internal/rights"
)

func outcomes(t *testing.T, rep RetentionReport) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, r := range rep.Results {
		k := string(r.Category) + ":" + r.ClientID + r.Ref
		if r.Rule == retention.RuleUsageAuditKept {
			k = "audit"
		}
		m[k] = r.Outcome
	}
	return m
}

func TestRetentionClocksHoldsAndRun(t *testing.T) {
	f := newFixture(t) // now: 2026-03-01T09:00:00Z
	ctx := context.Background()
	p := f.open(t)
	mustCreate(t, p, false)
	a, err := p.Clients().Create(ctx, clients.Input{Name: "Lata Rao", DateOfBirth: "1975-07-31", Phone: "9876543210"}, clients.SourceClinic)
	if err != nil {
		t.Fatal(err)
	}
	b, err := p.Clients().Create(ctx, clients.Input{Name: "Kiran Das", DateOfBirth: "1980-01-31", Phone: "9876543211"}, clients.SourceClinic)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Clients().Discharge(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	plan := func(asOf string) map[string]string {
		t.Helper()
		rep, err := p.RetentionPlan(ctx, at(asOf))
		if err != nil {
			t.Fatal(err)
		}
		return outcomes(t, rep)
	}

	// Contact details of the discharged client: 30 days after discharge
	// (1 March + 30 days = 31 March).
	if got := plan("2026-03-30T09:00:00Z"); got["contact:"+b.ID] != "" {
		t.Fatalf("day before 30 days: %v", got)
	}
	if got := plan("2026-03-31T09:00:00Z"); got["contact:"+b.ID] != RetentionWouldDelete || got["audit"] != RetentionKept {
		t.Fatalf("at 30 days: %v", got)
	}
	// Health information: 7 years after the last interaction (here creation).
	if got := plan("2033-02-28T09:00:00Z"); got["health:"+a.ID] != "" {
		t.Fatalf("day before 7 years: %v", got)
	}
	if got := plan("2033-03-02T09:00:00Z"); got["health:"+a.ID] != RetentionWouldDelete || got["health:"+b.ID] != RetentionWouldDelete {
		t.Fatalf("day after 7 years: %v", got)
	}

	// An open rights request holds the client.
	r, err := p.Rights().Create(ctx, rights.NewRequest{ClientID: a.ID, Kind: rights.KindAccess, Source: rights.SourceClinic})
	if err != nil {
		t.Fatal(err)
	}
	if got := plan("2033-03-02T09:00:00Z"); got["health:"+a.ID] != RetentionHeld {
		t.Fatalf("with an open request: %v", got)
	}
	if _, err := p.Rights().Refuse(ctx, r.ID, "duplicate"); err != nil {
		t.Fatal(err)
	}
	if got := plan("2033-03-02T09:00:00Z"); got["health:"+a.ID] != RetentionWouldDelete {
		t.Fatalf("after the request closed: %v", got)
	}

	// A new interaction a year later resets the clock.
	f.clock.Advance(365 * 24 * time.Hour)
	if _, err := p.Consent().Grant(ctx, consent.GrantInput{ClientID: b.ID, Purpose: consent.PurposeHealthData,
		Method: consent.MethodSignature, Evidence: consent.Evidence{SignedBy: "client"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Notes().Create(ctx, notes.NewNote{ClientID: b.ID, TemplateID: notes.TemplateSOAP, Title: "Follow-up",
		Sections: map[string]string{"subjective": "ok"}}); err != nil {
		t.Fatal(err)
	}
	if got := plan("2033-03-02T09:00:00Z"); got["health:"+b.ID] != "" {
		t.Fatalf("after a new interaction: %v", got)
	}

	// A run: an old rotated log file goes (and is audited); the client's
	// health information is deferred, the client kept.
	old := filepath.Join(p.DataDir(), "calmally.log.3")
	if err := os.WriteFile(old, []byte("{}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	mt := at("2024-03-01T00:00:00Z")
	if err := os.Chtimes(old, mt, mt); err != nil {
		t.Fatal(err)
	}
	if got := plan("2026-02-28T23:59:59Z"); got["usage:calmally.log.3"] != "" {
		t.Fatalf("day before 2 years: %v", got)
	}
	rep, err := p.RetentionRun(ctx, at("2033-03-02T09:00:00Z"))
	if err != nil {
		t.Fatal(err)
	}
	got := outcomes(t, rep)
	if got["usage:calmally.log.3"] != RetentionDeleted || got["health:"+b.ID] != "" || got["health:"+a.ID] != RetentionDeferredSigned {
		t.Fatalf("run: %v", got)
	}
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Fatalf("log file still there: %v", err)
	}
	if _, err := p.Clients().Get(ctx, a.ID); err != nil {
		t.Fatalf("client gone without a purge authorization: %v", err)
	}
	es, _, err := p.DB().ListAudit(ctx, audit.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range es {
		if e.Action == audit.ActionRetentionPurge {
			n++
		}
	}
	if n != 2 {
		t.Fatalf("retention audit entries: %d, want 2 (the file, the run)", n)
	}
}
