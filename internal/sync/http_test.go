package sync

import (
	"context"
	"crypto/tls"
	"encoding/pem"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/calmally/practice/internal/sync/wire"
)

func TestCheckURL(t *testing.T) {
	tests := []struct {
		url  string
		dev  bool
		ok   bool
		rule string
	}{
		{"https://sync.calmally.in", false, true, ""},
		{"https://sync.calmally.in/api/", false, true, ""},
		{"HTTPS://127.0.0.1:8443", false, true, ""},
		{"http://sync.calmally.in", false, false, "plain http is refused"},
		{"http://sync.calmally.in", true, false, "only to a loopback"},
		{"http://127.0.0.1:8080", false, false, "plain http is refused"},
		{"http://127.0.0.1:8080", true, true, ""},
		{"http://127.8.9.10:8080", true, true, ""},
		{"http://[::1]:8080", true, true, ""},
		{"http://localhost:8080", true, true, ""},
		{"http://localhost.evil.example:8080", true, false, "only to a loopback"},
		{"http://10.0.0.1", true, false, "only to a loopback"},
		{"ftp://sync.calmally.in", true, false, "must use https"},
		{"sync.calmally.in", false, false, "must be a URL"},
		{"https://user:pw@sync.calmally.in", false, false, "credentials"},
		{"https://sync.calmally.in/?x=1", false, false, "query"},
		{"", false, false, "must be a URL"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			_, err := CheckURL(tt.url, tt.dev)
			if tt.ok {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			e, ok := AsError(err)
			if !ok || e.Code != CodeInsecureURL || !strings.Contains(e.Message, tt.rule) {
				t.Fatalf("err = %v, want %s naming %q", err, CodeInsecureURL, tt.rule)
			}
		})
	}
}

// TestPlainHTTPRefusedBeforeConnecting: a refused URL makes no connection.
func TestPlainHTTPRefusedBeforeConnecting(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan struct{}, 1)
	go func() {
		if c, err := ln.Accept(); err == nil {
			accepted <- struct{}{}
			c.Close()
		}
	}()
	if _, err := NewHTTPTransport(HTTPOptions{BaseURL: "http://" + ln.Addr().String()}); err == nil {
		t.Fatal("plain http accepted without development mode")
	}
	select {
	case <-accepted:
		t.Fatal("a connection was made for a refused URL")
	case <-time.After(100 * time.Millisecond):
	}
}

func newTLSServer(t *testing.T, h http.HandlerFunc) (*httptest.Server, *HTTPTransport) {
	t.Helper()
	srv := httptest.NewTLSServer(h)
	t.Cleanup(srv.Close)
	pool := srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	tr, err := NewHTTPTransport(HTTPOptions{BaseURL: srv.URL + "/base/", RootCAs: pool,
		Now: func() time.Time { return time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	return srv, tr
}

func TestHeadersAndPaths(t *testing.T) {
	var got []string
	_, tr := newTLSServer(t, func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Method+" "+r.URL.RequestURI()+" p="+r.Header.Get(wire.HeaderProtocol)+" a="+r.Header.Get("Authorization")+
			" ct="+r.Header.Get("Content-Type"))
		switch r.URL.Path {
		case "/base/v1/pull":
			w.Write([]byte(`{"changes":[],"cursor":"c 1","more":false}`)) // a space: outside the contract
		case "/base/v1/devices/self":
			w.WriteHeader(http.StatusNoContent)
		default:
			w.Write([]byte(`{"name":"x","protocol":1,"minProtocol":1,"region":"IN","serverTime":"2026-03-01T09:00:00Z"}`))
		}
	})
	ctx := context.Background()
	if _, err := tr.Info(ctx); err != nil {
		t.Fatal(err)
	}
	_, err := tr.Pull(ctx, "tok", "a/b=", 50)
	if e, ok := AsError(err); !ok || e.Code != CodeProtocol || !e.Retryable || !errors.Is(err, wire.ErrBadResponse) {
		t.Fatalf("a page outside the contract: %v", err)
	}
	if err := tr.Revoke(ctx, "tok"); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Pull(ctx, "", "", 1); CodeOfErr(err) != CodeNotEnrolled {
		t.Fatalf("pull without a token: %v", err)
	}
	want := []string{
		"GET /base/v1/info p=1 a= ct=",
		"GET /base/v1/pull?cursor=a%2Fb%3D&limit=50 p=1 a=Bearer tok ct=",
		"DELETE /base/v1/devices/self p=1 a=Bearer tok ct=",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("requests:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestErrorsAndRetryAfter(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		header    string
		body      string
		code      string
		retryable bool
		after     time.Duration
	}{
		{"429 seconds", 429, "30", `{"error":{"code":"rate_limited","message":"slow down","retryable":true}}`, "rate_limited", true, 30 * time.Second},
		{"503 http date", 503, "Sun, 01 Mar 2026 09:02:00 GMT", `{"error":{"code":"unavailable","message":"","retryable":true}}`, "unavailable", true, 2 * time.Minute},
		{"date in the past", 503, "Sun, 01 Mar 2026 08:00:00 GMT", `{"error":{"code":"unavailable"}}`, "unavailable", true, 0},
		{"absurd retry-after capped", 429, "99999999", `{"error":{"code":"rate_limited"}}`, "rate_limited", true, time.Hour},
		{"garbage retry-after", 429, "soon", `{"error":{"code":"rate_limited"}}`, "rate_limited", true, 0},
		{"502 html body", 502, "", `<html>bad gateway</html>`, "internal", true, 0},
		{"401 revoked", 401, "", `{"error":{"code":"token_revoked","message":"enrol again"}}`, "token_revoked", false, 0},
		{"401 no body", 401, "", ``, "unauthorized", false, 0},
		{"426", 426, "", `{"error":{"code":"protocol_too_old"}}`, "protocol_too_old", false, 0},
		{"400", 400, "", `{"error":{"code":"invalid","message":"limit must be 1 to 1000"}}`, "invalid", false, 0},
		{"redirect", 302, "", ``, CodeProtocol, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, tr := newTLSServer(t, func(w http.ResponseWriter, r *http.Request) {
				if tt.header != "" {
					w.Header().Set("Retry-After", tt.header)
				}
				if tt.status == 302 {
					w.Header().Set("Location", "http://evil.example/")
				}
				w.WriteHeader(tt.status)
				w.Write([]byte(tt.body))
			})
			_, err := tr.Pull(context.Background(), "tok", "", 10)
			e, ok := AsError(err)
			if !ok || e.Code != tt.code || e.Retryable != tt.retryable || e.RetryAfter != tt.after || e.Status != tt.status {
				t.Fatalf("err = %+v, want code %s retryable %v after %v", e, tt.code, tt.retryable, tt.after)
			}
		})
	}
}

func TestBodyLimit(t *testing.T) {
	_, tr := newTLSServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"name":"`))
		w.Write([]byte(strings.Repeat("a", wire.MaxBodyBytes)))
		w.Write([]byte(`"}`))
	})
	_, err := tr.Info(context.Background())
	if e, ok := AsError(err); !ok || e.Code != CodeProtocol || !strings.Contains(e.Message, "8 MiB") {
		t.Fatalf("a body over the limit: %v", err)
	}
}

func TestConnectionErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nobody listens there now
	tr, err := NewHTTPTransport(HTTPOptions{BaseURL: "https://" + addr})
	if err != nil {
		t.Fatal(err)
	}
	_, err = tr.Info(context.Background())
	if e, ok := AsError(err); !ok || e.Code != CodeConnection || !e.Retryable {
		t.Fatalf("connection refused: %v", err)
	}
	// A context that ends is returned as it is: the round stops, it is not
	// a backend failure.
	_, tr2 := newTLSServer(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := tr2.Info(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("ended context: %v", err)
	}
}

func TestCertificateChecks(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	// The system roots do not trust the test server's certificate.
	tr, err := NewHTTPTransport(HTTPOptions{BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	_, err = tr.Info(context.Background())
	if e, ok := AsError(err); !ok || e.Code != "certificate" || e.Retryable {
		t.Fatalf("untrusted certificate: %v", err)
	}
	// The extra CA file (CALMALLY_SYNC_CA) makes it trusted.
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	cert := srv.Certificate()
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	if tr, err = NewHTTPTransport(HTTPOptions{BaseURL: srv.URL, CAFile: ca}); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Info(context.Background()); CodeOfErr(err) != CodeProtocol {
		t.Fatalf("with the CA file the connection must succeed (and the empty body be refused): %v", err)
	}
	junk := filepath.Join(dir, "junk.pem")
	os.WriteFile(junk, []byte("not a certificate"), 0o600)
	for _, f := range []string{junk, filepath.Join(dir, "missing.pem")} {
		if _, err := NewHTTPTransport(HTTPOptions{BaseURL: srv.URL, CAFile: f}); CodeOfErr(err) != "ca_file" {
			t.Errorf("CA file %s: %v", filepath.Base(f), err)
		}
	}
}

// TestTLSBelow12Refused: a server that speaks only TLS 1.1 is not reached.
func TestTLSBelow12Refused(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	srv.TLS = &tls.Config{MaxVersion: tls.VersionTLS11}
	srv.StartTLS()
	defer srv.Close()
	pool := srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	tr, err := NewHTTPTransport(HTTPOptions{BaseURL: srv.URL, RootCAs: pool})
	if err != nil {
		t.Fatal(err)
	}
	_, err = tr.Info(context.Background())
	if err == nil || CodeOfErr(err) == CodeProtocol && strings.Contains(err.Error(), "broke the protocol") {
		t.Fatalf("a TLS 1.1 server was reached: %v", err)
	}
	if !strings.Contains(err.Error(), "protocol version") {
		t.Fatalf("err = %v, want a TLS version failure", err)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"": 0, "0": 0, "-5": 0, "1": time.Second, " 120 ": 2 * time.Minute, "3601": time.Hour,
		"Sun, 01 Mar 2026 09:00:30 GMT": 30 * time.Second, "Sunday, 01-Mar-26 09:01:00 GMT": time.Minute,
		"Sun, 01 Mar 2026 08:00:00 GMT": 0, "1.5": 0, "tomorrow": 0,
	} {
		if got := parseRetryAfter(v, now); got != want {
			t.Errorf("Retry-After %q = %v, want %v", v, got, want)
		}
	}
}
