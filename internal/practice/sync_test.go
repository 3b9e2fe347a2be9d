package practice

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/availability"
	"github.com/calmally/practice/internal/backend"
	"github.com/calmally/practice/internal/bookings"
	"github.com/calmally/practice/internal/sync"
	"github.com/calmally/practice/internal/sync/synctest"
	"github.com/calmally/practice/internal/sync/wire"
	"github.com/calmally/practice/internal/vault"
)

// refBackend is the reference backend over HTTPS on loopback, and the CA
// file that makes the app trust it (CALMALLY_SYNC_CA).
type refBackend struct {
	b      *backend.Backend
	url    string
	caFile string
}

func startRefBackend(t testing.TB, o backend.Options) *refBackend {
	t.Helper()
	b, err := backend.Open(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := b.Start(backend.ServerOptions{})
	if err != nil {
		b.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close(); b.Close() })
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := srv.WriteCA(ca); err != nil {
		t.Fatal(err)
	}
	return &refBackend{b: b, url: srv.URL(), caFile: ca}
}

func (r *refBackend) code(t testing.TB) string {
	t.Helper()
	c, _, err := r.b.IssueEnrolmentCode(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (r *refBackend) booking(t testing.TB, id string) wire.Booking {
	t.Helper()
	e, err := r.b.Entity(context.Background(), wire.TypeBooking, id)
	if err != nil {
		t.Fatal(err)
	}
	var b wire.Booking
	if err := json.Unmarshal(e.Data, &b); err != nil {
		t.Fatal(err)
	}
	return b
}

// enrolFixture is an unlocked profile whose sync options point at a backend.
func enrolFixture(t *testing.T, so SyncOptions) (*fixture, *Practice) {
	t.Helper()
	f := newFixture(t)
	f.clock.t = time.Now().UTC() // the backend's TLS certificate and codes use the real clock
	p := f.openWith(t, so)
	mustCreate(t, p, false)
	return f, p
}

func (f *fixture) openWith(t *testing.T, so SyncOptions) *Practice {
	t.Helper()
	p, err := Open(context.Background(), Options{DataDir: f.dir, Keychain: f.kc, Now: f.clock.Now, KDF: vault.MinimumKDF,
		Sleep: func(time.Duration) {}, Sync: so})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func (f *fixture) tokenItems() int {
	f.kc.mu.Lock()
	defer f.kc.mu.Unlock()
	n := 0
	for k := range f.kc.items {
		if len(k) > 11 && k[:11] == "sync-token-" {
			n++
		}
	}
	return n
}

func syncAudit(t *testing.T, p *Practice) []string {
	t.Helper()
	entries, _, err := p.AuditList(context.Background(), audit.Filter{Action: audit.ActionSync})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Detail)
	}
	return out
}

func TestSyncEnrolConfirmRoundTripForget(t *testing.T) {
	ref := startRefBackend(t, backend.Options{})
	f, p := enrolFixture(t, SyncOptions{CAFile: ref.caFile})
	ctx := context.Background()
	st, err := p.SyncEnrol(ctx, ref.url, ref.code(t))
	if err != nil {
		t.Fatal(err)
	}
	if !st.Enrolled || st.DeviceID == "" || st.BackendURL != ref.url || f.tokenItems() != 1 {
		t.Fatalf("status %+v, %d token items", st, f.tokenItems())
	}
	// The platform has a booking; it comes down, is confirmed here, goes up.
	start := time.Now().UTC().Add(48 * time.Hour).Truncate(time.Hour)
	bk, err := ref.b.PutBooking(ctx, wire.Booking{Start: start, End: start.Add(50 * time.Minute), Modality: "in_person",
		PaymentStatus: "paid", ClientLabel: "Client A."})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := p.SyncRound(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Pulled != 1 || sum.Applied != 1 {
		t.Fatalf("first round %+v", sum)
	}
	local, err := p.Bookings().Get(ctx, bk.ID)
	if err != nil || local.Status != bookings.Requested {
		t.Fatalf("local booking %+v, %v", local, err)
	}
	if _, err := p.Bookings().Confirm(ctx, bk.ID); err != nil {
		t.Fatal(err)
	}
	if sum, err = p.SyncRound(ctx); err != nil || sum.Pushed != 1 {
		t.Fatalf("second round %+v, %v", sum, err)
	}
	if got := ref.booking(t, bk.ID); got.Status != "confirmed" {
		t.Fatalf("the platform has %s", got.Status)
	}
	st, _ = p.SyncStatus(ctx)
	if st.State != sync.StateIdle || st.Pending != 0 || st.LastSyncedAt.IsZero() {
		t.Fatalf("status %+v", st)
	}
	// The token is in the keychain, never in the database files.
	token, err := p.syncToken(ctx)
	if err != nil {
		t.Fatal(err)
	}
	AssertNoMarker(t, f.dir, token)

	if err := p.SyncForget(ctx); err != nil {
		t.Fatal(err)
	}
	devs, err := ref.b.Devices(ctx)
	if err != nil || len(devs) != 1 || devs[0].RevokedAt == nil {
		t.Fatalf("the device was not revoked upstream: %+v, %v", devs, err)
	}
	if f.tokenItems() != 0 {
		t.Fatal("the token is still in the keychain")
	}
	if st, _ = p.SyncStatus(ctx); st.Enrolled || st.State != sync.StateNeedsEnrolment {
		t.Fatalf("status after forget %+v", st)
	}
	if _, err := p.SyncRound(ctx); apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("a round after forget: %v", err)
	}
	trail := syncAudit(t, p) // newest first
	if len(trail) != 2 || trail[1] != "op=enrol device="+devs[0].ID+" region=in" ||
		trail[0] != "op=forget device="+devs[0].ID+" revoked=yes" {
		t.Fatalf("sync audit trail %q", trail)
	}
}

func TestSyncEnrolRefusals(t *testing.T) {
	fake := synctest.NewFake(synctest.FakeOptions{})
	so := SyncOptions{newTransport: func(string) (sync.Transport, error) { return fake, nil }}
	f, p := enrolFixture(t, so)
	ctx := context.Background()
	for _, url := range []string{"http://sync.example.in", "http://127.0.0.1:8080", "ftp://x", "https://u:p@sync.example.in"} {
		if _, err := p.SyncEnrol(ctx, url, fake.EnrolmentCode(t)); apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("%s: %v", url, err)
		}
	}
	if fake.Calls("/v1/info") != 0 {
		t.Fatal("a refused URL was contacted")
	}
	if _, err := p.SyncEnrol(ctx, "https://sync.example.in", "WRONG-CODE"); apperr.CodeOf(err) != apperr.Forbidden {
		t.Fatalf("bad code: %v", err)
	}
	if _, err := p.SyncEnrol(ctx, "https://sync.example.in", " "); apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("empty code: %v", err)
	}
	if st, _ := p.SyncStatus(ctx); st.Enrolled || f.tokenItems() != 0 {
		t.Fatalf("a failed enrolment left state %+v, %d tokens", st, f.tokenItems())
	}
	// Development mode allows plain http to loopback, and only there.
	_, p2 := enrolFixture(t, SyncOptions{DevMode: true, newTransport: so.newTransport})
	if _, err := p2.SyncEnrol(ctx, "http://127.0.0.1:8080", fake.EnrolmentCode(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := p2.SyncEnrol(ctx, "http://sync.example.in", fake.EnrolmentCode(t)); apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("dev mode, plain http elsewhere: %v", err)
	}
	// Locked: nothing.
	p2.Lock(ctx, "user")
	if _, err := p2.SyncEnrol(ctx, "https://sync.example.in", fake.EnrolmentCode(t)); apperr.CodeOf(err) != apperr.Locked {
		t.Fatalf("enrol while locked: %v", err)
	}
	if st, err := p2.SyncStatus(ctx); err != nil || st.State != sync.StateLocked || !st.Enrolled {
		t.Fatalf("status while locked %+v, %v", st, err)
	}
}

// TestSyncReplacesEnrolment: enrolling again revokes the old device.
func TestSyncReplacesEnrolment(t *testing.T) {
	fake := synctest.NewFake(synctest.FakeOptions{})
	f, p := enrolFixture(t, SyncOptions{newTransport: func(string) (sync.Transport, error) { return fake, nil }})
	ctx := context.Background()
	first, err := p.SyncEnrol(ctx, "https://sync.example.in", fake.EnrolmentCode(t))
	if err != nil {
		t.Fatal(err)
	}
	oldToken, _ := p.syncToken(ctx)
	second, err := p.SyncEnrol(ctx, "https://sync.example.in", fake.EnrolmentCode(t))
	if err != nil {
		t.Fatal(err)
	}
	if second.DeviceID == first.DeviceID || f.tokenItems() != 1 {
		t.Fatalf("second enrolment %+v", second)
	}
	if _, err := fake.Pull(ctx, oldToken, "", 1); sync.CodeOfErr(err) != wire.CodeTokenRevoked {
		t.Fatalf("the replaced token still works: %v", err)
	}
}

// TestSyncParkedRetryDiscard: the platform cancels a booking the
// practitioner confirms offline; the push is rejected and parked, the
// platform's state wins, and the parked change can be retried or discarded.
func TestSyncParkedRetryDiscard(t *testing.T) {
	ref := startRefBackend(t, backend.Options{})
	_, p := enrolFixture(t, SyncOptions{CAFile: ref.caFile})
	ctx := context.Background()
	if _, err := p.SyncEnrol(ctx, ref.url, ref.code(t)); err != nil {
		t.Fatal(err)
	}
	start := time.Now().UTC().Add(72 * time.Hour).Truncate(time.Hour)
	bk, err := ref.b.PutBooking(ctx, wire.Booking{Start: start, End: start.Add(time.Hour), Modality: "in_person", ClientLabel: "Client B."})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.SyncNow(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := ref.b.UpdateBooking(ctx, bk.ID, "cancelled_by_client", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Bookings().Confirm(ctx, bk.ID); err != nil {
		t.Fatal(err)
	}
	sum, err := p.SyncRound(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Parked != 1 || sum.Conflicts != 1 {
		t.Fatalf("round %+v: want the confirmation parked and a conflict shown", sum)
	}
	parked, err := p.SyncParked(ctx)
	if err != nil || len(parked) != 1 || parked[0].Code != wire.CodeBookingConflict || parked[0].EntityID != bk.ID ||
		parked[0].Kind != wire.KindBookingConfirm {
		t.Fatalf("parked %+v, %v", parked, err)
	}
	if local, _ := p.Bookings().Get(ctx, bk.ID); local.Status != bookings.CancelledByClient {
		t.Fatalf("the platform's state must win: %s", local.Status)
	}
	// Retry: a new mutation id, rejected again for the same reason.
	if err := p.SyncRetryParked(ctx, parked[0].OutboxID); err != nil {
		t.Fatal(err)
	}
	if st, _ := p.SyncStatus(ctx); st.Pending != 1 || st.Parked != 0 {
		t.Fatalf("after retry %+v", st)
	}
	if sum, err = p.SyncRound(ctx); err != nil || sum.Parked != 1 {
		t.Fatalf("retried round %+v, %v", sum, err)
	}
	again, _ := p.SyncParked(ctx)
	if len(again) != 1 || again[0].MutationID <= parked[0].MutationID {
		t.Fatalf("retried under the same mutation id: %+v", again)
	}
	if err := p.SyncDiscardParked(ctx, again[0].OutboxID); err != nil {
		t.Fatal(err)
	}
	if left, _ := p.SyncParked(ctx); len(left) != 0 {
		t.Fatalf("parked after discard %+v", left)
	}
	if err := p.SyncDiscardParked(ctx, again[0].OutboxID); apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("discard twice: %v", err)
	}
	if err := p.SyncRetryParked(ctx, "not-an-id"); apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("retry of a bad id: %v", err)
	}
	trail := syncAudit(t, p)
	if len(trail) != 3 || trail[0] != "op=discard_parked outbox="+again[0].OutboxID || trail[1] != "op=retry_parked outbox="+parked[0].OutboxID {
		t.Fatalf("sync audit trail %q", trail)
	}
}

// TestSyncBackgroundStartsAtUnlockStopsAtLock: with background sync on, an
// unlocked enrolled profile syncs by itself; locking stops it.
func TestSyncBackgroundStartsAtUnlockStopsAtLock(t *testing.T) {
	fake := synctest.NewFake(synctest.FakeOptions{})
	so := SyncOptions{Background: true, newTransport: func(string) (sync.Transport, error) { return fake, nil }}
	_, p := enrolFixture(t, so)
	ctx := context.Background()
	events := make(chan sync.State, 100)
	p.OnSyncStatus(func(s sync.Status) {
		select { // a callback must not block
		case events <- s.State:
		default:
		}
	})
	progress := make(chan sync.Progress, 100)
	p.OnSyncProgress(func(pr sync.Progress) {
		select {
		case progress <- pr:
		default:
		}
	})
	if _, err := p.SyncEnrol(ctx, "https://sync.example.in", fake.EnrolmentCode(t)); err != nil {
		t.Fatal(err)
	}
	waitState := func(want sync.State) {
		t.Helper()
		deadline := time.After(10 * time.Second)
		for {
			select {
			case s := <-events:
				if s == want {
					return
				}
			case <-deadline:
				t.Fatalf("no %s status", want)
			}
		}
	}
	waitState(sync.StateIdle) // the round after enrolment
	p.Lock(ctx, "user")
	waitState(sync.StateLocked)
	calls := fake.Calls("/v1/info")
	time.Sleep(50 * time.Millisecond)
	if fake.Calls("/v1/info") != calls {
		t.Fatal("sync went on while locked")
	}
	// A later unlock syncs again.
	start := time.Now().UTC().Add(24 * time.Hour).Truncate(time.Hour)
	fake.PutBooking(t, wire.Booking{ID: "0195f3a2-7b1c-7d00-8000-0000000000b1", Status: "requested", Start: start,
		End: start.Add(time.Hour), Modality: "in_person", FeePaise: 100000, PaymentStatus: "pending", ClientLabel: "C."})
	if err := p.Unlock(ctx, []byte(goodPass)); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(10 * time.Second)
	for pulled := false; !pulled; {
		select {
		case pr := <-progress:
			pulled = pr.Phase == sync.PhaseDone && pr.Applied == 1
		case <-deadline:
			t.Fatal("no round after the unlock")
		}
	}
	if _, err := p.Bookings().Get(ctx, "0195f3a2-7b1c-7d00-8000-0000000000b1"); err != nil {
		t.Fatal(err)
	}
}

// TestSyncRegionRefusedUntilAllowed: a backend outside India is refused;
// with cross-border on, a booking of a client without cross-border consent
// is held back (parked consent_required) and the rest goes.
func TestSyncRegionRefusedUntilAllowed(t *testing.T) {
	fake := synctest.NewFake(synctest.FakeOptions{Region: "SG"})
	_, p := enrolFixture(t, SyncOptions{newTransport: func(string) (sync.Transport, error) { return fake, nil }})
	ctx := context.Background()
	if _, err := p.SyncEnrol(ctx, "https://sync.example.sg", fake.EnrolmentCode(t)); err != nil {
		t.Fatal(err)
	}
	if err := p.SyncNow(ctx); apperr.CodeOf(err) != apperr.Forbidden {
		t.Fatalf("round with a backend in SG: %v", err)
	}
	st, _ := p.SyncStatus(ctx)
	if st.State != sync.StateRegionRefused || st.LastError == nil || st.LastError.Code != sync.CodeRegionRefused {
		t.Fatalf("status %+v", st)
	}
	if fake.Calls("/v1/pull") != 0 || fake.Calls("/v1/push") != 0 {
		t.Fatal("data was exchanged with a backend outside India")
	}
	if err := p.SyncSetCrossBorder(ctx, true); err != nil {
		t.Fatal(err)
	}
	// An availability publish concerns no client: it goes.
	p.mustPublishAvailability(t)
	sum, err := p.SyncRound(ctx)
	if err != nil || sum.Pushed != 1 {
		t.Fatalf("round with cross-border on: %+v, %v", sum, err)
	}
}

// mustPublishAvailability saves a small weekly schedule (it queues an
// availability.publish).
func (p *Practice) mustPublishAvailability(t *testing.T) {
	t.Helper()
	sch, err := availability.Decode(strings.NewReader(`{"ruleSets":[{"zone":"Asia/Kolkata","sessionMinutes":50,` +
		`"horizonDays":30,"modality":"online","weekly":[{"day":"mon","start":"09:00","end":"12:00"}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Availability().Set(context.Background(), sch); err != nil {
		t.Fatal(err)
	}
}
