package cli

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/calmally/practice/internal/vault"
)

// cliRun runs the CLI in process against dir, with the fake keychain, the
// minimum KDF and a clock pinned to 2024-06-15 12:00 in India.
func cliRun(t *testing.T, dir string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := Env{
		Stdout:   &out,
		Stderr:   &errb,
		Getenv:   func(k string) string { return map[string]string{"CALMALLY_DATA_DIR": filepath.Join(dir, "data")}[k] },
		Keychain: fileKeychain{dir: filepath.Join(dir, "keychain")},
		KDF:      vault.MinimumKDF,
		Now:      func() time.Time { return time.Date(2024, 6, 15, 6, 30, 0, 0, time.UTC) },
	}
	code = Run(context.Background(), args, env)
	return code, out.String(), errb.String()
}

// TestClientsExitCodes covers the contract of DESIGN.md section 6 in process
// (testdata/clients.txtar runs the same through real processes).
func TestClientsExitCodes(t *testing.T) {
	dir := t.TempDir()
	pass := filepath.Join(dir, "pass.txt")
	if err := os.WriteFile(pass, []byte("meadow-lantern-copper-orbit-7-thistle\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	wrong := filepath.Join(dir, "wrong.txt")
	if err := os.WriteFile(wrong, []byte("meadow-lantern-copper-orbit-7-thistlf\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := cliRun(t, dir, "init", "--passphrase-file", pass, "--recovery-kit-out", filepath.Join(dir, "kit.pdf")); code != 0 {
		t.Fatalf("init: exit %d: %s", code, stderr)
	}
	code, stdout, stderr := cliRun(t, dir, "--passphrase-file", pass, "clients", "add", "--name", "Asha Kumar", "--dob", "2006-06-15", "--phone", "9876543210")
	id := strings.TrimSpace(stdout)
	if code != 0 || !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(id) {
		t.Fatalf("add (18 today): exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	tests := []struct {
		name       string
		args       []string
		code       int
		stderr     string
		stdoutHas  string
		notInOuput string
	}{
		{"under 18", []string{"--passphrase-file", pass, "clients", "add", "--name", "Minor Person", "--dob", "2006-06-16"},
			ExitRefused, "invalid: under 18: CalmAlly serves adults only", "", "Minor"},
		{"future date of birth", []string{"--passphrase-file", pass, "clients", "add", "--name", "X Y", "--dob", "2025-01-01"},
			ExitRefused, "date of birth: cannot be in the future", "", ""},
		{"bad email", []string{"--passphrase-file", pass, "clients", "add", "--name", "X Y", "--dob", "1990-01-01", "--email", "nope"},
			ExitRefused, "email: must be an address", "", "nope"},
		{"missing --dob", []string{"--passphrase-file", pass, "clients", "add", "--name", "X Y"}, ExitUsage, "", "", ""},
		{"show unknown", []string{"--passphrase-file", pass, "clients", "show", "0190a2b4-0000-7000-8000-000000000000"},
			ExitNotFound, "not_found: no client with that id", "", ""},
		{"wrong passphrase", []string{"--passphrase-file", wrong, "clients", "list"}, ExitLocked, "", "", ""},
		{"no passphrase", []string{"clients", "list"}, ExitLocked, "locked", "", ""},
		{"show", []string{"--passphrase-file", pass, "clients", "show", id, "--json"}, ExitOK, "", `"phone": "+919876543210"`, ""},
		{"list", []string{"--passphrase-file", pass, "clients", "list"}, ExitOK, "", "Asha Kumar", "Minor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := cliRun(t, dir, tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d (stderr %q)", code, tt.code, stderr)
			}
			if !strings.Contains(stderr, tt.stderr) {
				t.Errorf("stderr %q, want it to contain %q", stderr, tt.stderr)
			}
			if !strings.Contains(stdout, tt.stdoutHas) {
				t.Errorf("stdout %q, want it to contain %q", stdout, tt.stdoutHas)
			}
			if tt.notInOuput != "" && strings.Contains(stdout+stderr, tt.notInOuput) {
				t.Errorf("output repeats client data %q: %q %q", tt.notInOuput, stdout, stderr)
			}
		})
	}
}

// fileKeychain is a vault.Keychain kept in files, one per account, for the
// test binary only: each script gets its own, and it persists across the
// separate processes of one script as the OS keychain would.
type fileKeychain struct{ dir string }

var _ vault.Keychain = fileKeychain{}

func (k fileKeychain) path(account string) (string, error) {
	if k.dir == "" {
		return "", fmt.Errorf("file keychain: no folder: %w", vault.ErrKeychainUnavailable)
	}
	if account == "" {
		return "", errors.New("file keychain: empty account")
	}
	return filepath.Join(k.dir, hex.EncodeToString([]byte(account))), nil
}

func (k fileKeychain) Get(account string) ([]byte, error) {
	p, err := k.path(account)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("file keychain: %w", vault.ErrKeychainItemMissing)
	}
	return b, err
}

func (k fileKeychain) Set(account string, secret []byte) error {
	p, err := k.path(account)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(k.dir, 0o700); err != nil {
		return err
	}
	return os.WriteFile(p, secret, 0o600)
}

func (k fileKeychain) Delete(account string) error {
	p, err := k.path(account)
	if err != nil {
		return err
	}
	if err := os.Remove(p); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("file keychain: %w", vault.ErrKeychainItemMissing)
	} else if err != nil {
		return err
	}
	return nil
}
