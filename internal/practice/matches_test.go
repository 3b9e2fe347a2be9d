package practice

import (
	"context"
	"testing"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/bookings"
	"github.com/calmally/practice/internal/ids"
	"github.com/calmally/practice/internal/profile"
	"github.com/calmally/practice/internal/store"
	"github.com/calmally/practice/internal/sync"
	"github.com/calmally/practice/internal/sync/wire"
)

func bookingData(id, status string, start time.Time, payment string, fee int64, clientRef, label string) map[string]any {
	d := map[string]any{"id": id, "status": status, "start": rfc(start), "end": rfc(start.Add(50 * time.Minute)),
		"modality": "in_person", "feePaise": fee, "paymentStatus": payment, "clientLabel": label}
	if clientRef != "" {
		d["clientRef"] = clientRef
	}
	return d
}

func TestBookingApplyPlatformWinsAndConflicts(t *testing.T) {
	_, p := syncFixture(t)
	ctx := context.Background()
	bs := p.Bookings()
	now := p.Now()
	start := now.Add(48 * time.Hour)
	id := ids.New(now)
	d := bookingData(id, "requested", start, "paid", 150000, "", "R.S.")
	d["recording"] = true
	mustApply(t, p, wire.TypeBooking, id, 1, d)
	mustApply(t, p, wire.TypeBooking, id, 1, d)
	b, err := bs.Get(ctx, id)
	if err != nil || b.Status != bookings.Requested || b.Rev != 1 || b.Source != bookings.SourcePlatform || b.ClientLabel != "R.S." {
		t.Fatalf("received: %+v %v", b, err)
	}
	if info, err := bs.SyncInfo(ctx, id); err != nil || !info.Recording || info.RemoteVersion != 1 {
		t.Fatalf("sync info: %+v %v", info, err)
	}
	// Confirmed here; the platform has not seen it and still says
	// requested: the confirm stands, no conflict.
	if _, err := bs.Confirm(ctx, id); err != nil {
		t.Fatal(err)
	}
	mustApply(t, p, wire.TypeBooking, id, 2, bookingData(id, "requested", start, "paid", 150000, "", "R.S."))
	if b, _ = bs.Get(ctx, id); b.Status != bookings.Confirmed {
		t.Fatalf("a queued confirm was undone: %s", b.Status)
	}
	if cs, _ := p.Conflicts(ctx); len(cs) != 0 {
		t.Fatalf("conflict for news not yet arrived: %+v", cs)
	}
	// Meanwhile the client cancelled on the platform and was refunded: the
	// platform wins, visibly.
	mustApply(t, p, wire.TypeBooking, id, 3, bookingData(id, "cancelled_by_client", start, "refunded", 150000, "", "R.S."))
	mustApply(t, p, wire.TypeBooking, id, 3, bookingData(id, "cancelled_by_client", start, "refunded", 150000, "", "R.S."))
	b, _ = bs.Get(ctx, id)
	if b.Status != bookings.CancelledByClient || b.PaymentStatus != bookings.PaymentRefunded {
		t.Fatalf("platform state not applied: %s %s", b.Status, b.PaymentStatus)
	}
	cs, err := p.Conflicts(ctx)
	if err != nil || len(cs) != 1 || cs[0].EntityType != "booking" || cs[0].LocalState != "confirmed" ||
		cs[0].PlatformState != "cancelled_by_client" {
		t.Fatalf("conflicts: %+v %v", cs, err)
	}
	// An older version arriving late changes nothing.
	mustApply(t, p, wire.TypeBooking, id, 2, bookingData(id, "confirmed", start, "paid", 1, "", "R.S."))
	if b2, _ := bs.Get(ctx, id); b2.Rev != b.Rev || b2.FeePaise != 150000 {
		t.Fatalf("a stale version was applied: %+v", b2)
	}
}

func TestBookingParkedActionConflictsAndTombstone(t *testing.T) {
	_, p := syncFixture(t)
	ctx := context.Background()
	bs := p.Bookings()
	now := p.Now()
	start := now.Add(24 * time.Hour)
	id := ids.New(now)
	mustApply(t, p, wire.TypeBooking, id, 1, bookingData(id, "requested", start, "pending", 100000, "", "K."))
	if _, err := bs.Confirm(ctx, id); err != nil {
		t.Fatal(err)
	}
	// The platform refused our confirm (slot taken): the row is parked.
	ob := store.NewOutboxStore(p.DB())
	rows, _ := ob.OutboxAll(ctx)
	if len(rows) != 1 {
		t.Fatalf("outbox: %d rows", len(rows))
	}
	if err := ob.OutboxPark(ctx, rows[0].ID, wire.CodeSlotTaken); err != nil {
		t.Fatal(err)
	}
	mustApply(t, p, wire.TypeBooking, id, 2, bookingData(id, "declined", start, "pending", 100000, "", "K."))
	if b, _ := bs.Get(ctx, id); b.Status != bookings.Declined {
		t.Fatalf("status %s", b.Status)
	}
	cs, _ := p.Conflicts(ctx)
	if len(cs) != 1 || cs[0].LocalState != "confirmed" || cs[0].PlatformState != "declined" {
		t.Fatalf("conflicts: %+v", cs)
	}
	// A booking deleted upstream stays visible, closed and marked removed.
	other := ids.New(now.Add(time.Second))
	mustApply(t, p, wire.TypeBooking, other, 1, bookingData(other, "confirmed", start.Add(2*time.Hour), "paid", 1000, "", "M."))
	mustApply(t, p, wire.TypeBooking, other, 2, nil)
	mustApply(t, p, wire.TypeBooking, other, 2, nil)
	b, err := bs.Get(ctx, other)
	if err != nil || b.Status != bookings.CancelledByClient {
		t.Fatalf("after the tombstone: %+v %v", b, err)
	}
	if info, _ := bs.SyncInfo(ctx, other); info.RemovedAt.IsZero() || info.RemoteVersion != 2 {
		t.Fatalf("removal not recorded: %+v", info)
	}
	if busy, _ := bs.Busy(ctx, start, start.Add(24*time.Hour)); len(busy) != 0 {
		t.Fatalf("a removed booking still holds time: %+v", busy)
	}
	// An unknown booking's tombstone is a no-op.
	mustApply(t, p, wire.TypeBooking, ids.New(now.Add(2*time.Second)), 1, nil)
}

func TestBookingRescheduleLinks(t *testing.T) {
	_, p := syncFixture(t)
	ctx := context.Background()
	now := p.Now()
	start := now.Add(24 * time.Hour)
	old, next := ids.New(now), ids.New(now.Add(time.Second))
	mustApply(t, p, wire.TypeBooking, old, 1, bookingData(old, "confirmed", start, "paid", 1000, "", "N."))
	d := bookingData(next, "confirmed", start.Add(24*time.Hour), "paid", 1000, "", "N.")
	d["rescheduledFrom"] = old
	mustApply(t, p, wire.TypeBooking, next, 1, d)
	mustApply(t, p, wire.TypeBooking, old, 2, bookingData(old, "rescheduled", start, "paid", 1000, "", "N."))
	o, _ := p.Bookings().Get(ctx, old)
	n, _ := p.Bookings().Get(ctx, next)
	if o.Status != bookings.Rescheduled || o.RescheduledTo != next || n.RescheduledFrom != old {
		t.Fatalf("reschedule links: old %s →%q, new ←%q", o.Status, o.RescheduledTo, n.RescheduledFrom)
	}
	if cs, _ := p.Conflicts(ctx); len(cs) != 0 {
		t.Fatalf("a reschedule is not a conflict: %+v", cs)
	}
	// A reschedule of a booking never seen here still arrives, unlinked.
	orphan := ids.New(now.Add(2 * time.Second))
	d = bookingData(orphan, "requested", start.Add(48*time.Hour), "pending", 0, "", "O.")
	d["rescheduledFrom"] = ids.New(now.Add(3 * time.Second))
	mustApply(t, p, wire.TypeBooking, orphan, 1, d)
	if b, _ := p.Bookings().Get(ctx, orphan); b.RescheduledFrom != "" {
		t.Fatalf("linked to an unknown booking: %q", b.RescheduledFrom)
	}
}

func TestEarningsFromPlatformBookings(t *testing.T) {
	f, p := syncFixture(t) // 1 March 2026, 09:00 UTC
	ctx := context.Background()
	now := p.Now()
	// 31 March 23:59 IST counts in March; 1 April 00:00 IST in April.
	for i, b := range []struct {
		start        time.Time
		status, paid string
		fee          int64
	}{
		{time.Date(2026, 3, 2, 4, 30, 0, 0, time.UTC), "completed", "paid", 150000},
		{time.Date(2026, 3, 3, 4, 30, 0, 0, time.UTC), "cancelled_by_client", "refunded", 100000},
		{time.Date(2026, 3, 4, 4, 30, 0, 0, time.UTC), "cancelled_by_practitioner", "refund_pending", 80000},
		{time.Date(2026, 3, 31, 18, 29, 0, 0, time.UTC), "confirmed", "paid", 5000},
		{time.Date(2026, 3, 31, 18, 30, 0, 0, time.UTC), "confirmed", "paid", 7},
	} {
		id := ids.New(now.Add(time.Duration(i) * time.Second))
		mustApply(t, p, wire.TypeBooking, id, 1, bookingData(id, b.status, b.start, b.paid, b.fee, "", "E."))
	}
	f.clock.Advance(40 * 24 * time.Hour)
	e, err := p.Earnings(ctx, 2026, time.March)
	if err != nil {
		t.Fatal(err)
	}
	want := bookings.Amounts{SessionsCompleted: 1, SessionsPaid: 4, FeesPaise: 335000, RefundsPaise: 180000,
		RefundPendingPaise: 80000, NetPaise: 155000}
	if e.Amounts != want || len(e.Days) != 4 || e.Days[3].Day != 31 {
		t.Fatalf("March: %+v days %+v", e.Amounts, e.Days)
	}
	if apr, _ := p.Earnings(ctx, 2026, time.April); apr.FeesPaise != 7 {
		t.Fatalf("April: %+v", apr.Amounts)
	}
	if _, err := p.Earnings(ctx, 2026, 13); apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("month 13: %v", err)
	}
}

func TestApplyErrorsPermanentOrTransient(t *testing.T) {
	_, p := syncFixture(t)
	ctx := context.Background()
	now := p.Now()
	id := ids.New(now)
	bad := bookingData(id, "requested", now, "paid", -5, "", "X")
	if _, permanent := sync.PermanentCode(apply(t, p, wire.TypeBooking, id, 1, bad)); !permanent {
		t.Fatal("a negative fee is not a permanent refusal")
	}
	long := bookingData(id, "requested", now, "paid", 0, "", "X")
	long["end"] = rfc(now.Add(13 * time.Hour))
	if _, permanent := sync.PermanentCode(apply(t, p, wire.TypeBooking, id, 1, long)); !permanent {
		t.Fatal("a 13-hour session is not a permanent refusal")
	}
	if code, permanent := sync.PermanentCode(apply(t, p, "horoscope", id, 1, map[string]any{})); !permanent || code != RejectUnknownType {
		t.Fatalf("unknown type: %s %v", code, permanent)
	}
	p.Lock(ctx, "user")
	err := apply(t, p, wire.TypeMatch, id, 1, matchData(id, "25-34", now, "x"))
	if _, permanent := sync.PermanentCode(err); permanent || apperr.CodeOf(err) != apperr.Locked {
		t.Fatalf("locked vault must be transient: %v", err)
	}
}

func TestProfileReviewApplied(t *testing.T) {
	_, p := syncFixture(t)
	ctx := context.Background()
	therapist := ids.New(p.Now())
	// Nothing submitted: a decision is refused with a code, not retried.
	err := apply(t, p, wire.TypeProfile, therapist, 1, map[string]any{"reviewState": "approved"})
	if code, permanent := sync.PermanentCode(err); !permanent || code != RejectReviewState {
		t.Fatalf("approval of an unsubmitted profile: %s %v (%v)", code, permanent, err)
	}
	ps := p.Profile()
	if _, _, err := ps.SaveProfile(ctx, profile.Profile{Name: "Dr. Meera Iyer", Contact: profile.Contact{Email: "meera@example.in"},
		Credentials: []profile.Credential{{Qualification: "M.Phil", Council: profile.CouncilRCI, RegistrationNumber: "A12345", ValidUntil: "2027-03-31"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := ps.Submit(ctx); err != nil {
		t.Fatal(err)
	}
	mustApply(t, p, wire.TypeProfile, therapist, 2, map[string]any{"reviewState": "submitted"})
	mustApply(t, p, wire.TypeProfile, therapist, 3, map[string]any{"reviewState": "changes_requested", "comment": "add RCI"})
	mustApply(t, p, wire.TypeProfile, therapist, 4, map[string]any{"reviewState": "changes_requested"})
	got, _, err := ps.Profile(ctx)
	if err != nil || got.ReviewState != profile.ReviewChangesRequested || got.ReviewComment != "add RCI" {
		t.Fatalf("review state %s %v", got.ReviewState, err)
	}
}

func TestNoticeVersionRouted(t *testing.T) {
	_, p := syncFixture(t)
	ctx := context.Background()
	id := ids.New(p.Now())
	d := map[string]any{"id": id, "kind": wire.NoticeConsent, "purpose": "health-data", "version": 2, "language": "en",
		"text": "We keep your health information to treat you.", "summary": "Clearer wording.", "material": false,
		"publishedAt": rfc(p.Now().Add(-time.Hour))}
	mustApply(t, p, wire.TypeNotice, id, 1, d)
	mustApply(t, p, wire.TypeNotice, id, 1, d)
	vs, err := p.NoticeVersions(ctx)
	if err != nil || len(vs) != 1 || vs[0].Version != 2 {
		t.Fatalf("notice versions: %+v %v", vs, err)
	}
	d["text"] = "Another text under the same version."
	if code, permanent := sync.PermanentCode(apply(t, p, wire.TypeNotice, id, 2, d)); !permanent {
		t.Fatalf("a changed published text must be refused for good, not retried (code %q)", code)
	}
}
