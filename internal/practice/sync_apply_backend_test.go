package practice

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/calmally/practice/internal/backend"
	"github.com/calmally/practice/internal/consent"
	"github.com/calmally/practice/internal/matches"
	"github.com/calmally/practice/internal/notices"
	"github.com/calmally/practice/internal/sync/wire"
)

// The applier through the real engine and the reference backend's demo
// practice over TLS on loopback: three proposals (one in a minor's age band,
// one whose client turns out to be 17), bookings, a grievance and a
// takedown. Minors are refused and reported, accepted clients arrive with
// their consents, answers reach the platform.
func TestSyncDemoPracticeThroughTheApplier(t *testing.T) {
	ref := startRefBackend(t, backend.Options{})
	ctx := context.Background()
	seed, err := ref.b.SeedDemo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, p := enrolFixture(t, SyncOptions{CAFile: ref.caFile})
	if _, err := p.SyncEnrol(ctx, ref.url, seed.EnrolmentCode); err != nil {
		t.Fatal(err)
	}
	round := func() {
		t.Helper()
		if _, err := p.SyncRound(ctx); err != nil {
			t.Fatal(err)
		}
	}
	round()
	ms, err := p.Matches(ctx)
	if err != nil || len(ms) != 2 {
		t.Fatalf("matches: %d %v (the under-18 band must not be stored)", len(ms), err)
	}
	for _, m := range ms {
		if _, err := p.AcceptMatch(ctx, m.ID); err != nil {
			t.Fatal(err)
		}
	}
	round() // pushes the refusal and the accepts, pulls both clients
	round() // pushes the second refusal (the 17-year-old client)
	refusals, err := ref.b.MinorRefusals(ctx)
	if err != nil || len(refusals) != 2 {
		t.Fatalf("refusals reported to the platform: %+v %v", refusals, err)
	}
	types := map[string]int{}
	for _, r := range refusals {
		types[r.Type]++
	}
	if types[wire.TypeMatch] != 1 || types[wire.TypeClient] != 1 {
		t.Fatalf("refusals: %+v", refusals)
	}
	if n := count(t, p, `SELECT COUNT(*) FROM clients`); n != 1 {
		t.Fatalf("%d clients: only the adult may arrive", n)
	}
	var clientID, name string
	for _, m := range mustMatches(t, p) {
		if m.Status != matches.Accepted {
			t.Fatalf("match %s is %s", m.ID, m.Status)
		}
		if m.ClientID != "" {
			clientID = m.ClientID
		}
	}
	if c, err := p.Clients().Get(ctx, clientID); err != nil {
		t.Fatalf("the accepted match's client: %v", err)
	} else {
		name = c.Name
	}
	if name != "Ananya Rao" {
		t.Fatalf("client %q", name)
	}
	if err := p.Consent().Check(ctx, clientID, consent.PurposeTeleconsultation); err != nil {
		t.Fatalf("platform consent not recorded: %v", err)
	}
	// Requests: acknowledge the grievance, remove the content; both reach
	// the platform.
	ns, err := p.Notices(ctx)
	if err != nil || len(ns) != 2 {
		t.Fatalf("notices: %+v %v", ns, err)
	}
	for _, n := range ns {
		if n.Kind == notices.Grievance {
			_, err = p.AcknowledgeGrievance(ctx, n.ID)
		} else {
			_, err = p.RemoveTakedown(ctx, n.ID, "removed the sentence")
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	round()
	for _, want := range []struct{ typ, id, status string }{
		{wire.TypeGrievance, seed.Grievances[0], "acknowledged"},
		{wire.TypeTakedown, seed.Takedowns[0], "removed"},
	} {
		e, err := ref.b.Entity(ctx, want.typ, want.id)
		if err != nil {
			t.Fatal(err)
		}
		var v struct{ Status string }
		if err := json.Unmarshal(e.Data, &v); err != nil || v.Status != want.status {
			t.Fatalf("the platform's %s is %q (%v)", want.typ, v.Status, err)
		}
	}
	// The booking whose client asked for recording says so.
	recording := 0
	for _, id := range seed.Bookings {
		info, err := p.Bookings().SyncInfo(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if info.Recording {
			recording++
		}
	}
	if recording != 1 {
		t.Fatalf("%d bookings ask for recording, want 1", recording)
	}
	if cs, _ := p.Conflicts(ctx); len(cs) != 0 {
		t.Fatalf("conflicts in a clean run: %+v", cs)
	}
}

func mustMatches(t *testing.T, p *Practice) []matches.Match {
	t.Helper()
	ms, err := p.Matches(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return ms
}
