package practice

import (
	"context"
	"testing"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/ids"
	"github.com/calmally/practice/internal/notices"
	"github.com/calmally/practice/internal/sync/wire"
)

// The sync leak probe: a match whose concerns, languages and preferences
// carry the marker, declined with a marked note; a client from the platform
// named with it; a booking labelled with it; a grievance and a takedown
// whose texts and responses carry it. None may reach the disk in the clear.
func init() {
	LeakProbes = append(LeakProbes, func(t *testing.T, p *Practice, marker string) {
		t.Helper()
		ctx := context.Background()
		now := p.Now()
		next := func() string { now = now.Add(time.Millisecond); return ids.New(now) }
		m := next()
		d := matchData(m, "25-34", p.Now(), marker+" concern")
		d["languages"], d["preferences"] = []string{marker + " language"}, marker+" preferences"
		mustApply(t, p, wire.TypeMatch, m, 1, d)
		if _, err := p.DeclineMatch(ctx, m, "other", marker+" decline note"); err != nil {
			t.Fatalf("sync probe: decline: %v", err)
		}
		accepted, ref := next(), next()
		mustApply(t, p, wire.TypeMatch, accepted, 1, matchData(accepted, "45-54", p.Now(), marker+" other concern"))
		if _, err := p.AcceptMatch(ctx, accepted); err != nil {
			t.Fatalf("sync probe: accept: %v", err)
		}
		mustApply(t, p, wire.TypeClient, ref, 1, clientData(ref, accepted, marker+" Platform Client", "1985-01-01",
			granted("health-data", p.Now(), true)))
		b := next()
		mustApply(t, p, wire.TypeBooking, b, 1, bookingData(b, "requested", p.Now().Add(24*time.Hour), "paid", 1000, ref, marker+" label"))
		g, tk := next(), next()
		mustApply(t, p, wire.TypeGrievance, g, 1, grievanceData(g, p.Now(), marker+" category", marker+" summary"))
		mustApply(t, p, wire.TypeTakedown, tk, 1, takedownData(tk, p.Now(), marker+" content", marker+" reason"))
		if _, err := p.ResolveGrievance(ctx, g, marker+" resolution"); err != nil {
			t.Fatalf("sync probe: resolve: %v", err)
		}
		if _, err := p.DisputeTakedown(ctx, tk, marker+" dispute"); err != nil {
			t.Fatalf("sync probe: dispute: %v", err)
		}
		if ms, err := p.Matches(ctx); err != nil || len(ms) < 2 {
			t.Fatalf("sync probe: matches %d %v", len(ms), err)
		}
		if ns, err := p.Notices(ctx); err != nil || len(ns) < 2 {
			t.Fatalf("sync probe: notices %d %v", len(ns), err)
		}
	})
}

func grievanceData(id string, received time.Time, category, summary string) map[string]any {
	return map[string]any{"id": id, "status": "open", "category": category, "summary": summary,
		"receivedAt": rfc(received), "acknowledgeBy": rfc(received.Add(24 * time.Hour)),
		"resolveBy": rfc(received.Add(15 * 24 * time.Hour))}
}

func takedownData(id string, received time.Time, content, reason string) map[string]any {
	return map[string]any{"id": id, "status": "open", "contentRef": content, "reason": reason,
		"receivedAt": rfc(received), "removeBy": rfc(received.Add(36 * time.Hour))}
}

func TestGrievanceDeadlinesAndAnswers(t *testing.T) {
	f, p := syncFixture(t)
	ctx := context.Background()
	now := p.Now()
	g := ids.New(now)
	d := grievanceData(g, now, "billing", "charged twice")
	d["acknowledgeBy"] = rfc(now.Add(72 * time.Hour)) // later than the rule allows
	mustApply(t, p, wire.TypeGrievance, g, 1, d)
	mustApply(t, p, wire.TypeGrievance, g, 1, d)
	ns, err := p.Notices(ctx)
	if err != nil || len(ns) != 1 {
		t.Fatalf("notices: %+v %v", ns, err)
	}
	n := ns[0]
	if n.Kind != notices.Grievance || n.Summary != "charged twice" || !n.AcknowledgeBy.Equal(now.Add(24*time.Hour)) || n.Rev != 1 {
		t.Fatalf("grievance: %+v", n)
	}
	f.clock.Advance(23 * time.Hour)
	if n.Overdue(p.Now()) || !n.Due(p.Now(), 2*time.Hour) {
		t.Fatal("an hour before the 24-hour deadline it is due, not overdue")
	}
	f.clock.Advance(time.Hour)
	if !n.Overdue(p.Now()) {
		t.Fatal("not overdue at 24 hours")
	}
	if _, err := p.ResolveGrievance(ctx, g, "   "); apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("a resolution without a response: %v", err)
	}
	a, err := p.AcknowledgeGrievance(ctx, g)
	if err != nil || a.Status != notices.Acknowledged || !a.AcknowledgedAt.Equal(p.Now()) || a.Overdue(p.Now()) {
		t.Fatalf("acknowledge: %+v %v", a, err)
	}
	if _, err := p.AcknowledgeGrievance(ctx, g); apperr.CodeOf(err) != apperr.Conflict {
		t.Fatalf("acknowledging twice: %v", err)
	}
	// The platform has not seen the acknowledgement: its "open" does not undo it.
	mustApply(t, p, wire.TypeGrievance, g, 2, grievanceData(g, now, "billing", "charged twice, again"))
	r, err := p.ResolveGrievance(ctx, g, "refunded the second charge")
	if err != nil || r.Status != notices.Resolved || r.Response != "refunded the second charge" || r.ClosedAt.IsZero() {
		t.Fatalf("resolve: %+v %v", r, err)
	}
	if r.Summary != "charged twice, again" {
		t.Fatalf("the platform's text did not win: %q", r.Summary)
	}
	ob := outboxOf(t, p)
	if got := kinds(ob); len(got) != 2 || got[0] != wire.KindGrievanceAcknowledge || got[1] != wire.KindGrievanceResolve {
		t.Fatalf("outbox: %v", got)
	}
	if ob[1].Payload["grievanceId"] != g || ob[1].Payload["response"] != "refunded the second charge" {
		t.Fatalf("resolve payload: %+v", ob[1].Payload)
	}
	if cs, _ := p.Conflicts(ctx); len(cs) != 0 {
		t.Fatalf("conflicts: %+v", cs)
	}
	// Resolving an open grievance acknowledges it in the same step.
	g2 := ids.New(now.Add(time.Second))
	mustApply(t, p, wire.TypeGrievance, g2, 1, grievanceData(g2, p.Now(), "conduct", "late"))
	if _, err := p.ResolveGrievance(ctx, g2, "apologised"); err != nil {
		t.Fatal(err)
	}
	if got := kinds(outboxOf(t, p)); len(got) != 4 || got[2] != wire.KindGrievanceAcknowledge || got[3] != wire.KindGrievanceResolve {
		t.Fatalf("outbox: %v", got)
	}
	// Withdrawn on the platform: it leaves the list.
	mustApply(t, p, wire.TypeGrievance, g2, 2, nil)
	if ns, _ := p.Notices(ctx); len(ns) != 1 || ns[0].ID != g {
		t.Fatalf("after the tombstone: %+v", ns)
	}
}

func TestTakedownRemoveDisputeAndOrder(t *testing.T) {
	f, p := syncFixture(t)
	ctx := context.Background()
	now := p.Now()
	tk, g := ids.New(now), ids.New(now.Add(time.Second))
	mustApply(t, p, wire.TypeGrievance, g, 1, grievanceData(g, now, "billing", "x"))
	mustApply(t, p, wire.TypeTakedown, tk, 1, takedownData(tk, now.Add(-20*time.Hour), "profile.bio", "claims a cure"))
	ns, _ := p.Notices(ctx)
	if len(ns) != 2 || ns[0].ID != tk || ns[1].ID != g {
		t.Fatalf("not nearest deadline first: %s then %s", ns[0].Kind, ns[1].Kind)
	}
	f.clock.Advance(16 * time.Hour) // 36 hours after receipt
	if !ns[0].Overdue(p.Now()) {
		t.Fatal("the takedown is not overdue at 36 hours")
	}
	if _, err := p.AcknowledgeGrievance(ctx, tk); apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("acknowledging a takedown as a grievance: %v", err)
	}
	r, err := p.RemoveTakedown(ctx, tk, "")
	if err != nil || r.Status != notices.Removed || r.Overdue(p.Now()) {
		t.Fatalf("remove: %+v %v", r, err)
	}
	if _, err := p.DisputeTakedown(ctx, tk, "it is accurate"); apperr.CodeOf(err) != apperr.Conflict {
		t.Fatalf("disputing a removed takedown: %v", err)
	}
	ob := outboxOf(t, p)
	if len(ob) != 1 || ob[0].Kind != wire.KindTakedownRemove || ob[0].Payload["takedownId"] != tk {
		t.Fatalf("outbox: %+v", ob)
	}
	mustApply(t, p, wire.TypeTakedown, tk, 2, takedownData(tk, now.Add(-20*time.Hour), "profile.bio", "claims a cure"))
	if n, _ := p.NoticeService().Get(ctx, tk); n.Status != notices.Removed {
		t.Fatalf("a stale open undid the removal: %s", n.Status)
	}
	// The platform records it as disputed: it wins, and the conflict shows.
	d := takedownData(tk, now.Add(-20*time.Hour), "profile.bio", "claims a cure")
	d["status"] = "disputed"
	mustApply(t, p, wire.TypeTakedown, tk, 3, d)
	cs, _ := p.Conflicts(ctx)
	if len(cs) != 1 || cs[0].EntityType != "takedown" || cs[0].LocalState != "removed" || cs[0].PlatformState != "disputed" {
		t.Fatalf("conflicts: %+v", cs)
	}
	// A notice id reused with another kind is refused for good.
	bad := takedownData(g, now, "x", "y")
	if err := apply(t, p, wire.TypeTakedown, g, 2, bad); apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("a grievance turned takedown: %v", err)
	}
}
