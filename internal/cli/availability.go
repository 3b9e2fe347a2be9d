package cli

import (
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/availability"
)

type availabilityCmd struct {
	Set   availabilitySetCmd   `cmd:"" help:"Replace the availability rules with a JSON file (docs/availability-format.md)."`
	Show  availabilityShowCmd  `cmd:"" help:"Print the availability rules as JSON."`
	Slots availabilitySlotsCmd `cmd:"" help:"List the bookable slots between two dates (inclusive, in the rules' zone)."`
}

type availabilitySetCmd struct {
	File string `name:"file" required:"" type:"existingfile" placeholder:"RULES.json" help:"The rules (format: docs/availability-format.md)."`
}

func (c availabilitySetCmd) Run(rc *runCtx) error {
	f, err := os.Open(c.File)
	if err != nil {
		return apperr.Wrap(apperr.Invalid, "cannot read the rules file", err)
	}
	defer f.Close()
	sch, err := availability.Decode(f)
	if err != nil {
		return err
	}
	p, err := rc.unlocked()
	if err != nil {
		return err
	}
	defer p.Close()
	saved, err := p.Availability().Set(rc.ctx, sch)
	if err != nil {
		return err
	}
	fmt.Fprintf(rc.env.Stdout, "availability saved: %d rule set(s)\n", len(saved.RuleSets))
	return nil
}

type availabilityShowCmd struct{}

func (availabilityShowCmd) Run(rc *runCtx) error {
	p, err := rc.unlocked()
	if err != nil {
		return err
	}
	defer p.Close()
	sch, err := p.Availability().Get(rc.ctx)
	if err != nil {
		return err
	}
	return printJSON(rc.env.Stdout, sch)
}

type availabilitySlotsCmd struct {
	From string `name:"from" required:"" placeholder:"DATE" help:"First date, YYYY-MM-DD."`
	To   string `name:"to" required:"" placeholder:"DATE" help:"Last date, YYYY-MM-DD (inclusive)."`
	JSON bool   `name:"json" help:"Print JSON."`
}

// slotJSON is the CLI's JSON form of a slot: instants RFC 3339 UTC, plus the
// local wall-clock start in the rules' zone for reading.
type slotJSON struct {
	Start    string `json:"start"`
	End      string `json:"end"`
	Local    string `json:"local"`
	Zone     string `json:"zone"`
	Modality string `json:"modality"`
	Location string `json:"location,omitempty"`
}

// dayRange turns inclusive dates into [from, to) instants in loc.
func dayRange(from, to string, loc *time.Location) (time.Time, time.Time, error) {
	f, err := availability.ParseDate(from)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	t, err := availability.ParseDate(to)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	if t.Before(f) {
		return time.Time{}, time.Time{}, apperr.New(apperr.Invalid, "--to must not be before --from")
	}
	t = t.AddDays(1)
	return time.Date(f.Year, f.Month, f.Day, 0, 0, 0, 0, loc), time.Date(t.Year, t.Month, t.Day, 0, 0, 0, 0, loc), nil
}

func (c availabilitySlotsCmd) Run(rc *runCtx) error {
	p, err := rc.unlocked()
	if err != nil {
		return err
	}
	defer p.Close()
	from, to, err := dayRange(c.From, c.To, p.SchedulingZone(rc.ctx))
	if err != nil {
		return err
	}
	slots, err := p.Availability().Slots(rc.ctx, from, to)
	if err != nil {
		return err
	}
	return printSlots(rc, slots, c.JSON)
}

func printSlots(rc *runCtx, slots []availability.Slot, asJSON bool) error {
	out := make([]slotJSON, len(slots))
	for i, s := range slots {
		loc, err := time.LoadLocation(s.Zone)
		if err != nil {
			loc = time.UTC
		}
		out[i] = slotJSON{Start: rfc3339(s.Start), End: rfc3339(s.End), Local: s.Start.In(loc).Format("2006-01-02 Mon 15:04 MST"),
			Zone: s.Zone, Modality: string(s.Modality), Location: s.Location}
	}
	if asJSON {
		return printJSON(rc.env.Stdout, out)
	}
	tw := tabwriter.NewWriter(rc.env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LOCAL START\tUTC START\tMODALITY")
	for _, s := range out {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", s.Local, s.Start, s.Modality)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(rc.env.Stderr, "%d slot(s)\n", len(out))
	return nil
}
