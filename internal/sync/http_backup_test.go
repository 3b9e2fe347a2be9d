package sync_test

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

	"github.com/calmally/practice/internal/backend"
	"github.com/calmally/practice/internal/backend/backendtest"
	"github.com/calmally/practice/internal/ids"
	"github.com/calmally/practice/internal/sync"
	"github.com/calmally/practice/internal/sync/wire"
)

// backupEnv is the reference backend over TLS and an enrolled transport.
type backupEnv struct {
	env   *backendtest.Env
	tr    *sync.HTTPTransport
	token string
}

func startBackupEnv(t *testing.T, opts backend.Options) backupEnv {
	t.Helper()
	env := backendtest.Start(t, opts)
	tr, err := sync.NewHTTPTransport(sync.HTTPOptions{BaseURL: env.URL, RootCAs: env.Server.CertPool(), Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tr.Close)
	resp, err := tr.Enrol(context.Background(), wire.EnrolRequest{EnrolmentCode: env.EnrolmentCode(t), DeviceName: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return backupEnv{env: env, tr: tr, token: resp.Token}
}

func sum(b []byte) string {
	d := sha256.Sum256(b)
	return hex.EncodeToString(d[:])
}

func randomFile(n int) []byte {
	b := make([]byte, n)
	crand.Read(b)
	return b
}

func (e backupEnv) upload(t *testing.T, id string, b []byte) (wire.BackupCopy, error) {
	t.Helper()
	return e.tr.UploadBackup(context.Background(), e.token, id, int64(len(b)), sum(b), bytes.NewReader(b))
}

func (e backupEnv) download(t *testing.T, id string) ([]byte, error) {
	t.Helper()
	d, err := e.tr.DownloadBackup(context.Background(), e.token, id)
	if err != nil {
		return nil, err
	}
	defer d.Body.Close()
	return io.ReadAll(d.Body)
}

func wantCode(t *testing.T, err error, code string, retryable bool) *sync.Error {
	t.Helper()
	se, ok := sync.AsError(err)
	if !ok || se.Code != code || se.Retryable != retryable {
		t.Fatalf("err = %v, want code %s (retryable %v)", err, code, retryable)
	}
	return se
}

func TestBackupTransportRoundTrip(t *testing.T) {
	e := startBackupEnv(t, backend.Options{})
	older, newer := ids.New(time.Now().Add(-time.Hour)), ids.New(time.Now())
	a, b := randomFile(3<<20+17), randomFile(1000)
	c, err := e.upload(t, older, a)
	if err != nil {
		t.Fatal(err)
	}
	if c.ID != older || c.Size != int64(len(a)) || c.SHA256 != sum(a) {
		t.Fatalf("stored %+v", c)
	}
	// Repeating the upload is safe and returns the stored copy.
	if again, err := e.upload(t, older, a); err != nil || again != c {
		t.Fatalf("repeat: %+v %v", again, err)
	}
	if _, err := e.upload(t, newer, b); err != nil {
		t.Fatal(err)
	}
	list, err := e.tr.ListBackups(context.Background(), e.token)
	if err != nil || len(list) != 2 || list[1] != c {
		t.Fatalf("list %+v %v", list, err)
	}
	got, err := e.download(t, older)
	if err != nil || !bytes.Equal(got, a) {
		t.Fatalf("download: %d bytes, %v", len(got), err)
	}
	// Permanent refusals.
	_, err = e.upload(t, older, b)
	wantCode(t, err, wire.CodeBackupConflict, false)
	_, err = e.tr.UploadBackup(context.Background(), e.token, ids.New(time.Now()), 10, sum(b), bytes.NewReader(b))
	wantCode(t, err, wire.CodeDigestMismatch, false) // the first 10 bytes are not the file the digest names
	_, err = e.download(t, ids.New(time.Now()))
	wantCode(t, err, wire.CodeNotFound, false)
	_, err = e.tr.UploadBackup(context.Background(), e.token, newer, wire.MaxBackupBytes+1, sum(b), bytes.NewReader(b))
	wantCode(t, err, wire.CodeTooLarge, false)
	_, err = e.tr.ListBackups(context.Background(), "")
	wantCode(t, err, sync.CodeNotEnrolled, false)
}

func TestBackupTransportRetryableFailures(t *testing.T) {
	e := startBackupEnv(t, backend.Options{})
	f := e.env.Backend.Faults()
	id := ids.New(time.Now())
	file := randomFile(2 << 20)

	if err := f.FailNextOn("/v1/backups/", 1, 503, 3*time.Second); err != nil {
		t.Fatal(err)
	}
	_, err := e.upload(t, id, file)
	if se := wantCode(t, err, wire.CodeUnavailable, true); se.RetryAfter != 3*time.Second {
		t.Fatalf("Retry-After %v", se.RetryAfter)
	}
	if err := f.CutUploads(1); err != nil {
		t.Fatal(err)
	}
	_, err = e.upload(t, id, file)
	wantCode(t, err, sync.CodeConnection, true)
	if err := f.DropAfterUpload(1); err != nil {
		t.Fatal(err)
	}
	_, err = e.upload(t, id, file)
	wantCode(t, err, sync.CodeConnection, true)
	// The retry finds the copy the dropped answer stored.
	if c, err := e.upload(t, id, file); err != nil || c.SHA256 != sum(file) {
		t.Fatalf("retry: %+v %v", c, err)
	}

	if err := f.CorruptDownloads(1); err != nil {
		t.Fatal(err)
	}
	_, err = e.download(t, id)
	wantCode(t, err, sync.CodeBackupDamaged, true)
	if err := f.TruncateDownloads(1); err != nil {
		t.Fatal(err)
	}
	got, err := e.download(t, id)
	if se, ok := sync.AsError(err); !ok || !se.Retryable || len(got) >= len(file) {
		t.Fatalf("truncated download: %d bytes, %v", len(got), err)
	}
	if got, err := e.download(t, id); err != nil || !bytes.Equal(got, file) {
		t.Fatalf("download after the faults: %v", err)
	}
}

// patternReader yields n pseudo-random bytes without holding them.
type patternReader struct {
	rng *rand.ChaCha8
	n   int64
}

func (p *patternReader) Read(b []byte) (int, error) {
	if p.n == 0 {
		return 0, io.EOF
	}
	if int64(len(b)) > p.n {
		b = b[:p.n]
	}
	p.rng.Read(b)
	p.n -= int64(len(b))
	return len(b), nil
}

// TestBackupTransportStreams: 64 MiB up and down allocate a small fraction
// of that (client and server in this process together), so a 500 MiB
// backup is never held in memory.
func TestBackupTransportStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("moves 128 MiB")
	}
	e := startBackupEnv(t, backend.Options{})
	const size = 64 << 20
	seed := [32]byte{7}
	h := sha256.New()
	if _, err := io.Copy(h, &patternReader{rng: rand.NewChaCha8(seed), n: size}); err != nil {
		t.Fatal(err)
	}
	digest := hex.EncodeToString(h.Sum(nil))
	id := ids.New(time.Now())
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	if _, err := e.tr.UploadBackup(context.Background(), e.token, id, size, digest, &patternReader{rng: rand.NewChaCha8(seed), n: size}); err != nil {
		t.Fatal(err)
	}
	d, err := e.tr.DownloadBackup(context.Background(), e.token, id)
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, d.Body)
	d.Body.Close()
	if err != nil || n != size {
		t.Fatalf("download: %d bytes, %v", n, err)
	}
	runtime.ReadMemStats(&after)
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("2×64 MiB moved with %.1f MiB allocated", float64(alloc)/(1<<20))
	if alloc > size/4 {
		t.Fatalf("moving 2×64 MiB allocated %d MiB: a body is being held in memory", alloc>>20)
	}
}

// TestBackupTransportStallIsRetryable: a backend that stops reading the
// body is given up after the request timeout of no progress, not after a
// fixed time for the whole file.
func TestBackupTransportStallIsRetryable(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.CopyN(io.Discard, r.Body, 1<<20)
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	pool := srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	tr, err := sync.NewHTTPTransport(sync.HTTPOptions{BaseURL: srv.URL, RootCAs: pool, Timeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	file := randomFile(16 << 20)
	start := time.Now()
	_, err = tr.UploadBackup(context.Background(), "t0123456789012345678901234567890123", ids.New(time.Now()), int64(len(file)), sum(file), bytes.NewReader(file))
	se := wantCode(t, err, sync.CodeConnection, true)
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("the stall was noticed after %v", took)
	}
	if se.Message != "the transfer stalled" {
		t.Fatalf("message %q", se.Message)
	}
	// The caller's own cancellation stays a cancellation.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = tr.UploadBackup(ctx, "t0123456789012345678901234567890123", ids.New(time.Now()), int64(len(file)), sum(file), bytes.NewReader(file))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled upload: %v", err)
	}
}
