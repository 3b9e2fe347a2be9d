// Package vault owns CalmAlly Practice's key hierarchy and record encryption.
// It is the only package that touches key material; it imports nothing else
// from the project and builds only on golang.org/x/crypto and the standard
// library.
//
// # Key hierarchy
//
// A vault has one vault key (VK): 32 random bytes created by [Create]. Every
// other key is derived from VK with HKDF-SHA256, per purpose and per data-key
// version, so data keys can be rotated without changing VK and VK never has to
// be re-encrypted when a data key changes.
//
// VK is stored only wrapped, in a [Header] persisted beside the data:
//
//   - the unlock wrap: XChaCha20-Poly1305 under
//     HKDF-SHA256(Argon2id(passphrase) ‖ keychain secret). Both factors are
//     needed; a vault created passphrase-only (no OS keychain available) uses
//     Argon2id(passphrase) alone under a different HKDF label.
//   - the recovery wrap: XChaCha20-Poly1305 under HKDF-SHA256 of a random
//     recovery code (140 bits, Crockford base32 with a checksum group) and a
//     random salt. The code has enough entropy that no slow KDF is needed.
//
// Each wrap's associated data binds the header version, the wrap's purpose and
// its KDF parameters, so parameters cannot be swapped or downgraded without the
// unwrap failing. [ParseHeader] refuses unknown versions, unknown KDFs and
// Argon2id parameters below [MinimumKDF].
//
// # Record encryption
//
// [Keys.Seal] encrypts one field into a versioned envelope:
//
//	[1 byte format version = 1][4 bytes key version, big endian][24 bytes nonce][ciphertext ‖ 16-byte tag]
//
// with XChaCha20-Poly1305, a random nonce and the data key of that key version
// (HKDF-SHA256(VK, info "calmally/data/v<version>")). The associated data is a
// canonical length-prefixed encoding of the format version, the key version
// and the [AD]: table, column, row id and row revision. A ciphertext moved to
// another row, column or table, an older revision replayed, a flipped bit, a
// truncation or an unknown format version fails to open with [ErrIntegrity];
// no partial plaintext is ever returned. ENVELOPE.md specifies the format
// byte by byte and testdata/vectors.json pins it.
//
// # Passphrases and keychains
//
// [CheckPassphrase] and [RequireStrong] judge passphrase strength (zxcvbn)
// with helpful messages; [Create] does not enforce strength, so callers check
// first. Passphrases are normalised to Unicode NFC before Argon2id so that the
// same words typed on another system unlock the same vault.
//
// [SystemKeychain] stores the keychain secret in the OS keychain (macOS
// Keychain, Windows Credential Manager, Secret Service) and bounds every call
// with a timeout, since a locked Secret Service collection can block forever.
// [Probe] tells whether a keychain is usable without hanging. The keychain
// secret is never written to disk by this package.
//
// # Recovery kit
//
// [RecoveryKitPDF] renders the recovery code as a printable one-page A4 PDF
// with a QR code, built in memory.
//
// # Promises and limits
//
// Errors never contain passphrases, keys, recovery codes or plaintext.
// [Keys.Wipe] zeroes VK and the derived keys this package holds; Go may still
// hold copies it made internally (cipher states, garbage not yet reused), so
// wiping is best effort and does not defend against malware running as the
// user while the vault is unlocked.
package vault
