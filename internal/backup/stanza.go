package backup

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"

	"filippo.io/age"
	"golang.org/x/crypto/chacha20poly1305"
)

// stanzaType names our recipient stanza in the age header.
const stanzaType = "calmally-backup"

// wrapLabel starts the associated data of the file-key wrap; the digest of
// the plaintext prefix follows.
const wrapLabel = "calmally-backup/v1 file key\x00"

// recipient wraps age's file key under the vault's backup subkey with
// XChaCha20-Poly1305, binding the plaintext prefix of the backup file. It is
// a symmetric age recipient: the same key unwraps (identity).
type recipient struct {
	key, prefix []byte
}

func newRecipient(key, prefix []byte) (*recipient, error) {
	if len(key) != chacha20poly1305.KeySize {
		return nil, errors.New("backup key must be 32 bytes")
	}
	return &recipient{key: key, prefix: prefix}, nil
}

func wrapAD(prefix []byte) []byte { return append([]byte(wrapLabel), digest(prefix)...) }

// Wrap implements age.Recipient.
func (r *recipient) Wrap(fileKey []byte) ([]*age.Stanza, error) {
	aead, err := chacha20poly1305.NewX(r.key)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, chacha20poly1305.NonceSizeX)
	rand.Read(nonce)
	body := aead.Seal(nil, nonce, fileKey, wrapAD(r.prefix))
	return []*age.Stanza{{
		Type: stanzaType,
		Args: []string{base64.RawStdEncoding.EncodeToString(nonce)},
		Body: body,
	}}, nil
}

// WrapWithLabels implements age.RecipientWithLabels with a label no other
// recipient carries, so the file can never also be encrypted to a public key
// (which would let its holder forge the symmetric authentication).
func (r *recipient) WrapWithLabels(fileKey []byte) ([]*age.Stanza, []string, error) {
	s, err := r.Wrap(fileKey)
	return s, []string{"calmally-backup-only"}, err
}

// identity unwraps what recipient wrapped. err records why a stanza of our
// type failed, since age reports only that no identity matched.
type identity struct {
	key, prefix []byte
	err         error
}

// Unwrap implements age.Identity.
func (id *identity) Unwrap(stanzas []*age.Stanza) ([]byte, error) {
	if len(id.key) != chacha20poly1305.KeySize {
		return nil, errors.New("backup key must be 32 bytes")
	}
	aead, err := chacha20poly1305.NewX(id.key)
	if err != nil {
		return nil, err
	}
	for _, s := range stanzas {
		if s.Type != stanzaType {
			continue
		}
		if len(s.Args) != 1 {
			id.err = fmt.Errorf("malformed stanza: %w", ErrIntegrity)
			return nil, id.err
		}
		nonce, err := base64.RawStdEncoding.Strict().DecodeString(s.Args[0])
		if err != nil || len(nonce) != chacha20poly1305.NonceSizeX {
			id.err = fmt.Errorf("malformed stanza: %w", ErrIntegrity)
			return nil, id.err
		}
		fileKey, err := aead.Open(nil, nonce, s.Body, wrapAD(id.prefix))
		if err != nil {
			// Another vault's key or a changed plaintext header: both are
			// an integrity failure from the reader's point of view.
			id.err = fmt.Errorf("file key does not open with this vault's key or the header was changed: %w", ErrIntegrity)
			return nil, fmt.Errorf("%w: %w", age.ErrIncorrectIdentity, id.err)
		}
		return fileKey, nil
	}
	id.err = fmt.Errorf("no CalmAlly backup stanza: %w", ErrIntegrity)
	return nil, age.ErrIncorrectIdentity
}
