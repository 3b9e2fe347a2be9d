package practice

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/consent"
	"github.com/calmally/practice/internal/ids"
	"github.com/calmally/practice/internal/matches"
	"github.com/calmally/practice/internal/search"
	"github.com/calmally/practice/internal/store"
	"github.com/calmally/practice/internal/sync"
	"github.com/calmally/practice/internal/sync/wire"
)

// syncFixture is an unlocked profile with a controllable clock.
func syncFixture(t *testing.T) (*fixture, *Practice) {
	t.Helper()
	f := newFixture(t)
	p := f.open(t)
	mustCreate(t, p, false)
	return f, p
}

// apply builds a change from data (a JSON-able map, nil for a tombstone)
// and applies it as the engine would.
func apply(t *testing.T, p *Practice, typ, id string, version int64, data map[string]any) error {
	t.Helper()
	c := wire.Change{Type: typ, ID: id, Version: version, Deleted: data == nil}
	if data != nil {
		// Round-trip through JSON, as a pulled change arrives.
		b, err := json.Marshal(data)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &c.Data); err != nil {
			t.Fatal(err)
		}
	}
	return p.syncApplier().Apply(context.Background(), c)
}

func mustApply(t *testing.T, p *Practice, typ, id string, version int64, data map[string]any) {
	t.Helper()
	if err := apply(t, p, typ, id, version, data); err != nil {
		t.Fatalf("apply %s v%d: %v", typ, version, err)
	}
}

func rfc(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func matchData(id, band string, now time.Time, concerns ...string) map[string]any {
	return map[string]any{"id": id, "status": "proposed", "ageBand": band, "concerns": concerns,
		"languages": []string{"en", "hi"}, "modality": "online", "preferences": "evenings",
		"proposedAt": rfc(now), "respondBy": rfc(now.Add(48 * time.Hour))}
}

// outboxOf opens every outbox row: kind, entity and payload.
type outboxEntry struct {
	Kind, EntityID string
	Parked         string
	Payload        map[string]any
}

func outboxOf(t *testing.T, p *Practice) []outboxEntry {
	t.Helper()
	rows, err := store.NewOutboxStore(p.DB()).OutboxAll(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	keys, err := p.Keys()
	if err != nil {
		t.Fatal(err)
	}
	var out []outboxEntry
	for _, r := range rows {
		plain, err := keys.Open(store.OutboxPayloadAD(r.ID), r.Payload)
		if err != nil {
			t.Fatal(err)
		}
		e := outboxEntry{Kind: r.Kind, EntityID: r.EntityID, Parked: r.ParkedReason}
		if err := json.Unmarshal(plain, &e.Payload); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

func kinds(es []outboxEntry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Kind)
	}
	return out
}

func count(t *testing.T, p *Practice, q string, args ...any) int {
	t.Helper()
	var n int
	if err := p.DB().SQL().QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestMatchReceiveAcceptAndPlatformWins(t *testing.T) {
	f, p := syncFixture(t)
	ctx := context.Background()
	now := p.Now()
	id := ids.New(now)
	mustApply(t, p, wire.TypeMatch, id, 1, matchData(id, "25-34", now, "anxiety", "sleep"))
	audits := count(t, p, `SELECT COUNT(*) FROM audit_log`)
	mustApply(t, p, wire.TypeMatch, id, 1, matchData(id, "25-34", now, "changed")) // the same version again
	if n := count(t, p, `SELECT COUNT(*) FROM audit_log`); n != audits {
		t.Fatalf("re-applying a version wrote %d audit entries", n-audits)
	}
	ms, err := p.Matches(ctx)
	if err != nil || len(ms) != 1 {
		t.Fatalf("matches: %+v %v", ms, err)
	}
	m := ms[0]
	if m.Status != matches.Proposed || strings.Join(m.Concerns, ",") != "anxiety,sleep" || m.Rev != 1 ||
		m.TimeLeft(p.Now()) != 48*time.Hour || m.RemoteVersion != 1 {
		t.Fatalf("match as received: %+v", m)
	}
	if _, err := p.DeclineMatch(ctx, id, "because", ""); apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("unknown decline reason: %v", err)
	}
	f.clock.Advance(time.Hour)
	acc, err := p.AcceptMatch(ctx, id)
	if err != nil || acc.Status != matches.Accepted || !acc.DecidedAt.Equal(p.Now()) {
		t.Fatalf("accept: %+v %v", acc, err)
	}
	ob := outboxOf(t, p)
	if len(ob) != 1 || ob[0].Kind != wire.KindMatchAccept || ob[0].EntityID != id || ob[0].Payload["matchId"] != id {
		t.Fatalf("outbox after accept: %+v", ob)
	}
	if _, err := p.AcceptMatch(ctx, id); apperr.CodeOf(err) != apperr.Conflict {
		t.Fatalf("accepting twice: %v", err)
	}
	// The platform has not seen the accept yet: its "proposed" does not undo it.
	mustApply(t, p, wire.TypeMatch, id, 2, matchData(id, "25-34", now, "anxiety"))
	if got, _ := p.MatchService().Get(ctx, id); got.Status != matches.Accepted || got.Concerns[0] != "anxiety" || len(got.Concerns) != 1 {
		t.Fatalf("after a stale proposed: %+v", got)
	}
	if cs, _ := p.Conflicts(ctx); len(cs) != 0 {
		t.Fatalf("conflicts: %+v", cs)
	}
	// The platform withdrew it meanwhile: withdrawn wins, the conflict is shown.
	mustApply(t, p, wire.TypeMatch, id, 3, nil)
	if got, _ := p.MatchService().Get(ctx, id); got.Status != matches.Withdrawn {
		t.Fatalf("after the tombstone: %s", got.Status)
	}
	mustApply(t, p, wire.TypeMatch, id, 3, nil)
	cs, err := p.Conflicts(ctx)
	if err != nil || len(cs) != 1 || cs[0].EntityType != "match" || cs[0].EntityID != id ||
		cs[0].LocalState != "accepted" || cs[0].PlatformState != "withdrawn" {
		t.Fatalf("conflicts: %+v %v", cs, err)
	}
	if err := p.DismissConflict(ctx, cs[0].ID); err != nil {
		t.Fatal(err)
	}
	if cs, _ := p.Conflicts(ctx); len(cs) != 0 {
		t.Fatal("a dismissed conflict is still shown")
	}
	if err := p.DismissConflict(ctx, cs[0].ID); apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("dismissing twice: %v", err)
	}
}

func TestMatchDeclineAndDeadline(t *testing.T) {
	f, p := syncFixture(t)
	ctx := context.Background()
	now := p.Now()
	a, b := ids.New(now), ids.New(now.Add(time.Millisecond))
	mustApply(t, p, wire.TypeMatch, a, 1, matchData(a, "65+", now, "grief"))
	mustApply(t, p, wire.TypeMatch, b, 1, matchData(b, "18-24", now, "exams"))
	d, err := p.DeclineMatch(ctx, a, "language", "  only Tamil  ")
	if err != nil || d.Status != matches.Declined || d.DeclineReason != matches.ReasonLanguage || d.DeclineNote != "only Tamil" {
		t.Fatalf("decline: %+v %v", d, err)
	}
	ob := outboxOf(t, p)
	if len(ob) != 1 || ob[0].Kind != wire.KindMatchDecline || ob[0].Payload["reason"] != "language" {
		t.Fatalf("outbox: %+v", ob)
	}
	for k := range ob[0].Payload {
		if k != "matchId" && k != "reason" && k != "at" {
			t.Fatalf("the decline sends %q: the note stays here", k)
		}
	}
	f.clock.Advance(48 * time.Hour)
	if _, err := p.AcceptMatch(ctx, b); apperr.CodeOf(err) != apperr.Conflict {
		t.Fatalf("accepting after the deadline: %v", err)
	}
	ms, _ := p.Matches(ctx)
	shown := map[string]matches.Status{}
	for _, m := range ms {
		shown[m.ID] = m.Shown(p.Now())
	}
	if len(ms) != 2 || shown[a] != matches.Declined || shown[b] != matches.Expired {
		t.Fatalf("shown after the deadline: %v", shown)
	}
}

func TestMinorMatchRefusedNotStored(t *testing.T) {
	f, p := syncFixture(t)
	ctx := context.Background()
	now := p.Now()
	const marker = "MINORMARKER-ab12"
	id := ids.New(now)
	for range 2 { // applied twice: refused and reported once
		mustApply(t, p, wire.TypeMatch, id, 1, matchData(id, "under-18", now, marker+" school"))
	}
	mustApply(t, p, wire.TypeMatch, id, 2, matchData(id, "18-24", now, marker)) // stays refused
	if n := count(t, p, `SELECT COUNT(*) FROM matches`); n != 0 {
		t.Fatalf("%d matches stored", n)
	}
	ob := outboxOf(t, p)
	if len(ob) != 1 || ob[0].Kind != wire.KindMinorRefused || ob[0].EntityID != id {
		t.Fatalf("outbox: %+v", ob)
	}
	if len(ob[0].Payload) != 3 || ob[0].Payload["type"] != "match" || ob[0].Payload["id"] != id || ob[0].Payload["at"] == nil {
		t.Fatalf("minor.refused carries more than type, id and at: %+v", ob[0].Payload)
	}
	// A match stored as an adult's, then corrected to a minor's, is deleted.
	other := ids.New(now.Add(time.Second))
	mustApply(t, p, wire.TypeMatch, other, 1, matchData(other, "18-24", now, marker))
	mustApply(t, p, wire.TypeMatch, other, 2, matchData(other, "13-17", now, marker))
	if n := count(t, p, `SELECT COUNT(*) FROM matches`); n != 0 {
		t.Fatalf("a minor's match kept after correction: %d", n)
	}
	if got := kinds(outboxOf(t, p)); len(got) != 2 {
		t.Fatalf("outbox: %v", got)
	}
	if ms, _ := p.Matches(ctx); len(ms) != 0 {
		t.Fatalf("a minor's match is listed: %+v", ms)
	}
	p.Lock(ctx, "user")
	p.Close()
	AssertNoMarker(t, f.dir, marker)
}

func clientData(id, matchID, name, dob string, consents ...map[string]any) map[string]any {
	if consents == nil {
		consents = []map[string]any{}
	}
	return map[string]any{"id": id, "matchId": matchID, "name": name, "dateOfBirth": dob,
		"email": "client@example.in", "phone": "+91 98765 43210", "concerns": []string{"anxiety"}, "consents": consents}
}

func granted(purpose string, at time.Time, ok bool) map[string]any {
	return map[string]any{"purpose": purpose, "granted": ok, "at": rfc(at), "noticeVersion": "1"}
}

func TestMinorClientRefusedInIndiasCalendar(t *testing.T) {
	f := newFixture(t)
	// 28 Feb 2026 20:00 UTC is already 1 March 01:30 in India.
	f.clock.t = time.Date(2026, 2, 28, 20, 0, 0, 0, time.UTC)
	p := f.open(t)
	mustCreate(t, p, false)
	ctx := context.Background()
	const marker = "CHILDMARKER-9q"
	minor, adult, match := ids.New(p.Now()), ids.New(p.Now().Add(time.Millisecond)), ids.New(p.Now().Add(2*time.Millisecond))
	// Born 2 March 2008: 17 in India today.
	for range 2 {
		mustApply(t, p, wire.TypeClient, minor, 1, clientData(minor, match, marker+" Kid", "2008-03-02",
			granted("health-data", p.Now(), true)))
	}
	// Born 1 March 2008: 18 today in India (still 28 February in UTC).
	mustApply(t, p, wire.TypeClient, adult, 1, clientData(adult, match, "Asha Rao", "2008-03-01"))
	if n := count(t, p, `SELECT COUNT(*) FROM clients`); n != 1 {
		t.Fatalf("%d clients stored, want the adult only", n)
	}
	if n := count(t, p, `SELECT COUNT(*) FROM consent_events`); n != 0 {
		t.Fatalf("the minor's consents were recorded: %d", n)
	}
	ob := outboxOf(t, p)
	if len(ob) != 1 || ob[0].Kind != wire.KindMinorRefused || ob[0].Payload["type"] != "client" || ob[0].Payload["id"] != minor {
		t.Fatalf("outbox: %+v", ob)
	}
	// A date in the future is bad data, not a minor: refused for good.
	bad := ids.New(p.Now().Add(3 * time.Millisecond))
	err := apply(t, p, wire.TypeClient, bad, 1, clientData(bad, match, "X", "2030-01-01"))
	if _, permanent := sync.PermanentCode(err); !permanent {
		t.Fatalf("future date of birth: %v", err)
	}
	p.Lock(ctx, "user")
	p.Close()
	AssertNoMarker(t, f.dir, marker)
}

func TestClientCreatedOnceWithPlatformConsents(t *testing.T) {
	_, p := syncFixture(t)
	ctx := context.Background()
	now := p.Now()
	matchID, ref, bookingID := ids.New(now), ids.New(now.Add(time.Millisecond)), ids.New(now.Add(2*time.Millisecond))
	mustApply(t, p, wire.TypeMatch, matchID, 1, matchData(matchID, "35-44", now, "anxiety"))
	if _, err := p.AcceptMatch(ctx, matchID); err != nil {
		t.Fatal(err)
	}
	// A booking naming the client arrives before the client does.
	start := now.Add(72 * time.Hour)
	mustApply(t, p, wire.TypeBooking, bookingID, 1, bookingData(bookingID, "requested", start, "paid", 150000, ref, "A.R."))
	given := now.Add(-time.Hour)
	data := clientData(ref, matchID, "Asha Rao", "1990-05-01", granted("health-data", given, true),
		granted("teleconsultation", given, true), granted("reminders", given, false))
	for range 2 {
		mustApply(t, p, wire.TypeClient, ref, 1, data)
	}
	mustApply(t, p, wire.TypeClient, ref, 2, data) // a later version: still one client, no new consents
	if n := count(t, p, `SELECT COUNT(*) FROM clients`); n != 1 {
		t.Fatalf("%d clients", n)
	}
	var clientID, source string
	if err := p.DB().SQL().QueryRow(`SELECT id, source FROM clients`).Scan(&clientID, &source); err != nil || source != "platform" {
		t.Fatalf("client source %q %v", source, err)
	}
	c, err := p.Clients().Get(ctx, clientID)
	if err != nil || c.Name != "Asha Rao" || c.Phone != "+919876543210" || c.PresentingConcerns != "anxiety" {
		t.Fatalf("client: %+v %v", c, err)
	}
	if m, _ := p.MatchService().Get(ctx, matchID); m.ClientID != clientID {
		t.Fatalf("match not linked to its client: %q", m.ClientID)
	}
	if b, _ := p.Bookings().Get(ctx, bookingID); b.ClientID != clientID {
		t.Fatalf("the earlier booking not linked: %q", b.ClientID)
	}
	if n := count(t, p, `SELECT COUNT(*) FROM consent_events WHERE client_id = ? AND source = 'platform' AND method = 'platform'`, clientID); n != 2 {
		t.Fatalf("%d platform consents recorded, want 2", n)
	}
	if err := p.Consent().Check(ctx, clientID, consent.PurposeTeleconsultation); err != nil {
		t.Fatalf("teleconsultation: %v", err)
	}
	if err := p.Consent().Check(ctx, clientID, consent.PurposeReminders); apperr.CodeOf(err) != apperr.ConsentRequired {
		t.Fatalf("reminders was not granted: %v", err)
	}
	for _, k := range kinds(outboxOf(t, p)) {
		if strings.HasPrefix(k, "consent.") {
			t.Fatal("platform consents were pushed back to the platform")
		}
	}
	waitIndexBuild(p)
	hits, err := p.Search(ctx, search.Query{Text: "Asha"})
	if err != nil || len(hits) == 0 {
		t.Fatalf("the new client is not searchable: %+v %v", hits, err)
	}
}

func TestClientLaterReportedMinorIsPurged(t *testing.T) {
	f, p := syncFixture(t)
	ctx := context.Background()
	now := p.Now()
	const marker = "LATERMINOR-x7"
	matchID, ref := ids.New(now), ids.New(now.Add(time.Millisecond))
	mustApply(t, p, wire.TypeMatch, matchID, 1, matchData(matchID, "18-24", now, "exams"))
	if _, err := p.AcceptMatch(ctx, matchID); err != nil {
		t.Fatal(err)
	}
	mustApply(t, p, wire.TypeClient, ref, 1, clientData(ref, matchID, marker+" Teen", "2000-01-01",
		granted("health-data", now, true)))
	if n := count(t, p, `SELECT COUNT(*) FROM clients`); n != 1 {
		t.Fatalf("%d clients", n)
	}
	// The platform corrects the date of birth: under 18.
	for range 2 {
		mustApply(t, p, wire.TypeClient, ref, 2, clientData(ref, matchID, marker+" Teen", "2010-01-01"))
	}
	for _, q := range []string{`SELECT COUNT(*) FROM clients`, `SELECT COUNT(*) FROM platform_clients`,
		`SELECT COUNT(*) FROM consent_events`, `SELECT COUNT(*) FROM matches WHERE client_id IS NOT NULL`} {
		if n := count(t, p, q); n != 0 {
			t.Fatalf("%s = %d after the purge", q, n)
		}
	}
	refusals := 0
	for _, e := range outboxOf(t, p) {
		if e.Kind == wire.KindMinorRefused {
			refusals++
			if e.Payload["type"] != "client" || e.Payload["id"] != ref {
				t.Fatalf("refusal: %+v", e.Payload)
			}
		}
	}
	if refusals != 1 {
		t.Fatalf("%d minor refusals queued", refusals)
	}
	p.Lock(ctx, "user")
	p.Close()
	AssertNoMarker(t, f.dir, marker)
}

func TestMatchLaterReportedMinorPurgesItsClient(t *testing.T) {
	_, p := syncFixture(t)
	ctx := context.Background()
	now := p.Now()
	matchID, ref := ids.New(now), ids.New(now.Add(time.Millisecond))
	mustApply(t, p, wire.TypeMatch, matchID, 1, matchData(matchID, "18-24", now, "exams"))
	if _, err := p.AcceptMatch(ctx, matchID); err != nil {
		t.Fatal(err)
	}
	mustApply(t, p, wire.TypeClient, ref, 1, clientData(ref, matchID, "Ravi", "2000-01-01"))
	mustApply(t, p, wire.TypeMatch, matchID, 2, matchData(matchID, "under-18", now, "exams"))
	if n := count(t, p, `SELECT COUNT(*) FROM clients`) + count(t, p, `SELECT COUNT(*) FROM matches`); n != 0 {
		t.Fatalf("%d rows left of a minor's match and client", n)
	}
	if got := kinds(outboxOf(t, p)); len(got) != 2 || got[1] != wire.KindMinorRefused {
		t.Fatalf("outbox: %v", got) // match.accept stays (the platform decides on it), then the refusal
	}
}
