package practice

import (
	"context"
	"testing"
	"time"

	"github.com/calmally/practice/internal/backend"
	"github.com/calmally/practice/internal/sync/wire"
)

// TestNoticeVersionsArriveBySync: notice versions pulled from the reference
// backend are applied inside the page's batch (no read may wait on the pool
// the batch holds) and show as policy updates.
func TestNoticeVersionsArriveBySync(t *testing.T) {
	ref := startRefBackend(t, backend.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	code, _, err := ref.b.IssueEnrolmentCode(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, p := enrolFixture(t, SyncOptions{CAFile: ref.caFile})
	if _, err := p.SyncEnrol(ctx, ref.url, code); err != nil {
		t.Fatal(err)
	}
	for _, n := range []wire.NoticeVersion{
		{Kind: wire.NoticePrivacyPolicy, Version: 2, Language: "en", Material: true, Text: "Privacy policy\nVersion 2.", Summary: "Backups also in Mumbai."},
		{Kind: wire.NoticeConsent, Purpose: "teleconsultation", Version: 2, Language: "en", Material: true, Text: "Online sessions\nA second provider.", Summary: "A second provider."},
	} {
		if _, err := ref.b.PublishNotice(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	sum, err := p.SyncRound(ctx)
	if err != nil || sum.Applied != 2 || sum.Rejected != 0 {
		t.Fatalf("round: %+v %v", sum, err)
	}
	up, err := p.PolicyUpdates(ctx)
	if err != nil || len(up) != 1 || up[0].Version != 2 {
		t.Fatalf("policy updates: %+v %v", up, err)
	}
}
