package practice

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/consent"
	"github.com/calmally/practice/internal/erasure"
	"github.com/calmally/practice/internal/ids"
	"github.com/calmally/practice/internal/logging"
	"github.com/calmally/practice/internal/retention"
	"github.com/calmally/practice/internal/store"
)

// Retention runs (internal/retention decides what is due): a dry run lists
// what would go on a date and why; a real run deletes it — a client's whole
// record 7 years after the last interaction (store.PurgeClient, under a
// 'retention' purge authorization), a discharged client's contact details
// 30 days after discharge (the erasure engine's contact-only option), rotated
// log files and run-log rows after 2 years — one transaction per client, each
// audited by id. Then the WAL is checkpointed, and the file is vacuumed when
// more than a tenth of it is free pages. A run is logged (retention_runs)
// with its report: ids and codes only.

// Outcomes of a retention run, per item (codes only).
const (
	RetentionWouldDelete = "would_delete"
	RetentionDeleted     = "deleted"
	RetentionHeld        = "held"
	RetentionKept        = "kept"
	// RetentionSkipped: the client was held, or had a new interaction,
	// between the plan and the deletion; nothing of it was deleted.
	RetentionSkipped = "skipped"
	RetentionFailed  = "failed"
)

// vacuumFreeShare is the share of free pages above which a run rewrites the
// file (VACUUM): below it, the free pages are reused by later writes, and
// secure_delete has already zeroed them.
const vacuumFreeShare = 0.10

// RetentionRemoved is what a real run removed for one item: a table, the
// ids of its rows deleted or changed, and for a contact-only erasure the
// columns wiped.
type RetentionRemoved struct {
	Table   string   `json:"table"`
	IDs     []string `json:"ids"`
	Columns []string `json:"columns,omitempty"`
}

// RetentionResult is one item of a plan with what the run did with it.
type RetentionResult struct {
	retention.Item
	Outcome string             `json:"outcome"`
	Error   string             `json:"error,omitempty"` // "code: message" of a skipped or failed item
	Removed []RetentionRemoved `json:"removed,omitempty"`
}

// RetentionReport is what a retention run (or dry run) found and did.
type RetentionReport struct {
	ID       string            `json:"id,omitempty"` // the run's id (real runs)
	AsOf     time.Time         `json:"asOf"`
	RanAt    time.Time         `json:"ranAt"`
	DryRun   bool              `json:"dryRun"`
	Trigger  string            `json:"trigger,omitempty"`
	Results  []RetentionResult `json:"results"`
	Deleted  int               `json:"deleted"`
	Held     int               `json:"held"`
	Failed   int               `json:"failed"` // skipped and failed items
	Vacuumed bool              `json:"vacuumed"`
	// Holds are the legal holds in place when the plan was made.
	Holds []LegalHold `json:"holds"`
}

func (p *Practice) retentionStore() *store.RetentionStore {
	return store.NewRetentionStore(p.db, p.AuditChain, p.consentChain)
}

// consentChain is the consent ledger's MAC chain (for re-chaining after a
// client's events are deleted).
func (p *Practice) consentChain() (*consent.Chain, error) {
	k, err := p.Keys()
	if err != nil {
		return nil, err
	}
	key := k.Subkey(consent.SubkeyPurpose)
	if len(key) == 0 {
		return nil, errLocked
	}
	defer clear(key)
	return consent.NewChain(key), nil
}

// contactErasure is the erasure engine with its contact-only option wired.
func (p *Practice) contactErasure() *erasure.Service {
	return erasure.NewService(erasure.Config{
		Store:   store.NewErasureStore(p.db, p.AuditChain, p.consentChain),
		Contact: p.retentionStore(),
		Keys: func() (erasure.Sealer, error) {
			k, err := p.Keys()
			if err != nil {
				return nil, err
			}
			return k, nil
		},
		Now:   p.Now,
		Actor: p.opts.Actor,
	})
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

// RetentionPlan is the dry-run report for asOf: what would go then, why, and
// which holds keep what. It deletes nothing and reads no sealed column, but
// it is about clients, so it needs the vault unlocked like every view.
func (p *Practice) RetentionPlan(ctx context.Context, asOf time.Time) (RetentionReport, error) {
	if _, err := p.Keys(); err != nil {
		return RetentionReport{}, err
	}
	rep, _, err := p.retentionPlan(ctx, asOf)
	if err != nil {
		return rep, err
	}
	for i := range rep.Results {
		r := &rep.Results[i]
		switch r.Action {
		case retention.ActionHeld:
			r.Outcome = RetentionHeld
			rep.Held++
		case retention.ActionKept:
			r.Outcome = RetentionKept
		default:
			r.Outcome = RetentionWouldDelete
		}
	}
	return rep, nil
}

func (p *Practice) retentionPlan(ctx context.Context, asOf time.Time) (RetentionReport, retention.Facts, error) {
	st := p.retentionStore()
	f, err := st.Facts(ctx)
	if err != nil {
		return RetentionReport{}, f, err
	}
	if f.LogFiles, err = p.retentionLogFiles(); err != nil {
		return RetentionReport{}, f, err
	}
	holds, err := p.LegalHolds(ctx, "", true)
	if err != nil {
		return RetentionReport{}, f, err
	}
	rep := RetentionReport{AsOf: asOf.UTC(), RanAt: p.Now(), DryRun: true, Results: []RetentionResult{}, Holds: holds}
	for _, it := range retention.Plan(f, asOf) {
		rep.Results = append(rep.Results, RetentionResult{Item: it})
	}
	return rep, f, nil
}

// RetentionRun deletes what is due on asOf (not after now: a run never
// deletes ahead of time), audits it by id, logs the run and returns its
// report. Items that fail are reported and the rest carry on.
func (p *Practice) RetentionRun(ctx context.Context, asOf time.Time, trigger Trigger) (RetentionReport, error) {
	if _, err := p.Keys(); err != nil {
		return RetentionReport{}, err
	}
	if asOf.After(p.Now()) {
		return RetentionReport{}, apperr.New(apperr.Invalid,
			"as-of: a real run cannot be dated after now (it would delete data before it is due); use a dry run to look ahead")
	}
	p.bk.mu.Lock() // no backup snapshot or other run meanwhile (the run may VACUUM)
	defer p.bk.mu.Unlock()
	rep, _, err := p.retentionPlan(ctx, asOf)
	if err != nil {
		return rep, err
	}
	rep.DryRun, rep.Trigger, rep.ID = false, string(trigger), ids.New(p.Now())
	var logEntries []audit.Entry
	var expiredRuns []string
	rowsGone := false
	for i := range rep.Results {
		r := &rep.Results[i]
		switch {
		case r.Action == retention.ActionHeld:
			r.Outcome = RetentionHeld
			rep.Held++
			continue
		case r.Action == retention.ActionKept:
			r.Outcome = RetentionKept
			continue
		}
		var err error
		switch {
		case r.Category == retention.CategoryHealth:
			err = p.retentionPurgeClient(ctx, r, asOf)
		case r.Category == retention.CategoryContact:
			err = p.retentionEraseContact(ctx, r)
		case r.Rule == retention.RuleUsageLog2Years:
			var e audit.Entry
			if e, err = p.retentionDeleteLog(r); err == nil {
				logEntries = append(logEntries, e)
			}
		case r.Rule == retention.RuleUsageRunLog2Years:
			expiredRuns = append(expiredRuns, r.Ref)
			r.Removed = []RetentionRemoved{{Table: "retention_runs", IDs: []string{r.Ref}}}
		default:
			err = fmt.Errorf("retention: no deletion for rule %s", r.Rule)
		}
		switch {
		case err == nil:
			r.Outcome = RetentionDeleted
			rep.Deleted++
			rowsGone = rowsGone || r.Category != retention.CategoryUsage
		case apperr.CodeOf(err) == apperr.Conflict:
			r.Outcome, r.Error = RetentionSkipped, apperr.CodeOf(err)+": "+apperr.MessageOf(err)
			rep.Failed++
		default:
			if apperr.CodeOf(err) == apperr.Locked {
				return rep, err // locked mid-run: stop, nothing half-done (each item is one transaction)
			}
			p.log.Error("retention item failed", "rule", r.Rule, "err", err)
			r.Outcome, r.Error = RetentionFailed, apperr.CodeOf(err)+": "+apperr.MessageOf(err)
			rep.Failed++
		}
	}
	st := p.retentionStore()
	if err := st.Record(ctx, logEntries); err != nil {
		return rep, err
	}
	if rowsGone || len(expiredRuns) > 0 {
		// The deleted rows' old pages must not survive in the WAL or in
		// free pages. A reader in the middle of a transaction (the startup
		// check) can make the checkpoint busy: try a few times; the lock and
		// exit checkpoints catch up on a failure, which is logged.
		if err := p.retry(ctx, p.db.Checkpoint); err != nil {
			p.log.Error("retention: checkpoint after deletion failed; it runs again at lock", "err", err)
		} else if rep.Vacuumed, err = p.vacuumIfWorthIt(ctx); err != nil {
			p.log.Error("retention: vacuum failed; the freed pages are zeroed and reused", "err", err)
		}
	}
	return rep, p.logRetentionRun(ctx, st, &rep, expiredRuns)
}

// retry runs fn up to five times, a fifth of a second apart, until it succeeds.
func (p *Practice) retry(ctx context.Context, fn func(context.Context) error) error {
	var err error
	for range 5 {
		if err = fn(ctx); err == nil {
			return nil
		}
		p.opts.Sleep(200 * time.Millisecond)
	}
	return err
}

func (p *Practice) logRetentionRun(ctx context.Context, st *store.RetentionStore, rep *RetentionReport, expired []string) error {
	body, err := json.Marshal(rep)
	if err != nil {
		return fmt.Errorf("retention: encode report: %w", err)
	}
	result := "ok"
	if rep.Failed > 0 {
		result = "failed"
	}
	vac := "0"
	if rep.Vacuumed {
		vac = "1"
	}
	e, err := audit.Event{Action: audit.ActionRetentionPurge, RecordType: "retention_run", RecordID: rep.ID,
		Detail: audit.D("as_of", rep.AsOf.Format("20060102"), "trigger", rep.Trigger, "result", result,
			"deleted", strconv.Itoa(rep.Deleted), "held", strconv.Itoa(rep.Held), "failed", strconv.Itoa(rep.Failed),
			"vacuumed", vac)}.Entry(p.Now(), p.opts.Actor)
	if err != nil {
		return err
	}
	row := store.RetentionRunRow{ID: rep.ID, At: rep.RanAt, AsOf: rep.AsOf, Trigger: rep.Trigger, Result: result,
		Deleted: rep.Deleted, Held: rep.Held, Failed: rep.Failed, Vacuumed: rep.Vacuumed, Report: body}
	if err := st.InsertRun(ctx, row, expired, e); err != nil {
		return err
	}
	if len(expired) > 0 {
		// The deleted run rows' pages: out of the WAL too.
		if err := p.retry(ctx, p.db.Checkpoint); err != nil {
			p.log.Error("retention: checkpoint after the run log failed; it runs again at lock", "err", err)
		}
	}
	return nil
}

// retentionPurgeClient deletes a client's whole record (health information
// due) and drops it from the search index.
func (p *Practice) retentionPurgeClient(ctx context.Context, r *RetentionResult, asOf time.Time) error {
	in := store.RetentionPurgeInput{ClientID: r.ClientID, Basis: r.Basis, AsOf: asOf}
	purged, err := p.retentionStore().PurgeClient(ctx, in, func(got store.RetentionPurged) ([]audit.Entry, error) {
		d := audit.D("rule", r.Rule, "basis", r.Basis.Format("20060102"))
		for _, t := range got.Tables {
			if t.Table != "clients" {
				d = d.With(t.Table, strconv.Itoa(len(t.IDs)))
			}
		}
		now := p.Now()
		e, err := audit.Event{Action: audit.ActionRetentionPurge, RecordType: "client", RecordID: r.ClientID, Detail: d}.Entry(now, p.opts.Actor)
		if err != nil {
			return nil, err
		}
		out := []audit.Entry{e}
		for _, id := range got.IDs("notes") {
			e, err := audit.Event{Action: audit.ActionRetentionPurge, RecordType: "note", RecordID: id,
				Detail: audit.D("rule", r.Rule, "client", r.ClientID)}.Entry(now, p.opts.Actor)
			if err != nil {
				return nil, err
			}
			out = append(out, e)
		}
		return out, nil
	})
	if err != nil {
		return err
	}
	ix := p.searchIndex().ix
	ix.Delete(r.ClientID)
	for _, id := range purged.IDs("notes") {
		ix.Delete(id)
	}
	for _, t := range purged.Tables {
		r.Removed = append(r.Removed, RetentionRemoved{Table: t.Table, IDs: t.IDs})
	}
	return nil
}

// retentionEraseContact wipes a discharged client's contact details and
// brings the search index up to date.
func (p *Practice) retentionEraseContact(ctx context.Context, r *RetentionResult) error {
	res, err := p.contactErasure().EraseContact(ctx, erasure.ContactInput{ClientID: r.ClientID, Rule: r.Rule})
	if err != nil {
		return err
	}
	r.Removed = []RetentionRemoved{{Table: "clients", IDs: []string{r.ClientID}, Columns: res.Columns}}
	if len(res.HistoryIDs) > 0 {
		r.Removed = append(r.Removed, RetentionRemoved{Table: "client_history", IDs: res.HistoryIDs, Columns: res.Columns})
	}
	if cl, err := p.clientsService(nil).Get(ctx, r.ClientID); err == nil {
		p.searchIndex().ix.Put(clientDoc(cl))
	}
	return nil
}

// retentionDeleteLog removes a rotated log file and returns its audit entry.
func (p *Practice) retentionDeleteLog(r *RetentionResult) (audit.Entry, error) {
	if err := os.Remove(filepath.Join(p.DataDir(), r.Ref)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return audit.Entry{}, fmt.Errorf("retention: delete log file: %w", err)
	}
	r.Removed = []RetentionRemoved{{Table: "log_file", IDs: []string{r.Ref}}}
	return audit.Event{Action: audit.ActionRetentionPurge, RecordType: "log_file",
		Detail: audit.D("rule", r.Rule, "file", r.Ref)}.Entry(p.Now(), p.opts.Actor)
}

// vacuumIfWorthIt rewrites the database file when more than vacuumFreeShare
// of its pages are free, and reports whether it did.
func (p *Practice) vacuumIfWorthIt(ctx context.Context) (bool, error) {
	pages, free, err := p.db.FileSpace(ctx)
	if err != nil {
		return false, err
	}
	if pages == 0 || float64(free)/float64(pages) <= vacuumFreeShare {
		return false, nil
	}
	if err := p.db.Vacuum(ctx); err != nil {
		return false, fmt.Errorf("retention: %w", err)
	}
	p.log.Info("retention vacuumed the database", "pages_before", pages, "free_before", free)
	return true, nil
}
