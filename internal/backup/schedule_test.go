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

func TestDueAt(t *testing.T) {
	kol, err := time.LoadLocation("Asia/Kolkata")
	if err != nil {
		t.Fatal(err)
	}
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	at := func(z *time.Location, s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, z)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	const oneFifteen = 13*60 + 15
	cases := []struct {
		name   string
		s      Schedule
		last   string
		now    string
		zone   *time.Location
		minute int
		want   bool
	}{
		{"daily: never backed up, before the time", Daily, "", "2026-03-02 08:00", kol, oneFifteen, true},
		{"daily: yesterday's done, today's time not yet", Daily, "2026-03-01 13:15", "2026-03-02 13:14", kol, oneFifteen, false},
		{"daily: at today's time", Daily, "2026-03-01 13:15", "2026-03-02 13:15", kol, oneFifteen, true},
		{"daily: done today after the time", Daily, "2026-03-02 13:20", "2026-03-02 23:59", kol, oneFifteen, false},
		{"daily: missed yesterday (laptop closed), opened before today's time", Daily, "2026-02-28 13:15", "2026-03-02 08:00", kol, oneFifteen, true},
		{"daily: done early this morning, before the time", Daily, "2026-03-02 07:00", "2026-03-02 12:00", kol, oneFifteen, false},
		{"daily: across a month end", Daily, "2026-02-28 13:15", "2026-03-01 13:15", kol, oneFifteen, true},
		{"daily: DST spring forward (02:30 does not exist)", Daily, "2026-03-07 02:30", "2026-03-08 03:30", ny, 2*60 + 30, true},
		{"daily: DST fall back", Daily, "2026-10-31 13:15", "2026-11-01 13:14", ny, oneFifteen, false},
		{"weekly: six days on", Weekly, "2026-03-02 13:15", "2026-03-08 23:00", kol, oneFifteen, false},
		{"weekly: seven days on, at the time", Weekly, "2026-03-02 13:15", "2026-03-09 13:15", kol, oneFifteen, true},
		{"off", Off, "", "2026-03-02 13:15", kol, oneFifteen, false},
		{"any time: as Due", Daily, "2026-03-01 23:00", "2026-03-02 00:01", kol, -1, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var last time.Time
			if c.last != "" {
				last = at(c.zone, c.last)
			}
			if got := c.s.DueAt(last, at(c.zone, c.now), c.zone, c.minute); got != c.want {
				t.Fatalf("DueAt = %v, want %v", got, c.want)
			}
		})
	}
}
