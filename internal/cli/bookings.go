package cli

import (
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/availability"
	"github.com/calmally/practice/internal/bookings"
)

type bookingsCmd struct {
	List      bookingsListCmd     `cmd:"" help:"List bookings between two dates."`
	AddWalkin bookingsWalkInCmd   `cmd:"" name:"add-walkin" help:"Add a confirmed walk-in session at the clinic; prints the new id."`
	Confirm   bookingsConfirmCmd  `cmd:"" help:"Confirm a requested booking."`
	Decline   bookingsDeclineCmd  `cmd:"" help:"Decline a requested booking."`
	Cancel    bookingsCancelCmd   `cmd:"" help:"Cancel a confirmed booking with a message for the client."`
	Complete  bookingsCompleteCmd `cmd:"" help:"Mark a session completed."`
	NoShow    bookingsNoShowCmd   `cmd:"" name:"no-show" help:"Mark a session as a no-show."`
	Record    bookingsRecordCmd   `cmd:"" help:"Record an online session (needs the client's recording consent); --off stops."`
	Remind    bookingsRemindCmd   `cmd:"" help:"Ask CalmAlly to remind the client of a confirmed session (needs reminders consent)."`
}

// bookingJSON is the CLI's JSON form of a booking.
type bookingJSON struct {
	ID              string `json:"id"`
	Rev             int64  `json:"rev"`
	Source          string `json:"source"`
	Status          string `json:"status"`
	ClientID        string `json:"clientId,omitempty"`
	ClientLabel     string `json:"clientLabel,omitempty"`
	Start           string `json:"start"`
	End             string `json:"end"`
	Modality        string `json:"modality"`
	Location        string `json:"location,omitempty"`
	JoinLink        string `json:"joinLink,omitempty"`
	FeePaise        int64  `json:"feePaise"`
	Currency        string `json:"currency"`
	PaymentStatus   string `json:"paymentStatus"`
	Notes           string `json:"notes,omitempty"`
	Message         string `json:"message,omitempty"`
	RescheduledFrom string `json:"rescheduledFrom,omitempty"`
	RescheduledTo   string `json:"rescheduledTo,omitempty"`
}

func toBookingJSON(b bookings.Booking) bookingJSON {
	return bookingJSON{ID: b.ID, Rev: b.Rev, Source: string(b.Source), Status: string(b.Status), ClientID: b.ClientID,
		ClientLabel: b.ClientLabel, Start: rfc3339(b.Start), End: rfc3339(b.End), Modality: string(b.Modality),
		Location: b.Location, JoinLink: b.JoinLink, FeePaise: b.FeePaise, Currency: bookings.Currency,
		PaymentStatus: string(b.PaymentStatus), Notes: b.Notes, Message: b.Message,
		RescheduledFrom: b.RescheduledFrom, RescheduledTo: b.RescheduledTo}
}

type bookingsListCmd struct {
	From string `name:"from" placeholder:"DATE" help:"First date, YYYY-MM-DD (default: today)."`
	To   string `name:"to" placeholder:"DATE" help:"Last date, YYYY-MM-DD, inclusive (default: 30 days ahead)."`
	JSON bool   `name:"json" help:"Print JSON."`
}

func (c bookingsListCmd) Run(rc *runCtx) error {
	p, err := rc.unlocked()
	if err != nil {
		return err
	}
	defer p.Close()
	loc := p.SchedulingZone(rc.ctx)
	today := availability.DateOf(p.Now().In(loc))
	from, to := c.From, c.To
	if from == "" {
		from = today.String()
	}
	if to == "" {
		to = today.AddDays(30).String()
	}
	start, end, err := dayRange(from, to, loc)
	if err != nil {
		return err
	}
	res, err := p.Bookings().List(rc.ctx, start, end)
	if err != nil {
		return err
	}
	if c.JSON {
		out := make([]bookingJSON, len(res.Bookings))
		for i, b := range res.Bookings {
			out[i] = toBookingJSON(b)
		}
		if err := printJSON(rc.env.Stdout, out); err != nil {
			return err
		}
	} else {
		tw := tabwriter.NewWriter(rc.env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tSTART\tSTATUS\tMODALITY\tFEE (INR)\tPAYMENT")
		for _, b := range res.Bookings {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d.%02d\t%s\n", b.ID, b.Start.In(loc).Format("2006-01-02 15:04 MST"), b.Status,
				b.Modality, b.FeePaise/100, b.FeePaise%100, b.PaymentStatus)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if n := len(res.Unreadable); n > 0 {
		for _, id := range res.Unreadable {
			fmt.Fprintf(rc.env.Stderr, "calmally: not shown (failed its integrity check): %s\n", id)
		}
		return apperr.Errorf(apperr.Integrity, "%d booking(s) failed their integrity check and were not shown", n)
	}
	return nil
}

type bookingsWalkInCmd struct {
	Client    string `name:"client" placeholder:"ID" help:"Client id (or give --label)."`
	Label     string `name:"label" help:"Display name or initials when there is no client record."`
	Start     string `name:"start" required:"" placeholder:"YYYY-MM-DDTHH:MM" help:"Start, in the rules' zone (or RFC 3339)."`
	Minutes   int    `name:"minutes" default:"50" help:"Length in minutes."`
	Modality  string `name:"modality" enum:"in_person,online" default:"in_person" help:"in_person or online."`
	Location  string `name:"location" help:"Where (in person)."`
	JoinLink  string `name:"join-link" help:"https:// link (online)."`
	FeePaise  int64  `name:"fee-paise" help:"Fee in paise (₹1 = 100)."`
	Paid      bool   `name:"paid" help:"The fee was paid at the clinic."`
	NotesFile string `name:"notes-file" type:"existingfile" placeholder:"F" help:"Session notes for the booking."`
}

func (c bookingsWalkInCmd) Run(rc *runCtx) error {
	if (c.Client == "") == (c.Label == "") {
		return usageError{"give exactly one of --client or --label"}
	}
	var notes string
	if c.NotesFile != "" {
		b, err := os.ReadFile(c.NotesFile)
		if err != nil {
			return apperr.Wrap(apperr.Invalid, "cannot read the notes file", err)
		}
		notes = string(b)
	}
	p, err := rc.unlocked()
	if err != nil {
		return err
	}
	defer p.Close()
	st, err := localTime(c.Start, p.SchedulingZone(rc.ctx))
	if err != nil {
		return err
	}
	b, err := p.Bookings().AddWalkIn(rc.ctx, bookings.WalkIn{ClientID: c.Client, ClientLabel: c.Label, Start: st,
		End: st.Add(time.Duration(c.Minutes) * time.Minute), Modality: bookings.Modality(c.Modality), Location: c.Location,
		JoinLink: c.JoinLink, FeePaise: c.FeePaise, Paid: c.Paid, Notes: notes})
	if err != nil {
		return err
	}
	fmt.Fprintln(rc.env.Stdout, b.ID)
	return nil
}

func printBooking(rc *runCtx, b bookings.Booking) {
	fmt.Fprintf(rc.env.Stdout, "%s %s (rev %d, payment %s)\n", b.ID, b.Status, b.Rev, b.PaymentStatus)
}

type bookingsConfirmCmd struct {
	ID string `arg:"" help:"Booking id."`
}

func (c bookingsConfirmCmd) Run(rc *runCtx) error {
	p, err := rc.unlocked()
	if err != nil {
		return err
	}
	defer p.Close()
	b, err := p.Bookings().Confirm(rc.ctx, c.ID)
	if err != nil {
		return err
	}
	printBooking(rc, b)
	return nil
}

type bookingsDeclineCmd struct {
	ID      string `arg:"" help:"Booking id."`
	Message string `name:"message" help:"Message for the client."`
}

func (c bookingsDeclineCmd) Run(rc *runCtx) error {
	p, err := rc.unlocked()
	if err != nil {
		return err
	}
	defer p.Close()
	b, err := p.Bookings().Decline(rc.ctx, c.ID, c.Message)
	if err != nil {
		return err
	}
	printBooking(rc, b)
	return nil
}

type bookingsCancelCmd struct {
	ID      string `arg:"" help:"Booking id."`
	Message string `name:"message" required:"" help:"Message for the client (required)."`
}

func (c bookingsCancelCmd) Run(rc *runCtx) error {
	p, err := rc.unlocked()
	if err != nil {
		return err
	}
	defer p.Close()
	b, err := p.Bookings().Cancel(rc.ctx, c.ID, c.Message)
	if err != nil {
		return err
	}
	printBooking(rc, b)
	return nil
}

type bookingsCompleteCmd struct {
	ID string `arg:"" help:"Booking id."`
}

func (c bookingsCompleteCmd) Run(rc *runCtx) error {
	p, err := rc.unlocked()
	if err != nil {
		return err
	}
	defer p.Close()
	b, err := p.Bookings().Complete(rc.ctx, c.ID)
	if err != nil {
		return err
	}
	printBooking(rc, b)
	return nil
}

type bookingsNoShowCmd struct {
	ID string `arg:"" help:"Booking id."`
}

func (c bookingsNoShowCmd) Run(rc *runCtx) error {
	p, err := rc.unlocked()
	if err != nil {
		return err
	}
	defer p.Close()
	b, err := p.Bookings().NoShow(rc.ctx, c.ID)
	if err != nil {
		return err
	}
	printBooking(rc, b)
	return nil
}
