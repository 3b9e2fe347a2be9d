package vault

import (
	"bytes"
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"
)

// keychainConformance is the contract every Keychain must meet; it runs
// against go-keyring's mock here and against a real Secret Service in
// TestKeychainSecretService.
func keychainConformance(t *testing.T, kc Keychain) {
	t.Helper()
	const account = "practice-0190f3a2"
	t.Cleanup(func() { _ = kc.Delete(account); _ = kc.Delete(account + "-other") })

	if _, err := kc.Get(account); !errors.Is(err, ErrKeychainItemMissing) {
		t.Fatalf("Get(missing) = %v, want ErrKeychainItemMissing", err)
	}
	secret := NewKeychainSecret()
	if err := kc.Set(account, secret); err != nil {
		t.Fatalf("Set: %v", err)
	}
	got, err := kc.Get(account)
	if err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("Get = %x, %v; want what was set", got, err)
	}
	if _, err := kc.Get(account + "-other"); !errors.Is(err, ErrKeychainItemMissing) {
		t.Fatalf("Get(other account) = %v, want ErrKeychainItemMissing", err)
	}
	replacement := NewKeychainSecret()
	if err := kc.Set(account, replacement); err != nil {
		t.Fatalf("Set (overwrite): %v", err)
	}
	if got, _ := kc.Get(account); !bytes.Equal(got, replacement) {
		t.Fatal("Set did not overwrite")
	}
	withZeros := []byte{0, 0, 1, 0, 255, 0}
	if err := kc.Set(account+"-other", withZeros); err != nil {
		t.Fatalf("Set(binary): %v", err)
	}
	if got, _ := kc.Get(account + "-other"); !bytes.Equal(got, withZeros) {
		t.Fatalf("binary secret came back as %x", got)
	}
	if err := kc.Delete(account); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := kc.Get(account); !errors.Is(err, ErrKeychainItemMissing) {
		t.Fatalf("Get after Delete = %v, want ErrKeychainItemMissing", err)
	}
	if err := kc.Delete(account); !errors.Is(err, ErrKeychainItemMissing) {
		t.Fatalf("Delete(missing) = %v, want ErrKeychainItemMissing", err)
	}
	if err := kc.Set(account, nil); err == nil {
		t.Fatal("Set(empty secret) succeeded")
	}
	if err := kc.Set(account, make([]byte, 4096)); err == nil {
		t.Fatal("Set(4 KB secret) succeeded")
	}
	if err := kc.Set("", secret); err == nil {
		t.Fatal("Set(empty account) succeeded")
	}
}

func TestKeychainMock(t *testing.T) {
	keyring.MockInit()
	keychainConformance(t, SystemKeychain("calmally-test", time.Second))
}

func TestKeychainMockStoresBase64(t *testing.T) {
	keyring.MockInit()
	kc := SystemKeychain("calmally-test", time.Second)
	secret := NewKeychainSecret()
	if err := kc.Set("acct", secret); err != nil {
		t.Fatal(err)
	}
	raw, err := keyring.Get("calmally-test", "acct")
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) != 44 || strings.ContainsAny(raw, "\x00") {
		t.Fatalf("stored item %q is not base64 of 32 bytes", raw)
	}

	// An item someone else wrote in another format counts as missing.
	if err := keyring.Set("calmally-test", "foreign", "not base64!"); err != nil {
		t.Fatal(err)
	}
	if _, err := kc.Get("foreign"); !errors.Is(err, ErrKeychainItemMissing) {
		t.Fatalf("Get(foreign item) = %v, want ErrKeychainItemMissing", err)
	}
}

func TestKeychainMockError(t *testing.T) {
	cause := errors.New("org.freedesktop.DBus.Error.ServiceUnknown")
	keyring.MockInitWithError(cause)
	t.Cleanup(keyring.MockInit)
	kc := SystemKeychain("calmally-test", time.Second)
	secret := NewKeychainSecret()

	_, err := kc.Get("a")
	if !errors.Is(err, ErrKeychainUnavailable) || !errors.Is(err, cause) {
		t.Fatalf("Get = %v", err)
	}
	if err := kc.Set("a", secret); !errors.Is(err, ErrKeychainUnavailable) {
		t.Fatalf("Set = %v", err)
	}
	if err := kc.Delete("a"); !errors.Is(err, ErrKeychainUnavailable) {
		t.Fatalf("Delete = %v", err)
	}
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
	err = Probe(context.Background(), kc)
	if !errors.Is(err, ErrKeychainUnavailable) {
		t.Fatalf("Probe = %v", err)
	}
	if strings.Contains(err.Error(), string(secret)) {
		t.Fatal("error leaks the secret")
	}
}

func TestKeychainProbeMock(t *testing.T) {
	keyring.MockInit()
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus") // the mock needs no bus
	kc := SystemKeychain("calmally-test", time.Second)
	if err := Probe(context.Background(), kc); err != nil {
		t.Fatalf("Probe: %v", err)
	}
	// The probe leaves nothing behind.
	if err := keyring.DeleteAll("calmally-test"); err != nil {
		t.Fatal(err)
	}
}

func TestKeychainProbeWithoutSessionBus(t *testing.T) {
	if runtime.GOOS == "darwin" || runtime.GOOS == "windows" {
		t.Skip("no D-Bus on this OS")
	}
	keyring.MockInit() // if the check failed to stop it, the probe would succeed
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	saved := runtimeBusPath
	runtimeBusPath = func() string { return "/nonexistent/run/user/bus" }
	t.Cleanup(func() { runtimeBusPath = saved })

	start := time.Now()
	err := Probe(context.Background(), SystemKeychain("calmally-test", time.Second))
	if !errors.Is(err, ErrKeychainUnavailable) {
		t.Fatalf("Probe = %v, want ErrKeychainUnavailable", err)
	}
	if !strings.Contains(err.Error(), "DBUS_SESSION_BUS_ADDRESS") {
		t.Errorf("error does not explain the cause: %v", err)
	}
	if d := time.Since(start); d > 100*time.Millisecond {
		t.Fatalf("Probe took %v", d)
	}
}

// blockingKeychain never answers, like a locked Secret Service collection
// waiting for a prompt nobody sees.
type blockingKeychain struct{ release chan struct{} }

func (b blockingKeychain) Get(string) ([]byte, error) {
	<-b.release
	return nil, ErrKeychainItemMissing
}
func (b blockingKeychain) Set(string, []byte) error { <-b.release; return nil }
func (b blockingKeychain) Delete(string) error      { <-b.release; return nil }

func TestKeychainProbeGivesUpOnHang(t *testing.T) {
	kc := blockingKeychain{release: make(chan struct{})}
	defer close(kc.release)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := Probe(ctx, kc)
	if !errors.Is(err, ErrKeychainUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Probe = %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("Probe took %v", d)
	}
}

func TestKeychainCallTimeout(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	start := time.Now()
	_, err := callWithTimeout(30*time.Millisecond, func() (string, error) { <-release; return "late", nil })
	if !errors.Is(err, errKeychainTimeout) {
		t.Fatalf("callWithTimeout = %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("gave up after %v", d)
	}
	if err := keychainError("get", 30*time.Millisecond, err); !errors.Is(err, ErrKeychainUnavailable) || !strings.Contains(err.Error(), "no answer") {
		t.Fatalf("keychainError = %v", err)
	}
	v, err := callWithTimeout(time.Second, func() (string, error) { return "prompt", nil })
	if v != "prompt" || err != nil {
		t.Fatalf("callWithTimeout = %q, %v", v, err)
	}
}
