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
	"github.com/calmally/practice/internal/clients"
	"github.com/calmally/practice/internal/matches"
)

// The matches and minor_refusals tables (migrations/0012_matches.sql).
// Sealed columns arrive and leave as envelopes; this file never sees
// plaintext.

func init() {
	for _, c := range matches.SealedColumns {
		registerSealed(SealedColumn{Table: matches.TableMatches, Column: c})
	}
}

const matchColumns = "id, rev, status, age_band, modality, proposed_at, respond_by, decided_at, decline_reason, " +
	"client_id, remote_version, created_at, updated_at, preview, decline_note"

// MatchStore implements matches.Store on the database.
type MatchStore struct {
	db    *DB
	chain func() (*audit.Chain, error)
}

var _ matches.Store = (*MatchStore)(nil)

// NewMatchStore returns the match store; chain yields the audit chain, or a
// locked error while the vault is locked.
func NewMatchStore(db *DB, chain func() (*audit.Chain, error)) *MatchStore {
	return &MatchStore{db: db, chain: chain}
}

// chainedTx runs fn in a transaction with the audit chain, refusing while
// the vault is locked.
func chainedTx(ctx context.Context, db *DB, chainFn func() (*audit.Chain, error), fn func(tx *sql.Tx, chain *audit.Chain) error) error {
	chain, err := chainFn()
	if err != nil {
		return err
	}
	if chain == nil {
		return apperr.New(apperr.Locked, "the vault is locked")
	}
	return db.Tx(ctx, func(tx *sql.Tx) error { return fn(tx, chain) })
}

// syncedTime formats an optional instant (NULL when zero).
func syncedTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return formatClientTime(t)
}

// parseSyncedTime reads an optional instant written by syncedTime.
func parseSyncedTime(name string, s sql.NullString) (time.Time, error) {
	if !s.Valid {
		return time.Time{}, nil
	}
	t, err := time.Parse(clientTimeLayout, s.String)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s: %w", name, err)
	}
	return t, nil
}

func parseSyncedTimes(fields map[string]struct {
	s sql.NullString
	t *time.Time
}) error {
	for name, f := range fields {
		t, err := parseSyncedTime(name, f.s)
		if err != nil {
			return err
		}
		*f.t = t
	}
	return nil
}

func scanMatch(sc scanner) (matches.Row, error) {
	var r matches.Row
	var status, modality string
	var proposed, respond, decided, reason, client, created, updated sql.NullString
	if err := sc.Scan(&r.ID, &r.Rev, &status, &r.AgeBand, &modality, &proposed, &respond, &decided, &reason,
		&client, &r.RemoteVersion, &created, &updated, &r.Preview, &r.DeclineNote); err != nil {
		return matches.Row{}, err
	}
	r.Status, r.Modality = matches.Status(status), matches.Modality(modality)
	r.DeclineReason, r.ClientID = matches.DeclineReason(reason.String), client.String
	err := parseSyncedTimes(map[string]struct {
		s sql.NullString
		t *time.Time
	}{"proposed_at": {proposed, &r.ProposedAt}, "respond_by": {respond, &r.RespondBy}, "decided_at": {decided, &r.DecidedAt},
		"created_at": {created, &r.CreatedAt}, "updated_at": {updated, &r.UpdatedAt}})
	return r, err
}

func matchRowTx(ctx context.Context, tx *sql.Tx, id string) (*matches.Row, error) {
	r, err := scanMatch(tx.QueryRowContext(ctx, `SELECT `+matchColumns+` FROM matches WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: read match: %w", err)
	}
	return &r, nil
}

func matchArgs(r matches.Row) []any {
	return []any{r.ID, r.Rev, string(r.Status), r.AgeBand, string(r.Modality), formatClientTime(r.ProposedAt),
		formatClientTime(r.RespondBy), syncedTime(r.DecidedAt), nullText(string(r.DeclineReason)), nullText(r.ClientID),
		r.RemoteVersion, formatClientTime(r.CreatedAt), formatClientTime(r.UpdatedAt), r.Preview, r.DeclineNote}
}

// MatchRow reads one match and records view.
func (s *MatchStore) MatchRow(ctx context.Context, id string, view audit.Entry) (matches.Row, error) {
	var out matches.Row
	err := chainedTx(ctx, s.db, s.chain, func(tx *sql.Tx, chain *audit.Chain) error {
		r, err := matchRowTx(ctx, tx, id)
		if err != nil {
			return err
		}
		if r == nil {
			return matches.ErrNotFound
		}
		out = *r
		_, err = AppendAuditTx(ctx, tx, chain, view)
		return err
	})
	return out, err
}

// MatchRows reads every match and records view.
func (s *MatchStore) MatchRows(ctx context.Context, view audit.Entry) ([]matches.Row, error) {
	var out []matches.Row
	err := chainedTx(ctx, s.db, s.chain, func(tx *sql.Tx, chain *audit.Chain) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+matchColumns+` FROM matches ORDER BY respond_by, id`)
		if err != nil {
			return fmt.Errorf("store: list matches: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanMatch(rows)
			if err != nil {
				return fmt.Errorf("store: list matches: %w", err)
			}
			out = append(out, r)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: list matches: %w", err)
		}
		_, err = AppendAuditTx(ctx, tx, chain, view)
		return err
	})
	return out, err
}

func minorRefusedTx(ctx context.Context, tx *sql.Tx, entityType, id string) (bool, error) {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM minor_refusals WHERE entity_type = ? AND entity_id = ?`, entityType, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: read minor refusals: %w", err)
	}
	return true, nil
}

// refuseMinorTx records r and queues its mutation, unless it was recorded
// before (then nothing is written and false returned).
func refuseMinorTx(ctx context.Context, tx *sql.Tx, r matches.Refusal) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO minor_refusals (entity_type, entity_id, refused_at) VALUES (?, ?, ?)
		ON CONFLICT DO NOTHING`, r.EntityType, r.EntityID, formatClientTime(r.At))
	if err != nil {
		return false, fmt.Errorf("store: record minor refusal: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, err
	}
	o := r.Outbox
	if _, err := insertOutboxTx(ctx, tx, o.ID, o.Kind, o.EntityID, o.Payload, o.CreatedAt); err != nil {
		return false, err
	}
	return true, nil
}

// RefuseMinor records r, queues its mutation and appends e, once.
func (s *MatchStore) RefuseMinor(ctx context.Context, r matches.Refusal, e audit.Entry) (bool, error) {
	var fresh bool
	err := chainedTx(ctx, s.db, s.chain, func(tx *sql.Tx, chain *audit.Chain) error {
		var err error
		if fresh, err = refuseMinorTx(ctx, tx, r); err != nil || !fresh {
			return err
		}
		_, err = AppendAuditTx(ctx, tx, chain, e)
		return err
	})
	return fresh, err
}

// ApplyMatch reads the match and its refusal, lets fn decide, and writes
// the change, its audit entry, outbox item, conflict and refusal in one
// transaction.
func (s *MatchStore) ApplyMatch(ctx context.Context, id string, fn func(cur *matches.Row, refused bool) (*matches.Change, error)) error {
	return chainedTx(ctx, s.db, s.chain, func(tx *sql.Tx, chain *audit.Chain) error {
		cur, err := matchRowTx(ctx, tx, id)
		if err != nil {
			return err
		}
		refused, err := minorRefusedTx(ctx, tx, matches.RefusedMatch, id)
		if err != nil {
			return err
		}
		ch, err := fn(cur, refused)
		if err != nil || ch == nil {
			return err
		}
		if err := writeMatchTx(ctx, tx, id, cur, ch); err != nil {
			return err
		}
		if ch.Refusal != nil {
			if _, err := refuseMinorTx(ctx, tx, *ch.Refusal); err != nil {
				return err
			}
		}
		if ch.Outbox != nil {
			o := ch.Outbox
			if _, err := insertOutboxTx(ctx, tx, o.ID, o.Kind, o.EntityID, o.Payload, o.CreatedAt); err != nil {
				return err
			}
		}
		if c := ch.Conflict; c != nil {
			if err := insertConflictTx(ctx, tx, matches.RecordType, id, c.Local, c.Platform, c.Version, c.At); err != nil {
				return err
			}
		}
		_, err = AppendAuditTx(ctx, tx, chain, ch.Audit)
		return err
	})
}

func writeMatchTx(ctx context.Context, tx *sql.Tx, id string, cur *matches.Row, ch *matches.Change) error {
	switch {
	case ch.Delete:
		if cur == nil {
			return errors.New("store: delete match: no row")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM matches WHERE id = ? AND rev = ?`, id, cur.Rev); err != nil {
			return fmt.Errorf("store: delete match: %w", err)
		}
	case ch.Next == nil:
	case cur == nil:
		if ch.Next.ID != id || ch.Next.Rev != 1 {
			return errors.New("store: insert match: a new match starts at revision 1")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO matches (`+matchColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			matchArgs(*ch.Next)...); err != nil {
			return fmt.Errorf("store: insert match: %w", err)
		}
	default:
		n := *ch.Next
		if n.ID != id || n.Rev != cur.Rev+1 {
			return fmt.Errorf("store: update match: change does not follow revision %d", cur.Rev)
		}
		args := matchArgs(n)[1:] // everything but the id
		args = append(args, id, cur.Rev)
		res, err := tx.ExecContext(ctx, `UPDATE matches SET rev = ?, status = ?, age_band = ?, modality = ?, proposed_at = ?,
			respond_by = ?, decided_at = ?, decline_reason = ?, client_id = ?, remote_version = ?, created_at = ?, updated_at = ?,
			preview = ?, decline_note = ? WHERE id = ? AND rev = ?`, args...)
		if err != nil {
			return fmt.Errorf("store: update match: %w", err)
		}
		if k, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("store: update match: %w", err)
		} else if k != 1 {
			return matches.ErrStale
		}
	}
	return nil
}

// RecordAudit appends e in its own transaction.
func (s *MatchStore) RecordAudit(ctx context.Context, e audit.Entry) error {
	return chainedTx(ctx, s.db, s.chain, func(tx *sql.Tx, chain *audit.Chain) error {
		_, err := AppendAuditTx(ctx, tx, chain, e)
		return err
	})
}

// platformClientTx returns the local client linked to a platform client
// ref, or "".
func platformClientTx(ctx context.Context, tx *sql.Tx, ref string) (string, error) {
	var id string
	err := txQueryRow(ctx, tx, `SELECT client_id FROM platform_clients WHERE platform_ref = ?`, ref).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: read platform client link: %w", err)
	}
	return id, nil
}

// PlatformClientLink ties a client record made from the platform's "client"
// change to the platform's id for the client and the match it came from.
type PlatformClientLink struct {
	PlatformRef   string
	MatchID       string
	RemoteVersion int64
}

// PlatformClientStore keeps the links between platform clients and local
// records, and answers whether a record was refused as a minor's.
type PlatformClientStore struct {
	db    *DB
	chain func() (*audit.Chain, error)
}

// NewPlatformClientStore returns the store.
func NewPlatformClientStore(db *DB, chain func() (*audit.Chain, error)) *PlatformClientStore {
	return &PlatformClientStore{db: db, chain: chain}
}

// PlatformClient returns the local client linked to ref, or "".
func (s *PlatformClientStore) PlatformClient(ctx context.Context, ref string) (string, error) {
	var id string
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		id, err = platformClientTx(ctx, tx, ref)
		return err
	})
	return id, err
}

// PlatformRef returns the platform's id of a local client, or "" for a
// client known only to this practice.
func (s *PlatformClientStore) PlatformRef(ctx context.Context, clientID string) (string, error) {
	var ref string
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT platform_ref FROM platform_clients WHERE client_id = ?`, clientID).Scan(&ref)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("store: read platform client: %w", err)
		}
		return nil
	})
	return ref, err
}

// MinorRefused reports whether the platform record (entityType, id) was
// refused as a minor's.
func (s *PlatformClientStore) MinorRefused(ctx context.Context, entityType, id string) (bool, error) {
	var refused bool
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		refused, err = minorRefusedTx(ctx, tx, entityType, id)
		return err
	})
	return refused, err
}

// InsertPlatformClient adds the client record r (sealed by the clients
// package), its link, the match's and the bookings' pointers to it, and e,
// in one transaction: a client is created once however often its change
// is applied (a second insert for the same ref fails on the link's key).
func (s *PlatformClientStore) InsertPlatformClient(ctx context.Context, r clients.Row, link PlatformClientLink, e audit.Entry) error {
	args, err := clientArgs(r)
	if err != nil {
		return err
	}
	return chainedTx(ctx, s.db, s.chain, func(tx *sql.Tx, chain *audit.Chain) error {
		q := `INSERT INTO clients (` + clientColumns + `) VALUES (?` + strings.Repeat(", ?", len(args)-1) + `)`
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("store: insert platform client: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO platform_clients (platform_ref, client_id, match_id, remote_version, created_at)
			VALUES (?, ?, ?, ?, ?)`, link.PlatformRef, r.ID, link.MatchID, link.RemoteVersion, formatClientTime(r.CreatedAt)); err != nil {
			return fmt.Errorf("store: link platform client: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE matches SET client_id = ? WHERE id = ? AND client_id IS NULL`, r.ID, link.MatchID); err != nil {
			return fmt.Errorf("store: link match to client: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE bookings SET client_id = ? WHERE client_ref = ? AND client_id IS NULL`,
			r.ID, link.PlatformRef); err != nil {
			return fmt.Errorf("store: link bookings to client: %w", err)
		}
		_, err := AppendAuditTx(ctx, tx, chain, e)
		return err
	})
}

// PlatformGrant is a platform-sourced consent grant already in the ledger.
type PlatformGrant struct {
	Purpose string
	At      time.Time
}

// PlatformGrants lists the platform-sourced grants of a client's ledger
// (plain columns only), so that a client change applied again does not
// record its consents twice.
func (s *PlatformClientStore) PlatformGrants(ctx context.Context, clientID string) ([]PlatformGrant, error) {
	var out []PlatformGrant
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT purpose, at FROM consent_events
			WHERE client_id = ? AND source = 'platform' AND kind = 'grant' ORDER BY seq`, clientID)
		if err != nil {
			return fmt.Errorf("store: read platform consents: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var g PlatformGrant
			var at string
			if err := rows.Scan(&g.Purpose, &at); err != nil {
				return fmt.Errorf("store: read platform consents: %w", err)
			}
			if g.At, err = time.Parse(clientTimeLayout, at); err != nil {
				return fmt.Errorf("store: read platform consents: at: %w", err)
			}
			out = append(out, g)
		}
		return rows.Err()
	})
	return out, err
}
