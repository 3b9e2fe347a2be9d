package availability

import (
	"fmt"
	"strconv"
	"time"

	"github.com/calmally/practice/internal/apperr"
)

// Date is a civil date in the rule set's zone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

const dateLayout = "2006-01-02"

// ParseDate reads YYYY-MM-DD, refusing impossible days (2027-02-29).
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return Date{}, apperr.New(apperr.Invalid, "dates are YYYY-MM-DD and must exist in the calendar")
	}
	return DateOf(t), nil
}

// DateOf is the civil date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// IsZero reports whether d is unset.
func (d Date) IsZero() bool { return d == Date{} }

func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.utc().Format(dateLayout)
}

func (d Date) utc() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// AddDays returns d moved by n calendar days (month ends and leap days
// handled by the calendar, not by adding hours).
func (d Date) AddDays(n int) Date { return DateOf(d.utc().AddDate(0, 0, n)) }

// Before reports whether d is earlier than e.
func (d Date) Before(e Date) bool { return d.utc().Before(e.utc()) }

// Weekday is d's day of the week.
func (d Date) Weekday() time.Weekday { return d.utc().Weekday() }

// MarshalText implements encoding.TextMarshaler.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler; "" is the zero Date.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Clock is a wall-clock time of day in minutes after midnight, 0..1440
// ("24:00" is the end of the day and only valid as a window end).
type Clock int

// ParseClock reads HH:MM (00:00–24:00).
func ParseClock(s string) (Clock, error) {
	bad := apperr.New(apperr.Invalid, "times are HH:MM between 00:00 and 24:00")
	if len(s) != 5 || s[2] != ':' {
		return 0, bad
	}
	h, err1 := strconv.Atoi(s[:2])
	m, err2 := strconv.Atoi(s[3:])
	if err1 != nil || err2 != nil || h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && m != 0) ||
		s[0] == '+' || s[0] == '-' || s[3] == '+' || s[3] == '-' {
		return 0, bad
	}
	return Clock(h*60 + m), nil
}

func (c Clock) String() string { return fmt.Sprintf("%02d:%02d", int(c)/60, int(c)%60) }

// MarshalText implements encoding.TextMarshaler.
func (c Clock) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (c *Clock) UnmarshalText(b []byte) error {
	v, err := ParseClock(string(b))
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// At resolves wall-clock minute c of date d in loc to an instant. ok is
// false when that wall time does not exist on d (skipped by a
// spring-forward change); when it exists twice (fall-back) the first
// occurrence is returned. Go's time.Date leaves both cases unspecified, so
// the candidates are checked explicitly: the wall time minus each UTC
// offset the zone uses around that day.
func At(d Date, c Clock, loc *time.Location) (t time.Time, ok bool) {
	// A "24:00" end is midnight of the next day.
	if c == 1440 {
		d, c = d.AddDays(1), 0
	}
	h, m := int(c)/60, int(c)%60
	wall := time.Date(d.Year, d.Month, d.Day, h, m, 0, 0, time.UTC)
	seen := map[int]bool{}
	var best time.Time
	for _, probe := range []time.Duration{-36 * time.Hour, -12 * time.Hour, 0, 12 * time.Hour, 36 * time.Hour} {
		_, off := wall.Add(probe).In(loc).Zone()
		if seen[off] {
			continue
		}
		seen[off] = true
		cand := wall.Add(-time.Duration(off) * time.Second)
		l := cand.In(loc)
		if l.Year() == d.Year && l.Month() == d.Month && l.Day() == d.Day && l.Hour() == h && l.Minute() == m {
			if !ok || cand.Before(best) {
				best, ok = cand, true
			}
		}
	}
	return best.UTC(), ok
}
