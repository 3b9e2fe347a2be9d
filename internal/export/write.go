package export

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"

	"filippo.io/age"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/export/fhir"
	"github.com/calmally/practice/internal/export/pdf"
	"github.com/calmally/practice/internal/export/record"
)

// Encryption chooses how the whole archive is encrypted with age. The zero
// value means no encryption.
type Encryption struct {
	Passphrase []byte // an scrypt recipient
	Recipient  string // an age public key (age1…)
}

// Kind names the choice for the exports list: none | passphrase | age-recipient.
func (e Encryption) Kind() string {
	switch {
	case len(e.Passphrase) > 0:
		return "passphrase"
	case e.Recipient != "":
		return "age-recipient"
	}
	return "none"
}

func (e Encryption) recipient() (age.Recipient, error) {
	switch {
	case len(e.Passphrase) > 0 && e.Recipient != "":
		return nil, apperr.New(apperr.Invalid, "encrypt with a passphrase or for a recipient, not both")
	case len(e.Passphrase) > 0:
		r, err := age.NewScryptRecipient(string(e.Passphrase))
		if err != nil {
			return nil, apperr.Wrap(apperr.Invalid, "the archive passphrase cannot be used", err)
		}
		if scryptWorkFactor > 0 {
			r.SetWorkFactor(scryptWorkFactor)
		}
		return r, nil
	case e.Recipient != "":
		r, err := age.ParseX25519Recipient(e.Recipient)
		if err != nil {
			return nil, apperr.New(apperr.Invalid, "the recipient is not an age public key (age1…)")
		}
		return r, nil
	}
	return nil, nil
}

// scryptWorkFactor overrides age's default (2^18) in tests; 0 keeps it.
var scryptWorkFactor = 0

// Options says where and how to write an archive.
type Options struct {
	Path       string
	Encryption Encryption
	// Progress, if set, is called as files are written: done of total steps.
	Progress func(done, total int)
}

// Result describes the archive written.
type Result struct {
	Path     string
	SHA256   string // of the file as written (the ciphertext when encrypted)
	Size     int64
	Manifest Manifest
}

// hashingWriter counts and hashes what passes through.
type hashingWriter struct {
	w io.Writer
	h hash.Hash
	n int64
}

func (hw *hashingWriter) Write(p []byte) (int, error) {
	n, err := hw.w.Write(p)
	hw.h.Write(p[:n])
	hw.n += int64(n)
	return n, err
}

type file struct {
	path string
	data []byte
}

// Write renders rec and writes the archive to opts.Path.
//
// The archive is streamed: zip → (age) → a temporary file beside the
// destination → fsync → rename. When encrypted, no plaintext byte of the
// bundle reaches the disk, not even in the temporary file. A cancelled or
// failed write removes the temporary file and leaves no file at opts.Path.
func Write(ctx context.Context, rec record.Record, opts Options) (Result, error) {
	if opts.Path == "" {
		return Result{}, apperr.New(apperr.Invalid, "an export needs a destination file")
	}
	rcp, err := opts.Encryption.recipient()
	if err != nil {
		return Result{}, err
	}
	prog := &progress{fn: opts.Progress, total: 4 + len(rec.Consents)}
	files, err := render(ctx, rec, prog)
	if err != nil {
		return Result{}, err
	}
	dir, base := filepath.Split(opts.Path)
	if dir == "" {
		dir = "."
	}
	if st, err := os.Stat(opts.Path); err == nil && st.IsDir() {
		return Result{}, apperr.New(apperr.Invalid, "the destination is a folder: name a file")
	}
	tmp, err := os.CreateTemp(dir, "."+base+".*.partial")
	if err != nil {
		return Result{}, apperr.Wrap(apperr.Invalid, "cannot create the export file in that folder", err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	hw := &hashingWriter{w: tmp, h: sha256.New()}
	var dst io.Writer = hw
	var ageW io.WriteCloser
	if rcp != nil {
		if ageW, err = age.Encrypt(hw, rcp); err != nil {
			return Result{}, fmt.Errorf("export: start encryption: %w", err)
		}
		dst = ageW
	}
	m, err := writeZip(ctx, dst, rec, files, prog)
	if err != nil {
		return Result{}, err
	}
	if ageW != nil {
		if err := ageW.Close(); err != nil {
			return Result{}, fmt.Errorf("export: finish encryption: %w", err)
		}
	}
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	if err := tmp.Sync(); err != nil {
		return Result{}, fmt.Errorf("export: sync: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return Result{}, fmt.Errorf("export: close: %w", err)
	}
	if err := os.Rename(tmp.Name(), opts.Path); err != nil {
		return Result{}, fmt.Errorf("export: move into place: %w", err)
	}
	done = true
	syncDir(dir)
	return Result{Path: opts.Path, SHA256: hex.EncodeToString(hw.h.Sum(nil)), Size: hw.n, Manifest: m}, nil
}

// syncDir makes the rename durable where the platform allows it.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// render produces every file but the README and manifest, in memory.
func render(ctx context.Context, rec record.Record, prog *progress) ([]file, error) {
	tick := func() error { return prog.tick(ctx) }
	var files []file
	js, err := fhir.Build(rec)
	if err != nil {
		return nil, err
	}
	files = append(files, file{PathFHIR, js})
	if err := tick(); err != nil {
		return nil, err
	}
	var pdfBuf bytes.Buffer
	if err := pdf.Render(ctx, &pdfBuf, rec); err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return nil, err
		}
		return nil, fmt.Errorf("export: render pdf: %w", err)
	}
	files = append(files, file{PathPDF, pdfBuf.Bytes()})
	if err := tick(); err != nil {
		return nil, err
	}
	if rec.SessionsAvailable {
		ics := rec.Calendar
		if ics == nil {
			ics = Calendar(rec)
		}
		files = append(files, file{PathICS, ics})
	}
	if err := tick(); err != nil {
		return nil, err
	}
	for _, c := range rec.Consents {
		if len(c.FHIR) > 0 {
			files = append(files, file{dirConsents + c.ID + ".fhir.json", c.FHIR})
		}
		if len(c.Kantara) > 0 {
			files = append(files, file{dirConsents + c.ID + ".kantara.json", c.Kantara})
		}
		if err := tick(); err != nil {
			return nil, err
		}
	}
	return files, nil
}

// progress counts the steps of an export: the FHIR bundle, the PDF, the
// calendar, each consent, and the zip.
type progress struct {
	fn          func(done, total int)
	done, total int
}

func (p *progress) tick(ctx context.Context) error {
	p.done++
	if p.fn != nil {
		p.fn(p.done, p.total)
	}
	return ctx.Err()
}

func writeZip(ctx context.Context, dst io.Writer, rec record.Record, files []file, prog *progress) (Manifest, error) {
	zw := zip.NewWriter(dst)
	m := Manifest{Format: Format, FormatVersion: FormatVersion, BundleID: rec.ID, App: "CalmAlly Practice",
		AppVersion: rec.AppVersion, ExportedAt: rec.ExportedAt.UTC().Format("2006-01-02T15:04:05Z"),
		Scope: rec.Scope, ClientID: rec.ClientID, IncludesPsychotherapyNotes: rec.IncludePsychotherapy,
		Counts: rec.Count(), Withheld: rec.Withheld}
	if m.Withheld == nil {
		m.Withheld = []record.Withheld{}
	}
	_, hasICS := find(files, PathICS)
	files = append(files, file{PathREADME, []byte(readme(rec, m, hasICS))})
	put := func(f file) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.path, Method: zip.Deflate, Modified: rec.ExportedAt.UTC()})
		if err != nil {
			return fmt.Errorf("export: add %s: %w", f.path, err)
		}
		if _, err := w.Write(f.data); err != nil {
			return fmt.Errorf("export: write %s: %w", f.path, err)
		}
		return nil
	}
	for _, f := range files {
		if err := put(f); err != nil {
			return Manifest{}, err
		}
		sum := sha256.Sum256(f.data)
		m.Files = append(m.Files, FileDigest{Path: f.path, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(f.data))})
	}
	mj, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return Manifest{}, fmt.Errorf("export: encode manifest: %w", err)
	}
	if err := put(file{PathManifest, mj}); err != nil {
		return Manifest{}, err
	}
	if err := zw.Close(); err != nil {
		return Manifest{}, fmt.Errorf("export: finish zip: %w", err)
	}
	return m, prog.tick(ctx)
}

func find(files []file, path string) (file, bool) {
	for _, f := range files {
		if f.path == path {
			return f, true
		}
	}
	return file{}, false
}
