package availability

import (
	"slices"
	"time"

	"github.com/calmally/practice/internal/apperr"
)

// TimeOffRequest is time off (or a holiday) the practitioner wants to add:
// dates From..To inclusive in Zone, the whole day or Start..End on each.
type TimeOffRequest struct {
	Kind  ExceptionKind // TimeOff or Holiday; "" = TimeOff
	From  Date
	To    Date // zero = From only
	Start *Clock
	End   *Clock
	Zone  string // "" = the zone of the rule set covering From (else DefaultZone)
}

// exception is the request as a rule-set exception (validated).
func (t TimeOffRequest) exception() (Exception, error) {
	if t.Kind == "" {
		t.Kind = TimeOff
	}
	if t.Kind != TimeOff && t.Kind != Holiday {
		return Exception{}, invalid("time off: kind must be time_off or holiday")
	}
	e := Exception{Kind: t.Kind, From: t.From, To: t.To, Start: t.Start, End: t.End}
	if err := e.normalize(Online); err != nil {
		return Exception{}, invalid("time off: %s", apperr.MessageOf(err))
	}
	return e, nil
}

// Spans returns the instants the time off closes, in loc: one span per
// date (the whole day, or Start..End), merged where they touch.
func (t TimeOffRequest) Spans(loc *time.Location) ([]Busy, error) {
	e, err := t.exception()
	if err != nil {
		return nil, err
	}
	var out []Busy
	for d := e.From; !e.last().Before(d); d = d.AddDays(1) {
		start, end := Clock(0), Clock(1440)
		if !e.wholeDay() {
			start, end = *e.Start, *e.End
		}
		st, en := resolveSpan(d, start, end, loc)
		if st.IsZero() {
			continue
		}
		if n := len(out); n > 0 && !out[n-1].End.Before(st) {
			out[n-1].End = en
			continue
		}
		out = append(out, Busy{Start: st, End: en})
	}
	return out, nil
}

// Collisions lists the busy intervals (bookings) that the time off overlaps,
// in time order, so the caller can decide about each before saving it.
func Collisions(t TimeOffRequest, loc *time.Location, busy []Busy) ([]Busy, error) {
	spans, err := t.Spans(loc)
	if err != nil {
		return nil, err
	}
	var out []Busy
	for _, b := range busy {
		for _, s := range spans {
			if b.Start.Before(s.End) && s.Start.Before(b.End) {
				out = append(out, b)
				break
			}
		}
	}
	slices.SortFunc(out, func(a, b Busy) int { return a.Start.Compare(b.Start) })
	return out, nil
}

// Decision is what to do with one booking a time off collides with.
type Decision struct {
	// Cancel cancels the booking (by the practitioner; the platform refunds
	// a paid one); false keeps it, time off notwithstanding.
	Cancel bool
	// Message is sent to the client with a cancellation (required then).
	Message string
}
