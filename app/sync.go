package app

// Sync with the CalmAlly backend, bound to the UI (window.go.app.App.<Method>);
// shapes in app/dto_sync.go. The engine runs in the background while the
// vault is unlocked; its progress and state arrive as the events
// "sync:progress" (SyncProgressDTO) and "sync:status" (SyncStatusDTO).
//
//	SyncStatus() (SyncStatusDTO, error)                  works while locked (state "locked")
//	SyncConnect(c SyncConnectDTO) (SyncStatusDTO, error)  enrol with the one-time code
//	SyncDisconnect() (SyncStatusDTO, error)              revoke and forget the token; the outbox stays
//	SyncNow() (SyncStatusDTO, error)                     one round now; a failed round is in the status
//	SyncParked() ([]ParkedDTO, error)                    local changes the backend refused for good
//	SyncRetryParked(outboxID string) error               queue again under a new mutation id
//	SyncDiscardParked(outboxID string) error             never send it
//	ConflictsList() ([]ConflictDTO, error)               platform-won conflicts not yet dismissed
//	ConflictDismiss(id string) error
//
// Rules the UI should expect from SyncConnect: a plain http:// address (or
// http to anything but loopback in development mode) → "invalid: …"; a code
// that is unknown, used or expired, or a backend outside India →
// "forbidden: …"; the backend unreachable → "unavailable: …". SyncNow
// answers an error only when no round could start (locked: "locked: …";
// never connected: "not_found: …"); a round that failed is reported in the
// returned status (state, errorCode, errorMessage), as the indicator shows it.

import (
	"context"
	"os"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/practice"
	"github.com/calmally/practice/internal/sync"
)

// syncOptions turns background sync on for the window and reads the
// development settings (CALMALLY_SYNC_CA: the reference backend's
// certificate; CALMALLY_SYNC_DEV=1: plain http to loopback).
func syncOptions() practice.SyncOptions {
	o := practice.SyncOptionsFromEnv(os.Getenv)
	o.Background = true
	return o
}

// wireSync forwards the profile's sync progress and state to the UI.
func (a *App) wireSync(p *practice.Practice) {
	p.OnSyncProgress(func(pr sync.Progress) {
		if !a.live(p) { // a closing profile (profiles.go) stays off the next one's screen
			return
		}
		a.rt.Emit(EventSyncProgress, SyncProgressDTO{Phase: pr.Phase, Pushed: pr.Pushed, Pulled: pr.Pulled,
			Applied: pr.Applied, Total: pr.Total})
	})
	p.OnSyncStatus(func(s sync.Status) {
		if a.live(p) {
			a.rt.Emit(EventSyncStatus, syncStatusDTO(s))
		}
	})
}

// syncStatusDTO shapes the engine's status. The engine says
// "needs_enrolment" both for a profile never connected and for a token the
// backend refused; the UI words them differently, so the first is
// "not_connected".
func syncStatusDTO(s sync.Status) SyncStatusDTO {
	d := SyncStatusDTO{State: string(s.State), Connected: s.Enrolled, BackendURL: s.BackendURL, DeviceID: s.DeviceID,
		Region: s.Region, CrossBorder: s.CrossBorder, LastSyncedAt: instant(s.LastSyncedAt), Pending: s.Pending,
		Parked: s.Parked, Rejected: s.Rejected}
	if s.LastError != nil {
		d.ErrorCode, d.ErrorMessage = s.LastError.Code, s.LastError.Message
	}
	if !s.Enrolled && s.State == sync.StateNeedsEnrolment && (d.ErrorCode == "" || d.ErrorCode == sync.CodeNotEnrolled) {
		d.State, d.ErrorCode, d.ErrorMessage = "not_connected", "", ""
	}
	return d
}

func (a *App) syncStatus(ctx context.Context, p *practice.Practice) (SyncStatusDTO, error) {
	s, err := p.SyncStatus(ctx)
	if err != nil {
		return SyncStatusDTO{}, a.uiError("sync status", err)
	}
	return syncStatusDTO(s), nil
}

// SyncStatus reports sync's state for the indicator.
func (a *App) SyncStatus() (SyncStatusDTO, error) {
	p, err := a.practice()
	if err != nil {
		return SyncStatusDTO{}, a.uiError("sync status", err)
	}
	return a.syncStatus(a.ctx, p)
}

// SyncConnect enrols this computer with a backend and starts background
// sync.
func (a *App) SyncConnect(c SyncConnectDTO) (SyncStatusDTO, error) {
	p, err := a.practice()
	if err != nil {
		return SyncStatusDTO{}, a.uiError("sync connect", err)
	}
	s, err := p.SyncEnrol(a.ctx, c.BackendURL, c.EnrolmentCode)
	if err != nil {
		return SyncStatusDTO{}, a.uiError("sync connect", err)
	}
	return syncStatusDTO(s), nil
}

// SyncDisconnect revokes this computer's access and forgets the token.
func (a *App) SyncDisconnect() (SyncStatusDTO, error) {
	p, err := a.practice()
	if err != nil {
		return SyncStatusDTO{}, a.uiError("sync disconnect", err)
	}
	if err := p.SyncForget(a.ctx); err != nil {
		return SyncStatusDTO{}, a.uiError("sync disconnect", err)
	}
	return a.syncStatus(a.ctx, p)
}

// SyncNow runs a round now and waits for it.
func (a *App) SyncNow() (SyncStatusDTO, error) {
	p, err := a.practice()
	if err != nil {
		return SyncStatusDTO{}, a.uiError("sync now", err)
	}
	roundErr := p.SyncNow(a.ctx)
	s, err := a.syncStatus(a.ctx, p)
	if roundErr == nil || (err == nil && s.ErrorCode != "") {
		// Done, or the round ran and failed: the status says how.
		return s, err
	}
	if code := apperr.CodeOf(roundErr); code == apperr.Internal {
		a.log.Error("sync now failed", "code", sync.CodeOfErr(roundErr))
	}
	return SyncStatusDTO{}, a.uiError("sync now", roundErr)
}

// SyncParked lists the changes the backend refused for good, oldest first.
func (a *App) SyncParked() ([]ParkedDTO, error) {
	p, err := a.practice()
	if err != nil {
		return nil, a.uiError("sync parked", err)
	}
	ps, err := p.SyncParked(a.ctx)
	if err != nil {
		return nil, a.uiError("sync parked", err)
	}
	out := make([]ParkedDTO, len(ps))
	for i, x := range ps {
		out[i] = ParkedDTO{OutboxID: x.OutboxID, MutationID: x.MutationID, Kind: x.Kind, EntityID: x.EntityID,
			Reason: x.Code, CreatedAt: instant(x.CreatedAt)}
	}
	return out, nil
}

// SyncRetryParked queues a parked change again.
func (a *App) SyncRetryParked(outboxID string) error {
	p, err := a.practice()
	if err != nil {
		return a.uiError("sync retry", err)
	}
	return a.uiError("sync retry", p.SyncRetryParked(a.ctx, outboxID))
}

// SyncDiscardParked drops a parked change for good.
func (a *App) SyncDiscardParked(outboxID string) error {
	p, err := a.practice()
	if err != nil {
		return a.uiError("sync discard", err)
	}
	return a.uiError("sync discard", p.SyncDiscardParked(a.ctx, outboxID))
}

// ConflictsList lists the conflicts not yet dismissed, newest first. A
// booking's conflict carries the name the calendar shows for it.
func (a *App) ConflictsList() ([]ConflictDTO, error) {
	p, err := a.practice()
	if err != nil {
		return nil, a.uiError("conflicts", err)
	}
	cs, err := p.Conflicts(a.ctx)
	if err != nil {
		return nil, a.uiError("conflicts", err)
	}
	out := make([]ConflictDTO, len(cs))
	for i, c := range cs {
		out[i] = ConflictDTO{ID: c.ID, EntityType: c.EntityType, EntityID: c.EntityID, LocalState: c.LocalState,
			Platform: c.PlatformState, At: instant(c.At)}
		if c.EntityType == "booking" {
			if b, err := p.Bookings().Get(a.ctx, c.EntityID); err == nil {
				out[i].Label = b.ClientLabel
			}
		}
	}
	return out, nil
}

// ConflictDismiss hides a conflict the user has seen.
func (a *App) ConflictDismiss(id string) error {
	p, err := a.practice()
	if err != nil {
		return a.uiError("conflict dismiss", err)
	}
	return a.uiError("conflict dismiss", p.DismissConflict(a.ctx, id))
}
