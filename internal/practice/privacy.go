package practice

import (
	"context"
	"encoding/json"
	"log/slog"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
)

// Usage-data choices kept on this computer (Settings → Privacy). The app
// collects no analytics and sends no crash reports, so there is nothing to
// opt out of there; what it does keep is its own log file, and how much goes
// into it is the practitioner's choice. The choices that concern the
// platform (pausing match proposals, marketing e-mails) live in the profile
// document (profile.Preferences) and reach the platform with it.

// Diagnostics levels of the log file.
const (
	DiagnosticsStandard = "standard" // informational lines too (profile opened, backups done)
	DiagnosticsMinimal  = "minimal"  // warnings and errors only
)

// metaPrivacy holds the choices in the meta table: the log level must be
// known before the vault is unlocked, and it says nothing about clients.
const metaPrivacy = "settings.privacy"

// Privacy is the usage-data settings of this profile.
type Privacy struct {
	Diagnostics string `json:"diagnostics"`
}

// Privacy returns the profile's usage-data settings (standard by default).
func (p *Practice) Privacy(ctx context.Context) Privacy {
	s := Privacy{Diagnostics: DiagnosticsStandard}
	if b, err := p.db.Meta(ctx, metaPrivacy); err == nil {
		var stored Privacy
		if json.Unmarshal(b, &stored) == nil && validDiagnostics(stored.Diagnostics) {
			s = stored
		}
	}
	return s
}

func validDiagnostics(s string) bool { return s == DiagnosticsStandard || s == DiagnosticsMinimal }

// SetPrivacy stores the settings, applies the log level at once and audits
// the change. It needs the vault unlocked: a choice about the practitioner's
// data is theirs to make.
func (p *Practice) SetPrivacy(ctx context.Context, s Privacy) (Privacy, error) {
	if !validDiagnostics(s.Diagnostics) {
		return Privacy{}, apperr.New(apperr.Invalid, "privacy: diagnostics must be standard or minimal")
	}
	if _, err := p.AuditChain(); err != nil {
		return Privacy{}, err
	}
	old := p.Privacy(ctx)
	b, _ := json.Marshal(s)
	if err := p.db.SetMeta(ctx, metaPrivacy, b); err != nil {
		return Privacy{}, err
	}
	p.diag.Set(diagnosticsLevel(s.Diagnostics))
	if old != s {
		p.record(ctx, p.auditEntry(audit.ActionEdit, recordTypeSettings, "privacy", audit.D("diagnostics", s.Diagnostics)))
	}
	return s, nil
}

func diagnosticsLevel(s string) slog.Level {
	if s == DiagnosticsMinimal {
		return slog.LevelWarn
	}
	return slog.LevelInfo
}

// loadPrivacy applies the stored log level when the profile opens.
func (p *Practice) loadPrivacy(ctx context.Context) {
	p.diag.Set(diagnosticsLevel(p.Privacy(ctx).Diagnostics))
}

// levelGate drops records below a level that can change while the logger is
// in use (the app keeps the logger it got at start).
type levelGate struct {
	slog.Handler
	min *slog.LevelVar
}

func gateLogger(l *slog.Logger, min *slog.LevelVar) *slog.Logger {
	return slog.New(levelGate{Handler: l.Handler(), min: min})
}

func (g levelGate) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= g.min.Level() && g.Handler.Enabled(ctx, l)
}

func (g levelGate) WithAttrs(as []slog.Attr) slog.Handler {
	return levelGate{Handler: g.Handler.WithAttrs(as), min: g.min}
}

func (g levelGate) WithGroup(name string) slog.Handler {
	return levelGate{Handler: g.Handler.WithGroup(name), min: g.min}
}
