package cli

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/notes"
)

type notesCmd struct {
	Add      notesAddCmd      `cmd:"" help:"Write a draft note for a client; prints the new note's id."`
	Edit     notesEditCmd     `cmd:"" help:"Replace a draft note's text. A signed note refuses (exit 5): add an addendum instead."`
	Sign     notesSignCmd     `cmd:"" help:"Sign a note: it never changes again; corrections are addenda."`
	Addendum notesAddendumCmd `cmd:"" help:"Add a signed addendum to a signed note; prints the addendum's id."`
	Show     notesShowCmd     `cmd:"" help:"Show a note, its addenda and whether its signature verifies."`
	List     notesListCmd     `cmd:"" help:"List a client's notes (titles only), newest session first."`
	Summary  notesSummaryCmd  `cmd:"" help:"Show, derive (--derive), mark ready (--ready) or share (--share, needs summary-sharing consent) a note's client summary."`
}

// bodyFileHelp documents --body-file for every command that reads it.
const bodyFileHelp = "File with the note text: a JSON object keyed by the template's section keys " +
	`(soap: subjective, objective, assessment, plan; dap: data, assessment, plan; birp: behavior, intervention, response, plan; free: body), ` +
	`e.g. {"subjective": "...", "plan": "..."}; or plain text, which goes into the template's first section.`

// Help is kong's detailed help for the commands that read --body-file.
func (notesAddCmd) Help() string  { return bodyFileHelp }
func (notesEditCmd) Help() string { return bodyFileHelp }

type notesAddCmd struct {
	Client   string `name:"client" required:"" help:"Client id." placeholder:"ID"`
	Template string `name:"template" default:"soap" help:"soap, dap, birp, free, or the id of one of your templates." placeholder:"T"`
	BodyFile string `name:"body-file" required:"" help:"Note text: a JSON object of section key to text, or plain text for the first section (details below)." placeholder:"F"`
	Kind     string `name:"kind" enum:"progress,psychotherapy" default:"progress" help:"progress, or psychotherapy for a private process note (kept out of sync and exports)."`
	Title    string `name:"title" help:"Title shown in the client's notes list."`
	Date     string `name:"date" help:"Session date, YYYY-MM-DD (default: today)." placeholder:"YYYY-MM-DD"`
	Booking  string `name:"booking" help:"Id of the booking this note belongs to." placeholder:"ID"`
}

func readBodyFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, apperr.Wrap(apperr.Invalid, "cannot read the body file", err)
	}
	return b, nil
}

func (c notesAddCmd) Run(rc *runCtx) error {
	body, err := readBodyFile(c.BodyFile)
	if err != nil {
		return err
	}
	var date notes.Date
	if c.Date != "" {
		if date, err = notes.ParseDate(c.Date); err != nil {
			return err
		}
	}
	p, err := rc.unlocked()
	if err != nil {
		return err
	}
	defer p.Close()
	svc := p.Notes()
	t, err := svc.Template(rc.ctx, c.Template, 0)
	if err != nil {
		return err
	}
	sections, err := notes.ParseBody(t, body)
	if err != nil {
		return err
	}
	n, err := svc.Create(rc.ctx, notes.NewNote{ClientID: c.Client, Kind: notes.Kind(c.Kind), TemplateID: t.ID,
		TemplateVer: t.Version, Title: c.Title, Sections: sections, SessionDate: date, BookingID: c.Booking})
	if err != nil {
		return err
	}
	fmt.Fprintln(rc.env.Stdout, n.ID)
	return nil
}

type notesEditCmd struct {
	ID       string  `arg:"" help:"Note id."`
	BodyFile string  `name:"body-file" required:"" help:"Note text: a JSON object of section key to text, or plain text for the first section (details below)." placeholder:"F"`
	Title    *string `name:"title" help:"New title (default: keep the current one)."`
}

func (c notesEditCmd) Run(rc *runCtx) error {
	body, err := readBodyFile(c.BodyFile)
	if err != nil {
		return err
	}
	p, err := rc.unlocked()
	if err != nil {
		return err
	}
	defer p.Close()
	svc := p.Notes()
	n, err := svc.Get(rc.ctx, c.ID)
	if err != nil {
		return err
	}
	title := n.Title
	if c.Title != nil {
		title = *c.Title
	}
	sections := n.Sections
	if !n.Signed() { // a signed note is refused (and audited) by SaveDraft itself
		t, err := svc.Template(rc.ctx, n.TemplateID, n.TemplateVersion)
		if err != nil {
			return err
		}
		if sections, err = notes.ParseBody(t, body); err != nil {
			return err
		}
	}
	s, err := svc.SaveDraft(rc.ctx, n.ID, n.Rev, title, sections)
	if err != nil {
		return err
	}
	fmt.Fprintf(rc.env.Stdout, "saved %s rev %d\n", n.ID, s.Rev)
	return nil
}

type notesSignCmd struct {
	ID string `arg:"" help:"Note id."`
}

func (c notesSignCmd) Run(rc *runCtx) error {
	p, err := rc.unlocked()
	if err != nil {
		return err
	}
	defer p.Close()
	n, err := p.Notes().Sign(rc.ctx, c.ID, 0)
	if err != nil {
		return err
	}
	fmt.Fprintf(rc.env.Stdout, "signed %s by %s at %s sha256:%s\n", n.ID, n.SignedBy,
		n.SignedAt.UTC().Format(time.RFC3339), hex.EncodeToString(n.SignedHash))
	return nil
}

type notesAddendumCmd struct {
	ID       string `arg:"" help:"Id of the signed note."`
	BodyFile string `name:"body-file" required:"" help:"File with the addendum's text (plain text)." placeholder:"F"`
}

func (c notesAddendumCmd) Run(rc *runCtx) error {
	body, err := readBodyFile(c.BodyFile)
	if err != nil {
		return err
	}
	p, err := rc.unlocked()
	if err != nil {
		return err
	}
	defer p.Close()
	a, err := p.Notes().AddAddendum(rc.ctx, c.ID, string(body))
	if err != nil {
		return err
	}
	fmt.Fprintln(rc.env.Stdout, a.ID)
	return nil
}

type notesShowCmd struct {
	ID   string `arg:"" help:"Note id."`
	JSON bool   `name:"json" help:"Print JSON."`
}

// noteJSON is the CLI's JSON form of a note. Sections are listed in template
// order with their labels; signatureValid is present for signed notes.
type noteJSON struct {
	ID              string            `json:"id"`
	Rev             int64             `json:"rev"`
	ClientID        string            `json:"clientId"`
	Kind            string            `json:"kind"`
	TemplateID      string            `json:"templateId"`
	TemplateVersion int               `json:"templateVersion"`
	Title           string            `json:"title"`
	Sections        []noteSectionJSON `json:"sections"`
	SessionDate     string            `json:"sessionDate"`
	BookingID       string            `json:"bookingId,omitempty"`
	Status          string            `json:"status"`
	CreatedAt       string            `json:"createdAt"`
	UpdatedAt       string            `json:"updatedAt"`
	SignedAt        string            `json:"signedAt,omitempty"`
	SignedBy        string            `json:"signedBy,omitempty"`
	SignedHash      string            `json:"signedHash,omitempty"`
	SignatureValid  *bool             `json:"signatureValid,omitempty"`
	Addenda         []addendumJSON    `json:"addenda"`
}

type noteSectionJSON struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	Text  string `json:"text"`
}

type addendumJSON struct {
	ID         string `json:"id"`
	Body       string `json:"body"`
	SignedAt   string `json:"signedAt"`
	SignedBy   string `json:"signedBy"`
	SignedHash string `json:"signedHash"`
}

func noteTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func (c notesShowCmd) Run(rc *runCtx) error {
	p, err := rc.unlocked()
	if err != nil {
		return err
	}
	defer p.Close()
	svc := p.Notes()
	n, err := svc.Get(rc.ctx, c.ID)
	if err != nil {
		return err
	}
	t, err := svc.Template(rc.ctx, n.TemplateID, n.TemplateVersion)
	if err != nil {
		return err
	}
	j := noteJSON{ID: n.ID, Rev: n.Rev, ClientID: n.ClientID, Kind: string(n.Kind), TemplateID: n.TemplateID,
		TemplateVersion: n.TemplateVersion, Title: n.Title, SessionDate: n.SessionDate.String(), BookingID: n.BookingID,
		Status: string(n.Status), CreatedAt: noteTime(n.CreatedAt), UpdatedAt: noteTime(n.UpdatedAt),
		SignedAt: noteTime(n.SignedAt), SignedBy: n.SignedBy, Addenda: []addendumJSON{}}
	for _, s := range t.Sections {
		j.Sections = append(j.Sections, noteSectionJSON{Key: s.Key, Label: s.Label, Text: n.Sections[s.Key]})
	}
	if n.Signed() {
		j.SignedHash = hex.EncodeToString(n.SignedHash)
		ok := svc.VerifySignature(rc.ctx, n) == nil
		j.SignatureValid = &ok
	}
	for _, a := range n.Addenda {
		j.Addenda = append(j.Addenda, addendumJSON{ID: a.ID, Body: a.Body, SignedAt: noteTime(a.SignedAt),
			SignedBy: a.SignedBy, SignedHash: hex.EncodeToString(a.SignedHash)})
	}
	if c.JSON {
		enc := json.NewEncoder(rc.env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(j)
	}
	printNote(rc.env.Stdout, j)
	return nil
}

func printNote(w io.Writer, j noteJSON) {
	if j.Kind == string(notes.KindPsychotherapy) {
		fmt.Fprintln(w, "*** PSYCHOTHERAPY NOTE — private process note, kept out of sync and exports ***")
	}
	title := j.Title
	if title == "" {
		title = "(untitled)"
	}
	fmt.Fprintf(w, "%s\n", title)
	fmt.Fprintf(w, "id %s · client %s · session %s · %s v%d · %s\n", j.ID, j.ClientID, j.SessionDate,
		j.TemplateID, j.TemplateVersion, j.Status)
	if j.SignatureValid != nil {
		state := "signature verified"
		if !*j.SignatureValid {
			state = "SIGNATURE DOES NOT VERIFY"
		}
		fmt.Fprintf(w, "signed by %s at %s · sha256:%s · %s\n", j.SignedBy, j.SignedAt, j.SignedHash, state)
	}
	for _, s := range j.Sections {
		fmt.Fprintf(w, "\n## %s\n%s\n", s.Label, strings.TrimRight(s.Text, "\n"))
	}
	for i, a := range j.Addenda {
		fmt.Fprintf(w, "\n## Addendum %d — signed by %s at %s\n%s\n", i+1, a.SignedBy, a.SignedAt, strings.TrimRight(a.Body, "\n"))
	}
}

type notesListCmd struct {
	Client string `name:"client" required:"" help:"Client id." placeholder:"ID"`
	JSON   bool   `name:"json" help:"Print JSON."`
}

type noteListJSON struct {
	ID          string `json:"id"`
	Kind        string `json:"kind"`
	Title       string `json:"title"`
	SessionDate string `json:"sessionDate"`
	Status      string `json:"status"`
	UpdatedAt   string `json:"updatedAt"`
	Damaged     bool   `json:"damaged,omitempty"`
}

func (c notesListCmd) Run(rc *runCtx) error {
	p, err := rc.unlocked()
	if err != nil {
		return err
	}
	defer p.Close()
	items, err := p.Notes().ListForClient(rc.ctx, c.Client)
	if err != nil {
		return err
	}
	out := make([]noteListJSON, len(items))
	for i, it := range items {
		out[i] = noteListJSON{ID: it.ID, Kind: string(it.Kind), Title: it.Title, SessionDate: it.SessionDate.String(),
			Status: string(it.Status), UpdatedAt: noteTime(it.UpdatedAt), Damaged: it.Damaged}
	}
	if c.JSON {
		enc := json.NewEncoder(rc.env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	tw := tabwriter.NewWriter(rc.env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSESSION\tKIND\tSTATUS\tTITLE")
	for _, it := range out {
		title := it.Title
		if it.Damaged {
			title = "(failed its integrity check)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", it.ID, it.SessionDate, it.Kind, it.Status, title)
	}
	return tw.Flush()
}
