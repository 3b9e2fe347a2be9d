package practice

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/bookings"
	"github.com/calmally/practice/internal/clients"
	"github.com/calmally/practice/internal/consent"
	"github.com/calmally/practice/internal/notes"
	"github.com/calmally/practice/internal/profile"
	"github.com/calmally/practice/internal/rights"
)

// The consent and rights leak probe: evidence, request details and an
// erasure all carry the marker; TestNoPlaintextOnDisk then finds it nowhere.
func init() {
	LeakProbes = append(LeakProbes, func(t *testing.T, p *Practice, marker string) {
		t.Helper()
		ctx := context.Background()
		c, err := p.Clients().Create(ctx, clients.Input{Name: marker + " consent", DateOfBirth: "1990-05-01",
			Phone: "+91 99999 00000", Email: "probe@example.in"}, clients.SourceClinic)
		if err != nil {
			t.Fatalf("consent probe: client: %v", err)
		}
		if _, err := p.Consent().Grant(ctx, consent.GrantInput{ClientID: c.ID, Purpose: consent.PurposeRecording,
			Method: consent.MethodSignature, Language: "hi", Evidence: consent.Evidence{SignedBy: marker, Note: marker + " note"}}); err != nil {
			t.Fatalf("consent probe: grant: %v", err)
		}
		if _, err := p.Consent().Withdraw(ctx, consent.WithdrawInput{ClientID: c.ID, Purpose: consent.PurposeRecording,
			Evidence: consent.Evidence{Note: marker + " withdrawal"}}); err != nil {
			t.Fatalf("consent probe: withdraw: %v", err)
		}
		if _, err := p.Consent().History(ctx, c.ID); err != nil {
			t.Fatalf("consent probe: history: %v", err)
		}
		r, err := p.Rights().Create(ctx, rights.NewRequest{ClientID: c.ID, Kind: rights.KindErasure, Details: marker + " details"})
		if err != nil {
			t.Fatalf("rights probe: create: %v", err)
		}
		if _, err := p.Rights().Verify(ctx, r.ID, "in_person_id"); err != nil {
			t.Fatalf("rights probe: verify: %v", err)
		}
		if _, err := p.Rights().Fulfil(ctx, r.ID, nil); err != nil {
			t.Fatalf("rights probe: erase: %v", err)
		}
	})
}

// grantHealthData records the client's health-data consent, which every
// note needs.
func grantHealthData(t *testing.T, p *Practice, clientID string) {
	t.Helper()
	if _, err := p.Consent().Grant(context.Background(), consent.GrantInput{ClientID: clientID,
		Purpose: consent.PurposeHealthData, Method: consent.MethodCheckbox}); err != nil {
		t.Fatalf("grant health-data consent: %v", err)
	}
}

// TestConsentEnforcedByNotes walks every enforcement point wired into the
// notes service: refused without consent, allowed with it, refused again
// after withdrawal, through the services (not only the UI).
func TestConsentEnforcedByNotes(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.open(t)
	mustCreate(t, p, false)
	c, err := p.Clients().Create(ctx, clients.Input{Name: "Meera Iyer", DateOfBirth: "1988-12-31"}, clients.SourceClinic)
	if err != nil {
		t.Fatal(err)
	}
	svc, cs := p.Notes(), p.Consent()
	create := func() (notes.Note, error) {
		return svc.Create(ctx, notes.NewNote{ClientID: c.ID, TemplateID: notes.TemplateSOAP,
			Sections: map[string]string{"plan": "Continue.\nHomework: walk"}})
	}
	wantRefused := func(err error, purpose string) {
		t.Helper()
		if apperr.CodeOf(err) != apperr.ConsentRequired || apperr.MessageOf(err) != "consent required: "+purpose {
			t.Fatalf("got %v, want consent required: %s", err, purpose)
		}
	}
	grant := func(p consent.Purpose) {
		t.Helper()
		if _, err := cs.Grant(ctx, consent.GrantInput{ClientID: c.ID, Purpose: p, Method: consent.MethodCheckbox}); err != nil {
			t.Fatal(err)
		}
	}
	withdraw := func(p consent.Purpose) {
		t.Helper()
		f.clock.Advance(time.Second)
		if _, err := cs.Withdraw(ctx, consent.WithdrawInput{ClientID: c.ID, Purpose: p}); err != nil {
			t.Fatal(err)
		}
	}

	// Notes need health-data consent.
	_, err = create()
	wantRefused(err, "health-data")
	grant(consent.PurposeHealthData)
	n, err := create()
	if err != nil {
		t.Fatal(err)
	}

	// Sharing a summary needs summary-sharing consent.
	sum, err := svc.DeriveSummary(ctx, n.ID)
	if err != nil {
		t.Fatal(err)
	}
	if sum, err = svc.MarkSummaryReady(ctx, n.ID, sum.Rev); err != nil {
		t.Fatal(err)
	}
	_, err = svc.ShareSummary(ctx, n.ID, sum.Rev)
	wantRefused(err, "summary-sharing")
	grant(consent.PurposeSummarySharing)
	withdraw(consent.PurposeSummarySharing)
	_, err = svc.ShareSummary(ctx, n.ID, sum.Rev)
	wantRefused(err, "summary-sharing")
	grant(consent.PurposeSummarySharing)
	if shared, err := svc.ShareSummary(ctx, n.ID, sum.Rev); err != nil || shared.Status != notes.SummaryShared {
		t.Fatalf("share with consent: %+v %v", shared, err)
	}

	// Withdrawal takes effect at once: the next note is refused; the
	// existing note stays readable (it is a health record under hold).
	withdraw(consent.PurposeHealthData)
	_, err = create()
	wantRefused(err, "health-data")
	if _, err := svc.Get(ctx, n.ID); err != nil {
		t.Fatalf("existing note after withdrawal: %v", err)
	}

	// The refusals are audited with ids and codes only.
	entries, _, err := p.AuditList(ctx, audit.Filter{RecordType: notes.RecordType})
	if err != nil {
		t.Fatal(err)
	}
	refusals := 0
	for _, e := range entries {
		if strings.Contains(e.Detail, "refused=consent") {
			refusals++
		}
		if strings.Contains(e.Detail, "Meera") {
			t.Fatal("audit carries client data")
		}
	}
	if refusals != 2 {
		t.Fatalf("audited %d note refusals, want 2", refusals)
	}
	if n, err := cs.Verify(ctx); err != nil || n != 5 {
		t.Fatalf("ledger verify = %d, %v", n, err)
	}
}

// TestConsentEnforcedByBookings: confirming an online session needs the
// client's teleconsultation consent, and a withdrawal stops the next one.
func TestConsentEnforcedByBookings(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.open(t)
	mustCreate(t, p, false)
	c, err := p.Clients().Create(ctx, clients.Input{Name: "Kabir Rao", DateOfBirth: "1985-02-28"}, clients.SourceClinic)
	if err != nil {
		t.Fatal(err)
	}
	bs, cs := p.Bookings(), p.Consent()
	start := p.Now().Add(72 * time.Hour).Truncate(time.Hour)
	confirm := func(i int) error {
		t.Helper()
		st := start.Add(time.Duration(i) * 2 * time.Hour)
		b, err := bs.Receive(ctx, bookings.Booking{Status: bookings.Requested, ClientID: c.ID, ClientLabel: "K.R.",
			Start: st, End: st.Add(50 * time.Minute), Modality: bookings.Online})
		if err != nil {
			t.Fatal(err)
		}
		_, err = bs.Confirm(ctx, b.ID)
		return err
	}
	if err := confirm(0); apperr.MessageOf(err) != "consent required: teleconsultation" {
		t.Fatalf("confirm without consent = %v", err)
	}
	if _, err := cs.Grant(ctx, consent.GrantInput{ClientID: c.ID, Purpose: consent.PurposeTeleconsultation, Method: consent.MethodCheckbox}); err != nil {
		t.Fatal(err)
	}
	if err := confirm(1); err != nil {
		t.Fatalf("confirm with consent = %v", err)
	}
	f.clock.Advance(time.Second)
	if _, err := cs.Withdraw(ctx, consent.WithdrawInput{ClientID: c.ID, Purpose: consent.PurposeTeleconsultation}); err != nil {
		t.Fatal(err)
	}
	if err := confirm(2); apperr.CodeOf(err) != apperr.ConsentRequired {
		t.Fatalf("confirm after withdrawal = %v", err)
	}
}

// TestRotationReSealsConsentAndRights: rotating the data key re-seals
// consent evidence and request details past the ledger's append-only
// trigger, and the ledger still verifies.
func TestRotationReSealsConsentAndRights(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.open(t)
	mustCreate(t, p, false)
	c, err := p.Clients().Create(ctx, clients.Input{Name: "Nisha Das", DateOfBirth: "1991-09-09"}, clients.SourceClinic)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Consent().Grant(ctx, consent.GrantInput{ClientID: c.ID, Purpose: consent.PurposeRecording,
		Method: consent.MethodSignature, Evidence: consent.Evidence{SignedBy: "Nisha Das"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Rights().Create(ctx, rights.NewRequest{ClientID: c.ID, Kind: rights.KindAccess, Details: "all my notes"}); err != nil {
		t.Fatal(err)
	}
	if err := p.RotateDataKey(ctx, nil); err != nil {
		t.Fatal(err)
	}
	evs, err := p.Consent().History(ctx, c.ID)
	if err != nil || evs[0].Evidence.SignedBy != "Nisha Das" {
		t.Fatalf("evidence after rotation: %+v %v", evs, err)
	}
	if n, err := p.Consent().Verify(ctx); err != nil || n != 1 {
		t.Fatalf("ledger after rotation: %d %v", n, err)
	}
	rs, err := p.Rights().List(ctx, rights.Filter{ClientID: c.ID})
	if err != nil || rs[0].Details != "all my notes" {
		t.Fatalf("request after rotation: %+v %v", rs, err)
	}
}

// TestReceiptsNameThePracticeFromItsProfile: the Kantara controller is the
// practice as saved in its profile, with the grievance officer as contact.
func TestReceiptsNameThePracticeFromItsProfile(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.open(t)
	mustCreate(t, p, false)
	pr := profile.DefaultPractice()
	pr.Name, pr.Grievance = "Sukoon Clinic", profile.Grievance{Name: "Dr. Iyer", Email: "grievance@sukoon.example"}
	pr.Address = profile.Address{Line1: "12 MG Road", City: "Pune", PIN: "411001", Country: "IN"}
	if _, err := p.Profile().SavePractice(ctx, pr); err != nil {
		t.Fatal(err)
	}
	c, err := p.Clients().Create(ctx, clients.Input{Name: "Ira Sen", DateOfBirth: "1990-01-01"}, clients.SourceClinic)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := p.Consent().Grant(ctx, consent.GrantInput{ClientID: c.ID, Purpose: consent.PurposeReminders, Method: consent.MethodCheckbox})
	if err != nil {
		t.Fatal(err)
	}
	b, err := p.Consent().Receipt(ctx, ev.ID, consent.FormatKantara)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"piiController": "Sukoon Clinic"`, `"contact": "Dr. Iyer"`, `"email": "grievance@sukoon.example"`,
		`"addressCountry": "IN"`, "12 MG Road"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("receipt lacks %s:\n%s", want, b)
		}
	}
}
