package notes

import (
	"time"

	"github.com/calmally/practice/internal/apperr"
)

// Date is a civil date (no time, no zone): the day a session took place, as
// the practitioner's calendar shows it.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

const dateLayout = "2006-01-02"

// ParseDate reads YYYY-MM-DD, refusing impossible days (2023-02-29, 2024-04-31).
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

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// String is YYYY-MM-DD, or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.Midnight().Format(dateLayout)
}

// Midnight is the start of d in UTC (how a session date becomes an instant
// for last_interaction_at and retention clocks).
func (d Date) Midnight() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// AddDays returns d moved by n days.
func (d Date) AddDays(n int) Date { return DateOf(d.Midnight().AddDate(0, 0, n)) }

// After reports whether d is later than e.
func (d Date) After(e Date) bool { return d.Midnight().After(e.Midnight()) }

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
