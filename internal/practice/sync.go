package practice

import (
	"context"
	"errors"
	"runtime"
	"strings"
	gosync "sync"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/consent"
	"github.com/calmally/practice/internal/ids"
	"github.com/calmally/practice/internal/store"
	"github.com/calmally/practice/internal/sync"
	"github.com/calmally/practice/internal/sync/wire"
	"github.com/calmally/practice/internal/vault"
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
// the cross-border rule: a booking's client, a consent event's client; ""
// for the practice's own data (availability, profile), match decisions and
// notices, which carry nothing about a client.
func (p *Practice) mutationClient(ctx context.Context, m wire.Mutation) (string, error) {
	switch {
	case strings.HasPrefix(m.Kind, "booking."):
		return p.syncStore().BookingClient(ctx, m.EntityID)
	case strings.HasPrefix(m.Kind, "consent."):
		id, _ := m.Payload["clientId"].(string)
		return id, nil
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

// restartSync follows an enrolment change.
func (p *Practice) restartSync() {
	p.stopSync()
	p.startSync()
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

// syncError gives a failed exchange an apperr code the app and CLI map:
// the backend's or the app's rule in its message, never client data.
func syncError(err error) error {
	se, ok := sync.AsError(err)
	if !ok {
		return err
	}
	switch {
	case se.Code == sync.CodeInsecureURL || se.Code == "ca_file" || se.Code == wire.CodeUnsupported:
		return apperr.Wrap(apperr.Invalid, se.Message, err)
	case se.Code == sync.CodeNotEnrolled:
		return apperr.Wrap(apperr.NotFound, se.Message, err)
	case se.Code == sync.CodeRegionRefused || se.Status == 401 || se.Status == 403:
		return apperr.Wrap(apperr.Forbidden, syncMessage(se), err)
	case se.Retryable:
		return apperr.Wrap(CodeSyncUnavailable, syncMessage(se), err)
	}
	return apperr.Wrap(apperr.Internal, syncMessage(se), err)
}

// CodeSyncUnavailable is the error code of a sync failure that may pass by
// itself (offline, the backend busy or mid-deploy): try again later.
const CodeSyncUnavailable = "unavailable"

func syncMessage(se *sync.Error) string {
	switch se.Code {
	case wire.CodeBadEnrolment:
		return "the enrolment code is unknown, used or expired; ask for a new one in your CalmAlly account"
	case wire.CodeTokenRevoked, wire.CodeUnauthorized:
		return "the backend no longer accepts this device; enrol it again"
	}
	if se.Message != "" {
		return se.Message
	}
	return "sync failed (" + se.Code + ")"
}

// SyncEnrol enrols this profile with a backend: it checks the URL (https,
// or http to loopback in development mode) before connecting, checks the
// backend's protocol, trades the one-time code for a device token, keeps
// the token in the OS keychain and the enrolment in the database, and
// starts background sync. A previous enrolment is replaced (its token
// revoked when the backend is reachable).
func (p *Practice) SyncEnrol(ctx context.Context, backendURL, enrolmentCode string) (sync.Status, error) {
	chain, err := p.AuditChain()
	if err != nil {
		return sync.Status{}, err
	}
	backendURL = strings.TrimSpace(backendURL)
	enrolmentCode = strings.TrimSpace(enrolmentCode)
	if enrolmentCode == "" {
		return sync.Status{}, apperr.New(apperr.Invalid, "an enrolment code is required")
	}
	if _, err := sync.CheckURL(backendURL, p.opts.Sync.DevMode); err != nil {
		return sync.Status{}, syncError(err)
	}
	tr, err := p.syncTransport(backendURL)
	if err != nil {
		return sync.Status{}, syncError(err)
	}
	info, err := tr.Info(ctx)
	if err != nil {
		return sync.Status{}, syncError(err)
	}
	if info.MinProtocol > wire.Protocol {
		return sync.Status{}, apperr.New(apperr.Invalid, "the backend needs a newer version of CalmAlly Practice; update the app")
	}
	account, err := p.syncTokenAccount(ctx)
	if err != nil {
		return sync.Status{}, err
	}
	// The keychain must work before a device is created upstream.
	if err := p.probeKeychain(ctx); err != nil {
		return sync.Status{}, apperr.Wrap(apperr.Invalid, "sync keeps its device token in the system keychain, which is not available", err)
	}
	p.stopSync()
	defer p.startSync()
	old, hadOld := p.currentEnrolment(ctx)
	name := p.opts.Sync.DeviceName
	if name == "" {
		name = "CalmAlly Practice (" + runtime.GOOS + ")"
	}
	resp, err := tr.Enrol(ctx, wire.EnrolRequest{EnrolmentCode: enrolmentCode, DeviceName: name})
	if err != nil {
		return sync.Status{}, syncError(err)
	}
	// undo forgets the new device and puts the previous token back.
	undo := func() {
		if hadOld {
			_ = p.opts.Keychain.Set(account, []byte(old.token))
		} else {
			_ = p.opts.Keychain.Delete(account)
		}
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		_ = tr.Revoke(rctx, resp.Token)
	}
	if err := p.opts.Keychain.Set(account, []byte(resp.Token)); err != nil {
		undo()
		return sync.Status{}, apperr.Wrap(apperr.Invalid, "could not store the device token in the system keychain", err)
	}
	e, err := p.syncEntry(audit.D("op", "enrol", "device", resp.DeviceID, "region", strings.ToLower(info.Region)))
	if err != nil {
		undo()
		return sync.Status{}, err
	}
	st := store.SyncState{BackendURL: backendURL, DeviceID: resp.DeviceID, TherapistID: resp.TherapistID, EnrolledAt: p.Now()}
	if err := p.syncStore().Enrol(ctx, st, chain, e); err != nil {
		undo()
		return sync.Status{}, err
	}
	p.log.Info("sync: enrolled", "device", resp.DeviceID)
	if hadOld {
		p.revoke(ctx, old.url, old.token) // the replaced device's token goes
	}
	s, err := sync.StatusOf(ctx, p.syncStore())
	if err == nil {
		p.emitStatus(s)
	}
	return s, err
}

// enrolment is the current enrolment's backend and token.
type enrolment struct{ url, token string }

func (p *Practice) currentEnrolment(ctx context.Context) (enrolment, bool) {
	st, err := p.syncStore().State(ctx)
	if err != nil {
		return enrolment{}, false
	}
	token, err := p.syncToken(ctx)
	if err != nil {
		return enrolment{}, false
	}
	return enrolment{url: st.BackendURL, token: token}, true
}

// revoke revokes a token upstream when the backend answers within a few
// seconds, and reports whether it did.
func (p *Practice) revoke(ctx context.Context, url, token string) bool {
	tr, err := p.syncTransport(url)
	if err != nil {
		return false
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := tr.Revoke(rctx, token); err != nil {
		p.log.Warn("sync: the backend did not confirm the revocation", "code", sync.CodeOfErr(err))
		return false
	}
	return true
}

// SyncForget disconnects this profile from its backend: background sync
// stops, the token is revoked upstream when the backend is reachable and
// deleted from the keychain, and the enrolment and pulled-but-unapplied
// changes are forgotten. Local changes stay in the outbox for a later
// enrolment.
func (p *Practice) SyncForget(ctx context.Context) error {
	chain, err := p.AuditChain()
	if err != nil {
		return err
	}
	st, err := p.syncStore().State(ctx)
	if err != nil {
		return err
	}
	p.stopSync()
	revoked := false
	if cur, ok := p.currentEnrolment(ctx); ok {
		revoked = p.revoke(ctx, cur.url, cur.token)
	}
	account, err := p.syncTokenAccount(ctx)
	if err != nil {
		return err
	}
	if err := p.opts.Keychain.Delete(account); err != nil && !errors.Is(err, vault.ErrKeychainItemMissing) {
		p.log.Warn("sync: the device token could not be deleted from the keychain", "err", err)
	}
	upstream := "no"
	if revoked {
		upstream = "yes"
	}
	e, err := p.syncEntry(audit.D("op", "forget", "device", st.DeviceID, "revoked", upstream))
	if err != nil {
		return err
	}
	if err := p.syncStore().Forget(ctx, chain, e); err != nil {
		return err
	}
	if s, err := p.SyncStatus(ctx); err == nil {
		p.emitStatus(s)
	}
	return nil
}

// SyncSetCrossBorder allows (or stops) syncing with a backend outside
// India; even then only changes about clients whose cross-border consent is
// in force are exchanged. Audited.
func (p *Practice) SyncSetCrossBorder(ctx context.Context, on bool) error {
	chain, err := p.AuditChain()
	if err != nil {
		return err
	}
	v := "off"
	if on {
		v = "on"
	}
	e, err := p.syncEntry(audit.D("op", "cross_border", "value", v))
	if err != nil {
		return err
	}
	if err := p.syncStore().SetCrossBorder(ctx, on, chain, e); err != nil {
		return err
	}
	p.SyncNudge()
	return nil
}

// SyncParked lists the local changes the backend refused for good (or the
// app held back), oldest first: kind, entity id, code, time — no payload.
func (p *Practice) SyncParked(ctx context.Context) ([]sync.Parked, error) {
	if _, err := p.Keys(); err != nil {
		return nil, err
	}
	rows, err := p.syncStore().ParkedRows(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]sync.Parked, len(rows))
	for i, r := range rows {
		out[i] = sync.Parked{OutboxID: r.ID, MutationID: r.MutationID, Kind: r.Kind, EntityID: r.EntityID,
			Code: r.Reason, CreatedAt: r.CreatedAt, Attempts: r.Attempts}
	}
	return out, nil
}

// SyncRefused lists the pulled changes the app refused by rule, newest
// first (ids and codes).
func (p *Practice) SyncRefused(ctx context.Context) ([]sync.Refused, error) {
	if _, err := p.Keys(); err != nil {
		return nil, err
	}
	rows, err := p.syncStore().RejectedChanges(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]sync.Refused, len(rows))
	for i, r := range rows {
		out[i] = sync.Refused{Type: r.Type, EntityID: r.EntityID, Version: r.Version, Code: r.Code, At: r.At}
	}
	return out, nil
}

var errNoParked = apperr.New(apperr.NotFound, "no parked change with that id")

// SyncRetryParked queues a parked change again under a new mutation id
// (the backend has processed the old one), due now. Audited.
func (p *Practice) SyncRetryParked(ctx context.Context, outboxID string) error {
	chain, err := p.AuditChain()
	if err != nil {
		return err
	}
	if !ids.Valid(outboxID) {
		return errNoParked
	}
	e, err := p.syncEntry(audit.D("op", "retry_parked", "outbox", outboxID))
	if err != nil {
		return err
	}
	if _, err := p.syncStore().RequeueParked(ctx, outboxID, p.Now(), chain, e); err != nil {
		return err
	}
	p.SyncNudge()
	return p.reportSyncStatus(ctx)
}

// SyncDiscardParked drops a parked change: it stays local and the backend
// never hears of it. Audited.
func (p *Practice) SyncDiscardParked(ctx context.Context, outboxID string) error {
	chain, err := p.AuditChain()
	if err != nil {
		return err
	}
	if !ids.Valid(outboxID) {
		return errNoParked
	}
	e, err := p.syncEntry(audit.D("op", "discard_parked", "outbox", outboxID))
	if err != nil {
		return err
	}
	if err := p.syncStore().DiscardParked(ctx, outboxID, chain, e); err != nil {
		return err
	}
	return p.reportSyncStatus(ctx)
}

func (p *Practice) reportSyncStatus(ctx context.Context) error {
	s, err := p.SyncStatus(ctx)
	if err == nil {
		p.emitStatus(s)
	}
	return nil
}
