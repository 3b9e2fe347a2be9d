package vault

import (
	"bytes"
	"errors"
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
