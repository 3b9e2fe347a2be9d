package store

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/notes"
	"github.com/calmally/practice/internal/vault"
)

const autosaveChildEnv = "CALMALLY_TEST_AUTOSAVE_CHILD"

// TestAutosaveSurvivesKilledProcess runs a child process that autosaves a
// draft in a tight loop, printing each acknowledged counter, kills it with
// SIGKILL mid-loop, and checks that the reopened database holds a draft whose
// counter is at least the last one acknowledged: an acknowledged save is on
// disk.
func TestAutosaveSurvivesKilledProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a child process")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	ctx := context.Background()
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	h, keys := testVault(t)
	e := setupNoteEnv(t, ctx, db, keys)
	hb, err := h.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "header"), hb, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperAutosaveChild$", "-test.v=false")
	cmd.Env = append(os.Environ(), autosaveChildEnv+"="+dir+"|"+e.client)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	defer func() {
		if !killed {
			cmd.Process.Kill()
			cmd.Wait()
		}
	}()
	sc := bufio.NewScanner(out)
	var noteID string
	lastAck := 0
	deadline := time.Now().Add(60 * time.Second)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "note "):
			noteID = strings.TrimPrefix(line, "note ")
		case strings.HasPrefix(line, "ack "):
			n, err := strconv.Atoi(strings.TrimPrefix(line, "ack "))
			if err != nil {
				t.Fatalf("child said %q", line)
			}
			lastAck = n
		}
		// Kill once the loop is well under way (at an arbitrary point of a
		// save, since the child keeps going while this reads).
		if lastAck >= 60 || time.Now().After(deadline) {
			break
		}
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL: no deferred cleanup, no checkpoint
		t.Fatal(err)
	}
	killed = true
	cmd.Wait()
	if noteID == "" || lastAck == 0 {
		t.Fatalf("child made no progress (note %q, last ack %d)", noteID, lastAck)
	}

	db2, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	e2 := setupNoteEnvNoStart(db2, keys, e.chain)
	n, err := e2.Get(ctx, noteID)
	if err != nil {
		t.Fatal(err)
	}
	got, err := strconv.Atoi(strings.TrimPrefix(n.Sections["subjective"], "counter="))
	if err != nil {
		t.Fatalf("draft text %q", n.Sections["subjective"])
	}
	if got < lastAck {
		t.Fatalf("reopened draft has counter %d, but %d was acknowledged", got, lastAck)
	}
	t.Logf("last acknowledged %d, found %d (rev %d)", lastAck, got, n.Rev)
	if _, err := db2.VerifyAudit(ctx, e.chain); err != nil {
		t.Fatalf("audit trail after the kill: %v", err)
	}
}

func setupNoteEnvNoStart(db *DB, keys *vault.Keys, chain *audit.Chain) *notes.Service {
	return notes.NewService(notes.Config{
		Store: NewNoteStore(db, func() (*audit.Chain, error) { return chain, nil }),
		Keys:  func() (notes.Sealer, error) { return keys, nil },
		Actor: "practitioner-1",
	})
}

// TestHelperAutosaveChild is the child of TestAutosaveSurvivesKilledProcess;
// it does nothing in a normal run.
func TestHelperAutosaveChild(t *testing.T) {
	arg := os.Getenv(autosaveChildEnv)
	if arg == "" {
		t.Skip("helper process only")
	}
	dir, clientID, _ := strings.Cut(arg, "|")
	ctx := context.Background()
	fail := func(err error) {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(3)
	}
	hb, err := os.ReadFile(filepath.Join(dir, "header"))
	if err != nil {
		fail(err)
	}
	h, err := vault.ParseHeader(hb)
	if err != nil {
		fail(err)
	}
	keys, err := vault.Unlock(h, []byte(testPassphrase), nil)
	if err != nil {
		fail(err)
	}
	db, err := Open(ctx, filepath.Join(dir, FileName))
	if err != nil {
		fail(err)
	}
	svc := setupNoteEnvNoStart(db, keys, audit.NewChain(keys.Subkey("audit-mac")))
	n, err := svc.Create(ctx, notes.NewNote{ClientID: clientID, TemplateID: notes.TemplateSOAP, Title: "typing"})
	if err != nil {
		fail(err)
	}
	fmt.Fprintf(os.Stdout, "note %s\n", n.ID)
	rev := n.Rev
	for i := 1; ; i++ {
		s, err := svc.SaveDraft(ctx, n.ID, rev, "typing", map[string]string{"subjective": "counter=" + strconv.Itoa(i)})
		if err != nil {
			fail(err)
		}
		rev = s.Rev
		fmt.Fprintf(os.Stdout, "ack %d\n", i) // only after SaveDraft returned: the commit is durable
	}
}
