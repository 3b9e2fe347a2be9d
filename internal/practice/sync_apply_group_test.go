package practice

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/ids"
	"github.com/calmally/practice/internal/profile"
	"github.com/calmally/practice/internal/search"
	"github.com/calmally/practice/internal/store"
	"github.com/calmally/practice/internal/sync"
	"github.com/calmally/practice/internal/sync/synctest"
	"github.com/calmally/practice/internal/sync/wire"
)

// ApplyGroup: a page of pulled changes in one transaction, with the same
// outcome as applying them one by one.

func change(t *testing.T, typ, id string, version int64, data map[string]any) wire.Change {
	t.Helper()
	c := wire.Change{Type: typ, ID: id, Version: version, Deleted: data == nil}
	if data != nil {
		b, err := json.Marshal(data)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &c.Data); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func applyGroup(ctx context.Context, p *Practice, cs []wire.Change) []error {
	return p.syncApplier().(sync.GroupApplier).ApplyGroup(ctx, cs)
}

// everyTypePage prepares p (a submitted profile, accepted matches, a client
// to be reported a minor later, a booking confirmed here) and returns a page
// with every change type and path through the applier: bookings new,
// updated, conflicting and removed; a client created with its consents, one
// later reported a minor (purged), one a minor from the start; matches new,
// withdrawn and reported a minor's (its client purged); grievance,
// takedown, notice versions, the profile's review; and two changes refused
// for good (an unknown type, an impossible booking). refused holds their
// indexes.
func everyTypePage(t *testing.T, p *Practice) (page []wire.Change, refused []int) {
	t.Helper()
	ctx := context.Background()
	now := p.Now()
	n := 0
	id := func() string { n++; return ids.New(now.Add(time.Duration(n) * time.Millisecond)) }
	ps := p.Profile()
	if _, _, err := ps.SaveProfile(ctx, profile.Profile{Name: "Dr. Meera Iyer", Contact: profile.Contact{Email: "meera@example.in"},
		Credentials: []profile.Credential{{Qualification: "M.Phil", Council: profile.CouncilRCI, RegistrationNumber: "A12345", ValidUntil: "2027-03-31"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := ps.Submit(ctx); err != nil {
		t.Fatal(err)
	}
	m1, m2, m3 := id(), id(), id()
	ref1, ref2, ref3, ref4 := id(), id(), id(), id()
	for _, m := range []string{m1, m2, m3} {
		mustApply(t, p, wire.TypeMatch, m, 1, matchData(m, "25-34", now, "anxiety"))
		if _, err := p.AcceptMatch(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	mustApply(t, p, wire.TypeClient, ref2, 1, clientData(ref2, m2, "Ravi Kumar", "1995-02-02"))
	mustApply(t, p, wire.TypeClient, ref3, 1, clientData(ref3, m3, "Neha Shah", "1999-03-03", granted("health-data", now, true)))
	start := now.Add(72 * time.Hour)
	queued := id()
	mustApply(t, p, wire.TypeBooking, queued, 1, bookingData(queued, "requested", start, "paid", 150000, "", "Q."))
	if _, err := p.Bookings().Confirm(ctx, queued); err != nil {
		t.Fatal(err)
	}
	bk, g, tk, other, pol, cn, m4, bad, long := id(), id(), id(), id(), id(), id(), id(), id(), id()
	given := now.Add(-time.Hour)
	longData := bookingData(long, "requested", start, "paid", 1000, "", "L.")
	longData["end"] = rfc(start.Add(13 * time.Hour))
	page = []wire.Change{
		change(t, wire.TypeBooking, bk, 1, bookingData(bk, "requested", start.Add(time.Hour), "paid", 150000, ref1, "A.R.")),
		change(t, wire.TypeClient, ref1, 1, clientData(ref1, m1, "Asha Rao", "1990-05-01",
			granted("health-data", given, true), granted("teleconsultation", given, true))),
		change(t, wire.TypeBooking, bk, 2, bookingData(bk, "confirmed", start.Add(time.Hour), "paid", 150000, ref1, "A.R.")),
		change(t, wire.TypeBooking, queued, 2, bookingData(queued, "cancelled_by_client", start, "refunded", 150000, "", "Q.")),
		change(t, "horoscope", other, 1, map[string]any{}),
		change(t, wire.TypeGrievance, g, 1, grievanceData(g, now, "billing", "charged twice")),
		change(t, wire.TypeTakedown, tk, 1, takedownData(tk, now, "profile.bio", "claims a cure")),
		change(t, wire.TypeGrievance, g, 2, nil),
		change(t, wire.TypeNotice, cn, 1, map[string]any{"id": cn, "kind": wire.NoticeConsent, "purpose": "health-data",
			"version": 2, "language": "en", "text": "We keep your health information to treat you.",
			"summary": "Clearer wording.", "material": true, "publishedAt": rfc(now.Add(-time.Hour))}),
		change(t, wire.TypeNotice, pol, 1, map[string]any{"id": pol, "kind": wire.NoticePrivacyPolicy, "version": 2,
			"language": "en", "text": "How this practice keeps your data.", "summary": "Retention explained.",
			"material": true, "publishedAt": rfc(now.Add(-time.Hour))}),
		change(t, wire.TypeProfile, id(), 1, map[string]any{"reviewState": "approved"}),
		change(t, wire.TypeMatch, m2, 2, matchData(m2, "13-17", now, "exams")),
		change(t, wire.TypeClient, ref3, 2, clientData(ref3, m3, "Neha Shah", "2012-03-03")),
		change(t, wire.TypeClient, ref4, 1, clientData(ref4, m1, "Kid", "2015-01-01")),
		change(t, wire.TypeBooking, long, 1, longData),
		change(t, wire.TypeMatch, m4, 1, matchData(m4, "45-54", now, "grief")),
		change(t, wire.TypeMatch, m4, 2, nil),
		change(t, wire.TypeBooking, bk, 3, nil),
		change(t, wire.TypeBooking, bad, 1, bookingData(bad, "requested", start.Add(3*time.Hour), "paid", 1000, "", "B.")),
	}
	return page, []int{4, 14}
}

// tableCounts is how many rows each table touched by the applier holds.
func tableCounts(t *testing.T, p *Practice) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, tb := range []string{"bookings", "clients", "platform_clients", "consent_events", "matches", "minor_refusals",
		"notices", "notice_versions", "sync_conflicts", "outbox", "audit_log", "erasure_certificates", "profile_documents"} {
		out[tb] = count(t, p, `SELECT COUNT(*) FROM `+tb)
	}
	return out
}

func checkOutcomes(t *testing.T, errs []error, n int, refused []int) {
	t.Helper()
	if len(errs) != n {
		t.Fatalf("%d outcomes for %d changes", len(errs), n)
	}
	want := map[int]bool{}
	for _, i := range refused {
		want[i] = true
	}
	for i, err := range errs {
		_, permanent := sync.PermanentCode(err)
		if want[i] != (err != nil) || (err != nil && !permanent) {
			t.Errorf("change %d: %v (refusal expected: %v)", i, err, want[i])
		}
	}
}

// TestApplyGroupEveryTypeMatchesOneByOne is also the guard against a read
// that bypasses the batch: the pool has one connection, which the batch
// holds, so such a read would wait until the deadline and fail the page.
func TestApplyGroupEveryTypeMatchesOneByOne(t *testing.T) {
	_, one := syncFixture(t)
	page, refused := everyTypePage(t, one)
	errs := make([]error, len(page))
	for i, c := range page {
		errs[i] = one.syncApplier().Apply(context.Background(), c)
	}
	checkOutcomes(t, errs, len(page), refused)

	_, p := syncFixture(t)
	page, refused = everyTypePage(t, p)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	checkOutcomes(t, applyGroup(ctx, p, page), len(page), refused)
	if ctx.Err() != nil {
		t.Fatal("the page took until the deadline: a read waited for the connection the batch holds")
	}
	want, got := tableCounts(t, one), tableCounts(t, p)
	if fmt.Sprint(want) != fmt.Sprint(got) {
		t.Fatalf("one by one %v\n  as a page %v", want, got)
	}
	if got["clients"] != 1 || got["sync_conflicts"] != 1 || got["erasure_certificates"] != 2 || got["notice_versions"] != 2 {
		t.Fatalf("page applied: %v", got)
	}
	chain, err := p.AuditChain()
	if err != nil {
		t.Fatal(err)
	}
	if n, err := p.db.VerifyAudit(context.Background(), chain); err != nil || n != int64(got["audit_log"]) {
		t.Fatalf("audit trail: %d verified of %d, %v", n, got["audit_log"], err)
	}
	// The index learned of the new client after the commit, and forgot the
	// purged ones.
	waitIndexBuild(p)
	for q, want := range map[string]int{"Asha": 1, "Ravi": 0, "Neha": 0} {
		hits, err := p.Search(context.Background(), search.Query{Text: q})
		if err != nil || len(hits) != want {
			t.Fatalf("search %q: %d hits, want %d (%v)", q, len(hits), want, err)
		}
	}
}

// TestApplyGroupRefusalInTheMiddle: a change refused for good is reported
// and leaves nothing behind; the changes around it are applied, each with
// its audit entry.
func TestApplyGroupRefusalInTheMiddle(t *testing.T) {
	_, p := syncFixture(t)
	now := p.Now()
	start := now.Add(48 * time.Hour)
	var page []wire.Change
	var bad string
	for i := range 9 {
		id := ids.New(now.Add(time.Duration(i) * time.Millisecond))
		d := bookingData(id, "requested", start.Add(time.Duration(i)*time.Hour), "paid", 100000, "", "C.")
		if i == 4 {
			bad, d["end"] = id, rfc(start.Add(30*time.Hour)) // a 26-hour session
		}
		page = append(page, change(t, wire.TypeBooking, id, 1, d))
	}
	errs := applyGroup(context.Background(), p, page)
	checkOutcomes(t, errs, len(page), []int{4})
	if apperr.CodeOf(errs[4]) != apperr.Invalid {
		t.Fatalf("refusal: %v", errs[4])
	}
	if n := count(t, p, `SELECT COUNT(*) FROM bookings`); n != 8 {
		t.Fatalf("%d bookings stored, want 8", n)
	}
	if n := count(t, p, `SELECT COUNT(*) FROM bookings WHERE id = ?`, bad); n != 0 {
		t.Fatal("the refused booking was stored")
	}
	if n := count(t, p, `SELECT COUNT(*) FROM audit_log WHERE record_type = 'booking'`); n != 8 {
		t.Fatalf("%d booking audit entries, want 8", n)
	}
}

// TestApplyGroupTwiceChangesNothing: changes applied again (a page
// re-sent, or re-applied from the inbox) are no-ops. Each entity's newest
// change goes again: an older one after a newer is the engine's to skip
// (a withdrawn grievance's row is gone, so only the recorded version knows
// it was there; TestSyncPageRefusalAndDuplicates covers that path).
func TestApplyGroupTwiceChangesNothing(t *testing.T) {
	_, p := syncFixture(t)
	page, refused := everyTypePage(t, p)
	checkOutcomes(t, applyGroup(context.Background(), p, page), len(page), refused)
	before := tableCounts(t, p)
	last := map[string]int{}
	for i, c := range page {
		last[c.Type+"/"+c.ID] = i
	}
	var again []wire.Change
	var stillRefused []int
	for i, c := range page {
		if last[c.Type+"/"+c.ID] != i {
			continue
		}
		for _, r := range refused {
			if r == i {
				stillRefused = append(stillRefused, len(again))
			}
		}
		again = append(again, c)
	}
	for range 2 {
		checkOutcomes(t, applyGroup(context.Background(), p, again), len(again), stillRefused)
	}
	if after := tableCounts(t, p); fmt.Sprint(before) != fmt.Sprint(after) {
		t.Fatalf("changes applied again changed things:\n before %v\n after  %v", before, after)
	}
}

// TestApplyGroupCancelledAppliesNothing: a page whose context ends is not
// applied at all, every change reported with the (transient) reason, and
// applies in full later.
func TestApplyGroupCancelledAppliesNothing(t *testing.T) {
	_, p := syncFixture(t)
	now := p.Now()
	var page []wire.Change
	for i := range 6 {
		id := ids.New(now.Add(time.Duration(i) * time.Millisecond))
		page = append(page, change(t, wire.TypeBooking, id, 1,
			bookingData(id, "requested", now.Add(time.Duration(24+i)*time.Hour), "paid", 1000, "", "C.")))
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for i, err := range applyGroup(ctx, p, page) {
		if _, permanent := sync.PermanentCode(err); err == nil || permanent || !errors.Is(err, context.Canceled) {
			t.Fatalf("change %d under a cancelled context: %v", i, err)
		}
	}
	if n := count(t, p, `SELECT COUNT(*) FROM bookings`); n != 0 {
		t.Fatalf("%d bookings applied under a cancelled context", n)
	}
	checkOutcomes(t, applyGroup(context.Background(), p, page), len(page), nil)
	if n := count(t, p, `SELECT COUNT(*) FROM bookings`); n != 6 {
		t.Fatalf("%d bookings", n)
	}
}

// syncedBookings enrols p with fake and puts n valid bookings there, and
// one the app must refuse (a 13-hour session) after the first half when
// withBad.
func syncedBookings(t *testing.T, n int, withBad bool) (*Practice, *synctest.Fake, string) {
	t.Helper()
	fake := synctest.NewFake(synctest.FakeOptions{})
	_, p := enrolFixture(t, SyncOptions{newTransport: func(string) (sync.Transport, error) { return fake, nil }})
	if _, err := p.SyncEnrol(context.Background(), "https://sync.example.in", fake.EnrolmentCode(t)); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	var bad string
	for i := range n {
		if withBad && i == n/2 {
			b := synctest.Booking(now, 24+i)
			b.End = b.Start.Add(13 * time.Hour)
			bad = b.ID
			fake.PutBooking(t, b)
		}
		fake.PutBooking(t, synctest.Booking(now, 24+i))
	}
	return p, fake, bad
}

// TestSyncPageRefusalAndDuplicates, through the engine: a page with a
// booking refused in the middle applies the others, records the refusal,
// and pages re-sent by the backend change nothing.
func TestSyncPageRefusalAndDuplicates(t *testing.T) {
	p, fake, bad := syncedBookings(t, 20, true)
	fake.DuplicatePages(t, 3)
	ctx := context.Background()
	sum, err := p.SyncRound(ctx)
	if err != nil || sum.Applied != 20 || sum.Rejected != 1 {
		t.Fatalf("round %+v, %v", sum, err)
	}
	rej, err := store.NewSyncStore(p.DB()).RejectedChanges(ctx)
	if err != nil || len(rej) != 1 || rej[0].EntityID != bad || rej[0].Code != apperr.Invalid {
		t.Fatalf("refused %+v %v", rej, err)
	}
	for q, want := range map[string]int{`SELECT COUNT(*) FROM bookings`: 20, `SELECT COUNT(*) FROM sync_inbox`: 0,
		`SELECT COUNT(*) FROM audit_log WHERE record_type = 'booking'`: 20, `SELECT COUNT(*) FROM sync_versions`: 21} {
		if n := count(t, p, q); n != want {
			t.Fatalf("%s = %d, want %d", q, n, want)
		}
	}
	if sum, err := p.SyncRound(ctx); err != nil || sum.Applied != 0 || sum.Rejected != 0 {
		t.Fatalf("second round %+v, %v", sum, err)
	}
}

// TestSyncPageAbortedMidwayAppliesNothing: the transaction of a page is
// torn down half-way through (a trigger rolls it back, as a crash would
// leave it): nothing of the page is applied or settled, the page waits in
// the inbox, and the next round applies it once.
func TestSyncPageAbortedMidwayAppliesNothing(t *testing.T) {
	p, _, _ := syncedBookings(t, 20, false)
	ctx := context.Background()
	db := p.DB().SQL()
	if _, err := db.Exec(`CREATE TRIGGER test_abort BEFORE INSERT ON bookings
		WHEN (SELECT COUNT(*) FROM bookings) >= 10 BEGIN SELECT RAISE(ROLLBACK, 'injected abort'); END`); err != nil {
		t.Fatal(err)
	}
	if _, err := p.SyncRound(ctx); err == nil {
		t.Fatal("the round succeeded through an aborted page")
	}
	for q, want := range map[string]int{`SELECT COUNT(*) FROM bookings`: 0, `SELECT COUNT(*) FROM sync_inbox`: 20,
		`SELECT COUNT(*) FROM sync_versions`: 0, `SELECT COUNT(*) FROM audit_log WHERE record_type = 'booking'`: 0} {
		if n := count(t, p, q); n != want {
			t.Fatalf("after the abort: %s = %d, want %d", q, n, want)
		}
	}
	if _, err := db.Exec(`DROP TRIGGER test_abort`); err != nil {
		t.Fatal(err)
	}
	sum, err := p.SyncRound(ctx)
	if err != nil || sum.Applied != 20 {
		t.Fatalf("round after the abort %+v, %v", sum, err)
	}
	for q, want := range map[string]int{`SELECT COUNT(*) FROM bookings`: 20, `SELECT COUNT(*) FROM sync_inbox`: 0,
		`SELECT COUNT(*) FROM sync_versions`: 20, `SELECT COUNT(*) FROM audit_log WHERE record_type = 'booking'`: 20} {
		if n := count(t, p, q); n != want {
			t.Fatalf("converged: %s = %d, want %d", q, n, want)
		}
	}
}

// TestSyncPageTransientStopKeepsThePrefix: a change failing for a reason
// that may pass (here a statement error that leaves the transaction whole)
// stops the page there: the changes before it are applied and settled in
// the page's commit, the rest wait in the inbox, and the next round
// completes the page.
func TestSyncPageTransientStopKeepsThePrefix(t *testing.T) {
	p, _, _ := syncedBookings(t, 20, false)
	ctx := context.Background()
	db := p.DB().SQL()
	if _, err := db.Exec(`CREATE TRIGGER test_fail BEFORE INSERT ON bookings
		WHEN (SELECT COUNT(*) FROM bookings) >= 10 BEGIN SELECT RAISE(FAIL, 'injected failure'); END`); err != nil {
		t.Fatal(err)
	}
	if _, err := p.SyncRound(ctx); err == nil {
		t.Fatal("the round succeeded through a failed change")
	}
	for q, want := range map[string]int{`SELECT COUNT(*) FROM bookings`: 10, `SELECT COUNT(*) FROM sync_inbox`: 10,
		`SELECT COUNT(*) FROM sync_versions`: 10, `SELECT COUNT(*) FROM audit_log WHERE record_type = 'booking'`: 10} {
		if n := count(t, p, q); n != want {
			t.Fatalf("after the failure: %s = %d, want %d", q, n, want)
		}
	}
	if _, err := db.Exec(`DROP TRIGGER test_fail`); err != nil {
		t.Fatal(err)
	}
	if sum, err := p.SyncRound(ctx); err != nil || sum.Applied != 10 {
		t.Fatalf("round after the failure %+v, %v", sum, err)
	}
	if n := count(t, p, `SELECT COUNT(*) FROM audit_log WHERE record_type = 'booking'`); n != 20 {
		t.Fatalf("%d booking audit entries, want 20", n)
	}
}
