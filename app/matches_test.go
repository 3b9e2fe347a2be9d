package app

import (
	"strings"
	"testing"
	"time"

	"github.com/calmally/practice/internal/matches"
	"github.com/calmally/practice/internal/notices"
)

// receiveMatch stands in for sync: a proposal as the platform sends it.
func receiveMatch(t *testing.T, a *App, p matches.Proposal) {
	t.Helper()
	if _, err := a.p.MatchService().Receive(a.ctx, p, 1); err != nil {
		t.Fatal(err)
	}
}

// TestMatchMethods walks the Matches screen: the list (open first by
// deadline, no under-18 proposal), accept, decline with a reason and a
// private note, and the refusals the UI shows.
func TestMatchMethods(t *testing.T) {
	a := newClientTestApp(t)
	now := a.p.Now()
	base := matches.Proposal{Status: matches.Proposed, AgeBand: "25-34", Modality: matches.Online,
		Concerns: []string{"anxiety"}, Languages: []string{"en", "hi"}, ProposedAt: now.Add(-time.Hour)}
	first, second, third := base, base, base
	first.ID, first.RespondBy, first.Preferences = "0190f0a0-0000-7000-8000-000000000001", now.Add(48*time.Hour), "Evenings"
	second.ID, second.RespondBy = "0190f0a0-0000-7000-8000-000000000002", now.Add(3*time.Hour)
	third.ID, third.RespondBy, third.AgeBand = "0190f0a0-0000-7000-8000-000000000003", now.Add(5*time.Hour), "under-18"
	receiveMatch(t, a, first)
	receiveMatch(t, a, second)
	if out, err := a.p.MatchService().Receive(a.ctx, third, 1); err != nil || out != matches.OutcomeRefused {
		t.Fatalf("under-18 proposal: %v %v", out, err)
	}

	list, err := a.MatchesList()
	if err != nil || len(list) != 2 {
		t.Fatalf("list: %+v %v", list, err)
	}
	if list[0].ID != second.ID || list[1].ID != first.ID {
		t.Fatalf("not earliest deadline first: %s, %s", list[0].ID, list[1].ID)
	}
	m := list[1]
	if m.Status != "proposed" || m.AgeBand != "25-34" || strings.Join(m.Languages, ",") != "en,hi" ||
		m.Preferences != "Evenings" || m.RespondBy == "" || m.ClientID != "" || m.Concerns[0] != "anxiety" {
		t.Fatalf("match DTO: %+v", m)
	}

	acc, err := a.MatchAccept(first.ID)
	if err != nil || acc.Status != "accepted" || acc.DecidedAt == "" {
		t.Fatalf("accept: %+v %v", acc, err)
	}
	if _, err := a.MatchAccept(first.ID); err == nil || !strings.HasPrefix(err.Error(), "conflict: ") {
		t.Fatalf("accept twice: %v", err)
	}
	if _, err := a.MatchDecline(MatchDeclineDTO{ID: second.ID, Reason: "too_busy"}); err == nil || !strings.HasPrefix(err.Error(), "invalid: ") {
		t.Fatalf("unknown reason: %v", err)
	}
	dec, err := a.MatchDecline(MatchDeclineDTO{ID: second.ID, Reason: "language", Note: "prefers Tamil"})
	if err != nil || dec.Status != "declined" || dec.DeclineReason != "language" || dec.DeclineNote != "prefers Tamil" {
		t.Fatalf("decline: %+v %v", dec, err)
	}
	if _, err := a.MatchAccept("0190f0a0-0000-7000-8000-00000000ffff"); err == nil || !strings.HasPrefix(err.Error(), "not_found: ") {
		t.Fatalf("unknown match: %v", err)
	}
}

// TestNoticeMethods walks the grievances and takedowns on the Requests
// screen: deadlines capped by the rules, acknowledge, resolve with a
// response, remove and dispute.
func TestNoticeMethods(t *testing.T) {
	a := newClientTestApp(t)
	now := a.p.Now().Truncate(time.Second)
	svc := a.p.NoticeService()
	g := notices.Incoming{ID: "0190f0a0-0000-7000-8000-0000000000a1", Kind: notices.Grievance, Status: notices.Open,
		Category: "service quality", Summary: "Started late", ReceivedAt: now.Add(-3 * time.Hour),
		AcknowledgeBy: now.Add(90 * time.Hour), ResolveBy: now.Add(40 * 24 * time.Hour)}
	td := notices.Incoming{ID: "0190f0a0-0000-7000-8000-0000000000b1", Kind: notices.Takedown, Status: notices.Open,
		ContentRef: "profile.bio", Reason: "Promises a cure", ReceivedAt: now.Add(-5 * time.Hour), RemoveBy: now.Add(31 * time.Hour)}
	td2 := td
	td2.ID, td2.ContentRef = "0190f0a0-0000-7000-8000-0000000000b2", "profile.photo"
	for _, in := range []notices.Incoming{g, td, td2} {
		if _, err := svc.Receive(a.ctx, in, 1); err != nil {
			t.Fatal(err)
		}
	}
	list, err := a.NoticesList()
	if err != nil || len(list.Grievances) != 1 || len(list.Takedowns) != 2 {
		t.Fatalf("list: %+v %v", list, err)
	}
	gd := list.Grievances[0]
	// The platform asked for more time than the rules allow: the rules win.
	if gd.AcknowledgeBy != instant(g.ReceivedAt.Add(24*time.Hour)) || gd.ResolveBy != instant(g.ReceivedAt.Add(15*24*time.Hour)) ||
		gd.Summary != "Started late" || gd.Status != "open" {
		t.Fatalf("grievance DTO: %+v", gd)
	}
	if list.Takedowns[0].RemoveBy != instant(td.RemoveBy) || list.Takedowns[0].ContentRef == "" {
		t.Fatalf("takedown DTO: %+v", list.Takedowns[0])
	}

	if _, err := a.GrievanceResolve(NoticeResponseDTO{ID: g.ID}); err == nil || !strings.HasPrefix(err.Error(), "invalid: ") {
		t.Fatalf("resolve without a response: %v", err)
	}
	ack, err := a.GrievanceAcknowledge(g.ID)
	if err != nil || ack.Status != "acknowledged" || ack.AcknowledgedAt == "" {
		t.Fatalf("acknowledge: %+v %v", ack, err)
	}
	res, err := a.GrievanceResolve(NoticeResponseDTO{ID: g.ID, Response: "Refunded half the fee."})
	if err != nil || res.Status != "resolved" || res.ResolvedAt == "" || res.Response != "Refunded half the fee." {
		t.Fatalf("resolve: %+v %v", res, err)
	}
	rm, err := a.TakedownRemove(NoticeResponseDTO{ID: td.ID})
	if err != nil || rm.Status != "removed" || rm.RespondedAt == "" {
		t.Fatalf("remove: %+v %v", rm, err)
	}
	if _, err := a.TakedownDispute(NoticeResponseDTO{ID: td2.ID}); err == nil || !strings.HasPrefix(err.Error(), "invalid: ") {
		t.Fatalf("dispute without a reason: %v", err)
	}
	dis, err := a.TakedownDispute(NoticeResponseDTO{ID: td2.ID, Response: "The photo is mine."})
	if err != nil || dis.Status != "disputed" {
		t.Fatalf("dispute: %+v %v", dis, err)
	}
	if _, err := a.TakedownDispute(NoticeResponseDTO{ID: td.ID, Response: "late"}); err == nil || !strings.HasPrefix(err.Error(), "conflict: ") {
		t.Fatalf("dispute after removal: %v", err)
	}
}

// TestEarningsMonth adds up a walk-in paid at the clinic and refuses a
// month outside the calendar.
func TestEarningsMonth(t *testing.T) {
	a := newClientTestApp(t)
	kol, _ := time.LoadLocation("Asia/Kolkata")
	start := time.Now().In(kol).Add(-2 * time.Hour).Truncate(time.Minute)
	c, err := a.ClientCreate(ClientInputDTO{Name: "Asha Kumar", DateOfBirth: "1990-05-01"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.WalkInCreate(WalkInDTO{ClientID: c.ID, Start: start.Format(time.RFC3339), FeePaise: 150000, Paid: true}); err != nil {
		t.Fatal(err)
	}
	e, err := a.EarningsMonth(start.Year(), int(start.Month()))
	if err != nil || e.Currency != "INR" || e.Zone != "Asia/Kolkata" || e.Total.FeesPaise != 150000 || e.Total.NetPaise != 150000 ||
		e.Total.SessionsPaid != 1 || len(e.Days) != 1 || e.Days[0].Date != start.Format("2006-01-02") {
		t.Fatalf("earnings: %+v %v", e, err)
	}
	if _, err := a.EarningsMonth(start.Year(), 13); err == nil || !strings.HasPrefix(err.Error(), "invalid: ") {
		t.Fatalf("month 13: %v", err)
	}
}
