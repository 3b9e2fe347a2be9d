package store

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
)

// A stmtCache holds the statements of a hot write path prepared once per
// database. database/sql runs a statement given as text by preparing it
// anew every time, and SQLite's parser costs about as much as running a
// small statement: a note save runs five, so parsing was a large share of
// what a save adds to a plain insert.
//
// The pool has a single connection, so statements are prepared outside any
// transaction, by prepare, which a store calls before it begins one; inside
// the transaction, get binds a prepared statement to it (tx.StmtContext, no
// parsing). Until prepare has succeeded, and for a nil cache, get returns nil
// and callers run the text as before: the cache changes how fast a statement
// runs, never which statement runs or in which transaction. The prepared
// statements are closed with the database.
type stmtCache struct {
	db      *sql.DB
	queries []string

	mu    sync.Mutex
	ready atomic.Bool
	m     map[string]*sql.Stmt // written once, before ready is set
}

func newStmtCache(db *sql.DB, queries ...string) *stmtCache {
	return &stmtCache{db: db, queries: queries}
}

// prepare prepares every query, once. It must not be called inside a
// transaction on the same database. On an error nothing is kept and the
// next call tries again.
func (c *stmtCache) prepare(ctx context.Context) {
	// Inside a batch the connection is the batch's: preparing on the pool
	// would wait for it forever. The text runs instead, as before prepare.
	if c == nil || c.ready.Load() || inBatch(ctx) {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ready.Load() {
		return
	}
	m := make(map[string]*sql.Stmt, len(c.queries))
	for _, q := range c.queries {
		st, err := c.db.PrepareContext(ctx, q)
		if err != nil {
			for _, st := range m {
				st.Close()
			}
			return
		}
		m[q] = st
	}
	c.m = m
	c.ready.Store(true)
}

// get returns query's prepared statement bound to tx, or nil. Inside a
// batch, a query the cache does not hold is prepared on the batch's
// transaction, once per batch (batchStmt): a page of a thousand changes
// parses each statement once rather than a thousand times.
func (c *stmtCache) get(ctx context.Context, tx *sql.Tx, query string) *sql.Stmt {
	if c != nil && c.ready.Load() {
		if st := c.m[query]; st != nil {
			return tx.StmtContext(ctx, st)
		}
	}
	return batchStmt(ctx, tx, query)
}

// exec runs query in tx, prepared if the cache has it.
func (c *stmtCache) exec(ctx context.Context, tx *sql.Tx, query string, args ...any) (sql.Result, error) {
	if st := c.get(ctx, tx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return tx.ExecContext(ctx, query, args...)
}

// queryRow runs query in tx, prepared if the cache has it.
func (c *stmtCache) queryRow(ctx context.Context, tx *sql.Tx, query string, args ...any) *sql.Row {
	if st := c.get(ctx, tx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return tx.QueryRowContext(ctx, query, args...)
}

// query runs query in tx, prepared if the cache (or the batch) has it.
func (c *stmtCache) query(ctx context.Context, tx *sql.Tx, query string, args ...any) (*sql.Rows, error) {
	if st := c.get(ctx, tx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return tx.QueryContext(ctx, query, args...)
}

// txExec, txQueryRow and txQuery run a statement in tx as tx.ExecContext
// and the like do, prepared once per batch when tx is a batch's: for the
// statements of paths that run many times in one batch (sync applies).
func txExec(ctx context.Context, tx *sql.Tx, query string, args ...any) (sql.Result, error) {
	return (*stmtCache)(nil).exec(ctx, tx, query, args...)
}

func txQueryRow(ctx context.Context, tx *sql.Tx, query string, args ...any) *sql.Row {
	return (*stmtCache)(nil).queryRow(ctx, tx, query, args...)
}

func txQuery(ctx context.Context, tx *sql.Tx, query string, args ...any) (*sql.Rows, error) {
	return (*stmtCache)(nil).query(ctx, tx, query, args...)
}
