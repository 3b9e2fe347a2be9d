package sync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/ids"
	"github.com/calmally/practice/internal/store"
	"github.com/calmally/practice/internal/sync/wire"
	"github.com/calmally/practice/internal/vault"
)

// Local rule codes for pulled changes refused before the Applier sees them.
const (
	RejectIntegrity = "integrity" // the stored change did not open, or does not match its row
)

// inboxBatch is how many stored changes are read at a time.
const inboxBatch = 200

// pull fetches pages after cursor until the backend says there is no more;
// each page is stored sealed with its cursor in one transaction, then
// applied.
func (e *Engine) pull(ctx context.Context, r *round, cursor string) error {
	r.total = 0
	e.progress(r, PhasePull)
	for {
		page, err := e.cfg.Transport.Pull(ctx, r.token, cursor, e.cfg.PageSize)
		if err != nil {
			return err
		}
		if len(page.Changes) > e.cfg.PageSize {
			return &Error{Code: CodeProtocol, Retryable: true, Message: "the backend sent more changes than asked for"}
		}
		if page.More && len(page.Changes) == 0 && page.Cursor == cursor {
			return &Error{Code: CodeProtocol, Retryable: true, Message: "the backend said more changes were ready but sent none and kept the cursor"}
		}
		items, err := e.sealPage(r, page.Changes)
		if err != nil {
			return err
		}
		if err := e.cfg.Store.StorePage(ctx, page.Cursor, items); err != nil {
			return err
		}
		r.sum.Pulled += len(page.Changes)
		e.progress(r, PhasePull)
		// Applied from memory: the stored copy is only read back after a
		// crash (applyInbox at the next start).
		if err := e.applyItems(ctx, r, items, page.Changes); err != nil {
			return err
		}
		if !page.More {
			return nil
		}
		cursor = page.Cursor
	}
}

// sealPage seals each change under a new inbox row id.
func (e *Engine) sealPage(r *round, changes []wire.Change) ([]store.InboxItem, error) {
	now := e.now()
	items := make([]store.InboxItem, len(changes))
	for i, c := range changes {
		b, err := json.Marshal(c)
		if err != nil {
			return nil, &Error{Code: CodeProtocol, Retryable: true, Message: "a pulled change could not be encoded", Err: err}
		}
		id := ids.New(now)
		env, err := r.sealer.Seal(store.InboxAD(id), b)
		if err != nil {
			return nil, err
		}
		items[i] = store.InboxItem{ID: id, Type: c.Type, EntityID: c.ID, Version: c.Version, ReceivedAt: now, Change: env}
	}
	return items, nil
}

// applyInbox applies the changes stored by an earlier round that did not
// finish applying them, in order of arrival, a batch at a time.
func (e *Engine) applyInbox(ctx context.Context, r *round) error {
	for {
		items, err := e.cfg.Store.Inbox(ctx, inboxBatch)
		if err != nil {
			return err
		}
		if len(items) == 0 {
			return nil
		}
		if err := e.applyItems(ctx, r, items, nil); err != nil {
			return err
		}
	}
}

// applyItems applies stored changes in order: changes holds them in the
// clear when the engine has them (a page just stored), nil to open each
// stored copy. A change at or below its entity's recorded version is
// skipped; a permanent refusal is recorded with its code; a transient
// failure stops here and the change stays in the inbox for the next round.
//
// What was applied is recorded (inbox rows removed, versions kept) for the
// whole group in one transaction — one commit per page rather than per
// change is what makes a pull of thousands fast. The group is recorded on
// every way out, a cancelled context included, so only a crash of the
// process itself can make a change apply twice, which Applier's
// idempotence covers.
func (e *Engine) applyItems(ctx context.Context, r *round, items []store.InboxItem, changes []wire.Change) error {
	e.progress(r, PhaseApply)
	if ga, ok := e.cfg.Applier.(GroupApplier); ok && changes != nil {
		return e.applyRun(ctx, r, ga, items, changes)
	}
	g := group{versions: map[string]int64{}}
	for i, it := range items {
		if err := ctx.Err(); err != nil {
			return g.flush(ctx, e, err)
		}
		var c *wire.Change
		if changes != nil {
			c = &changes[i]
		}
		done, err := e.applyOne(ctx, r, it, c, g.versions)
		if err != nil {
			return g.flush(ctx, e, err)
		}
		g.add(done)
	}
	if err := g.flush(ctx, e, nil); err != nil {
		return err
	}
	e.progress(r, PhaseApply)
	return nil
}

// pageApplyLimit bounds how long applying one page may hold the database
// (a batch holds its only connection). A page takes well under a second;
// reaching the limit means something waits for the connection the batch
// holds — a bug — and then the page fails (nothing of it applied, left in
// the inbox) instead of freezing the app. A variable for tests.
var pageApplyLimit = 2 * time.Minute

// applyRun is applyItems through a GroupApplier: the stale changes are
// picked out first (whether a change is stale depends only on the versions
// recorded and those before it in the page, not on how they fare), the
// rest applied in one call, and the outcomes settled in order up to the
// first transient failure.
//
// The call and the settle run in one store batch (store.DB.Batch): an
// applier that writes through the same store joins that transaction, so
// the page is applied and settled in one commit, or — on a crash, a
// cancelled context, a failed commit — not at all, the page still in the
// inbox. Nothing is counted or logged until the batch commits.
func (e *Engine) applyRun(ctx context.Context, r *round, ga GroupApplier, items []store.InboxItem, changes []wire.Change) error {
	versions := map[string]int64{}
	stale := make([]bool, len(items))
	var run []wire.Change
	for i, it := range items {
		k := versionKey(it.Type, it.EntityID)
		if it.Version <= max(it.Applied, versions[k]) {
			stale[i] = true
			continue
		}
		versions[k] = it.Version
		run = append(run, changes[i])
	}
	var (
		done    []store.Settled
		errs    []error
		cause   error // the first transient failure: the round stops there
		settled Summary
	)
	bctx, cancel := context.WithTimeout(ctx, pageApplyLimit)
	defer cancel()
	berr := e.cfg.Store.Batch(bctx, func(ctx context.Context) error {
		errs = ga.ApplyGroup(ctx, run)
		if len(errs) != len(run) {
			return fmt.Errorf("sync: the applier answered %d outcomes for %d changes", len(errs), len(run))
		}
		done, settled, cause = e.settleRun(items, stale, errs)
		if len(done) == 0 {
			return nil
		}
		// Not cut short by ctx ending: whether anything of the page is kept
		// is the batch's decision (its transaction ends with ctx).
		return e.cfg.Store.SettleChanges(context.WithoutCancel(ctx), done)
	})
	if berr != nil && !errors.Is(berr, store.ErrAfterCommit) {
		return berr // nothing of the page applied or settled
	}
	if berr != nil {
		e.cfg.Logger.Warn("sync: work after applying a page failed; the page stands", "err", berr)
	}
	r.sum.Applied += settled.Applied
	r.sum.Rejected += settled.Rejected
	r.sum.Skipped += settled.Skipped
	j := 0
	for i, it := range items[:len(done)] {
		if stale[i] {
			continue
		}
		if err := errs[j]; err != nil {
			code, _ := PermanentCode(err)
			e.cfg.Logger.Warn("sync: pulled change refused", "type", it.Type, "id", it.EntityID, "version", it.Version,
				"code", code, "rule", apperr.MessageOf(err))
		}
		j++
	}
	if cause != nil {
		return cause
	}
	e.progress(r, PhaseApply)
	return nil
}

// settleRun turns ApplyGroup's outcomes into what to record, in order up to
// the first transient failure (returned as cause), and what they count.
func (e *Engine) settleRun(items []store.InboxItem, stale []bool, errs []error) ([]store.Settled, Summary, error) {
	var done []store.Settled
	var sum Summary
	j := 0
	for i, it := range items {
		d := store.Settled{InboxID: it.ID, Type: it.Type, EntityID: it.EntityID, Version: it.Version, At: e.now()}
		if stale[i] {
			d.Skipped = true
			sum.Skipped++
			done = append(done, d)
			continue
		}
		err := errs[j]
		j++
		if err != nil {
			code, permanent := PermanentCode(err)
			if !permanent {
				return done, sum, err
			}
			d.RejectCode = code
			sum.Rejected++
		} else {
			sum.Applied++
		}
		done = append(done, d)
	}
	return done, sum, nil
}

// group is the changes settled but not yet recorded, and the versions they
// raise (a page may name an entity more than once).
type group struct {
	done     []store.Settled
	versions map[string]int64
}

func versionKey(typ, id string) string { return typ + "/" + id }

func (g *group) add(d store.Settled) {
	g.done = append(g.done, d)
	if !d.Skipped {
		k := versionKey(d.Type, d.EntityID)
		g.versions[k] = max(g.versions[k], d.Version)
	}
}

// flush records the group even if ctx ended (those changes were applied)
// and returns cause, or the recording's own failure.
func (g *group) flush(ctx context.Context, e *Engine, cause error) error {
	if len(g.done) > 0 {
		if err := e.cfg.Store.SettleChanges(context.WithoutCancel(ctx), g.done); err != nil && cause == nil {
			cause = err
		}
		g.done = nil
	}
	return cause
}

// applyOne applies one stored change (c, or its stored copy when c is nil)
// and says how it settled. pending holds versions applied in this group and
// not yet recorded.
func (e *Engine) applyOne(ctx context.Context, r *round, it store.InboxItem, c *wire.Change, pending map[string]int64) (store.Settled, error) {
	done := store.Settled{InboxID: it.ID, Type: it.Type, EntityID: it.EntityID, Version: it.Version, At: e.now()}
	if it.Version <= max(it.Applied, pending[versionKey(it.Type, it.EntityID)]) {
		done.Skipped = true
		r.sum.Skipped++
		return done, nil
	}
	if c == nil {
		opened, ok, err := e.openChange(r, it)
		if err != nil {
			return done, err
		}
		if !ok {
			done.RejectCode = RejectIntegrity
			r.sum.Rejected++
			e.cfg.Logger.Error("sync: stored change failed its integrity check", "type", it.Type, "id", it.EntityID)
			return done, nil
		}
		c = &opened
	}
	if err := e.cfg.Applier.Apply(ctx, *c); err != nil {
		code, permanent := PermanentCode(err)
		if !permanent {
			return done, err
		}
		done.RejectCode = code
		r.sum.Rejected++
		e.cfg.Logger.Warn("sync: pulled change refused", "type", it.Type, "id", it.EntityID, "version", it.Version,
			"code", code, "rule", apperr.MessageOf(err))
		return done, nil
	}
	r.sum.Applied++
	return done, nil
}

// openChange opens a stored change and checks it is the row's; ok is false
// when it fails that check. The vault locking meanwhile is an error.
func (e *Engine) openChange(r *round, it store.InboxItem) (c wire.Change, ok bool, err error) {
	plain, err := r.sealer.Open(store.InboxAD(it.ID), it.Change)
	if errors.Is(err, vault.ErrLocked) {
		return wire.Change{}, false, err
	}
	if err != nil {
		return wire.Change{}, false, nil
	}
	if err := json.Unmarshal(plain, &c); err != nil {
		return wire.Change{}, false, nil
	}
	if c.Type != it.Type || c.ID != it.EntityID || c.Version != it.Version {
		return wire.Change{}, false, nil
	}
	return c, true, nil
}
