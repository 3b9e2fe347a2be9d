package synctest

import (
	"context"
	"testing"
	"time"

	"github.com/calmally/practice/internal/ids"
	"github.com/calmally/practice/internal/sync"
	"github.com/calmally/practice/internal/sync/wire"
)

// Run is the conformance suite of the Transport contract
// (docs/sync-protocol.md). Every Transport and every backend the app may
// meet — the HTTP transport against the reference backend over TLS, the
// in-memory Fake — must pass all of it.
func Run(t *testing.T, newHarness NewHarness) {
	tests := []struct {
		name string
		fn   func(t *testing.T, h NewHarness)
	}{
		{"Info", testInfo},
		{"EnrolmentCodeWorksOnce", testEnrolOnce},
		{"UnknownTokenRefused", testUnknownToken},
		{"RevokedTokenRefused", testRevoked},
		{"PushExactlyOnce", testPushExactlyOnce},
		{"RejectedMutationDoesNotBlock", testRejectedDoesNotBlock},
		{"DeviceMismatch", testDeviceMismatch},
		{"PullPagingAndCursor", testPullPaging},
		{"Tombstone", testTombstone},
		{"ForeignCursorRefused", testForeignCursor},
		{"ProtocolTooOld", testProtocolTooOld},
		{"Region", testRegion},
		{"RetryAfter", testRetryAfter},
		{"PushDroppedAfterCommit", testDroppedAfterCommit},
		{"DuplicatedAndReversedPages", testDuplicatedPages},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, newHarness) })
	}
}

// device is an enrolled device of a harness.
type device struct {
	Harness
	wire.EnrolResponse
}

func enrol(t *testing.T, h Harness) device {
	t.Helper()
	resp, err := h.Transport.Enrol(context.Background(), wire.EnrolRequest{EnrolmentCode: h.Platform.EnrolmentCode(t), DeviceName: "Test laptop"})
	if err != nil {
		t.Fatalf("enrol: %v", err)
	}
	return device{Harness: h, EnrolResponse: resp}
}

// wantError checks err is a *sync.Error with the code, status and
// retryability the protocol gives it.
func wantError(t *testing.T, err error, code string, status int, retryable bool) *sync.Error {
	t.Helper()
	e, ok := sync.AsError(err)
	if !ok {
		t.Fatalf("err = %v, want a *sync.Error %s", err, code)
	}
	if e.Code != code || e.Status != status || e.Retryable != retryable {
		t.Fatalf("err = %+v, want code %s, status %d, retryable %v", e, code, status, retryable)
	}
	return e
}

// Booking returns a requested, paid platform booking starting in hours.
func Booking(now time.Time, hours int) wire.Booking {
	start := now.UTC().Truncate(time.Hour).Add(time.Duration(hours) * time.Hour)
	return wire.Booking{ID: ids.New(now), Status: "requested", Start: start, End: start.Add(50 * time.Minute),
		Modality: "online", FeePaise: 150000, PaymentStatus: "paid", ClientRef: ids.New(now), ClientLabel: "Client A."}
}

// Move is a booking mutation as the app's outbox writes it.
func Move(id int64, kind, bookingID, status string, at time.Time) wire.Mutation {
	return wire.Mutation{ID: id, Kind: kind, EntityID: bookingID, At: at.UTC(), Payload: map[string]any{
		"bookingId": bookingID, "rev": 2, "status": status, "paymentStatus": "paid", "at": at.UTC().Format(time.RFC3339),
	}}
}

func (d device) push(t *testing.T, ms ...wire.Mutation) wire.PushResponse {
	t.Helper()
	resp, err := d.Transport.Push(context.Background(), d.Token, wire.PushRequest{DeviceID: d.DeviceID, Mutations: ms})
	if err != nil {
		t.Fatalf("push: %v", err)
	}
	return resp
}

func wantResults(t *testing.T, resp wire.PushResponse, want ...string) {
	t.Helper()
	if len(resp.Results) != len(want) {
		t.Fatalf("%d results, want %d", len(resp.Results), len(want))
	}
	for i, w := range want {
		got := resp.Results[i].Status
		if got == wire.ResultRejected {
			got += ":" + resp.Results[i].Code
		}
		if got != w {
			t.Errorf("result %d = %s, want %s", i, got, w)
		}
	}
}

// pullAll pulls from cursor until more is false, returning every change
// and the final cursor.
func (d device) pullAll(t *testing.T, cursor string, limit int) ([]wire.Change, string, int) {
	t.Helper()
	var all []wire.Change
	pages := 0
	for {
		p, err := d.Transport.Pull(context.Background(), d.Token, cursor, limit)
		if err != nil {
			t.Fatalf("pull: %v", err)
		}
		pages++
		if len(p.Changes) > limit {
			t.Fatalf("page of %d changes, limit %d", len(p.Changes), limit)
		}
		all = append(all, p.Changes...)
		cursor = p.Cursor
		if !p.More {
			return all, cursor, pages
		}
		if pages > 1000 {
			t.Fatal("pull does not end")
		}
	}
}

func testInfo(t *testing.T, newHarness NewHarness) {
	h := newHarness(t, Options{})
	info, err := h.Transport.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if info.Name == "" || info.Protocol < wire.Protocol || info.MinProtocol > wire.Protocol || info.Region != wire.RegionIndia {
		t.Fatalf("info %+v", info)
	}
	if d := time.Since(info.ServerTime); d > time.Hour || d < -time.Hour {
		t.Fatalf("serverTime %v is far from now", info.ServerTime)
	}
}

func testEnrolOnce(t *testing.T, newHarness NewHarness) {
	h := newHarness(t, Options{})
	code := h.Platform.EnrolmentCode(t)
	ctx := context.Background()
	a, err := h.Transport.Enrol(ctx, wire.EnrolRequest{EnrolmentCode: code, DeviceName: "Clinic desk"})
	if err != nil {
		t.Fatal(err)
	}
	if !ids.Valid(a.DeviceID) || !ids.Valid(a.TherapistID) || len(a.Token) < 32 {
		t.Fatalf("enrolment %+v", a)
	}
	_, err = h.Transport.Enrol(ctx, wire.EnrolRequest{EnrolmentCode: code, DeviceName: "Second laptop"})
	wantError(t, err, wire.CodeBadEnrolment, 403, false)
	_, err = h.Transport.Enrol(ctx, wire.EnrolRequest{EnrolmentCode: "NOT-A-CODE", DeviceName: "Laptop"})
	wantError(t, err, wire.CodeBadEnrolment, 403, false)
	b := enrol(t, h)
	if b.DeviceID == a.DeviceID || b.Token == a.Token || b.TherapistID != a.TherapistID {
		t.Fatalf("a second device must get its own id and token, for the same therapist")
	}
}

func testUnknownToken(t *testing.T, newHarness NewHarness) {
	h := newHarness(t, Options{})
	d := enrol(t, h)
	ctx := context.Background()
	bogus := "x" + d.Token[1:] + "y"
	_, err := h.Transport.Pull(ctx, bogus, "", 10)
	wantError(t, err, wire.CodeUnauthorized, 401, false)
	_, err = h.Transport.Push(ctx, bogus, wire.PushRequest{DeviceID: d.DeviceID, Mutations: []wire.Mutation{}})
	wantError(t, err, wire.CodeUnauthorized, 401, false)
	wantError(t, h.Transport.Revoke(ctx, bogus), wire.CodeUnauthorized, 401, false)
}

func testRevoked(t *testing.T, newHarness NewHarness) {
	h := newHarness(t, Options{})
	ctx := context.Background()
	self, other := enrol(t, h), enrol(t, h)
	if err := h.Transport.Revoke(ctx, self.Token); err != nil {
		t.Fatal(err)
	}
	_, err := h.Transport.Pull(ctx, self.Token, "", 10)
	wantError(t, err, wire.CodeTokenRevoked, 401, false)
	h.Platform.RevokeDevice(t, other.DeviceID) // the therapist, on the web
	_, err = h.Transport.Push(ctx, other.Token, wire.PushRequest{DeviceID: other.DeviceID, Mutations: []wire.Mutation{}})
	wantError(t, err, wire.CodeTokenRevoked, 401, false)
}

func testPushExactlyOnce(t *testing.T, newHarness NewHarness) {
	h := newHarness(t, Options{})
	d := enrol(t, h)
	now := time.Now()
	b1, b2 := Booking(now, 24), Booking(now, 48)
	h.Platform.PutBooking(t, b1)
	h.Platform.PutBooking(t, b2)
	_, v0, _ := h.Platform.Booking(t, b1.ID)
	confirm1 := Move(1, wire.KindBookingConfirm, b1.ID, "confirmed", now)
	resp := d.push(t, confirm1)
	wantResults(t, resp, wire.ResultApplied)
	if resp.LastMutationID != 1 {
		t.Fatalf("lastMutationId %d", resp.LastMutationID)
	}
	got, v1, _ := h.Platform.Booking(t, b1.ID)
	if got.Status != "confirmed" || v1 != v0+1 {
		t.Fatalf("after confirm: %s at version %d (was %d)", got.Status, v1, v0)
	}
	// The response was lost; the app sends the batch again with a new one.
	confirm2 := Move(2, wire.KindBookingConfirm, b2.ID, "confirmed", now)
	resp = d.push(t, confirm1, confirm2)
	wantResults(t, resp, wire.ResultDuplicate, wire.ResultApplied)
	if _, v, _ := h.Platform.Booking(t, b1.ID); v != v1 {
		t.Fatalf("a retried mutation was applied again: version %d → %d", v1, v)
	}
	resp = d.push(t, confirm1, confirm2)
	wantResults(t, resp, wire.ResultDuplicate, wire.ResultDuplicate)
	if resp.LastMutationID != 2 {
		t.Fatalf("lastMutationId %d", resp.LastMutationID)
	}
	// Ids may skip (a parked row is not sent).
	cancel := Move(7, wire.KindBookingCancel, b1.ID, "cancelled_by_practitioner", now)
	cancel.Payload["message"] = "Unwell today, sorry."
	wantResults(t, d.push(t, cancel), wire.ResultApplied)
	if got, _, _ := h.Platform.Booking(t, b1.ID); got.Status != "cancelled_by_practitioner" || got.PaymentStatus != "refunded" {
		t.Fatalf("after cancel: %s / %s, want cancelled and refunded", got.Status, got.PaymentStatus)
	}
	// Each device has its own sequence.
	other := enrol(t, h)
	wantResults(t, other.push(t, Move(1, wire.KindBookingCancel, b2.ID, "cancelled_by_practitioner", now)), wire.ResultApplied)
}

func testRejectedDoesNotBlock(t *testing.T, newHarness NewHarness) {
	h := newHarness(t, Options{})
	d := enrol(t, h)
	now := time.Now()
	b := Booking(now, 24)
	h.Platform.PutBooking(t, b)
	gone := Booking(now, 30) // never on the platform
	cancelled := Booking(now, 36)
	cancelled.Status = "cancelled_by_client"
	h.Platform.PutBooking(t, cancelled)
	unknown := wire.Mutation{ID: 4, Kind: "booking.teleport", EntityID: b.ID, At: now.UTC(), Payload: map[string]any{"bookingId": b.ID}}
	resp := d.push(t,
		Move(1, wire.KindBookingConfirm, gone.ID, "confirmed", now),
		Move(2, wire.KindBookingConfirm, cancelled.ID, "confirmed", now),
		Move(3, wire.KindBookingConfirm, b.ID, "confirmed", now),
		unknown,
	)
	wantResults(t, resp, "rejected:"+wire.CodeNotFound, "rejected:"+wire.CodeBookingConflict, wire.ResultApplied,
		"rejected:"+wire.CodeUnknownKind)
	if resp.LastMutationID != 4 {
		t.Fatalf("lastMutationId %d: a rejection counts as processed", resp.LastMutationID)
	}
	for _, r := range resp.Results {
		if r.Status == wire.ResultRejected && (r.Code == "" || !wire.ValidCode(r.Code)) {
			t.Errorf("rejection without a valid code: %+v", r)
		}
	}
	if got, _, _ := h.Platform.Booking(t, b.ID); got.Status != "confirmed" {
		t.Fatalf("the mutation after the rejections was not applied: %s", got.Status)
	}
	// A rejected id sent again is processed already.
	wantResults(t, d.push(t, Move(2, wire.KindBookingConfirm, cancelled.ID, "confirmed", now)), wire.ResultDuplicate)
}

func testDeviceMismatch(t *testing.T, newHarness NewHarness) {
	h := newHarness(t, Options{})
	a, b := enrol(t, h), enrol(t, h)
	_, err := h.Transport.Push(context.Background(), a.Token, wire.PushRequest{DeviceID: b.DeviceID, Mutations: []wire.Mutation{}})
	wantError(t, err, wire.CodeDeviceMismatch, 403, false)
}

func testPullPaging(t *testing.T, newHarness NewHarness) {
	h := newHarness(t, Options{})
	d := enrol(t, h)
	now := time.Now()
	want := map[string]bool{}
	for i := range 25 {
		b := Booking(now, 24+i)
		h.Platform.PutBooking(t, b)
		want[b.ID] = true
	}
	all, cursor, pages := d.pullAll(t, "", 10)
	if pages != 3 || len(all) != 25 {
		t.Fatalf("%d changes in %d pages, want 25 in 3", len(all), pages)
	}
	seen := map[string]bool{}
	for _, c := range all {
		if c.Type != wire.TypeBooking || !want[c.ID] || seen[c.ID] || c.Version < 1 || c.Deleted || c.Data["id"] != c.ID {
			t.Fatalf("unexpected change %+v", c)
		}
		seen[c.ID] = true
	}
	if !wire.ValidCursor(cursor) || cursor == "" {
		t.Fatalf("final cursor %q", cursor)
	}
	// Nothing new: an empty last page, the cursor still valid.
	p, err := d.Transport.Pull(context.Background(), d.Token, cursor, 10)
	if err != nil || len(p.Changes) != 0 || p.More {
		t.Fatalf("pull at the end: %+v, %v", p, err)
	}
	// A change after the cursor comes once, in its latest state.
	changed, _, _ := h.Platform.Booking(t, all[0].ID)
	changed.Status = "cancelled_by_client"
	h.Platform.PutBooking(t, changed)
	changed.PaymentStatus = "refunded"
	h.Platform.PutBooking(t, changed)
	after, _, _ := d.pullAll(t, p.Cursor, 10)
	_, v, _ := h.Platform.Booking(t, changed.ID)
	if len(after) != 1 || after[0].ID != changed.ID || after[0].Version != v || after[0].Data["paymentStatus"] != "refunded" {
		t.Fatalf("changes after the cursor: %+v (want %s at version %d)", after, changed.ID, v)
	}
	// Pulling again from the start gives the latest state of every entity.
	again, _, _ := d.pullAll(t, "", wire.MaxPageChanges)
	if len(again) != 25 {
		t.Fatalf("%d changes from the start, want 25", len(again))
	}
}

func testTombstone(t *testing.T, newHarness NewHarness) {
	h := newHarness(t, Options{})
	d := enrol(t, h)
	b := Booking(time.Now(), 24)
	h.Platform.PutBooking(t, b)
	_, cursor, _ := d.pullAll(t, "", 10)
	_, v, _ := h.Platform.Booking(t, b.ID)
	h.Platform.DeleteBooking(t, b.ID)
	changes, _, _ := d.pullAll(t, cursor, 10)
	if len(changes) != 1 || !changes[0].Deleted || changes[0].Data != nil || changes[0].ID != b.ID || changes[0].Version <= v {
		t.Fatalf("tombstone: %+v", changes)
	}
}

func testForeignCursor(t *testing.T, newHarness NewHarness) {
	h := newHarness(t, Options{})
	d := enrol(t, h)
	_, err := d.Transport.Pull(context.Background(), d.Token, "bm90LW91cnM", 10)
	wantError(t, err, wire.CodeInvalid, 400, false)
}

func testProtocolTooOld(t *testing.T, newHarness NewHarness) {
	h := newHarness(t, Options{MinProtocol: wire.Protocol + 1})
	ctx := context.Background()
	info, err := h.Transport.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.MinProtocol <= wire.Protocol {
		t.Fatalf("minProtocol %d: the app must learn it is too old before sending anything", info.MinProtocol)
	}
	_, err = h.Transport.Enrol(ctx, wire.EnrolRequest{EnrolmentCode: h.Platform.EnrolmentCode(t), DeviceName: "Laptop"})
	wantError(t, err, wire.CodeUnsupported, 426, false)
	_, err = h.Transport.Pull(ctx, "any-token-at-all-any-token-at-all", "", 10)
	wantError(t, err, wire.CodeUnsupported, 426, false)
}

func testRegion(t *testing.T, newHarness NewHarness) {
	h := newHarness(t, Options{Region: "DE"})
	info, err := h.Transport.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if info.Region != "DE" {
		t.Fatalf("region %q", info.Region)
	}
}

func testRetryAfter(t *testing.T, newHarness NewHarness) {
	h := newHarness(t, Options{})
	d := enrol(t, h)
	h.Platform.FailNext(t, "/v1/pull", 1, 429, 7*time.Second)
	_, err := d.Transport.Pull(context.Background(), d.Token, "", 10)
	e := wantError(t, err, wire.CodeRateLimited, 429, true)
	if e.RetryAfter != 7*time.Second {
		t.Fatalf("RetryAfter %v, want 7s", e.RetryAfter)
	}
	h.Platform.FailNext(t, "/v1/push", 1, 503, 0)
	_, err = d.Transport.Push(context.Background(), d.Token, wire.PushRequest{DeviceID: d.DeviceID, Mutations: []wire.Mutation{}})
	if e := wantError(t, err, wire.CodeUnavailable, 503, true); e.RetryAfter != 0 {
		t.Fatalf("RetryAfter %v without the header", e.RetryAfter)
	}
	if _, err := d.Transport.Pull(context.Background(), d.Token, "", 10); err != nil {
		t.Fatalf("the failure must not outlast its count: %v", err)
	}
}

func testDroppedAfterCommit(t *testing.T, newHarness NewHarness) {
	h := newHarness(t, Options{})
	d := enrol(t, h)
	now := time.Now()
	b := Booking(now, 24)
	h.Platform.PutBooking(t, b)
	_, v0, _ := h.Platform.Booking(t, b.ID)
	h.Platform.DropAfterPush(t, 1)
	m := Move(1, wire.KindBookingConfirm, b.ID, "confirmed", now)
	_, err := d.Transport.Push(context.Background(), d.Token, wire.PushRequest{DeviceID: d.DeviceID, Mutations: []wire.Mutation{m}})
	e, ok := sync.AsError(err)
	if !ok || e.Code != sync.CodeConnection || !e.Retryable {
		t.Fatalf("a dropped connection: err = %v, want a retryable connection error", err)
	}
	if got, v, _ := h.Platform.Booking(t, b.ID); got.Status != "confirmed" || v != v0+1 {
		t.Fatalf("the push was not committed before the drop: %s, version %d", got.Status, v)
	}
	wantResults(t, d.push(t, m), wire.ResultDuplicate)
	if _, v, _ := h.Platform.Booking(t, b.ID); v != v0+1 {
		t.Fatalf("the retry was applied again: version %d", v)
	}
}

func testDuplicatedPages(t *testing.T, newHarness NewHarness) {
	h := newHarness(t, Options{})
	d := enrol(t, h)
	now := time.Now()
	for i := range 12 {
		h.Platform.PutBooking(t, Booking(now, 24+i))
	}
	h.Platform.DuplicatePages(t, 2)
	h.Platform.ReversePages(t, 1)
	all, _, _ := d.pullAll(t, "", 4)
	seen := map[string]int{}
	for _, c := range all {
		seen[c.ID]++
	}
	if len(seen) != 12 {
		t.Fatalf("%d distinct bookings after faulty pages, want all 12", len(seen))
	}
	if len(all) == 12 {
		t.Fatal("the duplicated-pages fault re-sent nothing")
	}
}
