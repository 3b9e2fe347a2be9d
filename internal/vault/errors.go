package vault

import "errors"

// Sentinel errors. Functions wrap them with %w and a short description of
// the step that failed; test with errors.Is.
var (
	// ErrWrongPassphrase means unlocking failed. A wrong passphrase and a
	// wrong or missing keychain secret are indistinguishable by design.
	ErrWrongPassphrase = errors.New("wrong passphrase or keychain secret")

	// ErrWrongRecoveryCode means the recovery code is mistyped (its checksum
	// does not match) or belongs to another vault or an older kit.
	ErrWrongRecoveryCode = errors.New("wrong recovery code")

	// ErrIntegrity means authenticated data failed to verify: a tampered,
	// moved, replayed, truncated or unknown-format envelope or header.
	ErrIntegrity = errors.New("integrity check failed")

	// ErrWeakPassphrase means a passphrase does not meet the strength rule;
	// the wrapping error carries advice that never repeats the passphrase.
	ErrWeakPassphrase = errors.New("passphrase is too weak")

	// ErrKeychainUnavailable means the OS keychain cannot be used right now:
	// no session bus, no Secret Service, a locked collection or a timeout.
	ErrKeychainUnavailable = errors.New("keychain unavailable")

	// ErrKeychainItemMissing means the keychain works but holds no (usable)
	// item for the account.
	ErrKeychainItemMissing = errors.New("keychain item missing")

	// ErrUnsupported means a header version, KDF name or KDF parameters this
	// build refuses (unknown, or below the minimum cost).
	ErrUnsupported = errors.New("unsupported vault format or parameters")

	// ErrLocked means the Keys were wiped.
	ErrLocked = errors.New("vault is locked")

	// ErrKeyMismatch means the Keys passed in do not belong to the header.
	ErrKeyMismatch = errors.New("keys do not belong to this vault")
)
