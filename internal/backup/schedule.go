package backup

import (
	"fmt"
	"time"
)

// Schedule is how often the app makes a backup on its own.
type Schedule string

// Schedules.
const (
	Off    Schedule = "off"
	Daily  Schedule = "daily"
	Weekly Schedule = "weekly"
)

// ParseSchedule accepts "off", "daily" and "weekly".
func ParseSchedule(s string) (Schedule, error) {
	switch Schedule(s) {
	case Off, Daily, Weekly:
		return Schedule(s), nil
	}
	return "", fmt.Errorf("backup: schedule must be off, daily or weekly")
}

// Due reports whether a scheduled backup should run at now, given when the
// last successful backup was made (zero: never). Days count in zone, as the
// therapist sees them: a daily backup is due once the calendar day has
// changed since the last one (so a laptop opened each morning backs up each
// morning, not 24 hours after yesterday's), a weekly one once seven calendar
// days have passed.
func (s Schedule) Due(last, now time.Time, zone *time.Location) bool {
	if s == Off || s == "" {
		return false
	}
	if last.IsZero() {
		return true
	}
	if zone == nil {
		zone = time.UTC
	}
	days := civilDays(last.In(zone), now.In(zone))
	switch s {
	case Daily:
		return days >= 1
	case Weekly:
		return days >= 7
	}
	return false
}

// DueAt is Due with a time of day, minute minutes after midnight in zone
// (minute < 0: any time, as Due). A scheduled backup is due once the last
// successful one is older than the most recent scheduled moment: today at
// that time once it has passed, else yesterday's (weekly: six days before
// that). So a laptop that was closed at the time backs up when next opened,
// and one opened early waits for the time. Never backed up: due at once.
func (s Schedule) DueAt(last, now time.Time, zone *time.Location, minute int) bool {
	if minute < 0 || minute >= 24*60 {
		return s.Due(last, now, zone)
	}
	if s == Off || s == "" {
		return false
	}
	if last.IsZero() {
		return true
	}
	if zone == nil {
		zone = time.UTC
	}
	n := now.In(zone)
	slot := time.Date(n.Year(), n.Month(), n.Day(), minute/60, minute%60, 0, 0, zone)
	if n.Before(slot) {
		slot = time.Date(n.Year(), n.Month(), n.Day()-1, minute/60, minute%60, 0, 0, zone)
	}
	if s == Weekly {
		slot = time.Date(slot.Year(), slot.Month(), slot.Day()-6, minute/60, minute%60, 0, 0, zone)
	}
	return last.Before(slot)
}

// civilDays counts calendar days from a to b (negative when b is earlier),
// ignoring the time of day and DST.
func civilDays(a, b time.Time) int {
	da := time.Date(a.Year(), a.Month(), a.Day(), 0, 0, 0, 0, time.UTC)
	db := time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, time.UTC)
	return int(db.Sub(da).Hours() / 24)
}

// StaleAfter is how long without a verified backup before the app warns.
const StaleAfter = 7 * 24 * time.Hour

// Stale reports whether the app should warn that no verified backup exists:
// the last verified backup (or, if there is none, the vault's creation) is
// more than StaleAfter before now.
func Stale(lastVerified, vaultCreated, now time.Time) bool {
	ref := lastVerified
	if ref.IsZero() {
		ref = vaultCreated
	}
	return now.Sub(ref) > StaleAfter
}
