package app

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/calmally/practice/internal/sync/wire"
)

func TestConsentAndRightsMethods(t *testing.T) {
	a := newClientTestApp(t)
	c, err := a.ClientCreate(ClientInputDTO{Name: "Asha Kumar", DateOfBirth: "1990-05-01", Phone: "9876543210"})
	if err != nil {
		t.Fatal(err)
	}
	states, err := a.ConsentState(c.ID)
	if err != nil || len(states) != 7 || states[0].Purpose != "health-data" || states[0].Status != "never" ||
		states[0].Event != nil || len(states[0].Notices) != 2 || states[0].Notice.Language != "en" {
		t.Fatalf("state: %+v %v", states, err)
	}
	if n, err := a.ConsentNotice("teleconsultation", "hi"); err != nil || n.Language != "hi" || len(n.SHA256) != 64 {
		t.Fatalf("notice: %+v %v", n, err)
	}
	if _, err := a.ConsentGrant(ConsentGrantDTO{ClientID: c.ID, Purpose: "health-data"}); err == nil ||
		!strings.HasPrefix(err.Error(), "invalid: method: consent needs a clear affirmative action") {
		t.Fatalf("grant without method: %v", err)
	}
	g, err := a.ConsentGrant(ConsentGrantDTO{ClientID: c.ID, Purpose: "health-data", Method: "signature", Language: "hi", SignedBy: "Asha Kumar"})
	if err != nil || g.Kind != "grant" || g.NoticeLanguage != "hi" || g.SignedBy != "Asha Kumar" {
		t.Fatalf("grant: %+v %v", g, err)
	}
	for _, format := range []string{"fhir", "kantara"} {
		r, err := a.ConsentReceipt(g.ID, format)
		var doc map[string]any
		if err != nil || json.Unmarshal([]byte(r.JSON), &doc) != nil || r.FileName == "" {
			t.Fatalf("receipt %s: %+v %v", format, r, err)
		}
	}
	if _, err := a.ConsentWithdraw(ConsentWithdrawDTO{ClientID: c.ID, Purpose: "health-data", Channel: "phone"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.NoteCreate(NoteCreateDTO{ClientID: c.ID, TemplateID: "soap"}); err == nil ||
		err.Error() != "consent_required: consent required: health-data" {
		t.Fatalf("note after withdrawal: %v", err)
	}
	hist, err := a.ConsentHistory(c.ID)
	if err != nil || len(hist) != 2 || hist[1].Channel != "phone" {
		t.Fatalf("history: %+v %v", hist, err)
	}
	if n, err := a.ConsentVerify(); err != nil || n != 2 {
		t.Fatalf("verify: %d %v", n, err)
	}

	req, err := a.RightsCreate(RightsCreateDTO{ClientID: c.ID, Kind: "erasure", Details: "Please delete my contact details."})
	if err != nil || req.Status != "received" || req.DueAt != "" {
		t.Fatalf("create: %+v %v", req, err)
	}
	if _, err := a.RightsFulfil(RightsFulfilDTO{ID: req.ID}); err == nil || err.Error() != "conflict: verify the requester's identity first" {
		t.Fatalf("fulfil unverified: %v", err)
	}
	if req, err = a.RightsVerify(RightsVerifyDTO{ID: req.ID, Method: "in_person_id"}); err != nil || req.DueAt == "" || !req.DueThisWeek && req.Overdue {
		t.Fatalf("verify: %+v %v", req, err)
	}
	if req, err = a.RightsFulfil(RightsFulfilDTO{ID: req.ID}); err != nil || req.Status != "fulfilled" || req.CertificateID == "" {
		t.Fatalf("fulfil: %+v %v", req, err)
	}
	cert, err := a.ErasureCertificate(req.CertificateID)
	if err != nil || cert.Kind != "erasure" || !strings.Contains(cert.Text, cert.SHA256) || cert.HoldUntil == "" {
		t.Fatalf("certificate: %+v %v", cert, err)
	}
	got, err := a.ClientGet(c.ID)
	if err != nil || got.Phone != "" || got.Name != "Asha Kumar" {
		t.Fatalf("client after erasure: %+v %v", got, err)
	}
	list, err := a.RightsList(RightsFilterDTO{ClientID: c.ID})
	if err != nil || len(list) != 1 || list[0].Details != "" {
		t.Fatalf("list: %+v %v", list, err)
	}
	if _, err := a.RightsList(RightsFilterDTO{View: "overdue"}); err != nil {
		t.Fatal(err)
	}
}

func TestRightsAccessIsFulfilledWithAnExport(t *testing.T) {
	a := newClientTestApp(t)
	c, err := a.ClientCreate(ClientInputDTO{Name: "Ravi Menon", DateOfBirth: "1985-02-11"})
	if err != nil {
		t.Fatal(err)
	}
	req, err := a.RightsCreate(RightsCreateDTO{ClientID: c.ID, Kind: "access"})
	if err != nil {
		t.Fatal(err)
	}
	if req, err = a.RightsVerify(RightsVerifyDTO{ID: req.ID, Method: "in_person_id"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.RightsFulfil(RightsFulfilDTO{ID: req.ID}); err == nil || !strings.HasPrefix(err.Error(), "invalid: an access request is fulfilled with an export") {
		t.Fatalf("access without a destination: %v", err)
	}
	if _, err := a.RightsFulfil(RightsFulfilDTO{ID: req.ID, Access: &ExportStartDTO{Path: "x.zip", Encrypt: "passphrase"}}); err == nil ||
		err.Error() != "invalid: give a passphrase for the archive" {
		t.Fatalf("access with an empty passphrase: %v", err)
	}
	out := filepath.Join(t.TempDir(), "ravi.zip")
	done, err := a.RightsFulfil(RightsFulfilDTO{ID: req.ID, Access: &ExportStartDTO{Path: out}})
	if err != nil || done.Status != "fulfilled" || !strings.HasPrefix(done.OutcomeRef, "export:") {
		t.Fatalf("access: %+v %v", done, err)
	}
	if st, err := os.Stat(out); err != nil || st.Size() == 0 {
		t.Fatalf("bundle: %v", err)
	}
}

func TestNoticeUpdatesShowPolicyChangesAndRenewals(t *testing.T) {
	a := newClientTestApp(t)
	c, err := a.ClientCreate(ClientInputDTO{Name: "Meera Iyer", DateOfBirth: "1988-07-14"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.ConsentGrant(ConsentGrantDTO{ClientID: c.ID, Purpose: "reminders", Method: "checkbox"}); err != nil {
		t.Fatal(err)
	}
	if u, err := a.NoticeUpdates(); err != nil || len(u.Policy) != 0 || len(u.Renewals) != 0 {
		t.Fatalf("no updates yet: %+v %v", u, err)
	}
	p, err := a.practice()
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for _, n := range []wire.NoticeVersion{
		{ID: "0190a1b2-0000-7000-8000-000000000011", Kind: wire.NoticeConsent, Purpose: "reminders", Version: 2, Language: "en",
			Text: "Reminders\nNow also by WhatsApp.", Summary: "WhatsApp added.", Material: true, PublishedAt: at},
		{ID: "0190a1b2-0000-7000-8000-000000000012", Kind: wire.NoticePrivacyPolicy, Version: 5, Language: "en",
			Text: "Privacy policy\nVersion 5.", Summary: "Backups are now kept in Mumbai.", Material: true, PublishedAt: at},
	} {
		if err := p.ReceiveNoticeVersion(context.Background(), n); err != nil {
			t.Fatal(err)
		}
	}
	u, err := a.NoticeUpdates()
	if err != nil || len(u.Policy) != 1 || u.Policy[0].Version != 5 || u.Policy[0].Summary != "Backups are now kept in Mumbai." ||
		len(u.Renewals) != 1 || u.Renewals[0].ClientName != "Meera Iyer" || u.Renewals[0].CurrentVersion != 2 {
		t.Fatalf("updates: %+v %v", u, err)
	}
	if n, err := a.ConsentNotice("reminders", "en"); err != nil || n.Version != 2 {
		t.Fatalf("current reminders notice: %+v %v", n, err)
	}
	states, _ := a.ConsentState(c.ID)
	for _, s := range states {
		if (s.Purpose == "reminders") != (s.RenewalVersion == 2) {
			t.Fatalf("state %s renewal %d", s.Purpose, s.RenewalVersion)
		}
	}
	if err := a.NoticeAcknowledge(u.Policy[0].ID); err != nil {
		t.Fatal(err)
	}
	if u, _ := a.NoticeUpdates(); len(u.Policy) != 0 {
		t.Fatalf("after acknowledging: %+v", u.Policy)
	}
	if err := a.NoticeAcknowledge("0190a1b2-0000-7000-8000-0000000000ff"); err == nil || !strings.HasPrefix(err.Error(), "not_found:") {
		t.Fatalf("acknowledge unknown: %v", err)
	}
}
