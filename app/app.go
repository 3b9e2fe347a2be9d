// Package app is the only Go code that knows Wails: the bound struct whose
// methods the UI calls, the DTOs they exchange, and the event names. It is
// thin on purpose — decode, call a service, map errors, emit events. Rules,
// SQL and crypto live in internal/.
package app

import (
	"context"
	"encoding/base64"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/buildinfo"
	"github.com/calmally/practice/internal/logging"
	"github.com/calmally/practice/internal/practice"
	"github.com/calmally/practice/internal/vault"
)

// Config is what main passes in.
type Config struct {
	DataDir  string
	Keychain vault.Keychain         // nil: OS keychain
	KDF      func() vault.KDFParams // nil: calibrated
}

// App is bound to the UI. Every exported method is callable from
// frontend/src/api/ as window.go.app.App.<Method>.
type App struct {
	cfg     Config
	ctx     context.Context
	rt      Runtime
	log     *slog.Logger
	mu      sync.Mutex
	p       *practice.Practice
	openErr error
	// pendingCode is the recovery code shown but not yet typed back.
	pendingCode string
	rekeying    bool
	exp         exportState  // the running export (export.go)
	prof        profileState // which practitioner's profile is open (profiles.go)
}

// Lifecycle holds the hooks Wails calls; they are kept off App so that they
// are not bound as UI methods.
type Lifecycle struct{ a *App }

// New builds the bound app and its lifecycle hooks.
func New(cfg Config) (*App, *Lifecycle) {
	a := &App{cfg: cfg, rt: NopRuntime{}, log: logging.Discard(), ctx: context.Background()}
	return a, &Lifecycle{a: a}
}

// Startup opens the profile (locked) and starts the idle auto-lock.
func (l *Lifecycle) Startup(ctx context.Context) { l.a.start(ctx, wailsRuntime{ctx: ctx}) }

// Shutdown locks and closes the profile.
func (l *Lifecycle) Shutdown(ctx context.Context) { l.a.stop() }

func (a *App) start(ctx context.Context, rt Runtime) {
	a.ctx, a.rt = ctx, rt
	a.mu.Lock()
	defer a.mu.Unlock()
	// The profile opened last (several practitioners on one computer), or
	// the data folder itself (profiles.go).
	a.openProfileLocked(a.startProfile())
}

// openPractice opens one profile folder and starts its background jobs
// until ctx ends (a profile switch cancels it).
func (a *App) openPractice(ctx context.Context, dir string, onLock func(reason string)) (*practice.Practice, error) {
	p, err := practice.Open(ctx, practice.Options{
		DataDir:  dir,
		Keychain: a.cfg.Keychain,
		KDF:      a.cfg.KDF,
		OnLock:   onLock,
		Sync:     syncOptions(), // background sync while unlocked (sync.go)
	})
	if err != nil {
		return nil, err
	}
	a.startJobs(ctx, p)
	return p, nil
}

// startJobs wires an open profile's sync callbacks and starts its background
// jobs until ctx ends.
func (a *App) startJobs(ctx context.Context, p *practice.Practice) {
	a.wireSync(p)
	go p.RunIdleLock(ctx, 15*time.Second)
	go p.RunBackupSchedule(ctx)    // scheduled backups while open and unlocked (backup.go)
	go p.RunRetentionSchedule(ctx) // the daily retention run, at the first look after unlock (retention.go)
	go p.RunReminderSchedule(ctx)  // automatic session reminders, with consent (session_controls.go)
}

func (a *App) stop() {
	a.mu.Lock()
	p := a.p
	a.mu.Unlock()
	if p != nil {
		p.Close()
	}
}

// practice returns the open profile or the error that kept it closed.
func (a *App) practice() (*practice.Practice, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.p == nil {
		if a.openErr != nil {
			return nil, a.openErr
		}
		return nil, apperr.New(apperr.Internal, "the profile is not open yet")
	}
	return a.p, nil
}

// uiError turns an error into the "code: message" string the UI shows;
// anything uncoded becomes "internal: Internal error." and its detail is
// logged (redacted).
func (a *App) uiError(op string, err error) error {
	if err == nil {
		return nil
	}
	code := apperr.CodeOf(err)
	if code == apperr.Internal {
		a.log.Error("operation failed", "op", op, "err", err)
	}
	if code == apperr.Integrity {
		a.rt.Emit(EventIntegrityError, MessageEvent{Message: apperr.MessageOf(err)})
	}
	return errors.New(code + ": " + apperr.MessageOf(err))
}

// Version identifies the build and the profile folder.
func (a *App) Version() (VersionDTO, error) {
	return VersionDTO{Version: buildinfo.Version, Commit: buildinfo.Commit(), DataDir: a.currentDir()}, nil
}

// Status tells the UI whether to show onboarding, the lock screen or the app.
func (a *App) Status() (StatusDTO, error) {
	p, err := a.practice()
	if err != nil {
		return StatusDTO{}, a.uiError("status", err)
	}
	s := p.Status(a.ctx)
	return StatusDTO{
		Initialized:        s.Initialized,
		Locked:             s.Locked,
		KeychainAvailable:  s.KeychainAvailable,
		KeychainProblem:    s.KeychainProblem,
		PassphraseOnly:     s.PassphraseOnly,
		AutoLockMinutes:    int(s.AutoLock / time.Minute),
		UnlockDelaySeconds: int((s.UnlockDelay + time.Second - 1) / time.Second),
	}, nil
}

// CheckPassphrase rates a candidate passphrase for the strength meter.
func (a *App) CheckPassphrase(passphrase string) (StrengthDTO, error) {
	s := vault.CheckPassphrase(passphrase, nil)
	sugg := s.Suggestions
	if sugg == nil {
		sugg = []string{}
	}
	return StrengthDTO{Score: s.Score, Acceptable: s.Acceptable, Warning: s.Warning, Suggestions: sugg, CrackTime: s.CrackTime}, nil
}

func (a *App) shown(res practice.CreateResult) CreateVaultDTO {
	a.mu.Lock()
	a.pendingCode = res.RecoveryCode
	a.mu.Unlock()
	return CreateVaultDTO{RecoveryCode: res.RecoveryCode, RecoveryKitPDF: base64.StdEncoding.EncodeToString(res.RecoveryKit)}
}

// CreateVault creates the vault on first run and leaves it unlocked.
func (a *App) CreateVault(req CreateVaultRequest) (CreateVaultDTO, error) {
	p, err := a.practice()
	if err != nil {
		return CreateVaultDTO{}, a.uiError("create", err)
	}
	res, err := p.Create(a.ctx, []byte(req.Passphrase), req.PassphraseOnly)
	if err != nil {
		return CreateVaultDTO{}, a.uiError("create", err)
	}
	a.rt.Emit(EventVaultUnlocked, nil)
	return a.shown(res), nil
}

// ConfirmRecoveryCode checks that the user saved the code just shown.
func (a *App) ConfirmRecoveryCode(code string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.pendingCode == "" {
		return a.uiError("confirm", apperr.New(apperr.NotFound, "there is no recovery code waiting to be confirmed"))
	}
	want, _ := vault.NormalizeRecoveryCode(a.pendingCode)
	got, err := vault.NormalizeRecoveryCode(code)
	if err != nil || got != want {
		return a.uiError("confirm", apperr.New(apperr.Invalid, "that is not the recovery code shown; check each group and try again"))
	}
	a.pendingCode = ""
	return nil
}

// Unlock opens the vault.
func (a *App) Unlock(passphrase string) (StatusDTO, error) {
	p, err := a.practice()
	if err != nil {
		return StatusDTO{}, a.uiError("unlock", err)
	}
	if err := p.Unlock(a.ctx, []byte(passphrase)); err != nil {
		return StatusDTO{}, a.uiError("unlock", err)
	}
	a.rt.Emit(EventVaultUnlocked, nil)
	return a.Status()
}

// Lock locks the vault now.
func (a *App) Lock() error {
	p, err := a.practice()
	if err != nil {
		return a.uiError("lock", err)
	}
	p.Lock(a.ctx, "user")
	return nil
}

// Activity postpones the idle auto-lock; the UI calls it on input.
func (a *App) Activity() error {
	if p, err := a.practice(); err == nil {
		p.Touch()
	}
	return nil
}

// Recover unlocks with the recovery code, sets a new passphrase and returns a
// new recovery code.
func (a *App) Recover(req RecoverRequest) (CreateVaultDTO, error) {
	p, err := a.practice()
	if err != nil {
		return CreateVaultDTO{}, a.uiError("recover", err)
	}
	res, err := p.Recover(a.ctx, req.RecoveryCode, []byte(req.NewPassphrase), req.PassphraseOnly)
	if err != nil {
		return CreateVaultDTO{}, a.uiError("recover", err)
	}
	a.rt.Emit(EventVaultUnlocked, nil)
	return a.shown(res), nil
}

// ChangePassphrase replaces the passphrase after checking the current one.
func (a *App) ChangePassphrase(req ChangePassphraseRequest) error {
	p, err := a.practice()
	if err != nil {
		return a.uiError("change passphrase", err)
	}
	return a.uiError("change passphrase", p.ChangePassphrase(a.ctx, []byte(req.Current), []byte(req.Next)))
}

// NewRecoveryKit replaces the recovery code; the old one stops working.
func (a *App) NewRecoveryKit(passphrase string) (CreateVaultDTO, error) {
	p, err := a.practice()
	if err != nil {
		return CreateVaultDTO{}, a.uiError("new recovery kit", err)
	}
	res, err := p.NewRecoveryCode(a.ctx, []byte(passphrase))
	if err != nil {
		return CreateVaultDTO{}, a.uiError("new recovery kit", err)
	}
	return a.shown(res), nil
}

// SetAutoLock sets the idle auto-lock in minutes.
func (a *App) SetAutoLock(minutes int) (StatusDTO, error) {
	p, err := a.practice()
	if err != nil {
		return StatusDTO{}, a.uiError("auto-lock", err)
	}
	if err := p.SetAutoLock(time.Duration(minutes) * time.Minute); err != nil {
		return StatusDTO{}, a.uiError("auto-lock", err)
	}
	return a.Status()
}

// RotateDataKey starts re-sealing every field under a new data key. Progress
// arrives as rekey:progress events and the end as rekey:done.
func (a *App) RotateDataKey() error {
	p, err := a.practice()
	if err != nil {
		return a.uiError("rotate", err)
	}
	if _, err := p.Keys(); err != nil {
		return a.uiError("rotate", err)
	}
	a.mu.Lock()
	if a.rekeying {
		a.mu.Unlock()
		return a.uiError("rotate", apperr.New(apperr.Conflict, "a data key rotation is already running"))
	}
	a.rekeying = true
	a.mu.Unlock()
	go func() {
		err := p.RotateDataKey(a.ctx, func(done, total int) {
			a.rt.Emit(EventRekeyProgress, ProgressEvent{Done: done, Total: total})
		})
		a.mu.Lock()
		a.rekeying = false
		a.mu.Unlock()
		msg := ""
		if err != nil {
			msg = a.uiError("rotate", err).Error()
		}
		a.rt.Emit(EventRekeyDone, DoneEvent{Error: msg})
	}()
	return nil
}
