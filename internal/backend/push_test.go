package backend

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/calmally/practice/internal/sync/wire"
)

func TestPushIsAppliedOnceAndRetriesAreDuplicates(t *testing.T) {
	b, _ := newBackend(t)
	ctx := context.Background()
	dev, _ := enrol(t, b)
	bk, err := b.PutBooking(ctx, wire.Booking{Start: b.Now().Add(48 * time.Hour), End: b.Now().Add(49 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	confirm := mut(5, wire.KindBookingConfirm, bk.ID, bookingPayloadFor(bk.ID, "confirmed", "pending"))
	first := push(t, b, dev, confirm)
	if first.Results[0].Status != wire.ResultApplied || first.LastMutationID != 5 {
		t.Fatalf("first push: %+v", first)
	}
	v1 := entityData(t, b, wire.TypeBooking, bk.ID, nil).Version

	// The response was lost; the app retries the same batch plus a new one.
	complete := mut(9, wire.KindBookingComplete, bk.ID, bookingPayloadFor(bk.ID, "completed", "pending"))
	again := push(t, b, dev, confirm, complete)
	if again.Results[0].Status != wire.ResultDuplicate || again.Results[1].Status != wire.ResultApplied || again.LastMutationID != 9 {
		t.Fatalf("retry: %+v", again)
	}
	var got wire.Booking
	e := entityData(t, b, wire.TypeBooking, bk.ID, &got)
	if got.Status != "completed" || e.Version != v1+1 {
		t.Fatalf("booking %s v%d, want completed v%d", got.Status, e.Version, v1+1)
	}
	muts, err := b.Mutations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(muts) != 2 || muts[0].MutationID != 5 || muts[1].MutationID != 9 || muts[0].Kind != wire.KindBookingConfirm {
		t.Fatalf("mutation log: %+v", muts)
	}

	// A lower id than the last processed is a duplicate even if never seen.
	if s, _ := pushOne(t, b, dev, mut(7, "no.such_kind", "x", nil)); s != wire.ResultDuplicate {
		t.Fatalf("id below the last processed: %s", s)
	}
}

func TestPushRejectionsCountAsProcessedAndDoNotStopTheBatch(t *testing.T) {
	b, _ := newBackend(t)
	dev, _ := enrol(t, b)
	resp := push(t, b, dev,
		mut(1, "booking.teleport", "x", nil),
		mut(2, wire.KindBookingConfirm, "0190f5a4-0000-7000-8000-000000000001", bookingPayloadFor("0190f5a4-0000-7000-8000-000000000001", "confirmed", "paid")),
		mut(3, wire.KindAvailabilityPublish, "schedule", map[string]any{"version": 1, "ruleSets": []any{}}),
	)
	want := []struct{ status, code string }{
		{wire.ResultRejected, wire.CodeUnknownKind},
		{wire.ResultRejected, wire.CodeNotFound},
		{wire.ResultApplied, ""},
	}
	for i, w := range want {
		if r := resp.Results[i]; r.Status != w.status || r.Code != w.code || r.ID != int64(i+1) {
			t.Errorf("result %d = %+v, want %s %s", i, r, w.status, w.code)
		}
	}
	if resp.LastMutationID != 3 {
		t.Fatalf("lastMutationId = %d", resp.LastMutationID)
	}
	if s, _ := pushOne(t, b, dev, mut(1, "booking.teleport", "x", nil)); s != wire.ResultDuplicate {
		t.Fatal("a rejected mutation must count as processed")
	}
}

func TestPushRefusesAnotherDevicesBatchAndRevokedTokens(t *testing.T) {
	b, _ := newBackend(t)
	ctx := context.Background()
	dev, _ := enrol(t, b)
	other, _ := enrol(t, b)
	_, err := b.Push(ctx, dev, wire.PushRequest{DeviceID: other.ID})
	var e *Error
	if !errors.As(err, &e) || e.Code != wire.CodeDeviceMismatch || e.Status != 403 {
		t.Fatalf("err = %v, want 403 device_mismatch", err)
	}
	if err := b.RevokeDevice(ctx, dev.ID); err != nil {
		t.Fatal(err)
	}
	_, err = b.Push(ctx, dev, wire.PushRequest{DeviceID: dev.ID})
	if !errors.As(err, &e) || e.Code != wire.CodeTokenRevoked {
		t.Fatalf("err = %v, want token_revoked", err)
	}
}

func TestBookingRules(t *testing.T) {
	type tc struct {
		name             string
		status, payment  string // on the platform before
		kind             string
		wantResult       string
		wantCode         string
		wantStatus       string // on the platform after
		wantPayment      string
		wantVersionDelta int64
	}
	cases := []tc{
		{"confirm requested", "requested", "paid", wire.KindBookingConfirm, wire.ResultApplied, "", "confirmed", "paid", 1},
		{"confirm cancelled upstream", "cancelled_by_client", "refunded", wire.KindBookingConfirm, wire.ResultRejected, wire.CodeBookingConflict, "cancelled_by_client", "refunded", 0},
		{"confirm rescheduled upstream", "rescheduled", "paid", wire.KindBookingConfirm, wire.ResultRejected, wire.CodeBookingConflict, "rescheduled", "paid", 0},
		{"confirm again", "confirmed", "paid", wire.KindBookingConfirm, wire.ResultApplied, "", "confirmed", "paid", 0},
		{"cancel paid refunds", "confirmed", "paid", wire.KindBookingCancel, wire.ResultApplied, "", "cancelled_by_practitioner", "refunded", 1},
		{"cancel unpaid", "confirmed", "pending", wire.KindBookingCancel, wire.ResultApplied, "", "cancelled_by_practitioner", "pending", 1},
		{"cancel requested", "requested", "paid", wire.KindBookingCancel, wire.ResultRejected, wire.CodeBookingConflict, "requested", "paid", 0},
		{"decline paid refunds", "requested", "paid", wire.KindBookingDecline, wire.ResultApplied, "", "declined", "refunded", 1},
		{"decline confirmed", "confirmed", "paid", wire.KindBookingDecline, wire.ResultRejected, wire.CodeBookingConflict, "confirmed", "paid", 0},
		{"complete", "confirmed", "paid", wire.KindBookingComplete, wire.ResultApplied, "", "completed", "paid", 1},
		{"no-show", "confirmed", "paid", wire.KindBookingNoShow, wire.ResultApplied, "", "no_show", "paid", 1},
		{"complete cancelled", "cancelled_by_client", "refunded", wire.KindBookingComplete, wire.ResultRejected, wire.CodeBookingConflict, "cancelled_by_client", "refunded", 0},
	}
	targets := map[string]string{wire.KindBookingConfirm: "confirmed", wire.KindBookingCancel: "cancelled_by_practitioner",
		wire.KindBookingDecline: "declined", wire.KindBookingComplete: "completed", wire.KindBookingNoShow: "no_show"}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, _ := newBackend(t)
			dev, _ := enrol(t, b)
			bk, err := b.PutBooking(context.Background(), wire.Booking{Status: c.status, PaymentStatus: c.payment,
				Start: b.Now().Add(-time.Hour), End: b.Now().Add(-10 * time.Minute)})
			if err != nil {
				t.Fatal(err)
			}
			p := bookingPayloadFor(bk.ID, targets[c.kind], c.payment)
			p["message"] = "Unwell today, sorry."
			r := push(t, b, dev, mut(1, c.kind, bk.ID, p)).Results[0]
			if r.Status != c.wantResult || r.Code != c.wantCode {
				t.Fatalf("result %+v, want %s %s", r, c.wantResult, c.wantCode)
			}
			var got wire.Booking
			e := entityData(t, b, wire.TypeBooking, bk.ID, &got)
			if got.Status != c.wantStatus || got.PaymentStatus != c.wantPayment || e.Version != 1+c.wantVersionDelta {
				t.Fatalf("platform booking %s/%s v%d, want %s/%s v%d", got.Status, got.PaymentStatus, e.Version,
					c.wantStatus, c.wantPayment, 1+c.wantVersionDelta)
			}
		})
	}
}

func TestBookingPayloadMustMatch(t *testing.T) {
	b, _ := newBackend(t)
	dev, _ := enrol(t, b)
	bk, _ := b.PutBooking(context.Background(), wire.Booking{Start: b.Now().Add(time.Hour), End: b.Now().Add(2 * time.Hour)})
	other := "0190f5a4-0000-7000-8000-000000000009"
	for i, p := range []map[string]any{
		bookingPayloadFor(other, "confirmed", "pending"),          // another booking's id
		bookingPayloadFor(bk.ID, "completed", "pending"),          // status of another action
		{"bookingId": bk.ID, "rev": "two", "status": "confirmed"}, // wrong type
	} {
		if s, code := pushOne(t, b, dev, mut(int64(i+1), wire.KindBookingConfirm, bk.ID, p)); s != wire.ResultRejected || code != wire.CodeInvalid {
			t.Errorf("payload %d: %s %s, want rejected invalid", i, s, code)
		}
	}
}

func TestWalkInTakesTheSlotUnlessAPlatformBookingHasIt(t *testing.T) {
	b, _ := newBackend(t)
	ctx := context.Background()
	dev, _ := enrol(t, b)
	start := time.Date(2025, 3, 5, 4, 30, 0, 0, time.UTC)
	if _, err := b.PutBooking(ctx, wire.Booking{Status: "confirmed", Start: start, End: start.Add(50 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	cancelled := start.Add(3 * time.Hour)
	if _, err := b.PutBooking(ctx, wire.Booking{Status: "cancelled_by_client", Start: cancelled, End: cancelled.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	walkIn := func(id int64, entity string, s, e time.Time) (string, string) {
		p := map[string]any{"bookingId": entity, "rev": 1, "status": "confirmed", "paymentStatus": "pending",
			"at": "2025-03-03T04:00:00Z", "start": s.Format(time.RFC3339Nano), "end": e.Format(time.RFC3339Nano), "modality": "in_person"}
		return pushOne(t, b, dev, mut(id, wire.KindBookingWalkIn, entity, p))
	}
	const w1, w2, w3 = "0190f5a4-0000-7000-8000-0000000000a1", "0190f5a4-0000-7000-8000-0000000000a2", "0190f5a4-0000-7000-8000-0000000000a3"
	// Overlaps the confirmed booking by 30 seconds (fractional times compare as times).
	if s, code := walkIn(1, w1, start.Add(49*time.Minute+30*time.Second+500*time.Millisecond), start.Add(2*time.Hour)); s != wire.ResultRejected || code != wire.CodeSlotTaken {
		t.Fatalf("clashing walk-in: %s %s", s, code)
	}
	if s, code := walkIn(2, w2, start.Add(50*time.Minute), start.Add(2*time.Hour)); s != wire.ResultApplied {
		t.Fatalf("walk-in right after a booking: %s %s", s, code)
	}
	if s, code := walkIn(3, w3, cancelled, cancelled.Add(time.Hour)); s != wire.ResultApplied {
		t.Fatalf("walk-in over a cancelled booking: %s %s", s, code)
	}
	if s, _ := walkIn(4, w3, start, start.Add(time.Hour)); s != wire.ResultApplied {
		t.Fatal("the same walk-in again is applied without a second slot")
	}
	slots, err := b.BusySlots(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(slots) != 2 || slots[0].ID != w2 || !slots[1].Start.Equal(cancelled) {
		t.Fatalf("busy slots: %+v", slots)
	}
	if s, code := walkIn(5, "0190f5a4-0000-7000-8000-0000000000a4", start, start); s != wire.ResultRejected || code != wire.CodeInvalid {
		t.Fatalf("empty walk-in: %s %s", s, code)
	}
}

func TestMatchAcceptReleasesTheClientRecord(t *testing.T) {
	b, clock := newBackend(t)
	ctx := context.Background()
	dev, _ := enrol(t, b)
	m, err := b.ProposeMatch(ctx, MatchProposal{AgeBand: "25-34", Concerns: []string{"grief"}})
	if err != nil {
		t.Fatal(err)
	}
	before := pullAll(t, b, dev, 100)
	for _, c := range before {
		if c.Type == wire.TypeClient {
			t.Fatal("a client record went out before the match was accepted")
		}
	}
	clock.Advance(time.Hour)
	if s, code := pushOne(t, b, dev, mut(1, wire.KindMatchAccept, m.ID, map[string]any{"matchId": m.ID, "at": "2025-03-03T05:00:00Z"})); s != wire.ResultApplied {
		t.Fatalf("accept: %s %s", s, code)
	}
	after := latest(pullAll(t, b, dev, 100))
	mc := after[wire.TypeMatch+"/"+m.ID]
	gotMatch, err := wire.DecodeMatch(mc)
	if err != nil || gotMatch.Status != "accepted" || mc.Version != 2 {
		t.Fatalf("match after accept: %+v v%d (%v)", gotMatch, mc.Version, err)
	}
	var client wire.Client
	for _, c := range after {
		if c.Type == wire.TypeClient {
			if client, err = wire.DecodeClient(c); err != nil {
				t.Fatal(err)
			}
		}
	}
	if client.MatchID != m.ID || client.Name == "" || len(client.Consents) == 0 {
		t.Fatalf("client record: %+v", client)
	}
	// Accepting again (another device, a retry with a new id) adds no second client.
	if s, _ := pushOne(t, b, dev, mut(2, wire.KindMatchAccept, m.ID, map[string]any{"matchId": m.ID})); s != wire.ResultApplied {
		t.Fatal("accepting an accepted match is applied as it is")
	}
	n := 0
	for _, c := range latest(pullAll(t, b, dev, 100)) {
		if c.Type == wire.TypeClient {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d client records, want 1", n)
	}
	// Declining it now is too late.
	if s, code := pushOne(t, b, dev, mut(3, wire.KindMatchDecline, m.ID, map[string]any{"matchId": m.ID, "reason": "other"})); code != wire.CodeMatchClosed {
		t.Fatalf("decline after accept: %s %s", s, code)
	}
}

func TestMatchClosedAndDeclined(t *testing.T) {
	b, clock := newBackend(t)
	ctx := context.Background()
	dev, _ := enrol(t, b)
	expired, _ := b.ProposeMatch(ctx, MatchProposal{AgeBand: "35-44"})
	withdrawn, _ := b.ProposeMatch(ctx, MatchProposal{AgeBand: "35-44", RespondBy: b.Now().Add(200 * time.Hour)})
	statusExpired, _ := b.ProposeMatch(ctx, MatchProposal{AgeBand: "35-44", RespondBy: b.Now().Add(200 * time.Hour)})
	declined, _ := b.ProposeMatch(ctx, MatchProposal{AgeBand: "45-54", RespondBy: b.Now().Add(200 * time.Hour)})
	if err := b.DeleteEntity(ctx, wire.TypeMatch, withdrawn.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := b.SetMatchStatus(ctx, statusExpired.ID, "expired"); err != nil {
		t.Fatal(err)
	}
	clock.Advance(MatchRespondWithin)
	accept := func(id int64, m string) string {
		_, code := pushOne(t, b, dev, mut(id, wire.KindMatchAccept, m, map[string]any{"matchId": m}))
		return code
	}
	for i, m := range []string{expired.ID, withdrawn.ID, statusExpired.ID} {
		if code := accept(int64(i+1), m); code != wire.CodeMatchClosed {
			t.Errorf("accept of closed match %d: code %q", i, code)
		}
	}
	if code := accept(4, "0190f5a4-0000-7000-8000-00000000ffff"); code != wire.CodeNotFound {
		t.Errorf("accept of an unknown match: %q", code)
	}
	if _, code := pushOne(t, b, dev, mut(5, wire.KindMatchDecline, declined.ID, map[string]any{"matchId": declined.ID, "reason": "busy"})); code != wire.CodeInvalid {
		t.Fatalf("decline with an unknown reason: %q", code)
	}
	if s, _ := pushOne(t, b, dev, mut(6, wire.KindMatchDecline, declined.ID, map[string]any{"matchId": declined.ID, "reason": "caseload_full"})); s != wire.ResultApplied {
		t.Fatal("decline refused")
	}
	var m wire.Match
	entityData(t, b, wire.TypeMatch, declined.ID, &m)
	if m.Status != "declined" {
		t.Fatalf("declined match is %s", m.Status)
	}
	// A declined match never releases its client.
	for _, c := range pullAll(t, b, dev, 100) {
		if c.Type == wire.TypeClient {
			t.Fatal("client record released for a match that was not accepted")
		}
	}
}

func TestMinorRefusedIsRecordedAndTheRecordWithdrawn(t *testing.T) {
	b, _ := newBackend(t)
	ctx := context.Background()
	dev, _ := enrol(t, b)
	m, _ := b.ProposeMatch(ctx, MatchProposal{AgeBand: "under-18"})
	p := map[string]any{"type": "match", "id": m.ID, "at": "2025-03-03T04:10:00Z"}
	if s, code := pushOne(t, b, dev, mut(1, wire.KindMinorRefused, m.ID, p)); s != wire.ResultApplied {
		t.Fatalf("minor.refused: %s %s", s, code)
	}
	e := entityData(t, b, wire.TypeMatch, m.ID, nil)
	if !e.Deleted || e.Data != nil || e.Version != 2 {
		t.Fatalf("refused match: %+v, want a tombstone at v2", e)
	}
	refusals, err := b.MinorRefusals(ctx)
	if err != nil || len(refusals) != 1 || refusals[0].ID != m.ID || refusals[0].Type != "match" {
		t.Fatalf("refusals %+v (%v)", refusals, err)
	}
	// Accepting it afterwards cannot release the minor's record.
	if _, code := pushOne(t, b, dev, mut(2, wire.KindMatchAccept, m.ID, map[string]any{"matchId": m.ID})); code != wire.CodeMatchClosed {
		t.Fatalf("accept after refusal: %q", code)
	}
	if _, code := pushOne(t, b, dev, mut(3, wire.KindMinorRefused, m.ID, map[string]any{"type": "booking", "id": m.ID})); code != wire.CodeInvalid {
		t.Fatalf("refusal of an unknown type: %q", code)
	}
}

func TestGrievanceAndTakedownResponses(t *testing.T) {
	b, _ := newBackend(t)
	ctx := context.Background()
	dev, _ := enrol(t, b)
	g, err := b.AddGrievance(ctx, wire.Grievance{Category: "billing", Summary: "Charged twice."})
	if err != nil {
		t.Fatal(err)
	}
	if !g.AcknowledgeBy.Equal(b.Now().Add(24*time.Hour)) || !g.ResolveBy.Equal(b.Now().Add(15*24*time.Hour)) {
		t.Fatalf("grievance deadlines: %+v", g)
	}
	td, err := b.AddTakedown(ctx, wire.Takedown{ContentRef: "profile.bio", Reason: "Misleading claim."})
	if err != nil {
		t.Fatal(err)
	}
	if !td.RemoveBy.Equal(b.Now().Add(36 * time.Hour)) {
		t.Fatalf("takedown deadline: %+v", td)
	}
	steps := []struct {
		kind, entity string
		payload      map[string]any
		code         string
	}{
		{wire.KindGrievanceResolve, g.ID, map[string]any{"grievanceId": g.ID, "response": "  "}, wire.CodeInvalid},
		{wire.KindGrievanceAcknowledge, g.ID, map[string]any{"grievanceId": g.ID}, ""},
		{wire.KindGrievanceResolve, g.ID, map[string]any{"grievanceId": g.ID, "response": "Refunded the second charge."}, ""},
		{wire.KindGrievanceAcknowledge, g.ID, map[string]any{"grievanceId": g.ID}, ""}, // no change after resolution
		{wire.KindTakedownDispute, td.ID, map[string]any{"takedownId": td.ID}, wire.CodeInvalid},
		{wire.KindTakedownRemove, td.ID, map[string]any{"takedownId": td.ID, "response": "Removed the sentence."}, ""},
		{wire.KindTakedownDispute, td.ID, map[string]any{"takedownId": td.ID, "response": "Actually fine."}, wire.CodeInvalid},
		{wire.KindTakedownRemove, "0190f5a4-0000-7000-8000-00000000eeee", map[string]any{"takedownId": "0190f5a4-0000-7000-8000-00000000eeee"}, wire.CodeNotFound},
	}
	for i, s := range steps {
		if _, code := pushOne(t, b, dev, mut(int64(i+1), s.kind, s.entity, s.payload)); code != s.code {
			t.Fatalf("step %d (%s): code %q, want %q", i, s.kind, code, s.code)
		}
	}
	var gg wire.Grievance
	if e := entityData(t, b, wire.TypeGrievance, g.ID, &gg); gg.Status != "resolved" || e.Version != 3 {
		t.Fatalf("grievance %s v%d, want resolved v3", gg.Status, e.Version)
	}
	var tt wire.Takedown
	if entityData(t, b, wire.TypeTakedown, td.ID, &tt); tt.Status != "removed" {
		t.Fatalf("takedown %s", tt.Status)
	}
}

func TestConsentProfileAndAvailabilityAreRecorded(t *testing.T) {
	b, _ := newBackend(t)
	ctx := context.Background()
	dev, _ := enrol(t, b)
	consent := func(purpose string) map[string]any {
		return map[string]any{"clientRef": "0190f5a4-0000-7000-8000-0000000000c1", "purpose": purpose, "at": "2025-03-03T04:00:00Z", "noticeVersion": "1"}
	}
	schedule := map[string]any{"version": 1, "ruleSets": []any{map[string]any{"zone": "Asia/Kolkata"}}}
	resp := push(t, b, dev,
		mut(1, wire.KindConsentGrant, "0190f5a4-0000-7000-8000-0000000000e1", consent("recording")),
		mut(2, wire.KindConsentWithdraw, "0190f5a4-0000-7000-8000-0000000000e2", consent("recording")),
		mut(3, wire.KindConsentGrant, "0190f5a4-0000-7000-8000-0000000000e3", consent("marketing")),
		mut(4, wire.KindAvailabilityPublish, "schedule", schedule),
		mut(5, wire.KindAvailabilityPublish, "schedule", map[string]any{"version": 2}),
		mut(6, wire.KindProfileSubmit, b.TherapistID(), map[string]any{"version": 1, "practitioner": map[string]any{"name": "Dr K"}}),
		mut(7, wire.KindProfileSubmit, "0190f5a4-0000-7000-8000-0000000000f1", map[string]any{"version": 1}),
	)
	wantCodes := []string{"", "", wire.CodeInvalid, "", wire.CodeInvalid, "", wire.CodeInvalid}
	for i, c := range wantCodes {
		if resp.Results[i].Code != c {
			t.Errorf("mutation %d: code %q, want %q", i+1, resp.Results[i].Code, c)
		}
	}
	var n int
	if err := b.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM consent_events WHERE purpose = 'recording'").Scan(&n); err != nil || n != 2 {
		t.Fatalf("consent events: %d (%v)", n, err)
	}
	doc, err := b.Schedule(ctx)
	if err != nil || string(doc) != `{"ruleSets":[{"zone":"Asia/Kolkata"}],"version":1}` {
		t.Fatalf("schedule %s (%v)", doc, err)
	}
	var p wire.Profile
	if e := entityData(t, b, wire.TypeProfile, b.TherapistID(), &p); p.ReviewState != "submitted" || e.Version != 1 {
		t.Fatalf("profile %+v", p)
	}
}

// TestConcurrentRetriesApplyOnce: the same batch sent twice at once (a
// retry racing the original) is applied by exactly one of them.
func TestConcurrentRetriesApplyOnce(t *testing.T) {
	b, _ := newBackend(t)
	dev, _ := enrol(t, b)
	bk, _ := b.PutBooking(context.Background(), wire.Booking{Start: b.Now().Add(time.Hour), End: b.Now().Add(2 * time.Hour)})
	req := wire.PushRequest{DeviceID: dev.ID, Mutations: []wire.Mutation{
		mut(1, wire.KindBookingConfirm, bk.ID, bookingPayloadFor(bk.ID, "confirmed", "pending"))}}
	results := make(chan string, 8)
	for i := 0; i < 8; i++ {
		go func() {
			resp, err := b.Push(context.Background(), dev, req)
			if err != nil {
				results <- err.Error()
				return
			}
			results <- resp.Results[0].Status
		}()
	}
	applied := 0
	for i := 0; i < 8; i++ {
		switch s := <-results; s {
		case wire.ResultApplied:
			applied++
		case wire.ResultDuplicate:
		default:
			t.Fatalf("push failed: %s", s)
		}
	}
	if e := entityData(t, b, wire.TypeBooking, bk.ID, nil); applied != 1 || e.Version != 2 {
		t.Fatalf("%d applied, booking v%d", applied, e.Version)
	}
}

func TestPlatformEdges(t *testing.T) {
	b, _ := newBackend(t)
	ctx := context.Background()
	dev, _ := enrol(t, b)
	if err := b.RevokeDevice(ctx, "0190f5a4-0000-7000-8000-000000000bad"); !IsNotFound(err) {
		t.Fatalf("revoking an unknown device: %v", err)
	}
	if err := b.AddEnrolmentCode(ctx, " - ", time.Minute); err == nil {
		t.Fatal("an empty code accepted")
	}
	if _, err := b.PutBooking(ctx, wire.Booking{Start: b.Now(), End: b.Now().Add(-time.Hour)}); !errors.Is(err, wire.ErrBadData) {
		t.Fatalf("a booking the app would refuse: %v", err)
	}
	// PutRaw serves data outside the contract on purpose (for the app's tests).
	const id = "0190f5a4-0000-7000-8000-0000000000aa"
	if v, err := b.PutRaw(ctx, wire.TypeBooking, id, json.RawMessage(`{"id":"`+id+`","status":"teleported"}`)); err != nil || v != 1 {
		t.Fatalf("PutRaw: v%d %v", v, err)
	}
	got := pullAll(t, b, dev, 10)
	if len(got) != 1 || got[0].Data["status"] != "teleported" {
		t.Fatalf("raw data pulled: %+v", got)
	}
	if _, err := wire.DecodeBooking(got[0]); err == nil {
		t.Fatal("the app's decoder should refuse this booking")
	}
	if err := b.DeleteEntity(ctx, wire.TypeBooking, "0190f5a4-0000-7000-8000-0000000000ab"); !IsNotFound(err) {
		t.Fatalf("deleting an unknown entity: %v", err)
	}
}
