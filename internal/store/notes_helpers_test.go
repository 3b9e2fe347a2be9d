package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/notes"
	"github.com/calmally/practice/internal/vault"
)

// Shared test vault: Argon2id at its minimum still costs a fraction of a
// second, so the notes tests make one and reuse its keys across databases.
var (
	testVaultOnce   sync.Once
	testVaultHeader *vault.Header
	testVaultKeys   *vault.Keys
)

const testPassphrase = "correct horse battery staple for notes"

func testVault(t testing.TB) (*vault.Header, *vault.Keys) {
	t.Helper()
	testVaultOnce.Do(func() {
		h, k, _, err := vault.Create([]byte(testPassphrase), nil, vault.MinimumKDF())
		if err != nil {
			panic(err)
		}
		testVaultHeader, testVaultKeys = h, k
	})
	return testVaultHeader, testVaultKeys
}

// clock is an injectable, movable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type noteEnv struct {
	ctx    context.Context
	db     *DB
	keys   *vault.Keys
	chain  *audit.Chain
	store  *NoteStore
	svc    *notes.Service
	clock  *clock
	client string
}

// newNoteEnv opens a fresh database with a started audit trail, one client
// row and a notes service at 2024-02-28 20:00 UTC (01:30 on 29 February in
// Kolkata: a leap day).
func newNoteEnv(t testing.TB) *noteEnv {
	t.Helper()
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	_, keys := testVault(t)
	return setupNoteEnv(t, ctx, db, keys)
}

func setupNoteEnv(t testing.TB, ctx context.Context, db *DB, keys *vault.Keys) *noteEnv {
	t.Helper()
	chain := audit.NewChain(keys.Subkey("audit-mac"))
	c := &clock{t: time.Date(2024, 2, 28, 20, 0, 0, 0, time.UTC)}
	if _, err := db.AppendAudit(ctx, chain, audit.Entry{At: c.Now(), Actor: "test", Action: audit.ActionVaultCreated}); err != nil {
		t.Fatal(err)
	}
	e := &noteEnv{ctx: ctx, db: db, keys: keys, chain: chain, clock: c}
	e.store = NewNoteStore(db, func() (*audit.Chain, error) { return chain, nil })
	e.svc = notes.NewService(notes.Config{
		Store: e.store,
		Keys:  func() (notes.Sealer, error) { return keys, nil },
		Now:   c.Now,
		Actor: "practitioner-1",
	})
	e.client = e.addClient(t)
	return e
}

// addClient inserts a bare client row (the clients service is not under test
// here). It reads the clients table's columns so that it fills every NOT NULL
// one: placeholder bytes for sealed columns, plain values for the rest.
func (e *noteEnv) addClient(t testing.TB) string {
	t.Helper()
	id := newTestID(e.clock.Now())
	now := e.clock.Now().UTC().Format("2006-01-02T15:04:05Z")
	rows, err := e.db.sql.QueryContext(e.ctx, `SELECT name, type, "notnull", dflt_value IS NOT NULL FROM pragma_table_info('clients')`)
	if err != nil {
		t.Fatal(err)
	}
	var cols []string
	var args []any
	for rows.Next() {
		var name, typ string
		var notNull, hasDefault bool
		if err := rows.Scan(&name, &typ, &notNull, &hasDefault); err != nil {
			t.Fatal(err)
		}
		var v any
		switch {
		case name == "id":
			v = id
		case name == "rev":
			v = 1
		case name == "status":
			v = "active"
		case strings.HasSuffix(name, "_at") && notNull:
			v = now
		case !notNull || hasDefault:
			continue
		case typ == "BLOB":
			v = []byte{0}
		case typ == "INTEGER":
			v = 0
		default:
			v = ""
		}
		cols, args = append(cols, name), append(args, v)
	}
	rows.Close()
	q := `INSERT INTO clients (` + strings.Join(cols, ", ") + `) VALUES (?` + strings.Repeat(", ?", len(cols)-1) + `)`
	if _, err := e.db.sql.ExecContext(e.ctx, q, args...); err != nil {
		t.Fatal(err)
	}
	return id
}

var idSeq struct {
	sync.Mutex
	n int
}

// newTestID makes distinct canonical UUIDs for test rows.
func newTestID(now time.Time) string {
	idSeq.Lock()
	idSeq.n++
	n := idSeq.n
	idSeq.Unlock()
	return fmtUUID(uint64(now.UnixMilli()), uint64(n))
}

func fmtUUID(hi, lo uint64) string {
	const hex = "0123456789abcdef"
	var b [32]byte
	for i := 0; i < 16; i++ {
		b[15-i] = hex[hi&0xf]
		hi >>= 4
		b[31-i] = hex[lo&0xf]
		lo >>= 4
	}
	s := string(b[:])
	return s[0:8] + "-" + s[8:12] + "-7" + s[13:16] + "-8" + s[17:20] + "-" + s[20:32]
}

func (e *noteEnv) soap(t testing.TB, title string, sections map[string]string) notes.Note {
	t.Helper()
	n, err := e.svc.Create(e.ctx, notes.NewNote{ClientID: e.client, TemplateID: notes.TemplateSOAP, Title: title, Sections: sections})
	if err != nil {
		t.Fatalf("create note: %v", err)
	}
	return n
}

func (e *noteEnv) signed(t testing.TB) notes.Note {
	t.Helper()
	n := e.soap(t, "Session 4", map[string]string{"subjective": "Slept better this week.", "plan": "Continue CBT.\nHomework: thought record"})
	s, err := e.svc.Sign(e.ctx, n.ID, n.Rev)
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	return s
}

// auditCount counts entries with action and a detail containing sub.
func (e *noteEnv) auditCount(t testing.TB, action audit.Action, recordID, sub string) int {
	t.Helper()
	var n int
	err := e.db.sql.QueryRowContext(e.ctx, `SELECT COUNT(*) FROM audit_log WHERE action = ? AND record_id = ? AND instr(detail, ?) > 0`,
		string(action), recordID, sub).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func wantCode(t testing.TB, err error, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", code)
	}
	if got := apperr.CodeOf(err); got != code {
		t.Fatalf("got %s (%v), want %s", got, err, code)
	}
}

func execSQL(t testing.TB, db *DB, q string, args ...any) (sql.Result, error) {
	t.Helper()
	return db.sql.ExecContext(context.Background(), q, args...)
}
