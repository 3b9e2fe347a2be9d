package app

import (
	"context"
	"path/filepath"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/calmally/practice/internal/backend"
	"github.com/calmally/practice/internal/backend/backendtest"
	"github.com/calmally/practice/internal/vault"
)

// syncRuntime records the sync events the UI would receive.
type syncRuntime struct {
	mu       gosync.Mutex
	statuses []SyncStatusDTO
	phases   []string
}

func (r *syncRuntime) Emit(name string, payload any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch v := payload.(type) {
	case SyncStatusDTO:
		if name == EventSyncStatus {
			r.statuses = append(r.statuses, v)
		}
	case SyncProgressDTO:
		if name == EventSyncProgress {
			r.phases = append(r.phases, v.Phase)
		}
	}
}

func (r *syncRuntime) seen() ([]SyncStatusDTO, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]SyncStatusDTO{}, r.statuses...), append([]string{}, r.phases...)
}

// newSyncTestApp is an unlocked app whose transport trusts env's
// certificate (CALMALLY_SYNC_CA, as the e2e run sets it).
func newSyncTestApp(t *testing.T, env *backendtest.Env, rt Runtime) *App {
	t.Helper()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := env.Server.WriteCA(ca); err != nil {
		t.Fatal(err)
	}
	t.Setenv("CALMALLY_SYNC_CA", ca)
	a, _ := New(Config{DataDir: t.TempDir(), Keychain: &memKeychain{m: map[string][]byte{}}, KDF: vault.MinimumKDF})
	a.start(context.Background(), rt)
	t.Cleanup(a.stop)
	if _, err := a.CreateVault(CreateVaultRequest{Passphrase: "meadow-lantern-copper-orbit-7-thistle"}); err != nil {
		t.Fatal(err)
	}
	return a
}

// settled waits out a background round still running (the loop's first
// round after connecting may queue behind "Sync now") and returns the status.
func settled(t *testing.T, a *App) SyncStatusDTO {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		s, err := a.SyncStatus()
		if err != nil {
			t.Fatal(err)
		}
		if s.State != "syncing" || time.Now().After(deadline) {
			return s
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// syncNow runs a round and waits for the background one it may have
// started behind it.
func syncNow(t *testing.T, a *App) SyncStatusDTO {
	t.Helper()
	if _, err := a.SyncNow(); err != nil {
		t.Fatal(err)
	}
	return settled(t, a)
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if err == nil || !strings.HasPrefix(err.Error(), code+": ") {
		t.Fatalf("%s: got %v, want %s", what, err, code)
	}
}

// TestSyncMethods drives the sync screens' path through the bound methods
// against the real reference backend over TLS: refused connections, connect,
// a round with its events, the demo practice arriving (an under-18 proposal
// refused), an accepted match bringing its client, a local confirm the
// platform overruled (parked, and a conflict), discard and dismiss, lock,
// and disconnect.
func TestSyncMethods(t *testing.T) {
	env := backendtest.Start(t, backend.Options{})
	ctx := context.Background()
	seed, err := env.Backend.SeedDemo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rt := &syncRuntime{}
	a := newSyncTestApp(t, env, rt)

	s, err := a.SyncStatus()
	if err != nil || s.State != "not_connected" || s.Connected {
		t.Fatalf("before connecting: %+v %v", s, err)
	}
	_, err = a.SyncNow()
	wantCode(t, "sync before connecting", err, "not_found")
	_, err = a.SyncConnect(SyncConnectDTO{BackendURL: strings.Replace(env.URL, "https://", "http://", 1), EnrolmentCode: seed.EnrolmentCode})
	wantCode(t, "plain http", err, "invalid")
	_, err = a.SyncConnect(SyncConnectDTO{BackendURL: env.URL, EnrolmentCode: "NOT-A-CODE"})
	wantCode(t, "wrong code", err, "forbidden")
	if !strings.Contains(err.Error(), "enrolment code") {
		t.Fatalf("wrong code message: %v", err)
	}

	s, err = a.SyncConnect(SyncConnectDTO{BackendURL: " " + env.URL + " ", EnrolmentCode: seed.EnrolmentCode})
	if err != nil || !s.Connected || s.BackendURL != env.URL || s.DeviceID == "" {
		t.Fatalf("connect: %+v %v", s, err)
	}
	s, err = a.SyncNow()
	if err != nil || (s.State != "idle" && s.State != "syncing") || s.LastSyncedAt == "" || s.Region != "IN" || s.ErrorCode != "" {
		t.Fatalf("first round: %+v %v", s, err)
	}
	// The refusal of the under-18 proposal goes up with the next round.
	if s = syncNow(t, a); s.State != "idle" || s.Pending != 0 {
		t.Fatalf("second round: %+v", s)
	}
	if refused, err := env.Backend.MinorRefusals(ctx); err != nil || len(refused) != 1 {
		t.Fatalf("minor refusals at the backend: %+v %v", refused, err)
	}
	statuses, phases := rt.seen()
	if len(statuses) == 0 || statuses[len(statuses)-1].State != "idle" || !strings.Contains(strings.Join(phases, ","), "pull") {
		t.Fatalf("events: statuses %+v phases %v", statuses, phases)
	}

	// Two adult proposals; the under-18 one was refused and not stored.
	ms, err := a.MatchesList()
	if err != nil || len(ms) != 2 {
		t.Fatalf("matches: %+v %v", ms, err)
	}
	var adult string
	for _, m := range ms {
		if m.AgeBand == "under-18" {
			t.Fatalf("an under-18 proposal is listed: %+v", m)
		}
		if m.AgeBand == "25-34" {
			adult = m.ID
		}
	}
	if _, err := a.MatchAccept(adult); err != nil {
		t.Fatal(err)
	}
	if s = syncNow(t, a); s.State != "idle" || s.Pending != 0 {
		t.Fatalf("round after accepting: %+v", s)
	}
	cl, err := a.ClientsList(ClientFilterDTO{})
	if err != nil || len(cl.Clients) != 1 || cl.Clients[0].Name != "Ananya Rao" {
		t.Fatalf("clients after the match: %+v %v", cl, err)
	}

	// The client cancels on the platform while the therapist confirms here.
	kol, _ := time.LoadLocation("Asia/Kolkata")
	now := time.Now().In(kol)
	list, err := a.BookingsList(now.Format("2006-01-02"), now.AddDate(0, 0, 14).Format("2006-01-02"))
	if err != nil {
		t.Fatal(err)
	}
	var lakshmi BookingDTO
	for _, b := range list.Bookings {
		if b.ClientLabel == "Lakshmi N." {
			lakshmi = b
		}
	}
	if lakshmi.Status != "requested" {
		t.Fatalf("seeded requested booking: %+v", lakshmi)
	}
	if _, err := env.Backend.UpdateBooking(ctx, lakshmi.ID, "cancelled_by_client", "refunded"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.BookingConfirm(lakshmi.ID); err != nil {
		t.Fatal(err)
	}
	if s = syncNow(t, a); s.Parked != 1 {
		t.Fatalf("round after the clash: %+v", s)
	}
	parked, err := a.SyncParked()
	if err != nil || len(parked) != 1 || parked[0].Kind != "booking.confirm" || parked[0].Reason != "booking_conflict" ||
		parked[0].EntityID != lakshmi.ID {
		t.Fatalf("parked: %+v %v", parked, err)
	}
	conflicts, err := a.ConflictsList()
	if err != nil || len(conflicts) != 1 || conflicts[0].Label != "Lakshmi N." || conflicts[0].Platform != "cancelled_by_client" ||
		conflicts[0].LocalState != "confirmed" {
		t.Fatalf("conflicts: %+v %v", conflicts, err)
	}
	wantCode(t, "discard unknown", a.SyncDiscardParked("0190f0a0-0000-7000-8000-00000000ffff"), "not_found")
	if err := a.SyncDiscardParked(parked[0].OutboxID); err != nil {
		t.Fatal(err)
	}
	if err := a.ConflictDismiss(conflicts[0].ID); err != nil {
		t.Fatal(err)
	}
	if ps, _ := a.SyncParked(); len(ps) != 0 {
		t.Fatalf("parked after discard: %+v", ps)
	}
	if cs, _ := a.ConflictsList(); len(cs) != 0 {
		t.Fatalf("conflicts after dismiss: %+v", cs)
	}

	// Locked: the state says so and no round starts.
	if err := a.Lock(); err != nil {
		t.Fatal(err)
	}
	if s, err = a.SyncStatus(); err != nil || s.State != "locked" || !s.Connected {
		t.Fatalf("locked: %+v %v", s, err)
	}
	_, err = a.SyncNow()
	wantCode(t, "sync while locked", err, "locked")
	if _, err := a.Unlock("meadow-lantern-copper-orbit-7-thistle"); err != nil {
		t.Fatal(err)
	}

	s, err = a.SyncDisconnect()
	if err != nil || s.Connected || s.State != "not_connected" {
		t.Fatalf("disconnect: %+v %v", s, err)
	}
	devs, err := env.Backend.Devices(ctx)
	if err != nil || len(devs) != 1 || devs[0].RevokedAt == nil {
		t.Fatalf("backend devices after disconnect: %+v %v", devs, err)
	}
}
