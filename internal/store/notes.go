package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/notes"
)

// The notes, note_addenda, note_summaries and note_templates tables
// (migrations/0004_notes.sql). Sealed columns arrive and leave as envelopes.
//
// Signed notes are refused three times over: the service checks, each method
// here checks inside its transaction (returning notes.ErrSigned), and the
// triggers abort any UPDATE or DELETE of a signed row that is not a
// data-key re-seal (an error this file maps to notes.ErrSigned as well).

func init() {
	registerSealed(
		SealedColumn{Table: notes.TableNotes, Column: notes.ColTitle},
		SealedColumn{Table: notes.TableNotes, Column: notes.ColSections},
		SealedColumn{Table: notes.TableAddenda, Column: notes.ColBody},
		SealedColumn{Table: notes.TableSummaries, Column: notes.ColContent},
	)
}

// NoteStore implements notes.Store on the database.
type NoteStore struct {
	db    *DB
	chain func() (*audit.Chain, error)
	stmts *stmtCache // a save's and an autosave's statements, prepared once
}

var _ notes.Store = (*NoteStore)(nil)

// NewNoteStore returns the notes store; chain yields the audit chain, or a
// locked error while the vault is locked.
func NewNoteStore(db *DB, chain func() (*audit.Chain, error)) *NoteStore {
	return &NoteStore{db: db, chain: chain, stmts: newStmtCache(db.sql,
		noteInsertQuery, draftAtQuery, draftUpdateQuery, auditedSinceQuery,
		clientTouchQuery, clientExistsQuery, auditTailQuery, auditInsertQuery, auditMoveHeadQuery)}
}

func formatNoteTime(t time.Time) string { return t.UTC().Format(notes.TimeLayout) }

func parseNoteTime(s string) (time.Time, error) { return time.Parse(notes.TimeLayout, s) }

// tx runs fn in one transaction with the audit chain at hand.
func (s *NoteStore) tx(ctx context.Context, fn func(tx *sql.Tx, chain *audit.Chain) error) error {
	chain, err := s.chain()
	if err != nil {
		return err
	}
	if chain == nil {
		return apperr.New(apperr.Locked, "the vault is locked")
	}
	s.stmts.prepare(ctx) // outside the transaction: the pool has one connection
	return s.db.Tx(ctx, func(tx *sql.Tx) error { return fn(tx, chain) })
}

// signedErr maps the triggers' abort to the signed rule.
func signedErr(err error, what string) error {
	if err != nil && strings.Contains(err.Error(), "signed") {
		return apperr.Wrap(apperr.Conflict, notes.ErrSigned.Message, errors.Join(notes.ErrSigned, err))
	}
	return fmt.Errorf("store: %s: %w", what, err)
}

// touchClient moves the client's last interaction to the session date (midnight
// UTC of the civil date) if that is later, through the clients store's own
// helper; the client's rev does not change, since no sealed field does.
func touchClient(ctx context.Context, tx *sql.Tx, clientID string, d notes.Date) error {
	return touchClientWith(ctx, tx, nil, clientID, d)
}

// touchClientWith is touchClient with its statements from stmts.
func touchClientWith(ctx context.Context, tx *sql.Tx, stmts *stmtCache, clientID string, d notes.Date) error {
	if err := markClientInteractionTx(ctx, tx, stmts, clientID, d.Midnight()); err != nil {
		if apperr.CodeOf(err) == apperr.NotFound {
			return notes.ErrClientNotFound
		}
		return err
	}
	return nil
}

const noteColumns = `id, rev, client_id, kind, template_id, template_version, session_date, booking_id, status,
	created_at, updated_at, signed_at, signed_by, signed_hash, title, sections`

// The statements of a save and an autosave, prepared by NoteStore.stmts.
const (
	noteInsertQuery = `INSERT INTO notes (` + noteColumns + `)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, ?, ?)`
	draftAtQuery     = `SELECT status, rev, client_id FROM notes WHERE id = ?`
	draftUpdateQuery = `UPDATE notes SET rev = ?, title = ?, sections = ?, session_date = ?,
			booking_id = ?, updated_at = ? WHERE id = ? AND rev = ? AND status = 'draft'`
	auditedSinceQuery = `SELECT COUNT(*) FROM (SELECT 1 FROM audit_log
		WHERE record_id = ? AND at >= ? AND action = ? AND record_type = ? LIMIT 1)`
)

// CreateNote inserts a draft, touches the client's last interaction and
// records e, in one transaction.
func (s *NoteStore) CreateNote(ctx context.Context, r notes.Record, e audit.Entry) error {
	if r.Status != notes.StatusDraft {
		return errors.New("store: create note: new notes are drafts")
	}
	return s.tx(ctx, func(tx *sql.Tx, chain *audit.Chain) error {
		// touchClient also finds a missing client (notes.ErrClientNotFound),
		// so it goes first and there is no separate existence check.
		if err := touchClientWith(ctx, tx, s.stmts, r.ClientID, r.SessionDate); err != nil {
			return err
		}
		_, err := s.stmts.exec(ctx, tx, noteInsertQuery,
			r.ID, r.Rev, r.ClientID, string(r.Kind), r.TemplateID, r.TemplateVersion, r.SessionDate.String(),
			nullString(r.BookingID), string(r.Status), formatNoteTime(r.CreatedAt), formatNoteTime(r.UpdatedAt),
			r.Title, r.Sections)
		if err != nil {
			return fmt.Errorf("store: create note: %w", err)
		}
		_, err = appendAuditTx(ctx, tx, s.stmts, chain, e)
		return err
	})
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

type noteScanner interface{ Scan(dest ...any) error }

func scanNote(sc noteScanner) (notes.Record, error) {
	var r notes.Record
	var kind, status, date, created, updated string
	var booking, signedAt, signedBy sql.NullString
	if err := sc.Scan(&r.ID, &r.Rev, &r.ClientID, &kind, &r.TemplateID, &r.TemplateVersion, &date, &booking,
		&status, &created, &updated, &signedAt, &signedBy, &r.SignedHash, &r.Title, &r.Sections); err != nil {
		return notes.Record{}, err
	}
	r.Kind, r.Status, r.BookingID, r.SignedBy = notes.Kind(kind), notes.Status(status), booking.String, signedBy.String
	var err error
	if r.SessionDate, err = notes.ParseDate(date); err != nil {
		return notes.Record{}, fmt.Errorf("session date: %w", err)
	}
	if r.CreatedAt, err = parseNoteTime(created); err != nil {
		return notes.Record{}, err
	}
	if r.UpdatedAt, err = parseNoteTime(updated); err != nil {
		return notes.Record{}, err
	}
	if signedAt.Valid {
		if r.SignedAt, err = parseNoteTime(signedAt.String); err != nil {
			return notes.Record{}, err
		}
	}
	return r, nil
}

func noteTx(ctx context.Context, tx *sql.Tx, id string) (notes.Record, error) {
	r, err := scanNote(tx.QueryRowContext(ctx, `SELECT `+noteColumns+` FROM notes WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return notes.Record{}, notes.ErrNotFound
	}
	if err != nil {
		return notes.Record{}, fmt.Errorf("store: read note: %w", err)
	}
	return r, nil
}

const addendumColumns = `id, note_id, rev, body, created_at, signed_at, signed_by, signed_hash`

func scanAddendum(sc noteScanner) (notes.AddendumRecord, error) {
	var a notes.AddendumRecord
	var created, signed string
	if err := sc.Scan(&a.ID, &a.NoteID, &a.Rev, &a.Body, &created, &signed, &a.SignedBy, &a.SignedHash); err != nil {
		return a, err
	}
	var err error
	if a.CreatedAt, err = parseNoteTime(created); err != nil {
		return a, err
	}
	a.SignedAt, err = parseNoteTime(signed)
	return a, err
}

func addendaTx(ctx context.Context, tx *sql.Tx, noteID string) ([]notes.AddendumRecord, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+addendumColumns+` FROM note_addenda
		WHERE note_id = ? ORDER BY created_at, id`, noteID)
	if err != nil {
		return nil, fmt.Errorf("store: read addenda: %w", err)
	}
	defer rows.Close()
	var out []notes.AddendumRecord
	for rows.Next() {
		a, err := scanAddendum(rows)
		if err != nil {
			return nil, fmt.Errorf("store: read addendum: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: read addenda: %w", err)
	}
	return out, nil
}

// GetNote reads a note and its addenda, recording view (if given) in the same
// transaction.
func (s *NoteStore) GetNote(ctx context.Context, id string, view *audit.Entry) (notes.Record, []notes.AddendumRecord, error) {
	var r notes.Record
	var adds []notes.AddendumRecord
	read := func(tx *sql.Tx) error {
		var err error
		if r, err = noteTx(ctx, tx, id); err != nil {
			return err
		}
		adds, err = addendaTx(ctx, tx, id)
		return err
	}
	var err error
	if view == nil {
		err = s.db.Tx(ctx, read)
	} else {
		err = s.tx(ctx, func(tx *sql.Tx, chain *audit.Chain) error {
			if err := read(tx); err != nil {
				return err
			}
			_, err := AppendAuditTx(ctx, tx, chain, *view)
			return err
		})
	}
	return r, adds, err
}

// draftAt checks, inside tx, that id is a draft at rev.
func draftAt(ctx context.Context, tx *sql.Tx, stmts *stmtCache, id string, rev int64) (clientID string, err error) {
	var status string
	var cur int64
	err = stmts.queryRow(ctx, tx, draftAtQuery, id).Scan(&status, &cur, &clientID)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", notes.ErrNotFound
	case err != nil:
		return "", fmt.Errorf("store: read note: %w", err)
	case status == string(notes.StatusSigned):
		return "", notes.ErrSigned
	case rev != 0 && cur != rev:
		return "", notes.ErrStale
	}
	return clientID, nil
}

// UpdateDraft applies u to a draft still at u.ExpectedRev. The edit entry e
// is appended unless one with the same action and record was written within
// coalesce before e.At (autosaves; see the notes package doc).
func (s *NoteStore) UpdateDraft(ctx context.Context, u notes.DraftUpdate, e audit.Entry, coalesce time.Duration) error {
	if u.Rev != u.ExpectedRev+1 {
		return errors.New("store: update draft: rev must advance by one")
	}
	return s.tx(ctx, func(tx *sql.Tx, chain *audit.Chain) error {
		clientID, err := draftAt(ctx, tx, s.stmts, u.ID, u.ExpectedRev)
		if err != nil {
			return err
		}
		res, err := s.stmts.exec(ctx, tx, draftUpdateQuery,
			u.Rev, u.Title, u.Sections, u.SessionDate.String(), nullString(u.BookingID),
			formatNoteTime(u.UpdatedAt), u.ID, u.ExpectedRev)
		if err != nil {
			return signedErr(err, "update draft")
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return notes.ErrStale
		}
		if err := touchClientWith(ctx, tx, s.stmts, clientID, u.SessionDate); err != nil {
			return err
		}
		if coalesce > 0 {
			recent, err := auditedSince(ctx, tx, s.stmts, e, e.At.Add(-coalesce))
			if err != nil || recent {
				return err
			}
		}
		_, err = appendAuditTx(ctx, tx, s.stmts, chain, e)
		return err
	})
}

// auditedSince reports whether an entry with e's action and record was
// written at or after since.
func auditedSince(ctx context.Context, tx *sql.Tx, stmts *stmtCache, e audit.Entry, since time.Time) (bool, error) {
	var n int
	err := stmts.queryRow(ctx, tx, auditedSinceQuery,
		e.RecordID, since.UTC().Format(auditTimeLayout), string(e.Action), e.RecordType).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: read recent audit: %w", err)
	}
	return n > 0, nil
}

// SignNote marks the draft at sg.Rev signed, with its hash and signer.
func (s *NoteStore) SignNote(ctx context.Context, sg notes.Signing, e audit.Entry) error {
	if len(sg.Hash) == 0 || sg.SignedBy == "" || sg.SignedAt.IsZero() {
		return errors.New("store: sign note: signature fields missing")
	}
	return s.tx(ctx, func(tx *sql.Tx, chain *audit.Chain) error {
		if _, err := draftAt(ctx, tx, s.stmts, sg.ID, sg.Rev); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE notes SET status = 'signed', signed_at = ?, signed_by = ?, signed_hash = ?
			WHERE id = ? AND rev = ? AND status = 'draft'`,
			formatNoteTime(sg.SignedAt), sg.SignedBy, sg.Hash, sg.ID, sg.Rev)
		if err != nil {
			return signedErr(err, "sign note")
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return notes.ErrStale
		}
		_, err = AppendAuditTx(ctx, tx, chain, e)
		return err
	})
}

// DeleteDraft removes a draft (its summary goes with it).
func (s *NoteStore) DeleteDraft(ctx context.Context, id string, e audit.Entry) error {
	return s.tx(ctx, func(tx *sql.Tx, chain *audit.Chain) error {
		if _, err := draftAt(ctx, tx, s.stmts, id, 0); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM notes WHERE id = ? AND status = 'draft'`, id); err != nil {
			return signedErr(err, "delete draft")
		}
		_, err := AppendAuditTx(ctx, tx, chain, e)
		return err
	})
}

// AddAddendum inserts a signed addendum to a signed note.
func (s *NoteStore) AddAddendum(ctx context.Context, a notes.AddendumRecord, e audit.Entry) error {
	return s.tx(ctx, func(tx *sql.Tx, chain *audit.Chain) error {
		var status string
		err := tx.QueryRowContext(ctx, `SELECT status FROM notes WHERE id = ?`, a.NoteID).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) {
			return notes.ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("store: add addendum: read note: %w", err)
		}
		if status != string(notes.StatusSigned) {
			return apperr.New(apperr.Conflict, "addenda are for signed notes: edit the draft instead")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO note_addenda (`+addendumColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			a.ID, a.NoteID, a.Rev, a.Body, formatNoteTime(a.CreatedAt), formatNoteTime(a.SignedAt),
			a.SignedBy, a.SignedHash); err != nil {
			return fmt.Errorf("store: add addendum: %w", err)
		}
		_, err = AppendAuditTx(ctx, tx, chain, e)
		return err
	})
}

// ListTitles returns list rows (structure and the sealed title), newest
// session first. The query reads only the columns a list shows.
func (s *NoteStore) ListTitles(ctx context.Context, f notes.ListFilter, view *audit.Entry) ([]notes.TitleRecord, error) {
	var where []string
	var args []any
	if f.ClientID != "" {
		where, args = append(where, "client_id = ?"), append(args, f.ClientID)
	}
	if f.Status != "" {
		where, args = append(where, "status = ?"), append(args, string(f.Status))
	}
	q := `SELECT id, rev, client_id, kind, template_id, template_version, session_date, status, updated_at, COALESCE(booking_id, ''), title FROM notes`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY session_date DESC, created_at DESC"
	var out []notes.TitleRecord
	read := func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("store: list notes: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var r notes.TitleRecord
			var kind, date, status, updated string
			if err := rows.Scan(&r.ID, &r.Rev, &r.ClientID, &kind, &r.TemplateID, &r.TemplateVersion, &date,
				&status, &updated, &r.BookingID, &r.Title); err != nil {
				return fmt.Errorf("store: list notes: %w", err)
			}
			r.Kind, r.Status = notes.Kind(kind), notes.Status(status)
			if r.SessionDate, err = notes.ParseDate(date); err != nil {
				return fmt.Errorf("store: list notes: session date: %w", err)
			}
			if r.UpdatedAt, err = parseNoteTime(updated); err != nil {
				return fmt.Errorf("store: list notes: %w", err)
			}
			out = append(out, r)
		}
		return rows.Err()
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

// LastNote returns the client's most recent note without its envelopes.
func (s *NoteStore) LastNote(ctx context.Context, clientID string) (notes.Record, error) {
	var r notes.Record
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		row := tx.QueryRowContext(ctx, `SELECT `+noteColumns+` FROM notes WHERE client_id = ?
			ORDER BY session_date DESC, created_at DESC LIMIT 1`, clientID)
		var err error
		r, err = scanNote(row)
		if errors.Is(err, sql.ErrNoRows) {
			return notes.ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("store: read last note: %w", err)
		}
		return nil
	})
	r.Title, r.Sections = nil, nil
	return r, err
}

// EachNote streams every note with its addenda from one query (a left join
// ordered by note), calling fn once per note in id order. fn runs while the
// query holds the connection, so it must not use the database.
func (s *NoteStore) EachNote(ctx context.Context, fn func(notes.Record, []notes.AddendumRecord) error) error {
	cols := "n." + strings.ReplaceAll(strings.Join(strings.Fields(noteColumns), " "), ", ", ", n.")
	rows, err := s.db.sql.QueryContext(ctx, `SELECT `+cols+`,
		a.id, a.rev, a.body, a.created_at, a.signed_at, a.signed_by, a.signed_hash
		FROM notes n LEFT JOIN note_addenda a ON a.note_id = n.id
		ORDER BY n.id, a.created_at, a.id`)
	if err != nil {
		return fmt.Errorf("store: read notes: %w", err)
	}
	defer rows.Close()
	var cur notes.Record
	var adds []notes.AddendumRecord
	have := false
	for rows.Next() {
		var aID, aCreated, aSigned, aBy sql.NullString
		var aRev sql.NullInt64
		var aBody, aHash []byte
		r, err := scanNote(joinScanner{rows, []any{&aID, &aRev, &aBody, &aCreated, &aSigned, &aBy, &aHash}})
		if err != nil {
			return fmt.Errorf("store: read note: %w", err)
		}
		if have && r.ID != cur.ID {
			if err := fn(cur, adds); err != nil {
				return err
			}
			adds = nil
		}
		cur, have = r, true
		if aID.Valid {
			a := notes.AddendumRecord{ID: aID.String, NoteID: r.ID, Rev: aRev.Int64, Body: aBody, SignedBy: aBy.String, SignedHash: aHash}
			if a.CreatedAt, err = parseNoteTime(aCreated.String); err != nil {
				return fmt.Errorf("store: read addendum: %w", err)
			}
			if a.SignedAt, err = parseNoteTime(aSigned.String); err != nil {
				return fmt.Errorf("store: read addendum: %w", err)
			}
			adds = append(adds, a)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: read notes: %w", err)
	}
	if have {
		return fn(cur, adds)
	}
	return nil
}

// joinScanner appends extra destinations to a note scan.
type joinScanner struct {
	rows  *sql.Rows
	extra []any
}

func (j joinScanner) Scan(dest ...any) error { return j.rows.Scan(append(dest, j.extra...)...) }

// Templates returns every stored version of every user template.
func (s *NoteStore) Templates(ctx context.Context) ([]notes.Template, error) {
	rows, err := s.db.sql.QueryContext(ctx, `SELECT id, version, name, sections, created_at FROM note_templates ORDER BY created_at, id, version`)
	if err != nil {
		return nil, fmt.Errorf("store: read templates: %w", err)
	}
	defer rows.Close()
	var out []notes.Template
	for rows.Next() {
		var t notes.Template
		var sections, created string
		if err := rows.Scan(&t.ID, &t.Version, &t.Name, &sections, &created); err != nil {
			return nil, fmt.Errorf("store: read template: %w", err)
		}
		if err := json.Unmarshal([]byte(sections), &t.Sections); err != nil {
			return nil, fmt.Errorf("store: read template: sections: %w", err)
		}
		if t.CreatedAt, err = parseNoteTime(created); err != nil {
			return nil, fmt.Errorf("store: read template: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: read templates: %w", err)
	}
	return out, nil
}

// SaveTemplate inserts a template version.
func (s *NoteStore) SaveTemplate(ctx context.Context, t notes.Template, e audit.Entry) error {
	sections, err := json.Marshal(t.Sections)
	if err != nil {
		return fmt.Errorf("store: save template: %w", err)
	}
	return s.tx(ctx, func(tx *sql.Tx, chain *audit.Chain) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM note_templates WHERE id = ? AND version = ?`,
			t.ID, t.Version).Scan(&n); err != nil {
			return fmt.Errorf("store: save template: %w", err)
		}
		if n > 0 {
			return notes.ErrTemplateExists
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO note_templates (id, version, name, sections, created_at) VALUES (?, ?, ?, ?, ?)`,
			t.ID, t.Version, t.Name, string(sections), formatNoteTime(t.CreatedAt)); err != nil {
			return fmt.Errorf("store: save template: %w", err)
		}
		_, err := AppendAuditTx(ctx, tx, chain, e)
		return err
	})
}

const summaryColumns = `id, note_id, client_id, rev, content, status, created_at, updated_at`

// CreateSummary inserts a note's summary.
func (s *NoteStore) CreateSummary(ctx context.Context, r notes.SummaryRecord, e audit.Entry) error {
	return s.tx(ctx, func(tx *sql.Tx, chain *audit.Chain) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM note_summaries WHERE note_id = ?`, r.NoteID).Scan(&n); err != nil {
			return fmt.Errorf("store: create summary: %w", err)
		}
		if n > 0 {
			return apperr.New(apperr.Conflict, "the note already has a summary")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO note_summaries (`+summaryColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			r.ID, r.NoteID, r.ClientID, r.Rev, r.Content, string(r.Status),
			formatNoteTime(r.CreatedAt), formatNoteTime(r.UpdatedAt)); err != nil {
			return fmt.Errorf("store: create summary: %w", err)
		}
		_, err := AppendAuditTx(ctx, tx, chain, e)
		return err
	})
}

func summaryTx(ctx context.Context, tx *sql.Tx, noteID string) (notes.SummaryRecord, error) {
	var r notes.SummaryRecord
	var status, created, updated string
	err := tx.QueryRowContext(ctx, `SELECT `+summaryColumns+` FROM note_summaries WHERE note_id = ?`, noteID).
		Scan(&r.ID, &r.NoteID, &r.ClientID, &r.Rev, &r.Content, &status, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return r, notes.ErrSummaryNotFound
	}
	if err != nil {
		return r, fmt.Errorf("store: read summary: %w", err)
	}
	r.Status = notes.SummaryStatus(status)
	if r.CreatedAt, err = parseNoteTime(created); err != nil {
		return r, fmt.Errorf("store: read summary: %w", err)
	}
	if r.UpdatedAt, err = parseNoteTime(updated); err != nil {
		return r, fmt.Errorf("store: read summary: %w", err)
	}
	return r, nil
}

// GetSummary reads a note's summary, recording view (if given).
func (s *NoteStore) GetSummary(ctx context.Context, noteID string, view *audit.Entry) (notes.SummaryRecord, error) {
	var r notes.SummaryRecord
	if view == nil {
		err := s.db.Tx(ctx, func(tx *sql.Tx) error {
			var err error
			r, err = summaryTx(ctx, tx, noteID)
			return err
		})
		return r, err
	}
	err := s.tx(ctx, func(tx *sql.Tx, chain *audit.Chain) error {
		var err error
		if r, err = summaryTx(ctx, tx, noteID); err != nil {
			return err
		}
		_, err = AppendAuditTx(ctx, tx, chain, *view)
		return err
	})
	return r, err
}

// UpdateSummary replaces content and status of a summary still at expectedRev
// and not yet shared.
func (s *NoteStore) UpdateSummary(ctx context.Context, r notes.SummaryRecord, expectedRev int64, e audit.Entry) error {
	return s.tx(ctx, func(tx *sql.Tx, chain *audit.Chain) error {
		res, err := tx.ExecContext(ctx, `UPDATE note_summaries SET rev = ?, content = ?, status = ?, updated_at = ?
			WHERE id = ? AND rev = ? AND status <> 'shared'`,
			r.Rev, r.Content, string(r.Status), formatNoteTime(r.UpdatedAt), r.ID, expectedRev)
		if err != nil {
			return fmt.Errorf("store: update summary: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return notes.ErrSummaryStale
		}
		_, err = AppendAuditTx(ctx, tx, chain, e)
		return err
	})
}

// Audit appends one entry in its own transaction.
func (s *NoteStore) Audit(ctx context.Context, e audit.Entry) error {
	return s.tx(ctx, func(tx *sql.Tx, chain *audit.Chain) error {
		_, err := AppendAuditTx(ctx, tx, chain, e)
		return err
	})
}
