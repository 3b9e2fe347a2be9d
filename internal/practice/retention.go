package practice

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/logging"
	"github.com/calmally/practice/internal/retention"
	"github.com/calmally/practice/internal/store"
)

// Outcomes of a retention run, per item (codes only).
const (
	RetentionWouldDelete = "would_delete"
	RetentionDeleted     = "deleted"
	RetentionHeld        = "held"
	RetentionKept        = "kept"
	// Health information of signed notes cannot be deleted yet: the
	// signed-note triggers (0008) let only a minor purge through, and a
	// 'retention' purge authorization scope needs a migration. Until then a
	// run deletes nothing of the client's and says so.
	RetentionDeferredSigned = "deferred:needs_retention_purge_authorization"
	// Contact-only erasure (phone, email, emergency contact re-sealed
	// empty, history stripped) is not wired to the erasure engine yet,
	// whose Erase removes every erasable field.
	RetentionDeferredContact = "deferred:contact_erasure_not_wired"
)

// RetentionResult is one item of a plan with what the run did with it.
type RetentionResult struct {
	retention.Item
	Outcome string `json:"outcome"`
}

// RetentionReport is what a retention run (or dry run) found and did.
type RetentionReport struct {
	AsOf    time.Time         `json:"asOf"`
	DryRun  bool              `json:"dryRun"`
	Results []RetentionResult `json:"results"`
}

// retentionLogFiles lists the rotated log files (calmally.log.N) of the data
// folder; the live calmally.log is written to and never due.
func (p *Practice) retentionLogFiles() ([]retention.LogFile, error) {
	matches, err := filepath.Glob(filepath.Join(p.DataDir(), logging.FileName+".*"))
	if err != nil {
		return nil, fmt.Errorf("retention: list log files: %w", err)
	}
	var out []retention.LogFile
	for _, m := range matches {
		fi, err := os.Lstat(m)
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		out = append(out, retention.LogFile{Name: filepath.Base(m), ModTime: fi.ModTime().UTC()})
	}
	return out, nil
}

// RetentionPlan is the dry-run report for asOf: what would go then and why.
func (p *Practice) RetentionPlan(ctx context.Context, asOf time.Time) (RetentionReport, error) {
	return p.retention(ctx, asOf, true)
}

// RetentionRun deletes what is due on asOf and audits it by id; what cannot
// be deleted yet is reported with a deferred code.
func (p *Practice) RetentionRun(ctx context.Context, asOf time.Time) (RetentionReport, error) {
	return p.retention(ctx, asOf, false)
}

func (p *Practice) retention(ctx context.Context, asOf time.Time, dry bool) (RetentionReport, error) {
	st := store.NewRetentionStore(p.db, p.AuditChain)
	f, err := st.Facts(ctx)
	if err != nil {
		return RetentionReport{}, err
	}
	if f.LogFiles, err = p.retentionLogFiles(); err != nil {
		return RetentionReport{}, err
	}
	rep := RetentionReport{AsOf: asOf.UTC(), DryRun: dry, Results: []RetentionResult{}}
	var entries []audit.Entry
	counts := map[string]int{}
	for _, it := range retention.Plan(f, asOf) {
		r := RetentionResult{Item: it}
		switch {
		case it.Action == retention.ActionHeld:
			r.Outcome = RetentionHeld
		case it.Action == retention.ActionKept:
			r.Outcome = RetentionKept
		case dry:
			r.Outcome = RetentionWouldDelete
		case it.Category == retention.CategoryHealth:
			r.Outcome = RetentionDeferredSigned
		case it.Category == retention.CategoryContact:
			r.Outcome = RetentionDeferredContact
		case it.Category == retention.CategoryUsage && it.Rule == retention.RuleUsageLog2Years:
			if err := os.Remove(filepath.Join(p.DataDir(), it.Ref)); err != nil && !os.IsNotExist(err) {
				return rep, fmt.Errorf("retention: delete log file: %w", err)
			}
			r.Outcome = RetentionDeleted
			e, err := audit.Event{Action: audit.ActionRetentionPurge, RecordType: "log_file",
				Detail: audit.D("rule", it.Rule, "file", it.Ref)}.Entry(p.Now(), p.opts.Actor)
			if err != nil {
				return rep, err
			}
			entries = append(entries, e)
		}
		counts[strings.SplitN(r.Outcome, ":", 2)[0]]++
		rep.Results = append(rep.Results, r)
	}
	if dry {
		return rep, nil
	}
	e, err := audit.Event{Action: audit.ActionRetentionPurge, Detail: audit.D("run", "as_of_"+asOf.UTC().Format("20060102"),
		"deleted", strconv.Itoa(counts[RetentionDeleted]), "held", strconv.Itoa(counts[RetentionHeld]),
		"deferred", strconv.Itoa(counts["deferred"]))}.Entry(p.Now(), p.opts.Actor)
	if err != nil {
		return rep, err
	}
	if err := st.Record(ctx, append(entries, e)); err != nil {
		return rep, err
	}
	if counts[RetentionDeleted] > 0 {
		if err := p.db.Checkpoint(ctx); err != nil {
			return rep, fmt.Errorf("retention: checkpoint: %w", err)
		}
	}
	return rep, nil
}
