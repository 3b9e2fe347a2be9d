package availability

import (
	"fmt"
	"strconv"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/civil"
)

// Date is a civil date in the rule set's zone (see internal/civil).
type Date = civil.Date

// ParseDate reads YYYY-MM-DD, refusing impossible days (2027-02-29).
func ParseDate(s string) (Date, error) { return civil.ParseDate(s) }

// DateOf is the civil date of t in t's location.
func DateOf(t time.Time) Date { return civil.DateOf(t) }

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
