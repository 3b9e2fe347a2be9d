package store

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/calmally/practice/internal/apperr"
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
	s := NewRetentionStore(env.db, func() (*audit.Chain, error) { return env.chain, nil }, nil)
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
	if !ca.OpenRightsRequest || ca.Discharged || ca.LegalHold || !ca.LastInteractionAt.Equal(time.Date(2024, 6, 20, 10, 0, 0, 0, time.UTC)) {
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

	// A legal hold shows in the facts while it is in place, and a second
	// one for the same reason is refused.
	mk := func(action audit.Action, id string) audit.Entry {
		e, err := audit.Event{Action: action, RecordType: "legal_hold", RecordID: id, Detail: audit.D("reason", "dispute")}.Entry(env.now, "tester")
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	h := LegalHoldRow{ID: "h1", ClientID: b.ID, Reason: retention.HoldReasonDispute, PlacedAt: env.now, PlacedBy: "tester"}
	if err := s.PlaceHold(ctx, h, mk(audit.ActionCreate, "h1")); err != nil {
		t.Fatal(err)
	}
	h.ID = "h2"
	wantCode(t, s.PlaceHold(ctx, h, mk(audit.ActionCreate, "h2")), apperr.Conflict)
	h.ClientID = "no-such-client"
	wantCode(t, s.PlaceHold(ctx, h, mk(audit.ActionCreate, "h2")), apperr.NotFound)
	if f, _ = s.Facts(ctx); !factsOf(f, b.ID).LegalHold {
		t.Fatal("legal hold not in the facts")
	}
	if _, err := s.ReleaseHold(ctx, "h1", env.now, "tester", retention.HoldReleaseResolved, mk(audit.ActionEdit, "h1")); err != nil {
		t.Fatal(err)
	}
	_, err = s.ReleaseHold(ctx, "h1", env.now, "tester", retention.HoldReleaseResolved, mk(audit.ActionEdit, "h1"))
	wantCode(t, err, apperr.Conflict)
	if _, err := env.db.SQL().ExecContext(ctx, `UPDATE legal_holds SET reason = 'litigation' WHERE id = 'h1'`); err == nil {
		t.Fatal("a released hold was changed")
	}
	if f, _ = s.Facts(ctx); factsOf(f, b.ID).LegalHold {
		t.Fatal("a released hold still holds")
	}
	holds, err := s.Holds(ctx, b.ID, false)
	if err != nil || len(holds) != 1 || holds[0].ReleaseReason != retention.HoldReleaseResolved || holds[0].ReleasedAt.IsZero() {
		t.Fatalf("holds %+v %v", holds, err)
	}
	if open, _ := s.Holds(ctx, "", true); len(open) != 0 {
		t.Fatalf("open holds %+v", open)
	}
}

func factsOf(f retention.Facts, id string) retention.ClientFacts {
	for _, c := range f.Clients {
		if c.ClientID == id {
			return c
		}
	}
	return retention.ClientFacts{}
}

// The migration's triggers: a signed note and its addenda are deleted only
// under a 'minor' or 'retention' authorization, and PurgeClient re-checks
// the plan's facts and holds in its transaction.
func TestRetentionPurgeClient(t *testing.T) {
	e := newNoteEnv(t)
	n := e.signed(t)
	if _, err := e.svc.AddAddendum(e.ctx, n.ID, "Addendum text"); err != nil {
		t.Fatal(err)
	}
	if _, err := execSQL(t, e.db, `DELETE FROM notes WHERE id = ?`, n.ID); err == nil || !strings.Contains(err.Error(), "signed") {
		t.Fatalf("signed note deleted without authorization: %v", err)
	}
	if _, err := execSQL(t, e.db, `INSERT INTO purge_authorizations (client_id, scope, created_at) VALUES (?, 'someone', 'x')`, e.client); err == nil {
		t.Fatal("an unknown purge scope was accepted")
	}
	s := NewRetentionStore(e.db, func() (*audit.Chain, error) { return e.chain, nil }, nil)
	f, err := s.Facts(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	basis := retention.HealthBasis(factsOf(f, e.client)) // the session date's midnight
	asOf := retention.HealthDue(factsOf(f, e.client))
	entries := func(p RetentionPurged) ([]audit.Entry, error) {
		ev, err := audit.Event{Action: audit.ActionRetentionPurge, RecordType: "client", RecordID: p.ClientID}.Entry(asOf, "tester")
		return []audit.Entry{ev}, err
	}
	purge := func(b, at time.Time) error {
		_, err := s.PurgeClient(e.ctx, RetentionPurgeInput{ClientID: e.client, Basis: b, AsOf: at}, entries)
		return err
	}
	wantCode(t, purge(basis.Add(-time.Hour), asOf), apperr.Conflict)   // a newer interaction since the plan
	wantCode(t, purge(basis, asOf.Add(-time.Second)), apperr.Conflict) // not due yet
	hold := func(a audit.Action, id string) audit.Entry {
		ev, err := audit.Event{Action: a, RecordType: "legal_hold", RecordID: id}.Entry(asOf, "tester")
		if err != nil {
			t.Fatal(err)
		}
		return ev
	}
	if err := s.PlaceHold(e.ctx, LegalHoldRow{ID: "h1", ClientID: e.client, Reason: retention.HoldReasonLitigation, PlacedAt: basis,
		PlacedBy: "tester"}, hold(audit.ActionCreate, "h1")); err != nil {
		t.Fatal(err)
	}
	wantCode(t, purge(basis, asOf), apperr.Conflict) // held now
	if _, err := s.ReleaseHold(e.ctx, "h1", asOf, "tester", retention.HoldReleaseResolved, hold(audit.ActionEdit, "h1")); err != nil {
		t.Fatal(err)
	}
	before := e.auditCount(t, audit.ActionRetentionPurge, e.client, "")
	got, err := s.PurgeClient(e.ctx, RetentionPurgeInput{ClientID: e.client, Basis: basis, AsOf: asOf}, entries)
	if err != nil {
		t.Fatal(err)
	}
	if ids := got.IDs("notes"); len(ids) != 1 || ids[0] != n.ID || len(got.IDs("note_addenda")) != 1 ||
		len(got.IDs("legal_holds")) != 1 || len(got.IDs("clients")) != 1 {
		t.Fatalf("purged %+v", got)
	}
	for _, q := range []string{`SELECT count(*) FROM notes`, `SELECT count(*) FROM note_addenda`, `SELECT count(*) FROM clients`,
		`SELECT count(*) FROM legal_holds`, `SELECT count(*) FROM purge_authorizations`} {
		var c int
		if err := e.db.sql.QueryRowContext(e.ctx, q).Scan(&c); err != nil || c != 0 {
			t.Fatalf("%s = %d %v", q, c, err)
		}
	}
	if after := e.auditCount(t, audit.ActionRetentionPurge, e.client, ""); after != before+1 {
		t.Fatalf("retention audit entries %d → %d", before, after)
	}
	if _, err := e.db.VerifyAudit(e.ctx, e.chain); err != nil {
		t.Fatalf("audit chain after the purge: %v", err)
	}
	_, err = s.PurgeClient(e.ctx, RetentionPurgeInput{ClientID: e.client, Basis: basis, AsOf: asOf}, entries)
	wantCode(t, err, apperr.NotFound)
}

// A failing audit callback rolls the whole purge back.
func TestRetentionPurgeIsAtomic(t *testing.T) {
	e := newNoteEnv(t)
	e.signed(t)
	s := NewRetentionStore(e.db, func() (*audit.Chain, error) { return e.chain, nil }, nil)
	f, err := s.Facts(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	basis := retention.HealthBasis(factsOf(f, e.client))
	_, err = s.PurgeClient(e.ctx, RetentionPurgeInput{ClientID: e.client, Basis: basis, AsOf: basis.AddDate(8, 0, 0)},
		func(RetentionPurged) ([]audit.Entry, error) { return nil, sql.ErrConnDone })
	if err == nil {
		t.Fatal("purge succeeded without its audit entries")
	}
	var c int
	if err := e.db.sql.QueryRowContext(e.ctx, `SELECT (SELECT count(*) FROM notes) + (SELECT count(*) FROM clients)`).Scan(&c); err != nil || c != 2 {
		t.Fatalf("rows after a failed purge: %d %v", c, err)
	}
}

// The schema's reason CHECKs accept exactly the domain's reason codes.
func TestRetentionHoldReasonsMatchSchema(t *testing.T) {
	e := newNoteEnv(t)
	s := NewRetentionStore(e.db, func() (*audit.Chain, error) { return e.chain, nil }, nil)
	entry := func(id string) audit.Entry {
		ev, err := audit.Event{Action: audit.ActionCreate, RecordType: "legal_hold", RecordID: id}.Entry(e.clock.Now(), "tester")
		if err != nil {
			t.Fatal(err)
		}
		return ev
	}
	for i, r := range retention.HoldReasons {
		id := "h" + r
		if err := s.PlaceHold(e.ctx, LegalHoldRow{ID: id, ClientID: e.client, Reason: r, PlacedAt: e.clock.Now(), PlacedBy: "t"}, entry(id)); err != nil {
			t.Fatalf("hold reason %s: %v", r, err)
		}
		why := retention.ReleaseReasons[i%len(retention.ReleaseReasons)]
		if _, err := s.ReleaseHold(e.ctx, id, e.clock.Now(), "t", why, entry(id)); err != nil {
			t.Fatalf("release reason %s: %v", why, err)
		}
	}
	if err := s.PlaceHold(e.ctx, LegalHoldRow{ID: "bad", ClientID: e.client, Reason: "whim", PlacedAt: e.clock.Now(), PlacedBy: "t"}, entry("bad")); err == nil {
		t.Fatal("the schema accepted an unknown reason")
	}
}

// Every table that names a client (a client_id column or a foreign key to
// clients) is either emptied by the retention purge or cleans itself up (ON
// DELETE CASCADE / SET NULL): a new table added later without a purge step
// would otherwise keep a deleted client's rows, or make every purge fail.
func TestRetentionPurgeCoversEveryClientTable(t *testing.T) {
	e := newNoteEnv(t)
	steps := map[string]bool{}
	for _, s := range purgeSteps {
		steps[s.table] = true
	}
	rows, err := e.db.sql.QueryContext(e.ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	rows.Close()
	// Tables that keep client ids on purpose: proof of what was done.
	kept := map[string]string{
		"erasure_certificates": "certificates attest an erasure; ids and codes only, never deleted",
		"purge_authorizations": "empty outside a purge's transaction",
		"audit_log":            "the hash chain; ids only",
	}
	for _, tbl := range tables {
		if steps[tbl] || kept[tbl] != "" {
			continue
		}
		var fk, col int
		if err := e.db.sql.QueryRowContext(e.ctx, `SELECT
			(SELECT count(*) FROM pragma_foreign_key_list(?1) WHERE "table" = 'clients' AND on_delete NOT IN ('CASCADE', 'SET NULL')),
			(SELECT count(*) FROM pragma_table_info(?1) WHERE name = 'client_id')`, tbl).Scan(&fk, &col); err != nil {
			t.Fatal(err)
		}
		var soft int
		if err := e.db.sql.QueryRowContext(e.ctx, `SELECT count(*) FROM pragma_foreign_key_list(?1) WHERE "table" = 'clients'
			AND on_delete IN ('CASCADE', 'SET NULL')`, tbl).Scan(&soft); err != nil {
			t.Fatal(err)
		}
		if fk > 0 || (col > 0 && soft == 0) {
			t.Errorf("table %s names a client but the retention purge (purgeSteps) does not empty it", tbl)
		}
	}
}
