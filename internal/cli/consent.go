package cli

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/calmally/practice/internal/apperr"

	"github.com/calmally/practice/internal/consent"
)

type consentCmd struct {
	Grant    consentGrantCmd    `cmd:"" help:"Record a client's consent to one purpose (a clear affirmative action); prints the event id."`
	Withdraw consentWithdrawCmd `cmd:"" help:"Record a withdrawal; it takes effect at once."`
	List     consentListCmd     `cmd:"" help:"Show a client's consent per purpose and the ledger's history."`
	Receipt  consentReceiptCmd  `cmd:"" help:"Print a consent event as a FHIR R4 Consent or a Kantara Consent Receipt v1.1."`
	Verify   consentVerifyCmd   `cmd:"" help:"Check the consent ledger's MAC chain (edits, deletions, reordering, truncation)."`
}

type consentGrantCmd struct {
	Client   string `name:"client" required:"" help:"Client id." placeholder:"ID"`
	Purpose  string `name:"purpose" required:"" help:"health-data, teleconsultation, recording, summary-sharing, reminders, cross-border or representative-disclosure." placeholder:"P"`
	Method   string `name:"method" enum:"checkbox,signature,platform" default:"checkbox" help:"How the client gave it: checkbox, signature or platform."`
	Language string `name:"language" enum:"en,hi" default:"en" help:"Language of the notice shown: en or hi."`
	SignedBy string `name:"signed-by" help:"Who signed (with --method signature); sealed." placeholder:"NAME"`
	Note     string `name:"note" help:"A note about how consent was captured; sealed."`
	Expires  string `name:"expires" help:"Expiry date, YYYY-MM-DD (end of that day in India); default: until withdrawn." placeholder:"YYYY-MM-DD"`
}

func (c consentGrantCmd) Run(rc *runCtx) error {
	exp, err := parseExpiry(c.Expires)
	if err != nil {
		return err
	}
	p, err := rc.unlocked()
	if err != nil {
		return err
	}
	defer p.Close()
	ev, err := p.Consent().Grant(rc.ctx, consent.GrantInput{ClientID: c.Client, Purpose: consent.Purpose(c.Purpose),
		Method: consent.Method(c.Method), Language: c.Language, ExpiresAt: exp,
		Evidence: consent.Evidence{SignedBy: c.SignedBy, Note: c.Note}})
	if err != nil {
		return err
	}
	fmt.Fprintln(rc.env.Stdout, ev.ID)
	return nil
}

type consentWithdrawCmd struct {
	Client  string `name:"client" required:"" help:"Client id." placeholder:"ID"`
	Purpose string `name:"purpose" required:"" help:"health-data, teleconsultation, recording, summary-sharing, reminders, cross-border or representative-disclosure." placeholder:"P"`
	Channel string `name:"channel" enum:"clinic,platform,phone,email,written" default:"clinic" help:"How the withdrawal reached you."`
	Note    string `name:"note" help:"A note about the withdrawal; sealed."`
}

func (c consentWithdrawCmd) Run(rc *runCtx) error {
	p, err := rc.unlocked()
	if err != nil {
		return err
	}
	defer p.Close()
	ev, err := p.Consent().Withdraw(rc.ctx, consent.WithdrawInput{ClientID: c.Client, Purpose: consent.Purpose(c.Purpose),
		Channel: consent.Channel(c.Channel), Evidence: consent.Evidence{Note: c.Note}})
	if err != nil {
		return err
	}
	fmt.Fprintln(rc.env.Stdout, ev.ID)
	return nil
}

type consentListCmd struct {
	Client string `name:"client" required:"" help:"Client id." placeholder:"ID"`
	JSON   bool   `name:"json" help:"Print JSON."`
}

// consentStateJSON is the CLI's JSON form of one purpose's state.
type consentStateJSON struct {
	Purpose   string `json:"purpose"`
	Status    string `json:"status"` // granted | withdrawn | expired | never
	EventID   string `json:"eventId,omitempty"`
	Since     string `json:"since,omitempty"`
	ExpiresAt string `json:"expiresAt,omitempty"`
	Method    string `json:"method,omitempty"`
	Notice    string `json:"notice,omitempty"`
}

// consentEventJSON is one ledger event.
type consentEventJSON struct {
	Seq        int64    `json:"seq"`
	ID         string   `json:"id"`
	Purpose    string   `json:"purpose"`
	Kind       string   `json:"kind"`
	Method     string   `json:"method,omitempty"`
	Channel    string   `json:"channel"`
	Source     string   `json:"source"`
	At         string   `json:"at"`
	ExpiresAt  string   `json:"expiresAt,omitempty"`
	RecordedAt string   `json:"recordedAt"`
	CapturedBy string   `json:"capturedBy"`
	Notice     string   `json:"notice"`
	NoticeHash string   `json:"noticeSha256"`
	Categories []string `json:"categories"`
	SignedBy   string   `json:"signedBy,omitempty"`
	Note       string   `json:"note,omitempty"`
}

func (c consentListCmd) Run(rc *runCtx) error {
	p, err := rc.unlocked()
	if err != nil {
		return err
	}
	defer p.Close()
	svc := p.Consent()
	states, err := svc.State(rc.ctx, c.Client)
	if err != nil {
		return err
	}
	hist, err := svc.History(rc.ctx, c.Client)
	if err != nil {
		return err
	}
	out := struct {
		State   []consentStateJSON `json:"state"`
		History []consentEventJSON `json:"history"`
	}{State: []consentStateJSON{}, History: []consentEventJSON{}}
	for _, s := range states {
		j := consentStateJSON{Purpose: string(s.Purpose), Status: string(s.Status)}
		if s.Event != nil {
			j.EventID, j.Since, j.ExpiresAt = s.Event.ID, rfc3339(s.Event.At), rfc3339(s.Event.ExpiresAt)
			j.Method, j.Notice = string(s.Event.Method), consent.NoticeURI(*s.Event)
		}
		out.State = append(out.State, j)
	}
	for _, e := range hist {
		out.History = append(out.History, consentEventJSON{Seq: e.Seq, ID: e.ID, Purpose: string(e.Purpose),
			Kind: string(e.Kind), Method: string(e.Method), Channel: string(e.Channel), Source: string(e.Source),
			At: rfc3339(e.At), ExpiresAt: rfc3339(e.ExpiresAt), RecordedAt: rfc3339(e.RecordedAt),
			CapturedBy: e.CapturedBy, Notice: consent.NoticeURI(e.Row), NoticeHash: e.NoticeSHA256,
			Categories: e.Categories, SignedBy: e.Evidence.SignedBy, Note: e.Evidence.Note})
	}
	if c.JSON {
		return printJSON(rc.env.Stdout, out)
	}
	w := tabwriter.NewWriter(rc.env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "PURPOSE\tSTATUS\tSINCE\tEXPIRES\tMETHOD")
	for _, s := range out.State {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", s.Purpose, s.Status, dash(s.Since), dash(s.ExpiresAt), dash(s.Method))
	}
	w.Flush()
	fmt.Fprintf(rc.env.Stdout, "\n%d events in the ledger for this client\n", len(out.History))
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

type consentReceiptCmd struct {
	ID     string `arg:"" help:"Consent event id."`
	Format string `name:"format" enum:"fhir,kantara" default:"fhir" help:"fhir (R4 Consent) or kantara (Consent Receipt v1.1)."`
}

func (c consentReceiptCmd) Run(rc *runCtx) error {
	p, err := rc.unlocked()
	if err != nil {
		return err
	}
	defer p.Close()
	b, err := p.Consent().Receipt(rc.ctx, c.ID, c.Format)
	if err != nil {
		return err
	}
	fmt.Fprintln(rc.env.Stdout, string(b))
	return nil
}

type consentVerifyCmd struct{}

func (consentVerifyCmd) Run(rc *runCtx) error {
	p, err := rc.unlocked()
	if err != nil {
		return err
	}
	defer p.Close()
	n, err := p.Consent().Verify(rc.ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(rc.env.Stdout, "consent ledger ok: %d events\n", n)
	return nil
}

// india is UTC+05:30 (no daylight saving), where an expiry date ends.
var india = time.FixedZone("IST", 5*60*60+30*60)

// parseExpiry reads YYYY-MM-DD as the end of that day in India ("" : none).
func parseExpiry(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	d, err := time.ParseInLocation("2006-01-02", s, india)
	if err != nil {
		return time.Time{}, apperr.New(apperr.Invalid, "expires: want YYYY-MM-DD")
	}
	return d.AddDate(0, 0, 1).UTC(), nil
}
