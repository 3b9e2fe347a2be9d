package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/calmally/practice/internal/vault"
)

// The testscript harness for every CLI test: each testdata/*.txtar script
// runs `calmally ...` as a real process (this test binary, re-executed), with
// a fresh data directory, a file-backed keychain and the minimum KDF cost.
//
// Environment a script sees:
//
//	CALMALLY_DATA_DIR        $WORK/data
//	CALMALLY_TEST_KEYCHAIN   $WORK/.keychain (the fake keychain's folder)
//	CALMALLY_TEST_NOW        unset: the real clock; set it (RFC 3339) in a
//	                         script to pin "now", e.g. for age rules
//
// Besides testscript's own commands, `exits N command [args...]` runs a
// command and fails unless it exits with status N; its stdout and stderr are
// then checked with stdout/stderr as usual. Use it for the exit codes of
// DESIGN.md section 6.
//
// Scripts create their own vault: put a strong passphrase in a file and run
// `exec calmally init --passphrase-file pass.txt --recovery-kit-out kit.pdf`.

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"calmally": func() { os.Exit(testMain()) },
	})
}

// testMain is main() of the calmally command as scripts see it; only the
// keychain, the KDF cost and (optionally) the clock differ from production.
func testMain() int {
	env := Env{
		Stdout:   os.Stdout,
		Stderr:   os.Stderr,
		Keychain: fileKeychain{dir: os.Getenv("CALMALLY_TEST_KEYCHAIN")},
		KDF:      vault.MinimumKDF,
	}
	if s := os.Getenv("CALMALLY_TEST_NOW"); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			fmt.Fprintln(os.Stderr, "calmally test: CALMALLY_TEST_NOW must be RFC 3339")
			return ExitError
		}
		env.Now = func() time.Time { return t }
	}
	return Run(context.Background(), os.Args[1:], env)
}

func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata",
		RequireExplicitExec: true,
		Cmds:                map[string]func(*testscript.TestScript, bool, []string){"exits": cmdExits, "refbackend": cmdRefBackend},
		Setup: func(e *testscript.Env) error {
			e.Setenv("CALMALLY_DATA_DIR", filepath.Join(e.WorkDir, "data"))
			e.Setenv("CALMALLY_TEST_KEYCHAIN", filepath.Join(e.WorkDir, ".keychain"))
			return nil
		},
	})
}

func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits N command [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: %q is not an exit code", args[0])
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("exits: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("exit status %d, want %d", got, want)
	}
}
