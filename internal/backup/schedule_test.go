package backup

import (
	"testing"
	"time"
)

func TestDue(t *testing.T) {
	kolkata := mustZone(t, "Asia/Kolkata")
	newYork := mustZone(t, "America/New_York")
	cases := []struct {
		name      string
		s         Schedule
		last, now time.Time
		zone      *time.Location
		want      bool
	}{
		{"never backed up", Daily, time.Time{}, utc(2026, 3, 1, 9), nil, true},
		{"off never runs", Off, time.Time{}, utc(2026, 3, 1, 9), nil, false},
		{"same day", Daily, utc(2026, 3, 1, 1), utc(2026, 3, 1, 23), time.UTC, false},
		{"next morning, under 24 h", Daily, utc(2026, 3, 1, 10), utc(2026, 3, 2, 8), time.UTC, true},
		// 18:00 UTC on 1 March is 23:30 IST; 19:00 UTC is 00:30 IST on 2 March.
		{"midnight in Kolkata, not in UTC", Daily, utc(2026, 3, 1, 18), utc(2026, 3, 1, 19), kolkata, true},
		{"same Kolkata day", Daily, utc(2026, 3, 1, 19), utc(2026, 3, 2, 17), kolkata, false},
		{"month end", Daily, utc(2026, 1, 31, 12), utc(2026, 2, 1, 0), time.UTC, true},
		{"leap day", Daily, utc(2028, 2, 28, 12), utc(2028, 2, 29, 0), time.UTC, true},
		{"weekly: six days", Weekly, utc(2026, 3, 1, 9), utc(2026, 3, 7, 23), time.UTC, false},
		{"weekly: seven days", Weekly, utc(2026, 3, 1, 9), utc(2026, 3, 8, 0), time.UTC, true},
		{"weekly across a leap February", Weekly, utc(2028, 2, 24, 9), utc(2028, 3, 2, 1), time.UTC, true},
		// DST starts 8 March 2026 in New York: a 23-hour day is still one day.
		{"DST spring forward", Daily, time.Date(2026, 3, 7, 23, 30, 0, 0, newYork), time.Date(2026, 3, 8, 0, 10, 0, 0, newYork), newYork, true},
		{"DST weekly", Weekly, time.Date(2026, 3, 2, 12, 0, 0, 0, newYork), time.Date(2026, 3, 9, 0, 10, 0, 0, newYork), newYork, true},
		{"clock set back", Daily, utc(2026, 3, 5, 9), utc(2026, 3, 1, 9), time.UTC, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.s.Due(c.last, c.now, c.zone); got != c.want {
				t.Fatalf("Due = %v, want %v", got, c.want)
			}
		})
	}
}

func TestStale(t *testing.T) {
	created := utc(2026, 1, 1, 9)
	cases := []struct {
		name     string
		verified time.Time
		now      time.Time
		want     bool
	}{
		{"new vault, never backed up", time.Time{}, utc(2026, 1, 3, 9), false},
		{"vault 7 days old exactly", time.Time{}, utc(2026, 1, 8, 9), false},
		{"vault just over 7 days, never verified", time.Time{}, utc(2026, 1, 8, 10), true},
		{"verified 6 days ago", utc(2026, 2, 23, 9), utc(2026, 3, 1, 9), false},
		{"verified 8 days ago across February", utc(2026, 2, 21, 9), utc(2026, 3, 1, 9), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Stale(c.verified, created, c.now); got != c.want {
				t.Fatalf("Stale = %v, want %v", got, c.want)
			}
		})
	}
}

func TestParseSchedule(t *testing.T) {
	for _, s := range []string{"off", "daily", "weekly"} {
		if _, err := ParseSchedule(s); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
	for _, s := range []string{"", "hourly", "Daily"} {
		if _, err := ParseSchedule(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
}
