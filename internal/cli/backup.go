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
	Push   backupPushCmd   `cmd:"" help:"Upload the newest local backup to the CalmAlly backend in India now (the profile must be enrolled: calmally sync)."`
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
			"sizeBytes": res.Size, "sha256": res.SHA256, "verified": res.Verified, "copyInIndia": remoteJSON(res.Remote)})
	}
	state := "verified"
	if !res.Verified {
		state = "not verified"
	}
	fmt.Fprintf(rc.env.Stdout, "backup written: %s (%d bytes, %s)\nid: %s\nsha256: %s\n", res.Path, res.Size, state, res.ID, res.SHA256)
	printRemote(rc, res.Remote)
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
// enrols a new passphrase (and keychain secret) and a new recovery code. The
// backup is a local file (--from) or the copy in India (--from-backend, with
// a new enrolment code: the old device's token went with the old machine).
type restoreCmd struct {
	From             string `name:"from" help:"The backup file (or use --from-backend)." placeholder:"FILE"`
	FromBackend      string `name:"from-backend" help:"Restore the copy kept on this CalmAlly backend (https://...) instead of a file." placeholder:"URL"`
	EnrolmentCode    string `name:"enrolment-code" help:"With --from-backend: a new one-time code from your CalmAlly account." placeholder:"CODE"`
	BackupID         string `name:"backup-id" help:"With --from-backend: the copy to restore (default: the newest)." placeholder:"ID"`
	RecoveryCodeFile string `name:"recovery-code-file" required:"" help:"File holding the recovery code of the vault the backup was made from." placeholder:"F"`
	NewPassphrase    string `name:"new-passphrase-file" required:"" help:"File holding the new passphrase." placeholder:"F"`
	NoKeychain       bool   `name:"no-keychain" help:"Protect the restored vault with the passphrase alone (weaker: for machines without a keychain)."`
	RecoveryKitOut   string `name:"recovery-kit-out" help:"Also write the new recovery kit (PDF) here." placeholder:"FILE"`
}

func (c restoreCmd) Run(rc *runCtx) error {
	switch {
	case (c.From == "") == (c.FromBackend == ""):
		return usageError{"restore: give either --from FILE or --from-backend URL"}
	case c.FromBackend != "" && c.EnrolmentCode == "":
		return usageError{"restore: --from-backend needs --enrolment-code CODE (a new one from your CalmAlly account)"}
	case c.FromBackend == "" && (c.EnrolmentCode != "" || c.BackupID != ""):
		return usageError{"restore: --enrolment-code and --backup-id go with --from-backend"}
	}
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
	opts := practice.Options{
		DataDir:  dir,
		Keychain: rc.env.Keychain,
		KDF:      rc.env.KDF,
		Now:      rc.env.Now,
		Actor:    "cli",
		Sync:     practice.SyncOptionsFromEnv(rc.env.Getenv),
	}
	var p *practice.Practice
	var res practice.CreateResult
	if c.FromBackend != "" {
		var done practice.RestoredFromBackend
		p, res, done, err = practice.RestoreFromBackend(rc.ctx, opts, practice.BackendRestore{URL: c.FromBackend,
			EnrolmentCode: c.EnrolmentCode, BackupID: c.BackupID, RecoveryCode: string(code), NewPassphrase: pass,
			PassphraseOnly: c.NoKeychain})
		if err == nil {
			fmt.Fprintf(rc.env.Stdout, "Downloaded backup %s (%d bytes, uploaded %s), SHA-256 checked\n", done.Copy.ID, done.Copy.Size,
				done.Copy.UploadedAt.UTC().Format(time.RFC3339))
			if done.Enrolled {
				fmt.Fprintf(rc.env.Stdout, "Enrolled as a new device: %s\n", done.DeviceID)
			} else {
				fmt.Fprintln(rc.env.Stderr, "warning: the device token could not be kept in the keychain; enrol again with calmally sync.")
			}
		}
	} else {
		p, res, err = practice.Restore(rc.ctx, opts, c.From, string(code), pass, c.NoKeychain)
	}
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

// backupPushCmd uploads the newest local backup to the backend now (the app
// does it after every backup; this is "Upload now").
type backupPushCmd struct {
	JSON bool `name:"json" help:"Print the result as JSON."`
}

func (c backupPushCmd) Run(rc *runCtx) error {
	p, err := rc.unlocked()
	if err != nil {
		return err
	}
	defer p.Close()
	res, err := p.PushNewestBackup(rc.ctx)
	if err != nil {
		return err
	}
	if c.JSON {
		return printJSON(rc.env.Stdout, remoteJSON(res))
	}
	printRemote(rc, res)
	return nil
}

// remoteJSON is how the copy in India went, for --json.
func remoteJSON(r practice.RemoteCopyResult) map[string]any {
	m := map[string]any{"backupId": r.BackupID, "attempts": r.Attempts}
	switch {
	case r.NotEnrolled:
		m["state"] = "not_enrolled"
	case r.Err != nil:
		m["state"], m["code"], m["message"] = "failed", apperr.CodeOf(r.Err), apperr.MessageOf(r.Err)
	default:
		m["state"], m["uploadedAt"] = "uploaded", r.UploadedAt.UTC().Format(time.RFC3339Nano)
	}
	return m
}

// printRemote says how the copy in India went. A failed upload is a
// warning: the local backup stands.
func printRemote(rc *runCtx, r practice.RemoteCopyResult) {
	switch {
	case r.NotEnrolled:
	case r.Err != nil:
		fmt.Fprintf(rc.env.Stderr, "warning: copy in India not uploaded (%s): %s\n", apperr.CodeOf(r.Err), apperr.MessageOf(r.Err))
	default:
		fmt.Fprintf(rc.env.Stdout, "copy in India: uploaded %s (backup %s)\n", r.UploadedAt.UTC().Format(time.RFC3339), r.BackupID)
	}
}
