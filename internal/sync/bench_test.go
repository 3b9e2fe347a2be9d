package sync_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/store"
	"github.com/calmally/practice/internal/sync"
	"github.com/calmally/practice/internal/sync/synctest"
	"github.com/calmally/practice/internal/sync/wire"
)

// The sync figures of DESIGN.md section 8, against the reference backend
// over TLS on loopback (scripts/bench.sh prints them).

const benchBookings = 10_000

// benchEnv is an env on a reference backend, built for a benchmark.
func benchEnv(b *testing.B, r *refServer) *env {
	b.Helper()
	e := &env{ctx: context.Background(), path: filepath.Join(b.TempDir(), store.FileName), keys: testKeys(b),
		h: synctest.Harness{Transport: r.transport, Platform: refPlatform{r.backend}}, clock: &clock{t: time.Now().UTC()}, app: newRecApplier()}
	db, err := store.Open(e.ctx, e.path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	e.db, e.sync = db, store.NewSyncStore(db)
	e.chain = audit.NewChain(e.keys.Subkey("audit-mac"))
	if _, err := e.db.AppendAudit(e.ctx, e.chain, audit.Entry{At: e.clock.Now(), Actor: "bench", Action: audit.ActionVaultCreated}); err != nil {
		b.Fatal(err)
	}
	dev, err := r.transport.Enrol(e.ctx, wire.EnrolRequest{EnrolmentCode: refPlatform{r.backend}.EnrolmentCode(b), DeviceName: "Bench"})
	if err != nil {
		b.Fatal(err)
	}
	e.dev = dev
	st := store.SyncState{BackendURL: "https://127.0.0.1", DeviceID: dev.DeviceID, TherapistID: dev.TherapistID, EnrolledAt: e.clock.Now()}
	if err := e.sync.Enrol(e.ctx, st, e.chain, audit.Entry{At: e.clock.Now(), Actor: "bench", Action: audit.ActionSync, Detail: "op=enrol"}); err != nil {
		b.Fatal(err)
	}
	return e
}

func (e *env) benchEngine(b *testing.B) *sync.Engine {
	eng, err := sync.New(sync.Config{Transport: e.h.Transport, Store: e.sync, Applier: e.app, Now: e.clock.Now,
		Keys:     func() (sync.Sealer, error) { return e.keys, nil },
		Token:    func(context.Context) (string, error) { return e.dev.Token, nil },
		PageSize: wire.MaxPageChanges})
	if err != nil {
		b.Fatal(err)
	}
	return eng
}

// BenchmarkPull10k: a new device pulls 10,000 bookings.
//
//   - engine: the whole pull path of a round — HTTPS fetch, JSON decode and
//     validation, each change sealed and stored with its page's cursor in
//     one transaction, then opened, handed to the applier and settled
//     (inbox row removed, version recorded) durably. The applier here only
//     records the change in memory, so this is the engine's own cost; the
//     practice benchmark adds the real applier writing bookings.
//   - fetch: the baseline: the same pages fetched and decoded by the same
//     transport, nothing stored or applied — what the network and the
//     protocol cost on their own.
func BenchmarkPull10k(b *testing.B) {
	r := startRef(b, synctest.Options{})
	if err := r.backend.SeedBookings(context.Background(), benchBookings, time.Time{}); err != nil {
		b.Fatal(err)
	}
	b.Run("engine", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			e := benchEnv(b, r)
			eng := e.benchEngine(b)
			b.StartTimer()
			sum, err := eng.Round(e.ctx)
			if err != nil {
				b.Fatal(err)
			}
			if sum.Applied != benchBookings {
				b.Fatalf("applied %d", sum.Applied)
			}
		}
	})
	b.Run("fetch", func(b *testing.B) {
		e := benchEnv(b, r)
		for b.Loop() {
			n, cursor := 0, ""
			for {
				p, err := r.transport.Pull(e.ctx, e.dev.Token, cursor, wire.MaxPageChanges)
				if err != nil {
					b.Fatal(err)
				}
				n += len(p.Changes)
				cursor = p.Cursor
				if !p.More {
					break
				}
			}
			if n != benchBookings {
				b.Fatalf("fetched %d", n)
			}
		}
	})
}

// BenchmarkRoundTrip: one local change (a sealed outbox row committed, as a
// booking confirmation writes it) reaches the backend, is applied there and
// comes back in the same round's pull: info + push + pull over HTTPS, the
// outbox settled and the returned change stored and applied.
func BenchmarkRoundTrip(b *testing.B) {
	r := startRef(b, synctest.Options{})
	e := benchEnv(b, r)
	eng := e.benchEngine(b)
	if _, err := eng.Round(e.ctx); err != nil {
		b.Fatal(err)
	}
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		bk := synctest.Booking(time.Now(), 24+i)
		if _, err := r.backend.PutBooking(e.ctx, bk); err != nil {
			b.Fatal(err)
		}
		if _, err := eng.Round(e.ctx); err != nil { // the booking arrives first
			b.Fatal(err)
		}
		b.StartTimer()
		e.confirm(b, bk.ID)
		sum, err := eng.Round(e.ctx)
		if err != nil {
			b.Fatal(err)
		}
		if sum.Pushed != 1 || sum.Applied != 1 {
			b.Fatalf("round %+v", sum)
		}
	}
}
