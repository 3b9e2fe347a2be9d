package practice

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/bookings"
	"github.com/calmally/practice/internal/clients"
	"github.com/calmally/practice/internal/consent"
	"github.com/calmally/practice/internal/erasure"
	"github.com/calmally/practice/internal/export"
	"github.com/calmally/practice/internal/notes"
	"github.com/calmally/practice/internal/rights"
)

// envelopes returns the stored bytes of sealed columns, to look for them on
// disk after erasure (the plaintext never reaches disk at all; the proof
// that the erased values are gone is that their ciphertext is gone too).
func envelopes(t *testing.T, p *Practice, q string, args ...any) [][]byte {
	t.Helper()
	rows, err := p.DB().SQL().Query(q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// seedClient makes a client with every kind of record the engine touches.
func seedClient(t *testing.T, p *Practice, marker string) (clients.Client, notes.Note) {
	t.Helper()
	ctx := context.Background()
	in := clients.Input{Name: "Rohan Mehta", PreferredName: marker + "pref", DateOfBirth: "1992-02-29",
		Phone: "+91 98765 43210", Email: marker + "@example.in", TreatmentPreferences: marker + " prefers mornings",
		PresentingConcerns: "sleep", EmergencyContact: clients.EmergencyContact{Name: marker + " kin", Phone: "+91 91234 56780"}}
	c, err := p.Clients().Create(ctx, in, clients.SourceClinic)
	if err != nil {
		t.Fatal(err)
	}
	in.Email = marker + "2@example.in"
	if c, err = p.Clients().Update(ctx, clients.Correction{ID: c.ID, Rev: c.Rev, Reason: clients.ReasonNewInformation, Input: in}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Consent().Grant(ctx, consent.GrantInput{ClientID: c.ID, Purpose: consent.PurposeHealthData,
		Method: consent.MethodSignature, Evidence: consent.Evidence{SignedBy: marker + " signer", Note: marker}}); err != nil {
		t.Fatal(err)
	}
	n, err := p.Notes().Create(ctx, notes.NewNote{ClientID: c.ID, TemplateID: notes.TemplateSOAP, Title: "Intake",
		Sections: map[string]string{"subjective": "Sleep is better.", "plan": "Continue.\nHomework: diary"}})
	if err != nil {
		t.Fatal(err)
	}
	if n, err = p.Notes().Sign(ctx, n.ID, n.Rev); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Notes().AddAddendum(ctx, n.ID, "Addendum."); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Notes().DeriveSummary(ctx, n.ID); err != nil {
		t.Fatal(err)
	}
	st := p.Now().Add(48 * time.Hour).Truncate(time.Hour)
	if _, err := p.Bookings().Receive(ctx, bookings.Booking{Status: bookings.Requested, ClientID: c.ID,
		ClientLabel: marker + " label", Start: st, End: st.Add(50 * time.Minute), Modality: bookings.InPerson}); err != nil {
		t.Fatal(err)
	}
	return c, n
}

func TestErasureRequestProducesCertificateAndLeavesNoTrace(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.open(t)
	mustCreate(t, p, false)
	const marker = "ERASEMARK-5d1e"
	c, n := seedClient(t, p, marker)
	rs := p.Rights()
	req, err := rs.Create(ctx, rights.NewRequest{ClientID: c.ID, Kind: rights.KindErasure, Details: marker + " please delete me"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rs.Fulfil(ctx, req.ID, nil); apperr.CodeOf(err) != apperr.Conflict {
		t.Fatalf("fulfil before verification = %v", err)
	}
	f.clock.Advance(time.Hour)
	if req, err = rs.Verify(ctx, req.ID, "in_person_id"); err != nil || !req.DueAt.Equal(req.VerifiedAt.AddDate(0, 0, 30)) {
		t.Fatalf("verify = %+v, %v", req, err)
	}

	// What must vanish: every envelope that held an erased value.
	old := envelopes(t, p, `SELECT phone FROM clients UNION ALL SELECT email FROM clients UNION ALL
		SELECT emergency_contact FROM clients UNION ALL SELECT preferred_name FROM clients UNION ALL
		SELECT treatment_preferences FROM clients UNION ALL SELECT previous FROM client_history UNION ALL
		SELECT evidence FROM consent_events UNION ALL SELECT details FROM rights_requests UNION ALL
		SELECT client_label FROM bookings`)
	if len(old) != 9 {
		t.Fatalf("found %d envelopes to erase", len(old))
	}

	f.clock.Advance(time.Hour)
	done, err := rs.Fulfil(ctx, req.ID, nil)
	if err != nil || done.Status != rights.StatusFulfilled || !strings.HasPrefix(done.OutcomeRef, "certificate:") {
		t.Fatalf("fulfil = %+v, %v", done, err)
	}
	cert, err := p.Erasure().Certificate(ctx, strings.TrimPrefix(done.OutcomeRef, "certificate:"))
	if err != nil {
		t.Fatal(err)
	}
	// The hold: 7 years after the last interaction (the note's session day).
	cl, err := p.Clients().Get(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantHold := erasure.HoldUntil(cl.LastInteractionAt).Format(time.RFC3339)
	if cert.Kind != erasure.KindErasure || cert.RequestID != req.ID || cert.HoldUntil != wantHold || len(cert.SHA256) != 64 ||
		cert.VerifiedAt == "" || len(cert.Retained) == 0 || cert.Erased[0].Count != 1 {
		t.Fatalf("certificate = %+v", cert)
	}
	if txt := cert.Text(); !strings.Contains(txt, cert.SHA256) || !strings.Contains(txt, "Mental Healthcare Act 2017") ||
		!strings.Contains(txt, wantHold) {
		t.Fatalf("certificate text:\n%s", txt)
	}
	for _, s := range []string{string(cert.Body), cert.Text()} {
		if strings.Contains(s, marker) || strings.Contains(s, "Rohan") || strings.Contains(s, "98765") {
			t.Fatal("the certificate carries client data")
		}
	}
	// The erased fields read empty; the held record stays readable.
	if cl.Phone != "" || cl.Email != "" || cl.PreferredName != "" || cl.TreatmentPreferences != "" || !cl.EmergencyContact.IsZero() ||
		cl.Name != "Rohan Mehta" || cl.DateOfBirth.String() != "1992-02-29" || cl.PresentingConcerns != "sleep" {
		t.Fatalf("client after erasure = %+v", cl.Profile)
	}
	if got, err := p.Notes().Get(ctx, n.ID); err != nil || got.Sections["subjective"] != "Sleep is better." || len(got.Addenda) != 1 {
		t.Fatalf("held note after erasure: %v", err)
	}
	hist, err := p.Clients().History(ctx, c.ID)
	if err != nil || len(hist) != 1 {
		t.Fatalf("history after erasure: %v", err)
	}
	if hist[0].Previous.Email != "" {
		t.Fatal("the correction history still holds the old e-mail")
	}
	evs, err := p.Consent().History(ctx, c.ID)
	if err != nil || len(evs) != 1 || !evs[0].Evidence.IsZero() {
		t.Fatalf("consent after erasure: %+v %v", evs, err)
	}
	if n, err := p.Consent().Verify(ctx); err != nil || n != 1 {
		t.Fatalf("consent ledger after erasure: %d %v", n, err)
	}
	if r, err := rs.Get(ctx, req.ID); err != nil || r.Details != "" {
		t.Fatalf("request details after erasure: %q %v", r.Details, err)
	}
	// Consent still holds for the held record (the ledger kept its events).
	if err := p.Consent().Check(ctx, c.ID, consent.PurposeHealthData); err != nil {
		t.Fatal(err)
	}
	if _, err := p.AuditVerify(ctx); err != nil {
		t.Fatal(err)
	}
	p.Lock(ctx, "user")
	p.Close()
	AssertNoMarker(t, f.dir, marker)
	for i, env := range old {
		if len(env) < 16 {
			t.Fatalf("envelope %d too short to search for", i)
		}
		AssertNoMarker(t, f.dir, string(env))
	}
}

func TestHoldUntilAcrossLeapDays(t *testing.T) {
	tests := []struct{ last, want string }{
		{"2024-02-28T20:00:00Z", "2031-02-28T20:00:00Z"}, // 29 Feb 01:30 in India → 1 Mar 2031 01:30 in India
		{"2023-12-31T18:29:59Z", "2030-12-31T18:29:59Z"}, // last second of the year in India
		{"2025-01-31T10:00:00Z", "2032-01-31T10:00:00Z"},
	}
	for _, tt := range tests {
		last, _ := time.Parse(time.RFC3339, tt.last)
		if got := erasure.HoldUntil(last).Format(time.RFC3339); got != tt.want {
			t.Errorf("HoldUntil(%s) = %s, want %s", tt.last, got, tt.want)
		}
	}
}

func TestMinorPurgeRemovesEverything(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.open(t)
	mustCreate(t, p, false)
	const marker = "MINORMARK-77ab"
	other, err := p.Clients().Create(ctx, clients.Input{Name: "Other Adult", DateOfBirth: "1980-01-01"}, clients.SourceClinic)
	if err != nil {
		t.Fatal(err)
	}
	grantHealthData(t, p, other.ID) // before the minor's events: the ledger must be re-chained after them
	c, n := seedClient(t, p, marker)
	f.clock.Advance(time.Second)
	if _, err := p.Consent().Grant(ctx, consent.GrantInput{ClientID: other.ID, Purpose: consent.PurposeReminders, Method: consent.MethodCheckbox}); err != nil {
		t.Fatal(err)
	}
	old := envelopes(t, p, `SELECT name FROM clients WHERE id = ?1 UNION ALL SELECT date_of_birth FROM clients WHERE id = ?1
		UNION ALL SELECT sections FROM notes WHERE client_id = ?1 UNION ALL SELECT evidence FROM consent_events WHERE client_id = ?1`, c.ID)

	if _, err := p.PurgeMinor(ctx, c.ID, "because"); apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("purge without a reason code = %v", err)
	}
	cert, err := p.PurgeMinor(ctx, c.ID, "disclosed_in_session")
	if err != nil {
		t.Fatal(err)
	}
	if cert.Kind != erasure.KindMinorPurge || len(cert.Retained) != 0 || strings.Contains(string(cert.Body), "Rohan") {
		t.Fatalf("certificate = %s", cert.Body)
	}
	if _, err := p.Clients().Get(ctx, c.ID); apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("client after purge = %v", err)
	}
	if _, err := p.Notes().Get(ctx, n.ID); apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("signed note after purge = %v", err)
	}
	for _, table := range []string{"notes", "note_addenda", "note_summaries", "client_history", "rights_requests", "bookings", "purge_authorizations"} {
		var k int
		p.DB().SQL().QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&k)
		if k != 0 {
			t.Errorf("%s still holds %d rows", table, k)
		}
	}
	// The ledger was re-chained over the other client's events and verifies.
	if k, err := p.Consent().Verify(ctx); err != nil || k != 2 {
		t.Fatalf("consent ledger after purge: %d %v", k, err)
	}
	if err := p.Consent().Check(ctx, other.ID, consent.PurposeReminders); err != nil {
		t.Fatal(err)
	}
	grantHealthData(t, p, other.ID) // the ledger still takes new events
	// Signed notes of other clients stay protected: the bypass ended with the purge.
	if _, err := p.DB().SQL().Exec(`DELETE FROM notes WHERE status = 'signed'`); err != nil {
		t.Fatal(err) // none left; the statement itself is fine
	}
	// The trail records the purge with ids and codes only, and verifies.
	entries, _, err := p.AuditList(ctx, audit.Filter{Action: audit.ActionDelete})
	if err != nil || len(entries) != 1 || !strings.Contains(entries[0].Detail, "scope=minor_purge") {
		t.Fatalf("purge audit = %+v %v", entries, err)
	}
	all, _, _ := p.AuditList(ctx, audit.Filter{Limit: audit.MaxLimit})
	for _, e := range all {
		if strings.Contains(e.Detail, marker) || strings.Contains(e.Detail, "Rohan") {
			t.Fatal("the audit trail holds personal data")
		}
	}
	if _, err := p.AuditVerify(ctx); err != nil {
		t.Fatal(err)
	}
	p.Lock(ctx, "user")
	p.Close()
	for _, env := range old {
		AssertNoMarker(t, f.dir, string(env))
	}
}

func TestRightsRequestsFlow(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.open(t)
	mustCreate(t, p, false)
	c, err := p.Clients().Create(ctx, clients.Input{Name: "Lata Rao", DateOfBirth: "1975-07-31", Phone: "9876543210"}, clients.SourceClinic)
	if err != nil {
		t.Fatal(err)
	}
	rs := p.Rights()
	mk := func(k rights.Kind, purpose string) rights.Request {
		t.Helper()
		r, err := rs.Create(ctx, rights.NewRequest{ClientID: c.ID, Kind: k, Source: rights.SourcePlatform, Purpose: purpose})
		if err != nil {
			t.Fatal(err)
		}
		if r, err = rs.Verify(ctx, r.ID, "platform_account"); err != nil {
			t.Fatal(err)
		}
		return r
	}

	// Correction: fulfilled with the corrected record, history kept.
	corr := mk(rights.KindCorrection, "")
	in := clients.Input{Name: "Lata Rao", DateOfBirth: "1975-07-31", Phone: "9876500000"}
	if _, err := rs.Fulfil(ctx, corr.ID, nil); apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("correction without the record = %v", err)
	}
	done, err := rs.Fulfil(ctx, corr.ID, clients.Correction{ID: c.ID, Rev: c.Rev, Input: in})
	if err != nil || done.Status != rights.StatusFulfilled || done.OutcomeRef != "client:"+c.ID+":rev:2" {
		t.Fatalf("correction = %+v %v", done, err)
	}
	if h, _ := p.Clients().History(ctx, c.ID); len(h) != 1 || h[0].Reason != clients.ReasonClientRequest {
		t.Fatalf("history = %+v", h)
	}

	// Withdrawal: through the ledger, at once.
	if _, err := p.Consent().Grant(ctx, consent.GrantInput{ClientID: c.ID, Purpose: consent.PurposeReminders, Method: consent.MethodCheckbox}); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Second)
	w := mk(rights.KindOptOut, "")
	if w.Purpose != "reminders" {
		t.Fatalf("opt-out purpose = %q", w.Purpose)
	}
	if done, err := rs.Fulfil(ctx, w.ID, nil); err != nil || !strings.HasPrefix(done.OutcomeRef, "consent:") {
		t.Fatalf("opt-out = %+v %v", done, err)
	}
	if err := p.Consent().Check(ctx, c.ID, consent.PurposeReminders); apperr.CodeOf(err) != apperr.ConsentRequired {
		t.Fatalf("reminders after opt-out = %v", err)
	}
	evs, _ := p.Consent().History(ctx, c.ID)
	if last := evs[len(evs)-1]; last.Kind != consent.KindWithdraw || last.Channel != consent.ChannelPlatform {
		t.Fatalf("withdrawal event = %+v", last.Row)
	}

	// Access is fulfilled with an export; without a destination it is
	// refused and stays open.
	acc := mk(rights.KindAccess, "")
	if _, err := rs.Fulfil(ctx, acc.ID, nil); apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("access without a destination = %v", err)
	}
	// 2026-03-01 is a Sunday: due 72 hours later, past this week's end;
	// by Monday it is due this week.
	if due, err := rs.DueThisWeek(ctx, p.Now()); err != nil || len(due) != 0 {
		t.Fatalf("due this week (Sunday) = %+v %v", due, err)
	}
	f.clock.Advance(15 * time.Hour)
	if due, err := rs.DueThisWeek(ctx, p.Now()); err != nil || len(due) != 1 || due[0].ID != acc.ID {
		t.Fatalf("due this week (Monday) = %+v %v", due, err)
	}
	f.clock.Advance(73 * time.Hour)
	over, err := rs.Overdue(ctx, p.Now())
	if err != nil || len(over) != 1 || over[0].ID != acc.ID {
		t.Fatalf("overdue = %+v %v", over, err)
	}
	out := filepath.Join(t.TempDir(), "records.zip.age")
	done, err = rs.Fulfil(ctx, acc.ID, AccessHandover{Path: out, Encryption: export.Encryption{Passphrase: []byte("a handover passphrase for the client")}})
	if err != nil || done.Status != rights.StatusFulfilled || !strings.HasPrefix(done.OutcomeRef, "export:") {
		t.Fatalf("access = %+v %v", done, err)
	}
	if st, err := os.Stat(out); err != nil || st.Size() == 0 {
		t.Fatalf("the handed-over bundle: %v", err)
	}
	exps, err := p.Exports(ctx)
	if err != nil || len(exps) != 1 || "export:"+exps[0].ID != done.OutcomeRef || exps[0].ClientID != c.ID || !exps[0].Encrypted {
		t.Fatalf("exports = %+v %v", exps, err)
	}
	if _, err := rs.Refuse(ctx, acc.ID, "duplicate"); apperr.CodeOf(err) != apperr.Conflict {
		t.Fatalf("refuse a fulfilled request = %v", err)
	}
	all, err := rs.List(ctx, rights.Filter{ClientID: c.ID})
	if err != nil || len(all) != 3 {
		t.Fatalf("list = %d %v", len(all), err)
	}
}
