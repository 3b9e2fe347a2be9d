package backup

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"filippo.io/age"

	"github.com/calmally/practice/internal/vault"
)

// Magic is the first line of every backup file (without its line break).
const Magic = "calmally-backup/v1"

// FormatVersion is the header format this build writes and reads.
const FormatVersion = 1

// maxHeaderLine bounds the plaintext header line, so a hostile file cannot
// make the reader buffer without limit. A vault header is about 600 bytes.
const maxHeaderLine = 16 << 10

// Sentinel errors; test with errors.Is. ErrIntegrity also matches
// vault.ErrIntegrity.
var (
	// ErrNotBackup means the file does not start like a CalmAlly backup.
	ErrNotBackup = errors.New("not a CalmAlly Practice backup")
	// ErrUnsupported means a format version this build does not know.
	ErrUnsupported = errors.New("backup format not supported by this version")
	// ErrIntegrity means the file was changed, truncated or extended, or does
	// not open with this vault's key.
	ErrIntegrity = fmt.Errorf("backup: %w", vault.ErrIntegrity)
)

// Header is the plaintext part of a backup file. It names no client and
// holds no secret in the clear; it is authenticated by the sealed part.
type Header struct {
	Format        int             `json:"format"`
	BackupID      string          `json:"backupId"`
	VaultID       string          `json:"vaultId"`
	CreatedAt     time.Time       `json:"createdAt"`
	SchemaVersion int             `json:"schemaVersion"`
	AppVersion    string          `json:"appVersion"`
	VaultHeader   json.RawMessage `json:"vaultHeader"`
}

// Vault parses the vault header carried in h.
func (h Header) Vault() (*vault.Header, error) {
	return vault.ParseHeader(h.VaultHeader)
}

func (h Header) check() error {
	switch {
	case h.Format != FormatVersion:
		return fmt.Errorf("header format %d: %w", h.Format, ErrUnsupported)
	case h.BackupID == "" || len(h.BackupID) > 64 || h.VaultID == "" || len(h.VaultID) > 64:
		return fmt.Errorf("ids missing or too long: %w", ErrIntegrity)
	case h.CreatedAt.IsZero() || h.CreatedAt.Year() > 9999:
		return fmt.Errorf("creation time out of range: %w", ErrIntegrity)
	case h.SchemaVersion < 1:
		return fmt.Errorf("schema version missing: %w", ErrIntegrity)
	}
	if _, err := h.Vault(); err != nil {
		return fmt.Errorf("vault header: %w", err)
	}
	return nil
}

// prefix is the exact plaintext that starts the file: the magic line and the
// header line. Its SHA-256 is bound into the key wrap.
func (h Header) prefix() ([]byte, error) {
	if err := h.check(); err != nil {
		return nil, err
	}
	var vh bytes.Buffer
	if err := json.Compact(&vh, h.VaultHeader); err != nil {
		return nil, fmt.Errorf("vault header: %w", ErrIntegrity)
	}
	h.VaultHeader = vh.Bytes()
	line, err := json.Marshal(h)
	if err != nil {
		return nil, err
	}
	return append(append([]byte(Magic+"\n"), line...), '\n'), nil
}

// Write seals the snapshot read from src for key (the vault's backup subkey)
// and writes the whole backup file to dst. It does not sync or close dst.
func Write(dst io.Writer, h Header, key []byte, src io.Reader) error {
	prefix, err := h.prefix()
	if err != nil {
		return fmt.Errorf("backup: write: %w", err)
	}
	if _, err := dst.Write(prefix); err != nil {
		return fmt.Errorf("backup: write header: %w", err)
	}
	r, err := newRecipient(key, prefix)
	if err != nil {
		return fmt.Errorf("backup: write: %w", err)
	}
	w, err := age.Encrypt(dst, r)
	if err != nil {
		return fmt.Errorf("backup: write: %w", err)
	}
	if _, err := io.Copy(w, src); err != nil {
		return fmt.Errorf("backup: write payload: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("backup: write payload: %w", err)
	}
	return nil
}

// Reader reads a backup file: first its plaintext header, then (with the key)
// the snapshot.
type Reader struct {
	Header Header
	prefix []byte
	rest   *bufio.Reader
}

// NewReader reads and checks the plaintext header of the file in r. Nothing
// in the header is trusted until Decrypt has authenticated it, except for
// choosing how to obtain the key (the vault header, for the recovery code).
func NewReader(r io.Reader) (*Reader, error) {
	br := bufio.NewReaderSize(r, maxHeaderLine+64)
	magic, err := br.ReadSlice('\n')
	if err != nil || string(magic) != Magic+"\n" {
		return nil, fmt.Errorf("backup: read: %w", ErrNotBackup)
	}
	prefix := append([]byte(nil), magic...)
	line, err := br.ReadSlice('\n')
	if err != nil {
		return nil, fmt.Errorf("backup: read header: %w", ErrIntegrity)
	}
	prefix = append(prefix, line...)
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	var h Header
	if err := dec.Decode(&h); err != nil {
		return nil, fmt.Errorf("backup: read header: malformed: %w", ErrIntegrity)
	}
	if err := h.check(); err != nil {
		return nil, fmt.Errorf("backup: read header: %w", err)
	}
	// The header must be in the canonical form Write produces, so that the
	// bytes authenticated are the bytes parsed.
	canon, err := h.prefix()
	if err != nil || !bytes.Equal(canon, prefix) {
		return nil, fmt.Errorf("backup: read header: not canonical: %w", ErrIntegrity)
	}
	return &Reader{Header: h, prefix: prefix, rest: br}, nil
}

// Decrypt returns the snapshot's plaintext as a stream. Every chunk is
// authenticated before it is returned; a read error wraps ErrIntegrity when
// the file was altered or truncated. Only use the result once the stream has
// been read to its end without error.
func (r *Reader) Decrypt(key []byte) (io.Reader, error) {
	id := &identity{key: key, prefix: r.prefix}
	pr, err := age.Decrypt(r.rest, id)
	if err != nil {
		if id.err != nil {
			return nil, fmt.Errorf("backup: decrypt: %w", id.err)
		}
		return nil, fmt.Errorf("backup: decrypt: %w", ErrIntegrity)
	}
	return integrityReader{pr}, nil
}

// integrityReader turns any payload read failure into ErrIntegrity.
type integrityReader struct{ r io.Reader }

func (ir integrityReader) Read(p []byte) (int, error) {
	n, err := ir.r.Read(p)
	if err != nil && err != io.EOF {
		return n, fmt.Errorf("backup: decrypt payload: %w", ErrIntegrity)
	}
	return n, err
}

// ReadHeader reads only the plaintext header of the file at r.
func ReadHeader(r io.Reader) (Header, error) {
	br, err := NewReader(r)
	if err != nil {
		return Header{}, err
	}
	return br.Header, nil
}

// digest is what the key wrap binds: the SHA-256 of the plaintext prefix.
func digest(prefix []byte) []byte {
	d := sha256.Sum256(prefix)
	return d[:]
}
