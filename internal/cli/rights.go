package cli

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/calmally/practice/internal/erasure"
	"github.com/calmally/practice/internal/practice"
	"github.com/calmally/practice/internal/rights"
)

type rightsCmd struct {
	Add    rightsAddCmd    `cmd:"" help:"Record a rights request received at the clinic; prints its id."`
	List   rightsListCmd   `cmd:"" help:"List rights requests, earliest due first."`
	Verify rightsVerifyCmd `cmd:"" help:"Record how the requester's identity was verified; the due date runs from now."`
	Fulfil rightsFulfilCmd `cmd:"" help:"Fulfil a verified request (erasure runs the erasure engine; withdrawal and opt-out update the consent ledger)."`
	Refuse rightsRefuseCmd `cmd:"" help:"Refuse an open request with a reason code."`
}

type rightsAddCmd struct {
	Client  string `name:"client" required:"" help:"Client id." placeholder:"ID"`
	Kind    string `name:"kind" required:"" enum:"access,correction,erasure,opt-out,withdrawal" help:"access, correction, erasure, opt-out or withdrawal."`
	Purpose string `name:"purpose" help:"For withdrawal (required) and opt-out (default reminders): the consent purpose."`
	Details string `name:"details" help:"What the client asked for, in their words; sealed."`
}

func (c rightsAddCmd) Run(rc *runCtx) error {
	p, err := rc.unlocked()
	if err != nil {
		return err
	}
	defer p.Close()
	r, err := p.Rights().Create(rc.ctx, rights.NewRequest{ClientID: c.Client, Kind: rights.Kind(c.Kind),
		Source: rights.SourceClinic, Purpose: c.Purpose, Details: c.Details})
	if err != nil {
		return err
	}
	fmt.Fprintln(rc.env.Stdout, r.ID)
	return nil
}

type rightsListCmd struct {
	Client  string `name:"client" help:"Only this client's requests." placeholder:"ID"`
	Open    bool   `name:"open" help:"Only open requests."`
	Overdue bool   `name:"overdue" help:"Only open requests past their due date."`
	Week    bool   `name:"due-this-week" help:"Only open requests due before the week ends (Monday 00:00 in India)."`
	JSON    bool   `name:"json" help:"Print JSON."`
}

// rightsJSON is the CLI's JSON form of a request.
type rightsJSON struct {
	ID                 string `json:"id"`
	ClientID           string `json:"clientId"`
	Kind               string `json:"kind"`
	Source             string `json:"source"`
	Status             string `json:"status"`
	Purpose            string `json:"purpose,omitempty"`
	ReceivedAt         string `json:"receivedAt"`
	VerificationMethod string `json:"verificationMethod,omitempty"`
	VerifiedBy         string `json:"verifiedBy,omitempty"`
	VerifiedAt         string `json:"verifiedAt,omitempty"`
	DueAt              string `json:"dueAt,omitempty"`
	Overdue            bool   `json:"overdue"`
	ClosedAt           string `json:"closedAt,omitempty"`
	RefusalReason      string `json:"refusalReason,omitempty"`
	OutcomeRef         string `json:"outcomeRef,omitempty"`
	Details            string `json:"details,omitempty"`
}

func (c rightsListCmd) Run(rc *runCtx) error {
	p, err := rc.unlocked()
	if err != nil {
		return err
	}
	defer p.Close()
	svc, now := p.Rights(), p.Now()
	var rs []rights.Request
	switch {
	case c.Overdue:
		rs, err = svc.Overdue(rc.ctx, now)
	case c.Week:
		rs, err = svc.DueThisWeek(rc.ctx, now)
	default:
		rs, err = svc.List(rc.ctx, rights.Filter{ClientID: c.Client, OpenOnly: c.Open})
	}
	if err != nil {
		return err
	}
	out := make([]rightsJSON, 0, len(rs))
	for _, r := range rs {
		if c.Client != "" && r.ClientID != c.Client {
			continue
		}
		out = append(out, rightsJSON{ID: r.ID, ClientID: r.ClientID, Kind: string(r.Kind), Source: string(r.Source),
			Status: string(r.Status), Purpose: r.Purpose, ReceivedAt: rfc3339(r.ReceivedAt), VerificationMethod: r.VerificationMethod,
			VerifiedBy: r.VerifiedBy, VerifiedAt: rfc3339(r.VerifiedAt), DueAt: rfc3339(r.DueAt), Overdue: r.Overdue(now),
			ClosedAt: rfc3339(r.ClosedAt), RefusalReason: r.RefusalReason, OutcomeRef: r.OutcomeRef, Details: r.Details})
	}
	if c.JSON {
		return printJSON(rc.env.Stdout, out)
	}
	w := tabwriter.NewWriter(rc.env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tKIND\tSTATUS\tDUE\tOUTCOME")
	for _, r := range out {
		due := dash(r.DueAt)
		if r.Overdue {
			due += " OVERDUE"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", r.ID, r.Kind, r.Status, due, dash(r.OutcomeRef))
	}
	return w.Flush()
}

type rightsVerifyCmd struct {
	ID     string `arg:"" help:"Request id."`
	Method string `name:"method" required:"" enum:"in_person_id,platform_account,video_call,phone_callback,email_link" help:"How identity was verified."`
}

func (c rightsVerifyCmd) Run(rc *runCtx) error {
	p, err := rc.unlocked()
	if err != nil {
		return err
	}
	defer p.Close()
	r, err := p.Rights().Verify(rc.ctx, c.ID, c.Method)
	if err != nil {
		return err
	}
	fmt.Fprintf(rc.env.Stdout, "verified %s; due %s\n", r.ID, rfc3339(r.DueAt))
	return nil
}

type rightsFulfilCmd struct {
	ID                    string `arg:"" help:"Request id."`
	Out                   string `name:"out" help:"Access requests: where to write the client's export bundle." placeholder:"FILE"`
	EncryptPassphraseFile string `name:"encrypt-passphrase-file" help:"Access requests: encrypt the bundle (age, scrypt) with the passphrase in this file." placeholder:"F" xor:"enc"`
	Recipient             string `name:"recipient" help:"Access requests: encrypt the bundle for this age public key (age1…)." placeholder:"AGE_RECIPIENT" xor:"enc"`
}

// input is what fulfils the request besides its id: an access request's
// handover (the others need none on the command line).
func (c rightsFulfilCmd) input() (any, error) {
	if c.Out == "" {
		return nil, nil
	}
	h := practice.AccessHandover{Path: c.Out}
	if c.EncryptPassphraseFile != "" {
		pass, err := readSecretFile(c.EncryptPassphraseFile)
		if err != nil {
			return nil, err
		}
		h.Encryption.Passphrase = pass
	}
	h.Encryption.Recipient = c.Recipient
	return h, nil
}

func (c rightsFulfilCmd) Run(rc *runCtx) error {
	p, err := rc.unlocked()
	if err != nil {
		return err
	}
	defer p.Close()
	input, err := c.input()
	if err != nil {
		return err
	}
	r, err := p.Rights().Fulfil(rc.ctx, c.ID, input)
	if err != nil {
		return err
	}
	fmt.Fprintf(rc.env.Stdout, "fulfilled %s: %s\n", r.ID, r.OutcomeRef)
	if id, ok := strings.CutPrefix(r.OutcomeRef, "certificate:"); ok {
		cert, err := p.Erasure().Certificate(rc.ctx, id)
		if err != nil {
			return err
		}
		fmt.Fprint(rc.env.Stdout, "\n"+cert.Text())
	}
	return nil
}

type rightsRefuseCmd struct {
	ID     string `arg:"" help:"Request id."`
	Reason string `name:"reason" required:"" enum:"identity_not_verified,duplicate,withdrawn_by_client,legal_obligation,not_applicable" help:"Why."`
}

func (c rightsRefuseCmd) Run(rc *runCtx) error {
	p, err := rc.unlocked()
	if err != nil {
		return err
	}
	defer p.Close()
	r, err := p.Rights().Refuse(rc.ctx, c.ID, c.Reason)
	if err != nil {
		return err
	}
	fmt.Fprintf(rc.env.Stdout, "refused %s: %s\n", r.ID, r.RefusalReason)
	return nil
}

type eraseCmd struct {
	Client string `name:"client" required:"" help:"Client id." placeholder:"ID"`
	Minor  string `name:"minor" enum:",date_of_birth_corrected,disclosed_in_session,platform_report,guardian_report" default:"" help:"Purge everything of a client discovered to be under 18, giving how it came to light."`
	JSON   bool   `name:"json" help:"Print the certificate as JSON."`
}

// Help explains what erase keeps.
func (eraseCmd) Help() string {
	return "Without --minor, erases what no law requires keeping (contact details, consent evidence, booking display names, " +
		"request details) and holds the health record for 7 years after the last interaction; prefer `rights fulfil` for a " +
		"client's request. With --minor, deletes every record of the client, notes included. Prints the certificate."
}

func (c eraseCmd) Run(rc *runCtx) error {
	p, err := rc.unlocked()
	if err != nil {
		return err
	}
	defer p.Close()
	var cert erasure.Certificate
	if c.Minor != "" {
		cert, err = p.PurgeMinor(rc.ctx, c.Client, c.Minor)
	} else {
		cert, err = p.EraseClient(rc.ctx, erasure.EraseInput{ClientID: c.Client})
	}
	if err != nil {
		return err
	}
	if c.JSON {
		fmt.Fprintln(rc.env.Stdout, string(cert.Body))
		return nil
	}
	fmt.Fprint(rc.env.Stdout, cert.Text())
	return nil
}
