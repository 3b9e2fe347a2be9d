package practice

import (
	"context"
	"encoding/json"
	"time"

	"github.com/calmally/practice/internal/apperr"
)

// Settings that must be readable while locked (they shape the lock screen)
// and hold nothing about clients live in the meta table.
const metaSettings = "settings.security"

var errInvalidAutoLock = apperr.New(apperr.Invalid, "auto-lock must be between 1 minute and 4 hours")

type securitySettings struct {
	AutoLockMinutes int `json:"autoLockMinutes"`
}

func (p *Practice) saveSettings(ctx context.Context) error {
	b, _ := json.Marshal(securitySettings{AutoLockMinutes: int(p.idle.timeout() / time.Minute)})
	return p.db.SetMeta(ctx, metaSettings, b)
}

func (p *Practice) loadSettings(ctx context.Context) {
	b, err := p.db.Meta(ctx, metaSettings)
	if err != nil {
		return
	}
	var s securitySettings
	if json.Unmarshal(b, &s) == nil && s.AutoLockMinutes > 0 {
		p.idle.after = time.Duration(s.AutoLockMinutes) * time.Minute
	}
}
