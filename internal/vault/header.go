package vault

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"
)

// HeaderVersion is the header format this build writes and reads.
const HeaderVersion = 1

// Header is what is persisted (as JSON) beside the data: the KDF parameters,
// VK wrapped for the unlock factors and for the recovery code, a public
// fingerprint of VK, and the data-key version state. It holds no secret in the
// clear, so it may be stored unencrypted; every field that matters to
// unlocking is authenticated by the wraps' associated data.
//
// DataKeyVersion and RotatingTo are bookkeeping, not secrets and not
// authenticated: tampering with them can at worst make the app re-seal rows
// again, never open a field under the wrong key.
type Header struct {
	Version        int       `json:"version"`
	KDF            KDFParams `json:"kdf"`
	PassphraseOnly bool      `json:"passphraseOnly"`
	PassphraseWrap []byte    `json:"passphraseWrap"`
	RecoveryKDF    KDFParams `json:"recoveryKdf"`
	RecoveryWrap   []byte    `json:"recoveryWrap"`
	// KeyID is HKDF(VK, "calmally/vault/key-id")[:16]; it lets Rewrap and
	// NewRecoveryCode refuse Keys from another vault.
	KeyID          []byte    `json:"keyId"`
	DataKeyVersion uint32    `json:"dataKeyVersion"`
	RotatingTo     uint32    `json:"rotatingTo"` // 0: no rotation in progress
	CreatedAt      time.Time `json:"createdAt"`
}

// Marshal encodes a valid header as JSON.
func (h *Header) Marshal() ([]byte, error) {
	if err := h.check(); err != nil {
		return nil, fmt.Errorf("vault: marshal header: %w", err)
	}
	return json.Marshal(h)
}

// ParseHeader decodes and checks a header. It refuses unknown versions, KDF
// names and fields, Argon2id parameters outside the allowed range
// (ErrUnsupported), and malformed or truncated input (ErrIntegrity).
func ParseHeader(data []byte) (*Header, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var h Header
	if err := dec.Decode(&h); err != nil {
		return nil, fmt.Errorf("vault: parse header: malformed: %w", ErrIntegrity)
	}
	if dec.More() {
		return nil, fmt.Errorf("vault: parse header: trailing data: %w", ErrIntegrity)
	}
	if err := h.check(); err != nil {
		return nil, fmt.Errorf("vault: parse header: %w", err)
	}
	return &h, nil
}

func (h *Header) check() error {
	if h == nil {
		return fmt.Errorf("no header: %w", ErrIntegrity)
	}
	if h.Version != HeaderVersion {
		return fmt.Errorf("header version %d: %w", h.Version, ErrUnsupported)
	}
	if err := h.KDF.checkArgon2id(); err != nil {
		return err
	}
	if err := h.RecoveryKDF.checkHKDF(); err != nil {
		return err
	}
	switch {
	case len(h.PassphraseWrap) != wrapLen || len(h.RecoveryWrap) != wrapLen:
		return fmt.Errorf("wrapped key has the wrong length: %w", ErrIntegrity)
	case len(h.KeyID) != 16:
		return fmt.Errorf("key id has the wrong length: %w", ErrIntegrity)
	case h.DataKeyVersion == 0:
		return fmt.Errorf("data key version 0: %w", ErrIntegrity)
	case h.RotatingTo != 0 && h.RotatingTo <= h.DataKeyVersion:
		return fmt.Errorf("rotation target not after the current data key version: %w", ErrIntegrity)
	case h.CreatedAt.Year() < 1 || h.CreatedAt.Year() > 9999:
		return fmt.Errorf("creation time out of range: %w", ErrIntegrity)
	}
	return nil
}

// StartRotation begins a data-key rotation, or resumes the one in progress,
// and returns the version to re-seal rows to. Persist the header, call
// Keys.SetDataKeyVersion with the result, re-seal every row whose
// EnvelopeKeyVersion differs, then FinishRotation and persist again.
func (h *Header) StartRotation() (uint32, error) {
	if h.RotatingTo != 0 {
		return h.RotatingTo, nil
	}
	if h.DataKeyVersion == math.MaxUint32 {
		return 0, errors.New("vault: start rotation: no key versions left")
	}
	h.RotatingTo = h.DataKeyVersion + 1
	return h.RotatingTo, nil
}

// FinishRotation records that every row is sealed under RotatingTo.
func (h *Header) FinishRotation() {
	if h.RotatingTo != 0 {
		h.DataKeyVersion = h.RotatingTo
		h.RotatingTo = 0
	}
}
