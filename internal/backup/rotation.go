package backup

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// File names: calmally-backup-20260301T090000Z.cbk — UTC to the second, so
// that names sort in time order and carry nothing about the practice.
const (
	namePrefix = "calmally-backup-"
	nameSuffix = ".cbk"
	nameTime   = "20060102T150405Z"
)

// FileName is the name of a backup made at t.
func FileName(t time.Time) string {
	return namePrefix + t.UTC().Format(nameTime) + nameSuffix
}

// ParseFileName returns the time in a backup file name, and false for any
// other name (temporary files, the user's own files), which rotation never
// touches.
func ParseFileName(name string) (time.Time, bool) {
	s, ok := strings.CutPrefix(name, namePrefix)
	if !ok {
		return time.Time{}, false
	}
	s, ok = strings.CutSuffix(s, nameSuffix)
	if !ok {
		return time.Time{}, false
	}
	t, err := time.Parse(nameTime, s)
	if err != nil || FileName(t) != name {
		return time.Time{}, false
	}
	return t, true
}

// Policy says how many backups rotation keeps: the newest of each of the
// last Daily days, Weekly ISO weeks and Monthly months that have a backup
// (restic's keep-daily/-weekly/-monthly rule). Days, weeks and months are
// counted in Zone (the practice's time zone; UTC if nil).
type Policy struct {
	Daily, Weekly, Monthly int
	Zone                   *time.Location
}

// DefaultPolicy keeps 7 daily, 4 weekly and 12 monthly backups.
func DefaultPolicy(zone *time.Location) Policy {
	return Policy{Daily: 7, Weekly: 4, Monthly: 12, Zone: zone}
}

// Plan splits the backup files in names into those to keep and those to
// remove. Names it does not recognise appear in neither list. The newest
// backup is always kept, and so is any backup dated after now (a clock set
// back must not delete newer backups). Both lists are sorted newest first.
func (p Policy) Plan(names []string, now time.Time) (keep, remove []string) {
	zone := p.Zone
	if zone == nil {
		zone = time.UTC
	}
	type file struct {
		name string
		at   time.Time
	}
	var files []file
	for _, n := range names {
		if t, ok := ParseFileName(n); ok {
			files = append(files, file{n, t})
		}
	}
	// Newest first; equal times (impossible for names, but cheap) by name.
	slices.SortFunc(files, func(a, b file) int {
		if c := b.at.Compare(a.at); c != 0 {
			return c
		}
		return strings.Compare(b.name, a.name)
	})
	kept := make(map[string]bool)
	bucketed := func(n int, bucket func(t time.Time) string) {
		seen := make(map[string]bool)
		for _, f := range files {
			if len(seen) >= n {
				return
			}
			b := bucket(f.at.In(zone))
			if !seen[b] {
				seen[b] = true
				kept[f.name] = true
			}
		}
	}
	bucketed(p.Daily, func(t time.Time) string { return t.Format("2006-01-02") })
	bucketed(p.Weekly, func(t time.Time) string {
		y, w := t.ISOWeek()
		return fmt.Sprintf("%d-W%02d", y, w)
	})
	bucketed(p.Monthly, func(t time.Time) string { return t.Format("2006-01") })
	if len(files) > 0 {
		kept[files[0].name] = true
	}
	for _, f := range files {
		if kept[f.name] || f.at.After(now) {
			keep = append(keep, f.name)
		} else {
			remove = append(remove, f.name)
		}
	}
	return keep, remove
}
