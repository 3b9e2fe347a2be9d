package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/consent"
	"github.com/calmally/practice/internal/retention"
)

// The retention engine's SQL (migration 0014): the facts its clocks run
// from, its run log, manual legal holds (retention_holds.go), and the
// deletions themselves (retention_purge.go). Facts and holds read no sealed
// column.

// RetentionStore reads the facts the retention clocks run from, writes what a
// run deletes, and keeps the run log and legal holds.
type RetentionStore struct {
	db      *DB
	chain   func() (*audit.Chain, error)
	consent func() (*consent.Chain, error)
}

// NewRetentionStore returns the retention store; chain yields the audit
// chain (or a locked error) and consentChain the consent ledger's, for
// re-chaining after a client's events are deleted.
func NewRetentionStore(db *DB, chain func() (*audit.Chain, error), consentChain func() (*consent.Chain, error)) *RetentionStore {
	return &RetentionStore{db: db, chain: chain, consent: consentChain}
}

func (s *RetentionStore) tx(ctx context.Context, fn func(tx *sql.Tx, chain *audit.Chain) error) error {
	chain, err := s.chain()
	if err != nil {
		return err
	}
	if chain == nil {
		return apperr.New(apperr.Locked, "the vault is locked")
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error { return fn(tx, chain) })
}

func retentionTime(s sql.NullString) (time.Time, error) {
	if !s.Valid || s.String == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s.String)
	if err != nil {
		return time.Time{}, apperr.Wrap(apperr.Integrity, "read retention facts: a stored time is malformed", err)
	}
	return t.UTC(), nil
}

// clientFactsQuery reads one client's clock facts and holds; the purge and
// the contact erasure re-read them inside their transaction.
const clientFactsQuery = `SELECT c.id, c.status, c.created_at, c.last_interaction_at, c.contact_erased_at,
	(SELECT max(h.at) FROM client_history h WHERE h.client_id = c.id AND h.action = 'discharge'),
	EXISTS (SELECT 1 FROM legal_holds l WHERE l.client_id = c.id AND l.released_at IS NULL),
	EXISTS (SELECT 1 FROM rights_requests r WHERE r.client_id = c.id AND r.status NOT IN ('fulfilled', 'refused')),
	(SELECT e.hold_until FROM erasure_holds e WHERE e.client_id = c.id)
	FROM clients c`

func scanClientFacts(sc scanner) (retention.ClientFacts, error) {
	var (
		c                                          retention.ClientFacts
		status                                     string
		created, last, erased, discharged, holdEnd sql.NullString
	)
	if err := sc.Scan(&c.ClientID, &status, &created, &last, &erased, &discharged, &c.LegalHold, &c.OpenRightsRequest, &holdEnd); err != nil {
		return c, err
	}
	c.Discharged = status == "discharged"
	for _, p := range []struct {
		dst *time.Time
		src sql.NullString
	}{{&c.CreatedAt, created}, {&c.LastInteractionAt, last}, {&c.ContactErasedAt, erased},
		{&c.DischargedAt, discharged}, {&c.ErasureHoldUntil, holdEnd}} {
		var err error
		if *p.dst, err = retentionTime(p.src); err != nil {
			return c, err
		}
	}
	return c, nil
}

// clientFactsTx reads one client's facts in tx; a missing client is not_found.
func clientFactsTx(ctx context.Context, tx *sql.Tx, clientID string) (retention.ClientFacts, error) {
	c, err := scanClientFacts(tx.QueryRowContext(ctx, clientFactsQuery+` WHERE c.id = ?`, clientID))
	if err == sql.ErrNoRows {
		return c, errClientNotFound
	}
	if err != nil {
		return c, fmt.Errorf("store: read retention facts: %w", err)
	}
	return c, nil
}

// Facts returns every client's clock facts and holds, the number of audit
// entries and the run log. Log files are the caller's (they live in the data
// folder).
func (s *RetentionStore) Facts(ctx context.Context) (retention.Facts, error) {
	var f retention.Facts
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, clientFactsQuery+` ORDER BY c.id`)
		if err != nil {
			return fmt.Errorf("store: read retention facts: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			c, err := scanClientFacts(rows)
			if err != nil {
				return fmt.Errorf("store: read retention facts: %w", err)
			}
			f.Clients = append(f.Clients, c)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: read retention facts: %w", err)
		}
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM audit_log`).Scan(&f.AuditEntries); err != nil {
			return fmt.Errorf("store: count audit entries: %w", err)
		}
		runs, err := tx.QueryContext(ctx, `SELECT id, at FROM retention_runs ORDER BY at`)
		if err != nil {
			return fmt.Errorf("store: read retention runs: %w", err)
		}
		defer runs.Close()
		for runs.Next() {
			var r retention.RunRecord
			var at sql.NullString
			if err := runs.Scan(&r.ID, &at); err != nil {
				return fmt.Errorf("store: read retention runs: %w", err)
			}
			if r.At, err = retentionTime(at); err != nil {
				return err
			}
			f.Runs = append(f.Runs, r)
		}
		return runs.Err()
	})
	return f, err
}

// Record appends audit entries in one transaction.
func (s *RetentionStore) Record(ctx context.Context, entries []audit.Entry) error {
	if len(entries) == 0 {
		return nil
	}
	return s.tx(ctx, func(tx *sql.Tx, chain *audit.Chain) error {
		for _, e := range entries {
			if _, err := AppendAuditTx(ctx, tx, chain, e); err != nil {
				return err
			}
		}
		return nil
	})
}

// RetentionRunRow is one row of the run log.
type RetentionRunRow struct {
	ID       string
	At       time.Time
	AsOf     time.Time
	Trigger  string // "manual" | "schedule"
	Result   string // "ok" | "failed"
	Deleted  int
	Held     int
	Failed   int
	Vacuumed bool
	Report   []byte // JSON: ids and codes only
}

const runTimeLayout = "2006-01-02T15:04:05.000000000Z"

// InsertRun logs a real run and appends e (the run's summary entry) in one
// transaction, deleting the rows of older runs named in expired (they are
// usage data past their 2 years).
func (s *RetentionStore) InsertRun(ctx context.Context, r RetentionRunRow, expired []string, e audit.Entry) error {
	return s.tx(ctx, func(tx *sql.Tx, chain *audit.Chain) error {
		for _, id := range expired {
			if _, err := tx.ExecContext(ctx, `DELETE FROM retention_runs WHERE id = ?`, id); err != nil {
				return fmt.Errorf("store: delete old retention run: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO retention_runs (id, at, as_of, trigger, result, deleted, held, failed, vacuumed, report)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.ID, r.At.UTC().Format(runTimeLayout), r.AsOf.UTC().Format(runTimeLayout),
			r.Trigger, r.Result, r.Deleted, r.Held, r.Failed, r.Vacuumed, string(r.Report)); err != nil {
			return fmt.Errorf("store: log retention run: %w", err)
		}
		_, err := AppendAuditTx(ctx, tx, chain, e)
		return err
	})
}

// Runs lists the run log, newest first.
func (s *RetentionStore) Runs(ctx context.Context, limit int) ([]RetentionRunRow, error) {
	rows, err := s.db.sql.QueryContext(ctx, `SELECT id, at, as_of, trigger, result, deleted, held, failed, vacuumed, report
		FROM retention_runs ORDER BY at DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: list retention runs: %w", err)
	}
	defer rows.Close()
	var out []RetentionRunRow
	for rows.Next() {
		var r RetentionRunRow
		var at, asOf sql.NullString
		var report string
		if err := rows.Scan(&r.ID, &at, &asOf, &r.Trigger, &r.Result, &r.Deleted, &r.Held, &r.Failed, &r.Vacuumed, &report); err != nil {
			return nil, fmt.Errorf("store: list retention runs: %w", err)
		}
		if r.At, err = retentionTime(at); err != nil {
			return nil, err
		}
		if r.AsOf, err = retentionTime(asOf); err != nil {
			return nil, err
		}
		r.Report = []byte(report)
		out = append(out, r)
	}
	return out, rows.Err()
}

// FileSpace reports the database's size in pages and how many are free.
func (db *DB) FileSpace(ctx context.Context) (pages, free int64, err error) {
	if err := db.sql.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages); err != nil {
		return 0, 0, fmt.Errorf("store: page count: %w", err)
	}
	if err := db.sql.QueryRowContext(ctx, `PRAGMA freelist_count`).Scan(&free); err != nil {
		return 0, 0, fmt.Errorf("store: freelist count: %w", err)
	}
	return pages, free, nil
}

// Vacuum rewrites the database file without its free pages, then
// checkpoints the WAL (in WAL mode VACUUM writes through it) so the file
// shrinks and no old page survives in either.
func (db *DB) Vacuum(ctx context.Context) error {
	if _, err := db.sql.ExecContext(ctx, `VACUUM`); err != nil {
		return fmt.Errorf("store: vacuum: %w", err)
	}
	return db.Checkpoint(ctx)
}
