package app

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/calmally/practice/internal/datadir"
	"github.com/calmally/practice/internal/vault"
)

const (
	passMain  = "meadow-lantern-copper-orbit-7-thistle"
	passRahul = "harbour violin quietly saffron 42 dunes"
)

// eventLog records emitted events.
type eventLog struct {
	mu     sync.Mutex
	events []string
}

func (e *eventLog) Emit(name string, payload any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if l, ok := payload.(LockedEvent); ok {
		name += ":" + l.Reason
	}
	e.events = append(e.events, name)
}

func (e *eventLog) take() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := e.events
	e.events = nil
	return out
}

func startApp(t *testing.T, base string, kc vault.Keychain, rt Runtime) *App {
	t.Helper()
	a, _ := New(Config{DataDir: base, Keychain: kc, KDF: vault.MinimumKDF})
	a.start(context.Background(), rt)
	t.Cleanup(a.stop)
	return a
}

func ids(es []ProfileEntryDTO) string {
	var out []string
	for _, e := range es {
		s := e.ID + "=" + e.Label
		if e.Current {
			s += "*"
		}
		out = append(out, s)
	}
	return strings.Join(out, ",")
}

// TestProfilesAddSwitchRemove: two practitioners on one computer through the
// bindings — each sees only their own clients, a switch drops the previous
// profile entirely, removal follows the rule, and a restart opens the
// profile used last.
func TestProfilesAddSwitchRemove(t *testing.T) {
	base := filepath.Join(t.TempDir(), "CalmAlly")
	kc := &memKeychain{m: map[string][]byte{}}
	ev := &eventLog{}
	a := startApp(t, base, kc, ev)

	// A fresh install lists its one profile before the vault exists.
	list, err := a.ProfilesList()
	if err != nil || ids(list) != "_main=Main profile*" {
		t.Fatalf("fresh list: %s %v", ids(list), err)
	}
	if _, err := a.CreateVault(CreateVaultRequest{Passphrase: passMain}); err != nil {
		t.Fatal(err)
	}
	asha, err := a.ClientCreate(ClientInputDTO{Name: "Asha Kumar", DateOfBirth: "1990-05-01"})
	if err != nil {
		t.Fatal(err)
	}

	if _, err := a.ProfileAdd(ProfileAddDTO{Label: " "}); err == nil || !strings.HasPrefix(err.Error(), "invalid: ") {
		t.Fatalf("empty name: %v", err)
	}
	added, err := a.ProfileAdd(ProfileAddDTO{Label: "Dr Rahul Sharma"})
	if err != nil || added.ID != "dr-rahul-sharma" || added.Label != "Dr Rahul Sharma" {
		t.Fatalf("add: %+v %v", added, err)
	}
	if list, _ = a.ProfilesList(); ids(list) != "_main=Main profile*,dr-rahul-sharma=Dr Rahul Sharma" {
		t.Fatalf("list: %s", ids(list))
	}

	// While an export runs, the profile cannot be switched away.
	a.exp.mu.Lock()
	a.exp.cancel = func() {}
	a.exp.mu.Unlock()
	if _, err := a.ProfileSwitch(added.ID); err == nil || !strings.HasPrefix(err.Error(), "conflict: an export is running") {
		t.Fatalf("switch during export: %v", err)
	}
	a.exp.mu.Lock()
	a.exp.cancel = nil
	a.exp.mu.Unlock()

	ev.take()
	st, err := a.ProfileSwitch(added.ID)
	if err != nil || st.Initialized {
		t.Fatalf("switch to the new profile: %+v %v", st, err)
	}
	if got := ev.take(); len(got) != 0 {
		t.Fatalf("the closed profile's lock reached the UI: %v", got)
	}
	v, _ := a.Version()
	if v.DataDir != filepath.Join(base, "profiles", "dr-rahul-sharma") {
		t.Fatalf("data dir %s", v.DataDir)
	}
	if _, err := a.CreateVault(CreateVaultRequest{Passphrase: passRahul}); err != nil {
		t.Fatal(err)
	}
	cl, err := a.ClientsList(ClientFilterDTO{})
	if err != nil || len(cl.Clients) != 0 {
		t.Fatalf("the new profile sees clients: %+v %v", cl, err)
	}
	if _, err := a.ClientGet(asha.ID); err == nil || !strings.HasPrefix(err.Error(), "not_found: ") {
		t.Fatalf("the new profile reads the first one's client: %v", err)
	}

	// A recovery code shown for this profile cannot be confirmed after a switch.
	st, err = a.ProfileSwitch(LegacyProfileID)
	if err != nil || !st.Initialized || !st.Locked {
		t.Fatalf("switch back: %+v %v", st, err)
	}
	if err := a.ConfirmRecoveryCode("anything"); err == nil || !strings.HasPrefix(err.Error(), "not_found: ") {
		t.Fatalf("pending code survived the switch: %v", err)
	}
	if _, err := a.Unlock(passRahul); err == nil {
		t.Fatal("the other practitioner's passphrase unlocked this profile")
	}
	if _, err := a.Unlock(passMain); err != nil {
		t.Fatal(err)
	}
	if cl, _ = a.ClientsList(ClientFilterDTO{}); len(cl.Clients) != 1 {
		t.Fatalf("clients after switching back: %+v", cl)
	}

	// Removal: this one holds a client and has no encrypted copy.
	rc, err := a.ProfileRemovalCheck()
	if err != nil || rc.Allowed || rc.Refusal != "needs_encrypted_copy" || rc.Clients != 1 || rc.Label != "Main profile" ||
		rc.KeepUntil == "" || !strings.Contains(rc.Message, "7 years") {
		t.Fatalf("check: %+v %v", rc, err)
	}
	if _, err := a.ProfileRemove(ProfileRemoveDTO{ConfirmLabel: "main profile"}); err == nil || !strings.HasPrefix(err.Error(), "forbidden: ") {
		t.Fatalf("remove with records: %v", err)
	}
	if cl, err = a.ClientsList(ClientFilterDTO{}); err != nil || len(cl.Clients) != 1 {
		t.Fatalf("a refused removal closed the profile: %v", err)
	}

	// The empty one can go, once its name is typed.
	if _, err := a.ProfileSwitch(added.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Unlock(passRahul); err != nil {
		t.Fatal(err)
	}
	if _, err := a.ProfileRemove(ProfileRemoveDTO{ConfirmLabel: "Dr Rahul"}); err == nil || !strings.HasPrefix(err.Error(), "invalid: type the profile") {
		t.Fatalf("wrong name: %v", err)
	}
	gone, err := a.ProfileRemove(ProfileRemoveDTO{ConfirmLabel: "  dr rahul sharma "})
	if err != nil || ids(gone.Profiles) != "_main=Main profile*" || !gone.Status.Initialized || !gone.Status.Locked ||
		gone.Removal.Clients != 0 {
		t.Fatalf("remove: %+v %v", gone, err)
	}
	if _, err := os.Stat(filepath.Join(base, "profiles", "dr-rahul-sharma")); !os.IsNotExist(err) {
		t.Fatal("the removed folder is still there")
	}
	if len(kc.m) != 1 {
		t.Fatalf("keychain items left: %d (want the first profile's only)", len(kc.m))
	}

	// Privacy: a local choice, audited, needs the vault unlocked.
	if _, err := a.PrivacySave(PrivacyDTO{Diagnostics: "minimal"}); err == nil || !strings.HasPrefix(err.Error(), "locked: ") {
		t.Fatalf("privacy while locked: %v", err)
	}
	if _, err := a.Unlock(passMain); err != nil {
		t.Fatal(err)
	}
	if pv, err := a.PrivacyGet(); err != nil || pv.Diagnostics != "standard" {
		t.Fatalf("privacy default: %+v %v", pv, err)
	}
	if pv, err := a.PrivacySave(PrivacyDTO{Diagnostics: "minimal"}); err != nil || pv.Diagnostics != "minimal" {
		t.Fatalf("privacy save: %+v %v", pv, err)
	}
	if _, err := a.PrivacySave(PrivacyDTO{Diagnostics: "everything"}); err == nil || !strings.HasPrefix(err.Error(), "invalid: ") {
		t.Fatalf("bad privacy: %v", err)
	}
}

func TestRestartOpensTheProfileUsedLast(t *testing.T) {
	base := filepath.Join(t.TempDir(), "CalmAlly")
	kc := &memKeychain{m: map[string][]byte{}}
	a := startApp(t, base, kc, NopRuntime{})
	if _, err := a.CreateVault(CreateVaultRequest{Passphrase: passMain}); err != nil {
		t.Fatal(err)
	}
	added, err := a.ProfileAdd(ProfileAddDTO{Label: "Rahul"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.ProfileSwitch(added.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := a.ProfileRename(ProfileAddDTO{Label: "Rahul S"}); err == nil || !strings.HasPrefix(err.Error(), "locked: ") {
		t.Fatalf("rename before the vault exists: %v", err)
	}
	if _, err := a.CreateVault(CreateVaultRequest{Passphrase: passRahul}); err != nil {
		t.Fatal(err)
	}
	if e, err := a.ProfileRename(ProfileAddDTO{Label: "Rahul S"}); err != nil || e.Label != "Rahul S" {
		t.Fatalf("rename: %+v %v", e, err)
	}
	a.stop()

	b := startApp(t, base, kc, NopRuntime{})
	list, err := b.ProfilesList()
	if err != nil || ids(list) != "_main=Main profile,rahul=Rahul S*" {
		t.Fatalf("after restart: %s %v", ids(list), err)
	}
	if _, err := b.Unlock(passRahul); err != nil {
		t.Fatalf("the profile used last is not the one open: %v", err)
	}
	if p, _ := datadir.Find(base, "rahul"); p.Label != "Rahul S" {
		t.Fatalf("label %q", p.Label)
	}
}
