//go:build unix

package crashtest

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/calmally/practice/internal/backend"
	"github.com/calmally/practice/internal/bookings"
	"github.com/calmally/practice/internal/practice"
	"github.com/calmally/practice/internal/sync/wire"
	"github.com/calmally/practice/internal/vault"
)

// Sync in the crash bursts: the parent runs the reference backend (HTTPS on
// loopback, its database on disk) for the whole test; the profile is
// enrolled once at setup, its device token in a file-backed keychain the
// child reads too. The child adds walk-ins (each queues a booking.walk_in
// mutation in the outbox, in the walk-in's own transaction) and runs sync
// rounds; its backups are uploaded to the backend as well. After each kill
// the parent runs a round of its own and checks that every acknowledged
// walk-in reached the backend exactly once and that every copy the profile
// recorded as uploaded is on the backend with the same digest.

// Environment the parent hands the child, besides crash_test.go's.
const (
	envCA       = "CALMALLY_CRASHTEST_CA"
	envKeychain = "CALMALLY_CRASHTEST_KEYCHAIN"
)

// fileKeychain keeps each item in a file named by its account, so that
// the child processes see what setup stored.
type fileKeychain struct{ dir string }

var _ vault.Keychain = fileKeychain{}

func (k fileKeychain) path(account string) (string, error) {
	if k.dir == "" || account == "" {
		return "", fmt.Errorf("file keychain: no folder or account: %w", vault.ErrKeychainUnavailable)
	}
	return filepath.Join(k.dir, hex.EncodeToString([]byte(account))), nil
}

func (k fileKeychain) Get(account string) ([]byte, error) {
	p, err := k.path(account)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("file keychain: %w", vault.ErrKeychainItemMissing)
	}
	return b, err
}

func (k fileKeychain) Set(account string, secret []byte) error {
	p, err := k.path(account)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(k.dir, 0o700); err != nil {
		return err
	}
	return os.WriteFile(p, secret, 0o600)
}

func (k fileKeychain) Delete(account string) error {
	p, err := k.path(account)
	if err != nil {
		return err
	}
	if err := os.Remove(p); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("file keychain: %w", vault.ErrKeychainItemMissing)
	} else {
		return err
	}
}

// crashBackend is the reference backend the bursts sync with.
type crashBackend struct {
	b      *backend.Backend
	url    string
	caFile string
}

func startCrashBackend(t *testing.T, root string) *crashBackend {
	t.Helper()
	b, err := backend.Open(context.Background(), backend.Options{DBPath: filepath.Join(root, "backend.db")})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := b.Start(backend.ServerOptions{})
	if err != nil {
		b.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close(); b.Close() })
	ca := filepath.Join(root, "backend-ca.pem")
	if err := srv.WriteCA(ca); err != nil {
		t.Fatal(err)
	}
	t.Setenv(envCA, ca)
	t.Setenv(envKeychain, filepath.Join(root, "keychain"))
	return &crashBackend{b: b, url: srv.URL(), caFile: ca}
}

// enrol connects the (unlocked) profile to the backend.
func (cb *crashBackend) enrol(t *testing.T, p *practice.Practice) {
	t.Helper()
	code, _, err := cb.b.IssueEnrolmentCode(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.SyncEnrol(context.Background(), cb.url, code); err != nil {
		t.Fatal(err)
	}
}

// walkIn adds a walk-in at a time no other one of this test takes.
func walkIn(ctx context.Context, p *practice.Practice, seed uint64, i int) (string, error) {
	start := time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(seed*100_000+uint64(i)) * time.Hour)
	b, err := p.Bookings().AddWalkIn(ctx, bookings.WalkIn{ClientLabel: "Walk-in", Start: start, End: start.Add(50 * time.Minute)})
	return b.ID, err
}

// checkSync runs a round from the reopened, unlocked profile and checks
// that every acknowledged walk-in reached the backend exactly once, nothing
// is left in the outbox, and every copy recorded as uploaded is whole on
// the backend.
func checkSync(t *testing.T, ctx context.Context, p *practice.Practice, cb *crashBackend, walkIns map[string]bool) (int, int) {
	t.Helper()
	if _, err := p.SyncRound(ctx); err != nil {
		t.Fatalf("sync round after kill: %v", err)
	}
	st, err := p.SyncStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Pending != 0 || st.Parked != 0 {
		t.Fatalf("after a round: %d changes pending, %d parked", st.Pending, st.Parked)
	}
	muts, err := cb.b.Mutations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	applied := map[string]int{}
	for _, m := range muts {
		if m.Kind == wire.KindBookingWalkIn {
			if m.Status != wire.ResultApplied {
				t.Fatalf("walk-in %s %s (%s) at the backend", m.EntityID, m.Status, m.Code)
			}
			applied[m.EntityID]++
		}
	}
	for id, n := range applied {
		if n != 1 {
			t.Fatalf("walk-in %s pushed %d times", id, n)
		}
	}
	for id := range walkIns {
		if applied[id] != 1 {
			t.Fatalf("acknowledged walk-in %s never reached the backend", id)
		}
	}
	// Copies recorded as uploaded are on the backend, with the digest of
	// the backup they name.
	uploaded := 0
	rows, err := p.DB().SQL().QueryContext(ctx, `SELECT c.backup_id, c.sha256, b.sha256 FROM backup_copies c
		JOIN backups b ON b.id = c.backup_id WHERE c.result = 'ok'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, sent, local string
		if err := rows.Scan(&id, &sent, &local); err != nil {
			t.Fatal(err)
		}
		c, err := cb.b.ForTherapist(cb.b.TherapistID()).BackupCopy(ctx, id)
		if err != nil || c.SHA256 != sent || sent != local {
			t.Fatalf("backup %s recorded as uploaded: backend has %+v (%v)", id, c, err)
		}
		uploaded++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return len(applied), uploaded
}
