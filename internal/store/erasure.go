package store

import (
	"context"
	"crypto/hmac"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/bookings"
	"github.com/calmally/practice/internal/consent"
	"github.com/calmally/practice/internal/erasure"
)

// The erasure engine's SQL (migrations 0007 and 0008): it reads a client's
// sealed rows across aggregates and rewrites or deletes them in one
// transaction, under a purge authorization row that it removes again before
// commit, then checkpoints the WAL so no old page survives in it.

// ErasureStore implements erasure.Store on the database.
type ErasureStore struct {
	db      *DB
	chain   func() (*audit.Chain, error)
	consent func() (*consent.Chain, error)
}

var _ erasure.Store = (*ErasureStore)(nil)

// NewErasureStore returns the erasure store; chain yields the audit chain
// and consentChain the consent ledger's (for re-chaining after a purge).
func NewErasureStore(db *DB, chain func() (*audit.Chain, error), consentChain func() (*consent.Chain, error)) *ErasureStore {
	return &ErasureStore{db: db, chain: chain, consent: consentChain}
}

func (s *ErasureStore) tx(ctx context.Context, fn func(tx *sql.Tx, chain *audit.Chain) error) error {
	chain, err := s.chain()
	if err != nil {
		return err
	}
	if chain == nil {
		return apperr.New(apperr.Locked, "the vault is locked")
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error { return fn(tx, chain) })
}

func sealedRowsTx(ctx context.Context, tx *sql.Tx, q string, args ...any) ([]erasure.Sealed, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []erasure.Sealed
	for rows.Next() {
		var s erasure.Sealed
		if err := rows.Scan(&s.RowID, &s.Rev, &s.Envelope); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func countTx(ctx context.Context, tx *sql.Tx, q string, args ...any) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, q, args...).Scan(&n)
	return n, err
}

// Subject reads everything of one client the engine needs.
func (s *ErasureStore) Subject(ctx context.Context, clientID string) (erasure.Subject, error) {
	var sub erasure.Subject
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		r, err := clientRowTx(ctx, tx, clientID)
		if err != nil {
			return err
		}
		sub.Client = erasure.SealedRow{ID: r.ID, Rev: r.Rev, Columns: r.Sealed}
		sub.CreatedAt, sub.LastInteractionAt = r.CreatedAt, r.LastInteractionAt
		if sub.History, err = sealedRowsTx(ctx, tx, `SELECT id, rev, previous FROM client_history WHERE client_id = ? ORDER BY rev`, clientID); err != nil {
			return fmt.Errorf("store: read erasure subject: history: %w", err)
		}
		if sub.ConsentEvidence, err = sealedRowsTx(ctx, tx, `SELECT id, rev, evidence FROM consent_events WHERE client_id = ? ORDER BY seq`, clientID); err != nil {
			return fmt.Errorf("store: read erasure subject: consent: %w", err)
		}
		if sub.RequestDetails, err = sealedRowsTx(ctx, tx, `SELECT id, rev, details FROM rights_requests WHERE client_id = ? ORDER BY id`, clientID); err != nil {
			return fmt.Errorf("store: read erasure subject: rights requests: %w", err)
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, rev, `+strings.Join(bookings.SealedColumns, ", ")+
			` FROM bookings WHERE client_id = ? ORDER BY id`, clientID)
		if err != nil {
			return fmt.Errorf("store: read erasure subject: bookings: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			b := erasure.SealedRow{Columns: map[string][]byte{}}
			envs := make([][]byte, len(bookings.SealedColumns))
			dest := []any{&b.ID, &b.Rev}
			for i := range envs {
				dest = append(dest, &envs[i])
			}
			if err := rows.Scan(dest...); err != nil {
				return fmt.Errorf("store: read erasure subject: booking: %w", err)
			}
			for i, c := range bookings.SealedColumns {
				b.Columns[c] = envs[i]
			}
			sub.Bookings = append(sub.Bookings, b)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: read erasure subject: bookings: %w", err)
		}
		h := &sub.Held
		for _, c := range []struct {
			n *int
			q string
		}{
			{&h.Notes, `SELECT COUNT(*) FROM notes WHERE client_id = ?`},
			{&h.Addenda, `SELECT COUNT(*) FROM note_addenda WHERE note_id IN (SELECT id FROM notes WHERE client_id = ?)`},
			{&h.Summaries, `SELECT COUNT(*) FROM note_summaries WHERE client_id = ?`},
			{&h.ConsentEvents, `SELECT COUNT(*) FROM consent_events WHERE client_id = ?`},
			{&h.Requests, `SELECT COUNT(*) FROM rights_requests WHERE client_id = ?`},
			{&h.Bookings, `SELECT COUNT(*) FROM bookings WHERE client_id = ?`},
		} {
			if *c.n, err = countTx(ctx, tx, c.q, clientID); err != nil {
				return fmt.Errorf("store: read erasure subject: count: %w", err)
			}
		}
		return nil
	})
	return sub, err
}

func authorizeTx(ctx context.Context, tx *sql.Tx, clientID, scope, requestID string, at time.Time) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO purge_authorizations (client_id, scope, request_id, created_at) VALUES (?, ?, ?, ?)`,
		clientID, scope, requestID, at.UTC().Format(clientTimeLayout)); err != nil {
		return fmt.Errorf("store: authorize purge: %w", err)
	}
	return nil
}

func revokeTx(ctx context.Context, tx *sql.Tx, clientID string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM purge_authorizations WHERE client_id = ?`, clientID); err != nil {
		return fmt.Errorf("store: end purge authorization: %w", err)
	}
	return nil
}

func execOne(ctx context.Context, tx *sql.Tx, what, q string, args ...any) error {
	res, err := tx.ExecContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("store: erase %s: %w", what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: erase %s: %w", what, err)
	}
	if n != 1 {
		return apperr.Errorf(apperr.Conflict, "the %s changed while it was being erased; try again", what)
	}
	return nil
}

func insertCertificateTx(ctx context.Context, tx *sql.Tx, c erasure.Certificate, requestID, holdUntil string) error {
	var hold any
	if holdUntil != "" {
		hold = holdUntil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO erasure_certificates (id, request_id, client_id, kind, issued_at, hold_until, body, sha256)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, c.ID, requestID, c.ClientID, c.Kind, c.ErasedAt, hold, string(c.Body), c.SHA256); err != nil {
		return fmt.Errorf("store: store erasure certificate: %w", err)
	}
	return nil
}

// Apply writes an erasure plan in one transaction and checkpoints the WAL.
func (s *ErasureStore) Apply(ctx context.Context, p erasure.Plan, e audit.Entry) error {
	err := s.tx(ctx, func(tx *sql.Tx, chain *audit.Chain) error {
		if err := authorizeTx(ctx, tx, p.ClientID, "erasure", p.Certificate.RequestID, p.UpdatedAt); err != nil {
			return err
		}
		sets := []string{"rev = ?", "updated_at = ?"}
		args := []any{p.Client.Rev, formatClientTime(p.UpdatedAt)}
		for _, c := range clientSealed {
			env, ok := p.Client.Columns[c]
			if !ok {
				return fmt.Errorf("store: erase client: sealed column %s missing", c)
			}
			sets, args = append(sets, c+" = ?"), append(args, env)
		}
		args = append(args, p.Client.ID, p.Client.Rev-1)
		if err := execOne(ctx, tx, "client", `UPDATE clients SET `+strings.Join(sets, ", ")+` WHERE id = ? AND rev = ?`, args...); err != nil {
			return err
		}
		for _, h := range p.History {
			if err := execOne(ctx, tx, "client history", `UPDATE client_history SET previous = ? WHERE id = ? AND rev = ? AND client_id = ?`,
				h.Envelope, h.RowID, h.Rev, p.ClientID); err != nil {
				return err
			}
		}
		for _, c := range p.ConsentEvidence {
			if err := execOne(ctx, tx, "consent evidence", `UPDATE consent_events SET evidence = ? WHERE id = ? AND rev = ? AND client_id = ?`,
				c.Envelope, c.RowID, c.Rev, p.ClientID); err != nil {
				return err
			}
		}
		for _, r := range p.RequestDetails {
			if err := execOne(ctx, tx, "rights request", `UPDATE rights_requests SET rev = ?, details = ? WHERE id = ? AND rev = ? AND client_id = ?`,
				r.Rev, r.Envelope, r.RowID, r.Rev-1, p.ClientID); err != nil {
				return err
			}
		}
		for _, b := range p.Bookings {
			sets := []string{"rev = ?"}
			args := []any{b.Rev}
			for _, c := range bookings.SealedColumns {
				sets, args = append(sets, c+" = ?"), append(args, b.Columns[c])
			}
			args = append(args, b.ID, b.Rev-1, p.ClientID)
			if err := execOne(ctx, tx, "booking", `UPDATE bookings SET `+strings.Join(sets, ", ")+` WHERE id = ? AND rev = ? AND client_id = ?`, args...); err != nil {
				return err
			}
		}
		hold := p.HoldUntil.UTC().Format(clientTimeLayout)
		if _, err := tx.ExecContext(ctx, `INSERT INTO erasure_holds (client_id, hold_until, categories, basis, certificate_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(client_id) DO UPDATE SET hold_until = excluded.hold_until,
			categories = excluded.categories, basis = excluded.basis, certificate_id = excluded.certificate_id`,
			p.ClientID, hold, strings.Join(p.HoldCategories, ","), p.HoldBasis, p.Certificate.ID, formatClientTime(p.UpdatedAt)); err != nil {
			return fmt.Errorf("store: record erasure hold: %w", err)
		}
		if err := insertCertificateTx(ctx, tx, p.Certificate, p.Certificate.RequestID, hold); err != nil {
			return err
		}
		if err := revokeTx(ctx, tx, p.ClientID); err != nil {
			return err
		}
		_, err := AppendAuditTx(ctx, tx, chain, e)
		return err
	})
	if err != nil {
		return err
	}
	return s.db.Checkpoint(ctx)
}

// Purge deletes every row of a client (a minor), re-chains the consent
// ledger over what remains, stores the certificate and appends e, in one
// transaction; then checkpoints the WAL.
func (s *ErasureStore) Purge(ctx context.Context, clientID string, c erasure.Certificate, e audit.Entry) (erasure.Purged, error) {
	cc, err := s.consent()
	if err != nil {
		return erasure.Purged{}, err
	}
	out := erasure.Purged{Counts: map[string]int{}}
	err = s.tx(ctx, func(tx *sql.Tx, chain *audit.Chain) error {
		if err := clientExistsTx(ctx, tx, clientID); err != nil {
			return err
		}
		if err := authorizeTx(ctx, tx, clientID, "minor", "", e.At); err != nil {
			return err
		}
		ids, err := sealedIDsTx(ctx, tx, `SELECT id FROM notes WHERE client_id = ?`, clientID)
		if err != nil {
			return err
		}
		out.NoteIDs = ids
		steps := []struct{ table, q string }{
			{"outbox", `DELETE FROM outbox WHERE entity_id = ?1 OR entity_id IN (SELECT id FROM bookings WHERE client_id = ?1)
				OR entity_id IN (SELECT id FROM consent_events WHERE client_id = ?1)`},
			{"note_addenda", `DELETE FROM note_addenda WHERE note_id IN (SELECT id FROM notes WHERE client_id = ?1)`},
			{"note_summaries", `DELETE FROM note_summaries WHERE client_id = ?1 OR note_id IN (SELECT id FROM notes WHERE client_id = ?1)`},
			{"notes", `DELETE FROM notes WHERE client_id = ?1`},
			{"", `UPDATE bookings SET rescheduled_from = NULL WHERE rescheduled_from IN (SELECT id FROM bookings WHERE client_id = ?1)`},
			{"", `UPDATE bookings SET rescheduled_to = NULL WHERE rescheduled_to IN (SELECT id FROM bookings WHERE client_id = ?1)`},
			{"bookings", `DELETE FROM bookings WHERE client_id = ?1`},
			{"consent_events", `DELETE FROM consent_events WHERE client_id = ?1`},
			{"rights_requests", `DELETE FROM rights_requests WHERE client_id = ?1`},
			{"erasure_holds", `DELETE FROM erasure_holds WHERE client_id = ?1`},
			{"exports", `DELETE FROM exports WHERE client_id = ?1`},
			{"client_history", `DELETE FROM client_history WHERE client_id = ?1`},
			{"clients", `DELETE FROM clients WHERE id = ?1`},
		}
		for _, st := range steps {
			res, err := tx.ExecContext(ctx, st.q, clientID)
			if err != nil {
				return fmt.Errorf("store: purge %s: %w", st.table, err)
			}
			if st.table != "" {
				n, err := res.RowsAffected()
				if err != nil {
					return fmt.Errorf("store: purge %s: %w", st.table, err)
				}
				out.Counts[st.table] = int(n)
			}
		}
		if err := relinkConsentTx(ctx, tx, cc); err != nil {
			return err
		}
		if err := insertCertificateTx(ctx, tx, c, "", ""); err != nil {
			return err
		}
		if err := revokeTx(ctx, tx, clientID); err != nil {
			return err
		}
		_, err = AppendAuditTx(ctx, tx, chain, e)
		return err
	})
	if err != nil {
		return erasure.Purged{}, err
	}
	return out, s.db.Checkpoint(ctx)
}

func sealedIDsTx(ctx context.Context, tx *sql.Tx, q string, args ...any) ([]string, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: purge: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("store: purge: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// relinkConsentTx re-chains the ledger after events were deleted, refusing
// to launder damage that was there before: the remaining events must
// verify as a ledger with gaps (each MAC valid for its own contents).
func relinkConsentTx(ctx context.Context, tx *sql.Tx, cc *consent.Chain) error {
	rows, err := consentRowsTx(ctx, tx, ``)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if !hmacEqual(cc.Link(r.PrevMAC, r), r.MAC) {
			return apperr.New(apperr.Integrity, "the consent ledger failed its integrity check; the purge was not done")
		}
	}
	relinked, head := cc.Relink(rows)
	for i, r := range relinked {
		if r.Seq == rows[i].Seq && string(r.MAC) == string(rows[i].MAC) {
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE consent_events SET seq = ?, prev_mac = ?, mac = ? WHERE id = ?`,
			r.Seq, r.PrevMAC, r.MAC, r.ID); err != nil {
			return fmt.Errorf("store: re-chain consent ledger: %w", err)
		}
	}
	if len(relinked) == 0 {
		if _, err := tx.ExecContext(ctx, `DELETE FROM consent_head`); err != nil {
			return fmt.Errorf("store: re-chain consent ledger: %w", err)
		}
		return nil
	}
	return putConsentHeadTx(ctx, tx, head)
}

// Certificate reads a stored certificate.
func (s *ErasureStore) Certificate(ctx context.Context, id string) ([]byte, string, error) {
	var body, sum string
	err := s.db.sql.QueryRowContext(ctx, `SELECT body, sha256 FROM erasure_certificates WHERE id = ?`, id).Scan(&body, &sum)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", erasure.ErrCertificateNotFound
	}
	if err != nil {
		return nil, "", fmt.Errorf("store: read erasure certificate: %w", err)
	}
	return []byte(body), sum, nil
}

func hmacEqual(a, b []byte) bool { return hmac.Equal(a, b) }
