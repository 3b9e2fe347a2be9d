package store

import (
	"bytes"
	"context"
	"crypto/hmac"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/calmally/practice/internal/audit"
)

// The audit trail's tables (migrations/0002_audit.sql). Rows are only ever
// appended; the chain and head are computed here, inside the transaction that
// writes them, so concurrent writers cannot fork the chain.
//
// Honest limit: every check runs from inside this one database. Replacing the
// whole file with an older copy (rows and head rolled back together) leaves a
// shorter trail that verifies. Backups' own signatures and the copy kept on
// the platform are what catch that.

var _ audit.Store = (*DB)(nil)

// auditTimeLayout is fixed-width so that text order in the at column is time
// order (RFC3339Nano drops trailing zeros, which breaks ordering).
const auditTimeLayout = "2006-01-02T15:04:05.000000000Z07:00"

// verifyPageSize bounds how many rows VerifyAudit holds and how long each of
// its read transactions keeps the (single) connection.
var verifyPageSize = 5000 // a variable so tests can exercise paging

const auditColumns = `seq, at, actor, action, record_type, record_id, detail, prev_mac, mac`

// AppendAuditTx appends e to the trail inside tx, so that a domain change and
// its audit entry commit or roll back together. It reads the head in the same
// transaction, assigns Seq, PrevMAC and MAC, inserts the row and moves the head.
//
// It refuses (with a *audit.Problem) to extend a trail whose head does not
// authenticate or does not match the last row, because chaining onto it would
// launder a truncation. An empty trail with no head accepts only
// audit.ActionVaultCreated as its first entry, so a wiped trail cannot
// quietly start over.
func AppendAuditTx(ctx context.Context, tx *sql.Tx, chain *audit.Chain, e audit.Entry) (audit.Entry, error) {
	return appendAuditTx(ctx, tx, nil, chain, e)
}

// The statements of an append, for stores that prepare them (stmtCache).
const (
	auditTailQuery = `SELECT h.seq, h.mac, h.head_mac, l.seq, l.mac
		FROM (SELECT 1) AS one
		LEFT JOIN audit_head AS h ON h.id = 1
		LEFT JOIN (SELECT seq, mac FROM audit_log ORDER BY seq DESC LIMIT 1) AS l ON 1`
	auditInsertQuery   = `INSERT INTO audit_log (` + auditColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
	auditMoveHeadQuery = `INSERT INTO audit_head (id, seq, mac, head_mac) VALUES (1, ?, ?, ?)
		ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, mac = excluded.mac, head_mac = excluded.head_mac`
)

// appendAuditTx is AppendAuditTx with its statements from stmts (nil: run
// as text).
func appendAuditTx(ctx context.Context, tx *sql.Tx, stmts *stmtCache, chain *audit.Chain, e audit.Entry) (audit.Entry, error) {
	if chain == nil {
		return audit.Entry{}, fmt.Errorf("store: append audit: %w", audit.ErrLocked)
	}
	if err := e.Validate(); err != nil {
		return audit.Entry{}, fmt.Errorf("store: append audit: %w", err)
	}
	// In a batch, the tail this batch wrote last is known: nothing else
	// can write the trail while the batch holds the write lock, and a
	// savepoint rolled back forgets it (batchAuditTail).
	head, known := batchAuditTail(ctx, tx, chain)
	if !known {
		var lastSeq int64
		var lastMAC []byte
		var err error
		head, lastSeq, lastMAC, err = readAuditTail(ctx, tx, stmts)
		if err != nil {
			return audit.Entry{}, fmt.Errorf("store: append audit: %w", err)
		}
		if err := checkAppendable(chain, head, lastSeq, lastMAC, e.Action); err != nil {
			return audit.Entry{}, err
		}
	}
	e.At = e.At.UTC()
	e.Seq = head.Seq + 1
	e.PrevMAC = append([]byte{}, head.MAC...)
	e.MAC = chain.Link(e.PrevMAC, e)
	if _, err := stmts.exec(ctx, tx, auditInsertQuery,
		e.Seq, e.At.Format(auditTimeLayout), e.Actor, string(e.Action), e.RecordType, e.RecordID, e.Detail,
		e.PrevMAC, e.MAC); err != nil {
		return audit.Entry{}, fmt.Errorf("store: append audit: insert: %w", err)
	}
	headMAC := chain.HeadMAC(e.Seq, e.MAC)
	if _, err := stmts.exec(ctx, tx, auditMoveHeadQuery, e.Seq, e.MAC, headMAC); err != nil {
		return audit.Entry{}, fmt.Errorf("store: append audit: move head: %w", err)
	}
	setBatchAuditTail(ctx, tx, chain, audit.Head{Seq: e.Seq, MAC: e.MAC, HeadMAC: headMAC})
	return e, nil
}

func checkAppendable(chain *audit.Chain, head audit.Head, lastSeq int64, lastMAC []byte, action audit.Action) error {
	if head.Missing() {
		if lastSeq != 0 {
			return &audit.Problem{Kind: audit.ErrHeadMissing, Reason: "the trail has entries but no head"}
		}
		if action != audit.ActionVaultCreated {
			return &audit.Problem{Kind: audit.ErrHeadMissing, Reason: "an empty trail must start with vault_created"}
		}
		return nil
	}
	if !hmac.Equal(chain.HeadMAC(head.Seq, head.MAC), head.HeadMAC) {
		return &audit.Problem{Kind: audit.ErrTruncated, Reason: "head MAC does not match (altered head or wrong key)"}
	}
	if head.Seq != lastSeq || !bytes.Equal(head.MAC, lastMAC) {
		return &audit.Problem{Seq: min(head.Seq, lastSeq) + 1, Kind: audit.ErrTruncated, Reason: "head does not match the last entry"}
	}
	return nil
}

// AppendAudit appends e in its own transaction.
func (db *DB) AppendAudit(ctx context.Context, chain *audit.Chain, e audit.Entry) (audit.Entry, error) {
	var out audit.Entry
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = AppendAuditTx(ctx, tx, chain, e)
		return err
	})
	return out, err
}

// AuditHead returns the stored head, or the zero Head if there is none.
func (db *DB) AuditHead(ctx context.Context) (audit.Head, error) {
	var h audit.Head
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		h, err = readAuditHead(ctx, tx)
		return err
	})
	return h, err
}

func readAuditHead(ctx context.Context, tx *sql.Tx) (audit.Head, error) {
	var h audit.Head
	err := tx.QueryRowContext(ctx, `SELECT seq, mac, head_mac FROM audit_head WHERE id = 1`).Scan(&h.Seq, &h.MAC, &h.HeadMAC)
	if errors.Is(err, sql.ErrNoRows) {
		return audit.Head{}, nil
	}
	if err != nil {
		return audit.Head{}, fmt.Errorf("read audit head: %w", err)
	}
	return h, nil
}

// readAuditTail reads what an append checks — the head (as readAuditHead)
// and the seq and MAC of the last entry — in one statement, so a save pays
// for one query rather than two. A missing head reads as audit.Head{}, an
// empty trail as seq 0 and a nil MAC.
func readAuditTail(ctx context.Context, tx *sql.Tx, stmts *stmtCache) (audit.Head, int64, []byte, error) {
	var (
		h       audit.Head
		hseq    sql.NullInt64
		lastSeq sql.NullInt64
		lastMAC []byte
	)
	err := stmts.queryRow(ctx, tx, auditTailQuery).Scan(&hseq, &h.MAC, &h.HeadMAC, &lastSeq, &lastMAC)
	if err != nil {
		return audit.Head{}, 0, nil, fmt.Errorf("read audit head and last entry: %w", err)
	}
	if !hseq.Valid {
		h = audit.Head{}
	} else {
		h.Seq = hseq.Int64
	}
	if !lastSeq.Valid {
		return h, 0, nil, nil
	}
	return h, lastSeq.Int64, lastMAC, nil
}

// CountAudit returns the number of entries in the trail.
func (db *DB) CountAudit(ctx context.Context) (int64, error) {
	var n int64
	if err := db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count audit: %w", err)
	}
	return n, nil
}

// ListAudit returns one page of entries matching f, newest first, and how
// many match in all. Date bounds are optional and unlimited in span.
func (db *DB) ListAudit(ctx context.Context, f audit.Filter) ([]audit.Entry, int, error) {
	f, err := f.Normalize()
	if err != nil {
		return nil, 0, fmt.Errorf("store: list audit: %w", err)
	}
	var where []string
	var args []any
	add := func(cond string, v any) { where = append(where, cond); args = append(args, v) }
	if f.Action != "" {
		add("action = ?", string(f.Action))
	}
	if f.RecordType != "" {
		add("record_type = ?", f.RecordType)
	}
	if f.RecordID != "" {
		add("record_id = ?", f.RecordID)
	}
	if !f.From.IsZero() {
		add("at >= ?", f.From.UTC().Format(auditTimeLayout))
	}
	if !f.To.IsZero() {
		add("at < ?", f.To.UTC().Format(auditTimeLayout))
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	var out []audit.Entry
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log`+cond, args...).Scan(&total); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+auditColumns+` FROM audit_log`+cond+
			` ORDER BY seq DESC LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...)
		if err != nil {
			return err
		}
		out, err = scanAudit(rows, nil)
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("store: list audit: %w", err)
	}
	return out, total, nil
}

// scanAudit appends rows to dst and closes rows. An unreadable time becomes
// the zero time, which fails the entry's MAC: verification reports it as an
// edit rather than aborting.
func scanAudit(rows *sql.Rows, dst []audit.Entry) ([]audit.Entry, error) {
	defer rows.Close()
	for rows.Next() {
		var e audit.Entry
		var at, action string
		if err := rows.Scan(&e.Seq, &at, &e.Actor, &action, &e.RecordType, &e.RecordID, &e.Detail, &e.PrevMAC, &e.MAC); err != nil {
			return dst, fmt.Errorf("read audit entry: %w", err)
		}
		e.Action = audit.Action(action)
		if t, err := time.Parse(time.RFC3339Nano, at); err == nil {
			e.At = t.UTC()
		}
		dst = append(dst, e)
	}
	return dst, rows.Err()
}

// VerifyAudit checks the whole trail against the head with chain and returns
// how many entries verified. A tampered trail yields a *audit.Problem (not
// wrapped) naming the first bad seq; other errors are I/O failures.
//
// Rows are read in pages of verifyPageSize, each in its own short
// transaction, so memory stays flat and the app's single connection is not
// held for the whole run. The last page and the head are read in one
// transaction, so entries appended meanwhile cannot look like truncation.
func (db *DB) VerifyAudit(ctx context.Context, chain *audit.Chain) (int64, error) {
	if chain == nil {
		return 0, fmt.Errorf("store: verify audit: %w", audit.ErrLocked)
	}
	v := chain.NewVerifier()
	var after int64
	page := make([]audit.Entry, 0, verifyPageSize)
	for {
		var head audit.Head
		end := false
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			rows, err := tx.QueryContext(ctx, `SELECT `+auditColumns+` FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?`,
				after, verifyPageSize)
			if err != nil {
				return err
			}
			if page, err = scanAudit(rows, page[:0]); err != nil {
				return err
			}
			if len(page) < verifyPageSize {
				end = true
				head, err = readAuditHead(ctx, tx)
			}
			return err
		})
		if err != nil {
			return v.Count(), fmt.Errorf("store: verify audit: %w", err)
		}
		for _, e := range page {
			if !v.Add(e) {
				if !end {
					if head, err = db.AuditHead(ctx); err != nil {
						return v.Count(), fmt.Errorf("store: verify audit: %w", err)
					}
				}
				return v.Count(), v.Finish(head)
			}
		}
		if end {
			return v.Count(), v.Finish(head)
		}
		after = page[len(page)-1].Seq
	}
}

// pendingKey is added to the Detail of entries absorbed from the pending
// list: "1" when their SHA-256 link verified, "unverified" from the first
// broken link on.
const pendingKey = "pending"

// AppendPendingAudit keeps e, recorded while the vault is locked, in the
// pending list, chained with plain SHA-256 (audit.PendingHash).
func (db *DB) AppendPendingAudit(ctx context.Context, e audit.Entry) error {
	if err := e.Validate(); err != nil {
		return fmt.Errorf("store: append pending audit: %w", err)
	}
	// Refuse now what could not be absorbed later.
	if err := audit.ValidateDetail(withPending(e.Detail, "unverified")); err != nil {
		return fmt.Errorf("store: append pending audit: %w", err)
	}
	e.At = e.At.UTC()
	return db.Tx(ctx, func(tx *sql.Tx) error {
		var id int64
		var prev []byte
		err := tx.QueryRowContext(ctx, `SELECT id, hash FROM audit_pending ORDER BY id DESC LIMIT 1`).Scan(&id, &prev)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: append pending audit: %w", err)
		}
		e.Seq = id + 1
		if prev == nil {
			prev = []byte{}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO audit_pending
			(id, at, actor, action, record_type, record_id, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			e.Seq, e.At.Format(auditTimeLayout), e.Actor, string(e.Action), e.RecordType, e.RecordID, e.Detail,
			prev, audit.PendingHash(prev, e))
		if err != nil {
			return fmt.Errorf("store: append pending audit: %w", err)
		}
		return nil
	})
}

// CountPendingAudit returns how many entries wait for the next unlock.
func (db *DB) CountPendingAudit(ctx context.Context) (int64, error) {
	var n int64
	if err := db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_pending`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count pending audit: %w", err)
	}
	return n, nil
}

// AbsorbPendingAudit appends the pending entries to the keyed chain in their
// original order, with their original times and "pending=1" in their Detail,
// and empties the pending list, all in one transaction. It returns how many
// entries it moved.
//
// The pending list is not keyed, so it is checked only against accidental
// damage: from the first broken link on, entries carry "pending=unverified"
// instead, and a row that no longer passes validation is replaced by an
// integrity_error entry. Either way the unlock goes ahead; the damage is
// recorded, not hidden and not fatal.
func (db *DB) AbsorbPendingAudit(ctx context.Context, chain *audit.Chain) (int, error) {
	if chain == nil {
		return 0, fmt.Errorf("store: absorb pending audit: %w", audit.ErrLocked)
	}
	var n int
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, at, actor, action, record_type, record_id, detail, prev_hash, hash
			FROM audit_pending ORDER BY id`)
		if err != nil {
			return err
		}
		pending, err := scanPending(rows)
		if err != nil {
			return err
		}
		var prev []byte
		var lastAt time.Time
		intact := true
		for i, p := range pending {
			intact = intact && p.e.Seq == int64(i+1) && bytes.Equal(p.prevHash, prev) &&
				bytes.Equal(p.hash, audit.PendingHash(prev, p.e))
			prev = p.hash
			e := absorbed(p.e, intact, lastAt)
			lastAt = e.At
			if _, err := AppendAuditTx(ctx, tx, chain, e); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM audit_pending`); err != nil {
			return err
		}
		n = len(pending)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: absorb pending audit: %w", err)
	}
	return n, nil
}

type pendingRow struct {
	e              audit.Entry
	prevHash, hash []byte
}

func scanPending(rows *sql.Rows) ([]pendingRow, error) {
	defer rows.Close()
	var out []pendingRow
	for rows.Next() {
		var p pendingRow
		var at, action string
		if err := rows.Scan(&p.e.Seq, &at, &p.e.Actor, &action, &p.e.RecordType, &p.e.RecordID, &p.e.Detail,
			&p.prevHash, &p.hash); err != nil {
			return nil, fmt.Errorf("read pending audit entry: %w", err)
		}
		p.e.Action = audit.Action(action)
		if t, err := time.Parse(time.RFC3339Nano, at); err == nil {
			p.e.At = t.UTC()
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// absorbed is the keyed-chain form of a pending entry. A row that no longer
// validates (damaged or planted) is not copied; an integrity_error entry
// stands in for it, at the previous entry's time if its own is unreadable.
func absorbed(p audit.Entry, intact bool, lastAt time.Time) audit.Entry {
	mark := "1"
	if !intact {
		mark = "unverified"
	}
	e := p
	e.Seq, e.PrevMAC, e.MAC = 0, nil, nil
	e.Detail = withPending(p.Detail, mark)
	if e.Validate() == nil {
		return e
	}
	at := p.At
	if at.IsZero() || at.Year() < 1970 || at.Year() > 9999 {
		at = lastAt
	}
	if at.IsZero() {
		at = time.Unix(0, 0).UTC()
	}
	actor := p.Actor
	if actor == "" || (audit.Entry{Action: audit.ActionLock, At: at, Actor: actor}).Validate() != nil {
		actor = "unknown"
	}
	return audit.Entry{At: at, Actor: actor, Action: audit.ActionIntegrityError,
		Detail: "reason=pending_entry_invalid " + pendingKey + "=unverified"}
}

func withPending(detail, mark string) string {
	if detail == "" {
		return pendingKey + "=" + mark
	}
	return detail + " " + pendingKey + "=" + mark
}
