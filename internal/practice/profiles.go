package practice

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/clients"
	"github.com/calmally/practice/internal/datadir"
	"github.com/calmally/practice/internal/profile"
	"github.com/calmally/practice/internal/retention"
)

// Removing a practitioner's profile from this computer (docs/profile-format.md,
// "Removing a profile"). The rule, in short:
//
//   - Only the practitioner can remove their profile: it must be open and
//     unlocked (a profile whose vault was never created holds nothing and may
//     be removed as it is).
//   - Clinical records must be kept for 7 years after the last interaction.
//     Removing the profile deletes the only copy on this computer, so while
//     it holds client records removal is refused until an encrypted copy
//     exists that holds everything: an encrypted export of the whole
//     practice, or a verified backup (restorable with the recovery kit),
//     made after the last change to any record. That copy is the one the law
//     now asks the practitioner to keep, and the removal says so, with the
//     date until which it must be kept.
//   - What is removed: the profile's folder (database, logs, label), its
//     keychain secret. A line in <base>/removed-profiles.jsonl records when,
//     how many clients, which copy (kind, id, date, SHA-256) and until when
//     it must be kept — ids, counts and dates only.

// Refusal codes of a removal check.
const (
	RemovalNeedsCopy     = "needs_encrypted_copy" // client records and no encrypted full copy
	RemovalCopyOutOfDate = "copy_out_of_date"     // records changed after the newest copy
)

// RetainedCopy is the encrypted copy that keeps a removed profile's records.
type RetainedCopy struct {
	Kind     string    // "export" (an encrypted export of the whole practice) or "backup" (a verified backup)
	ID       string    // the export's or backup's id
	At       time.Time // when it was made
	Name     string    // the export's file name, or the backup's path
	SHA256   string
	Clients  int // clients in the export (backups hold the whole database: -1)
	Withheld int // items the export left out (psychotherapy notes not chosen, unreadable records)
}

// Removal is what removing the open profile would mean: counts, dates and
// ids only.
type Removal struct {
	Initialized bool
	Clients     int // client records of any status, unreadable ones included
	// KeepUntil is 7 years after the latest last interaction of any client
	// (zero when there are no client records).
	KeepUntil time.Time
	Copy      *RetainedCopy // the newest encrypted full copy; nil if none
	// CopyCurrent: no record changed after Copy was made.
	CopyCurrent bool
	Allowed     bool
	Refusal     string // RemovalNeedsCopy or RemovalCopyOutOfDate when not allowed
}

// RemovalCheck reports whether the open profile may be removed now.
func (p *Practice) RemovalCheck(ctx context.Context) (Removal, error) {
	p.mu.Lock()
	initialized := p.header != nil
	p.mu.Unlock()
	if !initialized {
		return Removal{Allowed: true}, nil
	}
	if _, err := p.Keys(); err != nil {
		return Removal{}, err
	}
	r := Removal{Initialized: true}
	list, err := p.Clients().List(ctx, clients.Filter{})
	if err != nil {
		return Removal{}, err
	}
	r.Clients = len(list.Clients) + len(list.Unreadable)
	for _, c := range list.Clients {
		due := retention.HealthDue(retention.ClientFacts{LastInteractionAt: c.LastInteractionAt, CreatedAt: c.CreatedAt})
		if due.After(r.KeepUntil) {
			r.KeepUntil = due
		}
	}
	if len(list.Unreadable) > 0 && r.KeepUntil.IsZero() {
		r.KeepUntil = p.Now().AddDate(retention.HealthYears, 0, 0)
	}
	if r.Copy, err = p.newestCopy(ctx); err != nil {
		return Removal{}, err
	}
	if r.Copy != nil {
		changed, err := p.changedSince(ctx, r.Copy.At)
		if err != nil {
			return Removal{}, err
		}
		r.CopyCurrent = !changed
	}
	switch {
	case r.Clients == 0:
		r.Allowed = true
	case r.Copy == nil:
		r.Refusal = RemovalNeedsCopy
	case !r.CopyCurrent:
		r.Refusal = RemovalCopyOutOfDate
	default:
		r.Allowed = true
	}
	return r, nil
}

// newestCopy finds the newest encrypted export of the whole practice or
// verified backup still on disk.
func (p *Practice) newestCopy(ctx context.Context) (*RetainedCopy, error) {
	var best *RetainedCopy
	exports, err := p.Exports(ctx)
	if err != nil {
		return nil, err
	}
	for _, e := range exports {
		if e.Kind == "export" && e.Scope == "practice" && e.Encrypted {
			best = &RetainedCopy{Kind: "export", ID: e.ID, At: e.At, Name: e.Name, SHA256: e.SHA256,
				Clients: e.Clients, Withheld: e.Withheld}
			break // newest first
		}
	}
	backups, err := p.Backups(ctx, 0)
	if err != nil {
		return nil, err
	}
	for _, b := range backups {
		if b.Result == "ok" && b.VerifyResult == "ok" && b.Present && b.RemovedAt.IsZero() && !b.Damaged {
			if best == nil || b.At.After(best.At) {
				best = &RetainedCopy{Kind: "backup", ID: b.ID, At: b.At, Name: b.Path, SHA256: b.SHA256, Clients: -1}
			}
			break
		}
	}
	return best, nil
}

// recordWrites are the audit actions that change what a copy must hold.
var recordWrites = []audit.Action{audit.ActionCreate, audit.ActionEdit, audit.ActionSign, audit.ActionAddendum,
	audit.ActionDelete, audit.ActionImport, audit.ActionConsentGranted, audit.ActionConsentWithdrawn,
	audit.ActionRightsRequest, audit.ActionRestore}

// notRecords are record types whose edits are not client records: the
// practitioner's own profile, the practice settings, app settings.
var notRecords = []string{profile.RecordTypeProfile, profile.RecordTypePractice, recordTypeSettings, recordTypeProfileFolder}

// changedSince reports whether the audit trail shows a change to any record
// strictly after at (the trail is the one place every write is recorded).
func (p *Practice) changedSince(ctx context.Context, at time.Time) (bool, error) {
	for offset := 0; ; offset += audit.MaxLimit {
		entries, total, err := p.AuditList(ctx, audit.Filter{From: at, Limit: audit.MaxLimit, Offset: offset})
		if err != nil {
			return false, err
		}
		for _, e := range entries {
			if e.At.After(at) && slices.Contains(recordWrites, e.Action) && !slices.Contains(notRecords, e.RecordType) {
				return true, nil
			}
		}
		if offset+len(entries) >= total || len(entries) == 0 {
			return false, nil
		}
	}
}

// RemovedLogFile, in the base folder, lists removed profiles (JSON lines).
const RemovedLogFile = "removed-profiles.jsonl"

// removedLine is one line of RemovedLogFile: ids, counts and dates only.
type removedLine struct {
	RemovedAt  time.Time `json:"removedAt"`
	Profile    string    `json:"profile"` // the folder's slug ("" for the legacy profile)
	Clients    int       `json:"clients"`
	KeepUntil  string    `json:"keepUntil,omitempty"` // YYYY-MM-DD
	CopyKind   string    `json:"copyKind,omitempty"`
	CopyID     string    `json:"copyId,omitempty"`
	CopyAt     time.Time `json:"copyAt,omitzero"`
	CopySHA256 string    `json:"copySha256,omitempty"`
}

// Remove deletes the open profile prof (whose folder must be this
// profile's) from base: it checks the rule again, audits, closes the
// profile, deletes its files and its keychain secret, and appends a line to
// the base folder's removal log. closed reports whether the Practice was
// closed: when it is false nothing was touched (a refusal, or the check
// failed) and the profile stays open; when true the Practice must not be
// used again, even if err is not nil. The returned Removal says what was
// kept where.
func (p *Practice) Remove(ctx context.Context, base string, prof datadir.Profile) (r Removal, closed bool, err error) {
	if filepath.Clean(prof.Dir) != filepath.Clean(p.DataDir()) {
		return Removal{}, false, apperr.New(apperr.Invalid, "remove profile: only the open profile can be removed")
	}
	if r, err = p.RemovalCheck(ctx); err != nil {
		return Removal{}, false, err
	}
	if !r.Allowed {
		return r, false, apperr.New(apperr.Forbidden, removalRefusal(r.Refusal))
	}
	p.mu.Lock()
	keychain := p.header != nil && !p.header.PassphraseOnly
	p.mu.Unlock()
	account := ""
	if keychain {
		if account, err = p.keychainAccount(ctx); err != nil {
			return Removal{}, false, err
		}
	}
	line := removedLine{RemovedAt: p.Now(), Profile: prof.Slug, Clients: r.Clients}
	d := audit.D("clients", strconv.Itoa(r.Clients))
	if r.Copy != nil && r.Clients > 0 {
		line.CopyKind, line.CopyID, line.CopyAt, line.CopySHA256 = r.Copy.Kind, r.Copy.ID, r.Copy.At.UTC(), r.Copy.SHA256
		d = d.With("copy", r.Copy.Kind).With("copy_id", r.Copy.ID)
	}
	if !r.KeepUntil.IsZero() {
		line.KeepUntil = r.KeepUntil.In(practiceZone()).Format(time.DateOnly)
	}
	if r.Initialized {
		// The entry goes with the folder; the removal log below outlives it.
		p.record(ctx, p.auditEntry(audit.ActionDelete, recordTypeProfileFolder, "", d))
	}
	if err := p.Close(); err != nil {
		p.log.Warn("close before removal failed", "err", err)
	}
	if err := datadir.RemoveProfile(base, prof); err != nil {
		return r, true, err
	}
	if account != "" {
		if err := p.opts.Keychain.Delete(account); err != nil {
			// The folder is gone; a stale secret opens nothing without it.
			p.log.Warn("keychain secret of a removed profile not deleted", "err", err)
		}
	}
	if err := appendRemoved(base, line); err != nil {
		return r, true, err
	}
	return r, true, nil
}

func appendRemoved(base string, line removedLine) error {
	b, err := json.Marshal(line)
	if err != nil {
		return fmt.Errorf("remove profile: log: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(base, RemovedLogFile), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("remove profile: log: %w", err)
	}
	_, err = f.Write(append(b, '\n'))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("remove profile: log: %w", err)
	}
	return nil
}

// removalRefusal words a refusal code for the user.
func removalRefusal(code string) string {
	switch code {
	case RemovalNeedsCopy:
		return "remove profile: this profile holds client records, which must be kept for 7 years: first export all clients encrypted (or make a verified backup), then remove it"
	case RemovalCopyOutOfDate:
		return "remove profile: records changed after the last encrypted export or verified backup: make a new one first, so it holds everything"
	}
	return "remove profile: not allowed"
}

// RecordProfileFolder audits, in this profile's trail, that the practitioner
// added (op "add") or renamed (op "rename") a profile folder on this
// computer; slug is the folder's id. While locked the entry waits as a
// pending one, like a failed unlock.
func (p *Practice) RecordProfileFolder(ctx context.Context, op, slug string) {
	action := audit.ActionEdit
	if op == "add" {
		action = audit.ActionCreate
	}
	p.record(ctx, p.auditEntry(action, recordTypeProfileFolder, slug, audit.D("op", op)))
}

// Record types of this file's audit entries.
const (
	recordTypeSettings      = "settings"
	recordTypeProfileFolder = "profile_folder"
)
