package backend

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/calmally/practice/internal/sync/wire"
)

func TestFailNextAnswersTheStatusThenRecovers(t *testing.T) {
	b, _ := newBackend(t)
	a := startAPI(t, b)
	if err := b.Faults().FailNext(2, 429, 2500*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		r := a.call("GET", "/v1/info", nil, "")
		r.wantError(t, 429, wire.CodeRateLimited)
		if r.header.Get("Retry-After") != "3" {
			t.Fatalf("Retry-After %q, want 3 (seconds, rounded up)", r.header.Get("Retry-After"))
		}
	}
	if r := a.call("GET", "/v1/info", nil, ""); r.status != 200 {
		t.Fatalf("third request: %d", r.status)
	}
	for _, c := range []struct {
		status int
		code   string
	}{{503, wire.CodeUnavailable}, {500, wire.CodeInternal}, {502, "bad_gateway"}} {
		if err := b.Faults().FailNext(1, c.status, 0); err != nil {
			t.Fatal(err)
		}
		r := a.call("GET", "/v1/info", nil, "")
		r.wantError(t, c.status, c.code)
		if r.header.Get("Retry-After") != "" {
			t.Fatal("Retry-After sent without being asked for")
		}
	}
}

func TestFailNextOnOnePath(t *testing.T) {
	b, _ := newBackend(t)
	a := startAPI(t, b)
	dev := a.enrol()
	if err := b.Faults().FailNextOn("/v1/push", 1, 503, time.Second); err != nil {
		t.Fatal(err)
	}
	if r := a.call("GET", "/v1/pull", nil, dev.Token); r.status != 200 {
		t.Fatalf("pull failed: %d", r.status)
	}
	a.call("POST", "/v1/push", wire.PushRequest{DeviceID: dev.DeviceID}, dev.Token).wantError(t, 503, wire.CodeUnavailable)
	if r := a.call("POST", "/v1/push", wire.PushRequest{DeviceID: dev.DeviceID}, dev.Token); r.status != 200 {
		t.Fatalf("second push: %d", r.status)
	}
	if s := b.Faults().State(); s.FailNext != 0 {
		t.Fatalf("fault left %+v", s)
	}
	for _, bad := range []FaultState{{FailNext: 1, FailStatus: 200}, {Latency: -time.Second}, {FailPath: "/admin/faults"},
		{DropAfterPush: -1}, {RetryAfter: 48 * time.Hour}} {
		if err := b.Faults().Set(bad); err == nil {
			t.Errorf("fault %+v accepted", bad)
		}
	}
}

func TestLatencyDelaysEveryRequest(t *testing.T) {
	b, _ := newBackend(t)
	a := startAPI(t, b)
	a.call("GET", "/v1/info", nil, "") // warm the connection
	if err := b.Faults().SetLatency(120 * time.Millisecond); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	a.call("GET", "/v1/info", nil, "")
	if d := time.Since(start); d < 120*time.Millisecond {
		t.Fatalf("request took %v with 120 ms latency", d)
	}
	b.Faults().Reset()
	start = time.Now()
	a.call("GET", "/v1/info", nil, "")
	if d := time.Since(start); d >= 120*time.Millisecond {
		t.Fatalf("request took %v after reset", d)
	}
}

// TestDropAfterPushCommitsThenClosesTheConnection is the case the protocol
// is built for: the server committed, the app never heard; its retry is a
// duplicate and the change exists once.
func TestDropAfterPushCommitsThenClosesTheConnection(t *testing.T) {
	b, _ := newBackend(t)
	ctx := context.Background()
	a := startAPI(t, b)
	dev := a.enrol()
	bk, _ := b.PutBooking(ctx, wire.Booking{Start: b.Now().Add(24 * time.Hour), End: b.Now().Add(25 * time.Hour)})
	if err := b.Faults().DropAfterPush(1); err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(wire.PushRequest{DeviceID: dev.DeviceID, Mutations: []wire.Mutation{
		mut(1, wire.KindBookingConfirm, bk.ID, bookingPayloadFor(bk.ID, "confirmed", "pending"))}})
	send := func() (*http.Response, error) {
		req, _ := http.NewRequest("POST", a.srv.URL()+"/v1/push", bytes.NewReader(body))
		req.Header.Set(wire.HeaderProtocol, "1")
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+dev.Token)
		return a.c.Do(req)
	}
	if resp, err := send(); err == nil {
		resp.Body.Close()
		t.Fatalf("got a response (%d) from a dropped connection", resp.StatusCode)
	}
	var got wire.Booking
	if entityData(t, b, wire.TypeBooking, bk.ID, &got); got.Status != "confirmed" {
		t.Fatal("the push was not committed before the connection dropped")
	}
	resp, err := send()
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var pr wire.PushResponse
	json.NewDecoder(resp.Body).Decode(&pr)
	if resp.StatusCode != 200 || pr.Results[0].Status != wire.ResultDuplicate {
		t.Fatalf("retry: %d %+v", resp.StatusCode, pr)
	}
	muts, _ := b.Mutations(ctx)
	if e := entityData(t, b, wire.TypeBooking, bk.ID, nil); len(muts) != 1 || e.Version != 2 {
		t.Fatalf("%d mutations logged, booking v%d: want one of each change", len(muts), e.Version)
	}
}

func TestPageFaultsOverHTTP(t *testing.T) {
	b, _ := newBackend(t)
	a := startAPI(t, b)
	dev := a.enrol()
	addBookings(t, b, 6)
	b.Faults().DuplicatePages(1)
	b.Faults().ReversePages(1)
	r := a.call("GET", "/v1/pull?limit=4", nil, dev.Token)
	first, err := wire.DecodePullResponse(r.body)
	if err != nil || len(first.Changes) != 2 || !first.More {
		t.Fatalf("duplicated first page has half the limit in new changes: %s (%v)", r.body, err)
	}
	if first.Changes[0].Version != 1 || first.Changes[0].ID == first.Changes[1].ID {
		t.Fatal("page content")
	}
	b.Faults().DuplicatePages(1)
	r = a.call("GET", "/v1/pull?limit=4&cursor="+first.Cursor, nil, dev.Token)
	second, err := wire.DecodePullResponse(r.body)
	if err != nil || len(second.Changes) != 4 {
		t.Fatalf("second page: %s (%v)", r.body, err)
	}
	// Reversed first page: its two changes come back (duplicated) at the
	// start of the second, in sequence order.
	if second.Changes[0].ID != first.Changes[1].ID || second.Changes[1].ID != first.Changes[0].ID {
		t.Fatal("the second page does not re-include the first")
	}
}
