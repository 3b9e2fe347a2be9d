package erasure

import (
	"time"

	"github.com/calmally/practice/internal/ids"
)

// newID returns a time-ordered UUIDv7 from the injected clock (see internal/ids).
func newID(now time.Time) string { return ids.New(now) }
