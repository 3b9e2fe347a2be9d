package vault

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestKeychainSecretService runs the keychain contract against a real Secret
// Service. It needs a session bus and an unlocked keyring:
//
//	CALMALLY_SECRET_SERVICE_TEST=1 ./scripts/with-keyring.sh go test -run Keychain ./internal/vault/
func TestKeychainSecretService(t *testing.T) {
	if os.Getenv("CALMALLY_SECRET_SERVICE_TEST") != "1" {
		t.Skip("set CALMALLY_SECRET_SERVICE_TEST=1 and run under scripts/with-keyring.sh to test against a real Secret Service")
	}
	if os.Getenv("CALMALLY_SECRET_SERVICE_CHILD") != "1" {
		// keyring.MockInit, used by the unit tests, replaces go-keyring's
		// provider for the rest of the process and cannot be undone, so the
		// real test runs in a fresh process of this test binary.
		cmd := exec.Command(os.Args[0], "-test.run=^TestKeychainSecretService$", "-test.v", "-test.count=1")
		cmd.Env = append(os.Environ(), "CALMALLY_SECRET_SERVICE_CHILD=1")
		out, err := cmd.CombinedOutput()
		t.Logf("child process:\n%s", out)
		if err != nil {
			t.Fatalf("real Secret Service test failed: %v", err)
		}
		if !bytes.Contains(out, []byte("--- PASS: TestKeychainSecretService")) {
			t.Fatal("real Secret Service test did not run")
		}
		return
	}

	nonce := make([]byte, 4)
	copy(nonce, NewKeychainSecret())
	service := "calmally-practice-test-" + hex.EncodeToString(nonce)
	kc := SystemKeychain(service, 10*time.Second)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	start := time.Now()
	if err := Probe(ctx, kc); err != nil {
		t.Fatalf("Probe: %v", err)
	}
	t.Logf("Probe took %v", time.Since(start))

	keychainConformance(t, kc)

	// The item is really in the Secret Service, base64-encoded, where
	// other tools can see it.
	secret := NewKeychainSecret()
	if err := kc.Set("seen-by-secret-tool", secret); err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("secret-tool"); err == nil {
		out, err := exec.Command("secret-tool", "lookup", "service", service, "username", "seen-by-secret-tool").Output()
		if err != nil {
			t.Fatalf("secret-tool lookup: %v", err)
		}
		if got := strings.TrimSpace(string(out)); got != base64.StdEncoding.EncodeToString(secret) {
			t.Fatal("secret-tool sees a different item")
		}
	} else {
		t.Log("secret-tool not installed; skipping the outside check")
	}

	// A locked collection (the screen locked, the keyring relocked) must
	// give ErrKeychainUnavailable in bounded time, never hang or pass as
	// "missing". This runs last: the collection stays locked.
	if _, err := exec.LookPath("dbus-send"); err != nil {
		t.Log("dbus-send not installed; skipping the locked-collection check")
		_ = kc.Delete("seen-by-secret-tool")
		return
	}
	lock := exec.Command("dbus-send", "--session", "--dest=org.freedesktop.secrets", "--print-reply",
		"/org/freedesktop/secrets", "org.freedesktop.Secret.Service.Lock",
		"array:objpath:/org/freedesktop/secrets/collection/login")
	if out, err := lock.CombinedOutput(); err != nil {
		t.Fatalf("lock the login collection: %v\n%s", err, out)
	}
	locked := SystemKeychain(service, 3*time.Second)
	start = time.Now()
	_, err := locked.Get("seen-by-secret-tool")
	if !errors.Is(err, ErrKeychainUnavailable) {
		t.Fatalf("Get from a locked collection = %v, want ErrKeychainUnavailable", err)
	}
	t.Logf("locked collection: %v after %v", err, time.Since(start))
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("Get from a locked collection took %v", d)
	}
	ctx2, cancel2 := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel2()
	if err := Probe(ctx2, locked); !errors.Is(err, ErrKeychainUnavailable) {
		t.Fatalf("Probe of a locked collection = %v, want ErrKeychainUnavailable", err)
	}
}
