package sync

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	gosync "sync"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/store"
	"github.com/calmally/practice/internal/sync/wire"
	"github.com/calmally/practice/internal/vault"
)

// Sealer seals and opens envelopes with the vault's data key
// (*vault.Keys). Outbox payloads are opened with it and pulled changes
// sealed with it before they touch the disk.
type Sealer interface {
	Seal(ad vault.AD, plaintext []byte) ([]byte, error)
	Open(ad vault.AD, envelope []byte) ([]byte, error)
}

// Config is what an Engine needs. Transport, Store, Keys, Applier and Token
// are required.
type Config struct {
	Transport Transport
	Store     *store.SyncStore
	Keys      func() (Sealer, error)
	Applier   Applier
	// Token returns the device token (from the OS keychain).
	Token func(ctx context.Context) (string, error)

	// ClientOf names the local client a mutation concerns ("" when it
	// concerns none: availability, the profile, a match decision) and
	// CrossBorder checks that client's cross-border consent (nil error: in
	// force). Both are consulted only for a backend outside India that the
	// practitioner allowed; if either is nil, such a backend is refused.
	ClientOf    func(ctx context.Context, m wire.Mutation) (string, error)
	CrossBorder func(ctx context.Context, clientID string) error

	Now      func() time.Time // default time.Now
	Rand     func() float64   // jitter in [0, 1); default math/rand/v2
	Logger   *slog.Logger     // default: discard
	PageSize int              // pull limit; default wire.DefaultPageSize

	OnProgress func(Progress) // called from the round's goroutine
	OnStatus   func(Status)   // called when the state changes and after each round

	Interval   time.Duration // background: between rounds; default 5 minutes
	NudgeDelay time.Duration // background: after a local change; default 2 s
	Poll       time.Duration // background: how often to look for local changes; default 3 s
}

// Engine runs sync rounds for one profile. Rounds never overlap.
type Engine struct {
	cfg   Config
	round gosync.Mutex // held for a whole round

	mu       gosync.Mutex // guards the fields below
	running  bool
	lastErr  *ErrorInfo
	region   string
	failures int // consecutive failed rounds (background backoff)

	nudge chan struct{}
}

// New checks cfg and returns an engine.
func New(cfg Config) (*Engine, error) {
	if cfg.Transport == nil || cfg.Store == nil || cfg.Keys == nil || cfg.Applier == nil || cfg.Token == nil {
		return nil, errors.New("sync: new engine: transport, store, keys, applier and token are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Float64
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.PageSize <= 0 || cfg.PageSize > wire.MaxPageChanges {
		cfg.PageSize = wire.DefaultPageSize
	}
	if cfg.Interval <= 0 {
		cfg.Interval = 5 * time.Minute
	}
	if cfg.NudgeDelay <= 0 {
		cfg.NudgeDelay = 2 * time.Second
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 3 * time.Second
	}
	return &Engine{cfg: cfg, nudge: make(chan struct{}, 1)}, nil
}

func (e *Engine) now() time.Time { return e.cfg.Now().UTC() }

// round is one round's working state.
type round struct {
	token       string
	deviceID    string
	crossBorder bool // the backend is outside India and the practitioner allowed it
	sealer      Sealer
	sum         Summary
	total       int
}

// Round runs one sync round: leftover inbox changes, info (protocol and
// region checks), push, pull. It returns what the round did and, on
// failure, an error whose sync code (CodeOfErr) the status shows.
func (e *Engine) Round(ctx context.Context) (Summary, error) {
	e.round.Lock()
	defer e.round.Unlock()
	e.setRunning(true)
	conflictsBefore, _ := e.cfg.Store.CountConflicts(ctx)
	r := &round{}
	err := e.runRound(ctx, r)
	if n, cerr := e.cfg.Store.CountConflicts(context.WithoutCancel(ctx)); cerr == nil {
		r.sum.Conflicts = max(n-conflictsBefore, 0)
	}
	e.finish(ctx, r, err)
	return r.sum, err
}

func (e *Engine) runRound(ctx context.Context, r *round) error {
	st, err := e.cfg.Store.State(ctx)
	if apperr.CodeOf(err) == apperr.NotFound {
		return &Error{Code: CodeNotEnrolled, Message: "this profile is not enrolled with a sync backend"}
	}
	if err != nil {
		return err
	}
	if r.sealer, err = e.cfg.Keys(); err != nil {
		return err
	}
	if r.token, err = e.cfg.Token(ctx); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &Error{Code: CodeNotEnrolled, Message: "the device token is missing from the system keychain; enrol again", Err: err}
	}
	r.deviceID = st.DeviceID
	// Changes stored by an earlier round that did not finish applying them.
	if err := e.applyInbox(ctx, r); err != nil {
		return err
	}
	e.progress(r, PhaseConnect)
	info, err := e.cfg.Transport.Info(ctx)
	if err != nil {
		return err
	}
	if err := e.checkInfo(info, st.CrossBorder, r); err != nil {
		return err
	}
	if err := e.push(ctx, r); err != nil {
		return err
	}
	return e.pull(ctx, r, st.Cursor)
}

// checkInfo applies the protocol and region rules before anything is sent.
func (e *Engine) checkInfo(info wire.Info, allowed bool, r *round) error {
	e.mu.Lock()
	e.region = info.Region
	e.mu.Unlock()
	if info.MinProtocol > wire.Protocol {
		return &Error{Code: wire.CodeUnsupported, Message: "the backend needs a newer version of CalmAlly Practice; update the app"}
	}
	if info.Region == wire.RegionIndia {
		return nil
	}
	if !allowed || e.cfg.CrossBorder == nil || e.cfg.ClientOf == nil {
		return &Error{Code: CodeRegionRefused,
			Message: "the backend keeps data outside India (region " + info.Region + "); sync is refused unless cross-border sync is turned on"}
	}
	r.crossBorder = true
	return nil
}

func (e *Engine) progress(r *round, phase string) {
	if e.cfg.OnProgress != nil {
		e.cfg.OnProgress(Progress{Phase: phase, Pushed: r.sum.Pushed, Pulled: r.sum.Pulled, Applied: r.sum.Applied, Total: r.total})
	}
}

// finish records the round's outcome and reports the new status.
func (e *Engine) finish(ctx context.Context, r *round, err error) {
	ctx = context.WithoutCancel(ctx)
	code := ""
	var info *ErrorInfo
	if err != nil {
		code = CodeOfErr(err)
		info = &ErrorInfo{Code: code, Message: messageOf(err)}
	}
	e.mu.Lock()
	e.running, e.lastErr = false, info
	e.mu.Unlock()
	if code != CodeCancelled && code != CodeLocked {
		if rerr := e.cfg.Store.RecordRound(ctx, e.now(), code); rerr != nil && apperr.CodeOf(rerr) != apperr.NotFound {
			e.cfg.Logger.Error("sync: record round failed", "err", rerr)
		}
	}
	if err == nil {
		e.progress(r, PhaseDone)
	}
	e.cfg.Logger.Info("sync round", "code", code, "pushed", r.sum.Pushed, "parked", r.sum.Parked, "pulled", r.sum.Pulled,
		"applied", r.sum.Applied, "skipped", r.sum.Skipped, "rejected", r.sum.Rejected, "conflicts", r.sum.Conflicts)
	e.reportStatus(ctx)
}

// messageOf is what the UI may show for a round's error.
func messageOf(err error) string {
	if e, ok := AsError(err); ok && e.Message != "" {
		return e.Message
	}
	switch CodeOfErr(err) {
	case CodeCancelled:
		return "sync was stopped"
	case CodeLocked:
		return "sync waits until the vault is unlocked"
	}
	return apperr.MessageOf(err)
}

func (e *Engine) setRunning(on bool) {
	e.mu.Lock()
	e.running = on
	e.mu.Unlock()
	e.reportStatus(context.Background())
}

func (e *Engine) reportStatus(ctx context.Context) {
	if e.cfg.OnStatus == nil {
		return
	}
	if s, err := e.Status(ctx); err == nil {
		e.cfg.OnStatus(s)
	}
}

// Status reads the current status.
func (e *Engine) Status(ctx context.Context) (Status, error) {
	return statusOf(ctx, e.cfg.Store, e)
}

// statusOf builds a Status from the store and, if eng is not nil, what the
// engine knows in memory (a round running, the last error's words).
func statusOf(ctx context.Context, s *store.SyncStore, eng *Engine) (Status, error) {
	var out Status
	c, err := s.Counts(ctx)
	if err != nil {
		return Status{}, err
	}
	out.Pending, out.Parked, out.Rejected = c.Pending, c.Parked, c.Rejected
	st, err := s.State(ctx)
	if apperr.CodeOf(err) == apperr.NotFound {
		out.State = StateNeedsEnrolment
		return out, nil
	}
	if err != nil {
		return Status{}, err
	}
	out.Enrolled, out.BackendURL, out.DeviceID, out.CrossBorder = true, st.BackendURL, st.DeviceID, st.CrossBorder
	out.LastSyncedAt = st.LastSyncedAt
	out.State = StateFor(st.LastErrorCode)
	if st.LastErrorCode != "" {
		out.LastError = &ErrorInfo{Code: st.LastErrorCode, Message: defaultMessage(st.LastErrorCode)}
	}
	if eng != nil {
		eng.mu.Lock()
		running, last, region := eng.running, eng.lastErr, eng.region
		eng.mu.Unlock()
		out.Region = region
		if last != nil && out.LastError != nil && last.Code == out.LastError.Code {
			out.LastError.Message = last.Message
		}
		if running {
			out.State = StateSyncing
		}
	}
	return out, nil
}

// StatusOf reads the status without an engine (locked profile, CLI).
func StatusOf(ctx context.Context, s *store.SyncStore) (Status, error) { return statusOf(ctx, s, nil) }

// defaultMessage words a stored error code when the round's own words are
// gone (a restart).
func defaultMessage(code string) string {
	switch StateFor(code) {
	case StateOffline:
		return "the backend could not be reached"
	case StateNeedsEnrolment:
		return "the backend no longer accepts this device; enrol again"
	case StateRegionRefused:
		return "the backend keeps data outside India; sync is refused"
	case StateUpdateNeeded:
		return "the backend needs a newer version of CalmAlly Practice; update the app"
	}
	return "the last sync failed (" + code + ")"
}
