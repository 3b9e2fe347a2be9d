package sync_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/calmally/practice/internal/backend"
	"github.com/calmally/practice/internal/sync"
	"github.com/calmally/practice/internal/sync/synctest"
	"github.com/calmally/practice/internal/sync/wire"
)

// refPlatform adapts the reference backend (internal/backend) to
// synctest.Platform.
type refPlatform struct{ b *backend.Backend }

var _ synctest.Platform = refPlatform{}

func (p refPlatform) EnrolmentCode(t testing.TB) string {
	t.Helper()
	code, _, err := p.b.IssueEnrolmentCode(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return code
}

func (p refPlatform) PutBooking(t testing.TB, b wire.Booking) {
	t.Helper()
	if _, err := p.b.PutBooking(context.Background(), b); err != nil {
		t.Fatal(err)
	}
}

func (p refPlatform) DeleteBooking(t testing.TB, id string) {
	t.Helper()
	if err := p.b.DeleteEntity(context.Background(), wire.TypeBooking, id); err != nil {
		t.Fatal(err)
	}
}

func (p refPlatform) Booking(t testing.TB, id string) (wire.Booking, int64, bool) {
	t.Helper()
	e, err := p.b.Entity(context.Background(), wire.TypeBooking, id)
	if backend.IsNotFound(err) {
		return wire.Booking{}, 0, false
	}
	if err != nil {
		t.Fatal(err)
	}
	if e.Deleted {
		return wire.Booking{}, e.Version, false
	}
	var b wire.Booking
	if err := json.Unmarshal(e.Data, &b); err != nil {
		t.Fatal(err)
	}
	return b, e.Version, true
}

func (p refPlatform) RevokeDevice(t testing.TB, deviceID string) {
	t.Helper()
	if err := p.b.RevokeDevice(context.Background(), deviceID); err != nil {
		t.Fatal(err)
	}
}

func (p refPlatform) FailNext(t testing.TB, path string, n, status int, retryAfter time.Duration) {
	t.Helper()
	if err := p.b.Faults().FailNextOn(path, n, status, retryAfter); err != nil {
		t.Fatal(err)
	}
}

func (p refPlatform) DropAfterPush(t testing.TB, n int) {
	t.Helper()
	if err := p.b.Faults().DropAfterPush(n); err != nil {
		t.Fatal(err)
	}
}

func (p refPlatform) DuplicatePages(t testing.TB, n int) {
	t.Helper()
	if err := p.b.Faults().DuplicatePages(n); err != nil {
		t.Fatal(err)
	}
}

func (p refPlatform) ReversePages(t testing.TB, n int) {
	t.Helper()
	if err := p.b.Faults().ReversePages(n); err != nil {
		t.Fatal(err)
	}
}

// refServer is a reference backend serving HTTPS on loopback, and an
// HTTPTransport that trusts its certificate (through a CA file, as the app
// is configured with CALMALLY_SYNC_CA).
type refServer struct {
	backend   *backend.Backend
	server    *backend.Server
	transport *sync.HTTPTransport
	caFile    string
}

func startRef(t testing.TB, o synctest.Options) *refServer {
	t.Helper()
	b, err := backend.Open(context.Background(), backend.Options{Region: o.Region, MinProtocol: o.MinProtocol})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := b.Start(backend.ServerOptions{})
	if err != nil {
		b.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		srv.Close()
		b.Close()
	})
	ca := t.TempDir() + "/ca.pem"
	if err := srv.WriteCA(ca); err != nil {
		t.Fatal(err)
	}
	tr, err := sync.NewHTTPTransport(sync.HTTPOptions{BaseURL: srv.URL(), CAFile: ca, Timeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tr.Close)
	return &refServer{backend: b, server: srv, transport: tr, caFile: ca}
}

// TestHTTPConformance runs the Transport contract against the reference
// backend over real TLS on loopback, through the HTTP transport.
func TestHTTPConformance(t *testing.T) {
	synctest.Run(t, func(t *testing.T, o synctest.Options) synctest.Harness {
		r := startRef(t, o)
		return synctest.Harness{Transport: r.transport, Platform: refPlatform{r.backend}}
	})
}
