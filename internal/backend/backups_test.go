package backend

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/calmally/practice/internal/ids"
	"github.com/calmally/practice/internal/sync/wire"
)

func digestOf(b []byte) string {
	d := sha256.Sum256(b)
	return hex.EncodeToString(d[:])
}

func randomBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// putBackup sends PUT /v1/backups/{id} with body and its digest (unless
// hdr overrides the headers).
func (a *api) putBackup(token, id string, body []byte, hdr ...string) reply {
	a.t.Helper()
	h := append([]string{"Content-Type", "application/octet-stream", wire.HeaderBackupSHA256, digestOf(body)}, hdr...)
	return a.call("PUT", "/v1/backups/"+id, body, token, h...)
}

func decodeCopy(t *testing.T, r reply) wire.BackupCopy {
	t.Helper()
	c, err := wire.DecodeBackupCopy(r.body)
	if err != nil {
		t.Fatalf("%d %s: %v", r.status, r.body, err)
	}
	return c
}

func TestBackupCopyUploadListDownload(t *testing.T) {
	b, clock := newBackend(t)
	a := startAPI(t, b)
	dev := a.enrol()
	first, second := ids.New(clock.Now()), ids.New(clock.Now().Add(time.Second))
	one, two := randomBytes(t, 300_000), randomBytes(t, 1000)

	r := a.putBackup(dev.Token, first, one)
	if r.status != http.StatusCreated {
		t.Fatalf("first upload: %d %s", r.status, r.body)
	}
	c := decodeCopy(t, r)
	if c.ID != first || c.Size != int64(len(one)) || c.SHA256 != digestOf(one) || !c.UploadedAt.Equal(clock.Now()) {
		t.Fatalf("stored %+v", c)
	}
	// The same file again (a retry after a lost answer): 200, nothing new.
	clock.Advance(time.Minute)
	if r := a.putBackup(dev.Token, first, one); r.status != http.StatusOK || decodeCopy(t, r) != c {
		t.Fatalf("repeated upload: %d %s", r.status, r.body)
	}
	// Another file under a stored id: 409, the stored one stays.
	a.putBackup(dev.Token, first, two).wantError(t, http.StatusConflict, wire.CodeBackupConflict)
	if r := a.putBackup(dev.Token, second, two); r.status != http.StatusCreated {
		t.Fatalf("second upload: %d %s", r.status, r.body)
	}

	r = a.call("GET", "/v1/backups", nil, dev.Token)
	list, err := wire.DecodeBackupList(r.body)
	if r.status != 200 || err != nil {
		t.Fatalf("list: %d %s %v", r.status, r.body, err)
	}
	if len(list.Backups) != 2 || list.Backups[0].ID != second || list.Backups[1] != c {
		t.Fatalf("list (newest first) %+v", list.Backups)
	}

	r = a.call("GET", "/v1/backups/"+first, nil, dev.Token)
	if r.status != 200 || !bytes.Equal(r.body, one) || r.header.Get(wire.HeaderBackupSHA256) != c.SHA256 ||
		r.header.Get("Content-Type") != "application/octet-stream" {
		t.Fatalf("download: %d, %d bytes, digest %q", r.status, len(r.body), r.header.Get(wire.HeaderBackupSHA256))
	}
	// Stored exactly as received.
	stored, err := os.ReadFile(filepath.Join(b.BackupDir(), b.TherapistID(), first+".cbk"))
	if err != nil || !bytes.Equal(stored, one) {
		t.Fatalf("the stored file is not the uploaded bytes (%v)", err)
	}
	a.call("GET", "/v1/backups/"+ids.New(clock.Now()), nil, dev.Token).wantError(t, http.StatusNotFound, wire.CodeNotFound)
}

func TestBackupCopyRefusals(t *testing.T) {
	b, clock := newBackend(t)
	a := startAPI(t, b)
	dev := a.enrol()
	id := ids.New(clock.Now())
	body := randomBytes(t, 5000)
	tests := []struct {
		name   string
		path   string
		hdr    []string
		token  string
		status int
		code   string
	}{
		{"no token", id, nil, "-", 401, wire.CodeUnauthorized},
		{"no protocol header", id, []string{wire.HeaderProtocol, ""}, "", 400, wire.CodeInvalid},
		{"JSON body", id, []string{"Content-Type", "application/json"}, "", 400, wire.CodeInvalid},
		{"no digest", id, []string{wire.HeaderBackupSHA256, ""}, "", 400, wire.CodeInvalid},
		{"upper-case digest", id, []string{wire.HeaderBackupSHA256, strings.ToUpper(digestOf(body))}, "", 400, wire.CodeInvalid},
		{"another file's digest", id, []string{wire.HeaderBackupSHA256, digestOf(body[1:])}, "", 400, wire.CodeDigestMismatch},
		{"id not a UUID", "backup-1", nil, "", 400, wire.CodeInvalid},
		{"upper-case id", strings.ToUpper(id), nil, "", 400, wire.CodeInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token := dev.Token
			if tt.token == "-" {
				token = ""
			}
			a.putBackup(token, tt.path, body, tt.hdr...).wantError(t, tt.status, tt.code)
		})
	}
	a.call("POST", "/v1/backups/"+id, body, dev.Token).wantError(t, http.StatusMethodNotAllowed, wire.CodeInvalid)
	a.call("GET", "/v1/backups/a/b", nil, dev.Token).wantError(t, http.StatusNotFound, wire.CodeInvalid)
	if list, err := b.BackupCopies(context.Background()); err != nil || len(list) != 0 {
		t.Fatalf("a refused upload stored something: %v %v", list, err)
	}
	assertNoFiles(t, b)

	// Limits the HTTP client cannot be made to send: through the Go API.
	d, _ := b.Authenticate(context.Background(), dev.Token)
	_, _, err := b.PutBackup(context.Background(), d, id, digestOf(body), wire.MaxBackupBytes+1, bytes.NewReader(body))
	if e := asAPIError(err); e.Status != http.StatusRequestEntityTooLarge || e.Code != wire.CodeTooLarge {
		t.Fatalf("over 512 MiB: %v", err)
	}
	for _, n := range []int64{int64(len(body)) - 1, int64(len(body)) + 1} {
		if _, _, err := b.PutBackup(context.Background(), d, id, digestOf(body), n, bytes.NewReader(body)); asAPIError(err).Code != wire.CodeInvalid {
			t.Fatalf("a body of %d bytes stored as %d: %v", len(body), n, err)
		}
	}
	assertNoFiles(t, b)
}

// assertNoFiles: nothing under the backup folder, temporary files included.
func assertNoFiles(t *testing.T, b *Backend) {
	t.Helper()
	filepath.WalkDir(b.BackupDir(), func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			t.Errorf("file left in the backup folder: %s", filepath.Base(path))
		}
		return nil
	})
}

func TestBackupCopiesBelongToTheirTherapist(t *testing.T) {
	b, clock := newBackend(t)
	a := startAPI(t, b)
	mine := a.enrol()
	other, err := b.AddTherapist(context.Background(), "Dr Other")
	if err != nil {
		t.Fatal(err)
	}
	theirs := (&api{t: t, b: b.ForTherapist(other), srv: a.srv, c: a.c}).enrol()
	id := ids.New(clock.Now())
	body := randomBytes(t, 2000)
	if r := a.putBackup(mine.Token, id, body); r.status != http.StatusCreated {
		t.Fatalf("upload: %d %s", r.status, r.body)
	}
	a.call("GET", "/v1/backups/"+id, nil, theirs.Token).wantError(t, http.StatusNotFound, wire.CodeNotFound)
	r := a.call("GET", "/v1/backups", nil, theirs.Token)
	if list, err := wire.DecodeBackupList(r.body); err != nil || len(list.Backups) != 0 {
		t.Fatalf("another therapist lists %s (%v)", r.body, err)
	}
	// The same id is another file for another therapist, not a conflict.
	if r := a.putBackup(theirs.Token, id, body[:100]); r.status != http.StatusCreated {
		t.Fatalf("other therapist's upload: %d %s", r.status, r.body)
	}
	if r := a.call("GET", "/v1/backups/"+id, nil, mine.Token); !bytes.Equal(r.body, body) {
		t.Fatal("one therapist's upload replaced another's")
	}
}

func TestBackupCopiesOnlyInIndia(t *testing.T) {
	b, err := Open(context.Background(), Options{Region: "SG"})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	a := startAPI(t, b)
	dev := a.enrol()
	a.putBackup(dev.Token, ids.New(time.Now()), randomBytes(t, 100)).wantError(t, http.StatusForbidden, wire.CodeRegionRefused)
	assertNoFiles(t, b)
}

func TestBackupCopyFaults(t *testing.T) {
	b, clock := newBackend(t)
	a := startAPI(t, b)
	dev := a.enrol()
	id := ids.New(clock.Now())
	body := randomBytes(t, 400_000)

	// Failures apply under a path prefix.
	if err := b.Faults().FailNextOn("/v1/backups/", 1, 503, time.Second); err != nil {
		t.Fatal(err)
	}
	a.putBackup(dev.Token, id, body).wantError(t, 503, wire.CodeUnavailable)

	// Cut half-way: no answer, nothing stored.
	if err := b.Faults().CutUploads(1); err != nil {
		t.Fatal(err)
	}
	if _, err := a.tryPut(dev.Token, id, body); err == nil {
		t.Fatal("a cut upload was answered")
	}
	if _, err := b.ForTherapist(b.TherapistID()).BackupCopy(context.Background(), id); !IsNotFound(err) {
		t.Fatalf("a cut upload was stored: %v", err)
	}
	// Stored, then dropped: the retry is answered 200 from what is stored.
	if err := b.Faults().DropAfterUpload(1); err != nil {
		t.Fatal(err)
	}
	if _, err := a.tryPut(dev.Token, id, body); err == nil {
		t.Fatal("a dropped upload was answered")
	}
	if r := a.putBackup(dev.Token, id, body); r.status != http.StatusOK {
		t.Fatalf("retry after the drop: %d %s", r.status, r.body)
	}

	// Downloads: one byte changed, then cut half-way.
	if err := b.Faults().CorruptDownloads(1); err != nil {
		t.Fatal(err)
	}
	r := a.call("GET", "/v1/backups/"+id, nil, dev.Token)
	if len(r.body) != len(body) || bytes.Equal(r.body, body) || digestOf(r.body) == r.header.Get(wire.HeaderBackupSHA256) {
		t.Fatal("the corrupted download is not corrupted")
	}
	if err := b.Faults().TruncateDownloads(1); err != nil {
		t.Fatal(err)
	}
	got, err := a.tryGet(dev.Token, id)
	if err == nil || len(got) >= len(body) {
		t.Fatalf("truncated download: %d bytes, %v", len(got), err)
	}
	if s := b.Faults().State(); s.FailNext != 0 || s.CutUploads != 0 || s.DropAfterUpload != 0 || s.CorruptDownloads != 0 || s.TruncateDownloads != 0 {
		t.Fatalf("faults left %+v", s)
	}
	if r := a.call("GET", "/v1/backups/"+id, nil, dev.Token); !bytes.Equal(r.body, body) {
		t.Fatal("download after the faults differs")
	}
}

// tryPut is putBackup that reports a transport failure instead of failing.
func (a *api) tryPut(token, id string, body []byte) (int, error) {
	req, err := http.NewRequest("PUT", a.srv.URL()+"/v1/backups/"+id, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set(wire.HeaderProtocol, "1")
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Header.Set(wire.HeaderBackupSHA256, digestOf(body))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := a.c.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, err = io.ReadAll(resp.Body)
	return resp.StatusCode, err
}

func (a *api) tryGet(token, id string) ([]byte, error) {
	req, err := http.NewRequest("GET", a.srv.URL()+"/v1/backups/"+id, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set(wire.HeaderProtocol, "1")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := a.c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// A database file of schema 1 gains the backup copies table when opened.
func TestSchemaOneGainsBackupCopies(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "backend.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(strings.TrimSuffix(schema, schemaV2) + "PRAGMA user_version = 1;"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	b, err := Open(context.Background(), Options{DBPath: path})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if b.BackupDir() != path+".backups" {
		t.Fatalf("backup folder %s", b.BackupDir())
	}
	if list, err := b.BackupCopies(context.Background()); err != nil || len(list) != 0 {
		t.Fatalf("backup copies after the upgrade: %v %v", list, err)
	}
}

// An in-memory backend's temporary backup folder goes with it.
func TestTemporaryBackupFolderRemovedAtClose(t *testing.T) {
	b, err := Open(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := b.BackupDir()
	if _, err := os.Stat(dir); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("temporary backup folder left: %v", err)
	}
}
