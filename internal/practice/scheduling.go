package practice

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/availability"
	"github.com/calmally/practice/internal/bookings"
	"github.com/calmally/practice/internal/clients"
	"github.com/calmally/practice/internal/consent"
	"github.com/calmally/practice/internal/export/ical"
	"github.com/calmally/practice/internal/store"
)

// Bookings is the bookings service of this profile. Like the others it asks
// for the keys and the audit chain on every call.
//
// The consent hooks are wired to the consent ledger: confirming an online
// session needs the client's teleconsultation consent, recording one its
// recording consent, reminding the client its reminders consent (each
// refusal is audited).
func (p *Practice) Bookings() *bookings.Service {
	s := bookings.NewService(bookings.Config{
		Store: store.NewBookingStore(p.db, p.AuditChain),
		Keys: func() (bookings.Sealer, error) {
			k, err := p.Keys()
			if err != nil {
				return nil, err // not a typed nil in the interface
			}
			return k, nil
		},
		Now:   p.Now,
		Actor: p.opts.Actor,
	})
	s.RequireTeleconsultConsent = func(ctx context.Context, clientID string) error {
		return p.RequireConsent(ctx, clientID, consent.PurposeTeleconsultation, audit.ActionEdit, bookings.RecordType)
	}
	s.RequireRecordingConsent = func(ctx context.Context, clientID string) error {
		return p.RequireConsent(ctx, clientID, consent.PurposeRecording, audit.ActionEdit, bookings.RecordType)
	}
	s.RequireRemindersConsent = func(ctx context.Context, clientID string) error {
		return p.RequireConsent(ctx, clientID, consent.PurposeReminders, audit.ActionEdit, bookings.RecordType)
	}
	return s
}

// Availability is the availability service of this profile, with the
// bookings wired in: requested and confirmed bookings block slots, and time
// off cancels the bookings the user chose to cancel.
func (p *Practice) Availability() *availability.Service {
	s := availability.NewService(availability.Config{
		Store: store.NewAvailabilityStore(p.db, p.AuditChain),
		Keys: func() (availability.Sealer, error) {
			k, err := p.Keys()
			if err != nil {
				return nil, err
			}
			return k, nil
		},
		Now:   p.Now,
		Actor: p.opts.Actor,
	})
	bs := p.Bookings()
	s.Busy = func(ctx context.Context, from, to time.Time) ([]availability.Busy, error) {
		ivs, err := bs.Busy(ctx, from, to)
		if err != nil {
			return nil, err
		}
		out := make([]availability.Busy, len(ivs))
		for i, iv := range ivs {
			out[i] = availability.Busy{ID: iv.ID, Start: iv.Start, End: iv.End}
		}
		return out, nil
	}
	s.CancelBooking = func(ctx context.Context, id, message string) error {
		_, err := bs.Cancel(ctx, id, message)
		return err
	}
	return s
}

// SchedulingZone is the zone "today" and calendar dates are read in: that of
// the rule set in force (or next to begin), else Asia/Kolkata.
func (p *Practice) SchedulingZone(ctx context.Context) *time.Location {
	if sch, err := p.Availability().Get(ctx); err == nil {
		if rs, ok := sch.Current(p.Now()); ok {
			return rs.Loc()
		}
	}
	if loc, err := time.LoadLocation(availability.DefaultZone); err == nil {
		return loc
	}
	return time.FixedZone("IST", 5*3600+1800)
}

// Agenda is what the Today screen shows.
type Agenda struct {
	Date     availability.Date
	Zone     string
	Bookings []bookings.Booking // today's, by start (every status)
	// Next is the next confirmed session that has not ended (today or
	// later, within 30 days), or nil.
	Next                    *bookings.Booking
	DraftsAwaitingSignature int
	Unreadable              []string // bookings that failed their integrity check
}

// TodayAgenda lists today's bookings, the next session and how many notes
// wait for a signature.
func (p *Practice) TodayAgenda(ctx context.Context) (Agenda, error) {
	loc := p.SchedulingZone(ctx)
	now := p.Now()
	d := availability.DateOf(now.In(loc))
	start := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
	end := start.AddDate(0, 0, 1)
	bs := p.Bookings()
	today, err := bs.List(ctx, start, end)
	if err != nil {
		return Agenda{}, err
	}
	a := Agenda{Date: d, Zone: loc.String(), Bookings: today.Bookings, Unreadable: today.Unreadable}
	upcoming, err := bs.List(ctx, now, now.AddDate(0, 0, 30))
	if err != nil {
		return Agenda{}, err
	}
	for _, b := range upcoming.Bookings {
		if b.Status == bookings.Confirmed && b.End.After(now) {
			b := b
			a.Next = &b
			break
		}
	}
	drafts, err := p.Notes().DraftsAwaitingSignature(ctx)
	if err != nil {
		return Agenda{}, err
	}
	a.DraftsAwaitingSignature = len(drafts)
	return a, nil
}

// CalendarExportOptions shape an iCalendar export.
type CalendarExportOptions struct {
	From, To  time.Time
	Names     ical.Names // none (default), initials, full
	JoinLinks bool
}

// CalendarExport returns the bookings and open hours in [From, To) as an
// iCalendar file. It is audited as an export (counts and the name mode).
// A booking that fails its integrity check is left out and reported as an
// integrity error after the file is built, so the caller can decide.
func (p *Practice) CalendarExport(ctx context.Context, o CalendarExportOptions) ([]byte, error) {
	if o.Names == "" {
		o.Names = ical.NamesNone
	}
	if _, err := ical.ParseNames(string(o.Names)); err != nil {
		return nil, apperr.Wrap(apperr.Invalid, "names: must be none, initials or full", err)
	}
	res, err := p.Bookings().List(ctx, o.From, o.To)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	if o.Names != ical.NamesNone {
		cl, err := p.Clients().List(ctx, clients.Filter{})
		if err != nil {
			return nil, err
		}
		for _, c := range cl.Clients {
			names[c.ID] = c.Name
		}
	}
	events := make([]ical.Event, len(res.Bookings))
	for i, b := range res.Bookings {
		name := b.ClientLabel
		if b.ClientID != "" {
			name = names[b.ClientID]
		}
		events[i] = ical.Event{Booking: b, ClientName: name}
	}
	sch, err := p.Availability().Get(ctx)
	if err != nil {
		return nil, err
	}
	openings := sch.Openings(o.From, o.To)
	var buf bytes.Buffer
	if err := ical.Write(&buf, ical.Options{Now: p.Now(), Names: o.Names, JoinLinks: o.JoinLinks, From: o.From, To: o.To},
		events, openings); err != nil {
		return nil, err
	}
	d := audit.D("format", "ics", "names", string(o.Names), "events", fmt.Sprint(len(events)),
		"openings", fmt.Sprint(len(openings)))
	if e, err := (audit.Event{Action: audit.ActionExport, RecordType: "calendar", Detail: d}).Entry(p.Now(), p.opts.Actor); err == nil {
		p.record(ctx, e)
	}
	if n := len(res.Unreadable); n > 0 {
		return buf.Bytes(), apperr.Errorf(apperr.Integrity, "%d booking(s) failed their integrity check and were left out", n)
	}
	return buf.Bytes(), nil
}

// DayRange turns inclusive dates (YYYY-MM-DD) read in the scheduling zone
// into the instants [from, to): from's midnight to the midnight after to.
func (p *Practice) DayRange(ctx context.Context, from, to string) (time.Time, time.Time, error) {
	f, err := availability.ParseDate(from)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	t, err := availability.ParseDate(to)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	if t.Before(f) {
		return time.Time{}, time.Time{}, apperr.New(apperr.Invalid, "dates: the last date must not be before the first")
	}
	loc := p.SchedulingZone(ctx)
	t = t.AddDays(1)
	return time.Date(f.Year, f.Month, f.Day, 0, 0, 0, 0, loc), time.Date(t.Year, t.Month, t.Day, 0, 0, 0, 0, loc), nil
}

// WriteCalendarFile writes an export through a synced temporary file in the
// same folder renamed over path (owner-only), so a crash leaves the old file
// or the new one, never half of one.
func WriteCalendarFile(path string, data []byte) error {
	if path == "" || !filepath.IsAbs(path) {
		return apperr.New(apperr.Invalid, "export: the output path must be absolute")
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".calmally-*.ics.tmp")
	if err != nil {
		return apperr.Wrap(apperr.Invalid, "export: cannot write the output file", err)
	}
	name := tmp.Name()
	defer os.Remove(name) // after a successful rename there is nothing to remove
	err = tmp.Chmod(0o600)
	if err == nil {
		_, err = tmp.Write(data)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(name, path)
	}
	if err != nil {
		return apperr.Wrap(apperr.Invalid, "export: cannot write the output file", err)
	}
	return nil
}
