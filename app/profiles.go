package app

// Several practitioners on one computer (window.go.app.App.<Method>). Each
// profile is its own folder with its own vault; the app has one open at a
// time. Errors are "code: message" strings naming the rule.
//
//	ProfilesList() ([]ProfileEntryDTO, error)          every profile, the open one marked current
//	ProfileAdd(req ProfileAddDTO) (ProfileEntryDTO, error)  creates an empty profile folder (its vault is
//	                                                   created by onboarding after ProfileSwitch)
//	ProfileSwitch(id string) (StatusDTO, error)        locks and closes the open profile (keys, search
//	                                                   index and caches dropped), opens id (locked)
//	ProfileRename(req ProfileAddDTO) (ProfileEntryDTO, error)  renames the open profile (unlocked)
//	ProfileRemovalCheck() (RemovalDTO, error)          may the open profile be removed now, and why not
//	ProfileRemove(req ProfileRemoveDTO) (RemovedDTO, error)  removes the open profile after the name is
//	                                                   typed back; opens the next one
//	PrivacyGet() (PrivacyDTO, error)                   usage-data choices kept on this computer
//	PrivacySave(req PrivacyDTO) (PrivacyDTO, error)    (platform choices are ProfileDTO.preferences)
//
// Switching and removing are refused while an export or a data-key rotation
// runs ("conflict: …"). The rules of removal are in
// docs/profile-format.md ("Removing a profile").

import (
	"context"
	"errors"
	"io/fs"
	"strings"
	"sync/atomic"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/datadir"
	"github.com/calmally/practice/internal/practice"
)

// LegacyProfileID names the profile in the data folder itself (not a valid
// slug, so it never collides with a named profile).
const LegacyProfileID = "_main"

// profileState is which profile is open, and how to stop its jobs.
type profileState struct {
	cur    datadir.Profile
	cancel context.CancelFunc
	// gen changes whenever a profile is closed, so a closed profile's own
	// lock event does not reach the UI after the UI has moved on.
	gen atomic.Int64
	// live is the open profile, nil while one closes (see App.live).
	live atomic.Pointer[practice.Practice]
}

func profileID(p datadir.Profile) string {
	if p.Legacy {
		return LegacyProfileID
	}
	return p.Slug
}

// startProfile is the profile to open at start: the one opened last, else
// the first listed, else the data folder itself (a fresh install).
func (a *App) startProfile() datadir.Profile {
	base := a.cfg.DataDir
	ps, err := datadir.Profiles(base)
	if err != nil || len(ps) == 0 {
		return datadir.Profile{Dir: base, Legacy: true, Label: datadir.LegacyLabel}
	}
	last := datadir.LastUsed(base)
	for _, p := range ps {
		if p.Slug == last {
			return p
		}
	}
	return ps[0]
}

// openProfileLocked opens prof as the current profile; a.mu is held.
func (a *App) openProfileLocked(prof datadir.Profile) {
	gen := a.prof.gen.Add(1)
	ctx, cancel := context.WithCancel(a.ctx)
	p, err := a.openPractice(ctx, prof.Dir, func(reason string) {
		if a.prof.gen.Load() == gen {
			a.rt.Emit(EventVaultLocked, LockedEvent{Reason: reason})
		}
	})
	a.prof.cur = prof
	if err != nil {
		cancel()
		a.p, a.openErr = nil, err
		return
	}
	a.p, a.log, a.openErr, a.prof.cancel = p, p.Logger(), nil, cancel
	a.prof.live.Store(p)
}

// live reports whether p is the open profile. Callbacks of a profile (its
// lock, its sync state) check it before they reach the UI, so what a closing
// profile says on its way out does not land on the screens of the next one.
// Lock-free: the callbacks run while a.mu is held by a switch.
func (a *App) live(p *practice.Practice) bool { return a.prof.live.Load() == p }

// closeProfileLocked locks and closes the open profile; a.mu is held.
func (a *App) closeProfileLocked() {
	a.prof.live.Store(nil)
	a.prof.gen.Add(1)
	a.pendingCode = "" // a recovery code shown for this profile must not confirm another's
	if a.p != nil {
		a.p.Lock(a.ctx, "switch")
		if err := a.p.Close(); err != nil {
			a.log.Warn("close profile failed", "err", err)
		}
	}
	if a.prof.cancel != nil {
		a.prof.cancel()
	}
	a.p, a.prof.cancel = nil, nil
}

// busyLocked refuses a switch or removal while a job holds the profile.
func (a *App) busyLocked() error {
	a.exp.mu.Lock()
	exporting := a.exp.cancel != nil
	a.exp.mu.Unlock()
	switch {
	case exporting:
		return apperr.New(apperr.Conflict, "an export is running: wait for it or cancel it first")
	case a.rekeying:
		return apperr.New(apperr.Conflict, "a data key rotation is running: wait for it to finish first")
	}
	return nil
}

// currentDir is the open profile's folder.
func (a *App) currentDir() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.prof.cur.Dir != "" {
		return a.prof.cur.Dir
	}
	return a.cfg.DataDir
}

func (a *App) profileEntries() ([]ProfileEntryDTO, error) {
	ps, err := datadir.Profiles(a.cfg.DataDir)
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	cur := a.prof.cur
	a.mu.Unlock()
	out := make([]ProfileEntryDTO, 0, len(ps)+1)
	found := false
	for _, p := range ps {
		current := p.Dir == cur.Dir
		found = found || current
		out = append(out, ProfileEntryDTO{ID: profileID(p), Label: p.Label, Legacy: p.Legacy, Current: current})
	}
	if !found && cur.Dir != "" {
		// A fresh data folder before its vault exists: not yet a listed profile.
		out = append([]ProfileEntryDTO{{ID: profileID(cur), Label: cur.Label, Legacy: cur.Legacy, Current: true}}, out...)
	}
	return out, nil
}

// ProfilesList lists the practitioners' profiles on this computer.
func (a *App) ProfilesList() ([]ProfileEntryDTO, error) {
	out, err := a.profileEntries()
	return out, a.uiError("profiles", err)
}

func (a *App) findProfile(id string) (datadir.Profile, error) {
	slug := id
	if id == LegacyProfileID {
		slug = ""
	}
	p, err := datadir.Find(a.cfg.DataDir, slug)
	if errors.Is(err, fs.ErrNotExist) {
		a.mu.Lock()
		cur := a.prof.cur
		a.mu.Unlock()
		if cur.Dir != "" && profileID(cur) == id {
			return cur, nil
		}
		return datadir.Profile{}, apperr.New(apperr.NotFound, "there is no such profile on this computer")
	}
	return p, err
}

// ProfileAdd creates a new, empty profile folder. Switch to it to set it up.
func (a *App) ProfileAdd(req ProfileAddDTO) (ProfileEntryDTO, error) {
	prof, err := datadir.AddProfile(a.cfg.DataDir, req.Label)
	if err != nil {
		if strings.HasPrefix(err.Error(), "datadir: ") && !errors.Is(err, fs.ErrPermission) {
			err = apperr.Wrap(apperr.Invalid, strings.TrimPrefix(err.Error(), "datadir: "), err)
		}
		return ProfileEntryDTO{}, a.uiError("profile add", err)
	}
	if p, err := a.practice(); err == nil {
		p.RecordProfileFolder(a.ctx, "add", prof.Slug)
	}
	return ProfileEntryDTO{ID: profileID(prof), Label: prof.Label}, nil
}

// ProfileSwitch closes the open profile (locking it first: keys, search
// index and caches are dropped) and opens id, locked. Nothing of the
// previous profile stays in memory on the Go side.
func (a *App) ProfileSwitch(id string) (StatusDTO, error) {
	prof, err := a.findProfile(id)
	if err != nil {
		return StatusDTO{}, a.uiError("profile switch", err)
	}
	a.mu.Lock()
	if a.p != nil && a.prof.cur.Dir == prof.Dir {
		a.mu.Unlock()
		return a.Status()
	}
	if err := a.busyLocked(); err != nil {
		a.mu.Unlock()
		return StatusDTO{}, a.uiError("profile switch", err)
	}
	a.closeProfileLocked()
	a.openProfileLocked(prof)
	a.mu.Unlock()
	if err := datadir.SetLastUsed(a.cfg.DataDir, prof.Slug); err != nil {
		a.log.Warn("remember last profile failed", "err", err)
	}
	return a.Status()
}

// ProfileRename changes the open profile's label (the vault must be
// unlocked: only its practitioner may rename it).
func (a *App) ProfileRename(req ProfileAddDTO) (ProfileEntryDTO, error) {
	p, err := a.practice()
	if err != nil {
		return ProfileEntryDTO{}, a.uiError("profile rename", err)
	}
	if _, err := p.Keys(); err != nil {
		return ProfileEntryDTO{}, a.uiError("profile rename", err)
	}
	a.mu.Lock()
	cur := a.prof.cur
	a.mu.Unlock()
	if err := datadir.SetLabel(cur.Dir, req.Label); err != nil {
		return ProfileEntryDTO{}, a.uiError("profile rename", apperr.Wrap(apperr.Invalid, strings.TrimPrefix(err.Error(), "datadir: "), err))
	}
	label := datadir.Label(cur.Dir)
	a.mu.Lock()
	if a.prof.cur.Dir == cur.Dir {
		a.prof.cur.Label = label
	}
	a.mu.Unlock()
	p.RecordProfileFolder(a.ctx, "rename", cur.Slug)
	return ProfileEntryDTO{ID: profileID(cur), Label: label, Legacy: cur.Legacy, Current: true}, nil
}

func removalDTO(label string, r practice.Removal) RemovalDTO {
	d := RemovalDTO{Label: label, Initialized: r.Initialized, Clients: r.Clients, CopyCurrent: r.CopyCurrent,
		Allowed: r.Allowed, Refusal: r.Refusal}
	if !r.KeepUntil.IsZero() {
		d.KeepUntil = r.KeepUntil.In(indiaZone()).Format(time.DateOnly)
	}
	if c := r.Copy; c != nil {
		d.Copy = &RetainedCopyDTO{Kind: c.Kind, ID: c.ID, At: c.At.UTC().Format(time.RFC3339), Name: c.Name,
			SHA256: c.SHA256, Clients: c.Clients, Withheld: c.Withheld}
	}
	switch r.Refusal {
	case practice.RemovalNeedsCopy:
		d.Message = "This profile holds client records, which must be kept for 7 years after the last session. Export all clients with encryption (or make a verified backup) first; that file is then the copy you keep."
	case practice.RemovalCopyOutOfDate:
		d.Message = "Records changed after your last encrypted export or verified backup. Make a new one first, so the copy you keep holds everything."
	}
	return d
}

func indiaZone() *time.Location {
	if z, err := time.LoadLocation("Asia/Kolkata"); err == nil {
		return z
	}
	return time.FixedZone("IST", 5*3600+1800)
}

func (a *App) currentLabel() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.prof.cur.Label
}

// ProfileRemovalCheck says whether the open profile may be removed now.
func (a *App) ProfileRemovalCheck() (RemovalDTO, error) {
	p, err := a.practice()
	if err != nil {
		return RemovalDTO{}, a.uiError("profile removal", err)
	}
	r, err := p.RemovalCheck(a.ctx)
	if err != nil {
		return RemovalDTO{}, a.uiError("profile removal", err)
	}
	return removalDTO(a.currentLabel(), r), nil
}

// ProfileRemove removes the open profile once its name is typed back and
// the rule allows it, then opens the next profile (or a fresh one).
func (a *App) ProfileRemove(req ProfileRemoveDTO) (RemovedDTO, error) {
	a.mu.Lock()
	p, cur := a.p, a.prof.cur
	if p == nil {
		a.mu.Unlock()
		return RemovedDTO{}, a.uiError("profile remove", apperr.New(apperr.Internal, "the profile is not open"))
	}
	if !strings.EqualFold(strings.TrimSpace(req.ConfirmLabel), strings.TrimSpace(cur.Label)) {
		a.mu.Unlock()
		return RemovedDTO{}, a.uiError("profile remove", apperr.New(apperr.Invalid, "type the profile’s name exactly as shown to confirm"))
	}
	if err := a.busyLocked(); err != nil {
		a.mu.Unlock()
		return RemovedDTO{}, a.uiError("profile remove", err)
	}
	gen := a.prof.gen.Add(1) // its closing lock is not a lock the UI should follow
	a.prof.live.Store(nil)
	r, closed, err := p.Remove(a.ctx, a.cfg.DataDir, cur)
	if !closed {
		// Refused, or the check failed: nothing was touched, it stays open.
		a.prof.gen.CompareAndSwap(gen, gen-1)
		a.prof.live.Store(p)
		a.mu.Unlock()
		return RemovedDTO{}, a.uiError("profile remove", err)
	}
	if a.prof.cancel != nil {
		a.prof.cancel()
	}
	a.p, a.prof.cancel, a.pendingCode = nil, nil, ""
	// The next profile, or a fresh data folder (onboarding); if the
	// removal failed half-way, whatever is left of this one reopens.
	a.openProfileLocked(a.startProfile())
	a.mu.Unlock()
	if err != nil {
		return RemovedDTO{}, a.uiError("profile remove", err)
	}
	if err := datadir.SetLastUsed(a.cfg.DataDir, a.startProfile().Slug); err != nil {
		a.log.Warn("remember last profile failed", "err", err)
	}
	out := RemovedDTO{Removal: removalDTO(cur.Label, r)}
	if out.Profiles, err = a.profileEntries(); err != nil {
		return RemovedDTO{}, a.uiError("profile remove", err)
	}
	if out.Status, err = a.Status(); err != nil {
		return RemovedDTO{}, err
	}
	return out, nil
}

// PrivacyGet returns the usage-data choices kept on this computer.
func (a *App) PrivacyGet() (PrivacyDTO, error) {
	p, err := a.practice()
	if err != nil {
		return PrivacyDTO{}, a.uiError("privacy", err)
	}
	return PrivacyDTO{Diagnostics: p.Privacy(a.ctx).Diagnostics}, nil
}

// PrivacySave stores them (audited; the log level applies at once).
func (a *App) PrivacySave(req PrivacyDTO) (PrivacyDTO, error) {
	p, err := a.practice()
	if err != nil {
		return PrivacyDTO{}, a.uiError("privacy", err)
	}
	s, err := p.SetPrivacy(a.ctx, practice.Privacy{Diagnostics: req.Diagnostics})
	if err != nil {
		return PrivacyDTO{}, a.uiError("privacy", err)
	}
	return PrivacyDTO{Diagnostics: s.Diagnostics}, nil
}
