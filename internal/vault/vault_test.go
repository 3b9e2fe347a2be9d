package vault

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestCreateUnlock(t *testing.T) {
	h, k, code, secret := newTestVault(t)
	env, err := k.Seal(noteAD, []byte("first note"))
	if err != nil {
		t.Fatal(err)
	}
	if h.PassphraseOnly || h.DataKeyVersion != 1 || h.RotatingTo != 0 || h.CreatedAt.IsZero() {
		t.Fatalf("unexpected new header: %+v", h)
	}
	if _, err := NormalizeRecoveryCode(code); err != nil {
		t.Fatalf("Create returned an unreadable recovery code: %v", err)
	}

	saved := cloneHeader(t, h)
	k2, err := Unlock(saved, []byte(testPassphrase), secret)
	if err != nil {
		t.Fatalf("Unlock: %v", err)
	}
	mustOpen(t, k2, noteAD, env, []byte("first note"))
}

func TestHeaderHoldsNoSecretInTheClear(t *testing.T) {
	h, code, secret, vk := sharedVault(t)
	b, _ := h.Marshal()
	for name, s := range map[string][]byte{
		"vault key":       vk,
		"keychain secret": secret,
		"passphrase":      []byte(testPassphrase),
		"recovery code":   []byte(strings.ReplaceAll(code, "-", "")[:12]),
	} {
		if bytes.Contains(b, s) {
			t.Errorf("header contains the %s", name)
		}
	}
}

func TestUnlockFailures(t *testing.T) {
	h, _, secret, _ := sharedVault(t)
	tests := []struct {
		name       string
		passphrase string
		secret     []byte
	}{
		{"wrong passphrase", "quiet river under mango tree", secret},
		{"wrong keychain secret", testPassphrase, NewKeychainSecret()},
		{"missing keychain secret", testPassphrase, nil},
		{"short keychain secret", testPassphrase, secret[:16]},
		{"empty passphrase", "", secret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := Unlock(h, []byte(tt.passphrase), tt.secret)
			wantErr(t, err, ErrWrongPassphrase)
			if k != nil {
				t.Fatal("Keys returned with an error")
			}
			if strings.Contains(err.Error(), "mango") {
				t.Fatalf("error leaks the passphrase: %v", err)
			}
		})
	}
}

func TestPassphraseOnly(t *testing.T) {
	h, k, _, err := Create([]byte(testPassphrase), nil, MinimumKDF())
	if err != nil {
		t.Fatal(err)
	}
	if !h.PassphraseOnly {
		t.Fatal("PassphraseOnly not set")
	}
	env, _ := k.Seal(noteAD, []byte("x"))
	k2, err := Unlock(cloneHeader(t, h), []byte(testPassphrase), nil)
	if err != nil {
		t.Fatalf("Unlock: %v", err)
	}
	mustOpen(t, k2, noteAD, env, []byte("x"))
	// A keychain secret offered to a passphrase-only vault is ignored.
	if _, err := Unlock(h, []byte(testPassphrase), NewKeychainSecret()); err != nil {
		t.Fatalf("Unlock with a stray secret: %v", err)
	}
	if _, err := Unlock(h, []byte("not it"), nil); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("Unlock(wrong) = %v", err)
	}
}

// TestPassphraseNormalisedNFC: "é" typed precomposed or as e + combining
// accent unlocks the same vault.
func TestPassphraseNormalisedNFC(t *testing.T) {
	composed := "caf\u00e9 by the sea, twice a week"
	decomposed := "cafe\u0301 by the sea, twice a week"
	h, _, _, err := Create([]byte(composed), nil, MinimumKDF())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Unlock(h, []byte(decomposed), nil); err != nil {
		t.Fatalf("decomposed form did not unlock: %v", err)
	}
}

func TestTamperedHeaderDoesNotUnlock(t *testing.T) {
	h, _, secret, _ := sharedVault(t)
	tests := []struct {
		name   string
		mutate func(*Header)
		want   error
	}{
		{"more argon2 passes", func(h *Header) { h.KDF.Time++ }, ErrWrongPassphrase},
		{"more memory", func(h *Header) { h.KDF.MemoryKiB += 1024 }, ErrWrongPassphrase},
		{"other salt", func(h *Header) { h.KDF.Salt = newSalt() }, ErrWrongPassphrase},
		{"relabelled passphrase-only", func(h *Header) { h.PassphraseOnly = true }, ErrWrongPassphrase},
		{"wrap swapped for the recovery wrap", func(h *Header) { h.PassphraseWrap = h.RecoveryWrap }, ErrWrongPassphrase},
		{"flipped wrap", func(h *Header) { h.PassphraseWrap[30] ^= 1 }, ErrWrongPassphrase},
		{"key id replaced", func(h *Header) { h.KeyID = make([]byte, 16) }, ErrIntegrity},
		{"memory below minimum", func(h *Header) { h.KDF.MemoryKiB = 32 * 1024 }, ErrUnsupported},
		{"unknown version", func(h *Header) { h.Version = 2 }, ErrUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h2 := cloneHeader(t, h)
			tt.mutate(h2)
			_, err := Unlock(h2, []byte(testPassphrase), secret)
			wantErr(t, err, tt.want)
		})
	}
}

// TestRecoverAfterLosingBothFactors is the story the recovery kit exists for:
// a new computer (no keychain item) and a forgotten passphrase.
func TestRecoverAfterLosingBothFactors(t *testing.T) {
	h, k, code, _ := newTestVault(t)
	env, _ := k.Seal(noteAD, []byte("kept safe"))
	saved := cloneHeader(t, h)

	typed := strings.ToLower(strings.ReplaceAll(code, "-", " "))
	rk, err := Recover(saved, typed)
	if err != nil {
		t.Fatalf("Recover: %v", err)
	}
	mustOpen(t, rk, noteAD, env, []byte("kept safe"))

	newSecret := NewKeychainSecret()
	const newPass = "new passphrase after the move to Pune"
	if err := saved.Rewrap(rk, []byte(newPass), newSecret, MinimumKDF()); err != nil {
		t.Fatalf("Rewrap: %v", err)
	}
	reloaded := cloneHeader(t, saved)
	k3, err := Unlock(reloaded, []byte(newPass), newSecret)
	if err != nil {
		t.Fatalf("Unlock after Rewrap: %v", err)
	}
	mustOpen(t, k3, noteAD, env, []byte("kept safe"))
	if _, err := Unlock(reloaded, []byte(testPassphrase), newSecret); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("old passphrase still unlocks: %v", err)
	}
	// The recovery code survives a passphrase change.
	if _, err := Recover(reloaded, code); err != nil {
		t.Fatalf("Recover after Rewrap: %v", err)
	}
}

func TestRecoverFailures(t *testing.T) {
	h, code, _, _ := sharedVault(t)
	otherCode := newRecoveryCode() // well-formed, but wraps nothing here
	symbols := []byte(strings.ReplaceAll(code, "-", ""))
	symbols[3] = map[bool]byte{true: 'A', false: 'B'}[symbols[3] != 'A']
	tests := []struct{ name, code string }{
		{"another vault's code", otherCode},
		{"typo", string(symbols)},
		{"too short", code[:len(code)-5]},
		{"empty", ""},
		{"not a code", "correct horse battery staple"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Recover(h, tt.code)
			wantErr(t, err, ErrWrongRecoveryCode)
		})
	}
}

func TestNewRecoveryCodeInvalidatesOld(t *testing.T) {
	h, k, oldCode, _ := newTestVault(t)
	newCode, err := h.NewRecoveryCode(k)
	if err != nil {
		t.Fatal(err)
	}
	if newCode == oldCode {
		t.Fatal("same code twice")
	}
	saved := cloneHeader(t, h)
	if _, err := Recover(saved, oldCode); !errors.Is(err, ErrWrongRecoveryCode) {
		t.Fatalf("old code still works: %v", err)
	}
	if _, err := Recover(saved, newCode); err != nil {
		t.Fatalf("new code: %v", err)
	}
}

func TestRewrapSwitchesModes(t *testing.T) {
	h, k, _, secret := newTestVault(t)
	if err := h.Rewrap(k, []byte(testPassphrase), nil, MinimumKDF()); err != nil {
		t.Fatal(err)
	}
	if !h.PassphraseOnly {
		t.Fatal("not passphrase-only after Rewrap with nil secret")
	}
	if _, err := Unlock(h, []byte(testPassphrase), nil); err != nil {
		t.Fatalf("passphrase-only unlock: %v", err)
	}
	if err := h.Rewrap(k, []byte(testPassphrase), secret, MinimumKDF()); err != nil {
		t.Fatal(err)
	}
	if h.PassphraseOnly {
		t.Fatal("still passphrase-only")
	}
	if _, err := Unlock(h, []byte(testPassphrase), nil); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("unlocked without the keychain secret: %v", err)
	}
	if _, err := Unlock(h, []byte(testPassphrase), secret); err != nil {
		t.Fatal(err)
	}
}

func TestRewrapDrawsFreshSalt(t *testing.T) {
	h, k, _, secret := newTestVault(t)
	if err := h.Rewrap(k, []byte(testPassphrase), secret, h.KDF); err != nil {
		t.Fatal(err)
	}
	before := bytes.Clone(h.KDF.Salt)
	if err := h.Rewrap(k, []byte(testPassphrase), secret, h.KDF); err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(before, h.KDF.Salt) {
		t.Fatal("Rewrap reused the salt")
	}
}

// TestRewrapIsAtomic: a failing Rewrap leaves the header exactly as it was.
func TestRewrapIsAtomic(t *testing.T) {
	h, k, _, secret := newTestVault(t)
	before, _ := h.Marshal()
	_, otherKeys, _, _ := newTestVault(t)
	wiped := newKeys(bytes.Clone(k.vk), 1)
	wiped.Wipe()
	weak := MinimumKDF()
	weak.Time = 1
	tests := []struct {
		name   string
		keys   *Keys
		pass   string
		secret []byte
		kdf    KDFParams
		want   error
	}{
		{"kdf below minimum", k, testPassphrase, secret, weak, ErrUnsupported},
		{"unknown kdf", k, testPassphrase, secret, KDFParams{Name: "scrypt", Time: 3, MemoryKiB: minMemoryKiB, Threads: 2}, ErrUnsupported},
		{"another vault's keys", otherKeys, testPassphrase, secret, MinimumKDF(), ErrKeyMismatch},
		{"wiped keys", wiped, testPassphrase, secret, MinimumKDF(), ErrLocked},
		{"nil keys", nil, testPassphrase, secret, MinimumKDF(), ErrLocked},
		{"empty passphrase", k, "", secret, MinimumKDF(), ErrWeakPassphrase},
		{"bad keychain secret", k, testPassphrase, []byte{1, 2, 3}, MinimumKDF(), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := h.Rewrap(tt.keys, []byte(tt.pass), tt.secret, tt.kdf)
			if err == nil {
				t.Fatal("Rewrap succeeded")
			}
			if tt.want != nil {
				wantErr(t, err, tt.want)
			}
			after, _ := h.Marshal()
			if !bytes.Equal(before, after) {
				t.Fatal("failed Rewrap changed the header")
			}
		})
	}
	if _, err := h.NewRecoveryCode(otherKeys); !errors.Is(err, ErrKeyMismatch) {
		t.Fatalf("NewRecoveryCode(other keys) = %v", err)
	}
	if after, _ := h.Marshal(); !bytes.Equal(before, after) {
		t.Fatal("failed NewRecoveryCode changed the header")
	}
}

func TestCreateRefuses(t *testing.T) {
	weak := MinimumKDF()
	weak.MemoryKiB = 1024
	tests := []struct {
		name   string
		pass   string
		secret []byte
		kdf    KDFParams
	}{
		{"params below minimum", testPassphrase, nil, weak},
		{"empty passphrase", "", nil, MinimumKDF()},
		{"short keychain secret", testPassphrase, make([]byte, 8), MinimumKDF()},
		{"empty keychain secret", testPassphrase, []byte{}, MinimumKDF()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, k, code, err := Create([]byte(tt.pass), tt.secret, tt.kdf)
			if err == nil || h != nil || k != nil || code != "" {
				t.Fatalf("Create = %v, %v, %q, %v", h, k, code, err)
			}
			if !strings.HasPrefix(err.Error(), "vault: create: ") {
				t.Errorf("error %q lacks its prefix", err)
			}
		})
	}
}

func TestCreateUsesFreshSaltWhenNoneGiven(t *testing.T) {
	p := MinimumKDF()
	p.Salt = nil
	h, _, _, err := Create([]byte(testPassphrase), nil, p)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.KDF.Salt) != saltLen {
		t.Fatalf("salt is %d bytes", len(h.KDF.Salt))
	}
}
