package notes

import (
	"time"

	"github.com/calmally/practice/internal/civil"
)

// Date is a civil date (no time, no zone): the day a session took place, as
// the practitioner's calendar shows it (see internal/civil).
type Date = civil.Date

// ParseDate reads YYYY-MM-DD, refusing impossible days (2023-02-29, 2024-04-31).
func ParseDate(s string) (Date, error) { return civil.ParseDate(s) }

// DateOf is the civil date of t in t's location.
func DateOf(t time.Time) Date { return civil.DateOf(t) }
