package practice

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/store"
	"github.com/calmally/practice/internal/sync"
	"github.com/calmally/practice/internal/sync/wire"
	"github.com/calmally/practice/internal/vault"
)

// Enrolment with a backend, forgetting it, the cross-border setting, and
// how sync failures read in the app and the CLI.

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
