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
	"github.com/calmally/practice/internal/consent"
)

// The consent ledger's tables (migrations/0007_consent.sql). Events are only
// appended; the chain and head are computed here, inside the transaction
// that writes them, so concurrent writers cannot fork the ledger.

func init() {
	registerSealed(SealedColumn{Table: "consent_events", Column: "evidence"})
}

// ConsentStore implements consent.Store on the database.
type ConsentStore struct {
	db    *DB
	chain func() (*audit.Chain, error)
}

var _ consent.Store = (*ConsentStore)(nil)

// NewConsentStore returns the consent store; chain yields the audit chain,
// or a locked error while the vault is locked.
func NewConsentStore(db *DB, chain func() (*audit.Chain, error)) *ConsentStore {
	return &ConsentStore{db: db, chain: chain}
}

var errConsentClientNotFound = apperr.New(apperr.NotFound, "client not found")

const consentColumns = `seq, id, rev, client_id, purpose, kind, notice_id, notice_version, notice_language,
	notice_sha256, categories, method, channel, source, captured_by, at, expires_at, recorded_at, evidence, prev_mac, mac`

func (s *ConsentStore) tx(ctx context.Context, fn func(tx *sql.Tx, chain *audit.Chain) error) error {
	chain, err := s.chain()
	if err != nil {
		return err
	}
	if chain == nil {
		return apperr.New(apperr.Locked, "the vault is locked")
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error { return fn(tx, chain) })
}

func consentTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(consent.TimeLayout)
}

// AppendEvent stores the notice if new, chains r after the ledger's end,
// inserts it, moves the head, queues out and appends e, in one transaction.
func (s *ConsentStore) AppendEvent(ctx context.Context, cc *consent.Chain, r consent.Row, n consent.Notice,
	out *consent.OutboxItem, e audit.Entry) (consent.Row, error) {
	var stored consent.Row
	err := s.tx(ctx, func(tx *sql.Tx, chain *audit.Chain) error {
		if err := clientExistsTx(ctx, tx, r.ClientID); err != nil {
			return err
		}
		if err := putNoticeTx(ctx, tx, n, r.RecordedAt); err != nil {
			return err
		}
		head, err := consentHeadTx(ctx, tx)
		if err != nil {
			return err
		}
		var lastSeq int64
		var lastMAC []byte
		err = tx.QueryRowContext(ctx, `SELECT seq, mac FROM consent_events ORDER BY seq DESC LIMIT 1`).Scan(&lastSeq, &lastMAC)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: append consent event: read last: %w", err)
		}
		next, h, err := cc.Append(head, lastSeq, lastMAC, r)
		if err != nil {
			return apperr.Wrap(apperr.Integrity, "the consent ledger failed its integrity check; nothing was recorded", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO consent_events (`+consentColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			next.Seq, next.ID, next.Rev, next.ClientID, string(next.Purpose), string(next.Kind), next.NoticeID,
			next.NoticeVersion, next.NoticeLanguage, next.NoticeSHA256, strings.Join(next.Categories, ","),
			string(next.Method), string(next.Channel), string(next.Source), next.CapturedBy, consentTime(next.At),
			consentTime(next.ExpiresAt), consentTime(next.RecordedAt), next.Evidence, next.PrevMAC, next.MAC); err != nil {
			return fmt.Errorf("store: append consent event: %w", err)
		}
		if err := putConsentHeadTx(ctx, tx, h); err != nil {
			return err
		}
		if out != nil {
			if err := consentOutboxTx(ctx, tx, out); err != nil {
				return err
			}
		}
		if _, err := AppendAuditTx(ctx, tx, chain, e); err != nil {
			return err
		}
		stored = next
		return nil
	})
	return stored, err
}

func clientExistsTx(ctx context.Context, tx *sql.Tx, id string) error {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM clients WHERE id = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return errConsentClientNotFound
	}
	if err != nil {
		return fmt.Errorf("store: read client: %w", err)
	}
	return nil
}

// putNoticeTx stores n once; a different text under the same key is refused.
func putNoticeTx(ctx context.Context, tx *sql.Tx, n consent.Notice, at time.Time) error {
	var sum string
	err := tx.QueryRowContext(ctx, `SELECT sha256 FROM consent_notices WHERE id = ? AND version = ? AND language = ?`,
		n.ID, n.Version, n.Language).Scan(&sum)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		_, err = tx.ExecContext(ctx, `INSERT INTO consent_notices (id, version, language, purpose, sha256, text, first_used_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, n.ID, n.Version, n.Language, string(n.Purpose), n.SHA256, n.Text, consentTime(at))
		if err != nil {
			return fmt.Errorf("store: store consent notice: %w", err)
		}
		return nil
	case err != nil:
		return fmt.Errorf("store: read consent notice: %w", err)
	case sum != n.SHA256:
		return apperr.New(apperr.Conflict, "this notice version was shown with a different text before: publish the new text as a new version")
	}
	return nil
}

// consentOutboxTx queues o for the platform through the outbox's own
// insert (outbox.go), so mutation ids stay monotonic.
func consentOutboxTx(ctx context.Context, tx *sql.Tx, o *consent.OutboxItem) error {
	_, err := insertOutboxTx(ctx, tx, o.ID, o.Kind, o.EntityID, o.Payload, o.CreatedAt)
	return err
}

func consentHeadTx(ctx context.Context, tx *sql.Tx) (consent.Head, error) {
	var h consent.Head
	err := tx.QueryRowContext(ctx, `SELECT seq, mac, head_mac FROM consent_head WHERE id = 1`).Scan(&h.Seq, &h.MAC, &h.HeadMAC)
	if errors.Is(err, sql.ErrNoRows) {
		return consent.Head{}, nil
	}
	if err != nil {
		return consent.Head{}, fmt.Errorf("store: read consent head: %w", err)
	}
	return h, nil
}

func putConsentHeadTx(ctx context.Context, tx *sql.Tx, h consent.Head) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO consent_head (id, seq, mac, head_mac) VALUES (1, ?, ?, ?)
		ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, mac = excluded.mac, head_mac = excluded.head_mac`,
		h.Seq, h.MAC, h.HeadMAC); err != nil {
		return fmt.Errorf("store: move consent head: %w", err)
	}
	return nil
}

func scanConsent(sc scanner) (consent.Row, error) {
	var r consent.Row
	var purpose, kind, cats, method, channel, source, at, recorded string
	var exp sql.NullString
	if err := sc.Scan(&r.Seq, &r.ID, &r.Rev, &r.ClientID, &purpose, &kind, &r.NoticeID, &r.NoticeVersion,
		&r.NoticeLanguage, &r.NoticeSHA256, &cats, &method, &channel, &source, &r.CapturedBy, &at, &exp,
		&recorded, &r.Evidence, &r.PrevMAC, &r.MAC); err != nil {
		return consent.Row{}, err
	}
	r.Purpose, r.Kind, r.Method = consent.Purpose(purpose), consent.Kind(kind), consent.Method(method)
	r.Channel, r.Source = consent.Channel(channel), consent.Source(source)
	if cats != "" {
		r.Categories = strings.Split(cats, ",")
	}
	// An unreadable time stays zero: the MAC then fails and Verify reports
	// an edit rather than the read aborting.
	r.At, _ = time.Parse(consent.TimeLayout, at)
	r.RecordedAt, _ = time.Parse(consent.TimeLayout, recorded)
	if exp.Valid {
		r.ExpiresAt, _ = time.Parse(consent.TimeLayout, exp.String)
	}
	return r, nil
}

func consentRowsTx(ctx context.Context, tx *sql.Tx, where string, args ...any) ([]consent.Row, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+consentColumns+` FROM consent_events `+where+` ORDER BY seq`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: read consent events: %w", err)
	}
	defer rows.Close()
	var out []consent.Row
	for rows.Next() {
		r, err := scanConsent(rows)
		if err != nil {
			return nil, fmt.Errorf("store: read consent event: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: read consent events: %w", err)
	}
	return out, nil
}

// ClientEvents returns a client's events in ledger order. Without a view
// entry it needs no audit chain (Check reads plain columns only).
func (s *ConsentStore) ClientEvents(ctx context.Context, clientID string, view *audit.Entry) ([]consent.Row, error) {
	var out []consent.Row
	read := func(tx *sql.Tx) error {
		if err := clientExistsTx(ctx, tx, clientID); err != nil {
			return err
		}
		var err error
		out, err = consentRowsTx(ctx, tx, `WHERE client_id = ?`, clientID)
		return err
	}
	if view == nil {
		return out, s.db.Tx(ctx, read)
	}
	err := s.tx(ctx, func(tx *sql.Tx, chain *audit.Chain) error {
		if err := read(tx); err != nil {
			return err
		}
		_, err := AppendAuditTx(ctx, tx, chain, *view)
		return err
	})
	return out, err
}

// Event returns one event and appends view if given.
func (s *ConsentStore) Event(ctx context.Context, id string, view *audit.Entry) (consent.Row, error) {
	var r consent.Row
	read := func(tx *sql.Tx) error {
		rows, err := consentRowsTx(ctx, tx, `WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			return consent.ErrEventNotFound
		}
		r = rows[0]
		return nil
	}
	if view == nil {
		return r, s.db.Tx(ctx, read)
	}
	err := s.tx(ctx, func(tx *sql.Tx, chain *audit.Chain) error {
		if err := read(tx); err != nil {
			return err
		}
		_, err := AppendAuditTx(ctx, tx, chain, *view)
		return err
	})
	return r, err
}

// Ledger returns every event and the head, in one transaction.
func (s *ConsentStore) Ledger(ctx context.Context) ([]consent.Row, consent.Head, error) {
	var rows []consent.Row
	var head consent.Head
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if rows, err = consentRowsTx(ctx, tx, ``); err != nil {
			return err
		}
		head, err = consentHeadTx(ctx, tx)
		return err
	})
	return rows, head, err
}

// StoredNotice returns a notice as stored.
func (s *ConsentStore) StoredNotice(ctx context.Context, id string, version int, lang string) (consent.Notice, error) {
	var n consent.Notice
	var purpose string
	err := s.db.conn(ctx).QueryRowContext(ctx, `SELECT id, version, language, purpose, sha256, text FROM consent_notices
		WHERE id = ? AND version = ? AND language = ?`, id, version, lang).Scan(&n.ID, &n.Version, &n.Language, &purpose, &n.SHA256, &n.Text)
	if errors.Is(err, sql.ErrNoRows) {
		return consent.Notice{}, apperr.New(apperr.NotFound, "that notice was never shown")
	}
	if err != nil {
		return consent.Notice{}, fmt.Errorf("store: read consent notice: %w", err)
	}
	n.Purpose = consent.Purpose(purpose)
	n.Title, _, _ = strings.Cut(n.Text, "\n")
	return n, nil
}

// RecordAudit appends e in its own transaction.
func (s *ConsentStore) RecordAudit(ctx context.Context, e audit.Entry) error {
	return s.tx(ctx, func(tx *sql.Tx, chain *audit.Chain) error {
		_, err := AppendAuditTx(ctx, tx, chain, e)
		return err
	})
}
