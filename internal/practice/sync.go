package practice

import (
	"context"
	"strings"
	gosync "sync"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/consent"
	"github.com/calmally/practice/internal/store"
	"github.com/calmally/practice/internal/sync"
	"github.com/calmally/practice/internal/sync/wire"
)

// Sync with the CalmAlly backend (docs/sync-protocol.md): enrolment, the
// device token in the OS keychain (never in the database), the engine's
// background loop while the vault is unlocked, "Sync now", parked changes,
// and the events the app shows.
//
// Lifecycle: after an unlock, if the profile is enrolled and
// SyncOptions.Background is set, a round runs at once and then in the
// background (sync.Engine.Run); at lock the loop is stopped and waited for
// before the keys are wiped.

// SyncOptions configures sync for a profile (Options.Sync).
type SyncOptions struct {
	// Background runs sync while the vault is unlocked (the app). The CLI
	// leaves it off and runs rounds itself.
	Background bool
	// DevMode allows plain http:// to a loopback address (a reference
	// backend on this machine). Env CALMALLY_SYNC_DEV=1.
	DevMode bool
	// CAFile is a PEM file of extra trusted roots (the reference backend's
	// self-signed certificate). Env CALMALLY_SYNC_CA.
	CAFile string
	// Interval between background rounds; default 5 minutes.
	Interval time.Duration
	// DeviceName is sent at enrolment; default "CalmAlly Practice (<os>)".
	DeviceName string

	// newTransport, in tests, replaces the HTTPS transport (the fake).
	newTransport func(baseURL string) (sync.Transport, error)
	// applier, in tests, replaces the profile's applier.
	applier sync.Applier
}

// SyncOptionsFromEnv reads CALMALLY_SYNC_CA and CALMALLY_SYNC_DEV.
func SyncOptionsFromEnv(getenv func(string) string) SyncOptions {
	return SyncOptions{CAFile: getenv("CALMALLY_SYNC_CA"), DevMode: getenv("CALMALLY_SYNC_DEV") == "1"}
}

// syncRuntime is the profile's sync machinery while unlocked.
type syncRuntime struct {
	mu       gosync.Mutex
	engine   *sync.Engine // nil while locked or not enrolled
	cancel   context.CancelFunc
	done     chan struct{}
	progress []func(sync.Progress)
	status   []func(sync.Status)
}

// OnSyncProgress registers fn for the progress of every round (the app
// emits "sync:progress"). fn must not block.
func (p *Practice) OnSyncProgress(fn func(sync.Progress)) {
	p.syncer.mu.Lock()
	defer p.syncer.mu.Unlock()
	p.syncer.progress = append(p.syncer.progress, fn)
}

// OnSyncStatus registers fn for every status change (the app emits
// "sync:status"). fn must not block.
func (p *Practice) OnSyncStatus(fn func(sync.Status)) {
	p.syncer.mu.Lock()
	defer p.syncer.mu.Unlock()
	p.syncer.status = append(p.syncer.status, fn)
}

func (p *Practice) emitProgress(pr sync.Progress) {
	p.syncer.mu.Lock()
	fns := append([]func(sync.Progress){}, p.syncer.progress...)
	p.syncer.mu.Unlock()
	for _, fn := range fns {
		fn(pr)
	}
}

func (p *Practice) emitStatus(s sync.Status) {
	p.syncer.mu.Lock()
	fns := append([]func(sync.Status){}, p.syncer.status...)
	p.syncer.mu.Unlock()
	for _, fn := range fns {
		fn(s)
	}
}

func (p *Practice) syncStore() *store.SyncStore { return store.NewSyncStore(p.db) }

// syncTokenAccount names the keychain item of this profile's device token.
func (p *Practice) syncTokenAccount(ctx context.Context) (string, error) {
	id, err := p.db.Meta(ctx, metaVaultID)
	if err != nil {
		return "", apperr.Wrap(apperr.NotFound, "this profile has no vault yet", err)
	}
	return "sync-token-" + string(id), nil
}

func (p *Practice) syncToken(ctx context.Context) (string, error) {
	account, err := p.syncTokenAccount(ctx)
	if err != nil {
		return "", err
	}
	b, err := p.opts.Keychain.Get(account)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

func (p *Practice) syncTransport(baseURL string) (sync.Transport, error) {
	if p.opts.Sync.newTransport != nil {
		if _, err := sync.CheckURL(baseURL, p.opts.Sync.DevMode); err != nil {
			return nil, err
		}
		return p.opts.Sync.newTransport(baseURL)
	}
	return sync.NewHTTPTransport(sync.HTTPOptions{BaseURL: baseURL, DevMode: p.opts.Sync.DevMode, CAFile: p.opts.Sync.CAFile})
}

func (p *Practice) syncApplierOrTest() sync.Applier {
	if p.opts.Sync.applier != nil {
		return p.opts.Sync.applier
	}
	return p.syncApplier()
}

// newSyncEngine builds the engine for the enrolment in the store.
func (p *Practice) newSyncEngine(ctx context.Context) (*sync.Engine, error) {
	st, err := p.syncStore().State(ctx)
	if err != nil {
		return nil, err
	}
	tr, err := p.syncTransport(st.BackendURL)
	if err != nil {
		return nil, err
	}
	return sync.New(sync.Config{
		Transport: tr,
		Store:     p.syncStore(),
		Keys: func() (sync.Sealer, error) {
			k, err := p.Keys()
			if err != nil {
				return nil, err
			}
			return k, nil
		},
		Applier:  p.syncApplierOrTest(),
		Token:    p.syncToken,
		ClientOf: p.mutationClient,
		CrossBorder: func(ctx context.Context, clientID string) error {
			return p.RequireConsent(ctx, clientID, consent.PurposeCrossBorder, audit.ActionSync, "outbox")
		},
		Now:        p.Now,
		Logger:     p.log,
		OnProgress: p.emitProgress,
		OnStatus:   p.emitStatus,
		Interval:   p.opts.Sync.Interval,
	})
}

// mutationClient names the local client a queued mutation concerns, for
// the cross-border rule: a booking's client, a consent grant's client; ""
// for the practice's own data (availability, profile), match decisions,
// notices and consent withdrawals, which carry nothing about a client or
// only restrict what may be done with their data.
func (p *Practice) mutationClient(ctx context.Context, m wire.Mutation) (string, error) {
	switch {
	case strings.HasPrefix(m.Kind, "booking."):
		return p.syncStore().BookingClient(ctx, m.EntityID)
	case m.Kind == wire.KindConsentWithdraw:
		// A withdrawal only restricts processing: the platform must hear of
		// it wherever it keeps the data, so it is never held back.
		return "", nil
	case strings.HasPrefix(m.Kind, "consent."):
		// Consent events name the client by the platform's id.
		ref, _ := m.Payload["clientRef"].(string)
		if ref == "" {
			return "", nil
		}
		return store.NewPlatformClientStore(p.db, p.AuditChain).PlatformClient(ctx, ref)
	}
	return "", nil
}

// engineForRound returns the running engine, or a new one (the CLI, or
// background sync off). It needs the vault unlocked.
func (p *Practice) engineForRound(ctx context.Context) (*sync.Engine, error) {
	if _, err := p.Keys(); err != nil {
		return nil, err
	}
	p.syncer.mu.Lock()
	eng := p.syncer.engine
	p.syncer.mu.Unlock()
	if eng != nil {
		return eng, nil
	}
	eng, err := p.newSyncEngine(ctx)
	if err != nil {
		return nil, syncError(err)
	}
	p.syncer.mu.Lock()
	defer p.syncer.mu.Unlock()
	if p.syncer.engine == nil {
		p.syncer.engine = eng
	}
	return p.syncer.engine, nil
}

// startSync starts background sync after an unlock, if enrolled and
// wanted. Errors are logged: sync is never a reason to refuse an unlock.
func (p *Practice) startSync() {
	if !p.opts.Sync.Background {
		return
	}
	ctx := context.Background()
	if _, err := p.syncStore().State(ctx); err != nil {
		return // not enrolled
	}
	eng, err := p.engineForRound(ctx)
	if err != nil {
		p.log.Warn("sync: background sync not started", "code", apperr.CodeOf(err))
		return
	}
	p.syncer.mu.Lock()
	defer p.syncer.mu.Unlock()
	if p.syncer.cancel != nil {
		return
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	p.syncer.cancel, p.syncer.done = cancel, done
	go func() {
		defer close(done)
		eng.Run(runCtx)
	}()
}

// stopSync stops background sync and waits for it (a lock, an enrolment
// change), and drops the engine.
func (p *Practice) stopSync() {
	p.syncer.mu.Lock()
	cancel, done := p.syncer.cancel, p.syncer.done
	p.syncer.cancel, p.syncer.done, p.syncer.engine = nil, nil, nil
	p.syncer.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}

// syncLocked is the status hook at lock: the loop stops and the UI shows
// that sync waits.
func (p *Practice) syncLocked() {
	p.stopSync()
	s, err := sync.StatusOf(context.Background(), p.syncStore())
	if err == nil {
		s.State = sync.StateLocked
		p.emitStatus(s)
	}
}

// SyncStatus reports sync's state. It works while locked (counts and
// enrolment hold no client data); the state is then "locked".
func (p *Practice) SyncStatus(ctx context.Context) (sync.Status, error) {
	p.syncer.mu.Lock()
	eng := p.syncer.engine
	p.syncer.mu.Unlock()
	if eng != nil {
		return eng.Status(ctx)
	}
	s, err := sync.StatusOf(ctx, p.syncStore())
	if err != nil {
		return sync.Status{}, err
	}
	if _, err := p.Keys(); err != nil && s.Enrolled {
		s.State = sync.StateLocked
	}
	return s, nil
}

// SyncNow runs a round now and waits for it ("Sync now").
func (p *Practice) SyncNow(ctx context.Context) error {
	_, err := p.SyncRound(ctx)
	return err
}

// SyncRound runs a round now and returns what it did (counts only).
func (p *Practice) SyncRound(ctx context.Context) (sync.Summary, error) {
	eng, err := p.engineForRound(ctx)
	if err != nil {
		return sync.Summary{}, err
	}
	sum, err := eng.SyncNow(ctx)
	return sum, syncError(err)
}

// SyncRun runs sync in the foreground until ctx ends (the CLI without
// --once): a round at once, then as in the background.
func (p *Practice) SyncRun(ctx context.Context) error {
	eng, err := p.engineForRound(ctx)
	if err != nil {
		return err
	}
	eng.Run(ctx)
	return nil
}

// SyncNudge asks background sync for a round soon (a local change).
func (p *Practice) SyncNudge() {
	p.syncer.mu.Lock()
	eng := p.syncer.engine
	p.syncer.mu.Unlock()
	if eng != nil {
		eng.Nudge()
	}
}

// syncEntry is an audit entry for a sync action (ids and codes only).
func (p *Practice) syncEntry(d audit.Detail) (audit.Entry, error) {
	if err := d.Err(); err != nil {
		return audit.Entry{}, err
	}
	return p.auditEntry(audit.ActionSync, "sync", "", d), nil
}
