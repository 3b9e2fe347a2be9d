package store

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/calmally/practice/internal/audit"
)

func metaKeys(t *testing.T, db *DB, ctx context.Context, keys ...string) string {
	t.Helper()
	var have []string
	for _, k := range keys {
		_, err := db.Meta(ctx, k)
		switch {
		case err == nil:
			have = append(have, k)
		case !errors.Is(err, ErrNotFound):
			t.Fatalf("read %s: %v", k, err)
		}
	}
	return strings.Join(have, ",")
}

var errRefused = errors.New("refused")

// TestBatchTxRunsAsSavepoints: inside a batch each Tx keeps or undoes only
// its own writes, reads (Meta goes to the pool outside a batch) see the
// batch's writes, and nothing is visible to another connection before the
// one commit.
func TestBatchTxRunsAsSavepoints(t *testing.T) {
	db := openTemp(t)
	other, err := Open(context.Background(), db.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err = db.Batch(ctx, func(ctx context.Context) error {
		if err := db.SetMeta(ctx, "a", []byte("1")); err != nil {
			return err
		}
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			if err := SetMetaTx(ctx, tx, "b", []byte("2")); err != nil {
				return err
			}
			return errRefused
		})
		if !errors.Is(err, errRefused) {
			return fmt.Errorf("the refused Tx: %v", err)
		}
		if err := db.SetMeta(ctx, "c", []byte("3")); err != nil {
			return err
		}
		if got := metaKeys(t, db, ctx, "a", "b", "c"); got != "a,c" {
			return fmt.Errorf("inside the batch: %s", got)
		}
		if got := metaKeys(t, other, context.Background(), "a", "c"); got != "" {
			return fmt.Errorf("another connection saw %s before the commit", got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := metaKeys(t, db, context.Background(), "a", "b", "c"); got != "a,c" {
		t.Fatalf("after the commit: %s", got)
	}
}

// TestBatchErrorKeepsNothing: fn failing, or its context ending, undoes
// every Tx in it, released ones included.
func TestBatchErrorKeepsNothing(t *testing.T) {
	db := openTemp(t)
	err := db.Batch(context.Background(), func(ctx context.Context) error {
		if err := db.SetMeta(ctx, "a", []byte("1")); err != nil {
			return err
		}
		return errRefused
	})
	if !errors.Is(err, errRefused) {
		t.Fatalf("batch: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	err = db.Batch(ctx, func(ctx context.Context) error {
		if err := db.SetMeta(ctx, "b", []byte("1")); err != nil {
			return err
		}
		cancel()
		return nil
	})
	if err == nil {
		t.Fatal("a batch whose context ended committed")
	}
	if got := metaKeys(t, db, context.Background(), "a", "b"); got != "" {
		t.Fatalf("kept: %s", got)
	}
}

// TestBatchNested: a Batch inside a batch joins it: its Tx calls are
// savepoints of the outer batch, its error goes to its caller, and the
// outer batch decides what is kept.
func TestBatchNested(t *testing.T) {
	db := openTemp(t)
	err := db.Batch(context.Background(), func(ctx context.Context) error {
		if err := db.SetMeta(ctx, "a", []byte("1")); err != nil {
			return err
		}
		err := db.Batch(ctx, func(ctx context.Context) error {
			if err := db.SetMeta(ctx, "b", []byte("1")); err != nil {
				return err
			}
			return db.Tx(ctx, func(tx *sql.Tx) error {
				if err := SetMetaTx(ctx, tx, "c", []byte("1")); err != nil {
					return err
				}
				return errRefused
			})
		})
		if !errors.Is(err, errRefused) {
			return fmt.Errorf("inner batch: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := metaKeys(t, db, context.Background(), "a", "b", "c"); got != "a,b" {
		t.Fatalf("kept: %s", got)
	}
	_ = db.Batch(context.Background(), func(ctx context.Context) error {
		_ = db.Batch(ctx, func(ctx context.Context) error { return db.SetMeta(ctx, "d", []byte("1")) })
		return errRefused
	})
	if got := metaKeys(t, db, context.Background(), "d"); got != "" {
		t.Fatal("a joined batch was kept when the outer one failed")
	}
}

// TestBatchAfterCommit: work given to AfterCommit runs after the commit,
// only for what is kept; without a batch, at once. Its failure does not
// undo the batch.
func TestBatchAfterCommit(t *testing.T) {
	db := openTemp(t)
	var ran []string
	hook := func(name string) func(context.Context) error {
		return func(context.Context) error { ran = append(ran, name); return nil }
	}
	err := db.Batch(context.Background(), func(ctx context.Context) error {
		if err := db.AfterCommit(ctx, hook("top")); err != nil {
			return err
		}
		if err := db.Tx(ctx, func(*sql.Tx) error { return db.AfterCommit(ctx, hook("released")) }); err != nil {
			return err
		}
		_ = db.Tx(ctx, func(*sql.Tx) error {
			_ = db.AfterCommit(ctx, hook("rolled back"))
			return errRefused
		})
		if len(ran) != 0 {
			return fmt.Errorf("ran before the commit: %v", ran)
		}
		return nil
	})
	if err != nil || strings.Join(ran, ",") != "top,released" {
		t.Fatalf("ran %v, %v", ran, err)
	}
	ran = nil
	_ = db.Batch(context.Background(), func(ctx context.Context) error {
		_ = db.AfterCommit(ctx, hook("discarded"))
		return errRefused
	})
	if err := db.AfterCommit(context.Background(), hook("now")); err != nil || strings.Join(ran, ",") != "now" {
		t.Fatalf("ran %v, %v", ran, err)
	}
	err = db.Batch(context.Background(), func(ctx context.Context) error {
		if err := db.SetMeta(ctx, "kept", []byte("1")); err != nil {
			return err
		}
		return db.AfterCommit(ctx, func(context.Context) error { return errRefused })
	})
	if !errors.Is(err, ErrAfterCommit) || !errors.Is(err, errRefused) {
		t.Fatalf("failed hook: %v", err)
	}
	if got := metaKeys(t, db, context.Background(), "kept"); got != "kept" {
		t.Fatal("a failed hook undid the batch")
	}
}

// TestBatchBrokenTransactionNeverCommits: a statement that rolls back the
// whole transaction (as SQLite does on some errors) leaves the savepoint
// nothing to roll back to; the batch then refuses every later Tx and does
// not commit, so nothing runs outside a transaction and nothing is kept.
func TestBatchBrokenTransactionNeverCommits(t *testing.T) {
	db := openTemp(t)
	if _, err := db.sql.Exec(`CREATE TRIGGER test_boom BEFORE INSERT ON meta WHEN NEW.key = 'boom'
		BEGIN SELECT RAISE(ROLLBACK, 'boom'); END`); err != nil {
		t.Fatal(err)
	}
	var later error
	err := db.Batch(context.Background(), func(ctx context.Context) error {
		if err := db.SetMeta(ctx, "a", []byte("1")); err != nil {
			return err
		}
		if err := db.SetMeta(ctx, "boom", []byte("1")); err == nil {
			return errors.New("the trigger did not fire")
		}
		later = db.SetMeta(ctx, "c", []byte("1"))
		return nil
	})
	if err == nil || later == nil {
		t.Fatalf("batch %v, later Tx %v", err, later)
	}
	if got := metaKeys(t, db, context.Background(), "a", "boom", "c"); got != "" {
		t.Fatalf("kept: %s", got)
	}
}

// TestBatchCheckpointAndPrepareWait: a checkpoint asked for inside a batch
// runs after its commit (the WAL is then empty), and a statement cache is
// not prepared on the pool the batch holds; neither waits for the
// connection.
func TestBatchCheckpointAndPrepareWait(t *testing.T) {
	db := openTemp(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cache := newStmtCache(db.sql, `SELECT 1`)
	err := db.Batch(ctx, func(ctx context.Context) error {
		if err := db.SetMeta(ctx, "a", []byte("1")); err != nil {
			return err
		}
		cache.prepare(ctx)
		return db.Checkpoint(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
	if cache.ready.Load() {
		t.Fatal("the cache was prepared inside the batch")
	}
	if fi, err := os.Stat(db.Path() + "-wal"); err != nil || fi.Size() != 0 {
		t.Fatalf("WAL after the batch's checkpoint: %v %v", fi, err)
	}
}

// TestBatchStatementJournalInMemory: a batch keeps its statement journal
// in memory (temp_store=MEMORY) and the pool's connection is handed back
// with the default, whether the batch committed or not.
func TestBatchStatementJournalInMemory(t *testing.T) {
	db := openTemp(t)
	tempStore := func(ctx context.Context) int {
		var v int
		if err := db.conn(ctx).QueryRowContext(ctx, `PRAGMA temp_store`).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, fail := range []bool{false, true} {
		var inside int
		_ = db.Batch(context.Background(), func(ctx context.Context) error {
			inside = tempStore(ctx)
			if fail {
				return errRefused
			}
			return nil
		})
		if after := tempStore(context.Background()); inside != 2 || after != 0 {
			t.Fatalf("failed batch %v: temp_store %d inside, %d after (want 2, 0)", fail, inside, after)
		}
	}
}

// TestBatchAuditAppendsChain: appends in a batch chain onto the tail the
// batch wrote (without reading it back), forget it when a savepoint that
// appended rolls back, and leave a trail that verifies; a tampered head is
// still refused at the batch's first append.
func TestBatchAuditAppendsChain(t *testing.T) {
	db := openAuditDB(t)
	c := seedAudit(t, db, 3)
	ctx := context.Background()
	err := db.Batch(ctx, func(ctx context.Context) error {
		for i := 4; i <= 9; i++ {
			err := db.Tx(ctx, func(tx *sql.Tx) error {
				if _, err := AppendAuditTx(ctx, tx, c, entryN(i)); err != nil {
					return err
				}
				if i%3 == 0 {
					return errRefused // the entry goes with its savepoint
				}
				return nil
			})
			if err != nil && !errors.Is(err, errRefused) {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := db.VerifyAudit(ctx, c); err != nil || n != 7 {
		t.Fatalf("verified %d entries, want 7: %v", n, err)
	}
	if _, err := db.sql.Exec(`UPDATE audit_head SET head_mac = x'00' WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	err = db.Batch(ctx, func(ctx context.Context) error {
		_, err := db.AppendAudit(ctx, c, entryN(10))
		return err
	})
	if !errors.Is(err, audit.ErrTruncated) {
		t.Fatalf("append onto a tampered head in a batch: %v", err)
	}
}

const batchChildEnv = "CALMALLY_TEST_BATCH_CHILD"

// TestBatchKilledMidwayKeepsNothing: a process killed (SIGKILL) in the
// middle of a batch leaves none of it; one killed after the batch returned
// leaves all of it.
func TestBatchKilledMidwayKeepsNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a child process")
	}
	for _, tc := range []struct {
		stopAt string
		want   int
	}{{"half", 0}, {"committed", 100}} {
		path := filepath.Join(t.TempDir(), FileName)
		db, err := Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperBatchChild$", "-test.v=false")
		cmd.Env = append(os.Environ(), batchChildEnv+"="+tc.stopAt+"|"+path)
		cmd.Stderr = os.Stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		for sc.Scan() && sc.Text() != tc.stopAt {
		}
		cmd.Process.Kill()
		cmd.Wait()
		// Killed half-way, the batch's pages already reached the WAL: the
		// reopening must leave them out because no commit follows them.
		if fi, err := os.Stat(path + "-wal"); tc.stopAt == "half" && (err != nil || fi.Size() < 1<<20) {
			t.Fatalf("the child's uncommitted pages did not reach the WAL (%v, %v): the test proves nothing", fi, err)
		}
		db, err = Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.sql.QueryRow(`SELECT COUNT(*) FROM meta WHERE key LIKE 'batch-%'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		db.Close()
		if n != tc.want {
			t.Fatalf("killed at %q: %d rows kept, want %d", tc.stopAt, n, tc.want)
		}
	}
}

// TestHelperBatchChild is the child of TestBatchKilledMidwayKeepsNothing: a
// batch of 100 Tx of 64 KiB each (more than the page cache holds, so
// uncommitted pages reach the WAL before the kill), saying "half" half-way
// and "committed" after, and waiting to be killed at the one asked for.
func TestHelperBatchChild(t *testing.T) {
	stopAt, path, ok := strings.Cut(os.Getenv(batchChildEnv), "|")
	if !ok {
		t.Skip("run by TestBatchKilledMidwayKeepsNothing")
	}
	db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	say := func(what string) {
		fmt.Println(what)
		if what == stopAt {
			time.Sleep(time.Minute)
		}
	}
	value := bytes.Repeat([]byte("x"), 64<<10)
	err = db.Batch(context.Background(), func(ctx context.Context) error {
		for i := range 100 {
			if i == 50 {
				say("half")
			}
			if err := db.SetMeta(ctx, "batch-"+strconv.Itoa(i), value); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	say("committed")
}
