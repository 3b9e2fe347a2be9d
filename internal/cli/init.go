package cli

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/calmally/practice/internal/apperr"
)

type initCmd struct {
	RecoveryKitOut string `name:"recovery-kit-out" required:"" help:"Write the recovery kit (PDF) here; keep it offline and safe." placeholder:"FILE"`
	NoKeychain     bool   `name:"no-keychain" help:"Protect the vault with the passphrase alone (weaker: for machines without a keychain)."`
}

func (c initCmd) Run(rc *runCtx) error {
	pass, err := rc.passphrase()
	if err != nil {
		return err
	}
	if _, err := os.Stat(c.RecoveryKitOut); err == nil {
		return apperr.New(apperr.Conflict, "the recovery kit file already exists; choose a new path")
	}
	p, err := rc.open()
	if err != nil {
		return err
	}
	defer p.Close()
	res, err := p.Create(rc.ctx, pass, c.NoKeychain)
	if err != nil {
		return err
	}
	if err := writeFileAtomic(c.RecoveryKitOut, res.RecoveryKit, 0o600); err != nil {
		return err
	}
	if c.NoKeychain {
		fmt.Fprintln(rc.env.Stderr, "warning: passphrase-only vault: anyone who copies the data folder can try to guess the passphrase.")
	}
	fmt.Fprintf(rc.env.Stdout, "Vault created in %s\nRecovery code (shown once; also in %s):\n%s\n",
		p.DataDir(), filepath.Base(c.RecoveryKitOut), res.RecoveryCode)
	return nil
}

// writeFileAtomic writes data to a temporary file beside path, syncs it and
// renames it into place, so a crash leaves either nothing or the whole file.
func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".calmally-*.tmp")
	if err != nil {
		return apperr.Wrap(apperr.Invalid, "cannot write the output file", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if _, err := f.Write(data); err != nil {
		f.Close()
		return apperr.Wrap(apperr.Invalid, "cannot write the output file", err)
	}
	if err := f.Chmod(mode); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
