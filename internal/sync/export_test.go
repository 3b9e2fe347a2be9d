package sync

import "time"

// SetPageApplyLimit sets pageApplyLimit for a test and returns the undo.
func SetPageApplyLimit(d time.Duration) func() {
	old := pageApplyLimit
	pageApplyLimit = d
	return func() { pageApplyLimit = old }
}
