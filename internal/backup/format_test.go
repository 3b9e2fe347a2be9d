package backup

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/calmally/practice/internal/vault"
)

func testVaultHeader(t testing.TB) []byte {
	t.Helper()
	h, k, _, err := vault.Create([]byte("correct horse battery staple orchard"), nil, vault.MinimumKDF())
	if err != nil {
		t.Fatal(err)
	}
	k.Wipe()
	b, err := h.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func testHeader(t testing.TB) Header {
	return Header{
		Format:        FormatVersion,
		BackupID:      "0195f0c2-7d1e-7c3a-9a51-0a1b2c3d4e5f",
		VaultID:       "0195f0c2-0000-7c3a-9a51-0a1b2c3d4e5f",
		CreatedAt:     time.Date(2026, 3, 1, 9, 0, 0, 123, time.UTC),
		SchemaVersion: 10,
		AppVersion:    "test",
		VaultHeader:   testVaultHeader(t),
	}
}

func randomKey() []byte {
	k := make([]byte, 32)
	rand.Read(k)
	return k
}

// sealed writes a backup of payload and returns the file's bytes.
func sealed(t testing.TB, h Header, key, payload []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, h, key, bytes.NewReader(payload)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func open(file, key []byte) ([]byte, error) {
	r, err := NewReader(bytes.NewReader(file))
	if err != nil {
		return nil, err
	}
	pr, err := r.Decrypt(key)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(pr)
	if err != nil {
		// Chunks before the bad one were authenticated and returned; a
		// caller (like this one) discards everything on error.
		return nil, err
	}
	return b, nil
}

func TestRoundTrip(t *testing.T) {
	h := testHeader(t)
	key := randomKey()
	for _, size := range []int{0, 1, 64<<10 - 1, 64 << 10, 64<<10 + 1, 300_000} {
		payload := make([]byte, size)
		rand.Read(payload)
		file := sealed(t, h, key, payload)
		got, err := open(file, key)
		if err != nil {
			t.Fatalf("size %d: %v", size, err)
		}
		if !bytes.Equal(got, payload) {
			t.Fatalf("size %d: payload differs", size)
		}
		hdr, err := ReadHeader(bytes.NewReader(file))
		if err != nil {
			t.Fatal(err)
		}
		if hdr.BackupID != h.BackupID || !hdr.CreatedAt.Equal(h.CreatedAt) || hdr.SchemaVersion != 10 {
			t.Fatalf("header round trip: %+v", hdr)
		}
		if _, err := hdr.Vault(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestPayloadIsNotPlaintext(t *testing.T) {
	marker := []byte("MARKER-Ananya-Kulkarni-PTSD")
	payload := bytes.Repeat(marker, 1000)
	file := sealed(t, testHeader(t), randomKey(), payload)
	if bytes.Contains(file, marker) || bytes.Contains(file, []byte("Ananya")) {
		t.Fatal("the backup file contains plaintext")
	}
}

func TestTamperRefused(t *testing.T) {
	h := testHeader(t)
	key := randomKey()
	payload := make([]byte, 200_000)
	rand.Read(payload)
	file := sealed(t, h, key, payload)
	ageStart := bytes.Index(file, []byte("age-encryption.org/v1"))
	macLine := bytes.Index(file, []byte("\n--- ")) + 1
	payloadStart := bytes.IndexByte(file[macLine:], '\n') + macLine + 1
	flip := func(i int) func([]byte) []byte {
		return func(b []byte) []byte { b[i] ^= 0x01; return b }
	}
	cases := []struct {
		name   string
		mutate func([]byte) []byte
		want   error
	}{
		{"magic", flip(0), ErrNotBackup},
		{"schema version in the plaintext header", func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"schemaVersion":10`), []byte(`"schemaVersion":11`), 1)
		}, ErrIntegrity},
		{"created at in the plaintext header", func(b []byte) []byte {
			return bytes.Replace(b, []byte(`2026-03-01`), []byte(`2026-03-02`), 1)
		}, ErrIntegrity},
		{"stanza body", flip(ageStart + 60), ErrIntegrity},
		{"header mac", flip(macLine + 6), ErrIntegrity},
		{"payload nonce", flip(payloadStart + 2), ErrIntegrity},
		{"first chunk", flip(payloadStart + 100), ErrIntegrity},
		{"last byte", flip(len(file) - 1), ErrIntegrity},
		{"truncated at a chunk boundary", func(b []byte) []byte { return b[:payloadStart+16+(64<<10+16)] }, ErrIntegrity},
		{"truncated mid-chunk", func(b []byte) []byte { return b[:len(b)-100] }, ErrIntegrity},
		{"extended", func(b []byte) []byte { return append(b, 0) }, ErrIntegrity},
		{"empty", func(b []byte) []byte { return nil }, ErrNotBackup},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bad := c.mutate(bytes.Clone(file))
			got, err := open(bad, key)
			if !errors.Is(err, c.want) {
				t.Fatalf("open = %v, want %v", err, c.want)
			}
			if got != nil {
				t.Fatal("plaintext returned from a tampered file")
			}
			if c.want == ErrIntegrity && !errors.Is(err, vault.ErrIntegrity) {
				t.Fatal("ErrIntegrity does not match vault.ErrIntegrity")
			}
		})
	}
}

func TestWrongKeyRefused(t *testing.T) {
	file := sealed(t, testHeader(t), randomKey(), []byte("snapshot"))
	if _, err := open(file, randomKey()); !errors.Is(err, ErrIntegrity) {
		t.Fatalf("open with another key = %v", err)
	}
}

func TestHeaderSwapRefused(t *testing.T) {
	// The plaintext header of one backup spliced onto another's sealed part.
	key := randomKey()
	h1, h2 := testHeader(t), testHeader(t)
	h2.BackupID = "0195f0c2-7d1e-7c3a-9a51-ffffffffffff"
	f1, f2 := sealed(t, h1, key, []byte("one")), sealed(t, h2, key, []byte("two"))
	i1 := bytes.Index(f1, []byte("age-encryption.org/v1"))
	i2 := bytes.Index(f2, []byte("age-encryption.org/v1"))
	spliced := append(bytes.Clone(f1[:i1]), f2[i2:]...)
	if _, err := open(spliced, key); !errors.Is(err, ErrIntegrity) {
		t.Fatalf("spliced = %v", err)
	}
}

func TestUnknownFormatRefused(t *testing.T) {
	h := testHeader(t)
	h.Format = 2
	if err := Write(io.Discard, h, randomKey(), strings.NewReader("x")); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("write format 2 = %v", err)
	}
	file := sealed(t, testHeader(t), randomKey(), []byte("x"))
	bad := bytes.Replace(file, []byte(`"format":1`), []byte(`"format":2`), 1)
	if _, err := ReadHeader(bytes.NewReader(bad)); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("read format 2 = %v", err)
	}
}

func TestHeaderNamesNoClient(t *testing.T) {
	// The header is plaintext: it must hold only ids, times and the vault
	// header. This pins the field list so that a new field is a conscious
	// decision.
	file := sealed(t, testHeader(t), randomKey(), nil)
	line := strings.SplitN(string(file), "\n", 3)[1]
	for _, f := range []string{"format", "backupId", "vaultId", "createdAt", "schemaVersion", "appVersion", "vaultHeader"} {
		if !strings.Contains(line, `"`+f+`"`) {
			t.Errorf("header lacks %s", f)
		}
	}
	if n := strings.Count(line, `":`); n > 7+20 {
		t.Errorf("header has %d fields, more than expected", n)
	}
}

func FuzzNewReader(f *testing.F) {
	h := testHeader(f)
	key := make([]byte, 32)
	f.Add(sealed(f, h, key, []byte("snapshot bytes")))
	f.Add([]byte(Magic + "\n{}\n"))
	f.Add([]byte(Magic + "\n"))
	f.Add([]byte("SQLite format 3\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReader(bytes.NewReader(data))
		if err != nil {
			return
		}
		// A header that parses re-encodes to exactly the bytes read.
		prefix, err := r.Header.prefix()
		if err != nil || !bytes.HasPrefix(data, prefix) {
			t.Fatalf("accepted header does not re-encode to its bytes: %v", err)
		}
		pr, err := r.Decrypt(key)
		if err != nil {
			return
		}
		_, _ = io.Copy(io.Discard, pr)
	})
}
