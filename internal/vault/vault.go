package vault

import (
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"time"
)

// now is the clock for CreatedAt; tests replace it.
var now = time.Now

// NewKeychainSecret returns 32 random bytes to store in the OS keychain.
func NewKeychainSecret() []byte {
	s := make([]byte, keychainSecretLen)
	rand.Read(s)
	return s
}

// Create makes a new vault: a random VK wrapped under the passphrase and the
// keychain secret, and under a fresh recovery code. A nil keychainSecret makes
// a passphrase-only vault (only where no keychain exists, after warning the
// user); otherwise it must be 32 bytes from NewKeychainSecret. kdf comes from
// Calibrate (or MinimumKDF in tests); a fresh salt is drawn if it has none.
//
// Create does not judge passphrase strength: call RequireStrong first. The
// recovery code is returned once and never stored; show it to the user and
// offer RecoveryKitPDF.
func Create(passphrase, keychainSecret []byte, kdf KDFParams) (h *Header, k *Keys, recoveryCode string, err error) {
	vk := make([]byte, vkLen)
	rand.Read(vk)
	h = &Header{
		Version:        HeaderVersion,
		KeyID:          keyID(vk),
		DataKeyVersion: 1,
		CreatedAt:      now().UTC().Truncate(time.Second),
	}
	k = newKeys(vk, h.DataKeyVersion)
	if err := h.rewrap(k, passphrase, keychainSecret, kdf); err != nil {
		k.Wipe()
		return nil, nil, "", fmt.Errorf("vault: create: %w", err)
	}
	recoveryCode, err = h.newRecoveryCode(k)
	if err != nil {
		k.Wipe()
		return nil, nil, "", fmt.Errorf("vault: create: %w", err)
	}
	return h, k, recoveryCode, nil
}

// Unlock derives the unlock key from the passphrase and keychain secret and
// unwraps VK. For a passphrase-only vault keychainSecret is ignored. A wrong
// passphrase, a wrong keychain secret and a missing one all fail with
// ErrWrongPassphrase. Argon2id makes this take about as long as calibrated.
func Unlock(h *Header, passphrase, keychainSecret []byte) (*Keys, error) {
	if err := h.check(); err != nil {
		return nil, fmt.Errorf("vault: unlock: %w", err)
	}
	if !h.PassphraseOnly && len(keychainSecret) != keychainSecretLen {
		return nil, fmt.Errorf("vault: unlock: %w", ErrWrongPassphrase)
	}
	stretched := stretch(passphrase, h.KDF)
	defer wipe(stretched)
	return unlockAfterKDF(h, stretched, keychainSecret)
}

// unlockAfterKDF is everything Unlock does after Argon2id: HKDF, unwrap and
// the key-id check. It is split out for BenchmarkUnlockAfterKDF.
func unlockAfterKDF(h *Header, stretched, keychainSecret []byte) (*Keys, error) {
	kek := unlockKey(stretched, keychainSecret, h.PassphraseOnly)
	defer wipe(kek)
	vk, err := unwrapKey(kek, h.PassphraseWrap, wrapAD(h.Version, unlockPurpose(h.PassphraseOnly), h.KDF))
	if err != nil {
		return nil, fmt.Errorf("vault: unlock: %w", ErrWrongPassphrase)
	}
	return keysFor(h, vk, "unlock")
}

// Recover unwraps VK with the recovery code, for a forgotten passphrase or a
// lost keychain (new computer). The code may be typed in any case, with or
// without dashes and spaces. Follow it with Rewrap to enrol a new passphrase
// and keychain secret, and NewRecoveryCode if the old kit may be exposed.
func Recover(h *Header, recoveryCode string) (*Keys, error) {
	if err := h.check(); err != nil {
		return nil, fmt.Errorf("vault: recover: %w", err)
	}
	symbols, err := parseRecoveryCode(recoveryCode)
	if err != nil {
		return nil, err
	}
	defer wipe(symbols)
	kek := recoveryKey(symbols[:recoveryDataLen], h.RecoveryKDF.Salt)
	defer wipe(kek)
	vk, err := unwrapKey(kek, h.RecoveryWrap, wrapAD(h.Version, purposeRecovery, h.RecoveryKDF))
	if err != nil {
		return nil, fmt.Errorf("vault: recover: %w", ErrWrongRecoveryCode)
	}
	return keysFor(h, vk, "recover")
}

// keysFor checks an unwrapped VK against the header's key id. A mismatch means
// the header was pieced together from two vaults.
func keysFor(h *Header, vk []byte, verb string) (*Keys, error) {
	if subtle.ConstantTimeCompare(keyID(vk), h.KeyID) != 1 {
		wipe(vk)
		return nil, fmt.Errorf("vault: %s: key id does not match: %w", verb, ErrIntegrity)
	}
	return newKeys(vk, h.DataKeyVersion), nil
}

// Rewrap wraps VK anew under a passphrase and keychain secret: to change the
// passphrase, re-enrol a keychain after recovery, or switch to or from
// passphrase-only (nil keychainSecret). A fresh salt is drawn when kdf has
// none or reuses the current one. The header changes only if everything
// succeeds.
func (h *Header) Rewrap(k *Keys, passphrase, keychainSecret []byte, kdf KDFParams) error {
	if err := h.rewrap(k, passphrase, keychainSecret, kdf); err != nil {
		return fmt.Errorf("vault: rewrap: %w", err)
	}
	return nil
}

func (h *Header) rewrap(k *Keys, passphrase, keychainSecret []byte, kdf KDFParams) error {
	if len(passphrase) == 0 {
		return fmt.Errorf("empty passphrase: %w", ErrWeakPassphrase)
	}
	passphraseOnly := keychainSecret == nil
	if !passphraseOnly && len(keychainSecret) != keychainSecretLen {
		return fmt.Errorf("keychain secret is %d bytes, want %d", len(keychainSecret), keychainSecretLen)
	}
	kdf = kdf.clone()
	if len(kdf.Salt) == 0 || subtle.ConstantTimeCompare(kdf.Salt, h.KDF.Salt) == 1 {
		kdf.Salt = newSalt()
	}
	if err := kdf.checkArgon2id(); err != nil {
		return err
	}
	vk, err := h.vkFor(k)
	if err != nil {
		return err
	}
	defer wipe(vk)

	stretched := stretch(passphrase, kdf)
	defer wipe(stretched)
	kek := unlockKey(stretched, keychainSecret, passphraseOnly)
	defer wipe(kek)
	wrapped := wrapKey(kek, vk, wrapAD(h.Version, unlockPurpose(passphraseOnly), kdf))

	h.KDF, h.PassphraseOnly, h.PassphraseWrap = kdf, passphraseOnly, wrapped
	return nil
}

// NewRecoveryCode wraps VK under a fresh recovery code and returns it; the
// previous code stops working once the header is saved.
func (h *Header) NewRecoveryCode(k *Keys) (string, error) {
	code, err := h.newRecoveryCode(k)
	if err != nil {
		return "", fmt.Errorf("vault: new recovery code: %w", err)
	}
	return code, nil
}

func (h *Header) newRecoveryCode(k *Keys) (string, error) {
	vk, err := h.vkFor(k)
	if err != nil {
		return "", err
	}
	defer wipe(vk)
	code := newRecoveryCode()
	symbols, err := parseRecoveryCode(code)
	if err != nil {
		return "", err // cannot happen: the code was just made
	}
	defer wipe(symbols)
	params := KDFParams{Name: KDFHKDFSHA256, Salt: newSalt()}
	kek := recoveryKey(symbols[:recoveryDataLen], params.Salt)
	defer wipe(kek)
	h.RecoveryKDF, h.RecoveryWrap = params, wrapKey(kek, vk, wrapAD(h.Version, purposeRecovery, params))
	return code, nil
}

// vkFor returns a copy of k's VK after checking it belongs to h.
func (h *Header) vkFor(k *Keys) ([]byte, error) {
	if k == nil {
		return nil, ErrLocked
	}
	vk, err := k.vkCopy()
	if err != nil {
		return nil, err
	}
	if h.Version != HeaderVersion {
		wipe(vk)
		return nil, fmt.Errorf("header version %d: %w", h.Version, ErrUnsupported)
	}
	if subtle.ConstantTimeCompare(keyID(vk), h.KeyID) != 1 {
		wipe(vk)
		return nil, ErrKeyMismatch
	}
	return vk, nil
}
