package backend

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/calmally/practice/internal/sync/wire"
)

// FuzzParseCursor: a cursor comes from the client. It never panics, and
// whatever it accepts is exactly a cursor this backend would have made.
func FuzzParseCursor(f *testing.F) {
	f.Add(cursor{seq: 5, prev: 2}.String(), int64(10))
	f.Add(cursor{}.String(), int64(0))
	f.Add("", int64(3))
	f.Add("djEuMS4w", int64(1))
	f.Add("djEuLTEuMA", int64(5))
	f.Add(strings.Repeat("A", 600), int64(1))
	f.Fuzz(func(t *testing.T, s string, last int64) {
		c, err := parseCursor(s, last)
		if err != nil {
			if e, ok := err.(*Error); !ok || e.Status != 400 {
				t.Fatalf("refusal %v is not a 400", err)
			}
			return
		}
		if s == "" {
			return
		}
		if c.String() != s || c.prev < 0 || c.prev > c.seq || c.seq > last || !wire.ValidCursor(s) {
			t.Fatalf("accepted %q as %+v (last %d)", s, c, last)
		}
	})
}

// FuzzPushHandler sends arbitrary bodies to POST /v1/push with a valid
// token: every answer is 200 with a well-formed result per mutation, or a
// 4xx with the protocol's error body — never a 500, whatever the payloads
// hold.
func FuzzPushHandler(f *testing.F) {
	b, err := Open(context.Background(), Options{Now: newClock().Now})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { b.Close() })
	ctx := context.Background()
	code, _, _ := b.IssueEnrolmentCode(ctx)
	dev, err := b.Enrol(ctx, wire.EnrolRequest{EnrolmentCode: code, DeviceName: "fuzz"})
	if err != nil {
		f.Fatal(err)
	}
	bk, _ := b.PutBooking(ctx, wire.Booking{Start: b.Now().Add(time.Hour), End: b.Now().Add(2 * time.Hour)})
	m, _ := b.ProposeMatch(ctx, MatchProposal{AgeBand: "25-34"})
	g, _ := b.AddGrievance(ctx, wire.Grievance{Category: "c", Summary: "s"})
	handler := b.Handler()

	seed := func(kind, entity string, payload map[string]any) string {
		body, _ := json.Marshal(wire.PushRequest{DeviceID: dev.DeviceID, Mutations: []wire.Mutation{
			{ID: 1, Kind: kind, EntityID: entity, At: b.Now(), Payload: payload}}})
		return string(body)
	}
	f.Add(seed(wire.KindBookingConfirm, bk.ID, map[string]any{"bookingId": bk.ID, "status": "confirmed"}))
	f.Add(seed(wire.KindBookingWalkIn, "w", map[string]any{"bookingId": "w", "start": "2025-03-04T00:00:00Z", "end": 5, "modality": "in_person"}))
	f.Add(seed(wire.KindMatchAccept, m.ID, map[string]any{"matchId": m.ID}))
	f.Add(seed(wire.KindMatchDecline, m.ID, map[string]any{"matchId": []any{m.ID}, "reason": nil}))
	f.Add(seed(wire.KindGrievanceResolve, g.ID, map[string]any{"grievanceId": g.ID, "response": strings.Repeat("é", 3000)}))
	f.Add(seed(wire.KindMinorRefused, m.ID, map[string]any{"type": "client", "id": m.ID, "at": "never"}))
	f.Add(seed(wire.KindConsentGrant, "e1", map[string]any{"clientRef": "c", "purpose": "recording", "at": "2025-03-03T00:00:00Z"}))
	f.Add(seed(wire.KindAvailabilityPublish, "schedule", map[string]any{"version": 1, "ruleSets": "[]"}))
	f.Add(seed(wire.KindProfileSubmit, b.TherapistID(), map[string]any{"version": 1.5}))
	f.Add(`{"deviceId":"` + dev.DeviceID + `","mutations":[{"id":1e3,"kind":"x","entityId":"y","at":"2025-01-01T00:00:00Z","payload":{}}]}`)
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest("POST", "/v1/push", strings.NewReader(body))
		req.Header.Set(wire.HeaderProtocol, "1")
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+dev.Token)
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		switch {
		case rec.Code == http.StatusOK:
			parsed, err := wire.DecodePushRequest([]byte(body))
			if err != nil {
				t.Fatalf("200 for a body the decoder refuses: %v", err)
			}
			sent := make([]int64, len(parsed.Mutations))
			for i, m := range parsed.Mutations {
				sent[i] = m.ID
			}
			if _, err := wire.DecodePushResponse(rec.Body.Bytes(), sent); err != nil {
				t.Fatalf("push response outside the contract: %v\n%s", err, rec.Body)
			}
		case rec.Code >= 400 && rec.Code < 500:
			if _, err := wire.DecodeErrorBody(rec.Body.Bytes()); err != nil {
				t.Fatalf("error body: %v", err)
			}
		default:
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	})
}
