package export

import (
	"archive/zip"
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"filippo.io/age"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/export/fhir"
	"github.com/calmally/practice/internal/export/record"
)

// Limits on archives read for import. A clinic's whole practice with years of
// notes is far below them; a zip bomb is not.
var (
	MaxArchiveBytes int64 = 2 << 30 // the file (and the decrypted zip)
	MaxFileBytes    int64 = 1 << 30 // one file inside the zip, uncompressed
	MaxFiles              = 100_000
)

// Decryption supplies what opens an age-encrypted archive.
type Decryption struct {
	Passphrase []byte
	Identities []age.Identity // e.g. from age.ParseIdentities on an identity file
}

// Bundle is an archive read and checked.
type Bundle struct {
	Manifest  Manifest
	Record    record.Record
	Encrypted bool
	SHA256    string // of the file as read
}

// Refusals, as coded errors a user can act on.
var (
	ErrForeign   = apperr.New(apperr.Invalid, "this file is not a record bundle made by CalmAlly Practice")
	ErrTampered  = apperr.New(apperr.Integrity, "the bundle does not match its manifest: a file was changed, added or removed; it was not imported")
	ErrEncrypted = apperr.New(apperr.Invalid, "the bundle is encrypted: give its passphrase or an age identity")
	ErrDecrypt   = apperr.New(apperr.Invalid, "the bundle could not be decrypted: wrong passphrase or identity")
)

const ageMagic = "age-encryption.org/v1\n"

// Open reads the archive at path, decrypting it in memory if it is
// age-encrypted (no plaintext is written to disk), and checks it: the
// manifest first (format, then the SHA-256 and size of every file, and that
// no file is missing or extra), then the FHIR bundle's shape.
func Open(path string, d Decryption) (Bundle, error) {
	f, err := os.Open(path)
	if err != nil {
		return Bundle{}, apperr.Wrap(apperr.NotFound, "cannot open the bundle file", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return Bundle{}, fmt.Errorf("import: stat: %w", err)
	}
	if st.Size() > MaxArchiveBytes {
		return Bundle{}, apperr.New(apperr.Invalid, "the bundle is larger than this app accepts")
	}
	h := sha256.New()
	br := bufio.NewReader(io.TeeReader(f, h))
	head, _ := br.Peek(len(ageMagic))
	var src io.Reader = br
	b := Bundle{}
	if string(head) == ageMagic {
		b.Encrypted = true
		ids := d.Identities
		if len(d.Passphrase) > 0 {
			id, err := age.NewScryptIdentity(string(d.Passphrase))
			if err != nil {
				return Bundle{}, ErrDecrypt
			}
			ids = append(ids, id)
		}
		if len(ids) == 0 {
			return Bundle{}, ErrEncrypted
		}
		r, err := age.Decrypt(br, ids...)
		if err != nil {
			return Bundle{}, apperr.Wrap(apperr.Invalid, ErrDecrypt.Message, err)
		}
		src = r
	}
	data, err := io.ReadAll(io.LimitReader(src, MaxArchiveBytes+1))
	if err != nil {
		if b.Encrypted {
			return Bundle{}, apperr.Wrap(apperr.Integrity, ErrTampered.Message, err)
		}
		return Bundle{}, fmt.Errorf("import: read: %w", err)
	}
	if int64(len(data)) > MaxArchiveBytes {
		return Bundle{}, apperr.New(apperr.Invalid, "the bundle is larger than this app accepts")
	}
	_, _ = io.Copy(io.Discard, br) // hash the whole file
	b.SHA256 = hex.EncodeToString(h.Sum(nil))
	m, files, err := check(data)
	if err != nil {
		return Bundle{}, err
	}
	b.Manifest = m
	rec, err := fhir.Parse(files[PathFHIR])
	if err != nil {
		return Bundle{}, apperr.Wrap(apperr.Invalid, ErrForeign.Message, err)
	}
	rec.AppVersion, rec.IncludePsychotherapy, rec.Withheld = m.AppVersion, m.IncludesPsychotherapyNotes, m.Withheld
	if rec.ID != m.BundleID || rec.Scope != m.Scope || rec.ClientID != m.ClientID {
		return Bundle{}, ErrTampered
	}
	b.Record = rec
	return b, nil
}

// check verifies the zip against its manifest and returns the files' bytes.
func check(data []byte) (Manifest, map[string][]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return Manifest{}, nil, ErrForeign
	}
	if len(zr.File) > MaxFiles {
		return Manifest{}, nil, apperr.New(apperr.Invalid, "the bundle holds more files than this app accepts")
	}
	files := map[string][]byte{}
	for _, zf := range zr.File {
		if _, dup := files[zf.Name]; dup {
			return Manifest{}, nil, ErrTampered
		}
		if strings.HasSuffix(zf.Name, "/") {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			return Manifest{}, nil, ErrTampered
		}
		b, err := io.ReadAll(io.LimitReader(rc, MaxFileBytes+1))
		rc.Close()
		if err != nil {
			if errors.Is(err, zip.ErrChecksum) || errors.Is(err, zip.ErrFormat) {
				return Manifest{}, nil, ErrTampered
			}
			return Manifest{}, nil, ErrTampered
		}
		if int64(len(b)) > MaxFileBytes {
			return Manifest{}, nil, apperr.New(apperr.Invalid, "a file in the bundle is larger than this app accepts")
		}
		files[zf.Name] = b
	}
	mj, ok := files[PathManifest]
	if !ok {
		return Manifest{}, nil, ErrForeign
	}
	var m Manifest
	if err := json.Unmarshal(mj, &m); err != nil || m.Format != Format {
		return Manifest{}, nil, ErrForeign
	}
	if m.FormatVersion != FormatVersion {
		return Manifest{}, nil, apperr.New(apperr.Invalid, "the bundle was made by a newer version of CalmAlly Practice; update the app to import it")
	}
	listed := map[string]bool{PathManifest: true}
	for _, fd := range m.Files {
		b, ok := files[fd.Path]
		if !ok || listed[fd.Path] {
			return Manifest{}, nil, ErrTampered
		}
		listed[fd.Path] = true
		sum := sha256.Sum256(b)
		if hex.EncodeToString(sum[:]) != strings.ToLower(fd.SHA256) || int64(len(b)) != fd.Size {
			return Manifest{}, nil, ErrTampered
		}
	}
	for name := range files {
		if !listed[name] {
			return Manifest{}, nil, ErrTampered
		}
	}
	if _, ok := files[PathFHIR]; !ok {
		return Manifest{}, nil, ErrForeign
	}
	return m, files, nil
}
