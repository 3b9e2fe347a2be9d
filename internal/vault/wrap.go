package vault

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"

	"golang.org/x/crypto/chacha20poly1305"
)

// The three ways VK is wrapped. The purpose is part of each wrap's associated
// data and of the unlock key's HKDF label, so a wrap cannot be presented as
// another kind (for example a two-factor vault relabelled passphrase-only).
const (
	purposeTwoFactor      = "passphrase+keychain"
	purposePassphraseOnly = "passphrase-only"
	purposeRecovery       = "recovery"

	wrapLen           = chacha20poly1305.NonceSizeX + vkLen + chacha20poly1305.Overhead
	keychainSecretLen = 32
)

var errUnwrap = errors.New("unwrap failed")

// unlockKey is HKDF-SHA256(Argon2id(passphrase) ‖ keychain secret), or of
// Argon2id(passphrase) alone under a different label for a passphrase-only
// vault.
func unlockKey(stretched, keychainSecret []byte, passphraseOnly bool) []byte {
	if passphraseOnly {
		return deriveKey(stretched, "calmally/vault/unlock/"+purposePassphraseOnly)
	}
	ikm := make([]byte, 0, len(stretched)+len(keychainSecret))
	ikm = append(append(ikm, stretched...), keychainSecret...)
	defer wipe(ikm)
	return deriveKey(ikm, "calmally/vault/unlock/"+purposeTwoFactor)
}

// recoveryKey derives the recovery wrapping key from the code's 28 data
// symbols. The code carries 140 random bits, so HKDF with a per-wrap salt is
// enough: there is nothing for a slow KDF to protect.
func recoveryKey(data, salt []byte) []byte {
	key, err := hkdf.Key(sha256.New, data, salt, "calmally/vault/"+purposeRecovery, 32)
	if err != nil {
		panic("vault: hkdf: " + err.Error()) // cannot happen for a 32-byte key
	}
	return key
}

func unlockPurpose(passphraseOnly bool) string {
	if passphraseOnly {
		return purposePassphraseOnly
	}
	return purposeTwoFactor
}

// wrapAD binds a wrap to the header version, its purpose and every KDF
// parameter, so that lowering the Argon2id cost or swapping the salt in the
// header makes the unwrap fail instead of silently weakening the vault.
func wrapAD(headerVersion int, purpose string, p KDFParams) []byte {
	b := appendField(nil, []byte("calmally/vault-key-wrap"))
	b = appendUint64Field(b, uint64(headerVersion))
	b = appendField(b, []byte(purpose))
	b = appendField(b, []byte(p.Name))
	b = appendUint32Field(b, p.Time)
	b = appendUint32Field(b, p.MemoryKiB)
	b = appendField(b, []byte{p.Threads})
	b = appendField(b, p.Salt)
	return b
}

// wrapKey seals VK as nonce ‖ ciphertext ‖ tag under kek.
func wrapKey(kek, vk, ad []byte) []byte {
	aead, err := chacha20poly1305.NewX(kek)
	if err != nil {
		panic("vault: wrap: " + err.Error()) // kek is always 32 bytes
	}
	nonce := make([]byte, aead.NonceSize(), wrapLen)
	rand.Read(nonce)
	return aead.Seal(nonce, nonce, vk, ad)
}

func unwrapKey(kek, wrapped, ad []byte) ([]byte, error) {
	if len(wrapped) != wrapLen {
		return nil, errUnwrap
	}
	aead, err := chacha20poly1305.NewX(kek)
	if err != nil {
		return nil, errUnwrap
	}
	n := aead.NonceSize()
	vk, err := aead.Open(nil, wrapped[:n], wrapped[n:], ad)
	if err != nil || len(vk) != vkLen {
		return nil, errUnwrap
	}
	return vk, nil
}
