// Package practice is one practitioner's open profile: the data directory, its
// database, its vault and the services built on them. The desktop app and the
// CLI both go through it, so a rule enforced here holds on every path in.
//
// # Lifecycle
//
// Open → (Create | Unlock) → services usable → Lock (keys wiped, caches dropped,
// WAL checkpointed) → Unlock … → Close. While locked only Status, Unlock,
// Recover and the audit of failed unlocks work.
package practice

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/datadir"
	"github.com/calmally/practice/internal/logging"
	"github.com/calmally/practice/internal/store"
	"github.com/calmally/practice/internal/vault"
)

// Options configures Open. Zero values get production defaults.
type Options struct {
	DataDir  string
	Keychain vault.Keychain         // default: the OS keychain with a timeout
	Now      func() time.Time       // default: time.Now
	KDF      func() vault.KDFParams // default: calibrated to about 0.5 s
	Logger   *slog.Logger           // default: the rotating log in DataDir
	Sleep    func(time.Duration)    // default: time.Sleep (tests shorten it)
	OnLock   func(reason string)    // called after every lock (the app emits an event)
	Actor    string                 // who acts, for the audit trail
	Sync     SyncOptions            // backend sync (sync.go); zero: no background sync
}

// Practice is an open profile. It is safe for concurrent use.
type Practice struct {
	opts   Options
	db     *store.DB
	log    *slog.Logger
	logC   io.Closer
	mu     sync.Mutex
	header *vault.Header // nil until a vault exists
	keys   *vault.Keys   // nil while locked
	chain  *audit.Chain  // nil while locked
	idle   *idleTimer
	onLock []func()
	search *searcher
	bk     backupState   // backups and the startup integrity check (backup.go, integrity.go)
	diag   slog.LevelVar // the log level the practitioner chose (privacy.go)
	syncer syncRuntime   // backend sync while unlocked (sync.go)
}

// KeychainService is the service name under which secrets are stored in the
// OS keychain.
const KeychainService = "CalmAlly Practice"

// Open opens the profile in opts.DataDir, creating the folder and database if
// needed. It does not unlock.
func Open(ctx context.Context, opts Options) (*Practice, error) {
	if opts.DataDir == "" {
		return nil, errors.New("practice: open: no data directory")
	}
	if err := datadir.Ensure(opts.DataDir); err != nil {
		return nil, err
	}
	p := &Practice{opts: opts}
	if opts.Now == nil {
		p.opts.Now = time.Now
	}
	if opts.Sleep == nil {
		p.opts.Sleep = time.Sleep
	}
	if opts.KDF == nil {
		p.opts.KDF = func() vault.KDFParams { return vault.Calibrate(500 * time.Millisecond) }
	}
	if opts.Keychain == nil {
		p.opts.Keychain = vault.SystemKeychain(KeychainService, 5*time.Second)
	}
	if opts.Actor == "" {
		p.opts.Actor = "practitioner"
	}
	p.log = opts.Logger
	if p.log == nil {
		l, c, err := logging.Open(logging.Options{Dir: opts.DataDir, Level: slog.LevelInfo})
		if err != nil {
			return nil, err
		}
		p.log, p.logC = l, c
	}
	p.log = gateLogger(p.log, &p.diag)
	db, err := store.Open(ctx, filepath.Join(opts.DataDir, store.FileName))
	if err != nil {
		p.closeLog()
		if errors.Is(err, store.ErrTooNew) {
			return nil, apperr.Wrap(apperr.Invalid, "this profile was written by a newer version of CalmAlly Practice; update the app", err)
		}
		return nil, err
	}
	p.db = db
	if err := p.loadHeader(ctx); err != nil {
		db.Close()
		p.closeLog()
		return nil, err
	}
	p.startIntegrityCheck()
	p.idle = newIdleTimer(p)
	p.OnLock(p.syncLocked)
	p.loadSettings(ctx)
	p.loadPrivacy(ctx)
	p.log.Info("profile opened", "schema", store.SchemaVersion())
	return p, nil
}

func (p *Practice) closeLog() {
	if p.logC != nil {
		p.logC.Close()
	}
}

// Close locks the vault, checkpoints and closes the database.
func (p *Practice) Close() error {
	p.idle.stop()
	p.Lock(context.Background(), "exit")
	p.WaitIntegrityCheck()
	err := p.db.Close()
	p.log.Info("profile closed")
	p.closeLog()
	return err
}

// DB is the profile's database, for services built on it.
func (p *Practice) DB() *store.DB { return p.db }

// Logger is the profile's redacting logger.
func (p *Practice) Logger() *slog.Logger { return p.log }

// DataDir is the profile's folder.
func (p *Practice) DataDir() string { return p.opts.DataDir }

// Now is the profile's clock.
func (p *Practice) Now() time.Time { return p.opts.Now().UTC() }

// OnLock registers fn to run whenever the vault locks (drop caches, indexes).
func (p *Practice) OnLock(fn func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.onLock = append(p.onLock, fn)
}

// Status is what the lock screen and onboarding need to know.
type Status struct {
	Initialized       bool
	Locked            bool
	PassphraseOnly    bool
	AutoLock          time.Duration
	UnlockDelay       time.Duration // wait before the next unlock attempt is accepted
	KeychainAvailable bool
	KeychainProblem   string
	Integrity         IntegrityReport // the startup database check (integrity.go)
	Backup            BackupHealth    // last backup, last verification, the 7-day warning (backup.go)
}

// Status reports the profile's state. It probes the keychain (with a timeout)
// only before a vault exists, when onboarding must decide what to offer.
func (p *Practice) Status(ctx context.Context) Status {
	p.mu.Lock()
	s := Status{
		Initialized: p.header != nil,
		Locked:      p.keys == nil,
		AutoLock:    p.idle.timeout(),
	}
	if p.header != nil {
		s.PassphraseOnly = p.header.PassphraseOnly
	}
	p.mu.Unlock()
	s.UnlockDelay = p.unlockDelay(ctx)
	s.Integrity = p.Integrity()
	s.Backup = p.BackupHealth(ctx)
	if !s.Initialized || !s.PassphraseOnly {
		if err := p.probeKeychain(ctx); err != nil {
			s.KeychainProblem = keychainProblem(err)
		} else {
			s.KeychainAvailable = true
		}
	}
	return s
}

// Keys returns the unlocked vault keys, or a "locked" error.
func (p *Practice) Keys() (*vault.Keys, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.keys == nil {
		return nil, errLocked
	}
	return p.keys, nil
}

var errLocked = apperr.New(apperr.Locked, "the vault is locked")

func (p *Practice) record(ctx context.Context, e audit.Entry) {
	e.Actor = p.opts.Actor
	e.At = p.Now()
	p.mu.Lock()
	chain := p.chain
	p.mu.Unlock()
	var err error
	if chain == nil {
		err = p.db.AppendPendingAudit(ctx, e)
	} else {
		_, err = p.db.AppendAudit(ctx, chain, e)
	}
	if err != nil {
		// An audit write that fails is logged, never silently ignored; the
		// action itself has already been refused or committed.
		p.log.Error("audit append failed", "action", string(e.Action), "err", err)
	}
}

func fmtDuration(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%d seconds", int(d.Round(time.Second).Seconds()))
	}
	return fmt.Sprintf("%d minutes", int(d.Round(time.Minute).Minutes()))
}
