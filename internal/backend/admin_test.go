package backend

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/calmally/practice/internal/sync/wire"
)

func TestAdminNeedsLoopbackAndTheToken(t *testing.T) {
	b, _ := newBackend(t)
	a := startAPI(t, b)
	paths := []struct{ method, path string }{
		{"POST", "/admin/enrolment-codes"}, {"GET", "/admin/mutations"}, {"PUT", "/admin/faults"},
		{"POST", "/admin/seed-bookings"}, {"GET", "/admin/devices"}, {"POST", "/admin/matches"},
	}
	for _, p := range paths {
		a.call(p.method, p.path, nil, "").wantError(t, 401, wire.CodeUnauthorized)
		a.call(p.method, p.path, nil, "wrong-"+b.AdminToken()).wantError(t, 401, wire.CodeUnauthorized)
		dev := a.enrol() // a device token is not the admin token
		a.call(p.method, p.path, nil, dev.Token).wantError(t, 401, wire.CodeUnauthorized)

		// The right token from another machine is refused too.
		req := httptest.NewRequest(p.method, p.path, nil)
		req.RemoteAddr = "192.0.2.7:40000"
		req.Header.Set("Authorization", "Bearer "+b.AdminToken())
		rec := httptest.NewRecorder()
		b.Handler().ServeHTTP(rec, req)
		if rec.Code != 403 || !strings.Contains(rec.Body.String(), "loopback") {
			t.Fatalf("%s %s from a remote address: %d %s", p.method, p.path, rec.Code, rec.Body)
		}
	}
	if n, _ := b.Mutations(t.Context()); len(n) != 0 {
		t.Fatal("a refused admin call changed something")
	}
}

// admin calls /admin/ with the token and decodes a JSON answer into out.
func (a *api) admin(method, path string, body any, out any) reply {
	a.t.Helper()
	r := a.call(method, path, body, a.b.AdminToken())
	if r.status >= 300 {
		return r
	}
	if out != nil {
		if err := json.Unmarshal(r.body, out); err != nil {
			a.t.Fatalf("%s %s: %s (%v)", method, path, r.body, err)
		}
	}
	return r
}

func TestAdminDrivesThePlatform(t *testing.T) {
	b, _ := newBackend(t)
	a := startAPI(t, b)

	var code struct {
		Code      string    `json:"code"`
		ExpiresAt time.Time `json:"expiresAt"`
	}
	a.admin("POST", "/admin/enrolment-codes", nil, &code)
	r := a.call("POST", "/v1/devices", wire.EnrolRequest{EnrolmentCode: code.Code, DeviceName: "Laptop"}, "")
	dev, err := wire.DecodeEnrolResponse(r.body)
	if err != nil {
		t.Fatalf("enrol with an admin code: %s", r.body)
	}

	var m wire.Match
	a.admin("POST", "/admin/matches", map[string]any{"ageBand": "18-24", "concerns": []string{"sleep"},
		"client": map[string]any{"name": "Test Person", "dateOfBirth": "2010-05-01",
			"consents": []map[string]any{{"purpose": "health-data", "granted": true, "at": "2025-03-01T00:00:00Z", "noticeVersion": "v1"}}}}, &m)
	if m.ID == "" || m.Status != "proposed" {
		t.Fatalf("proposed match %+v", m)
	}
	a.admin("POST", "/admin/matches", map[string]any{"ageBand": "18-24", "client": map[string]any{"name": "X", "dateOfBirth": "1 May 2010"}}, nil).
		wantError(t, 400, wire.CodeInvalid)
	a.admin("POST", "/admin/matches", map[string]any{"ageBand": "18-24", "colour": "blue"}, nil).wantError(t, 400, wire.CodeInvalid)

	var bk wire.Booking
	start := b.Now().Add(48 * time.Hour)
	a.admin("PUT", "/admin/bookings", wire.Booking{Start: start, End: start.Add(time.Hour), ClientLabel: "R. K."}, &bk)
	a.admin("PATCH", "/admin/bookings/"+bk.ID, map[string]string{"paymentStatus": "paid"}, &bk)
	a.admin("PATCH", "/admin/bookings/"+bk.ID, map[string]string{"status": "cancelled_by_client"}, &bk)
	if bk.Status != "cancelled_by_client" || bk.PaymentStatus != "paid" {
		t.Fatalf("booking %+v", bk)
	}
	a.admin("PATCH", "/admin/bookings/"+bk.ID, map[string]string{"status": "teleported"}, nil).wantError(t, 400, wire.CodeInvalid)
	a.admin("PATCH", "/admin/bookings/0190f5a4-0000-7000-8000-00000000dead", map[string]string{"status": "confirmed"}, nil).
		wantError(t, 404, wire.CodeNotFound)

	var g wire.Grievance
	a.admin("POST", "/admin/grievances", wire.Grievance{Category: "conduct", Summary: "Late again."}, &g)
	var td wire.Takedown
	a.admin("POST", "/admin/takedowns", wire.Takedown{ContentRef: "profile.photo", Reason: "Not the therapist."}, &td)
	if r := a.admin("PUT", "/admin/profile-review", wire.Profile{ReviewState: "changes_requested", Comment: "Add your RCI number."}, nil); r.status != 204 {
		t.Fatalf("profile review: %d %s", r.status, r.body)
	}

	// The app sees all of it.
	r = a.call("GET", "/v1/pull", nil, dev.Token)
	page, err := wire.DecodePullResponse(r.body)
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]int{}
	for _, c := range page.Changes {
		types[c.Type]++
	}
	if types["match"] != 1 || types["booking"] != 1 || types["grievance"] != 1 || types["takedown"] != 1 || types["profile"] != 1 {
		t.Fatalf("pulled %v", types)
	}

	// The app confirms the cancelled booking: a conflict, visible in the admin log.
	a.call("POST", "/v1/push", wire.PushRequest{DeviceID: dev.DeviceID, Mutations: []wire.Mutation{
		mut(1, wire.KindBookingConfirm, bk.ID, bookingPayloadFor(bk.ID, "confirmed", "paid"))}}, dev.Token)
	var log []ReceivedMutation
	a.admin("GET", "/admin/mutations", nil, &log)
	if len(log) != 1 || log[0].Code != wire.CodeBookingConflict || log[0].EntityID != bk.ID || !strings.Contains(string(log[0].Payload), `"bookingId"`) {
		t.Fatalf("mutation log %+v", log)
	}

	var ent EntityState
	a.admin("GET", "/admin/entities/booking/"+bk.ID, nil, &ent)
	if ent.Version != 3 {
		t.Fatalf("entity %+v", ent)
	}
	if r := a.admin("DELETE", "/admin/entities/match/"+m.ID, nil, nil); r.status != 204 {
		t.Fatalf("delete: %d", r.status)
	}
	var gone EntityState
	a.admin("GET", "/admin/entities/match/"+m.ID, nil, &gone)
	if ent = gone; !ent.Deleted || ent.Data != nil {
		t.Fatalf("tombstone %+v", ent)
	}

	var devices []Device
	a.admin("GET", "/admin/devices", nil, &devices)
	if len(devices) != 1 || devices[0].ID != dev.DeviceID {
		t.Fatalf("devices %+v", devices)
	}
	if r := a.admin("POST", "/admin/devices/"+dev.DeviceID+"/revoke", nil, nil); r.status != 204 {
		t.Fatalf("revoke: %d", r.status)
	}
	a.call("GET", "/v1/pull", nil, dev.Token).wantError(t, 401, wire.CodeTokenRevoked)
	a.admin("GET", "/admin/nothing", nil, nil).wantError(t, 404, wire.CodeInvalid)
}

func TestAdminFaultsAndSeeding(t *testing.T) {
	b, _ := newBackend(t)
	a := startAPI(t, b)
	dev := a.enrol()
	var f FaultsJSON
	a.admin("PUT", "/admin/faults", FaultsJSON{FailNext: 1, FailStatus: 429, RetryAfterSeconds: 7, FailPath: "/v1/pull"}, &f)
	if f.FailNext != 1 || f.RetryAfterSeconds != 7 {
		t.Fatalf("faults %+v", f)
	}
	r := a.call("GET", "/v1/pull", nil, dev.Token)
	r.wantError(t, 429, wire.CodeRateLimited)
	if r.header.Get("Retry-After") != "7" {
		t.Fatalf("Retry-After %q", r.header.Get("Retry-After"))
	}
	a.admin("GET", "/admin/faults", nil, &f)
	if f.FailNext != 0 {
		t.Fatalf("fault did not count down: %+v", f)
	}
	a.admin("PUT", "/admin/faults", FaultsJSON{FailNext: 1, FailStatus: 99}, nil).wantError(t, 400, wire.CodeInvalid)

	var seeded map[string]int
	a.admin("POST", "/admin/seed-bookings", map[string]any{"count": 250}, &seeded)
	a.admin("POST", "/admin/seed-bookings", map[string]any{"count": 0}, nil).wantError(t, 400, wire.CodeInvalid)
	r = a.call("GET", "/v1/pull?limit=1000", nil, dev.Token)
	page, err := wire.DecodePullResponse(r.body)
	if err != nil || len(page.Changes) != 250 || seeded["count"] != 250 {
		t.Fatalf("seeded %v, pulled %d (%v)", seeded, len(page.Changes), err)
	}

	var therapist map[string]string
	a.admin("POST", "/admin/therapists", map[string]string{"name": "Dr Second"}, &therapist)
	var code map[string]any
	a.admin("POST", "/admin/enrolment-codes?therapist="+therapist["id"], nil, &code)
	r = a.call("POST", "/v1/devices", wire.EnrolRequest{EnrolmentCode: code["code"].(string), DeviceName: "Other"}, "")
	other, err := wire.DecodeEnrolResponse(r.body)
	if err != nil || other.TherapistID != therapist["id"] {
		t.Fatalf("second therapist's device: %s", r.body)
	}
	if r := a.call("GET", "/v1/pull", nil, other.Token); !strings.Contains(string(r.body), `"changes":[]`) {
		t.Fatalf("the second therapist sees the first one's bookings: %.200s", r.body)
	}
	var demo DemoSeed
	a.admin("POST", "/admin/seed-demo?therapist="+therapist["id"], nil, &demo)
	if len(demo.Bookings) != 6 || demo.TherapistID != therapist["id"] {
		t.Fatalf("demo seed %+v", demo)
	}
}

func TestAdminPublishesNotices(t *testing.T) {
	b, _ := newBackend(t)
	a := startAPI(t, b)
	var n wire.NoticeVersion
	a.admin("POST", "/admin/notices", wire.NoticeVersion{Kind: wire.NoticeConsent, Purpose: "recording", Version: 2,
		Text: "We record sessions only with your consent.", Summary: "Recordings are now kept 30 days, not 90.", Material: true}, &n)
	if n.ID == "" || n.Language != "en" || !n.PublishedAt.Equal(b.Now()) {
		t.Fatalf("notice %+v", n)
	}
	var stored wire.NoticeVersion
	if e := entityData(t, b, wire.TypeNotice, n.ID, &stored); e.Version != 1 || stored.Purpose != "recording" || !stored.Material {
		t.Fatalf("stored notice %+v", stored)
	}
	a.admin("POST", "/admin/notices", wire.NoticeVersion{Kind: wire.NoticePrivacyPolicy, Purpose: "recording", Version: 1,
		Text: "t", Summary: "s"}, nil).wantError(t, 400, wire.CodeInvalid)
}
