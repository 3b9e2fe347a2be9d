// Package ical writes the practice's calendar as iCalendar (RFC 5545) with
// the github.com/arran4/golang-ical library: bookings as VEVENTs and open
// hours as a VAVAILABILITY component (RFC 7953) with AVAILABLE
// sub-components, built with the library's generic component API since it
// has no type for them.
//
// # Promises
//
//   - Privacy by default: an event's SUMMARY is "Session" and nothing in the
//     file names the client. Initials or full names appear only when the
//     caller asks (Names). Session notes never appear; join links only when
//     asked (JoinLinks), since a leaked link lets a stranger into a session.
//   - Stable identities: a booking's UID is its id + "@calmally.in" and its
//     SEQUENCE is the booking's revision - 1, so re-importing an export
//     updates the events instead of duplicating them; AVAILABLE components
//     are keyed by their start instant and the VAVAILABILITY by the practice.
//   - Times are UTC (DTSTART/DTEND with "Z"), so no VTIMEZONE is needed and
//     every reader agrees on the instant.
package ical

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"

	ics "github.com/arran4/golang-ical"

	"github.com/calmally/practice/internal/availability"
	"github.com/calmally/practice/internal/bookings"
)

// UIDDomain is the right-hand side of every UID.
const UIDDomain = "calmally.in"

// Names says how much of a client's name an event carries.
type Names string

// Name modes.
const (
	NamesNone     Names = "none"     // "Session" (default)
	NamesInitials Names = "initials" // "Session – A.K."
	NamesFull     Names = "full"     // "Session – Asha Kumar"
)

// ParseNames reads a Names value; "" is NamesNone.
func ParseNames(s string) (Names, error) {
	switch Names(s) {
	case "", NamesNone:
		return NamesNone, nil
	case NamesInitials, NamesFull:
		return Names(s), nil
	}
	return "", fmt.Errorf("names: must be none, initials or full")
}

// Options shape an export.
type Options struct {
	Now       time.Time // DTSTAMP
	Names     Names
	JoinLinks bool
	// From and To bound the VAVAILABILITY (its DTSTART/DTEND).
	From, To time.Time
}

// Event is a booking with the name of its client (the client record's name,
// or the booking's label for a platform client not yet matched). The name is
// used only as Options.Names allows.
type Event struct {
	Booking    bookings.Booking
	ClientName string
}

// UID is the stable iCalendar UID of a booking.
func UID(bookingID string) string { return bookingID + "@" + UIDDomain }

// Initials turns "Asha Kumar" into "A.K." (letters only, at most four).
func Initials(name string) string {
	var b strings.Builder
	n := 0
	for _, w := range strings.Fields(name) {
		for _, r := range w {
			if unicode.IsLetter(r) {
				b.WriteRune(unicode.ToUpper(r))
				b.WriteByte('.')
				n++
				break
			}
		}
		if n == 4 {
			break
		}
	}
	return b.String()
}

func summary(e Event, names Names) string {
	name := strings.TrimSpace(e.ClientName)
	switch {
	case name == "" || names == NamesNone || names == "":
		return "Session"
	case names == NamesInitials:
		if in := Initials(name); in != "" {
			return "Session – " + in
		}
		return "Session"
	default:
		return "Session – " + name
	}
}

func status(s bookings.Status) ics.ObjectStatus {
	switch s {
	case bookings.Requested:
		return ics.ObjectStatusTentative
	case bookings.Confirmed, bookings.Completed, bookings.NoShow:
		return ics.ObjectStatusConfirmed
	}
	return ics.ObjectStatusCancelled
}

// Build returns the calendar: one VEVENT per event and, if openings is not
// empty, one VAVAILABILITY.
func Build(opts Options, events []Event, openings []availability.Opening) *ics.Calendar {
	cal := ics.NewCalendarFor("CalmAlly Practice")
	cal.SetMethod(ics.MethodPublish)
	cal.SetName("CalmAlly Practice")
	cal.SetXWRCalName("CalmAlly Practice")
	stamp := opts.Now.UTC()
	for _, e := range events {
		b := e.Booking
		ev := cal.AddEvent(UID(b.ID))
		ev.SetDtStampTime(stamp)
		ev.SetCreatedTime(b.CreatedAt)
		ev.SetModifiedAt(b.UpdatedAt)
		ev.SetSequence(b.Sequence())
		ev.SetStartAt(b.Start)
		ev.SetEndAt(b.End)
		ev.SetSummary(summary(e, opts.Names))
		ev.SetStatus(status(b.Status))
		ev.SetClass(ics.ClassificationPrivate)
		ev.SetProperty(ics.ComponentPropertyTransp, "OPAQUE")
		if b.Modality == bookings.InPerson && b.Location != "" {
			ev.SetLocation(b.Location)
		}
		if b.Modality == bookings.Online && opts.JoinLinks && b.JoinLink != "" {
			ev.SetURL(b.JoinLink)
		}
		ev.AddCategory(strings.ToUpper(strings.ReplaceAll(string(b.Modality), "_", "-")))
	}
	if len(openings) > 0 {
		va := &ics.GeneralComponent{Token: "VAVAILABILITY", ComponentBase: ics.NewComponent("availability@" + UIDDomain)}
		va.SetDtStampTime(stamp)
		if !opts.From.IsZero() && !opts.To.IsZero() {
			va.SetStartAt(opts.From)
			va.SetEndAt(opts.To)
		}
		va.SetSummary("Open hours")
		va.AddProperty(ics.ComponentPropertyExtended("BUSYTYPE"), "BUSY-UNAVAILABLE")
		for _, o := range openings {
			av := &ics.GeneralComponent{Token: "AVAILABLE",
				ComponentBase: ics.NewComponent(fmt.Sprintf("available-%s@%s", o.Start.UTC().Format("20060102T150405Z"), UIDDomain))}
			av.SetDtStampTime(stamp)
			av.SetStartAt(o.Start)
			av.SetEndAt(o.End)
			av.SetSummary("Open: " + strings.ReplaceAll(string(o.Modality), "_", "-"))
			if o.Modality == availability.InPerson && o.Location != "" {
				av.SetLocation(o.Location)
			}
			va.Components = append(va.Components, av)
		}
		cal.Components = append(cal.Components, va)
	}
	return cal
}

// Write serialises Build's calendar to w (CRLF line ends, folded lines, as
// RFC 5545 requires).
func Write(w io.Writer, opts Options, events []Event, openings []availability.Opening) error {
	if err := Build(opts, events, openings).SerializeTo(w, ics.WithNewLine("\r\n")); err != nil {
		return fmt.Errorf("export calendar: %w", err)
	}
	return nil
}
