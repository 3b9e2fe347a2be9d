package clients

import (
	"fmt"
	"time"
)

// Date is a civil date (no time, no zone), such as a date of birth.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// dateLayout is the only accepted text form of a Date.
const dateLayout = "2006-01-02"

// ParseDate reads YYYY-MM-DD and rejects dates that do not exist (2023-02-29).
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(dateLayout, s)
	if err != nil || len(s) != len(dateLayout) {
		return Date{}, fmt.Errorf("parse date: want YYYY-MM-DD")
	}
	return DateOf(t), nil
}

// DateOf is the civil date of t in t's own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// String is YYYY-MM-DD, or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// IsZero reports whether d is unset.
func (d Date) IsZero() bool { return d == Date{} }

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int {
	switch {
	case d.Year != e.Year:
		return cmpInt(d.Year, e.Year)
	case d.Month != e.Month:
		return cmpInt(int(d.Month), int(e.Month))
	default:
		return cmpInt(d.Day, e.Day)
	}
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// India is the zone in which "today" is decided for age rules: UTC+05:30,
// without daylight saving.
var India = time.FixedZone("IST", 5*60*60+30*60)

// TodayInIndia is the civil date in India at instant now.
func TodayInIndia(now time.Time) Date { return DateOf(now.In(India)) }

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

// anniversary is d's anniversary in year y. A 29 February date falls on
// 1 March in years without a 29 February: a person born on 29 February
// reaches an age on 1 March in common years (the later, stricter choice for
// an adults-only rule).
func (d Date) anniversary(y int) Date {
	if d.Month == time.February && d.Day == 29 && !isLeap(y) {
		return Date{y, time.March, 1}
	}
	return Date{y, d.Month, d.Day}
}

// MarshalText writes YYYY-MM-DD.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads YYYY-MM-DD; empty text is the zero Date.
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
