package practice

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/clients"
	"github.com/calmally/practice/internal/datadir"
	"github.com/calmally/practice/internal/export"
	"github.com/calmally/practice/internal/logging"
	"github.com/calmally/practice/internal/profile"
)

// openProfile opens the named profile folder under base with f's keychain
// and clock (not closed on cleanup: removal closes it).
func openProfile(t *testing.T, f *fixture, dir string) *Practice {
	t.Helper()
	g := *f
	g.dir = dir
	return g.open(t)
}

func removedLines(t *testing.T, base string) []removedLine {
	t.Helper()
	fh, err := os.Open(filepath.Join(base, RemovedLogFile))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	var out []removedLine
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		var l removedLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatal(err)
		}
		out = append(out, l)
	}
	return out
}

// TestRemovalNeedsAnUpToDateEncryptedCopy: a profile with client records
// can be removed only after an encrypted copy of everything, made after the
// last change; the removal deletes the folder and keychain secret, leaves
// the other profile alone, and logs which copy keeps the records until when.
func TestRemovalNeedsAnUpToDateEncryptedCopy(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	base := filepath.Dir(f.dir)
	other, err := datadir.AddProfile(base, "Rahul")
	if err != nil {
		t.Fatal(err)
	}
	keep := openAt(t, f, other.Dir, otherPass)
	prof, err := datadir.AddProfile(base, "Meera")
	if err != nil {
		t.Fatal(err)
	}
	p := openProfile(t, f, prof.Dir)

	// Never set up: nothing to keep, removable as it is.
	if r, err := p.RemovalCheck(ctx); err != nil || !r.Allowed || r.Initialized {
		t.Fatalf("uninitialized: %+v %v", r, err)
	}
	mustCreate(t, p, false)
	c, err := p.Clients().Create(ctx, clients.Input{Name: "Asha Kumar", DateOfBirth: "1990-05-01"}, clients.SourceClinic)
	if err != nil {
		t.Fatal(err)
	}
	check := func(wantAllowed bool, wantRefusal string) Removal {
		t.Helper()
		r, err := p.RemovalCheck(ctx)
		if err != nil || r.Allowed != wantAllowed || r.Refusal != wantRefusal || r.Clients != 1 {
			t.Fatalf("check: %+v %v; want allowed=%v refusal=%q", r, err, wantAllowed, wantRefusal)
		}
		return r
	}
	check(false, RemovalNeedsCopy)
	if _, closed, err := p.Remove(ctx, base, prof); closed || apperr.CodeOf(err) != apperr.Forbidden ||
		!strings.Contains(apperr.MessageOf(err), "kept for 7 years") {
		t.Fatalf("remove without a copy: %v", err)
	}

	// An unencrypted export is not a copy to keep.
	f.clock.Advance(time.Minute)
	exp := func(enc export.Encryption) ExportResult {
		t.Helper()
		res, err := p.Export(ctx, ExportOptions{All: true, Path: filepath.Join(t.TempDir(), "all.zip"), Encryption: enc})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	exp(export.Encryption{})
	check(false, RemovalNeedsCopy)

	f.clock.Advance(time.Minute)
	first := exp(export.Encryption{Passphrase: []byte("archive passphrase for the records")})
	r := check(true, "")
	if r.Copy == nil || r.Copy.Kind != "export" || r.Copy.ID != first.ID || !r.CopyCurrent || r.Copy.Clients != 1 {
		t.Fatalf("copy: %+v", r.Copy)
	}
	// Seven years from the record's creation (no interaction yet), on the same date.
	if got := r.KeepUntil.Format(time.DateOnly); got != "2033-03-01" {
		t.Fatalf("keep until %s", got)
	}

	// A change after the export makes it out of date; viewing does not.
	f.clock.Advance(time.Minute)
	if _, err := p.Clients().Get(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	check(true, "")
	if _, err := p.Clients().Discharge(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	check(false, RemovalCopyOutOfDate)
	f.clock.Advance(time.Minute)
	second := exp(export.Encryption{Passphrase: []byte("archive passphrase for the records")})
	check(true, "")

	// Only the open profile's own folder.
	if _, closed, err := p.Remove(ctx, base, other); closed || apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("remove another folder: %v", err)
	}
	account, err := p.keychainAccount(ctx)
	if err != nil {
		t.Fatal(err)
	}
	done, closed, err := p.Remove(ctx, base, prof)
	if err != nil || !closed || done.Copy.ID != second.ID {
		t.Fatalf("remove: %+v %v", done, err)
	}
	if _, err := os.Stat(prof.Dir); !os.IsNotExist(err) {
		t.Fatalf("profile folder still there: %v", err)
	}
	if _, err := f.kc.Get(account); err == nil {
		t.Fatal("the keychain secret of the removed profile is still there")
	}
	lines := removedLines(t, base)
	if len(lines) != 1 || lines[0].Profile != "meera" || lines[0].Clients != 1 || lines[0].CopyKind != "export" ||
		lines[0].CopyID != second.ID || lines[0].CopySHA256 != second.SHA256 || lines[0].KeepUntil != "2033-03-01" {
		t.Fatalf("removal log: %+v", lines)
	}
	raw, _ := os.ReadFile(filepath.Join(base, RemovedLogFile))
	if strings.Contains(string(raw), "Asha") || strings.Contains(string(raw), "Meera") {
		t.Fatal("the removal log names a person")
	}

	// The other practitioner's profile is untouched and still opens.
	if ps, _ := datadir.Profiles(base); len(ps) != 1 || ps[0].Slug != "rahul" {
		t.Fatalf("profiles left: %+v", ps)
	}
	keep.Lock(ctx, "user")
	if err := keep.Unlock(ctx, []byte(otherPass)); err != nil {
		t.Fatalf("the other profile no longer unlocks: %v", err)
	}
}

func TestRemovalOfAnEmptyProfileAndWhileLocked(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	base := filepath.Dir(f.dir)
	prof, _ := datadir.AddProfile(base, "Trial")
	p := openProfile(t, f, prof.Dir)
	mustCreate(t, p, true) // passphrase only: no keychain item to delete
	p.Lock(ctx, "user")
	if _, err := p.RemovalCheck(ctx); apperr.CodeOf(err) != apperr.Locked {
		t.Fatalf("check while locked: %v", err)
	}
	if _, closed, err := p.Remove(ctx, base, prof); closed || apperr.CodeOf(err) != apperr.Locked {
		t.Fatalf("remove while locked: %v", err)
	}
	if err := p.Unlock(ctx, []byte(goodPass)); err != nil {
		t.Fatal(err)
	}
	r, _, err := p.Remove(ctx, base, prof)
	if err != nil || r.Clients != 0 || r.Copy != nil {
		t.Fatalf("remove empty: %+v %v", r, err)
	}
	if _, err := os.Stat(prof.Dir); !os.IsNotExist(err) {
		t.Fatal("folder still there")
	}
	if l := removedLines(t, base); len(l) != 1 || l[0].CopyKind != "" || l[0].KeepUntil != "" {
		t.Fatalf("log: %+v", l)
	}
}

// TestPrivacyDiagnostics: the minimal level keeps informational lines out of
// the log, at once and after reopening; the change is audited.
func TestPrivacyDiagnostics(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	p := f.open(t)
	mustCreate(t, p, false)
	if got := p.Privacy(ctx); got.Diagnostics != DiagnosticsStandard {
		t.Fatalf("default %+v", got)
	}
	if _, err := p.SetPrivacy(ctx, Privacy{Diagnostics: "verbose"}); apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("bad level: %v", err)
	}
	if _, err := p.SetPrivacy(ctx, Privacy{Diagnostics: DiagnosticsMinimal}); err != nil {
		t.Fatal(err)
	}
	p.Logger().Info("marker-info-after-minimal")
	p.Logger().Warn("marker-warn-after-minimal")
	entries, _, err := p.AuditList(ctx, audit.Filter{RecordType: recordTypeSettings})
	if err != nil || len(entries) != 1 || entries[0].Detail != "diagnostics=minimal" {
		t.Fatalf("audit: %+v %v", entries, err)
	}
	p.Lock(ctx, "user")
	if _, err := p.SetPrivacy(ctx, Privacy{Diagnostics: DiagnosticsStandard}); apperr.CodeOf(err) != apperr.Locked {
		t.Fatalf("set while locked: %v", err)
	}
	p.Close()

	q := f.open(t)
	if q.Privacy(ctx).Diagnostics != DiagnosticsMinimal {
		t.Fatal("the choice did not survive reopening")
	}
	q.Logger().Info("marker-info-after-reopen")
	q.Close()
	b, err := os.ReadFile(filepath.Join(f.dir, logging.FileName))
	if err != nil {
		t.Fatal(err)
	}
	log := string(b)
	if strings.Contains(log, "marker-info") || !strings.Contains(log, "marker-warn-after-minimal") {
		t.Fatalf("log with minimal diagnostics:\n%s", log)
	}
}

// TestPreferencesAndReviewComment: platform preferences travel with the
// profile (a change needs a new submission); the platform's comment is
// shown while it asks for changes, and survives an edit that does not
// answer it.
func TestPreferencesAndReviewComment(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	p := f.open(t)
	mustCreate(t, p, false)
	svc := p.Profile()
	pf, _, err := svc.SaveProfile(ctx, profile.Profile{Name: "Dr Meera Iyer", Credentials: []profile.Credential{
		{Qualification: "M.Phil", Council: profile.CouncilRCI, RegistrationNumber: "A12345"}}})
	if err != nil || pf.Preferences.MarketingEmails || pf.Preferences.PauseNewMatches {
		t.Fatalf("defaults: %+v %v", pf.Preferences, err)
	}
	if _, err := svc.Submit(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ApplyPlatformReview(ctx, profile.ReviewChangesRequested, "Add your RCI renewal date.\nThanks"); err != nil {
		t.Fatal(err)
	}
	got, _, _ := svc.Profile(ctx)
	if got.ReviewState != profile.ReviewChangesRequested || got.ReviewComment != "Add your RCI renewal date.\nThanks" {
		t.Fatalf("after review: %q %q", got.ReviewState, got.ReviewComment)
	}
	got.Contact.Phone = "+91 98200 12345" // not the change asked for
	got.ReviewComment = "forged"          // ignored on input
	saved, _, err := svc.SaveProfile(ctx, got)
	if err != nil || saved.ReviewState != profile.ReviewChangesRequested || saved.ReviewComment != "Add your RCI renewal date.\nThanks" {
		t.Fatalf("contact edit: %q %q %v", saved.ReviewState, saved.ReviewComment, err)
	}
	if _, err := svc.Submit(ctx); err != nil {
		t.Fatal(err)
	}
	if got, _, _ = svc.Profile(ctx); got.ReviewComment != "" {
		t.Fatalf("comment shown after resubmission: %q", got.ReviewComment)
	}
	if _, err := svc.ApplyReview(ctx, profile.ReviewApproved); err != nil {
		t.Fatal(err)
	}
	got, _, _ = svc.Profile(ctx)
	got.Preferences.PauseNewMatches = true
	if saved, _, err = svc.SaveProfile(ctx, got); err != nil || saved.ReviewState != profile.ReviewDraft || !saved.Preferences.PauseNewMatches {
		t.Fatalf("preference change: %q %+v %v", saved.ReviewState, saved.Preferences, err)
	}
	if _, err := svc.ApplyPlatformReview(ctx, profile.ReviewChangesRequested, "bad\x00comment"); apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("control character in a comment: %v", err)
	}
}
