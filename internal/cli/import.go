package cli

import (
	"fmt"
	"os"

	"filippo.io/age"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/export"
)

type importCmd struct {
	File                     string `arg:"" help:"Bundle to import (.zip or .zip.age)." placeholder:"FILE"`
	PassphraseFileForArchive string `name:"passphrase-file-for-archive" help:"Passphrase of an encrypted bundle (age, scrypt)." placeholder:"F" xor:"dec"`
	Identity                 string `name:"identity" help:"age identity file (AGE-SECRET-KEY-1…) for a bundle encrypted to a recipient." placeholder:"F" xor:"dec"`
	DryRun                   bool   `name:"dry-run" help:"Check the bundle and report what would be added, changing nothing."`
}

func (c importCmd) Run(rc *runCtx) error {
	var d export.Decryption
	if c.PassphraseFileForArchive != "" {
		pass, err := readSecretFile(c.PassphraseFileForArchive)
		if err != nil {
			return err
		}
		d.Passphrase = pass
	}
	if c.Identity != "" {
		ids, err := readIdentities(c.Identity)
		if err != nil {
			return err
		}
		d.Identities = ids
	}
	p, err := rc.unlocked()
	if err != nil {
		return err
	}
	defer p.Close()
	run := p.Import
	if c.DryRun {
		run = p.ImportPreview
	}
	rep, err := run(rc.ctx, c.File, d)
	for _, cl := range rep.Clients {
		line := fmt.Sprintf("client %s: %s (%d notes, %d addenda)", cl.ID, cl.Status, cl.Notes, cl.Addenda)
		if cl.Reason != "" {
			line += ": " + cl.Reason
		}
		fmt.Fprintln(rc.env.Stdout, line)
	}
	if err != nil {
		return err
	}
	verb := "imported"
	if !rep.Imported {
		verb = "would import"
	}
	fmt.Fprintf(rc.env.Stdout, "%s %d notes (%d signed, signatures verified) and %d addenda from bundle %s\n",
		verb, rep.Notes, rep.Signed, rep.Addenda, rep.BundleID)
	fmt.Fprintln(rc.env.Stdout, rep.Notice)
	return nil
}

func readIdentities(path string) ([]age.Identity, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, apperr.Wrap(apperr.Invalid, "cannot read the identity file", err)
	}
	defer f.Close()
	ids, err := age.ParseIdentities(f)
	if err != nil {
		return nil, apperr.Wrap(apperr.Invalid, "the identity file holds no age identity", err)
	}
	return ids, nil
}
