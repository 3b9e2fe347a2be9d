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
	"github.com/calmally/practice/internal/clients"
	"github.com/calmally/practice/internal/notes"
)

// The exports table (migrations/0009_exports.sql): one row per record bundle
// written or read, with the file name sealed; and the one-transaction import
// of a bundle's clients, notes and addenda.

func init() {
	registerSealed(SealedColumn{Table: "exports", Column: "file_name"})
}

// ExportRow is a past export or import. FileName is a vault envelope (AD:
// exports, file_name, ID, 1).
type ExportRow struct {
	ID                   string
	Kind                 string // export | import
	At                   time.Time
	Scope                string // client | practice
	ClientID             string
	Encrypted            bool
	RecipientKind        string // none | passphrase | age-recipient
	IncludePsychotherapy bool
	FileName             []byte
	SHA256               string
	Size                 int64
	Clients              int
	Notes                int
	Addenda              int
	Withheld             int
}

// ExportStore keeps the exports table and runs imports.
type ExportStore struct {
	db    *DB
	chain func() (*audit.Chain, error)
}

// NewExportStore returns the export store; chain yields the audit chain, or
// a locked error while the vault is locked.
func NewExportStore(db *DB, chain func() (*audit.Chain, error)) *ExportStore {
	return &ExportStore{db: db, chain: chain}
}

func (s *ExportStore) tx(ctx context.Context, fn func(tx *sql.Tx, chain *audit.Chain) error) error {
	chain, err := s.chain()
	if err != nil {
		return err
	}
	if chain == nil {
		return apperr.New(apperr.Locked, "the vault is locked")
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error { return fn(tx, chain) })
}

const exportColumns = `id, rev, kind, at, scope, client_id, encrypted, recipient_kind, include_psychotherapy,
	file_name, sha256, size_bytes, clients_count, notes_count, addenda_count, withheld_count`

func insertExportTx(ctx context.Context, tx *sql.Tx, r ExportRow) error {
	var client any
	if r.ClientID != "" {
		client = r.ClientID
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO exports (`+exportColumns+`) VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.Kind, formatNoteTime(r.At), r.Scope, client, boolInt(r.Encrypted), r.RecipientKind,
		boolInt(r.IncludePsychotherapy), r.FileName, r.SHA256, r.Size, r.Clients, r.Notes, r.Addenda, r.Withheld)
	if err != nil {
		return fmt.Errorf("store: record export: %w", err)
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// RecordExport inserts r and appends e, in one transaction.
func (s *ExportStore) RecordExport(ctx context.Context, r ExportRow, e audit.Entry) error {
	return s.tx(ctx, func(tx *sql.Tx, chain *audit.Chain) error {
		if err := insertExportTx(ctx, tx, r); err != nil {
			return err
		}
		_, err := AppendAuditTx(ctx, tx, chain, e)
		return err
	})
}

// Exports lists past exports and imports, newest first, and records view.
func (s *ExportStore) Exports(ctx context.Context, view audit.Entry) ([]ExportRow, error) {
	var out []ExportRow
	err := s.tx(ctx, func(tx *sql.Tx, chain *audit.Chain) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+exportColumns+` FROM exports ORDER BY at DESC, id DESC`)
		if err != nil {
			return fmt.Errorf("store: list exports: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var r ExportRow
			var rev int64
			var at string
			var client sql.NullString
			var enc, psy int
			if err := rows.Scan(&r.ID, &rev, &r.Kind, &at, &r.Scope, &client, &enc, &r.RecipientKind, &psy,
				&r.FileName, &r.SHA256, &r.Size, &r.Clients, &r.Notes, &r.Addenda, &r.Withheld); err != nil {
				return fmt.Errorf("store: read export: %w", err)
			}
			if r.At, err = parseNoteTime(at); err != nil {
				return fmt.Errorf("store: read export: %w", err)
			}
			r.ClientID, r.Encrypted, r.IncludePsychotherapy = client.String, enc == 1, psy == 1
			out = append(out, r)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: list exports: %w", err)
		}
		_, err = AppendAuditTx(ctx, tx, chain, view)
		return err
	})
	return out, err
}

// AccessHistory returns, oldest first, the audit entries about any of the
// given records: whose record id is one of ids, or whose detail names one of
// clientIDs (client=<id>). It scans the trail once.
func (s *ExportStore) AccessHistory(ctx context.Context, ids map[string]bool, clientIDs map[string]bool) ([]audit.Entry, error) {
	rows, err := s.db.sql.QueryContext(ctx, `SELECT `+auditColumns+` FROM audit_log ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("store: read access history: %w", err)
	}
	all, err := scanAudit(rows, nil)
	if err != nil {
		return nil, fmt.Errorf("store: read access history: %w", err)
	}
	var out []audit.Entry
	for _, e := range all {
		if ids[e.RecordID] || mentionsClient(e.Detail, clientIDs) {
			e.PrevMAC, e.MAC = nil, nil
			out = append(out, e)
		}
	}
	return out, nil
}

func mentionsClient(detail string, clientIDs map[string]bool) bool {
	if detail == "" {
		return false
	}
	for _, kv := range strings.Fields(detail) {
		if v, ok := strings.CutPrefix(kv, "client="); ok && clientIDs[v] {
			return true
		}
	}
	return false
}

// ImportBatch is everything one import writes, sealed by the domain.
type ImportBatch struct {
	Clients   []clients.Row
	Templates []notes.Template // user templates the notes name, inserted if missing
	Notes     []ImportNote
	Export    ExportRow     // the kind=import row
	Audit     []audit.Entry // appended in order
}

// ImportNote is one note with its addenda.
type ImportNote struct {
	Note    notes.Record
	Addenda []notes.AddendumRecord
}

// ErrImportConflict refuses an import whose client or note ids already exist.
var ErrImportConflict = apperr.New(apperr.Conflict, "this vault already holds a record from the bundle (same client or note id); nothing was imported")

// ImportRecords writes b in one transaction: templates, clients, notes (as
// they were: drafts as drafts, signed notes with their signature fields),
// addenda, each client's last interaction, the exports row and the audit
// entries. Any failure rolls everything back.
func (s *ExportStore) ImportRecords(ctx context.Context, b ImportBatch) error {
	return s.tx(ctx, func(tx *sql.Tx, chain *audit.Chain) error {
		for _, t := range b.Templates {
			sections, err := json.Marshal(t.Sections)
			if err != nil {
				return fmt.Errorf("store: import template: %w", err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO note_templates (id, version, name, sections, created_at)
				VALUES (?, ?, ?, ?, ?) ON CONFLICT (id, version) DO NOTHING`,
				t.ID, t.Version, t.Name, string(sections), formatNoteTime(t.CreatedAt)); err != nil {
				return fmt.Errorf("store: import template: %w", err)
			}
		}
		for _, r := range b.Clients {
			if err := absent(ctx, tx, "clients", r.ID); err != nil {
				return err
			}
			args, err := clientArgs(r)
			if err != nil {
				return err
			}
			q := `INSERT INTO clients (` + clientColumns + `) VALUES (?` + strings.Repeat(", ?", len(args)-1) + `)`
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return fmt.Errorf("store: import client: %w", err)
			}
		}
		for _, n := range b.Notes {
			r := n.Note
			if err := absent(ctx, tx, "notes", r.ID); err != nil {
				return err
			}
			var signedAt, signedBy, hash any
			if r.Status == notes.StatusSigned {
				signedAt, signedBy, hash = formatNoteTime(r.SignedAt), r.SignedBy, r.SignedHash
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO notes (`+noteColumns+`)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				r.ID, r.Rev, r.ClientID, string(r.Kind), r.TemplateID, r.TemplateVersion, r.SessionDate.String(),
				nullString(r.BookingID), string(r.Status), formatNoteTime(r.CreatedAt), formatNoteTime(r.UpdatedAt),
				signedAt, signedBy, hash, r.Title, r.Sections); err != nil {
				return fmt.Errorf("store: import note: %w", err)
			}
			for _, a := range n.Addenda {
				if _, err := tx.ExecContext(ctx, `INSERT INTO note_addenda (`+addendumColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
					a.ID, a.NoteID, a.Rev, a.Body, formatNoteTime(a.CreatedAt), formatNoteTime(a.SignedAt),
					a.SignedBy, a.SignedHash); err != nil {
					return fmt.Errorf("store: import addendum: %w", err)
				}
			}
			if err := touchClient(ctx, tx, r.ClientID, r.SessionDate); err != nil {
				return err
			}
		}
		if err := insertExportTx(ctx, tx, b.Export); err != nil {
			return err
		}
		for _, e := range b.Audit {
			if _, err := AppendAuditTx(ctx, tx, chain, e); err != nil {
				return err
			}
		}
		return nil
	})
}

// absent refuses an id that table already holds (table is a constant).
func absent(ctx context.Context, tx *sql.Tx, table, id string) error {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM `+table+` WHERE id = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("store: import: %w", err)
	}
	return ErrImportConflict
}

// ExistingIDs reports which of ids table (clients or notes) already holds.
func (s *ExportStore) ExistingIDs(ctx context.Context, table string, ids []string) (map[string]bool, error) {
	if table != "clients" && table != "notes" {
		return nil, errors.New("store: existing ids: unknown table")
	}
	out := map[string]bool{}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, id := range ids {
			var one int
			err := tx.QueryRowContext(ctx, `SELECT 1 FROM `+table+` WHERE id = ?`, id).Scan(&one)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return err
			}
			out[id] = true
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: existing ids: %w", err)
	}
	return out, nil
}
