package practice

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/calmally/practice/internal/ids"
	"github.com/calmally/practice/internal/sync/wire"
	"github.com/calmally/practice/internal/vault"
)

// BenchmarkApplyPlatformBooking measures the applier's share of a pull: one
// new platform booking decoded, validated, sealed, stored and audited in
// its own transaction, as the sync engine applies each pulled change. The
// s/10k metric is that cost for the 10,000-booking pull of DESIGN.md §8.
func BenchmarkApplyPlatformBooking(b *testing.B) {
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	p, err := Open(ctx, Options{DataDir: filepath.Join(b.TempDir(), "profile"), Keychain: newMemKeychain(),
		Now: clk.Now, KDF: vault.MinimumKDF, Sleep: func(time.Duration) {}})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	if _, err := p.Create(ctx, []byte(goodPass), false); err != nil {
		b.Fatal(err)
	}
	changes := make([]wire.Change, b.N)
	start := clk.Now().Add(24 * time.Hour)
	for i := range changes {
		id := ids.New(clk.Now().Add(time.Duration(i) * time.Millisecond))
		raw, _ := json.Marshal(bookingData(id, "confirmed", start.Add(time.Duration(i)*time.Hour), "paid", 150000, "", "Client"))
		changes[i] = wire.Change{Type: wire.TypeBooking, ID: id, Version: 1}
		if err := json.Unmarshal(raw, &changes[i].Data); err != nil {
			b.Fatal(err)
		}
	}
	a := p.syncApplier()
	b.ResetTimer()
	for i := range b.N {
		if err := a.Apply(ctx, changes[i]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N)*10000, "s/10k")
}
