package store

import (
	"bytes"
	"strings"
	"testing"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/profile"
)

func newProfileService(e *noteEnv) *profile.Service {
	return profile.NewService(profile.Config{
		Store: NewProfileStore(e.db, func() (*audit.Chain, error) { return e.chain, nil }),
		Keys:  func() (profile.Sealer, error) { return e.keys, nil },
		Now:   e.clock.Now,
		Actor: "practitioner-1",
	})
}

const profileDoc = `{"version":1,
 "practitioner":{"name":"Dr Meera Iyer","contact":{"email":"meera@example.in","phone":"+91 98200 12345"},
  "credentials":[{"qualification":"M.Phil Clinical Psychology","council":"rci","registrationNumber":"CRR No. A-12345",
   "validFrom":"2020-04-01","validUntil":"2024-04-15"}],
  "specialisations":["anxiety","grief"],"approaches":["CBT"],"languages":["en","hi","mr"],
  "sessionTypes":[{"name":"Individual","minutes":50,"feePaise":150000,"modality":"online"}],
  "bio":"PROFILEMARKER bio","demographics":{"pronouns":"she/her"}},
 "practice":{"name":"Sukoon Clinic","address":{"line1":"12 MG Road","city":"Pune","state":"Maharashtra","pin":"411001"},
  "grievance":{"name":"Grievance Officer","email":"grievance@example.in"},"defaultFeePaise":120000}}`

func TestProfileRoundTripReviewAndWarnings(t *testing.T) {
	e := newNoteEnv(t) // the clock reads 2024-02-28 20:00 UTC: 29 February in Kolkata
	svc := newProfileService(e)
	empty, warns, err := svc.Profile(e.ctx)
	if err != nil || empty.Rev != 0 || empty.ReviewState != profile.ReviewDraft || warns != nil {
		t.Fatalf("empty profile: %+v %v %v", empty, warns, err)
	}
	pr, err := svc.Practice(e.ctx)
	if err != nil || pr.TimeZone != "Asia/Kolkata" || pr.DateFormat != "DD/MM/YYYY" || pr.NumberFormat != "en-IN" || pr.Currency != "INR" {
		t.Fatalf("default practice: %+v %v", pr, err)
	}
	doc, err := profile.Decode(strings.NewReader(profileDoc))
	if err != nil {
		t.Fatal(err)
	}
	p, warns, err := svc.SaveProfile(e.ctx, *doc.Practitioner)
	if err != nil || p.Rev != 1 || p.ReviewState != profile.ReviewDraft {
		t.Fatalf("save: %+v %v", p, err)
	}
	// 29 Feb 2024 → 15 Apr 2024 is 46 days: expiring.
	if len(warns) != 1 || warns[0].Code != profile.WarnExpiring || warns[0].Days != 46 {
		t.Fatalf("warnings: %+v", warns)
	}
	if p.Credentials[0].RegistrationNumber != "A12345" {
		t.Fatalf("registration not normalised: %q", p.Credentials[0].RegistrationNumber)
	}
	if _, err := svc.SavePractice(e.ctx, *doc.Practice); err != nil {
		t.Fatal(err)
	}
	got, _, err := svc.Profile(e.ctx)
	if err != nil || got.Name != "Dr Meera Iyer" || got.Bio != "PROFILEMARKER bio" || len(got.Languages) != 3 {
		t.Fatalf("read back: %+v %v", got, err)
	}

	// Review: submit, approve; a contact edit keeps approval, a bio edit does not.
	steps := []struct {
		name string
		do   func() (profile.Profile, error)
		want profile.ReviewState
		code string
	}{
		{"approve before submit refused", func() (profile.Profile, error) { return svc.ApplyReview(e.ctx, profile.ReviewApproved) }, "", apperr.Conflict},
		{"submit", func() (profile.Profile, error) { return svc.Submit(e.ctx) }, profile.ReviewSubmitted, ""},
		{"submit twice refused", func() (profile.Profile, error) { return svc.Submit(e.ctx) }, "", apperr.Conflict},
		{"approve", func() (profile.Profile, error) { return svc.ApplyReview(e.ctx, profile.ReviewApproved) }, profile.ReviewApproved, ""},
		{"contact edit keeps approval", func() (profile.Profile, error) {
			cur, _, _ := svc.Profile(e.ctx)
			cur.Contact.Phone = "+91 98200 54321"
			p, _, err := svc.SaveProfile(e.ctx, cur)
			return p, err
		}, profile.ReviewApproved, ""},
		{"bio edit back to draft", func() (profile.Profile, error) {
			cur, _, _ := svc.Profile(e.ctx)
			cur.Bio += " and more"
			p, _, err := svc.SaveProfile(e.ctx, cur)
			return p, err
		}, profile.ReviewDraft, ""},
		{"stale rev conflicts", func() (profile.Profile, error) {
			cur, _, _ := svc.Profile(e.ctx)
			cur.Rev--
			p, _, err := svc.SaveProfile(e.ctx, cur)
			return p, err
		}, "", apperr.Conflict},
		{"submit again", func() (profile.Profile, error) { return svc.Submit(e.ctx) }, profile.ReviewSubmitted, ""},
		{"changes requested", func() (profile.Profile, error) { return svc.ApplyReview(e.ctx, profile.ReviewChangesRequested) }, profile.ReviewChangesRequested, ""},
		{"resubmit", func() (profile.Profile, error) { return svc.Submit(e.ctx) }, profile.ReviewSubmitted, ""},
	}
	for _, s := range steps {
		got, err := s.do()
		if s.code != "" {
			if apperr.CodeOf(err) != s.code {
				t.Fatalf("%s: err %v, want %s", s.name, err, s.code)
			}
			continue
		}
		if err != nil || got.ReviewState != s.want {
			t.Fatalf("%s: state %q, %v; want %q", s.name, got.ReviewState, err, s.want)
		}
		if stored, _, _ := svc.Profile(e.ctx); stored.ReviewState != s.want {
			t.Fatalf("%s: stored state %q", s.name, stored.ReviewState)
		}
	}

	// Nothing readable in the table; the audit trail names ids only.
	var blob []byte
	if err := e.db.SQL().QueryRow(`SELECT document FROM profile_documents WHERE id = 'practitioner'`).Scan(&blob); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(blob, []byte("PROFILEMARKER")) || bytes.Contains(blob, []byte("Meera")) {
		t.Fatal("profile stored in the clear")
	}
	var n int
	if err := e.db.SQL().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE record_type IN ('practitioner_profile', 'practice_settings')`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 9 { // 4 saves + 5 review moves
		t.Fatalf("audit entries: %d, want 9", n)
	}
}

func TestProfileSwappedEnvelopeIsAnAuditedIntegrityError(t *testing.T) {
	e := newNoteEnv(t)
	svc := newProfileService(e)
	doc, err := profile.Decode(strings.NewReader(profileDoc))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.SaveProfile(e.ctx, *doc.Practitioner); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SavePractice(e.ctx, *doc.Practice); err != nil {
		t.Fatal(err)
	}
	// Copy the practice's envelope over the practitioner's (same rev 1).
	if _, err := e.db.SQL().Exec(`UPDATE profile_documents SET document = (SELECT document FROM profile_documents WHERE id = 'practice') WHERE id = 'practitioner'`); err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.Profile(e.ctx); apperr.CodeOf(err) != apperr.Integrity {
		t.Fatalf("swapped envelope: %v", err)
	}
	var n int
	if err := e.db.SQL().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'integrity_error' AND record_id = 'practitioner'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("integrity errors audited: %d", n)
	}
	if _, err := svc.ExportView(e.ctx); apperr.CodeOf(err) != apperr.Integrity {
		t.Fatalf("export view from a swapped envelope: %v", err)
	}
}

func TestProfileExpiryFollowsThePracticeZone(t *testing.T) {
	e := newNoteEnv(t)
	svc := newProfileService(e)
	doc, _ := profile.Decode(strings.NewReader(profileDoc))
	p := *doc.Practitioner
	p.Credentials[0].ValidUntil = "2024-04-28" // 59 days after 29 Feb (Kolkata), 60 after 28 Feb (London)
	if _, warns, err := svc.SaveProfile(e.ctx, p); err != nil || len(warns) != 1 || warns[0].Days != 59 {
		t.Fatalf("Kolkata: %+v %v", warns, err)
	}
	pr := *doc.Practice
	pr.TimeZone = "Europe/London"
	if _, err := svc.SavePractice(e.ctx, pr); err != nil {
		t.Fatal(err)
	}
	_, warns, err := svc.Profile(e.ctx)
	if err != nil || len(warns) != 1 || warns[0].Days != 60 {
		t.Fatalf("London: %+v %v", warns, err)
	}
}
