//go:build unix

package crashtest

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/calmally/practice/internal/clients"
	"github.com/calmally/practice/internal/consent"
	"github.com/calmally/practice/internal/notes"
	"github.com/calmally/practice/internal/practice"
	"github.com/calmally/practice/internal/store"
	"github.com/calmally/practice/internal/vault"
)

const passphrase = "correct horse battery staple orchard"

// Environment the parent hands the child.
const (
	envChild  = "CALMALLY_CRASHTEST_CHILD"
	envDir    = "CALMALLY_CRASHTEST_DIR"
	envBackup = "CALMALLY_CRASHTEST_BACKUPS"
	envClient = "CALMALLY_CRASHTEST_CLIENT"
	envSeed   = "CALMALLY_CRASHTEST_SEED"
)

// options: a passphrase-only vault (the keychain holds only the sync
// device token, crash_sync_test.go) syncing with the parent's backend.
func options(dir string) practice.Options {
	return practice.Options{DataDir: dir, KDF: vault.MinimumKDF, Keychain: fileKeychain{dir: os.Getenv(envKeychain)},
		Sleep: func(time.Duration) {}, Sync: practice.SyncOptions{CAFile: os.Getenv(envCA)}}
}

// TestCrashChild is the child's body; it does nothing unless the parent
// started it. It runs until killed.
func TestCrashChild(t *testing.T) {
	if os.Getenv(envChild) != "1" {
		t.Skip("only run by TestCrash as a child process")
	}
	ctx := context.Background()
	p, err := practice.Open(ctx, options(os.Getenv(envDir)))
	if err != nil {
		fmt.Println("ERROR open", err)
		os.Exit(2)
	}
	if err := p.Unlock(ctx, []byte(passphrase)); err != nil {
		fmt.Println("ERROR unlock", err)
		os.Exit(2)
	}
	seed, _ := strconv.ParseUint(os.Getenv(envSeed), 10, 64)
	rng := rand.New(rand.NewPCG(seed, 9))
	client := os.Getenv(envClient)
	folder := os.Getenv(envBackup)
	svc := p.Notes()
	type draft struct {
		id  string
		rev int64
	}
	var drafts []draft
	fmt.Println("READY")
	for i := 0; ; i++ {
		token := fmt.Sprintf("tok-%d-%d", seed, i)
		switch r := rng.IntN(100); {
		case r < 30 || len(drafts) == 0:
			n, err := svc.Create(ctx, notes.NewNote{ClientID: client, TemplateID: notes.TemplateSOAP, Title: token,
				Sections: map[string]string{"subjective": token + " " + strings.Repeat("s", rng.IntN(3000))}})
			if err != nil {
				fmt.Println("ERROR create", err)
				os.Exit(2)
			}
			drafts = append(drafts, draft{n.ID, n.Rev})
			fmt.Printf("SAVE %s %d %s\n", n.ID, n.Rev, token)
		case r < 75:
			k := rng.IntN(len(drafts))
			d := drafts[k]
			s, err := svc.SaveDraft(ctx, d.id, d.rev, token, map[string]string{"subjective": token + " " + strings.Repeat("d", rng.IntN(3000))})
			if err != nil {
				fmt.Println("ERROR save", err)
				os.Exit(2)
			}
			drafts[k].rev = s.Rev
			fmt.Printf("SAVE %s %d %s\n", d.id, s.Rev, token)
		case r < 82:
			// Enrolled: the backup is uploaded to the backend too.
			path := filepath.Join(folder, fmt.Sprintf("calmally-backup-%d-%d.cbk", seed, i))
			if _, err := p.BackupTo(ctx, path, false); err != nil {
				fmt.Println("ERROR backup", err)
				os.Exit(2)
			}
			fmt.Printf("BACKUP %s\n", path)
		case r < 92:
			id, err := walkIn(ctx, p, seed, i)
			if err != nil {
				fmt.Println("ERROR walk-in", err)
				os.Exit(2)
			}
			fmt.Printf("WALKIN %s\n", id)
			if _, err := p.SyncRound(ctx); err != nil {
				fmt.Println("ERROR sync", err)
				os.Exit(2)
			}
			fmt.Println("SYNCED")
		default:
			if err := p.RotateDataKey(ctx, nil); err != nil {
				fmt.Println("ERROR rotate", err)
				os.Exit(2)
			}
			fmt.Println("ROTATED")
		}
	}
}

// stats counts the kills that landed mid-operation.
var stats struct{ midRotation, tempFiles, midSync int }

// ack is the last acknowledged save of a note.
type ack struct {
	rev   int64
	token string
}

func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test: about a minute; skipped with -short")
	}
	ctx := context.Background()
	root := t.TempDir()
	dir, folder := filepath.Join(root, "profile"), filepath.Join(root, "backups")
	if err := os.Mkdir(folder, 0o700); err != nil {
		t.Fatal(err)
	}
	cb := startCrashBackend(t, root)
	client := setup(t, dir, cb)

	const kills = 15
	// Time-bounded, since this machine may be busy running other tests: up
	// to 15 kills, no new round after 60 s, at least 5 rounds.
	deadline := time.Now().Add(60 * time.Second)
	acked := map[string]ack{}
	verified := map[string]bool{}
	var ackedBackups []string
	walkIns := map[string]bool{}
	rotations, saves, rounds, pushed, uploaded := 0, 0, 0, 0, 0
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	round := 0
	for ; round < kills && time.Now().Before(deadline); round++ {
		delay := time.Duration(100+rng.IntN(1400)) * time.Millisecond
		lines := runAndKill(t, dir, folder, client, uint64(round+1), delay)
		for _, l := range lines {
			f := strings.Fields(l)
			switch f[0] {
			case "SAVE":
				rev, _ := strconv.ParseInt(f[2], 10, 64)
				acked[f[1]] = ack{rev, f[3]}
				saves++
			case "BACKUP":
				ackedBackups = append(ackedBackups, f[1])
			case "ROTATED":
				rotations++
			case "WALKIN":
				walkIns[f[1]] = true
			case "SYNCED":
				rounds++
			case "ERROR":
				t.Fatalf("child failed: %s", l)
			}
		}
		if n := len(lines); n > 0 && strings.HasPrefix(lines[n-1], "WALKIN ") {
			stats.midSync++ // killed after a walk-in, before its round said it was done
		}
		pushed, uploaded = check(t, ctx, dir, folder, acked, ackedBackups, verified, cb, walkIns)
	}
	if round < 5 {
		t.Fatalf("only %d kill rounds fitted in the time bound", round)
	}
	t.Logf("%d kills; %d acknowledged saves over %d notes, %d backups, %d rotations, all intact; "+
		"%d kills landed mid-rotation (resumed), %d temporary backup files seen after kills (never under a final name); "+
		"%d acknowledged walk-ins and %d completed sync rounds in the bursts (%d kills during a round), %d walk-ins at the backend, each once; "+
		"%d backup copies recorded as uploaded, all whole on the backend",
		round, saves, len(acked), len(ackedBackups), rotations, stats.midRotation, stats.tempFiles,
		len(walkIns), rounds, stats.midSync, pushed, uploaded)
	if saves == 0 {
		t.Fatal("no save was ever acknowledged: the test exercised nothing")
	}
}

// setup creates a passphrase-only vault with one client who consented to
// health-data processing, and returns the client's id.
func setup(t *testing.T, dir string, cb *crashBackend) string {
	t.Helper()
	ctx := context.Background()
	p, err := practice.Open(ctx, options(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if _, err := p.Create(ctx, []byte(passphrase), true); err != nil {
		t.Fatal(err)
	}
	c, err := p.Clients().Create(ctx, clients.Input{Name: "Crash Test", DateOfBirth: "1990-01-01"}, clients.SourceClinic)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Consent().Grant(ctx, consent.GrantInput{ClientID: c.ID, Purpose: consent.PurposeHealthData,
		Method: consent.MethodCheckbox}); err != nil {
		t.Fatal(err)
	}
	cb.enrol(t, p)
	return c.ID
}

// runAndKill starts the child, lets it work for delay after it is ready,
// SIGKILLs it and returns the complete lines it printed.
func runAndKill(t *testing.T, dir, folder, client string, seed uint64, delay time.Duration) []string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), envChild+"=1", envDir+"="+dir, envBackup+"="+folder, envClient+"="+client,
		envSeed+"="+strconv.FormatUint(seed, 10))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 1<<16)
	done := make(chan struct{})
	go func() {
		defer close(done)
		// Only lines that end in a newline count: an acknowledgement cut
		// off by the kill was never given.
		r := bufio.NewReader(out)
		for {
			l, err := r.ReadString('\n')
			if err != nil {
				return
			}
			lines <- strings.TrimSuffix(l, "\n")
		}
	}()
	var got []string
	ready := time.After(30 * time.Second)
wait:
	for {
		select {
		case l := <-lines:
			got = append(got, l)
			if l == "READY" {
				break wait
			}
			if strings.HasPrefix(l, "ERROR") {
				t.Fatalf("child: %s", l)
			}
		case <-ready:
			_ = cmd.Process.Kill()
			t.Fatal("child not ready after 30 s")
		}
	}
	time.Sleep(delay)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-done
	_ = cmd.Wait()
	close(lines)
	for l := range lines {
		got = append(got, l)
	}
	var complete []string
	for _, l := range got {
		if l == "READY" || !validLine(l) {
			continue
		}
		complete = append(complete, l)
	}
	return complete
}

func validLine(l string) bool {
	f := strings.Fields(l)
	if len(f) == 0 {
		return false
	}
	switch f[0] {
	case "SAVE":
		return len(f) == 4 && strings.HasPrefix(f[3], "tok-")
	case "BACKUP":
		return len(f) == 2 && strings.HasSuffix(f[1], ".cbk")
	case "ROTATED", "SYNCED":
		return len(f) == 1
	case "WALKIN":
		return len(f) == 2 && len(f[1]) == 36
	case "ERROR":
		return true
	}
	return false
}

// check reopens the profile after a kill and checks every promise.
func check(t *testing.T, ctx context.Context, dir, folder string, acked map[string]ack, ackedBackups []string,
	verified map[string]bool, cb *crashBackend, walkIns map[string]bool) (pushed, uploaded int) {
	t.Helper()
	p, err := practice.Open(ctx, options(dir))
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	defer p.Close()
	if probs, err := p.DB().FullIntegrityCheck(ctx); err != nil || len(probs) > 0 {
		t.Fatalf("PRAGMA integrity_check after kill: %v %v", probs, err)
	}
	if r := p.WaitIntegrityCheck(); r.State != "ok" {
		t.Fatalf("startup check after kill: %+v", r)
	}
	if b, err := p.DB().Meta(ctx, "vault.header"); err == nil {
		if h, err := vault.ParseHeader(b); err == nil && h.RotatingTo != 0 {
			stats.midRotation++
		}
	}
	if err := p.Unlock(ctx, []byte(passphrase)); err != nil {
		t.Fatalf("unlock after kill: %v", err)
	}
	// Every acknowledged save is there and decrypts; a note may be one save
	// ahead (committed, killed before the acknowledgement was printed).
	svc := p.Notes()
	for id, a := range acked {
		n, err := svc.Get(ctx, id)
		if err != nil {
			t.Fatalf("acknowledged note lost or unreadable after kill: %v", err)
		}
		switch {
		case n.Rev == a.rev:
			if n.Title != a.token || !strings.HasPrefix(n.Sections["subjective"], a.token+" ") {
				t.Fatalf("note at acknowledged rev %d does not hold the acknowledged text", a.rev)
			}
		case n.Rev == a.rev+1:
		default:
			t.Fatalf("note at rev %d, last acknowledged %d", n.Rev, a.rev)
		}
	}
	// No half-applied rotation: every sealed value in the database opens.
	keys, err := p.Keys()
	if err != nil {
		t.Fatal(err)
	}
	opened := openAll(t, ctx, p.DB(), keys)
	// Backups: under a final name, complete and verifiable; every
	// acknowledged one present.
	entries, err := os.ReadDir(folder)
	if err != nil {
		t.Fatal(err)
	}
	present := map[string]bool{}
	for _, e := range entries {
		name := e.Name()
		path := filepath.Join(folder, name)
		if strings.HasPrefix(name, ".calmally-backup-") && strings.HasSuffix(name, ".tmp") {
			stats.tempFiles++
			continue // a temporary file of a killed backup: never under a final name
		}
		present[path] = true
		if verified[path] {
			continue
		}
		if _, err := p.VerifyBackup(ctx, path); err != nil {
			t.Fatalf("a backup under its final name does not verify after a kill: %s: %v", name, err)
		}
		verified[path] = true
	}
	for _, b := range ackedBackups {
		if !present[b] {
			t.Fatalf("acknowledged backup missing: %s", filepath.Base(b))
		}
	}
	if _, err := p.AuditVerify(ctx); err != nil {
		t.Fatalf("audit trail after kill: %v", err)
	}
	pushed, uploaded = checkSync(t, ctx, p, cb, walkIns)
	t.Logf("after kill: %d notes ok, %d sealed values open, %d backups verified, %d walk-ins at the backend, %d copies uploaded",
		len(acked), opened, len(verified), pushed, uploaded)
	return pushed, uploaded
}

// openAll opens every sealed value of every registered column.
func openAll(t *testing.T, ctx context.Context, db *store.DB, keys *vault.Keys) int {
	t.Helper()
	n := 0
	for _, c := range store.SealedColumns() {
		rows, err := db.SQL().QueryContext(ctx, fmt.Sprintf(`SELECT id, rev, %q FROM %q WHERE %q IS NOT NULL`, c.Column, c.Table, c.Column))
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id string
			var rev int64
			var env []byte
			if err := rows.Scan(&id, &rev, &env); err != nil {
				t.Fatal(err)
			}
			if _, err := keys.Open(vault.AD{Table: c.Table, Column: c.Column, RowID: id, Revision: rev}, env); err != nil {
				t.Fatalf("%s.%s of a row does not open after a kill (half-applied rotation?): %v", c.Table, c.Column, err)
			}
			n++
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	return n
}
