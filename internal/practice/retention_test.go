package practice

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/clients"
	"github.com/calmally/practice/internal/consent"
	"github.com/calmally/practice/internal/notes"
	"github.com/calmally/practice/internal/retention"
	"github.com/calmally/practice/internal/rights"
	"github.com/calmally/practice/internal/search"
	"github.com/calmally/practice/internal/store"
)

// --- helpers ----------------------------------------------------------------

func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func outcomes(rep RetentionReport) map[string]string {
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

func item(rep RetentionReport, category retention.Category, id string) (RetentionResult, bool) {
	for _, r := range rep.Results {
		if r.Category == category && r.ClientID+r.Ref == id {
			return r, true
		}
	}
	return RetentionResult{}, false
}

func addRetentionClient(t *testing.T, p *Practice, name, phone string) clients.Client {
	t.Helper()
	c, err := p.Clients().Create(context.Background(), clients.Input{Name: name, DateOfBirth: "1980-01-31", Phone: phone,
		Email:            strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@example.in",
		EmergencyContact: clients.EmergencyContact{Name: "Kin of " + name, Relationship: "sibling", Phone: "+91" + phone}}, clients.SourceClinic)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Consent().Grant(context.Background(), consent.GrantInput{ClientID: c.ID, Purpose: consent.PurposeHealthData,
		Method: consent.MethodSignature, Evidence: consent.Evidence{SignedBy: "client " + name}}); err != nil {
		t.Fatal(err)
	}
	return c
}

// addSignedNote writes and signs a note (title, sections from text) with an
// addendum and a summary.
func addSignedNote(t *testing.T, p *Practice, clientID, title, text string) notes.Note {
	t.Helper()
	ctx := context.Background()
	svc := p.Notes()
	n, err := svc.Create(ctx, notes.NewNote{ClientID: clientID, TemplateID: notes.TemplateSOAP, Title: title,
		Sections: map[string]string{"subjective": text, "plan": "Homework: " + text}})
	if err != nil {
		t.Fatal(err)
	}
	s, err := svc.Sign(ctx, n.ID, n.Rev)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AddAddendum(ctx, n.ID, "Addendum "+text); err != nil {
		t.Fatal(err)
	}
	sum, err := svc.DeriveSummary(ctx, n.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SaveSummary(ctx, n.ID, sum.Rev, notes.SummaryContent{Plan: text}); err != nil {
		t.Fatal(err)
	}
	return s
}

// column reads one stored value (an envelope, a hash) by a query and returns
// its first 32 bytes (a nonce and the start of the ciphertext, random): a
// long envelope spans overflow pages, so only its start is contiguous.
func column(t *testing.T, p *Practice, q string, args ...any) []byte {
	t.Helper()
	var b []byte
	if err := p.DB().SQL().QueryRowContext(context.Background(), q, args...).Scan(&b); err != nil {
		t.Fatal(err)
	}
	if len(b) < 32 {
		t.Fatalf("%s: value too short to be a marker (%d bytes)", q, len(b))
	}
	return b[:32]
}

// onDisk reports whether marker's bytes are anywhere in the database file or
// its WAL: after a run, deleted or re-sealed envelopes must be in neither.
func onDisk(t *testing.T, p *Practice, marker []byte) bool {
	t.Helper()
	for _, name := range []string{store.FileName, store.FileName + "-wal"} {
		b, err := os.ReadFile(filepath.Join(p.DataDir(), name))
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if bytes.Contains(b, marker) {
			return true
		}
	}
	return false
}

func retentionAuditCount(t *testing.T, p *Practice, recordType, id string) int {
	t.Helper()
	es, _, err := p.DB().ListAudit(context.Background(), audit.Filter{Action: audit.ActionRetentionPurge, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range es {
		if e.RecordType == recordType && (id == "" || e.RecordID == id) {
			n++
		}
	}
	return n
}

// --- tests ------------------------------------------------------------------

// The dry run: the clocks at their boundaries, a hold by an open request,
// and a new interaction resetting the clock.
func TestRetentionPlanBoundaries(t *testing.T) {
	f := newFixture(t) // now: 2026-03-01T09:00:00Z
	ctx := context.Background()
	p := f.open(t)
	mustCreate(t, p, false)
	a := addRetentionClient(t, p, "Lata Rao", "9876543210")
	b := addRetentionClient(t, p, "Kiran Das", "9876543211")
	if _, err := p.Clients().Discharge(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	plan := func(asOf string) map[string]string {
		t.Helper()
		rep, err := p.RetentionPlan(ctx, mustTime(t, asOf))
		if err != nil {
			t.Fatal(err)
		}
		if !rep.DryRun || rep.ID != "" {
			t.Fatalf("a dry run reported as a run: %+v", rep)
		}
		return outcomes(rep)
	}
	// Contact details of the discharged client: 30 days after discharge
	// (1 March + 30 days = 31 March).
	if got := plan("2026-03-30T09:00:00Z"); got["contact:"+b.ID] != "" {
		t.Fatalf("day before 30 days: %v", got)
	}
	if got := plan("2026-03-31T09:00:00Z"); got["contact:"+b.ID] != RetentionWouldDelete || got["audit"] != RetentionKept {
		t.Fatalf("at 30 days: %v", got)
	}
	// Health information: 7 years after the last interaction (creation).
	if got := plan("2033-02-28T09:00:00Z"); got["health:"+a.ID] != "" {
		t.Fatalf("day before 7 years: %v", got)
	}
	if got := plan("2033-03-02T09:00:00Z"); got["health:"+a.ID] != RetentionWouldDelete || got["health:"+b.ID] != RetentionWouldDelete {
		t.Fatalf("day after 7 years: %v", got)
	}
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
	addSignedNote(t, p, b.ID, "Follow-up", "follow-up")
	if got := plan("2033-03-02T09:00:00Z"); got["health:"+b.ID] != "" {
		t.Fatalf("after a new interaction: %v", got)
	}
	// A real run is never dated after now.
	_, err = p.RetentionRun(ctx, p.Now().Add(time.Second), TriggerManual)
	if apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("a run dated ahead: %v", err)
	}
	p.Lock(ctx, "test")
	if _, err := p.RetentionPlan(ctx, p.Now()); apperr.CodeOf(err) != apperr.Locked {
		t.Fatalf("plan while locked: %v", err)
	}
}

// A real run at the 7-year boundary: the day before nothing goes; the day
// after, the whole record of the due client is gone from the SQLite file
// (its envelopes are in neither the file nor the WAL, after checkpoint and
// vacuum), while a client that is not due keeps its signed notes, still
// immutable; everything is audited by id and the audit chain verifies.
func TestRetentionRunDeletesHealthRecordAtSevenYears(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.open(t)
	mustCreate(t, p, false)
	due := addRetentionClient(t, p, "Lata Rao", "9876543210")
	kept := addRetentionClient(t, p, "Kiran Das", "9876543211")
	var dueNotes []notes.Note
	long := strings.Repeat("A long account of the session, written out in full. ", 80)
	for i := range 40 {
		dueNotes = append(dueNotes, addSignedNote(t, p, due.ID, "Session "+itoa(i), long+itoa(i)))
	}
	keptNote := addSignedNote(t, p, kept.ID, "Review", "steady progress")
	if _, err := p.Rights().Create(ctx, rights.NewRequest{ClientID: due.ID, Kind: rights.KindAccess, Source: rights.SourceClinic}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.DB().SQL().ExecContext(ctx, `UPDATE rights_requests SET status = 'refused', refusal_reason = 'duplicate' WHERE client_id = ?`, due.ID); err != nil {
		t.Fatal(err)
	}
	// The kept client has a new interaction a year on: its clock restarts.
	f.clock.Advance(366 * 24 * time.Hour)
	addSignedNote(t, p, kept.ID, "A year on", "a year later")

	markers := map[string][]byte{
		"note sections":    column(t, p, `SELECT sections FROM notes WHERE id = ?`, dueNotes[0].ID),
		"note title":       column(t, p, `SELECT title FROM notes WHERE id = ?`, dueNotes[39].ID),
		"addendum":         column(t, p, `SELECT body FROM note_addenda WHERE note_id = ?`, dueNotes[3].ID),
		"summary":          column(t, p, `SELECT content FROM note_summaries WHERE note_id = ?`, dueNotes[5].ID),
		"client name":      column(t, p, `SELECT name FROM clients WHERE id = ?`, due.ID),
		"client phone":     column(t, p, `SELECT phone FROM clients WHERE id = ?`, due.ID),
		"consent evidence": column(t, p, `SELECT evidence FROM consent_events WHERE client_id = ?`, due.ID),
		"signature hash":   column(t, p, `SELECT signed_hash FROM notes WHERE id = ?`, dueNotes[7].ID),
	}
	keptMarker := column(t, p, `SELECT sections FROM notes WHERE id = ?`, keptNote.ID)
	if err := p.DB().Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	for name, m := range markers {
		if !onDisk(t, p, m) {
			t.Fatalf("positive control: %s not found on disk before the run", name)
		}
	}
	if hits, err := p.Search(ctx, search.Query{Text: "Lata"}); err != nil || len(hits) == 0 {
		t.Fatalf("positive control: the client is not in the search index: %v", err)
	}

	plan, err := p.RetentionPlan(ctx, mustTime(t, "2040-01-01T00:00:00Z"))
	if err != nil {
		t.Fatal(err)
	}
	it, ok := item(plan, retention.CategoryHealth, due.ID)
	if !ok {
		t.Fatalf("no health item for the due client: %+v", plan.Results)
	}
	dueAt := it.Due

	// The day before: nothing of the client goes.
	f.clock.Set(dueAt.Add(-24 * time.Hour))
	rep, err := p.RetentionRun(ctx, p.Now(), TriggerManual)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := item(rep, retention.CategoryHealth, due.ID); ok || rep.Deleted != 0 {
		t.Fatalf("day before 7 years: %+v", rep)
	}
	if _, err := p.Clients().Get(ctx, due.ID); err != nil {
		t.Fatalf("client gone a day early: %v", err)
	}

	// The day after: the whole record goes.
	size := fileSize(t, p)
	f.clock.Set(dueAt.Add(24 * time.Hour))
	rep, err = p.RetentionRun(ctx, p.Now(), TriggerManual)
	if err != nil {
		t.Fatal(err)
	}
	got, ok := item(rep, retention.CategoryHealth, due.ID)
	if !ok || got.Outcome != RetentionDeleted || rep.Deleted != 1 || rep.Failed != 0 || rep.ID == "" {
		t.Fatalf("day after 7 years: %+v", rep)
	}
	removed := map[string][]string{}
	for _, r := range got.Removed {
		removed[r.Table] = r.IDs
	}
	if len(removed["notes"]) != 40 || len(removed["note_addenda"]) != 40 || len(removed["note_summaries"]) != 40 ||
		len(removed["consent_events"]) != 1 || len(removed["rights_requests"]) != 1 || len(removed["clients"]) != 1 {
		t.Fatalf("removed %v", removed)
	}
	if _, ok := item(rep, retention.CategoryHealth, kept.ID); ok {
		t.Fatal("the kept client was planned for deletion")
	}
	if _, err := p.Clients().Get(ctx, due.ID); apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("client after the purge: %v", err)
	}
	if !rep.Vacuumed || fileSize(t, p) >= size {
		t.Fatalf("vacuumed %v, file %d → %d bytes", rep.Vacuumed, size, fileSize(t, p))
	}
	for name, m := range markers {
		if onDisk(t, p, m) {
			t.Errorf("%s of the deleted client is still in the database file or WAL", name)
		}
	}
	if !onDisk(t, p, keptMarker) {
		t.Error("the kept client's note is gone from disk")
	}
	// The kept client's signed note is still there, intact and immutable.
	n, err := p.Notes().Get(ctx, keptNote.ID)
	if err != nil || n.Status != notes.StatusSigned {
		t.Fatalf("kept note: %+v %v", n.Status, err)
	}
	if err := p.Notes().VerifySignature(ctx, n); err != nil {
		t.Fatalf("kept note signature: %v", err)
	}
	for _, q := range []string{`DELETE FROM notes WHERE id = ?`, `UPDATE notes SET session_date = '2001-01-01' WHERE id = ?`,
		`DELETE FROM note_addenda WHERE note_id = ?`} {
		if _, err := p.DB().SQL().ExecContext(ctx, q, keptNote.ID); err == nil || !strings.Contains(err.Error(), "signed") {
			t.Fatalf("%s on a signed note not due: %v", q, err)
		}
	}
	var auths int
	if err := p.DB().SQL().QueryRowContext(ctx, `SELECT count(*) FROM purge_authorizations`).Scan(&auths); err != nil || auths != 0 {
		t.Fatalf("purge authorizations left: %d %v", auths, err)
	}
	// Audited by id: the client, each note, and the run; the chains verify.
	if n := retentionAuditCount(t, p, "client", due.ID); n != 1 {
		t.Fatalf("client purge entries: %d", n)
	}
	if n := retentionAuditCount(t, p, "note", ""); n != 40 {
		t.Fatalf("note purge entries: %d", n)
	}
	if n := retentionAuditCount(t, p, "retention_run", rep.ID); n != 1 {
		t.Fatalf("run entries: %d", n)
	}
	if _, err := p.AuditVerify(ctx); err != nil {
		t.Fatalf("audit chain after the run: %v", err)
	}
	if _, err := p.Consent().Verify(ctx); err != nil {
		t.Fatalf("consent ledger after the run: %v", err)
	}
	if hits, err := p.Search(ctx, search.Query{Text: "Lata"}); err != nil || len(hits) > 0 {
		t.Fatalf("the deleted client is still in the search index: %d hits %v", len(hits), err)
	}
	// The run is logged with its report.
	runs, err := p.RetentionRuns(ctx, 10)
	if err != nil || len(runs) != 2 || runs[0].ID != rep.ID || runs[0].Deleted != 1 || !runs[0].Vacuumed ||
		runs[0].Result != "ok" || len(runs[0].Report.Results) != len(rep.Results) {
		t.Fatalf("runs %+v %v", runs, err)
	}
}

func fileSize(t *testing.T, p *Practice) int64 {
	t.Helper()
	fi, err := os.Stat(filepath.Join(p.DataDir(), store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// Usage data: rotated logs and run-log rows go 2 years after they were
// written, not a day earlier.
func TestRetentionUsageTwoYears(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.open(t)
	mustCreate(t, p, false)
	old := filepath.Join(p.DataDir(), "calmally.log.3")
	if err := os.WriteFile(old, []byte("{}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	mt := mustTime(t, "2024-03-02T00:00:00Z")
	if err := os.Chtimes(old, mt, mt); err != nil {
		t.Fatal(err)
	}
	first, err := p.RetentionRun(ctx, p.Now(), TriggerManual) // 2026-03-01: a day before 2 years
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := item(first, retention.CategoryUsage, "calmally.log.3"); ok {
		t.Fatalf("day before 2 years: %+v", first)
	}
	f.clock.Advance(24 * time.Hour)
	rep, err := p.RetentionRun(ctx, p.Now(), TriggerManual)
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := item(rep, retention.CategoryUsage, "calmally.log.3"); !ok || r.Outcome != RetentionDeleted {
		t.Fatalf("at 2 years: %+v", rep)
	}
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Fatalf("log file still there: %v", err)
	}
	if n := retentionAuditCount(t, p, "log_file", ""); n != 1 {
		t.Fatalf("log file entries: %d", n)
	}
	// The first run's log row: kept until 2 years after it, then deleted.
	f.clock.Set(first.RanAt.AddDate(2, 0, 0).Add(-time.Hour))
	if rep, err = p.RetentionRun(ctx, p.Now(), TriggerManual); err != nil {
		t.Fatal(err)
	}
	if _, ok := item(rep, retention.CategoryUsage, first.ID); ok {
		t.Fatalf("run log row due early: %+v", rep)
	}
	f.clock.Set(first.RanAt.AddDate(2, 0, 0))
	if rep, err = p.RetentionRun(ctx, p.Now(), TriggerManual); err != nil {
		t.Fatal(err)
	}
	if r, ok := item(rep, retention.CategoryUsage, first.ID); !ok || r.Outcome != RetentionDeleted {
		t.Fatalf("run log row at 2 years: %+v", rep)
	}
	runs, err := p.RetentionRuns(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range runs {
		if r.ID == first.ID {
			t.Fatal("the 2-year-old run row is still logged")
		}
	}
	if len(runs) != 3 {
		t.Fatalf("%d runs logged, want 3", len(runs))
	}
}
