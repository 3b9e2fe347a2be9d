package consent

import (
	"time"

	"github.com/calmally/practice/internal/ids"
)

// newID returns a time-ordered UUIDv7 from the injected clock (see internal/ids).
func newID(now time.Time) string { return ids.New(now) }

// ValidID reports whether s is a canonical lowercase UUID, the only form of
// client and event id accepted.
func ValidID(s string) bool { return ids.Valid(s) }
