package practice

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/backend"
	"github.com/calmally/practice/internal/backup"
	"github.com/calmally/practice/internal/vault"
)

// The copy in India, against the reference backend over TLS on loopback:
// backup → upload → restore on a new machine with a new enrolment code and
// the recovery kit; refusals (a damaged download, a backend outside India);
// retries; and no plaintext on the backend.

// requestLog counts the backend's requests by "METHOD /path-prefix".
type requestLog struct {
	mu gosync.Mutex
	n  map[string]int
}

func (l *requestLog) Enabled(context.Context, slog.Level) bool { return true }
func (l *requestLog) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *requestLog) WithGroup(string) slog.Handler            { return l }
func (l *requestLog) Handle(_ context.Context, r slog.Record) error {
	var method, path string
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "method":
			method = a.Value.String()
		case "path":
			path = a.Value.String()
		}
		return true
	})
	if method == "" {
		return nil
	}
	if strings.HasPrefix(path, "/v1/backups/") {
		path = "/v1/backups/{id}"
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.n == nil {
		l.n = map[string]int{}
	}
	l.n[method+" "+path]++
	return nil
}

func (l *requestLog) count(key string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.n[key]
}

// copyEnv is an enrolled profile with records and a backup folder, and its
// backend (a database file on disk, so that every byte it keeps can be
// scanned).
type copyEnv struct {
	ref     *refBackend
	log     *requestLog
	f       *fixture
	p       *Practice
	created CreateResult
	ids     []string
	sleeps  *atomic.Int64
}

func newCopyEnv(t *testing.T, region string) *copyEnv {
	t.Helper()
	ctx := context.Background()
	e := &copyEnv{log: &requestLog{}, sleeps: &atomic.Int64{}}
	e.ref = startRefBackend(t, backend.Options{Region: region, DBPath: filepath.Join(t.TempDir(), "backend.db"),
		Log: slog.New(e.log)})
	e.f = newFixture(t)
	e.f.clock.t = time.Now().UTC() // the backend's TLS certificate uses the real clock
	var err error
	e.p, err = Open(ctx, Options{DataDir: e.f.dir, Keychain: e.f.kc, Now: e.f.clock.Now, KDF: vault.MinimumKDF,
		Sleep: func(time.Duration) { e.sleeps.Add(1) }, Sync: SyncOptions{CAFile: e.ref.caFile}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.p.Close() })
	e.created = mustCreate(t, e.p, false)
	e.ids = seedRecords(t, e.p)
	folder := filepath.Join(t.TempDir(), "backups")
	if err := os.Mkdir(folder, 0o700); err != nil {
		t.Fatal(err)
	}
	setFolder(t, e.p, folder, backup.Policy{})
	if _, err := e.p.SyncEnrol(ctx, e.ref.url, e.ref.code(t)); err != nil {
		t.Fatal(err)
	}
	return e
}

// backupNow makes a backup; the local backup must succeed whatever the
// upload does.
func (e *copyEnv) backupNow(t *testing.T) BackupResult {
	t.Helper()
	e.f.clock.t = e.f.clock.t.Add(time.Minute) // backups are named by the minute
	res, err := e.p.BackupNow(context.Background(), TriggerManual)
	if err != nil || !res.Verified {
		t.Fatalf("local backup: %+v %v", res, err)
	}
	return res
}

// newMachine is a fresh data folder and keychain on the same clock.
func (e *copyEnv) newMachine(t *testing.T) Options {
	t.Helper()
	g := newFixture(t)
	g.clock = e.f.clock
	return Options{DataDir: g.dir, Keychain: g.kc, Now: g.clock.Now, KDF: vault.MinimumKDF, Sleep: func(time.Duration) {},
		Sync: SyncOptions{CAFile: e.ref.caFile}}
}

const restorePass = "monsoon lanterns guide the quiet ferry"

func TestBackupCopyInIndiaRestoresOnANewMachine(t *testing.T) {
	ctx := context.Background()
	e := newCopyEnv(t, "")
	// A rotation finished before the backup: it spans key versions.
	if err := e.p.RotateDataKey(ctx, nil); err != nil {
		t.Fatal(err)
	}
	res := e.backupNow(t)
	if res.Remote.Err != nil || res.Remote.NotEnrolled || res.Remote.UploadedAt.IsZero() || res.Remote.Attempts != 1 {
		t.Fatalf("upload after the backup: %+v", res.Remote)
	}
	copies, err := e.ref.b.BackupCopies(ctx)
	if err != nil || len(copies) != 1 || copies[0].ID != res.ID || copies[0].SHA256 != res.SHA256 || copies[0].Size != res.Size {
		t.Fatalf("the backend holds %+v (%v), want the backup %s", copies, err, res.ID)
	}
	h := e.p.BackupHealth(ctx)
	if !h.Remote.Enrolled || h.Remote.LastBackupID != res.ID || !h.Remote.LastUploadedAt.Equal(copies[0].UploadedAt) || h.Remote.FailedCode != "" {
		t.Fatalf("health %+v", h.Remote)
	}
	// The backend keeps no plaintext: neither the files nor its database.
	assertNoMarkerIn(t, filepath.Dir(e.ref.b.BackupDir()), backupMarker)
	want := readRecords(t, e.p, e.ids)
	oldDevice := mustStatus(t, e.p).DeviceID

	t.Run("a damaged download is refused before anything is restored", func(t *testing.T) {
		for name, fault := range map[string]func(int) error{
			"corrupt":   e.ref.b.Faults().CorruptDownloads,
			"truncated": e.ref.b.Faults().TruncateDownloads,
		} {
			t.Run(name, func(t *testing.T) {
				opts := e.newMachine(t)
				if err := fault(uploadAttempts); err != nil {
					t.Fatal(err)
				}
				_, _, _, err := RestoreFromBackend(ctx, opts, BackendRestore{URL: e.ref.url, EnrolmentCode: e.ref.code(t),
					RecoveryCode: e.created.RecoveryCode, NewPassphrase: []byte(restorePass)})
				if err == nil {
					t.Fatal("a damaged download was restored")
				}
				if name == "corrupt" {
					wantCode(t, err, apperr.Integrity)
				}
				noDatabase(t, opts.DataDir)
				if left := mustReadDir(t, opts.DataDir); len(left) != 0 {
					t.Fatalf("a refused restore left %v", left)
				}
				e.ref.b.Faults().Reset()
			})
		}
		// The devices those attempts enrolled were revoked again.
		devs, err := e.ref.b.Devices(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range devs[1:] {
			if d.RevokedAt == nil {
				t.Fatalf("device %s of a refused restore keeps its token", d.ID)
			}
		}
	})

	t.Run("restore with a new enrolment code and the recovery kit gives identical records", func(t *testing.T) {
		opts := e.newMachine(t)
		// One corrupt download on the way: retried.
		if err := e.ref.b.Faults().CorruptDownloads(1); err != nil {
			t.Fatal(err)
		}
		q, again, done, err := RestoreFromBackend(ctx, opts, BackendRestore{URL: e.ref.url, EnrolmentCode: e.ref.code(t),
			RecoveryCode: e.created.RecoveryCode, NewPassphrase: []byte(restorePass)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { q.Close() })
		if done.Copy.ID != res.ID || !done.Enrolled || again.RecoveryCode == "" || again.RecoveryCode == e.created.RecoveryCode {
			t.Fatalf("restored %+v", done)
		}
		got := readRecords(t, q, e.ids)
		if !reflect.DeepEqual(got.Clients, want.Clients) {
			t.Fatalf("clients differ after restore:\n got %+v\nwant %+v", got.Clients, want.Clients)
		}
		if !reflect.DeepEqual(got.Notes, want.Notes) {
			t.Fatal("notes differ after restore")
		}
		if _, err := q.AuditVerify(ctx); err != nil {
			t.Fatalf("audit trail after restore: %v", err)
		}
		// The restored profile syncs as the new device, with the token in
		// the new machine's keychain.
		st := mustStatus(t, q)
		if !st.Enrolled || st.DeviceID != done.DeviceID || st.DeviceID == oldDevice {
			t.Fatalf("sync after restore %+v (old device %s)", st, oldDevice)
		}
		if _, err := q.SyncRound(ctx); err != nil {
			t.Fatalf("sync round after restore: %v", err)
		}
		// Its own next backup goes up as well.
		q.opts.Now = func() time.Time { return e.f.clock.Now().Add(time.Hour) }
		folder := t.TempDir()
		setFolder(t, q, folder, backup.Policy{})
		r2, err := q.BackupNow(ctx, TriggerManual)
		if err != nil || r2.Remote.Err != nil || r2.Remote.UploadedAt.IsZero() {
			t.Fatalf("backup after restore: %+v %v", r2.Remote, err)
		}
		for _, name := range mustReadDir(t, opts.DataDir) {
			if strings.HasPrefix(name, downloadPrefix) {
				t.Fatalf("the download was left in the data folder: %s", name)
			}
		}
		q.Lock(ctx, "user")
		q.Close()
		AssertNoMarker(t, opts.DataDir, backupMarker)
	})

	t.Run("a chosen id, and an unknown one", func(t *testing.T) {
		opts := e.newMachine(t)
		_, _, _, err := RestoreFromBackend(ctx, opts, BackendRestore{URL: e.ref.url, EnrolmentCode: e.ref.code(t),
			BackupID: "0195f3a2-7b1c-7d00-8000-0000000000b1", RecoveryCode: e.created.RecoveryCode, NewPassphrase: []byte(restorePass)})
		wantCode(t, err, apperr.NotFound)
		noDatabase(t, opts.DataDir)
		q, _, done, err := RestoreFromBackend(ctx, opts, BackendRestore{URL: e.ref.url, EnrolmentCode: e.ref.code(t),
			BackupID: res.ID, RecoveryCode: e.created.RecoveryCode, NewPassphrase: []byte(restorePass)})
		if err != nil || done.Copy.ID != res.ID {
			t.Fatalf("restore of a chosen id: %+v %v", done, err)
		}
		q.Close()
	})

	t.Run("wrong recovery code", func(t *testing.T) {
		opts := e.newMachine(t)
		_, _, _, err := RestoreFromBackend(ctx, opts, BackendRestore{URL: e.ref.url, EnrolmentCode: e.ref.code(t),
			RecoveryCode: "AAAAA-AAAAA-AAAAA-AAAAA-AAAAA-AAAAA", NewPassphrase: []byte(restorePass)})
		if c := apperr.CodeOf(err); c != apperr.Locked && c != apperr.Invalid {
			t.Fatalf("wrong code: %v", err)
		}
		noDatabase(t, opts.DataDir)
	})
}

func mustStatus(t *testing.T, p *Practice) syncStatus {
	t.Helper()
	s, err := p.SyncStatus(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return syncStatus{Enrolled: s.Enrolled, DeviceID: s.DeviceID}
}

type syncStatus struct {
	Enrolled bool
	DeviceID string
}

func TestBackupCopyRetriesAndRecordsFailures(t *testing.T) {
	ctx := context.Background()
	e := newCopyEnv(t, "")
	f := e.ref.b.Faults()

	// Two 503s, then stored: three requests, two waits.
	if err := f.FailNextOn("/v1/backups/", 2, 503, 0); err != nil {
		t.Fatal(err)
	}
	res := e.backupNow(t)
	if res.Remote.Err != nil || res.Remote.Attempts != 3 || e.sleeps.Load() != 2 {
		t.Fatalf("after two 503s: %+v, %d waits", res.Remote, e.sleeps.Load())
	}
	// Stored, then the connection dropped: the retry finds it stored.
	if err := f.DropAfterUpload(1); err != nil {
		t.Fatal(err)
	}
	res = e.backupNow(t)
	if res.Remote.Err != nil || res.Remote.Attempts != 2 {
		t.Fatalf("after a dropped answer: %+v", res.Remote)
	}
	// Cut half-way through the body: sent again whole.
	if err := f.CutUploads(1); err != nil {
		t.Fatal(err)
	}
	res = e.backupNow(t)
	if res.Remote.Err != nil || res.Remote.Attempts != 2 {
		t.Fatalf("after a cut upload: %+v", res.Remote)
	}
	copies, err := e.ref.b.BackupCopies(ctx)
	if err != nil || len(copies) != 3 {
		t.Fatalf("the backend holds %d copies (%v), want one per backup", len(copies), err)
	}

	// The backend down for longer than the retries: the backup stands, the
	// failure is recorded and shown, "Upload now" sends it later.
	if err := f.FailNextOn("/v1/backups/", uploadAttempts, 503, 0); err != nil {
		t.Fatal(err)
	}
	res = e.backupNow(t)
	wantCode(t, res.Remote.Err, CodeSyncUnavailable)
	if res.Remote.Attempts != uploadAttempts {
		t.Fatalf("%d attempts", res.Remote.Attempts)
	}
	h := e.p.BackupHealth(ctx).Remote
	if h.FailedBackupID != res.ID || h.FailedCode != "unavailable" || h.LastBackupID == res.ID {
		t.Fatalf("health after a failed upload %+v", h)
	}
	pushed, err := e.p.PushNewestBackup(ctx)
	if err != nil || pushed.BackupID != res.ID || pushed.UploadedAt.IsZero() {
		t.Fatalf("upload now: %+v %v", pushed, err)
	}
	if h := e.p.BackupHealth(ctx).Remote; h.LastBackupID != res.ID || h.FailedCode != "" {
		t.Fatalf("health after upload now %+v", h)
	}
	list, err := e.p.RemoteBackups(ctx)
	if err != nil || len(list) != 4 || list[0].ID != res.ID {
		t.Fatalf("remote list %+v %v", list, err)
	}
	// Nothing was sent twice: one PUT that stored each copy, plus the
	// answered retries counted above.
	if n := e.log.count("PUT /v1/backups/{id}"); n != 3+2+2+uploadAttempts+1 {
		t.Fatalf("%d uploads sent", n)
	}
	// The audit trail names each upload, by id and codes only.
	if n := count(t, e.p, `SELECT COUNT(*) FROM audit_log WHERE action = 'backup' AND detail LIKE 'op=upload %'`); n != 5 {
		t.Fatalf("%d upload entries in the audit trail, want 5", n)
	}
}

func TestBackupCopyRefusedOutsideIndia(t *testing.T) {
	ctx := context.Background()
	e := newCopyEnv(t, "SG")
	res := e.backupNow(t)
	wantCode(t, res.Remote.Err, apperr.Forbidden)
	if n := e.log.count("PUT /v1/backups/{id}"); n != 0 {
		t.Fatalf("%d uploads sent to a backend outside India", n)
	}
	if h := e.p.BackupHealth(ctx).Remote; h.FailedCode != "region_refused" || h.LastBackupID != "" {
		t.Fatalf("health %+v", h)
	}
	_, err := e.p.PushNewestBackup(ctx)
	wantCode(t, err, apperr.Forbidden)
	// Restoring from it is refused before the enrolment code is spent.
	code := e.ref.code(t)
	opts := e.newMachine(t)
	_, _, _, err = RestoreFromBackend(ctx, opts, BackendRestore{URL: e.ref.url, EnrolmentCode: code,
		RecoveryCode: e.created.RecoveryCode, NewPassphrase: []byte(restorePass)})
	wantCode(t, err, apperr.Forbidden)
	noDatabase(t, opts.DataDir)
	if n := e.log.count("POST /v1/devices"); n != 1 {
		t.Fatalf("%d enrolments: the restore must refuse before enrolling", n)
	}
}

func TestBackupWithoutEnrolmentIsNotUploaded(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	p := f.open(t)
	mustCreate(t, p, false)
	setFolder(t, p, t.TempDir(), backup.Policy{})
	res, err := p.BackupNow(ctx, TriggerManual)
	if err != nil || !res.Remote.NotEnrolled || res.Remote.Err != nil {
		t.Fatalf("backup without enrolment: %+v %v", res.Remote, err)
	}
	if h := p.BackupHealth(ctx).Remote; h.Enrolled || h.LastBackupID != "" || h.FailedCode != "" {
		t.Fatalf("health %+v", h)
	}
	_, err = p.PushNewestBackup(ctx)
	wantCode(t, err, apperr.NotFound)
}
