package practice

import (
	"context"
	"encoding/json"
)

// The time of day of scheduled backups. It names no client, so it lives in
// the meta table beside the other plain settings, not in the sealed
// backup_settings row (whose schema has no place for it).
const metaBackupTime = "settings.backup_time"

type backupTimeSetting struct {
	// AtMinute is minutes after midnight in the practice's zone; -1: the
	// first time the app is open and unlocked on a due day.
	AtMinute int `json:"atMinute"`
}

func (p *Practice) backupAtMinute(ctx context.Context) int {
	b, err := p.db.Meta(ctx, metaBackupTime)
	if err != nil {
		return -1
	}
	var s backupTimeSetting
	if json.Unmarshal(b, &s) != nil || s.AtMinute < -1 || s.AtMinute >= 24*60 {
		return -1
	}
	return s.AtMinute
}

func (p *Practice) setBackupAtMinute(ctx context.Context, m int) error {
	b, _ := json.Marshal(backupTimeSetting{AtMinute: m})
	return p.db.SetMeta(ctx, metaBackupTime, b)
}
