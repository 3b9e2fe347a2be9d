package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func openTemp(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestPragmasOnEveryConnection(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	want := map[string]string{
		"busy_timeout":  "5000",
		"journal_mode":  "wal",
		"synchronous":   "2", // FULL
		"foreign_keys":  "1",
		"secure_delete": "1",
	}
	// Force a fresh connection so the pragmas must come from the DSN, not a
	// one-off statement on the first connection.
	db.sql.SetMaxIdleConns(0)
	for i := 0; i < 2; i++ {
		for name, v := range want {
			var got string
			if err := db.sql.QueryRowContext(ctx, "PRAGMA "+name).Scan(&got); err != nil {
				t.Fatalf("read %s: %v", name, err)
			}
			if strings.ToLower(got) != v {
				t.Errorf("PRAGMA %s = %q, want %q", name, got, v)
			}
		}
	}
}

func TestImmediateTransactionsTakeTheWriteLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	a, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	tx, err := a.sql.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	// With _txlock=immediate, BEGIN alone reserves the write lock, so another
	// connection cannot write even though tx has not written yet.
	b, err := Open(context.Background(), path)
	if err == nil {
		b.sql.Exec("PRAGMA busy_timeout=50")
		_, werr := b.sql.Exec(`INSERT INTO meta (key, value, updated_at) VALUES ('x', 'y', 'z')`)
		b.sql.Close()
		if werr == nil {
			t.Fatal("second writer succeeded while an immediate transaction was open")
		}
	}
}

func TestMigrationsAreRecordedAndIdempotent(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		db, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		v, err := db.currentVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if v != SchemaVersion() || v == 0 {
			t.Fatalf("schema version %d, want %d", v, SchemaVersion())
		}
		db.Close()
	}
}

func TestNewerDatabaseRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	ctx := context.Background()
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.sql.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future.sql', 'now')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = Open(ctx, path)
	if !errors.Is(err, ErrTooNew) {
		t.Fatalf("Open = %v, want ErrTooNew", err)
	}
	if !strings.Contains(err.Error(), "newer version") {
		t.Errorf("message %q does not explain the problem", err)
	}
}

func TestCloseTruncatesWAL(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	ctx := context.Background()
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetMeta(ctx, "k", make([]byte, 64<<10)); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path + "-wal"); err != nil || fi.Size() == 0 {
		t.Fatalf("expected a non-empty WAL before close: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() != 0 {
		t.Fatalf("WAL is %d bytes after close, want 0 or absent", fi.Size())
	}
}

func TestFilesAreOwnerOnly(t *testing.T) {
	db := openTemp(t)
	fi, err := os.Stat(db.Path())
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		t.Fatalf("database mode %v, want owner-only", fi.Mode().Perm())
	}
}

func TestMetaRoundTripAndNotFound(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	if _, err := db.Meta(ctx, "absent"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Meta(absent) = %v, want ErrNotFound", err)
	}
	if err := db.SetMeta(ctx, "a", []byte("1")); err != nil {
		t.Fatal(err)
	}
	if err := db.SetMeta(ctx, "a", []byte("2")); err != nil {
		t.Fatal(err)
	}
	v, err := db.Meta(ctx, "a")
	if err != nil || string(v) != "2" {
		t.Fatalf("Meta(a) = %q, %v", v, err)
	}
}

func TestIntegrityCheckOnHealthyDatabase(t *testing.T) {
	db := openTemp(t)
	problems, err := db.IntegrityCheck(context.Background())
	if err != nil || len(problems) != 0 {
		t.Fatalf("IntegrityCheck = %v, %v", problems, err)
	}
}
