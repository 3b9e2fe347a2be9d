package notes

import (
	"time"

	"github.com/calmally/practice/internal/ids"
)

// newID returns a time-ordered UUIDv7 from the injected clock (see internal/ids).
func newID(now time.Time) string { return ids.New(now) }

// validID accepts only canonical lowercase UUIDs, which keeps arbitrary text
// out of queries and the audit trail.
func validID(s string) bool { return ids.Valid(s) }
