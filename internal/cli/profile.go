package cli

import (
	"fmt"
	"os"
	"strings"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/profile"
)

type profileCmd struct {
	Set    profileSetCmd    `cmd:"" help:"Save the practitioner profile and/or practice settings from a JSON file (docs/profile-format.md)."`
	Show   profileShowCmd   `cmd:"" help:"Print the practitioner profile, practice settings and registration warnings."`
	Submit profileSubmitCmd `cmd:"" help:"Send the profile to the platform for review (sync carries it)."`
}

type profileSetCmd struct {
	File string `name:"file" required:"" type:"existingfile" placeholder:"PROFILE.json" help:"The profile (format: docs/profile-format.md)."`
}

func (c profileSetCmd) Run(rc *runCtx) error {
	f, err := os.Open(c.File)
	if err != nil {
		return apperr.Wrap(apperr.Invalid, "cannot read the profile file", err)
	}
	defer f.Close()
	doc, err := profile.Decode(f)
	if err != nil {
		return err
	}
	p, err := rc.unlocked()
	if err != nil {
		return err
	}
	defer p.Close()
	svc := p.Profile()
	// The practice first: its zone decides "today" for the expiry warnings.
	if doc.Practice != nil {
		if _, err := svc.SavePractice(rc.ctx, *doc.Practice); err != nil {
			return err
		}
		fmt.Fprintln(rc.env.Stdout, "practice settings saved")
	}
	if doc.Practitioner != nil {
		saved, warns, err := svc.SaveProfile(rc.ctx, *doc.Practitioner)
		if err != nil {
			return err
		}
		fmt.Fprintf(rc.env.Stdout, "profile saved (revision %d, review %s)\n", saved.Rev, saved.ReviewState)
		printWarnings(rc, warns)
	}
	return nil
}

func printWarnings(rc *runCtx, warns []profile.Warning) {
	for _, w := range warns {
		fmt.Fprintf(rc.env.Stderr, "warning: %s: %s\n", w.Code, w.Message)
	}
}

type profileShowCmd struct {
	JSON bool `name:"json" help:"Print JSON (the profile file format, with warnings)."`
}

func (c profileShowCmd) Run(rc *runCtx) error {
	p, err := rc.unlocked()
	if err != nil {
		return err
	}
	defer p.Close()
	svc := p.Profile()
	pf, warns, err := svc.Profile(rc.ctx)
	if err != nil {
		return err
	}
	pr, err := svc.Practice(rc.ctx)
	if err != nil {
		return err
	}
	if c.JSON {
		return printJSON(rc.env.Stdout, profile.Document{Version: profile.FormatVersion, Practitioner: &pf, Practice: &pr, Warnings: warns})
	}
	w := rc.env.Stdout
	name := pf.Name
	if name == "" {
		name = "(not set)"
	}
	fmt.Fprintf(w, "Practitioner: %s\nReview: %s\n", name, pf.ReviewState)
	for i, cr := range pf.Credentials {
		line := fmt.Sprintf("Credential %d: %s", i+1, cr.Qualification)
		if cr.Council != profile.CouncilNone {
			line += fmt.Sprintf(" — %s %s", cr.DisplayCouncil(), cr.RegistrationNumber)
			if cr.ValidUntil != "" {
				line += " (valid until " + cr.ValidUntil + ")"
			}
		}
		fmt.Fprintln(w, line)
	}
	if len(pf.Languages) > 0 {
		fmt.Fprintf(w, "Languages: %s\n", strings.Join(pf.Languages, ", "))
	}
	for _, st := range pf.SessionTypes {
		fmt.Fprintf(w, "Session: %s, %d min, %s (%s)\n", st.Name, st.Minutes, rupees(st.FeePaise), st.Modality)
	}
	pname := pr.Name
	if pname == "" {
		pname = "(not set)"
	}
	fmt.Fprintf(w, "Practice: %s\nTime zone: %s\nFormats: %s, %s, %s\n", pname, pr.TimeZone, pr.DateFormat, pr.NumberFormat, pr.Currency)
	printWarnings(rc, warns)
	return nil
}

type profileSubmitCmd struct{}

func (profileSubmitCmd) Run(rc *runCtx) error {
	p, err := rc.unlocked()
	if err != nil {
		return err
	}
	defer p.Close()
	pf, err := p.Profile().Submit(rc.ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(rc.env.Stdout, "profile review: %s\n", pf.ReviewState)
	return nil
}

// rupees formats paise as "₹1,50,000.00"-style Indian grouping, whole rupees
// without decimals.
func rupees(paise int64) string {
	r, p := paise/100, paise%100
	s := fmt.Sprint(r)
	if len(s) > 3 {
		head, tail := s[:len(s)-3], s[len(s)-3:]
		var parts []string
		for len(head) > 2 {
			parts = append([]string{head[len(head)-2:]}, parts...)
			head = head[:len(head)-2]
		}
		parts = append([]string{head}, parts...)
		s = strings.Join(parts, ",") + "," + tail
	}
	if p != 0 {
		return fmt.Sprintf("₹%s.%02d", s, p)
	}
	return "₹" + s
}
