// Package cli is the headless face of the calmally binary: subcommands for
// clinics, scripts and tests. It never touches GTK or Wails, so it runs where
// there is no display.
//
// # Exit codes
//
//	0 done; 2 usage; 3 locked or wrong passphrase; 4 not found;
//	5 refused by a rule (consent missing, under 18, note signed, region);
//	1 anything else.
//
// Messages go to stderr, name the rule that refused, and carry no client data.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/alecthomas/kong"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/datadir"
	"github.com/calmally/practice/internal/practice"
	"github.com/calmally/practice/internal/vault"
)

// Exit codes.
const (
	ExitOK       = 0
	ExitError    = 1
	ExitUsage    = 2
	ExitLocked   = 3
	ExitNotFound = 4
	ExitRefused  = 5
)

// Env is what a command run needs from its process. Tests replace the
// keychain (with a file-backed fake in the test binary) and the KDF cost.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	Keychain       vault.Keychain         // nil: the OS keychain
	KDF            func() vault.KDFParams // nil: calibrated
	Now            func() time.Time       // nil: time.Now
}

// Globals are flags accepted before or after any command.
type Globals struct {
	DataDir        string `name:"data-dir" help:"Profile folder (default: per-user config dir/CalmAlly; env CALMALLY_DATA_DIR)." placeholder:"DIR"`
	PassphraseFile string `name:"passphrase-file" help:"File holding the passphrase (env CALMALLY_PASSPHRASE_FILE)." placeholder:"F"`
}

// root is the command tree. Later commands add fields here.
type root struct {
	Globals
	Version      versionCmd      `cmd:"" help:"Print the version."`
	Init         initCmd         `cmd:"" help:"Create the encrypted vault of a new profile."`
	Audit        auditCmd        `cmd:"" help:"Inspect the tamper-evident audit trail."`
	Clients      clientsCmd      `cmd:"" help:"Add, list and show clients (adults only)."`
	Notes        notesCmd        `cmd:"" help:"Write, sign, correct (addenda) and show session notes."`
	Search       searchCmd       `cmd:"" help:"Search notes and client names (decrypted in memory only)."`
	Consent      consentCmd      `cmd:"" help:"Grant, withdraw and list a client's consents, per purpose; export receipts."`
	Rights       rightsCmd       `cmd:"" help:"Data-subject rights requests: add, list (overdue, due this week), verify, fulfil, refuse."`
	Erase        eraseCmd        `cmd:"" help:"Erase a client's erasable data (or purge a minor) and print the erasure certificate."`
	Availability availabilityCmd `cmd:"" help:"Set weekly availability and list bookable slots."`
	Calendar     calendarCmd     `cmd:"" help:"Export bookings and open hours as iCalendar."`
	Bookings     bookingsCmd     `cmd:"" help:"List bookings, add walk-ins, confirm, decline, cancel, complete, no-show, record, remind."`
	Backup       backupCmd       `cmd:"" help:"Write (--out FILE) or verify (verify FILE) an encrypted backup."`
	Restore      restoreCmd      `cmd:"" help:"Restore a backup into a new data folder with the recovery kit."`
	Export       exportCmd       `cmd:"" help:"Export a client's or the whole practice's record (FHIR, PDF, iCalendar, receipts), optionally age-encrypted."`
	Import       importCmd       `cmd:"" help:"Import a record bundle made by CalmAlly Practice (checked against its manifest first)."`
	Profile      profileCmd      `cmd:"" help:"Practitioner profile and practice settings: set --file, show [--json], submit."`
	Retention    retentionCmd    `cmd:"" help:"Retention: delete what is due (run), or list what would go on a date and why (run --dry-run --as-of DATE)."`
	Sync         syncCmd         `cmd:"" help:"Sync with the CalmAlly backend: enrol (--backend URL --enrolment-code CODE), one round (--once) or until Ctrl-C."`
}

// runCtx is handed to every command's Run.
type runCtx struct {
	ctx  context.Context
	env  Env
	glob *Globals
}

// exitCode carries a usage or help exit through kong's Exit hook.
type exitCode int

// Run parses args (without the program name) and runs the command, returning
// the process exit code.
func Run(ctx context.Context, args []string, env Env) (code int) {
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	if env.Stdin == nil {
		env.Stdin = os.Stdin
	}
	var r root
	parser, err := kong.New(&r,
		kong.Name("calmally"),
		kong.Description("CalmAlly Practice — private records for therapists. With no command, opens the window."),
		kong.Writers(env.Stdout, env.Stderr),
		kong.Exit(func(c int) { panic(exitCode(c)) }),
		kong.UsageOnError(),
	)
	if err != nil {
		fmt.Fprintln(env.Stderr, "calmally:", err)
		return ExitError
	}
	defer func() {
		if v := recover(); v != nil {
			c, ok := v.(exitCode)
			if !ok {
				panic(v)
			}
			if c != 0 {
				code = ExitUsage
			}
		}
	}()
	kctx, err := parser.Parse(args)
	if err != nil {
		fmt.Fprintln(env.Stderr, "calmally:", err)
		return ExitUsage
	}
	rc := &runCtx{ctx: ctx, env: env, glob: &r.Globals}
	if err := kctx.Run(rc); err != nil {
		return report(env.Stderr, err)
	}
	return ExitOK
}

// report prints err's user-facing message and maps its code to an exit code.
func report(w io.Writer, err error) int {
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintln(w, "calmally:", ue.msg)
		return ExitUsage
	}
	code := apperr.CodeOf(err)
	fmt.Fprintf(w, "calmally: %s: %s\n", code, apperr.MessageOf(err))
	switch code {
	case apperr.Locked:
		return ExitLocked
	case apperr.NotFound:
		return ExitNotFound
	case apperr.Invalid, apperr.Forbidden, apperr.ConsentRequired, apperr.Conflict:
		return ExitRefused
	}
	return ExitError
}

type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

// dataDir resolves and creates the profile folder.
func (rc *runCtx) dataDir() (string, error) {
	return datadir.Resolve(rc.glob.DataDir, rc.env.Getenv)
}

// open opens the profile without unlocking it.
func (rc *runCtx) open() (*practice.Practice, error) {
	dir, err := rc.dataDir()
	if err != nil {
		return nil, err
	}
	return practice.Open(rc.ctx, practice.Options{
		DataDir:  dir,
		Keychain: rc.env.Keychain,
		KDF:      rc.env.KDF,
		Now:      rc.env.Now,
		Actor:    "cli",
		Sync:     practice.SyncOptionsFromEnv(rc.env.Getenv),
	})
}

// unlocked opens the profile and unlocks it with the passphrase file.
func (rc *runCtx) unlocked() (*practice.Practice, error) {
	pass, err := rc.passphrase()
	if err != nil {
		return nil, err
	}
	p, err := rc.open()
	if err != nil {
		return nil, err
	}
	if err := p.Unlock(rc.ctx, pass); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

// passphrase reads the passphrase from --passphrase-file or the file named by
// CALMALLY_PASSPHRASE_FILE. Only the final line break is removed.
func (rc *runCtx) passphrase() ([]byte, error) {
	path := rc.glob.PassphraseFile
	if path == "" {
		path = rc.env.Getenv("CALMALLY_PASSPHRASE_FILE")
	}
	if path == "" {
		return nil, apperr.New(apperr.Locked, "the vault is locked: give --passphrase-file F or set CALMALLY_PASSPHRASE_FILE")
	}
	return readSecretFile(path)
}

func readSecretFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, apperr.Wrap(apperr.Invalid, "cannot read the secret file", err)
	}
	s := strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
	if s == "" {
		return nil, apperr.New(apperr.Invalid, "the secret file is empty")
	}
	return []byte(s), nil
}
