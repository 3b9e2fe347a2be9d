package vault

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/zalando/go-keyring"
)

// Keychain stores small secrets (the 32-byte keychain secret) under an
// account name. Implementations return errors wrapping ErrKeychainItemMissing
// when the item does not exist and ErrKeychainUnavailable when the keychain
// cannot be reached; Set overwrites.
type Keychain interface {
	Get(account string) ([]byte, error)
	Set(account string, secret []byte) error
	Delete(account string) error
}

// DefaultKeychainTimeout bounds each keychain call when SystemKeychain is
// given no timeout. Secret Service calls take milliseconds; a locked
// collection with a display blocks until someone answers the prompt.
const DefaultKeychainTimeout = 5 * time.Second

// maxKeychainSecret keeps items well inside every platform's limit (Windows
// Credential Manager: 2,560 bytes, after base64).
const maxKeychainSecret = 1024

var errKeychainTimeout = errors.New("timed out")

// SystemKeychain is the OS keychain (macOS Keychain, Windows Credential
// Manager, Secret Service on Linux and BSD) under the given service name,
// through github.com/zalando/go-keyring. Secrets are stored base64-encoded.
// Every call runs in its own goroutine and gives up after timeout with
// ErrKeychainUnavailable; a call that never returns leaves that goroutine
// behind, which is the price of not freezing the app.
//
// On Linux, call Probe first: without a session bus, go-keyring may start a
// stray D-Bus daemon.
func SystemKeychain(service string, timeout time.Duration) Keychain {
	if timeout <= 0 {
		timeout = DefaultKeychainTimeout
	}
	return &systemKeychain{service: service, timeout: timeout}
}

type systemKeychain struct {
	service string
	timeout time.Duration
}

func (s *systemKeychain) Get(account string) ([]byte, error) {
	if account == "" {
		return nil, errors.New("vault: keychain get: empty account name")
	}
	v, err := callWithTimeout(s.timeout, func() (string, error) { return keyring.Get(s.service, account) })
	if err != nil {
		return nil, keychainError("get", s.timeout, err)
	}
	secret, err := base64.StdEncoding.DecodeString(v)
	if err != nil || len(secret) == 0 {
		// Not written by us (or damaged): as good as missing.
		return nil, fmt.Errorf("vault: keychain get: item is not in the expected format: %w", ErrKeychainItemMissing)
	}
	return secret, nil
}

func (s *systemKeychain) Set(account string, secret []byte) error {
	switch {
	case account == "":
		return errors.New("vault: keychain set: empty account name")
	case len(secret) == 0 || len(secret) > maxKeychainSecret:
		return fmt.Errorf("vault: keychain set: secret is %d bytes, want 1 to %d", len(secret), maxKeychainSecret)
	}
	encoded := base64.StdEncoding.EncodeToString(secret)
	_, err := callWithTimeout(s.timeout, func() (struct{}, error) { return struct{}{}, keyring.Set(s.service, account, encoded) })
	if err != nil {
		return keychainError("set", s.timeout, err)
	}
	return nil
}

func (s *systemKeychain) Delete(account string) error {
	if account == "" {
		return errors.New("vault: keychain delete: empty account name")
	}
	_, err := callWithTimeout(s.timeout, func() (struct{}, error) { return struct{}{}, keyring.Delete(s.service, account) })
	if err != nil {
		return keychainError("delete", s.timeout, err)
	}
	return nil
}

// keychainError maps go-keyring's errors onto the package's sentinels. The
// causes it keeps are about D-Bus and the keychain, never the secret.
func keychainError(verb string, timeout time.Duration, err error) error {
	switch {
	case errors.Is(err, keyring.ErrNotFound):
		return fmt.Errorf("vault: keychain %s: %w", verb, ErrKeychainItemMissing)
	case errors.Is(err, errKeychainTimeout):
		return fmt.Errorf("vault: keychain %s: no answer within %s (is the keyring locked?): %w", verb, timeout, ErrKeychainUnavailable)
	case errors.Is(err, keyring.ErrSetDataTooBig):
		return fmt.Errorf("vault: keychain %s: %w", verb, err)
	default:
		return fmt.Errorf("vault: keychain %s: %w: %w", verb, ErrKeychainUnavailable, err)
	}
}

// callWithTimeout runs f in a goroutine and waits at most timeout for it.
func callWithTimeout[T any](timeout time.Duration, f func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1) // buffered: a late f must not block forever
	go func() {
		v, err := f()
		done <- result{v, err}
	}()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case r := <-done:
		return r.v, r.err
	case <-timer.C:
		var zero T
		return zero, errKeychainTimeout
	}
}

// Probe tells whether kc can store and return a secret, without hanging: it
// sets, reads back and deletes a throwaway item, giving up when ctx ends. For
// the system keychain on Linux and BSD it first checks that a D-Bus session
// bus exists, so that no stray bus is started. Failures wrap
// ErrKeychainUnavailable with a plain explanation.
func Probe(ctx context.Context, kc Keychain) error {
	if _, ok := kc.(*systemKeychain); ok {
		if err := sessionBusCheck(); err != nil {
			return err
		}
	}
	nonce := make([]byte, 8)
	rand.Read(nonce)
	account := "calmally-probe-" + hex.EncodeToString(nonce)
	want := NewKeychainSecret()

	done := make(chan error, 1)
	go func() { done <- probe(kc, account, want) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("vault: probe keychain: no answer in time: %w: %w", ErrKeychainUnavailable, ctx.Err())
	}
}

func probe(kc Keychain, account string, want []byte) error {
	if err := kc.Set(account, want); err != nil {
		return probeError("store a test item", err)
	}
	got, err := kc.Get(account)
	if err != nil {
		return probeError("read the test item back", err)
	}
	if string(got) != string(want) {
		_ = kc.Delete(account)
		return fmt.Errorf("vault: probe keychain: the test item came back changed: %w", ErrKeychainUnavailable)
	}
	if err := kc.Delete(account); err != nil {
		return probeError("delete the test item", err)
	}
	return nil
}

func probeError(step string, err error) error {
	if errors.Is(err, ErrKeychainUnavailable) {
		return fmt.Errorf("vault: probe keychain: could not %s: %w", step, err)
	}
	return fmt.Errorf("vault: probe keychain: could not %s: %w: %w", step, ErrKeychainUnavailable, err)
}

// runtimeBusPath is where a systemd user session puts its bus socket; godbus
// uses it when DBUS_SESSION_BUS_ADDRESS is unset. Tests replace it.
var runtimeBusPath = func() string { return fmt.Sprintf("/run/user/%d/bus", os.Getuid()) }

// sessionBusCheck refuses to touch the Secret Service when there is no session
// bus to find it on: go-keyring would then run dbus-launch and leave a
// stray bus (and keyring daemon) behind, or fail obscurely.
func sessionBusCheck() error {
	if runtime.GOOS == "darwin" || runtime.GOOS == "windows" {
		return nil
	}
	if addr := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); addr != "" && addr != "autolaunch:" {
		return nil
	}
	if _, err := os.Stat(runtimeBusPath()); err == nil {
		return nil
	}
	return fmt.Errorf("vault: probe keychain: no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set), so the Secret Service keyring cannot be reached; sign in to a desktop session or use a passphrase-only vault: %w", ErrKeychainUnavailable)
}
