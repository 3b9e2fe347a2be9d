package cli

import (
	"bytes"
	"fmt"

	"github.com/calmally/practice/internal/export"
	"github.com/calmally/practice/internal/practice"
)

type exportCmd struct {
	Client                string `name:"client" help:"Export this client's record." xor:"scope" required:""`
	All                   bool   `name:"all" help:"Export every client record of the practice." xor:"scope" required:""`
	Out                   string `name:"out" required:"" help:"Archive to write (.zip, or .zip.age when encrypted)." placeholder:"FILE"`
	EncryptPassphraseFile string `name:"encrypt-passphrase-file" help:"Encrypt the whole archive (age, scrypt) with the passphrase in this file." placeholder:"F" xor:"enc"`
	Recipient             string `name:"recipient" help:"Encrypt the whole archive for this age public key (age1…)." placeholder:"AGE_RECIPIENT" xor:"enc"`
	IncludePsychotherapy  bool   `name:"include-psychotherapy" help:"Include psychotherapy (process) notes; left out otherwise."`
	For                   string `name:"for" enum:"client,representative" default:"client" help:"Who receives it: the client, or a representative (a third party: needs representative-disclosure consent or --legal-basis)."`
	LegalBasis            string `name:"legal-basis" help:"For a third party without consent: the Mental Healthcare Act s.23(1) ground (mha_s23_1a … mha_s23_1f)." placeholder:"CODE"`
}

func (c exportCmd) Run(rc *runCtx) error {
	var enc export.Encryption
	if c.EncryptPassphraseFile != "" {
		pass, err := readSecretFile(c.EncryptPassphraseFile)
		if err != nil {
			return err
		}
		enc.Passphrase = pass
	}
	enc.Recipient = c.Recipient
	p, err := rc.unlocked()
	if err != nil {
		return err
	}
	defer p.Close()
	res, err := p.Export(rc.ctx, practiceExportOptions(c, enc))
	if err != nil {
		return err
	}
	fmt.Fprintf(rc.env.Stdout, "exported %d clients, %d notes, %d addenda, %d consents, %d sessions to %s\n",
		res.Counts.Clients, res.Counts.Notes, res.Counts.Addenda, res.Counts.Consents, res.Counts.Sessions, res.Path)
	fmt.Fprintf(rc.env.Stdout, "sha256 %s (%d bytes)%s\n", res.SHA256, res.Size, map[bool]string{true: ", age-encrypted", false: ""}[enc.Kind() != "none"])
	for _, w := range res.Withheld {
		if w.Count > 0 {
			fmt.Fprintf(rc.env.Stdout, "withheld: %s (%d): %s\n", w.What, w.Count, w.Reason)
		} else {
			fmt.Fprintf(rc.env.Stdout, "withheld: %s: %s\n", w.What, w.Reason)
		}
	}
	return nil
}

func practiceExportOptions(c exportCmd, enc export.Encryption) practice.ExportOptions {
	recipient := practice.RecipientClient
	if c.For == "representative" {
		recipient = practice.RecipientRepresentative
	}
	return practice.ExportOptions{ClientID: c.Client, All: c.All, Path: c.Out, IncludePsychotherapy: c.IncludePsychotherapy,
		Encryption: enc, Recipient: recipient, LegalBasis: c.LegalBasis}
}

type auditExportCmd struct {
	Format string `name:"format" enum:"csv,fhir" default:"csv" help:"csv, or fhir (a FHIR R4 Bundle of AuditEvent resources)."`
	Out    string `name:"out" required:"" help:"File to write." placeholder:"F"`
}

func (c auditExportCmd) Run(rc *runCtx) error {
	p, err := rc.unlocked()
	if err != nil {
		return err
	}
	defer p.Close()
	var buf bytes.Buffer
	n, err := p.AuditExport(rc.ctx, c.Format, &buf)
	if err != nil {
		return err
	}
	if err := writeFileAtomic(c.Out, buf.Bytes(), 0o600); err != nil {
		return err
	}
	fmt.Fprintf(rc.env.Stdout, "exported %d audit entries to %s\n", n, c.Out)
	return nil
}
