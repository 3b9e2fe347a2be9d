// Package backendtest starts the reference backend for other packages'
// tests: in memory, over real TLS on a free loopback port, closed when the
// test ends.
package backendtest

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/calmally/practice/internal/backend"
)

// Env is a running backend.
type Env struct {
	Backend *backend.Backend
	Server  *backend.Server
	URL     string       // https://127.0.0.1:PORT
	Client  *http.Client // trusts the server's certificate only
}

// Start opens an in-memory backend with opts (DBPath is ignored) and serves
// it over HTTPS on 127.0.0.1; both are closed at the end of the test.
func Start(tb testing.TB, opts backend.Options) *Env {
	tb.Helper()
	opts.DBPath = ""
	b, err := backend.Open(context.Background(), opts)
	if err != nil {
		tb.Fatalf("backendtest: open: %v", err)
	}
	srv, err := b.Start(backend.ServerOptions{})
	if err != nil {
		b.Close()
		tb.Fatalf("backendtest: start: %v", err)
	}
	tb.Cleanup(func() {
		srv.Close()
		b.Close()
	})
	return &Env{Backend: b, Server: srv, URL: srv.URL(), Client: srv.Client()}
}

// EnrolmentCode issues a fresh one-time code for the backend's therapist.
func (e *Env) EnrolmentCode(tb testing.TB) string {
	tb.Helper()
	code, _, err := e.Backend.IssueEnrolmentCode(context.Background())
	if err != nil {
		tb.Fatalf("backendtest: enrolment code: %v", err)
	}
	return code
}

// Clock is a settable clock for Options.Now. The zero value starts at
// 2025-03-03 10:00 IST.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.now.IsZero() {
		c.now = time.Date(2025, 3, 3, 4, 30, 0, 0, time.UTC)
	}
	return c.now
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }
