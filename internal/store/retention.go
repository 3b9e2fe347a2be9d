package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/retention"
)

// RetentionStore reads the recorded facts the retention clocks run from and
// audits what a run removed. It reads no sealed column.
type RetentionStore struct {
	db    *DB
	chain func() (*audit.Chain, error)
}

// NewRetentionStore returns the retention store; chain yields the audit
// chain, or a locked error while the vault is locked.
func NewRetentionStore(db *DB, chain func() (*audit.Chain, error)) *RetentionStore {
	return &RetentionStore{db: db, chain: chain}
}

func retentionTime(s sql.NullString) (time.Time, error) {
	if !s.Valid || s.String == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s.String)
	if err != nil {
		return time.Time{}, apperr.Wrap(apperr.Integrity, "read retention facts: a stored time is malformed", err)
	}
	return t.UTC(), nil
}

// Facts returns every client's clock facts and holds, and the number of
// audit entries. Log files are the caller's (they live in the data folder).
func (s *RetentionStore) Facts(ctx context.Context) (retention.Facts, error) {
	var f retention.Facts
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT c.id, c.status, c.created_at, c.last_interaction_at,
			(SELECT max(h.at) FROM client_history h WHERE h.client_id = c.id AND h.action = 'discharge'),
			EXISTS (SELECT 1 FROM rights_requests r WHERE r.client_id = c.id AND r.status NOT IN ('fulfilled', 'refused')),
			(SELECT e.hold_until FROM erasure_holds e WHERE e.client_id = c.id)
			FROM clients c ORDER BY c.id`)
		if err != nil {
			return fmt.Errorf("store: read retention facts: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var (
				c                                  retention.ClientFacts
				status                             string
				created, last, discharged, holdEnd sql.NullString
				open                               bool
			)
			if err := rows.Scan(&c.ClientID, &status, &created, &last, &discharged, &open, &holdEnd); err != nil {
				return fmt.Errorf("store: read retention facts: %w", err)
			}
			c.Discharged = status == "discharged"
			c.OpenRightsRequest = open
			for _, p := range []struct {
				dst *time.Time
				src sql.NullString
			}{{&c.CreatedAt, created}, {&c.LastInteractionAt, last}, {&c.DischargedAt, discharged}, {&c.ErasureHoldUntil, holdEnd}} {
				if *p.dst, err = retentionTime(p.src); err != nil {
					return err
				}
			}
			f.Clients = append(f.Clients, c)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: read retention facts: %w", err)
		}
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM audit_log`).Scan(&f.AuditEntries); err != nil {
			return fmt.Errorf("store: count audit entries: %w", err)
		}
		return nil
	})
	return f, err
}

// Record appends the entries of a retention run in one transaction.
func (s *RetentionStore) Record(ctx context.Context, entries []audit.Entry) error {
	if len(entries) == 0 {
		return nil
	}
	chain, err := s.chain()
	if err != nil {
		return err
	}
	if chain == nil {
		return apperr.New(apperr.Locked, "the vault is locked")
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, e := range entries {
			if _, err := AppendAuditTx(ctx, tx, chain, e); err != nil {
				return err
			}
		}
		return nil
	})
}
