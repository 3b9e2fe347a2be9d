package app

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/calmally/practice/internal/clients"
	"github.com/calmally/practice/internal/vault"
)

// memKeychain is an in-memory vault.Keychain for this test.
type memKeychain struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (k *memKeychain) Get(a string) ([]byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	v, ok := k.m[a]
	if !ok {
		return nil, fmt.Errorf("mem keychain: %w", vault.ErrKeychainItemMissing)
	}
	return append([]byte(nil), v...), nil
}

func (k *memKeychain) Set(a string, s []byte) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.m[a] = append([]byte(nil), s...)
	return nil
}

func (k *memKeychain) Delete(a string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.m, a)
	return nil
}

func newClientTestApp(t *testing.T) *App {
	t.Helper()
	a, _ := New(Config{DataDir: t.TempDir(), Keychain: &memKeychain{m: map[string][]byte{}}, KDF: vault.MinimumKDF})
	a.start(context.Background(), NopRuntime{})
	t.Cleanup(a.stop)
	if _, err := a.CreateVault(CreateVaultRequest{Passphrase: "meadow-lantern-copper-orbit-7-thistle"}); err != nil {
		t.Fatal(err)
	}
	return a
}

func TestClientMethods(t *testing.T) {
	a := newClientTestApp(t)
	today := clients.TodayInIndia(time.Now())

	// Under 18 through the UI: the 18th birthday is tomorrow.
	minor := time.Date(today.Year, today.Month, today.Day, 0, 0, 0, 0, time.UTC).AddDate(-18, 0, 1).Format("2006-01-02")
	_, err := a.ClientCreate(ClientInputDTO{Name: "Minor Person", DateOfBirth: minor})
	if err == nil || err.Error() != "invalid: under 18: CalmAlly serves adults only" {
		t.Fatalf("under-18 create = %v", err)
	}

	c, err := a.ClientCreate(ClientInputDTO{Name: "Asha Kumar", DateOfBirth: "1990-05-01", Phone: "98765 43210",
		EmergencyContact: EmergencyContactDTO{Name: "Ravi", Relationship: "brother", Phone: "9123456789"}})
	if err != nil {
		t.Fatal(err)
	}
	if c.Phone != "+919876543210" || c.DateOfBirth != "1990-05-01" || c.Status != "active" || c.LastInteractionAt != "" ||
		!strings.HasSuffix(c.CreatedAt, "Z") {
		t.Fatalf("created %+v", c)
	}
	got, err := a.ClientGet(c.ID)
	if err != nil || got != c {
		t.Fatalf("ClientGet = %+v, %v; want %+v", got, err, c)
	}
	if _, err := a.ClientGet("0190a2b4-0000-7000-8000-000000000000"); err == nil || !strings.HasPrefix(err.Error(), "not_found: ") {
		t.Fatalf("ClientGet unknown = %v", err)
	}

	in := ClientInputDTO{Name: "Asha K. Menon", DateOfBirth: "1990-05-01", Phone: "98765 43210",
		EmergencyContact: EmergencyContactDTO{Name: "Ravi", Relationship: "brother", Phone: "9123456789"}}
	up, err := a.ClientUpdate(ClientUpdateDTO{ID: c.ID, Rev: c.Rev, Reason: "client_request", Client: in})
	if err != nil || up.Rev != 2 || up.Name != "Asha K. Menon" {
		t.Fatalf("ClientUpdate = %+v, %v", up, err)
	}
	if _, err := a.ClientUpdate(ClientUpdateDTO{ID: c.ID, Rev: 1, Reason: "client_request", Client: in}); err == nil || !strings.HasPrefix(err.Error(), "conflict: ") {
		t.Fatalf("stale update = %v", err)
	}
	if _, err := a.ClientDischarge(c.ID); err != nil {
		t.Fatal(err)
	}
	list, err := a.ClientsList(ClientFilterDTO{Status: "discharged", Query: "menon"})
	if err != nil || len(list.Clients) != 1 || list.Clients[0].ID != c.ID || list.Unreadable == nil {
		t.Fatalf("ClientsList = %+v, %v", list, err)
	}
	if _, err := a.ClientReopen(c.ID); err != nil {
		t.Fatal(err)
	}
	hist, err := a.ClientHistory(c.ID)
	if err != nil || len(hist) != 3 {
		t.Fatalf("ClientHistory = %+v, %v", hist, err)
	}
	if h := hist[0]; h.Action != "correction" || h.Previous["name"] != "Asha Kumar" || len(h.Fields) != 1 || h.Reason != "client_request" {
		t.Fatalf("history[0] = %+v", h)
	}
	if hist[1].Action != "discharge" || hist[1].PreviousStatus != "active" || hist[1].Fields[0] != "status" {
		t.Fatalf("history[1] = %+v", hist[1])
	}

	if err := a.Lock(); err != nil {
		t.Fatal(err)
	}
	if _, err := a.ClientsList(ClientFilterDTO{}); err == nil || !strings.HasPrefix(err.Error(), "locked: ") {
		t.Fatalf("list while locked = %v", err)
	}
}
