package practice

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/consent"
)

// TestRepresentativeDisclosureNeedsConsent: an export for a third party is
// refused without the client's representative-disclosure consent, allowed
// with it, refused again after withdrawal, and allowed under a recorded
// Mental Healthcare Act s.23 ground.
func TestRepresentativeDisclosureNeedsConsent(t *testing.T) {
	p := unlockedPractice(t)
	ctx := context.Background()
	id := seedExportClient(t, p, "Meera Iyer")
	dir := t.TempDir()
	n := 0
	export := func(o ExportOptions) error {
		n++
		o.ClientID = id
		o.Path = filepath.Join(dir, "out-"+itoa(n)+".zip")
		_, err := p.Export(ctx, o)
		return err
	}
	toRep := ExportOptions{Recipient: RecipientRepresentative}

	if err := export(ExportOptions{}); err != nil {
		t.Fatalf("the client's own copy needs no further consent: %v", err)
	}
	if err := export(toRep); apperr.CodeOf(err) != apperr.ConsentRequired {
		t.Fatalf("third-party export without consent = %v, want consent_required", err)
	}
	if _, err := p.Consent().Grant(ctx, consent.GrantInput{ClientID: id, Purpose: consent.PurposeRepresentativeDisclosure,
		Method: consent.MethodCheckbox}); err != nil {
		t.Fatal(err)
	}
	if err := export(toRep); err != nil {
		t.Fatalf("third-party export with consent: %v", err)
	}
	if _, err := p.Consent().Withdraw(ctx, consent.WithdrawInput{ClientID: id, Purpose: consent.PurposeRepresentativeDisclosure}); err != nil {
		t.Fatal(err)
	}
	if err := export(toRep); apperr.CodeOf(err) != apperr.ConsentRequired {
		t.Fatalf("third-party export after withdrawal = %v, want consent_required", err)
	}
	if err := export(ExportOptions{Recipient: RecipientRepresentative, LegalBasis: "mha_s23_1e"}); err != nil {
		t.Fatalf("court-ordered disclosure: %v", err)
	}
	if err := export(ExportOptions{Recipient: RecipientRepresentative, LegalBasis: "because"}); apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("unknown legal basis = %v, want invalid", err)
	}
	if _, err := p.Export(ctx, ExportOptions{All: true, Path: filepath.Join(dir, "all.zip"), Recipient: RecipientRepresentative}); apperr.CodeOf(err) != apperr.Forbidden {
		t.Fatalf("whole practice to a third party = %v, want forbidden", err)
	}
	entries, _, err := p.AuditList(ctx, audit.Filter{Action: audit.ActionExport, RecordID: id})
	if err != nil {
		t.Fatal(err)
	}
	var refused, basis int
	for _, e := range entries {
		switch e.Detail {
		case "refused=consent_required purpose=representative-disclosure":
			refused++
		}
		if slices.Contains(strings.Fields(e.Detail), "basis=mha_s23_1e") {
			basis++
		}
	}
	if refused != 2 || basis != 1 {
		t.Fatalf("audit: %d refusals, %d legal-basis exports; want 2 and 1", refused, basis)
	}
}
