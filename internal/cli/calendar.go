package cli

import (
	"fmt"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/availability"
	"github.com/calmally/practice/internal/export/ical"
	"github.com/calmally/practice/internal/practice"
)

type calendarCmd struct {
	Export calendarExportCmd `cmd:"" help:"Write bookings and open hours as an iCalendar (.ics) file."`
}

type calendarExportCmd struct {
	Out       string `name:"out" required:"" placeholder:"FILE.ics" help:"Where to write the calendar (replaced atomically)."`
	From      string `name:"from" placeholder:"DATE" help:"First date, YYYY-MM-DD (default: 30 days ago)."`
	To        string `name:"to" placeholder:"DATE" help:"Last date, YYYY-MM-DD, inclusive (default: 90 days ahead)."`
	Names     string `name:"names" enum:"none,initials,full" default:"none" help:"Client names in events: none (\"Session\"), initials or full. Calendars leak to phones and clouds."`
	JoinLinks bool   `name:"join-links" help:"Include online sessions' join links."`
}

func (c calendarExportCmd) Run(rc *runCtx) error {
	p, err := rc.unlocked()
	if err != nil {
		return err
	}
	defer p.Close()
	loc := p.SchedulingZone(rc.ctx)
	today := availability.DateOf(p.Now().In(loc))
	from, to := c.From, c.To
	if from == "" {
		from = today.AddDays(-30).String()
	}
	if to == "" {
		to = today.AddDays(90).String()
	}
	start, end, err := dayRange(from, to, loc)
	if err != nil {
		return err
	}
	data, err := p.CalendarExport(rc.ctx, practice.CalendarExportOptions{From: start, To: end, Names: ical.Names(c.Names), JoinLinks: c.JoinLinks})
	if err != nil && apperr.CodeOf(err) != apperr.Integrity {
		return err
	}
	if werr := writeFileAtomic(c.Out, data, 0o600); werr != nil { // atomic: old file or new, never half
		return werr
	}
	if err != nil {
		return err // written without the damaged bookings; say so and exit 1
	}
	fmt.Fprintf(rc.env.Stdout, "calendar written: %s\n", c.Out)
	return nil
}

// localTime reads "YYYY-MM-DDTHH:MM" in loc, or an RFC 3339 instant.
func localTime(s string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	t, err := time.ParseInLocation("2006-01-02T15:04", s, loc)
	if err != nil {
		return time.Time{}, apperr.New(apperr.Invalid, "times are YYYY-MM-DDTHH:MM (in the rules' zone) or RFC 3339")
	}
	return t, nil
}
