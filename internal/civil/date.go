// Package civil is the calendar date without a time or zone — a session day,
// an effective-from date, a date of birth — shared by the domain packages so
// they agree on parsing (YYYY-MM-DD, impossible days refused), ordering and
// day arithmetic across month ends and leap days.
package civil

import (
	"time"

	"github.com/calmally/practice/internal/apperr"
)

// Date is a civil date; its zero value means "unset".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

const layout = "2006-01-02"

// ParseDate reads YYYY-MM-DD, refusing impossible days (2027-02-29, 2024-04-31).
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(layout, s)
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

// String is YYYY-MM-DD, or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.Midnight().Format(layout)
}

// Midnight is the start of d in UTC: a stable instant for ordering, day
// arithmetic and clocks such as last_interaction_at.
func (d Date) Midnight() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// AddDays returns d moved by n calendar days (month ends and leap days are
// handled by the calendar, not by adding hours).
func (d Date) AddDays(n int) Date { return DateOf(d.Midnight().AddDate(0, 0, n)) }

// Before reports whether d is earlier than e.
func (d Date) Before(e Date) bool { return d.Midnight().Before(e.Midnight()) }

// After reports whether d is later than e.
func (d Date) After(e Date) bool { return d.Midnight().After(e.Midnight()) }

// Weekday is d's day of the week.
func (d Date) Weekday() time.Weekday { return d.Midnight().Weekday() }

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
