package store

import (
	"context"
	"testing"
	"time"

	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/retention"
)

func TestRetentionFacts(t *testing.T) {
	ctx := context.Background()
	env := newClientEnv(t)
	a := env.create(t, fullInput())
	b := env.create(t, fullInput())
	env.now = time.Date(2024, 7, 1, 8, 0, 0, 0, time.UTC)
	if _, err := env.svc.Discharge(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := env.db.SQL().ExecContext(ctx, `UPDATE clients SET last_interaction_at = '2024-06-20T10:00:00Z' WHERE id = ?`, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := env.db.SQL().ExecContext(ctx, `INSERT INTO rights_requests (id, rev, client_id, kind, source, status, purpose, platform_ref,
		received_at, verification_method, verified_by, verified_at, due_at, closed_at, refusal_reason, outcome_ref, created_at, updated_at, details)
		VALUES ('r1', 1, ?, 'erasure', 'clinic', 'received', '', '', '2024-07-01T08:00:00Z', '', '', NULL, NULL, NULL, '', '',
		'2024-07-01T08:00:00Z', '2024-07-01T08:00:00Z', x'00')`, a.ID); err != nil {
		t.Fatal(err)
	}
	s := NewRetentionStore(env.db, func() (*audit.Chain, error) { return env.chain, nil })
	f, err := s.Facts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Clients) != 2 || f.AuditEntries < 3 {
		t.Fatalf("facts %+v", f)
	}
	got := map[string]retention.ClientFacts{}
	for _, c := range f.Clients {
		got[c.ClientID] = c
	}
	ca, cb := got[a.ID], got[b.ID]
	if !ca.OpenRightsRequest || ca.Discharged || !ca.LastInteractionAt.Equal(time.Date(2024, 6, 20, 10, 0, 0, 0, time.UTC)) {
		t.Fatalf("client a %+v", ca)
	}
	if cb.OpenRightsRequest || !cb.Discharged || !cb.DischargedAt.Equal(env.now) || !cb.CreatedAt.Equal(time.Date(2024, 6, 15, 6, 30, 0, 0, time.UTC)) {
		t.Fatalf("client b %+v", cb)
	}
	// A plan from these facts: b's contact details are due 30 days after
	// the discharge; a is held by its open request only once due.
	items := retention.Plan(f, time.Date(2024, 7, 31, 8, 0, 0, 0, time.UTC))
	if len(items) != 2 || items[0].ClientID != b.ID || items[0].Category != retention.CategoryContact || items[1].Rule != retention.RuleUsageAuditKept {
		t.Fatalf("plan %+v", items)
	}
	if items := retention.Plan(f, time.Date(2024, 7, 31, 7, 59, 59, 0, time.UTC)); len(items) != 1 {
		t.Fatalf("a second before: %+v", items)
	}
	e, err := audit.Event{Action: audit.ActionRetentionPurge, RecordType: "log", Detail: audit.D("rule", retention.RuleUsageLog2Years)}.Entry(env.now, "tester")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Record(ctx, []audit.Entry{e}); err != nil {
		t.Fatal(err)
	}
	if es := env.auditEntries(t); es[len(es)-1].Action != audit.ActionRetentionPurge {
		t.Fatalf("last entry %+v", es[len(es)-1])
	}
}
