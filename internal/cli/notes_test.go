package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNotesCommands covers notes add|edit|sign|addendum|show in process
// (testdata/notes.txtar runs the same through real processes).
func TestNotesCommands(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	pass := write("pass.txt", "meadow-lantern-copper-orbit-7-thistle\n")
	run := func(args ...string) (int, string, string) {
		t.Helper()
		return cliRun(t, dir, append([]string{"--passphrase-file", pass}, args...)...)
	}
	must := func(args ...string) string {
		t.Helper()
		code, out, errs := run(args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errs)
		}
		return strings.TrimSpace(out)
	}
	if code, _, stderr := cliRun(t, dir, "init", "--passphrase-file", pass, "--recovery-kit-out", filepath.Join(dir, "kit.pdf")); code != 0 {
		t.Fatalf("init: %s", stderr)
	}
	client := must("clients", "add", "--name", "Asha Kumar", "--dob", "1990-05-01")
	must("consent", "grant", "--client", client, "--purpose", "health-data")

	soap := write("soap.json", `{"subjective": "Sleeping better; मन शांत है.", "plan": "Continue CBT.\nHomework: thought record"}`)
	id := must("notes", "add", "--client", client, "--template", "soap", "--body-file", soap, "--title", "Session 3", "--date", "2024-06-14")
	edited := write("edited.json", `{"subjective": "Sleeping better.", "assessment": "Improving.", "plan": "Continue CBT."}`)
	if out := must("notes", "edit", id, "--body-file", edited); !strings.Contains(out, "rev 2") {
		t.Fatalf("edit: %q", out)
	}
	if out := must("notes", "sign", id); !strings.Contains(out, "sha256:") {
		t.Fatalf("sign: %q", out)
	}

	refused := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"edit signed", []string{"notes", "edit", id, "--body-file", edited}, ExitRefused, "note is signed: add an addendum instead"},
		{"sign twice", []string{"notes", "sign", id}, ExitRefused, "note is signed: add an addendum instead"},
		{"unknown note", []string{"notes", "show", "0190a2b4-0000-7000-8000-000000000000"}, ExitNotFound, "not_found"},
		{"unknown client", []string{"notes", "add", "--client", "0190a2b4-0000-7000-8000-000000000000", "--body-file", soap}, ExitNotFound, "client not found"},
		{"unknown section", []string{"notes", "add", "--client", client, "--template", "dap", "--body-file", soap}, ExitRefused, "is not in template"},
		{"unknown template", []string{"notes", "add", "--client", client, "--template", "nope", "--body-file", soap}, ExitNotFound, "template not found"},
		{"bad kind", []string{"notes", "add", "--client", client, "--kind", "secret", "--body-file", soap}, ExitUsage, ""},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := run(tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.stderr) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", code, stderr, tc.code, tc.stderr)
			}
			if strings.Contains(stderr, "Sleeping") || strings.Contains(stderr, "Asha") {
				t.Fatalf("stderr carries client data: %q", stderr)
			}
		})
	}

	addendum := write("addendum.txt", "Correction: the session was online.\n")
	must("notes", "addendum", id, "--body-file", addendum)
	var shown noteJSON
	if err := json.Unmarshal([]byte(must("notes", "show", id, "--json")), &shown); err != nil {
		t.Fatal(err)
	}
	if shown.Status != "signed" || shown.SignatureValid == nil || !*shown.SignatureValid || len(shown.Addenda) != 1 ||
		shown.Sections[0].Text != "Sleeping better." || shown.Sections[2].Text != "Improving." || shown.SessionDate != "2024-06-14" {
		t.Fatalf("show = %+v", shown)
	}

	free := write("free.txt", "A private reflection.")
	pid := must("notes", "add", "--client", client, "--template", "free", "--kind", "psychotherapy", "--body-file", free)
	if out := must("notes", "show", pid); !strings.Contains(out, "PSYCHOTHERAPY NOTE") || !strings.Contains(out, "A private reflection.") {
		t.Fatalf("show psychotherapy: %q", out)
	}
	if out := must("notes", "list", "--client", client); !strings.Contains(out, "Session 3") || !strings.Contains(out, "psychotherapy") {
		t.Fatalf("list: %q", out)
	}

	// The trail holds the refusals, with ids only.
	trail := must("audit", "list", "--json")
	if !strings.Contains(trail, "refused=signed op=save_draft") || !strings.Contains(trail, `"action": "sign"`) ||
		!strings.Contains(trail, `"action": "addendum"`) || strings.Contains(trail, "Sleeping") {
		t.Fatalf("audit trail: %s", trail)
	}
	if out := must("audit", "verify"); !strings.Contains(out, "audit trail ok") {
		t.Fatal(out)
	}
}
