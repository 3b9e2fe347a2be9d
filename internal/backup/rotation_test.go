package backup

import (
	"slices"
	"testing"
	"time"
)

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	z, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return z
}

func TestFileNameRoundTrip(t *testing.T) {
	at := time.Date(2028, 2, 29, 23, 59, 59, 999, time.UTC)
	name := FileName(at)
	if name != "calmally-backup-20280229T235959Z.cbk" {
		t.Fatalf("name %q", name)
	}
	got, ok := ParseFileName(name)
	if !ok || !got.Equal(at.Truncate(time.Second)) {
		t.Fatalf("parse %q = %v %v", name, got, ok)
	}
	for _, bad := range []string{
		"calmally-backup-20280229T235959Z.cbk.tmp", ".calmally-backup-123.tmp", "notes.txt",
		"calmally-backup-20280230T000000Z.cbk", "calmally-backup-2028-02-29.cbk", "calmally-backup-20280229T235959+0530.cbk",
	} {
		if _, ok := ParseFileName(bad); ok {
			t.Errorf("%q parsed as a backup name", bad)
		}
	}
}

// series makes one backup name per step from start, count times.
func series(start time.Time, step time.Duration, count int) []string {
	var names []string
	for i := 0; i < count; i++ {
		names = append(names, FileName(start.Add(time.Duration(i)*step)))
	}
	return names
}

func names(ts ...time.Time) []string {
	var n []string
	for _, t := range ts {
		n = append(n, FileName(t))
	}
	return n
}

func utc(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, time.UTC) }

func TestPlan(t *testing.T) {
	kolkata := mustZone(t, "Asia/Kolkata")
	cases := []struct {
		name       string
		policy     Policy
		files      []string
		now        time.Time
		wantKeep   []string // nil: check only the count
		wantKeepN  int
		wantRemove []string
	}{
		{
			name:   "a year of daily backups keeps 7 + 4 weekly + 12 monthly, overlapping",
			policy: DefaultPolicy(time.UTC),
			files:  series(utc(2025, 3, 1, 9), 24*time.Hour, 366),
			now:    utc(2026, 3, 1, 12),
			// Daily: 1 Mar back to 23 Feb. Weekly adds 22, 15 and 8 Feb (1 Mar
			// is the Sunday ending its ISO week). Monthly adds the last day of
			// January 2026 back to April 2025 (March and February are already
			// kept by the daily rule).
			wantKeepN: 7 + 3 + 10,
		},
		{
			name:       "several backups a day: only the newest of each day",
			policy:     Policy{Daily: 2},
			files:      names(utc(2026, 3, 1, 8), utc(2026, 3, 1, 20), utc(2026, 3, 2, 8), utc(2026, 3, 2, 9), utc(2026, 3, 3, 1)),
			now:        utc(2026, 3, 3, 2),
			wantKeep:   names(utc(2026, 3, 3, 1), utc(2026, 3, 2, 9)),
			wantRemove: names(utc(2026, 3, 2, 8), utc(2026, 3, 1, 20), utc(2026, 3, 1, 8)),
		},
		{
			name: "days are the practice's days: 20:00 UTC is the next day in Kolkata",
			// 2026-03-01 19:00 UTC = 00:30 IST on 2 March; 2026-03-01 17:00 UTC = 22:30 IST on 1 March.
			policy:     Policy{Daily: 1, Zone: kolkata},
			files:      names(utc(2026, 3, 1, 17), utc(2026, 3, 1, 19)),
			now:        utc(2026, 3, 2, 0),
			wantKeep:   names(utc(2026, 3, 1, 19)),
			wantRemove: names(utc(2026, 3, 1, 17)),
		},
		{
			name:       "same instants in UTC are one day",
			policy:     Policy{Daily: 1},
			files:      names(utc(2026, 3, 1, 17), utc(2026, 3, 1, 19)),
			now:        utc(2026, 3, 2, 0),
			wantKeep:   names(utc(2026, 3, 1, 19)),
			wantRemove: names(utc(2026, 3, 1, 17)),
		},
		{
			name:   "monthly across a leap February and a year end",
			policy: Policy{Daily: 1, Monthly: 3},
			files: names(utc(2027, 12, 31, 9), utc(2028, 1, 31, 9), utc(2028, 2, 28, 9), utc(2028, 2, 29, 9),
				utc(2028, 3, 1, 9)),
			now:        utc(2028, 3, 1, 10),
			wantKeep:   names(utc(2028, 3, 1, 9), utc(2028, 2, 29, 9), utc(2028, 1, 31, 9)),
			wantRemove: names(utc(2028, 2, 28, 9), utc(2027, 12, 31, 9)),
		},
		{
			name:   "weekly uses ISO weeks: 2026-12-31 (Thu) and 2027-01-03 (Sun) are both week 53 of 2026",
			policy: Policy{Daily: 1, Weekly: 2},
			files:  names(utc(2026, 12, 27, 9), utc(2026, 12, 31, 9), utc(2027, 1, 3, 9), utc(2027, 1, 4, 9)),
			now:    utc(2027, 1, 4, 10),
			// week 2027-W01: Jan 4; week 2026-W53: Jan 3 (newest of Dec 28–Jan 3); Dec 27 is W52 (a third week).
			wantKeep:   names(utc(2027, 1, 4, 9), utc(2027, 1, 3, 9)),
			wantRemove: names(utc(2026, 12, 31, 9), utc(2026, 12, 27, 9)),
		},
		{
			name:       "gaps: the last 3 days that have backups, not the last 3 calendar days",
			policy:     Policy{Daily: 3},
			files:      names(utc(2026, 1, 1, 9), utc(2026, 1, 20, 9), utc(2026, 2, 10, 9), utc(2026, 3, 1, 9)),
			now:        utc(2026, 3, 1, 10),
			wantKeep:   names(utc(2026, 3, 1, 9), utc(2026, 2, 10, 9), utc(2026, 1, 20, 9)),
			wantRemove: names(utc(2026, 1, 1, 9)),
		},
		{
			name:       "a clock set back never deletes newer backups, and the newest is always kept",
			policy:     Policy{Daily: 1},
			files:      names(utc(2026, 3, 5, 9), utc(2026, 3, 4, 9), utc(2026, 3, 1, 9)),
			now:        utc(2026, 3, 1, 10),
			wantKeep:   names(utc(2026, 3, 5, 9), utc(2026, 3, 4, 9)),
			wantRemove: names(utc(2026, 3, 1, 9)),
		},
		{
			name:     "other files are never touched",
			policy:   Policy{Daily: 1},
			files:    append(names(utc(2026, 3, 1, 9)), "my-notes.txt", ".calmally-backup-123.tmp", "calmally-backup-x.cbk"),
			now:      utc(2026, 3, 1, 10),
			wantKeep: names(utc(2026, 3, 1, 9)),
		},
		{
			name:       "zero policy still keeps the newest",
			policy:     Policy{},
			files:      names(utc(2026, 3, 1, 9), utc(2026, 2, 1, 9)),
			now:        utc(2026, 3, 1, 10),
			wantKeep:   names(utc(2026, 3, 1, 9)),
			wantRemove: names(utc(2026, 2, 1, 9)),
		},
		{name: "nothing", policy: DefaultPolicy(nil), now: utc(2026, 3, 1, 10)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			keep, remove := c.policy.Plan(c.files, c.now)
			if c.wantKeep != nil || c.wantKeepN == 0 {
				if !slices.Equal(keep, c.wantKeep) {
					t.Errorf("keep %v\nwant %v", keep, c.wantKeep)
				}
				if !slices.Equal(remove, c.wantRemove) {
					t.Errorf("remove %v\nwant %v", remove, c.wantRemove)
				}
			} else if len(keep) != c.wantKeepN {
				t.Errorf("kept %d, want %d: %v", len(keep), c.wantKeepN, keep)
			}
			if len(keep)+len(remove) > len(c.files) {
				t.Error("more names out than in")
			}
		})
	}
}

func TestPlanIsStable(t *testing.T) {
	// Running rotation again on what it kept removes nothing more.
	p := DefaultPolicy(mustZone(t, "Asia/Kolkata"))
	files := series(utc(2024, 1, 1, 3), 7*time.Hour, 3000)
	now := utc(2026, 5, 1, 0)
	keep, _ := p.Plan(files, now)
	keep2, remove2 := p.Plan(keep, now)
	if len(remove2) != 0 || !slices.Equal(keep, keep2) {
		t.Fatalf("second pass removed %v", remove2)
	}
}
