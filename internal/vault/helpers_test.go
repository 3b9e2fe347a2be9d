package vault

import (
	"bytes"
	"errors"
	"sync"
	"testing"
)

const testPassphrase = "quiet river under mango trees"

// newTestVault creates a two-factor vault at the minimum KDF cost.
func newTestVault(t testing.TB) (h *Header, k *Keys, code string, secret []byte) {
	t.Helper()
	secret = NewKeychainSecret()
	h, k, code, err := Create([]byte(testPassphrase), secret, MinimumKDF())
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	return h, k, code, secret
}

func wantErr(t testing.TB, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error = %v, want %v", err, target)
	}
}

func mustOpen(t testing.TB, k *Keys, ad AD, env []byte, want []byte) {
	t.Helper()
	got, err := k.Open(ad, env)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("Open = %q, want %q", got, want)
	}
}

// cloneHeader deep-copies a header through JSON, as a save and load would.
func cloneHeader(t testing.TB, h *Header) *Header {
	t.Helper()
	b, err := h.Marshal()
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	h2, err := ParseHeader(b)
	if err != nil {
		t.Fatalf("ParseHeader: %v", err)
	}
	return h2
}

// shared is one vault created once per test binary: Argon2id at the minimum
// still costs a noticeable fraction of a second, so tests that only read a
// vault share it.
var shared struct {
	once   sync.Once
	header []byte
	code   string
	secret []byte
	vk     []byte
	err    error
}

// sharedVault returns a private copy of the shared vault's header, its
// recovery code, keychain secret and VK.
func sharedVault(t testing.TB) (h *Header, code string, secret, vk []byte) {
	t.Helper()
	shared.once.Do(func() {
		shared.secret = NewKeychainSecret()
		var k *Keys
		var h *Header
		h, k, shared.code, shared.err = Create([]byte(testPassphrase), shared.secret, MinimumKDF())
		if shared.err == nil {
			shared.vk = bytes.Clone(k.vk)
			shared.header, shared.err = h.Marshal()
		}
	})
	if shared.err != nil {
		t.Fatalf("shared vault: %v", shared.err)
	}
	h, err := ParseHeader(shared.header)
	if err != nil {
		t.Fatal(err)
	}
	return h, shared.code, bytes.Clone(shared.secret), bytes.Clone(shared.vk)
}
