package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"

	"github.com/calmally/practice/internal/audit"
)

// A batch is one transaction carried in a context (DB.Batch), so that many
// service calls — a page of pulled sync changes — cost one durable commit
// rather than one each (synchronous=FULL makes a commit the expensive part
// of a small write).
//
// Inside a batch every DB.Tx runs as a savepoint of the batch's
// transaction: released where a transaction of its own would have
// committed, rolled back where it would have rolled back. A batch of Tx
// calls therefore has, once committed, exactly the effect those calls would
// have had one by one; and if it does not commit, none at all.
//
// The pool has ONE connection, and the batch holds it until it ends: a
// statement sent to db.sql from inside a batch would wait for the
// connection forever. Every read the batched paths make outside Tx goes
// through db.conn(ctx), which picks the batch's transaction. Other
// goroutines (the UI) simply wait for the connection meanwhile, so batches
// are kept to a page of work.
//
// A batch context belongs to one goroutine: savepoints nest, and calls from
// two goroutines would interleave them.

type batchKey struct{}

type batch struct {
	db *DB
	tx *sql.Tx
	// hooks holds, for the batch (index 0) and each open savepoint, the
	// work to run once the batch commits; a savepoint rolled back drops its
	// own, one released hands them to its parent.
	hooks [][]func(context.Context) error
	// broken is set when a savepoint could not be released or rolled back:
	// the transaction's state is no longer what the calls said, so the
	// batch must not commit.
	broken error
	ended  bool
	// auditTail is the audit head this batch wrote last, with the chain
	// that made it: the next append in the batch chains onto it without
	// reading and re-checking the tail. Forgotten when a savepoint rolls
	// back (what it names may be undone).
	auditTail  *audit.Head
	auditChain *audit.Chain
	stmts      map[string]*sql.Stmt // statements prepared on tx, once per batch (savepoints, batchStmt)
}

// One savepoint name serves every depth: SQLite resolves RELEASE and
// ROLLBACK TO to the innermost savepoint of that name, and Tx calls nest
// strictly, so one name (and one prepared statement each) is enough.
const (
	savepointOpen     = `SAVEPOINT calmally_tx`
	savepointRelease  = `RELEASE calmally_tx`
	savepointRollback = `ROLLBACK TO calmally_tx`
)

// ErrAfterCommit marks the failure of work that runs after a batch
// committed (AfterCommit): what the batch wrote stands.
var ErrAfterCommit = errors.New("store: the batch committed, but work after it failed")

// batchOf returns the batch in ctx that belongs to db and is still open.
func (db *DB) batchOf(ctx context.Context) *batch {
	b, _ := ctx.Value(batchKey{}).(*batch)
	if b == nil || b.db != db || b.ended {
		return nil
	}
	return b
}

// inBatch reports whether ctx carries an open batch of any database.
func inBatch(ctx context.Context) bool {
	b, _ := ctx.Value(batchKey{}).(*batch)
	return b != nil && !b.ended
}

// Batch runs fn with a context that carries one immediate transaction:
// every Tx made with it runs as a savepoint inside that transaction, and
// the transaction commits when fn returns nil (after which the work given
// to AfterCommit runs). When fn returns an error, or a savepoint could not
// be undone, or ctx ends, nothing fn did is kept.
//
// Called with a context that already carries a batch of db, Batch joins it:
// fn runs in the outer batch, whose end decides what is kept (an error
// from fn is returned to the caller, which decides). It opens no savepoint
// around fn on purpose: one held open for a whole page makes SQLite keep
// every page the page's writes touch in its statement journal, which then
// spills to a temporary file, one write per page.
func (db *DB) Batch(ctx context.Context, fn func(ctx context.Context) error) error {
	if db.batchOf(ctx) != nil {
		return fn(ctx)
	}
	b, err := db.runBatch(ctx, fn)
	if err != nil {
		return err
	}
	var errs []error
	for _, fn := range b.hooks[0] {
		if err := fn(context.WithoutCancel(ctx)); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%w: %w", ErrAfterCommit, errors.Join(errs...))
	}
	return nil
}

// runBatch runs fn in the batch's transaction and commits it, on the
// pool's connection held for the purpose and handed back before the
// after-commit work (which may need it).
//
// For the transaction, SQLite keeps its statement journal (what a
// savepoint needs to roll back) in memory: by default it moves to a
// temporary file once one savepoint's pages pass 64 KiB — a booking with
// its indexes and audit entry comes close — and then stays a file for the
// rest of the transaction, one write per page. temp_store=MEMORY is set
// only around the batch: a VACUUM under it would copy the whole database
// into memory.
func (db *DB) runBatch(ctx context.Context, fn func(ctx context.Context) error) (*batch, error) {
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: begin: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA temp_store = MEMORY`); err != nil {
		return nil, fmt.Errorf("store: begin: %w", err)
	}
	defer func() {
		if _, err := conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA temp_store = DEFAULT`); err != nil {
			_ = conn.Raw(func(any) error { return driver.ErrBadConn }) // not kept with the setting
		}
	}()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: begin: %w", err)
	}
	b := &batch{db: db, tx: tx, hooks: make([][]func(context.Context) error, 1), stmts: map[string]*sql.Stmt{}}
	defer func() {
		b.ended = true
		_ = tx.Rollback() // after a commit: ErrTxDone, nothing to undo
	}()
	if err := fn(context.WithValue(ctx, batchKey{}, b)); err != nil {
		return nil, err
	}
	if b.broken != nil {
		return nil, b.broken
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("store: commit: %w", err)
	}
	return b, nil
}

// AfterCommit runs fn once what ctx's batch wrote is committed, and never
// if it is not; with no batch of db in ctx, at once. Effects outside the
// database (the search index, a checkpoint) go through it, so a batch
// rolled back leaves none behind. fn gets a context without the batch.
func (db *DB) AfterCommit(ctx context.Context, fn func(ctx context.Context) error) error {
	b := db.batchOf(ctx)
	if b == nil {
		return fn(ctx)
	}
	top := len(b.hooks) - 1
	b.hooks[top] = append(b.hooks[top], fn)
	return nil
}

// savepoint runs fn in a savepoint of the batch (see the file comment).
func (b *batch) savepoint(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if b.broken != nil {
		return b.broken
	}
	if err := b.exec(ctx, savepointOpen); err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	b.hooks = append(b.hooks, nil)
	err := fn(b.tx)
	top := len(b.hooks) - 1
	mine := b.hooks[top]
	b.hooks = b.hooks[:top]
	// Undoing must happen even if ctx has just ended: what the savepoint
	// wrote may not ride along with the batch.
	undoCtx := context.WithoutCancel(ctx)
	if err != nil {
		b.auditTail = nil
		rerr := b.exec(undoCtx, savepointRollback)
		if rerr == nil {
			rerr = b.exec(undoCtx, savepointRelease)
		}
		if rerr != nil {
			b.broken = fmt.Errorf("store: roll back to savepoint: %w", rerr)
		}
		return err
	}
	if rerr := b.exec(ctx, savepointRelease); rerr != nil {
		b.broken = fmt.Errorf("store: release savepoint: %w", rerr)
		return b.broken
	}
	b.hooks[top-1] = append(b.hooks[top-1], mine...)
	return nil
}

// exec runs one of the savepoint statements, prepared once per batch.
func (b *batch) exec(ctx context.Context, q string) error {
	st := b.stmts[q]
	if st == nil {
		var err error
		if st, err = b.tx.PrepareContext(ctx, q); err != nil {
			return err
		}
		b.stmts[q] = st
	}
	_, err := st.ExecContext(ctx)
	return err
}

// batchStmt returns query prepared on tx when tx is the transaction of
// the batch in ctx, prepared the first time it is asked for (nil if it
// does not prepare: the caller runs the text, which reports the error).
// The statements close with the transaction.
func batchStmt(ctx context.Context, tx *sql.Tx, query string) *sql.Stmt {
	b, _ := ctx.Value(batchKey{}).(*batch)
	if b == nil || b.ended || b.tx != tx {
		return nil
	}
	st := b.stmts[query]
	if st == nil {
		var err error
		if st, err = tx.PrepareContext(ctx, query); err != nil {
			return nil
		}
		b.stmts[query] = st
	}
	return st
}

// batchAuditTail returns the audit head the batch of tx last wrote with
// chain, if there is one.
func batchAuditTail(ctx context.Context, tx *sql.Tx, chain *audit.Chain) (audit.Head, bool) {
	b, _ := ctx.Value(batchKey{}).(*batch)
	if b == nil || b.ended || b.tx != tx || b.auditTail == nil || b.auditChain != chain {
		return audit.Head{}, false
	}
	return *b.auditTail, true
}

// setBatchAuditTail records the audit head just written in tx, when tx is
// a batch's.
func setBatchAuditTail(ctx context.Context, tx *sql.Tx, chain *audit.Chain, h audit.Head) {
	b, _ := ctx.Value(batchKey{}).(*batch)
	if b == nil || b.ended || b.tx != tx {
		return
	}
	b.auditTail, b.auditChain = &h, chain
}

// querier is what *sql.DB and *sql.Tx share.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// conn is where a statement made outside Tx runs: the batch's transaction
// when ctx carries one (it holds the pool's only connection), else the
// pool.
func (db *DB) conn(ctx context.Context) querier {
	if b := db.batchOf(ctx); b != nil {
		return b.tx
	}
	return db.sql
}
