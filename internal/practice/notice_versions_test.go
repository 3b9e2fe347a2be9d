package practice

import (
	"context"
	"testing"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/clients"
	"github.com/calmally/practice/internal/consent"
	"github.com/calmally/practice/internal/sync/wire"
)

func noticeChange(id, kind, purpose string, version int, lang, text string, material bool) wire.NoticeVersion {
	return wire.NoticeVersion{ID: id, Kind: kind, Purpose: purpose, Version: version, Language: lang, Text: text,
		Summary: "What changed, in a sentence.", Material: material, PublishedAt: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
}

func TestNoticeVersionsFlagRenewalsAndBecomeCurrent(t *testing.T) {
	p := unlockedPractice(t)
	ctx := context.Background()
	mk := func(name string) string {
		c, err := p.Clients().Create(ctx, clients.Input{Name: name, DateOfBirth: "1990-05-01"}, clients.SourceClinic)
		if err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	a, b := mk("Asha Rao"), mk("Vikram Das")
	for _, id := range []string{a, b} {
		for _, pur := range []consent.Purpose{consent.PurposeRecording, consent.PurposeReminders} {
			if _, err := p.Consent().Grant(ctx, consent.GrantInput{ClientID: id, Purpose: pur, Method: consent.MethodCheckbox}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if r, err := p.ConsentRenewals(ctx); err != nil || len(r) != 0 {
		t.Fatalf("renewals before any new version = %+v %v", r, err)
	}

	// A minor rewording of reminders flags nothing; a material recording
	// change flags both clients' recording consents, in every language.
	const recID, remID, polID = "0190a1b2-0000-7000-8000-000000000001", "0190a1b2-0000-7000-8000-000000000002", "0190a1b2-0000-7000-8000-000000000003"
	for _, n := range []wire.NoticeVersion{
		noticeChange(remID, wire.NoticeConsent, "reminders", 2, "en", "Reminders\nWe may now remind you by WhatsApp.", false),
		noticeChange(recID, wire.NoticeConsent, "recording", 2, "hi", "रिकॉर्डिंग\nरिकॉर्डिंग अब 30 दिन रखी जाएगी।", true),
		noticeChange(polID, wire.NoticePrivacyPolicy, "", 4, "en", "Privacy policy\nVersion 4.", true),
	} {
		if err := p.ReceiveNoticeVersion(ctx, n); err != nil {
			t.Fatalf("apply %s: %v", n.ID, err)
		}
		if err := p.ReceiveNoticeVersion(ctx, n); err != nil { // a duplicate page
			t.Fatalf("apply %s again: %v", n.ID, err)
		}
	}
	changed := noticeChange(recID, wire.NoticeConsent, "recording", 2, "hi", "रिकॉर्डिंग\nकुछ और।", true)
	if err := p.ReceiveNoticeVersion(ctx, changed); apperr.CodeOf(err) != apperr.Conflict {
		t.Fatalf("a changed text under a published version = %v", err)
	}
	all, err := p.NoticeVersions(ctx)
	if err != nil || len(all) != 3 {
		t.Fatalf("versions = %d %v", len(all), err)
	}

	r, err := p.ConsentRenewals(ctx)
	if err != nil || len(r) != 2 {
		t.Fatalf("renewals = %+v %v", r, err)
	}
	for _, x := range r {
		if x.Purpose != consent.PurposeRecording || x.GivenVersion != 1 || x.CurrentVersion != 2 || (x.ClientID != a && x.ClientID != b) {
			t.Fatalf("renewal = %+v", x)
		}
	}
	states, err := p.Consent().State(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range states {
		want := 0
		if st.Purpose == consent.PurposeRecording {
			want = 2
		}
		if st.RenewalVersion != want {
			t.Fatalf("%s renewal version = %d, want %d", st.Purpose, st.RenewalVersion, want)
		}
	}

	// Consent captured again in Hindi is under version 2, and the flag goes;
	// English has no version 2 yet, so English captures stay on version 1.
	ev, err := p.Consent().Grant(ctx, consent.GrantInput{ClientID: a, Purpose: consent.PurposeRecording, Method: consent.MethodCheckbox, Language: "hi"})
	if err != nil || ev.NoticeVersion != 2 {
		t.Fatalf("renewed = %+v %v", ev.Row, err)
	}
	if n, err := p.Consent().CurrentNotice(ctx, consent.PurposeRecording, "en"); err != nil || n.Version != 1 {
		t.Fatalf("current English notice = %+v %v", n, err)
	}
	if r, _ := p.ConsentRenewals(ctx); len(r) != 1 || r[0].ClientID != b {
		t.Fatalf("renewals after renewing one = %+v", r)
	}
	// Withdrawing the renewed consent finds its version-2 notice.
	if _, err := p.Consent().Withdraw(ctx, consent.WithdrawInput{ClientID: a, Purpose: consent.PurposeRecording}); err != nil {
		t.Fatal(err)
	}

	// The material policy change waits for the practitioner, once.
	up, err := p.PolicyUpdates(ctx)
	if err != nil || len(up) != 1 || up[0].ID != polID || up[0].Version != 4 {
		t.Fatalf("policy updates = %+v %v", up, err)
	}
	if err := p.AcknowledgeNoticeVersion(ctx, polID); err != nil {
		t.Fatal(err)
	}
	if up, _ := p.PolicyUpdates(ctx); len(up) != 0 {
		t.Fatalf("policy updates after acknowledging = %+v", up)
	}
	if err := p.AcknowledgeNoticeVersion(ctx, "0190a1b2-0000-7000-8000-0000000000ff"); apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("acknowledge unknown = %v", err)
	}
	if _, err := p.AuditVerify(ctx); err != nil {
		t.Fatalf("audit after notice versions: %v", err)
	}
}
