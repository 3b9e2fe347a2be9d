package practice

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/calmally/practice/internal/backend"
	"github.com/calmally/practice/internal/vault"
)

// BenchmarkBackupCopy50k: the copy in India for a practice with 50,000
// notes (CALMALLY_BENCH_NOTES overrides the count), against the reference
// backend over TLS on loopback with its database and files on disk. Run with
//
//	go test ./internal/practice -run '^$' -bench BackupCopy50k -benchtime 1x
//
// In the same run: backup = the local backup alone (snapshot + seal + fsync
// + rename, no read-back); upload = the backup file streamed to the backend,
// which hashes, syncs and records it, and the result recorded and audited;
// download = what a restore does before decrypting (list, stream into the
// new data folder checking length and SHA-256, sync, read the header);
// disk-copy = the same bytes copied file to file and synced, the floor of
// anything that moves them.
func BenchmarkBackupCopy50k(b *testing.B) {
	n := 50_000
	if s := os.Getenv("CALMALLY_BENCH_NOTES"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	ctx := context.Background()
	ref := startRefBackend(b, backend.Options{DBPath: filepath.Join(b.TempDir(), "backend.db")})
	f := &fixture{dir: filepath.Join(b.TempDir(), "profile"), kc: newMemKeychain(), clock: &clock{t: time.Now().UTC()}}
	p, err := Open(ctx, Options{DataDir: f.dir, Keychain: f.kc, Now: f.clock.Now, KDF: vault.MinimumKDF,
		Sleep: func(time.Duration) {}, Sync: SyncOptions{CAFile: ref.caFile}})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	if _, err := p.Create(ctx, []byte(goodPass), false); err != nil {
		b.Fatal(err)
	}
	seedBulkNotes(b, p, n)
	if err := p.DB().Checkpoint(ctx); err != nil {
		b.Fatal(err)
	}
	if _, err := p.SyncEnrol(ctx, ref.url, ref.code(b)); err != nil {
		b.Fatal(err)
	}
	out := b.TempDir()
	seq := 0
	// localBackup writes a backup without uploading it.
	localBackup := func(b *testing.B) BackupResult {
		seq++
		r, err := p.backupTo(ctx, filepath.Join(out, fmt.Sprintf("b%d.cbk", seq)), false)
		if err != nil {
			b.Fatal(err)
		}
		return r
	}
	var last BackupResult
	mb := func(r BackupResult) float64 { return float64(r.Size) / 1e6 }
	b.Run("backup", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			last = localBackup(b)
		}
		b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/backup")
		b.ReportMetric(mb(last), "MB")
	})
	b.Run("upload", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if i > 0 { // a new file each time: the same one again is answered without its body
				b.StopTimer()
				last = localBackup(b)
				b.StartTimer()
			}
			if r := p.UploadBackup(ctx, last.ID); r.Err != nil || r.Attempts != 1 {
				b.Fatalf("upload: %+v", r)
			}
		}
		s := b.Elapsed().Seconds() / float64(b.N)
		b.ReportMetric(s, "s/upload")
		b.ReportMetric(mb(last)/s, "MB/s")
	})
	b.Run("download", func(b *testing.B) {
		u, _, err := p.enrolledBackend(ctx)
		if err != nil {
			b.Fatal(err)
		}
		dir := b.TempDir()
		for i := 0; i < b.N; i++ {
			c, tmp, err := downloadCopy(ctx, u, dir, last.ID, func(time.Duration) {})
			if err != nil || c.SHA256 != last.SHA256 {
				b.Fatalf("download: %+v %v", c, err)
			}
			b.StopTimer()
			os.Remove(tmp)
			b.StartTimer()
		}
		s := b.Elapsed().Seconds() / float64(b.N)
		b.ReportMetric(s, "s/download")
		b.ReportMetric(mb(last)/s, "MB/s")
	})
	b.Run("disk-copy", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if err := copyFileSynced(last.Path, filepath.Join(out, fmt.Sprintf("copy%d", i))); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/copy")
	})
}

func copyFileSynced(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	if err := dst.Sync(); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}
