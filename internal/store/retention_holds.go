package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
)

// Manual legal holds (legal_holds, migration 0014): codes and ids only.

// LegalHoldRow is one legal hold.
type LegalHoldRow struct {
	ID            string
	ClientID      string
	Reason        string
	PlacedAt      time.Time
	PlacedBy      string
	ReleasedAt    time.Time // zero while in place
	ReleasedBy    string
	ReleaseReason string
}

var errHoldNotFound = apperr.New(apperr.NotFound, "no legal hold with that id")

// PlaceHold stores h (in place) and appends e in one transaction. The client
// must exist; a second open hold for the same reason is a conflict.
func (s *RetentionStore) PlaceHold(ctx context.Context, h LegalHoldRow, e audit.Entry) error {
	return s.tx(ctx, func(tx *sql.Tx, chain *audit.Chain) error {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM clients WHERE id = ?`, h.ClientID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return errClientNotFound
		}
		if err != nil {
			return fmt.Errorf("store: place legal hold: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO legal_holds (id, client_id, reason, placed_at, placed_by) VALUES (?, ?, ?, ?, ?)`,
			h.ID, h.ClientID, h.Reason, formatClientTime(h.PlacedAt), h.PlacedBy); err != nil {
			if strings.Contains(err.Error(), "UNIQUE") {
				return apperr.New(apperr.Conflict, "this client already has a legal hold in place for that reason")
			}
			return fmt.Errorf("store: place legal hold: %w", err)
		}
		_, err = AppendAuditTx(ctx, tx, chain, e)
		return err
	})
}

// ReleaseHold ends hold id and appends e in one transaction; it returns the
// released hold. A hold already released is a conflict.
func (s *RetentionStore) ReleaseHold(ctx context.Context, id string, at time.Time, by, reason string, e audit.Entry) (LegalHoldRow, error) {
	var out LegalHoldRow
	err := s.tx(ctx, func(tx *sql.Tx, chain *audit.Chain) error {
		h, err := holdTx(ctx, tx, id)
		if err != nil {
			return err
		}
		if !h.ReleasedAt.IsZero() {
			return apperr.New(apperr.Conflict, "this legal hold was already released")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE legal_holds SET released_at = ?, released_by = ?, release_reason = ? WHERE id = ?`,
			formatClientTime(at), by, reason, id); err != nil {
			return fmt.Errorf("store: release legal hold: %w", err)
		}
		if _, err := AppendAuditTx(ctx, tx, chain, e); err != nil {
			return err
		}
		out = h
		out.ReleasedAt, out.ReleasedBy, out.ReleaseReason = at.UTC().Truncate(time.Second), by, reason
		return nil
	})
	return out, err
}

const holdColumns = `id, client_id, reason, placed_at, placed_by, released_at, released_by, release_reason`

func scanHold(sc scanner) (LegalHoldRow, error) {
	var h LegalHoldRow
	var placed, released, by, why sql.NullString
	if err := sc.Scan(&h.ID, &h.ClientID, &h.Reason, &placed, &h.PlacedBy, &released, &by, &why); err != nil {
		return h, err
	}
	var err error
	if h.PlacedAt, err = retentionTime(placed); err != nil {
		return h, err
	}
	if h.ReleasedAt, err = retentionTime(released); err != nil {
		return h, err
	}
	h.ReleasedBy, h.ReleaseReason = by.String, why.String
	return h, nil
}

func holdTx(ctx context.Context, tx *sql.Tx, id string) (LegalHoldRow, error) {
	h, err := scanHold(tx.QueryRowContext(ctx, `SELECT `+holdColumns+` FROM legal_holds WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return h, errHoldNotFound
	}
	if err != nil {
		return h, fmt.Errorf("store: read legal hold: %w", err)
	}
	return h, nil
}

// Holds lists legal holds, those in place first, then the newest; clientID
// "" lists every client's, and openOnly leaves out released ones.
func (s *RetentionStore) Holds(ctx context.Context, clientID string, openOnly bool) ([]LegalHoldRow, error) {
	q := `SELECT ` + holdColumns + ` FROM legal_holds WHERE (?1 = '' OR client_id = ?1) AND (?2 = 0 OR released_at IS NULL)
		ORDER BY released_at IS NOT NULL, placed_at DESC, id`
	rows, err := s.db.sql.QueryContext(ctx, q, clientID, openOnly)
	if err != nil {
		return nil, fmt.Errorf("store: list legal holds: %w", err)
	}
	defer rows.Close()
	var out []LegalHoldRow
	for rows.Next() {
		h, err := scanHold(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list legal holds: %w", err)
		}
		out = append(out, h)
	}
	return out, rows.Err()
}
