package practice

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/calmally/practice/internal/backend"
	"github.com/calmally/practice/internal/sync/wire"
	"github.com/calmally/practice/internal/vault"
)

// The sync figures of DESIGN.md section 8 with everything real: the
// reference backend over TLS on loopback, the HTTPS transport, the engine,
// and this profile's applier writing sealed bookings (with their audit
// entries) into SQLite. scripts/bench.sh prints them beside the engine's
// own figures and the raw-fetch baseline (internal/sync).

func benchProfile(b *testing.B, ref *refBackend) *Practice {
	b.Helper()
	p, err := Open(context.Background(), Options{DataDir: filepath.Join(b.TempDir(), "profile"), Keychain: newMemKeychain(),
		KDF: vault.MinimumKDF, Sleep: func(time.Duration) {}, Sync: SyncOptions{CAFile: ref.caFile}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { p.Close() })
	if _, err := p.Create(context.Background(), []byte(goodPass), false); err != nil {
		b.Fatal(err)
	}
	waitIndexBuild(p)
	if _, err := p.SyncEnrol(context.Background(), ref.url, ref.code(b)); err != nil {
		b.Fatal(err)
	}
	return p
}

// BenchmarkSyncPull10k: a newly enrolled profile pulls 10,000 bookings and
// applies every one (sealed, audited, durable).
func BenchmarkSyncPull10k(b *testing.B) {
	const n = 10_000
	ref := startRefBackend(b, backend.Options{})
	if err := ref.b.SeedBookings(context.Background(), n, time.Time{}); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		b.StopTimer()
		p := benchProfile(b, ref)
		b.StartTimer()
		sum, err := p.SyncRound(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		if sum.Applied != n {
			b.Fatalf("applied %d of %d", sum.Applied, n)
		}
	}
}

// BenchmarkSyncRoundTrip: the practitioner confirms a booking here; one
// round pushes it, the backend applies it, and the pull brings the
// platform's new version back and applies it.
func BenchmarkSyncRoundTrip(b *testing.B) {
	ref := startRefBackend(b, backend.Options{})
	p := benchProfile(b, ref)
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		start := time.Now().UTC().Add(time.Duration(24+i) * time.Hour).Truncate(time.Hour)
		bk, err := ref.b.PutBooking(ctx, wire.Booking{Start: start, End: start.Add(50 * time.Minute), Modality: "in_person", ClientLabel: "C."})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := p.SyncRound(ctx); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := p.Bookings().Confirm(ctx, bk.ID); err != nil {
			b.Fatal(err)
		}
		sum, err := p.SyncRound(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if sum.Pushed != 1 || sum.Applied != 1 {
			b.Fatalf("round %+v", sum)
		}
	}
}
