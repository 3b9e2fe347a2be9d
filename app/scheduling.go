package app

// Scheduling methods bound to the UI (window.go.app.App.<Method>). Errors are
// "code: message" strings; messages name the rule, never client data. Dates
// are "YYYY-MM-DD" (inclusive ranges, read in the zone of the availability
// rules in force, default Asia/Kolkata); wall-clock times "HH:MM"; instants
// RFC 3339 UTC. Every call that returns booking details is audited (ids
// only).
//
//	AvailabilityGet() (AvailabilityDTO, error)
//	AvailabilitySet(a AvailabilityDTO) (AvailabilityDTO, error)    replaces the schedule; keep ids/revs from Get
//	AvailabilityPreview(from, to string) ([]SlotDTO, error)        bookable slots (notice, horizon, bookings applied)
//	AvailabilityOpenings(from, to string) ([]OpeningDTO, error)    open hours, to shade the calendar grid
//	TimeOffCollisions(t TimeOffDTO) ([]BookingDTO, error)          bookings the time off would collide with
//	TimeOffSave(s TimeOffSaveDTO) (AvailabilityDTO, error)         needs a decision for each collision
//	BookingsList(from, to string) (BookingsListDTO, error)         e.g. a month for the calendar
//	BookingGet(id string) (BookingDTO, error)
//	BookingConfirm(id string) (BookingDTO, error)
//	BookingDecline(m BookingMessageDTO) (BookingDTO, error)        message optional
//	BookingCancel(m BookingMessageDTO) (BookingDTO, error)         message required
//	BookingComplete(id string) (BookingDTO, error)
//	BookingNoShow(id string) (BookingDTO, error)
//	WalkInCreate(w WalkInDTO) (BookingDTO, error)
//	TodayAgenda() (AgendaDTO, error)
//	CalendarExport(e CalendarExportDTO) (CalendarExportResultDTO, error)
//
// JSON shapes:
//
//	AvailabilityDTO   {version: 1, ruleSets: RuleSetDTO[]}
//	RuleSetDTO        {id, rev, zone, effectiveFrom, effectiveUntil, sessionMinutes, bufferMinutes,
//	                   minimumNoticeHours, horizonDays, modality: "online"|"in_person", location,
//	                   weekly: [{day: "mon".."sun", start: "HH:MM", end: "HH:MM", modality}],
//	                   exceptions: [{kind: "extra"|"time_off"|"holiday", from, to, start, end, modality}]}
//	SlotDTO           {start, end, zone, modality, location}
//	OpeningDTO        {start, end, zone, modality}
//	TimeOffDTO        {kind: "time_off"|"holiday", from, to, start, end}   start/end "" = whole days
//	TimeOffSaveDTO    {timeOff: TimeOffDTO, decisions: [{bookingId, action: "keep"|"cancel", message}]}
//	BookingDTO        {id, rev, source: "platform"|"clinic", status, clientId, clientLabel, start, end,
//	                   modality, location, joinLink, feePaise, currency: "INR",
//	                   paymentStatus: "pending"|"paid"|"refund_pending"|"refunded", notes, message,
//	                   rescheduledFrom, rescheduledTo, createdAt, updatedAt,
//	                   actions: ("confirm"|"decline"|"cancel"|"complete"|"no_show")[]}
//	                  status: "requested"|"confirmed"|"completed"|"no_show"|"cancelled_by_client"|
//	                          "cancelled_by_practitioner"|"declined"|"rescheduled"
//	BookingsListDTO   {bookings: BookingDTO[], unreadable: string[]}
//	BookingMessageDTO {id, message}
//	WalkInDTO         {clientId | clientLabel, start, minutes, modality, location, joinLink, feePaise, paid, notes}
//	AgendaDTO         {date, zone, bookings: BookingDTO[], next: BookingDTO|null, draftsAwaitingSignature, unreadable}
//	CalendarExportDTO {from, to, names: "none"|"initials"|"full", joinLinks, path /* absolute, "" = text only */}
//	CalendarExportResultDTO {ics, path}
//
// Rules the UI should expect: saving time off that collides with bookings
// without a decision for each → "conflict: time off collides with N
// booking(s) without a decision: keep or cancel each" (call TimeOffCollisions
// first and show them); a cancellation without a message → "invalid: …";
// confirming an online session without the client's teleconsultation consent
// → "consent_required: …"; completing before the session starts → "conflict:
// a session can be completed or marked no-show only once it has started";
// an availability saved elsewhere meanwhile → "conflict: the availability was
// changed elsewhere: reload it and try again". Offer only the buttons in a
// booking's actions. The calendar export names no client unless names is
// "initials" or "full": say so next to that choice.

import (
	"encoding/json"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/availability"
	"github.com/calmally/practice/internal/bookings"
	"github.com/calmally/practice/internal/export/ical"
	"github.com/calmally/practice/internal/practice"
)

// toSchedule converts through the documented JSON form, so the DTO and the
// file format cannot drift apart.
func toSchedule(d AvailabilityDTO) (availability.Schedule, error) {
	b, err := json.Marshal(d)
	if err != nil {
		return availability.Schedule{}, err
	}
	var s availability.Schedule
	if err := json.Unmarshal(b, &s); err != nil {
		if apperr.CodeOf(err) != apperr.Internal {
			return availability.Schedule{}, err
		}
		return availability.Schedule{}, apperr.Wrap(apperr.Invalid, "availability: not in the documented format", err)
	}
	return s, nil
}

func availabilityDTO(s availability.Schedule) (AvailabilityDTO, error) {
	b, err := json.Marshal(s)
	if err != nil {
		return AvailabilityDTO{}, err
	}
	var d AvailabilityDTO
	if err := json.Unmarshal(b, &d); err != nil {
		return AvailabilityDTO{}, err
	}
	if d.RuleSets == nil {
		d.RuleSets = []RuleSetDTO{}
	}
	for i := range d.RuleSets {
		if d.RuleSets[i].Weekly == nil {
			d.RuleSets[i].Weekly = []WindowDTO{}
		}
	}
	return d, nil
}

func bookingDTO(b bookings.Booking, now time.Time) BookingDTO {
	return BookingDTO{ID: b.ID, Rev: b.Rev, Source: string(b.Source), Status: string(b.Status), ClientID: b.ClientID,
		ClientLabel: b.ClientLabel, Start: instant(b.Start), End: instant(b.End), Modality: string(b.Modality),
		Location: b.Location, JoinLink: b.JoinLink, FeePaise: b.FeePaise, Currency: bookings.Currency,
		PaymentStatus: string(b.PaymentStatus), Notes: b.Notes, Message: b.Message, RescheduledFrom: b.RescheduledFrom,
		RescheduledTo: b.RescheduledTo, CreatedAt: instant(b.CreatedAt), UpdatedAt: instant(b.UpdatedAt),
		Actions: bookings.Actions(b, now)}
}

func bookingDTOs(bs []bookings.Booking, now time.Time) []BookingDTO {
	out := make([]BookingDTO, len(bs))
	for i, b := range bs {
		out[i] = bookingDTO(b, now)
	}
	return out
}

func strs(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// AvailabilityGet returns the schedule.
func (a *App) AvailabilityGet() (AvailabilityDTO, error) {
	p, err := a.practice()
	if err != nil {
		return AvailabilityDTO{}, a.uiError("availability get", err)
	}
	s, err := p.Availability().Get(a.ctx)
	if err != nil {
		return AvailabilityDTO{}, a.uiError("availability get", err)
	}
	d, err := availabilityDTO(s)
	return d, a.uiError("availability get", err)
}

// AvailabilitySet replaces the schedule.
func (a *App) AvailabilitySet(in AvailabilityDTO) (AvailabilityDTO, error) {
	p, err := a.practice()
	if err != nil {
		return AvailabilityDTO{}, a.uiError("availability set", err)
	}
	s, err := toSchedule(in)
	if err != nil {
		return AvailabilityDTO{}, a.uiError("availability set", err)
	}
	saved, err := p.Availability().Set(a.ctx, s)
	if err != nil {
		return AvailabilityDTO{}, a.uiError("availability set", err)
	}
	d, err := availabilityDTO(saved)
	return d, a.uiError("availability set", err)
}

// AvailabilityPreview lists the bookable slots from one date to another
// (inclusive).
func (a *App) AvailabilityPreview(from, to string) ([]SlotDTO, error) {
	p, err := a.practice()
	if err != nil {
		return nil, a.uiError("availability preview", err)
	}
	f, t, err := p.DayRange(a.ctx, from, to)
	if err != nil {
		return nil, a.uiError("availability preview", err)
	}
	slots, err := p.Availability().Slots(a.ctx, f, t)
	if err != nil {
		return nil, a.uiError("availability preview", err)
	}
	out := make([]SlotDTO, len(slots))
	for i, s := range slots {
		out[i] = SlotDTO{Start: instant(s.Start), End: instant(s.End), Zone: s.Zone, Modality: string(s.Modality), Location: s.Location}
	}
	return out, nil
}

// AvailabilityOpenings lists the open hours from one date to another
// (inclusive), for shading the calendar.
func (a *App) AvailabilityOpenings(from, to string) ([]OpeningDTO, error) {
	p, err := a.practice()
	if err != nil {
		return nil, a.uiError("availability openings", err)
	}
	f, t, err := p.DayRange(a.ctx, from, to)
	if err != nil {
		return nil, a.uiError("availability openings", err)
	}
	s, err := p.Availability().Get(a.ctx)
	if err != nil {
		return nil, a.uiError("availability openings", err)
	}
	ops := s.Openings(f, t)
	out := make([]OpeningDTO, len(ops))
	for i, o := range ops {
		out[i] = OpeningDTO{Start: instant(o.Start), End: instant(o.End), Zone: o.Zone, Modality: string(o.Modality)}
	}
	return out, nil
}

func timeOffRequest(d TimeOffDTO) (availability.TimeOffRequest, error) {
	r := availability.TimeOffRequest{Kind: availability.ExceptionKind(d.Kind)}
	var err error
	if r.From, err = availability.ParseDate(d.From); err != nil {
		return r, err
	}
	if d.To != "" {
		if r.To, err = availability.ParseDate(d.To); err != nil {
			return r, err
		}
	}
	if d.Start != "" || d.End != "" {
		s, err := availability.ParseClock(d.Start)
		if err != nil {
			return r, err
		}
		e, err := availability.ParseClock(d.End)
		if err != nil {
			return r, err
		}
		r.Start, r.End = &s, &e
	}
	return r, nil
}

// TimeOffCollisions lists the bookings the time off would collide with.
func (a *App) TimeOffCollisions(in TimeOffDTO) ([]BookingDTO, error) {
	p, err := a.practice()
	if err != nil {
		return nil, a.uiError("time off collisions", err)
	}
	req, err := timeOffRequest(in)
	if err != nil {
		return nil, a.uiError("time off collisions", err)
	}
	busy, err := p.Availability().TimeOffCollisions(a.ctx, req)
	if err != nil {
		return nil, a.uiError("time off collisions", err)
	}
	bs := p.Bookings()
	out := make([]BookingDTO, 0, len(busy))
	for _, b := range busy {
		got, err := bs.Get(a.ctx, b.ID)
		if err != nil {
			return nil, a.uiError("time off collisions", err)
		}
		out = append(out, bookingDTO(got, p.Now()))
	}
	return out, nil
}

// TimeOffSave adds time off, applying the decision for each collision.
func (a *App) TimeOffSave(in TimeOffSaveDTO) (AvailabilityDTO, error) {
	p, err := a.practice()
	if err != nil {
		return AvailabilityDTO{}, a.uiError("time off save", err)
	}
	req, err := timeOffRequest(in.TimeOff)
	if err != nil {
		return AvailabilityDTO{}, a.uiError("time off save", err)
	}
	dec := make(map[string]availability.Decision, len(in.Decisions))
	for _, d := range in.Decisions {
		switch d.Action {
		case "keep":
			dec[d.BookingID] = availability.Decision{}
		case "cancel":
			dec[d.BookingID] = availability.Decision{Cancel: true, Message: d.Message}
		default:
			return AvailabilityDTO{}, a.uiError("time off save", apperr.New(apperr.Invalid, "time off: each decision is keep or cancel"))
		}
	}
	s, err := p.Availability().SaveTimeOff(a.ctx, req, dec)
	if err != nil {
		return AvailabilityDTO{}, a.uiError("time off save", err)
	}
	d, err := availabilityDTO(s)
	return d, a.uiError("time off save", err)
}

// BookingsList opens the bookings from one date to another (inclusive).
func (a *App) BookingsList(from, to string) (BookingsListDTO, error) {
	p, err := a.practice()
	if err != nil {
		return BookingsListDTO{}, a.uiError("bookings list", err)
	}
	f, t, err := p.DayRange(a.ctx, from, to)
	if err != nil {
		return BookingsListDTO{}, a.uiError("bookings list", err)
	}
	res, err := p.Bookings().List(a.ctx, f, t)
	if err != nil {
		return BookingsListDTO{}, a.uiError("bookings list", err)
	}
	return BookingsListDTO{Bookings: bookingDTOs(res.Bookings, p.Now()), Unreadable: strs(res.Unreadable)}, nil
}

// bookingOp runs one booking action and shapes its result.
func (a *App) bookingOp(op string, fn func(*practice.Practice) (bookings.Booking, error)) (BookingDTO, error) {
	p, err := a.practice()
	if err != nil {
		return BookingDTO{}, a.uiError(op, err)
	}
	b, err := fn(p)
	if err != nil {
		return BookingDTO{}, a.uiError(op, err)
	}
	return bookingDTO(b, p.Now()), nil
}

// BookingGet opens one booking.
func (a *App) BookingGet(id string) (BookingDTO, error) {
	return a.bookingOp("booking get", func(p *practice.Practice) (bookings.Booking, error) { return p.Bookings().Get(a.ctx, id) })
}

// BookingConfirm confirms a requested booking.
func (a *App) BookingConfirm(id string) (BookingDTO, error) {
	return a.bookingOp("booking confirm", func(p *practice.Practice) (bookings.Booking, error) { return p.Bookings().Confirm(a.ctx, id) })
}

// BookingDecline declines a requested booking.
func (a *App) BookingDecline(m BookingMessageDTO) (BookingDTO, error) {
	return a.bookingOp("booking decline", func(p *practice.Practice) (bookings.Booking, error) {
		return p.Bookings().Decline(a.ctx, m.ID, m.Message)
	})
}

// BookingCancel cancels a confirmed booking with a message for the client.
func (a *App) BookingCancel(m BookingMessageDTO) (BookingDTO, error) {
	return a.bookingOp("booking cancel", func(p *practice.Practice) (bookings.Booking, error) {
		return p.Bookings().Cancel(a.ctx, m.ID, m.Message)
	})
}

// BookingComplete marks a session completed.
func (a *App) BookingComplete(id string) (BookingDTO, error) {
	return a.bookingOp("booking complete", func(p *practice.Practice) (bookings.Booking, error) { return p.Bookings().Complete(a.ctx, id) })
}

// BookingNoShow marks a session as a no-show.
func (a *App) BookingNoShow(id string) (BookingDTO, error) {
	return a.bookingOp("booking no-show", func(p *practice.Practice) (bookings.Booking, error) { return p.Bookings().NoShow(a.ctx, id) })
}

// WalkInCreate adds a confirmed clinic session.
func (a *App) WalkInCreate(w WalkInDTO) (BookingDTO, error) {
	return a.bookingOp("walk-in create", func(p *practice.Practice) (bookings.Booking, error) {
		st, err := time.Parse(time.RFC3339, w.Start)
		if err != nil {
			if st, err = time.ParseInLocation("2006-01-02T15:04", w.Start, p.SchedulingZone(a.ctx)); err != nil {
				return bookings.Booking{}, apperr.New(apperr.Invalid, "start: RFC 3339 or YYYY-MM-DDTHH:MM")
			}
		}
		minutes := w.Minutes
		if minutes == 0 {
			minutes = 50
		}
		return p.Bookings().AddWalkIn(a.ctx, bookings.WalkIn{ClientID: w.ClientID, ClientLabel: w.ClientLabel, Start: st,
			End: st.Add(time.Duration(minutes) * time.Minute), Modality: bookings.Modality(w.Modality), Location: w.Location,
			JoinLink: w.JoinLink, FeePaise: w.FeePaise, Paid: w.Paid, Notes: w.Notes})
	})
}

// TodayAgenda is the Today screen: today's bookings, the next session (with
// its join link) and the drafts awaiting signature.
func (a *App) TodayAgenda() (AgendaDTO, error) {
	p, err := a.practice()
	if err != nil {
		return AgendaDTO{}, a.uiError("today", err)
	}
	ag, err := p.TodayAgenda(a.ctx)
	if err != nil {
		return AgendaDTO{}, a.uiError("today", err)
	}
	now := p.Now()
	d := AgendaDTO{Date: ag.Date.String(), Zone: ag.Zone, Bookings: bookingDTOs(ag.Bookings, now),
		DraftsAwaitingSignature: ag.DraftsAwaitingSignature, Unreadable: strs(ag.Unreadable)}
	if ag.Next != nil {
		n := bookingDTO(*ag.Next, now)
		d.Next = &n
	}
	return d, nil
}

// CalendarExport builds an iCalendar file of bookings and open hours and,
// when a path is given, writes it there (atomically, owner-only).
func (a *App) CalendarExport(in CalendarExportDTO) (CalendarExportResultDTO, error) {
	p, err := a.practice()
	if err != nil {
		return CalendarExportResultDTO{}, a.uiError("calendar export", err)
	}
	loc := p.SchedulingZone(a.ctx)
	today := availability.DateOf(p.Now().In(loc))
	from, to := in.From, in.To
	if from == "" {
		from = today.AddDays(-30).String()
	}
	if to == "" {
		to = today.AddDays(90).String()
	}
	f, t, err := p.DayRange(a.ctx, from, to)
	if err != nil {
		return CalendarExportResultDTO{}, a.uiError("calendar export", err)
	}
	names, err := ical.ParseNames(in.Names)
	if err != nil {
		return CalendarExportResultDTO{}, a.uiError("calendar export", apperr.Wrap(apperr.Invalid, "names: must be none, initials or full", err))
	}
	data, err := p.CalendarExport(a.ctx, practice.CalendarExportOptions{From: f, To: t, Names: names, JoinLinks: in.JoinLinks})
	if err != nil {
		return CalendarExportResultDTO{}, a.uiError("calendar export", err)
	}
	if in.Path != "" {
		if err := practice.WriteCalendarFile(in.Path, data); err != nil {
			return CalendarExportResultDTO{}, a.uiError("calendar export", err)
		}
	}
	return CalendarExportResultDTO{ICS: string(data), Path: in.Path}, nil
}
