package practice

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/calmally/practice/internal/backend"
	"github.com/calmally/practice/internal/profile"
)

// TestProfileRoundTripsThroughSync: a submitted profile reaches the
// reference backend (the reviewed part only: no contact details or
// demographics), and the platform's review comes back — changes requested
// with a comment, then approved after an edit and a new submission.
func TestProfileRoundTripsThroughSync(t *testing.T) {
	ref := startRefBackend(t, backend.Options{})
	ctx := context.Background()
	code, _, err := ref.b.IssueEnrolmentCode(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, p := enrolFixture(t, SyncOptions{CAFile: ref.caFile})
	if _, err := p.SyncEnrol(ctx, ref.url, code); err != nil {
		t.Fatal(err)
	}
	round := func() {
		t.Helper()
		if _, err := p.SyncRound(ctx); err != nil {
			t.Fatal(err)
		}
	}
	ps := p.Profile()
	mine := profile.Profile{Name: "Dr Meera Iyer", Contact: profile.Contact{Email: "meera.private@example.in"},
		Demographics: profile.Demographics{Other: "private demographics"},
		Credentials: []profile.Credential{{Qualification: "M.Phil Clinical Psychology", Council: profile.CouncilRCI,
			RegistrationNumber: "A12345", ValidUntil: "2030-03-31"}},
		Specialisations: []string{"anxiety", "grief"}, Languages: []string{"en", "hi"},
		Preferences: profile.Preferences{PauseNewMatches: true}}
	if _, _, err := ps.SaveProfile(ctx, mine); err != nil {
		t.Fatal(err)
	}
	if _, err := ps.Submit(ctx); err != nil {
		t.Fatal(err)
	}
	round()
	raw, err := ref.b.ProfileSubmission(ctx)
	if err != nil {
		t.Fatalf("the platform has no submission: %v", err)
	}
	var doc struct {
		Version      int             `json:"version"`
		Practitioner profile.Profile `json:"practitioner"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil || doc.Version != 1 || doc.Practitioner.Name != "Dr Meera Iyer" ||
		doc.Practitioner.Credentials[0].RegistrationNumber != "A12345" || !doc.Practitioner.Preferences.PauseNewMatches {
		t.Fatalf("submitted document: %s %v", raw, err)
	}
	if strings.Contains(string(raw), "meera.private") || strings.Contains(string(raw), "private demographics") {
		t.Fatalf("contact details or demographics left the machine: %s", raw)
	}

	if err := ref.b.SetProfileReview(ctx, "changes_requested", "Add the validity start of your RCI registration."); err != nil {
		t.Fatal(err)
	}
	round()
	got, _, err := ps.Profile(ctx)
	if err != nil || got.ReviewState != profile.ReviewChangesRequested || !strings.Contains(got.ReviewComment, "validity start") {
		t.Fatalf("after the review: %s %q %v", got.ReviewState, got.ReviewComment, err)
	}
	got.Credentials[0].ValidFrom = "2020-04-01"
	if _, _, err := ps.SaveProfile(ctx, got); err != nil {
		t.Fatal(err)
	}
	if _, err := ps.Submit(ctx); err != nil {
		t.Fatal(err)
	}
	round()
	if err := ref.b.SetProfileReview(ctx, "approved", ""); err != nil {
		t.Fatal(err)
	}
	round()
	if got, _, err = ps.Profile(ctx); err != nil || got.ReviewState != profile.ReviewApproved || got.ReviewComment != "" {
		t.Fatalf("after approval: %s %q %v", got.ReviewState, got.ReviewComment, err)
	}
	if raw, _ = ref.b.ProfileSubmission(ctx); !strings.Contains(string(raw), "2020-04-01") {
		t.Fatalf("the second submission did not reach the platform: %s", raw)
	}
}
