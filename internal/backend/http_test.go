package backend

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/calmally/practice/internal/sync/wire"
)

// api talks to a backend over real HTTPS on loopback.
type api struct {
	t   *testing.T
	b   *Backend
	srv *Server
	c   *http.Client
}

func startAPI(t *testing.T, b *Backend) *api {
	t.Helper()
	srv, err := b.Start(ServerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return &api{t: t, b: b, srv: srv, c: srv.Client()}
}

type reply struct {
	status int
	header http.Header
	body   []byte
	proto  string
}

// call sends a request with the protocol header (unless hdr overrides it)
// and, for a body, Content-Type application/json.
func (a *api) call(method, path string, body any, token string, hdr ...string) reply {
	a.t.Helper()
	var rd io.Reader
	switch v := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(v)
	case string:
		rd = strings.NewReader(v)
	default:
		b, err := json.Marshal(v)
		if err != nil {
			a.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, a.srv.URL()+path, rd)
	if err != nil {
		a.t.Fatal(err)
	}
	req.Header.Set(wire.HeaderProtocol, "1")
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i+1] == "" {
			req.Header.Del(hdr[i])
		} else {
			req.Header.Set(hdr[i], hdr[i+1])
		}
	}
	resp, err := a.c.Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		a.t.Fatal(err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: b, proto: resp.Proto}
}

// wantError checks a status and the protocol's error body.
func (r reply) wantError(t *testing.T, status int, code string) wire.ErrorDetail {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d (%s)", r.status, status, r.body)
	}
	eb, err := wire.DecodeErrorBody(r.body)
	if err != nil {
		t.Fatalf("error body %s: %v", r.body, err)
	}
	if eb.Error.Code != code || eb.Error.Message == "" {
		t.Fatalf("error %+v, want code %s", eb.Error, code)
	}
	if eb.Error.Retryable != retryableStatus(status) {
		t.Fatalf("retryable = %v for %d", eb.Error.Retryable, status)
	}
	return eb.Error
}

func (a *api) enrol() wire.EnrolResponse {
	a.t.Helper()
	code, _, err := a.b.IssueEnrolmentCode(context.Background())
	if err != nil {
		a.t.Fatal(err)
	}
	r := a.call("POST", "/v1/devices", wire.EnrolRequest{EnrolmentCode: code, DeviceName: "Clinic desktop"}, "")
	if r.status != 200 {
		a.t.Fatalf("enrol: %d %s", r.status, r.body)
	}
	resp, err := wire.DecodeEnrolResponse(r.body)
	if err != nil {
		a.t.Fatal(err)
	}
	return resp
}

func TestHTTPInfo(t *testing.T) {
	clock := newClock()
	b, err := Open(context.Background(), Options{Now: clock.Now, Region: "DE"})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	a := startAPI(t, b)
	r := a.call("GET", "/v1/info", nil, "")
	info, err := wire.DecodeInfo(r.body)
	if r.status != 200 || err != nil {
		t.Fatalf("info: %d %s (%v)", r.status, r.body, err)
	}
	if info.Region != "DE" || info.Protocol != 1 || info.MinProtocol != 1 || !info.ServerTime.Equal(clock.Now()) {
		t.Fatalf("info %+v", info)
	}
	if r.header.Get("Content-Type") != "application/json" || r.proto != "HTTP/1.1" {
		t.Fatalf("content type %q, protocol %s", r.header.Get("Content-Type"), r.proto)
	}
}

func TestHTTPEnrolPushPullRevoke(t *testing.T) {
	b, _ := newBackend(t)
	a := startAPI(t, b)
	ctx := context.Background()
	bk, err := b.PutBooking(ctx, wire.Booking{Start: b.Now().Add(24 * time.Hour), End: b.Now().Add(25 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	dev := a.enrol()
	if dev.TherapistID != b.TherapistID() {
		t.Fatalf("therapist %s", dev.TherapistID)
	}

	req := wire.PushRequest{DeviceID: dev.DeviceID, Mutations: []wire.Mutation{
		mut(1, wire.KindBookingConfirm, bk.ID, bookingPayloadFor(bk.ID, "confirmed", "pending")),
		mut(2, "booking.teleport", bk.ID, nil),
	}}
	r := a.call("POST", "/v1/push", req, dev.Token)
	pr, err := wire.DecodePushResponse(r.body, []int64{1, 2})
	if r.status != 200 || err != nil {
		t.Fatalf("push: %d %s (%v)", r.status, r.body, err)
	}
	if pr.Results[0].Status != wire.ResultApplied || pr.Results[1].Code != wire.CodeUnknownKind || pr.LastMutationID != 2 {
		t.Fatalf("push results %+v", pr)
	}

	r = a.call("GET", "/v1/pull?limit=1000", nil, dev.Token)
	page, err := wire.DecodePullResponse(r.body)
	if r.status != 200 || err != nil || len(page.Changes) != 1 || page.More {
		t.Fatalf("pull: %d %s (%v)", r.status, r.body, err)
	}
	got, err := wire.DecodeBooking(page.Changes[0])
	if err != nil || got.Status != "confirmed" || page.Changes[0].Version != 2 {
		t.Fatalf("pulled booking %+v v%d (%v)", got, page.Changes[0].Version, err)
	}
	r = a.call("GET", "/v1/pull?cursor="+page.Cursor, nil, dev.Token)
	if again, err := wire.DecodePullResponse(r.body); err != nil || len(again.Changes) != 0 || again.Cursor != page.Cursor {
		t.Fatalf("pull from the cursor: %s (%v)", r.body, err)
	}

	if r := a.call("DELETE", "/v1/devices/self", nil, dev.Token); r.status != 204 || len(r.body) != 0 {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	a.call("POST", "/v1/push", wire.PushRequest{DeviceID: dev.DeviceID}, dev.Token).wantError(t, 401, wire.CodeTokenRevoked)
	a.call("GET", "/v1/pull", nil, dev.Token).wantError(t, 401, wire.CodeTokenRevoked)
	devices, _ := b.Devices(ctx)
	if len(devices) != 1 || devices[0].RevokedAt == nil || devices[0].LastMutationID != 2 {
		t.Fatalf("devices %+v", devices)
	}
}

func TestHTTPAuthFailures(t *testing.T) {
	b, _ := newBackend(t)
	a := startAPI(t, b)
	dev := a.enrol()
	other := a.enrol()
	a.call("GET", "/v1/pull", nil, "").wantError(t, 401, wire.CodeUnauthorized)
	a.call("GET", "/v1/pull", nil, "not-a-token-we-issued-0123456789abcdef").wantError(t, 401, wire.CodeUnauthorized)
	a.call("GET", "/v1/pull", nil, "", "Authorization", "Basic "+dev.Token).wantError(t, 401, wire.CodeUnauthorized)
	a.call("DELETE", "/v1/devices/self", nil, "").wantError(t, 401, wire.CodeUnauthorized)
	a.call("POST", "/v1/push", wire.PushRequest{DeviceID: other.DeviceID}, dev.Token).wantError(t, 403, wire.CodeDeviceMismatch)

	var hash []byte
	if err := b.db.QueryRow("SELECT token_sha256 FROM devices WHERE id = ?", dev.DeviceID).Scan(&hash); err != nil {
		t.Fatal(err)
	}
	if len(hash) != 32 || bytes.Contains(hash, []byte(dev.Token)) {
		t.Fatal("the token must be stored as its SHA-256 only")
	}
}

func TestHTTPEnrolmentCodes(t *testing.T) {
	b, clock := newBackend(t)
	a := startAPI(t, b)
	ctx := context.Background()
	code, exp, err := b.IssueEnrolmentCode(ctx)
	if err != nil || !exp.Equal(clock.Now().Add(15*time.Minute)) || len(code) != 9 || code[4] != '-' {
		t.Fatalf("code %q expires %v (%v)", code, exp, err)
	}
	enrolWith := func(c string) reply {
		return a.call("POST", "/v1/devices", wire.EnrolRequest{EnrolmentCode: c, DeviceName: "Laptop"}, "")
	}
	if r := enrolWith(strings.ToLower(strings.ReplaceAll(code, "-", " "))); r.status != 200 {
		t.Fatalf("code typed in lower case with a space: %d %s", r.status, r.body)
	}
	enrolWith(code).wantError(t, 403, wire.CodeBadEnrolment) // used
	enrolWith("NOPE-NOPE").wantError(t, 403, wire.CodeBadEnrolment)

	late, _, _ := b.IssueEnrolmentCode(ctx)
	clock.Advance(15 * time.Minute)
	enrolWith(late).wantError(t, 403, wire.CodeBadEnrolment)

	a.call("POST", "/v1/devices", `{"enrolmentCode":"X"}`, "").wantError(t, 400, wire.CodeInvalid)
	a.call("POST", "/v1/devices", `not json`, "").wantError(t, 400, wire.CodeInvalid)
}

func TestHTTPProtocolHeader(t *testing.T) {
	b, _ := newBackend(t)
	a := startAPI(t, b)
	dev := a.enrol()
	a.call("GET", "/v1/info", nil, "", wire.HeaderProtocol, "").wantError(t, 400, wire.CodeInvalid)
	a.call("GET", "/v1/pull", nil, dev.Token, wire.HeaderProtocol, "one").wantError(t, 400, wire.CodeInvalid)
	a.call("GET", "/v1/pull", nil, dev.Token, wire.HeaderProtocol, "01").wantError(t, 400, wire.CodeInvalid)
	a.call("GET", "/v1/pull", nil, dev.Token, wire.HeaderProtocol, "2").wantError(t, 400, wire.CodeInvalid)

	newer, err := Open(context.Background(), Options{MinProtocol: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer newer.Close()
	n := startAPI(t, newer)
	r := n.call("GET", "/v1/info", nil, "")
	info, err := wire.DecodeInfo(r.body)
	if r.status != 200 || err != nil || info.MinProtocol != 2 || info.Protocol != 2 {
		t.Fatalf("info of a server past protocol 1: %d %s (%v)", r.status, r.body, err)
	}
	n.call("POST", "/v1/devices", wire.EnrolRequest{EnrolmentCode: "X", DeviceName: "d"}, "").wantError(t, 426, wire.CodeUnsupported)
	n.call("GET", "/v1/pull", nil, "whatever").wantError(t, 426, wire.CodeUnsupported)
}

func TestHTTPRequestShapes(t *testing.T) {
	b, _ := newBackend(t)
	a := startAPI(t, b)
	dev := a.enrol()
	push := func(body string, hdr ...string) reply { return a.call("POST", "/v1/push", body, dev.Token, hdr...) }
	huge := `{"deviceId":"` + dev.DeviceID + `","pad":"` + strings.Repeat("x", wire.MaxBodyBytes) + `"}`
	push(huge).wantError(t, 400, wire.CodeInvalid)
	push(`{"deviceId":"`+dev.DeviceID+`"}`, "Content-Type", "text/plain").wantError(t, 400, wire.CodeInvalid)
	push(`{"deviceId":`).wantError(t, 400, wire.CodeInvalid)
	push(`{"deviceId":"`+dev.DeviceID+`","mutations":[{"id":2,"kind":"k","entityId":"e","at":"2025-01-01T00:00:00Z","payload":{}},{"id":1,"kind":"k","entityId":"e","at":"2025-01-01T00:00:00Z","payload":{}}]}`).
		wantError(t, 400, wire.CodeInvalid)
	if r := push(`{"deviceId":"`+dev.DeviceID+`"}`, "Content-Type", "application/json; charset=utf-8"); r.status != 200 {
		t.Fatalf("empty push with a charset: %d %s", r.status, r.body)
	}
	r := a.call("GET", "/v1/push", nil, dev.Token)
	r.wantError(t, 405, wire.CodeInvalid)
	if r.header.Get("Allow") != "POST" {
		t.Fatalf("Allow %q", r.header.Get("Allow"))
	}
	a.call("GET", "/v1/nothing", nil, dev.Token).wantError(t, 404, wire.CodeInvalid)
	a.call("GET", "/elsewhere", nil, "").wantError(t, 404, wire.CodeInvalid)
	a.call("GET", "/v1/pull?limit=abc", nil, dev.Token).wantError(t, 400, wire.CodeInvalid)
	a.call("GET", "/v1/pull?limit=0", nil, dev.Token).wantError(t, 400, wire.CodeInvalid)
	a.call("GET", "/v1/pull?limit=1001", nil, dev.Token).wantError(t, 400, wire.CodeInvalid)
	a.call("GET", "/v1/pull?cursor=garbage", nil, dev.Token).wantError(t, 400, wire.CodeInvalid)
}

func TestTLSOnly12AndUpTrustingTheExportedCA(t *testing.T) {
	b, _ := newBackend(t)
	a := startAPI(t, b)
	get := func(c *http.Client, url string) error {
		req, _ := http.NewRequest("GET", url+"/v1/info", nil)
		req.Header.Set(wire.HeaderProtocol, "1")
		resp, err := c.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	if err := get(&http.Client{}, a.srv.URL()); err == nil {
		t.Fatal("a client that does not trust the CA connected")
	}
	old := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: a.srv.CertPool(),
		MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11}}}
	if err := get(old, a.srv.URL()); err == nil {
		t.Fatal("TLS 1.1 accepted")
	}
	tls12 := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: a.srv.CertPool(), MaxVersion: tls.VersionTLS12}}}
	if err := get(tls12, a.srv.URL()); err != nil {
		t.Fatalf("TLS 1.2: %v", err)
	}
	// The certificate names localhost too.
	port := a.srv.URL()[strings.LastIndex(a.srv.URL(), ":"):]
	if err := get(a.srv.Client(), "https://localhost"+port); err != nil {
		t.Fatalf("https://localhost: %v", err)
	}
	path := t.TempDir() + "/ca.pem"
	if err := a.srv.WriteCA(path); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(a.srv.CAPEM()), "-----BEGIN CERTIFICATE-----") {
		t.Fatal("CA PEM")
	}
}

func TestInsecureHTTPOnLoopbackOnly(t *testing.T) {
	b, _ := newBackend(t)
	if _, err := b.Start(ServerOptions{Addr: "0.0.0.0:0", InsecureHTTP: true}); err == nil {
		t.Fatal("plain HTTP on every interface accepted")
	}
	if _, err := b.Start(ServerOptions{Addr: "example.com:0", InsecureHTTP: true}); err == nil {
		t.Fatal("plain HTTP on a remote name accepted")
	}
	srv, err := b.Start(ServerOptions{Addr: "127.0.0.1:0", InsecureHTTP: true})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if !strings.HasPrefix(srv.URL(), "http://127.0.0.1:") || srv.CAPEM() != nil {
		t.Fatalf("url %s", srv.URL())
	}
	req, _ := http.NewRequest("GET", srv.URL()+"/v1/info", nil)
	req.Header.Set(wire.HeaderProtocol, "1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("plain info: %v", err)
	}
	resp.Body.Close()
	if err := srv.Shutdown(context.Background()); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
}
