package vault

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"

	"golang.org/x/crypto/chacha20poly1305"
)

// Envelope layout; see ENVELOPE.md.
const (
	envelopeFormat   byte = 1
	envelopeHeadLen       = 1 + 4 + chacha20poly1305.NonceSizeX
	envelopeOverhead      = envelopeHeadLen + chacha20poly1305.Overhead
)

// sealEnvelope is the deterministic core of Seal: the nonce is an argument so
// that test vectors can be generated and checked. Production callers pass a
// fresh random nonce (see seal).
func sealEnvelope(dataKey []byte, keyVersion uint32, ad AD, nonce, plaintext []byte) ([]byte, error) {
	aead, err := chacha20poly1305.NewX(dataKey)
	if err != nil {
		return nil, err
	}
	if len(nonce) != aead.NonceSize() {
		return nil, fmt.Errorf("nonce is %d bytes, want %d", len(nonce), aead.NonceSize())
	}
	out := make([]byte, envelopeHeadLen, envelopeOverhead+len(plaintext))
	out[0] = envelopeFormat
	binary.BigEndian.PutUint32(out[1:5], keyVersion)
	copy(out[5:envelopeHeadLen], nonce)
	return aead.Seal(out, nonce, plaintext, fieldAD(envelopeFormat, keyVersion, ad)), nil
}

func seal(dataKey []byte, keyVersion uint32, ad AD, plaintext []byte) ([]byte, error) {
	nonce := make([]byte, chacha20poly1305.NonceSizeX)
	rand.Read(nonce) // never fails: crypto/rand.Read aborts the program instead
	return sealEnvelope(dataKey, keyVersion, ad, nonce, plaintext)
}

// openEnvelope authenticates and decrypts. Any failure is ErrIntegrity and
// returns no plaintext.
func openEnvelope(dataKey []byte, ad AD, envelope []byte) ([]byte, error) {
	keyVersion, err := EnvelopeKeyVersion(envelope)
	if err != nil {
		return nil, err
	}
	aead, err := chacha20poly1305.NewX(dataKey)
	if err != nil {
		return nil, fmt.Errorf("vault: open: %w", ErrIntegrity)
	}
	nonce := envelope[5:envelopeHeadLen]
	pt, err := aead.Open(nil, nonce, envelope[envelopeHeadLen:], fieldAD(envelopeFormat, keyVersion, ad))
	if err != nil {
		return nil, fmt.Errorf("vault: open: authentication failed: %w", ErrIntegrity)
	}
	return pt, nil
}

// EnvelopeKeyVersion reads the data-key version an envelope was sealed with,
// without decrypting it. A resumable key rotation uses it to find the rows
// still sealed under the old version. The answer is not authenticated until
// the envelope opens.
func EnvelopeKeyVersion(envelope []byte) (uint32, error) {
	if len(envelope) < envelopeOverhead {
		return 0, fmt.Errorf("vault: open: envelope truncated: %w", ErrIntegrity)
	}
	if envelope[0] != envelopeFormat {
		return 0, fmt.Errorf("vault: open: unknown envelope format %d: %w", envelope[0], ErrIntegrity)
	}
	v := binary.BigEndian.Uint32(envelope[1:5])
	if v == 0 {
		return 0, fmt.Errorf("vault: open: key version 0: %w", ErrIntegrity)
	}
	return v, nil
}
