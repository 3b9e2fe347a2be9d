package cli

import (
	"fmt"
	"os"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/practice"
)

// backupCmd: `backup --out FILE` writes a backup (the default subcommand),
// `backup verify FILE` checks one. Scheduled backups and rotation are the
// app's; the CLI writes exactly the file it is told to.
type backupCmd struct {
	Create backupCreateCmd `cmd:"" default:"withargs" help:"Write an encrypted backup of the profile to --out FILE (the default)."`
	Verify backupVerifyCmd `cmd:"" help:"Read a backup back with this vault's key and check it (exit 1 on an integrity failure)."`
}

type backupCreateCmd struct {
	Out      string `name:"out" required:"" help:"Where to write the backup; the file must not exist. Keep it on another disk." placeholder:"FILE"`
	NoVerify bool   `name:"no-verify" help:"Skip reading the backup back after writing it."`
	JSON     bool   `name:"json" help:"Print the result as JSON."`
}

func (c backupCreateCmd) Run(rc *runCtx) error {
	p, err := rc.unlocked()
	if err != nil {
		return err
	}
	defer p.Close()
	res, err := p.BackupTo(rc.ctx, c.Out, !c.NoVerify)
	if err != nil {
		return err
	}
	if c.JSON {
		return printJSON(rc.env.Stdout, map[string]any{"id": res.ID, "path": res.Path, "createdAt": res.At.Format(time.RFC3339Nano),
			"sizeBytes": res.Size, "sha256": res.SHA256, "verified": res.Verified})
	}
	state := "verified"
	if !res.Verified {
		state = "not verified"
	}
	fmt.Fprintf(rc.env.Stdout, "backup written: %s (%d bytes, %s)\nid: %s\nsha256: %s\n", res.Path, res.Size, state, res.ID, res.SHA256)
	return nil
}

type backupVerifyCmd struct {
	File string `arg:"" help:"The backup file." placeholder:"FILE"`
	JSON bool   `name:"json" help:"Print the result as JSON."`
}

func (c backupVerifyCmd) Run(rc *runCtx) error {
	p, err := rc.unlocked()
	if err != nil {
		return err
	}
	defer p.Close()
	res, err := p.VerifyBackup(rc.ctx, c.File)
	if err != nil {
		return err
	}
	if c.JSON {
		return printJSON(rc.env.Stdout, map[string]any{"id": res.BackupID, "createdAt": res.CreatedAt.Format(time.RFC3339Nano),
			"schemaVersion": res.SchemaVersion, "sizeBytes": res.Size, "sealedFieldsOpened": res.EnvelopesOpened, "ok": true})
	}
	fmt.Fprintf(rc.env.Stdout, "backup ok: id %s, made %s, schema %d, %d bytes, %d sealed fields opened\n",
		res.BackupID, res.CreatedAt.Format(time.RFC3339), res.SchemaVersion, res.Size, res.EnvelopesOpened)
	return nil
}

// restoreCmd restores a backup into a data folder that holds no profile yet
// (a new computer), with the recovery code of the vault it came from, and
// enrols a new passphrase (and keychain secret) and a new recovery code.
type restoreCmd struct {
	From             string `name:"from" required:"" help:"The backup file." placeholder:"FILE"`
	RecoveryCodeFile string `name:"recovery-code-file" required:"" help:"File holding the recovery code of the vault the backup was made from." placeholder:"F"`
	NewPassphrase    string `name:"new-passphrase-file" required:"" help:"File holding the new passphrase." placeholder:"F"`
	NoKeychain       bool   `name:"no-keychain" help:"Protect the restored vault with the passphrase alone (weaker: for machines without a keychain)."`
	RecoveryKitOut   string `name:"recovery-kit-out" help:"Also write the new recovery kit (PDF) here." placeholder:"FILE"`
}

func (c restoreCmd) Run(rc *runCtx) error {
	code, err := readSecretFile(c.RecoveryCodeFile)
	if err != nil {
		return err
	}
	pass, err := readSecretFile(c.NewPassphrase)
	if err != nil {
		return err
	}
	if c.RecoveryKitOut != "" {
		if _, err := os.Stat(c.RecoveryKitOut); err == nil {
			return apperr.New(apperr.Conflict, "the recovery kit file already exists; choose a new path")
		}
	}
	dir, err := rc.dataDir()
	if err != nil {
		return err
	}
	p, res, err := practice.Restore(rc.ctx, practice.Options{
		DataDir:  dir,
		Keychain: rc.env.Keychain,
		KDF:      rc.env.KDF,
		Now:      rc.env.Now,
		Actor:    "cli",
	}, c.From, string(code), pass, c.NoKeychain)
	if err != nil {
		return err
	}
	defer p.Close()
	if c.RecoveryKitOut != "" {
		if err := writeFileAtomic(c.RecoveryKitOut, res.RecoveryKit, 0o600); err != nil {
			return err
		}
	}
	if c.NoKeychain {
		fmt.Fprintln(rc.env.Stderr, "warning: passphrase-only vault: anyone who copies the data folder can try to guess the passphrase.")
	}
	fmt.Fprintf(rc.env.Stdout, "Restored into %s\nNew recovery code (shown once; the old one no longer opens this profile):\n%s\n",
		p.DataDir(), res.RecoveryCode)
	return nil
}
