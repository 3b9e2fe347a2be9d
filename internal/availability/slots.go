package availability

import (
	"slices"
	"time"
)

// Slot is one bookable session: instants in UTC, with the rule set's zone
// kept for display.
type Slot struct {
	Start    time.Time
	End      time.Time
	Modality Modality
	Location string // in-person only
	Zone     string
}

// Busy is a time that cannot be booked: a requested or confirmed booking.
type Busy struct {
	ID    string
	Start time.Time
	End   time.Time
}

// Opening is a span of open hours on one date (a weekly window or extra
// hours, less any partial time off), as instants. It is what a calendar
// shades and what iCalendar's AVAILABLE components carry.
type Opening struct {
	Start    time.Time
	End      time.Time
	Modality Modality
	Location string
	Zone     string
}

// interval is wall-clock minutes [start, end) on one date.
type interval struct {
	start, end Clock
	modality   Modality
}

// openings returns the wall-clock openings of date d under r (which must
// cover d): the weekly windows of its weekday unless a whole-day time off or
// holiday closes it, plus extra hours, less partial time off.
func (r RuleSet) openings(d Date) []interval {
	var open []interval
	closed := false
	var cuts []interval
	for _, e := range r.Exceptions {
		if d.Before(e.From) || e.last().Before(d) {
			continue
		}
		switch {
		case e.Kind == Extra:
			open = append(open, interval{*e.Start, *e.End, e.Modality})
		case e.wholeDay():
			closed = true
		default:
			cuts = append(cuts, interval{start: *e.Start, end: *e.End})
		}
	}
	if closed {
		return nil
	}
	wd := Weekday(d.Weekday())
	for _, w := range r.Weekly {
		if w.Day == wd {
			open = append(open, interval{w.Start, w.End, w.Modality})
		}
	}
	for _, c := range cuts {
		var next []interval
		for _, o := range open {
			if c.end <= o.start || o.end <= c.start {
				next = append(next, o)
				continue
			}
			if o.start < c.start {
				next = append(next, interval{o.start, c.start, o.modality})
			}
			if c.end < o.end {
				next = append(next, interval{c.end, o.end, o.modality})
			}
		}
		open = next
	}
	slices.SortFunc(open, func(a, b interval) int { return int(a.start) - int(b.start) })
	return open
}

// dates calls fn for every civil date, in r's zone, that may hold an
// instant in [from, to), within r's effective period.
func (r RuleSet) dates(from, to time.Time, fn func(Date)) {
	loc := r.Loc()
	// A day either side: a wall-clock window can map to instants on the
	// neighbouring UTC date (zones run from -12 to +14 hours).
	first, last := DateOf(from.In(loc)).AddDays(-1), DateOf(to.In(loc)).AddDays(1)
	if !r.EffectiveFrom.IsZero() && first.Before(r.EffectiveFrom) {
		first = r.EffectiveFrom
	}
	if !r.EffectiveUntil.IsZero() && r.EffectiveUntil.Before(last) {
		last = r.EffectiveUntil
	}
	for d := first; !last.Before(d); d = d.AddDays(1) {
		fn(d)
	}
}

func (r RuleSet) locationFor(m Modality) string {
	if m == InPerson {
		return r.Location
	}
	return ""
}

// Openings returns the open hours of every rule set that overlap [from, to),
// as instants, in time order. Notice, horizon and bookings do not apply.
func (s Schedule) Openings(from, to time.Time) []Opening {
	var out []Opening
	for _, r := range s.RuleSets {
		loc := r.Loc()
		r.dates(from, to, func(d Date) {
			for _, iv := range r.openings(d) {
				st, en := resolveSpan(d, iv.start, iv.end, loc)
				if st.IsZero() || !st.Before(to) || !from.Before(en) {
					continue
				}
				out = append(out, Opening{Start: st, End: en, Modality: iv.modality, Location: r.locationFor(iv.modality), Zone: r.Zone})
			}
		})
	}
	slices.SortFunc(out, func(a, b Opening) int { return a.Start.Compare(b.Start) })
	return out
}

// resolveSpan resolves wall-clock [start, end) on d to instants. An edge in
// a skipped hour moves to the nearest existing minute inside the span; a
// span with no existing minute is zero.
func resolveSpan(d Date, start, end Clock, loc *time.Location) (time.Time, time.Time) {
	var st, en time.Time
	for c := start; c < end; c++ {
		if t, ok := At(d, c, loc); ok {
			st = t
			break
		}
	}
	for c := end; c > start; c-- {
		if t, ok := At(d, c, loc); ok {
			en = t
			break
		}
	}
	if st.IsZero() || en.IsZero() || !st.Before(en) {
		return time.Time{}, time.Time{}
	}
	return st, en
}

// Slots expands the schedule to the bookable slots starting in [from, to):
// only those starting at or after now plus the minimum notice and before now
// plus the horizon, and not blocked by busy (each busy interval blocks any
// slot it overlaps once the slot is widened by the buffer on both sides).
// The result is in time order. See the package doc for clock changes.
func Slots(s Schedule, from, to, now time.Time, busy []Busy) []Slot {
	var out []Slot
	for _, r := range s.RuleSets {
		loc := r.Loc()
		session := time.Duration(r.SessionMinutes) * time.Minute
		buffer := time.Duration(r.BufferMinutes) * time.Minute
		earliest := now.Add(time.Duration(r.MinimumNoticeHours) * time.Hour)
		latest := now.AddDate(0, 0, r.HorizonDays)
		step := Clock(r.SessionMinutes + r.BufferMinutes)
		lo, hi := from, to
		if lo.Before(earliest) {
			lo = earliest
		}
		if latest.Before(hi) {
			hi = latest
		}
		if !lo.Before(hi) {
			continue
		}
		r.dates(lo, hi, func(d Date) {
			var prevEnd time.Time
			for _, iv := range r.openings(d) {
				for c := iv.start; c+Clock(r.SessionMinutes) <= iv.end; c += step {
					st, ok := At(d, c, loc)
					if !ok {
						continue // a skipped wall time: no slot (package doc)
					}
					en := st.Add(session)
					if !prevEnd.IsZero() && st.Before(prevEnd.Add(buffer)) {
						continue // the clock jumped inside the window
					}
					prevEnd = en
					if st.Before(lo) || !st.Before(hi) || blocked(st, en, buffer, busy) {
						continue
					}
					out = append(out, Slot{Start: st, End: en, Modality: iv.modality,
						Location: r.locationFor(iv.modality), Zone: r.Zone})
				}
			}
		})
	}
	slices.SortFunc(out, func(a, b Slot) int { return a.Start.Compare(b.Start) })
	return out
}

func blocked(st, en time.Time, buffer time.Duration, busy []Busy) bool {
	ws, we := st.Add(-buffer), en.Add(buffer)
	for _, b := range busy {
		if b.Start.Before(we) && ws.Before(b.End) {
			return true
		}
	}
	return false
}
