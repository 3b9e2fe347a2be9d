package practice

import (
	"context"
	"testing"
	"time"

	"github.com/calmally/practice/internal/apperr"
)

// A time of day for scheduled backups: saved beside the settings, and the
// tick waits for it (in India time) once a day's backup exists.
func TestBackupTimeOfDay(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.clock.Set(time.Date(2026, 3, 1, 4, 0, 0, 0, time.UTC)) // 09:30 in Kolkata
	p := f.open(t)
	mustCreate(t, p, true)
	s, err := p.BackupSettings(ctx)
	if err != nil || s.AtMinute != -1 {
		t.Fatalf("default time: %d %v", s.AtMinute, err)
	}
	s.Folder = t.TempDir()
	s.AtMinute = 13*60 + 15
	if s, err = p.SetBackupSettings(ctx, s); err != nil {
		t.Fatal(err)
	}
	if got, _ := p.BackupSettings(ctx); got.AtMinute != 13*60+15 {
		t.Fatalf("time read back: %d", got.AtMinute)
	}
	bad := s
	bad.AtMinute = 24 * 60
	if _, err := p.SetBackupSettings(ctx, bad); apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("24:00 accepted: %v", err)
	}
	// Never backed up: at once, whatever the time.
	if ran, err := p.BackupTick(ctx); !ran || err != nil {
		t.Fatalf("first backup: %v %v", ran, err)
	}
	if ran, _ := p.BackupTick(ctx); ran {
		t.Fatal("a second backup before the time")
	}
	f.clock.Advance(3*time.Hour + 45*time.Minute) // 13:15: the day's scheduled moment
	if ran, err := p.BackupTick(ctx); !ran || err != nil {
		t.Fatalf("at the time: %v %v", ran, err)
	}
	f.clock.Advance(20 * time.Hour) // 09:15 the next day: before 13:15
	if ran, err := p.BackupTick(ctx); ran || err != nil {
		t.Fatalf("before the time: %v %v", ran, err)
	}
	f.clock.Advance(4 * time.Hour) // 13:15
	if ran, err := p.BackupTick(ctx); !ran || err != nil {
		t.Fatalf("at the next day's time: %v %v", ran, err)
	}
	if ran, _ := p.BackupTick(ctx); ran {
		t.Fatal("a second backup the same day")
	}
}
