package export

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	goical "github.com/emersion/go-ical"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/export/record"
)

func init() { scryptWorkFactor = 10 } // fast tests; production keeps age's default

func testRecord() record.Record {
	at := time.Date(2024, 3, 1, 6, 30, 0, 0, time.UTC) // the day after a leap day
	cid := "0190a2b4-0000-7000-8000-000000000001"
	tmpl := record.Template{ID: "soap", Version: 1, Name: "SOAP", Builtin: true, Sections: []record.TemplateSection{
		{Key: "subjective", Label: "Subjective"}, {Key: "plan", Label: "Plan"}}}
	return record.Record{
		ID: "0190a2b4-0000-7000-8000-0000000000ff", Scope: record.ScopeClient, ClientID: cid, ExportedAt: at, AppVersion: "test",
		Practitioner: record.Practitioner{ID: "0190a2b4-0000-7000-8000-0000000000a1", Name: record.NotRecorded, Council: record.NotRecorded, Registration: record.NotRecorded},
		Organization: record.Organization{ID: "0190a2b4-0000-7000-8000-0000000000a2", Name: record.NotRecorded},
		Clients:      []record.Client{{ID: cid, Name: "प्रिया शर्मा", PreferredName: "Priya", DateOfBirth: "1992-02-29", Status: "active", CreatedAt: at}},
		Notes: []record.Note{{ID: "0190a2b4-0000-7000-8000-000000000010", ClientID: cid, Kind: record.KindProgress, Template: tmpl,
			Title: "Session 1", Sections: map[string]string{"subjective": "Feeling calmer.", "plan": "Weekly."},
			SessionDate: "2024-02-29", Status: record.StatusSigned, CreatedAt: at, UpdatedAt: at, SignedAt: at, SignedBy: "cli",
			SignedHash: make([]byte, 32)}},
		Consents: []record.Consent{{ID: "0190a2b4-0000-7000-8000-000000000030", ClientID: cid,
			FHIR:    []byte(`{"resourceType":"Consent","id":"0190a2b4-0000-7000-8000-000000000030","status":"active","scope":{"text":"privacy"},"category":[{"text":"consent"}],"patient":{"reference":"Patient/` + cid + `"}}`),
			Kantara: []byte(`{"version":"KI-CR-v1.1.0"}`)}},
		Sessions: []record.Session{{ID: "0190a2b4-0000-7000-8000-000000000040", ClientID: cid, Status: "completed", Modality: "in_person",
			Start: at.Add(-26 * time.Hour), End: at.Add(-25 * time.Hour), CreatedAt: at.Add(-72 * time.Hour), UpdatedAt: at.Add(-24 * time.Hour), Sequence: 2}},
		SessionsAvailable: true,
		Withheld:          []record.Withheld{{What: "psychotherapy notes", Count: 2, Reason: "kept out unless included explicitly", Review: true}},
	}
}

func unzip(t *testing.T, data []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		out[f.Name] = b
	}
	return out
}

func TestWritePlainArchive(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "record.zip")
	res, err := Write(context.Background(), testRecord(), Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	if res.SHA256 != hex.EncodeToString(sum[:]) || res.Size != int64(len(data)) {
		t.Fatal("result digest does not match the file")
	}
	files := unzip(t, data)
	var m Manifest
	if err := json.Unmarshal(files[PathManifest], &m); err != nil {
		t.Fatal(err)
	}
	want := []string{PathFHIR, PathPDF, PathICS, "consents/0190a2b4-0000-7000-8000-000000000030.fhir.json",
		"consents/0190a2b4-0000-7000-8000-000000000030.kantara.json", PathREADME}
	if len(m.Files) != len(want) || len(files) != len(want)+1 {
		t.Fatalf("manifest lists %d files, zip holds %d", len(m.Files), len(files))
	}
	for i, fd := range m.Files {
		if fd.Path != want[i] {
			t.Errorf("file %d is %s, want %s", i, fd.Path, want[i])
		}
		s := sha256.Sum256(files[fd.Path])
		if fd.SHA256 != hex.EncodeToString(s[:]) {
			t.Errorf("%s: digest does not match", fd.Path)
		}
	}
	if m.AppVersion != "test" || m.ExportedAt != "2024-03-01T06:30:00Z" || m.Scope != record.ScopeClient || len(m.Withheld) != 1 {
		t.Errorf("manifest header: %+v", m)
	}
	readme := string(files[PathREADME])
	for _, s := range []string{"psychotherapy notes (2)", "Mental Health Review Board", "sha256sum", "calendar.ics"} {
		if !strings.Contains(readme, s) {
			t.Errorf("README lacks %q", s)
		}
	}
	// The calendar parses with an independent iCalendar parser.
	cal, err := goical.NewDecoder(bytes.NewReader(files[PathICS])).Decode()
	if err != nil {
		t.Fatalf("calendar.ics: %v", err)
	}
	evs := cal.Events()
	if len(evs) != 1 {
		t.Fatalf("%d events", len(evs))
	}
	start, err := evs[0].DateTimeStart(time.UTC)
	if err != nil || !start.Equal(testRecord().Sessions[0].Start) {
		t.Errorf("DTSTART %v (%v)", start, err)
	}
	if uid, _ := evs[0].Props.Text(goical.PropUID); uid != "0190a2b4-0000-7000-8000-000000000040@calmally.in" {
		t.Errorf("UID %q", uid)
	}
	leftovers(t, dir, "record.zip")
}

// leftovers fails if dir holds anything but the named files.
func leftovers(t *testing.T, dir string, want ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("folder holds %v, want %v", got, want)
	}
}

func TestWriteEncrypted(t *testing.T) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		enc  Encryption
		dec  Decryption
		ids  []age.Identity
	}{
		{"passphrase", Encryption{Passphrase: []byte("correct horse battery staple")}, Decryption{Passphrase: []byte("correct horse battery staple")}, nil},
		{"recipient", Encryption{Recipient: id.Recipient().String()}, Decryption{Identities: []age.Identity{id}}, []age.Identity{id}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "record.zip.age")
			if _, err := Write(context.Background(), testRecord(), Options{Path: path, Encryption: tc.enc}); err != nil {
				t.Fatal(err)
			}
			raw, _ := os.ReadFile(path)
			if bytes.Contains(raw, []byte("PK\x03\x04")) || bytes.Contains(raw, []byte("manifest.json")) || bytes.Contains(raw, []byte("Priya")) {
				t.Fatal("the encrypted archive holds plaintext")
			}
			// Decrypt with the age library itself.
			ids := tc.ids
			if ids == nil {
				sid, _ := age.NewScryptIdentity(string(tc.enc.Passphrase))
				ids = []age.Identity{sid}
			}
			r, err := age.Decrypt(bytes.NewReader(raw), ids...)
			if err != nil {
				t.Fatal(err)
			}
			plain, _ := io.ReadAll(r)
			if _, ok := unzip(t, plain)[PathManifest]; !ok {
				t.Fatal("no manifest inside")
			}
			b, err := Open(path, tc.dec)
			if err != nil {
				t.Fatal(err)
			}
			if !b.Encrypted || len(b.Record.Notes) != 1 || b.Record.Clients[0].Name != "प्रिया शर्मा" {
				t.Fatalf("opened %+v", b.Record.Clients)
			}
			if _, err := Open(path, Decryption{}); !errors.Is(err, ErrEncrypted) {
				t.Fatalf("no passphrase: %v", err)
			}
			if _, err := Open(path, Decryption{Passphrase: []byte("wrong")}); apperr.CodeOf(err) != apperr.Invalid {
				t.Fatalf("wrong passphrase: %v", err)
			}
			leftovers(t, dir, "record.zip.age")
		})
	}
}

// A cancelled export leaves neither the destination nor any temporary file.
func TestCancelledWriteLeavesNothing(t *testing.T) {
	for _, enc := range []Encryption{{}, {Passphrase: []byte("correct horse battery staple")}} {
		for cancelAt := 1; cancelAt <= 6; cancelAt++ {
			dir := t.TempDir()
			ctx, cancel := context.WithCancel(context.Background())
			_, err := Write(ctx, testRecord(), Options{Path: filepath.Join(dir, "out.zip"), Encryption: enc,
				Progress: func(done, total int) {
					if done == cancelAt {
						cancel()
					}
				}})
			cancel()
			if cancelAt <= 5 && !errors.Is(err, context.Canceled) {
				t.Fatalf("cancel at %d: %v", cancelAt, err)
			}
			if err != nil {
				leftovers(t, dir)
			}
		}
	}
}

func TestFailedWriteLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	if _, err := Write(context.Background(), testRecord(), Options{Path: filepath.Join(dir, "out.zip"),
		Encryption: Encryption{Recipient: "not-a-key"}}); apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("bad recipient: %v", err)
	}
	rec := testRecord()
	rec.Consents[0].FHIR = []byte("{broken")
	if _, err := Write(context.Background(), rec, Options{Path: filepath.Join(dir, "out.zip")}); err == nil {
		t.Fatal("a broken consent receipt was written")
	}
	leftovers(t, dir)
}

func rezip(t *testing.T, files map[string][]byte, order []string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range order {
		w, _ := zw.Create(name)
		w.Write(files[name])
	}
	zw.Close()
	return buf.Bytes()
}

func TestOpenRefusesTampering(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "record.zip")
	if _, err := Write(context.Background(), testRecord(), Options{Path: path}); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(path, Decryption{}); err != nil {
		t.Fatalf("untouched bundle refused: %v", err)
	}
	data, _ := os.ReadFile(path)
	orig := unzip(t, data)
	names := []string{PathFHIR, PathPDF, PathICS, PathREADME, PathManifest,
		"consents/0190a2b4-0000-7000-8000-000000000030.fhir.json", "consents/0190a2b4-0000-7000-8000-000000000030.kantara.json"}
	cases := []struct {
		name   string
		mutate func(map[string][]byte) []string
		code   string
	}{
		{"note text changed", func(f map[string][]byte) []string {
			f[PathFHIR] = bytes.Replace(f[PathFHIR], []byte(`"Session 1"`), []byte(`"Session 2"`), 1)
			return names
		}, apperr.Integrity},
		{"file added", func(f map[string][]byte) []string {
			f["extra.txt"] = []byte("x")
			return append(names, "extra.txt")
		}, apperr.Integrity},
		{"file removed", func(f map[string][]byte) []string { return names[1:] }, apperr.Integrity},
		{"no manifest", func(f map[string][]byte) []string { return names[:4] }, apperr.Invalid},
		{"foreign manifest", func(f map[string][]byte) []string {
			f[PathManifest] = []byte(`{"format":"something-else"}`)
			return names
		}, apperr.Invalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			files := map[string][]byte{}
			for k, v := range orig {
				files[k] = append([]byte(nil), v...)
			}
			p := filepath.Join(t.TempDir(), "x.zip")
			os.WriteFile(p, rezip(t, files, tc.mutate(files)), 0o600)
			_, err := Open(p, Decryption{})
			if apperr.CodeOf(err) != tc.code {
				t.Fatalf("got %v (%s), want %s", err, apperr.CodeOf(err), tc.code)
			}
		})
	}
	p := filepath.Join(dir, "not.zip")
	os.WriteFile(p, []byte("hello"), 0o600)
	if _, err := Open(p, Decryption{}); !errors.Is(err, ErrForeign) {
		t.Fatalf("not a zip: %v", err)
	}
}
