package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/calmally/practice/internal/audit"
)

var auditKey = []byte("test audit subkey, 32 bytes long")

func openAuditDB(t testing.TB) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

var auditBase = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

// entryN is the nth test entry (1-based); the first is vault_created, as in
// every real trail.
func entryN(i int) audit.Entry {
	actions := []audit.Action{audit.ActionView, audit.ActionEdit, audit.ActionSign, audit.ActionExport}
	e := audit.Entry{
		At:         auditBase.Add(time.Duration(i) * time.Hour),
		Actor:      "practitioner-1",
		Action:     actions[i%len(actions)],
		RecordType: "client",
		RecordID:   fmt.Sprintf("client-%d", i%3),
		Detail:     fmt.Sprintf("n=%d", i),
	}
	if i == 1 {
		e.Action, e.RecordType, e.RecordID, e.Detail = audit.ActionVaultCreated, "", "", ""
	}
	return e
}

// seedAudit appends n entries in one transaction (fast) and returns the chain.
func seedAudit(t testing.TB, db *DB, n int) *audit.Chain {
	t.Helper()
	c := audit.NewChain(auditKey)
	err := db.Tx(context.Background(), func(tx *sql.Tx) error {
		for i := 1; i <= n; i++ {
			if _, err := AppendAuditTx(context.Background(), tx, c, entryN(i)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// tamper runs SQL as an attacker with the file would: triggers dropped first.
func tamper(t *testing.T, db *DB, stmts ...string) {
	t.Helper()
	all := append([]string{`DROP TRIGGER IF EXISTS audit_log_no_update`, `DROP TRIGGER IF EXISTS audit_log_no_delete`}, stmts...)
	for _, s := range all {
		if _, err := db.sql.Exec(s); err != nil {
			t.Fatalf("tamper %q: %v", s, err)
		}
	}
}

// swapRows swaps the named columns of rows a and b, keeping their seqs.
func swapRows(a, b int, cols ...string) []string {
	var set []string
	for _, c := range cols {
		set = append(set, fmt.Sprintf("%s = (SELECT %s FROM audit_log_copy WHERE seq = CASE audit_log.seq WHEN %d THEN %d ELSE %d END)", c, c, a, b, a))
	}
	return []string{
		`CREATE TEMP TABLE audit_log_copy AS SELECT * FROM audit_log`,
		fmt.Sprintf(`UPDATE audit_log SET %s WHERE seq IN (%d, %d)`, strings.Join(set, ", "), a, b),
	}
}

var dataColumns = []string{"at", "actor", "action", "record_type", "record_id", "detail"}

func wantProblem(t *testing.T, err, kind error, seq int64) {
	t.Helper()
	var p *audit.Problem
	if !errors.As(err, &p) || !errors.Is(err, kind) {
		t.Fatalf("got %v, want a *audit.Problem wrapping %v", err, kind)
	}
	if p.Seq != seq {
		t.Errorf("Problem.Seq = %d, want %d (%v)", p.Seq, seq, err)
	}
}

func TestAuditCleanTrailVerifies(t *testing.T) {
	db := openAuditDB(t)
	ctx := context.Background()
	c := audit.NewChain(auditKey)
	for i := 1; i <= 5; i++ {
		e, err := db.AppendAudit(ctx, c, entryN(i))
		if err != nil {
			t.Fatal(err)
		}
		if e.Seq != int64(i) || len(e.MAC) != 32 {
			t.Fatalf("entry %d: Seq = %d, MAC %d bytes", i, e.Seq, len(e.MAC))
		}
	}
	n, err := db.VerifyAudit(ctx, c)
	if err != nil || n != 5 {
		t.Fatalf("VerifyAudit = %d, %v; want 5, nil", n, err)
	}
	if got, err := db.CountAudit(ctx); err != nil || got != 5 {
		t.Errorf("CountAudit = %d, %v", got, err)
	}
	h, err := db.AuditHead(ctx)
	if err != nil || h.Seq != 5 {
		t.Errorf("AuditHead = %+v, %v", h, err)
	}
}

func TestAuditTamperingIsDetected(t *testing.T) {
	const n = 10
	row := func(seq int) string { return fmt.Sprintf("seq = %d", seq) }
	tests := []struct {
		name    string
		sql     []string
		key     []byte
		want    error
		wantSeq int64
	}{
		{"edited at", []string{`UPDATE audit_log SET at = '2025-03-01T14:00:00.000000001Z' WHERE ` + row(5)}, nil, audit.ErrEdited, 5},
		{"edited at to garbage", []string{`UPDATE audit_log SET at = 'yesterday' WHERE ` + row(5)}, nil, audit.ErrEdited, 5},
		{"edited actor", []string{`UPDATE audit_log SET actor = 'practitioner-2' WHERE ` + row(5)}, nil, audit.ErrEdited, 5},
		{"edited action", []string{`UPDATE audit_log SET action = 'view' WHERE ` + row(6)}, nil, audit.ErrEdited, 6},
		{"edited record type", []string{`UPDATE audit_log SET record_type = 'note' WHERE ` + row(5)}, nil, audit.ErrEdited, 5},
		{"edited record id", []string{`UPDATE audit_log SET record_id = 'client-9' WHERE ` + row(5)}, nil, audit.ErrEdited, 5},
		{"edited detail", []string{`UPDATE audit_log SET detail = '' WHERE ` + row(5)}, nil, audit.ErrEdited, 5},
		{"edited prev_mac", []string{`UPDATE audit_log SET prev_mac = (SELECT mac FROM audit_log WHERE seq = 2) WHERE ` + row(5)}, nil, audit.ErrEdited, 5},
		{"edited mac", []string{`UPDATE audit_log SET mac = zeroblob(32) WHERE ` + row(5)}, nil, audit.ErrEdited, 5},
		{"edited seq (renumbered row reads as missing)", []string{`UPDATE audit_log SET seq = 99 WHERE ` + row(5)}, nil, audit.ErrDeleted, 5},
		{"edited first row", []string{`UPDATE audit_log SET actor = 'x' WHERE ` + row(1)}, nil, audit.ErrEdited, 1},
		{"deleted middle row", []string{`DELETE FROM audit_log WHERE ` + row(5)}, nil, audit.ErrDeleted, 5},
		{"deleted first row", []string{`DELETE FROM audit_log WHERE ` + row(1)}, nil, audit.ErrDeleted, 1},
		{"swapped two rows' contents", swapRows(4, 6, append(dataColumns, "prev_mac", "mac")...), nil, audit.ErrReordered, 4},
		{"swapped two rows' data, MACs left", swapRows(4, 5, dataColumns...), nil, audit.ErrReordered, 4},
		{"truncated tail", []string{`DELETE FROM audit_log WHERE seq > 8`}, nil, audit.ErrTruncated, 9},
		{"truncated tail, head rewritten without the key", []string{
			`DELETE FROM audit_log WHERE seq > 8`,
			`UPDATE audit_head SET seq = 8, mac = (SELECT mac FROM audit_log WHERE seq = 8)`,
		}, nil, audit.ErrTruncated, 9},
		{"everything deleted, head kept", []string{`DELETE FROM audit_log`}, nil, audit.ErrTruncated, 1},
		{"head removed", []string{`DELETE FROM audit_head`}, nil, audit.ErrHeadMissing, 0},
		{"everything and head removed", []string{`DELETE FROM audit_log`, `DELETE FROM audit_head`}, nil, audit.ErrHeadMissing, 0},
		{"head MAC altered", []string{`UPDATE audit_head SET head_mac = zeroblob(32)`}, nil, audit.ErrTruncated, n + 1},
		{"wrong key", nil, []byte("some other vault's audit subkey!"), audit.ErrWrongKey, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openAuditDB(t)
			c := seedAudit(t, db, n)
			tamper(t, db, tt.sql...)
			if tt.key != nil {
				c = audit.NewChain(tt.key)
			}
			_, err := db.VerifyAudit(context.Background(), c)
			wantProblem(t, err, tt.want, tt.wantSeq)
		})
	}
}

func TestAuditVerifyAcrossPages(t *testing.T) {
	old := verifyPageSize
	verifyPageSize = 7
	t.Cleanup(func() { verifyPageSize = old })
	ctx := context.Background()
	for _, tt := range []struct {
		name    string
		sql     []string
		want    error
		wantSeq int64
	}{
		{"clean", nil, nil, 0},
		{"edit on a later page", []string{`UPDATE audit_log SET detail = 'n=0' WHERE seq = 30`}, audit.ErrEdited, 30},
		{"swap across a page boundary", swapRows(7, 8, dataColumns...), audit.ErrReordered, 7},
		{"two fields swapped is two edits", swapRows(7, 8, "detail"), audit.ErrEdited, 7},
		{"deleted at a page boundary", []string{`DELETE FROM audit_log WHERE seq = 15`}, audit.ErrDeleted, 15},
		{"truncated to a page boundary", []string{`DELETE FROM audit_log WHERE seq > 35`}, audit.ErrTruncated, 36},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db := openAuditDB(t)
			c := seedAudit(t, db, 40)
			tamper(t, db, tt.sql...)
			n, err := db.VerifyAudit(ctx, c)
			if tt.want == nil {
				if err != nil || n != 40 {
					t.Fatalf("VerifyAudit = %d, %v; want 40, nil", n, err)
				}
				return
			}
			wantProblem(t, err, tt.want, tt.wantSeq)
		})
	}
}

func TestAuditAppendRefusesABrokenHead(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		sql  []string
		want error
	}{
		// Chaining onto a forged head would launder the truncation.
		{"truncated, head rewritten", []string{`DELETE FROM audit_log WHERE seq > 3`,
			`UPDATE audit_head SET seq = 3, mac = (SELECT mac FROM audit_log WHERE seq = 3)`}, audit.ErrTruncated},
		{"truncated, head kept", []string{`DELETE FROM audit_log WHERE seq > 3`}, audit.ErrTruncated},
		{"head removed", []string{`DELETE FROM audit_head`}, audit.ErrHeadMissing},
		// A wiped trail may not silently start over.
		{"everything wiped", []string{`DELETE FROM audit_log`, `DELETE FROM audit_head`}, audit.ErrHeadMissing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openAuditDB(t)
			c := seedAudit(t, db, 5)
			tamper(t, db, tt.sql...)
			if _, err := db.AppendAudit(ctx, c, entryN(6)); !errors.Is(err, tt.want) {
				t.Fatalf("AppendAudit = %v, want %v", err, tt.want)
			}
		})
	}
	t.Run("wrong key", func(t *testing.T) {
		db := openAuditDB(t)
		seedAudit(t, db, 2)
		if _, err := db.AppendAudit(ctx, audit.NewChain([]byte("wrong")), entryN(3)); err == nil {
			t.Fatal("appended with another key")
		}
	})
	t.Run("fresh trail must start with vault_created", func(t *testing.T) {
		db := openAuditDB(t)
		if _, err := db.AppendAudit(ctx, audit.NewChain(auditKey), entryN(2)); !errors.Is(err, audit.ErrHeadMissing) {
			t.Fatalf("AppendAudit(view) on an empty trail = %v, want ErrHeadMissing", err)
		}
		if _, err := db.AppendAudit(ctx, audit.NewChain(auditKey), entryN(1)); err != nil {
			t.Fatal(err)
		}
	})
}

func TestAuditLogIsAppendOnlyInSchema(t *testing.T) {
	db := openAuditDB(t)
	seedAudit(t, db, 3)
	for _, s := range []string{`UPDATE audit_log SET detail = '' WHERE seq = 2`, `DELETE FROM audit_log WHERE seq = 3`} {
		if _, err := db.sql.Exec(s); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: err = %v, want the append-only trigger", s, err)
		}
	}
}

func TestAuditRefusesClientDataInDetail(t *testing.T) {
	db := openAuditDB(t)
	ctx := context.Background()
	c := seedAudit(t, db, 1)
	for _, detail := range []string{"name=Priya Sharma", "email=priya@example.com", "phone=9876543210", "client reports low mood"} {
		e := entryN(2)
		e.Detail = detail
		if _, err := db.AppendAudit(ctx, c, e); !errors.Is(err, audit.ErrInvalid) {
			t.Errorf("AppendAudit(detail %q) = %v, want ErrInvalid", detail, err)
		}
		if err := db.AppendPendingAudit(ctx, e); !errors.Is(err, audit.ErrInvalid) {
			t.Errorf("AppendPendingAudit(detail %q) = %v, want ErrInvalid", detail, err)
		}
	}
	if n, _ := db.CountAudit(ctx); n != 1 {
		t.Errorf("CountAudit = %d after refusals, want 1", n)
	}
	if n, _ := db.CountPendingAudit(ctx); n != 0 {
		t.Errorf("CountPendingAudit = %d after refusals, want 0", n)
	}
}

func TestAuditCommitsWithTheDomainChange(t *testing.T) {
	db := openAuditDB(t)
	ctx := context.Background()
	c := seedAudit(t, db, 1)
	boom := errors.New("domain write failed")
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := AppendAuditTx(ctx, tx, c, entryN(2)); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if n, _ := db.CountAudit(ctx); n != 1 {
		t.Errorf("CountAudit = %d after rollback, want 1", n)
	}
	if _, err := db.VerifyAudit(ctx, c); err != nil {
		t.Errorf("VerifyAudit after rollback = %v", err)
	}
}

func unlockFailed(at time.Time) audit.Entry {
	return audit.Entry{At: at, Actor: "device-1", Action: audit.ActionUnlockFailed, Detail: "reason=wrong_passphrase"}
}

func TestAuditPendingAbsorbedAtUnlock(t *testing.T) {
	db := openAuditDB(t)
	ctx := context.Background()
	c := seedAudit(t, db, 3)
	lockedAt := auditBase.Add(48 * time.Hour)
	for i := 0; i < 3; i++ {
		if err := db.AppendPendingAudit(ctx, unlockFailed(lockedAt.Add(time.Duration(i)*time.Minute))); err != nil {
			t.Fatal(err)
		}
	}
	if n, _ := db.CountPendingAudit(ctx); n != 3 {
		t.Fatalf("pending = %d, want 3", n)
	}
	n, err := db.AbsorbPendingAudit(ctx, c)
	if err != nil || n != 3 {
		t.Fatalf("AbsorbPendingAudit = %d, %v; want 3", n, err)
	}
	if p, _ := db.CountPendingAudit(ctx); p != 0 {
		t.Errorf("pending after absorb = %d, want 0", p)
	}
	got, total, err := db.ListAudit(ctx, audit.Filter{Action: audit.ActionUnlockFailed})
	if err != nil || total != 3 {
		t.Fatalf("ListAudit = %d entries, %v", total, err)
	}
	for i, e := range got { // newest first
		wantSeq := int64(6 - i)
		wantAt := lockedAt.Add(time.Duration(2-i) * time.Minute)
		if e.Seq != wantSeq || !e.At.Equal(wantAt) || e.Detail != "reason=wrong_passphrase pending=1" {
			t.Errorf("entry %d = seq %d at %v detail %q; want seq %d at %v, pending=1", i, e.Seq, e.At, e.Detail, wantSeq, wantAt)
		}
	}
	if v, err := db.VerifyAudit(ctx, c); err != nil || v != 6 {
		t.Errorf("VerifyAudit = %d, %v", v, err)
	}
	// Nothing pending: absorbing again is a no-op, and pending ids restart.
	if n, err := db.AbsorbPendingAudit(ctx, c); err != nil || n != 0 {
		t.Errorf("second absorb = %d, %v", n, err)
	}
	if err := db.AppendPendingAudit(ctx, unlockFailed(lockedAt.Add(time.Hour))); err != nil {
		t.Fatal(err)
	}
	if n, err := db.AbsorbPendingAudit(ctx, c); err != nil || n != 1 {
		t.Errorf("absorb after restart = %d, %v", n, err)
	}
}

func TestAuditPendingDamageIsRecordedNotFatal(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		sql     string
		details []string // of the absorbed entries, oldest first
		actions []audit.Action
	}{
		{"edited pending row", `UPDATE audit_pending SET actor = 'device-2' WHERE id = 2`,
			[]string{"reason=wrong_passphrase pending=1", "reason=wrong_passphrase pending=unverified", "reason=wrong_passphrase pending=unverified"},
			[]audit.Action{audit.ActionUnlockFailed, audit.ActionUnlockFailed, audit.ActionUnlockFailed}},
		{"deleted pending row", `DELETE FROM audit_pending WHERE id = 1`,
			[]string{"reason=wrong_passphrase pending=unverified", "reason=wrong_passphrase pending=unverified"},
			[]audit.Action{audit.ActionUnlockFailed, audit.ActionUnlockFailed}},
		{"planted free text", `UPDATE audit_pending SET detail = 'name=Priya Sharma' WHERE id = 3`,
			[]string{"reason=wrong_passphrase pending=1", "reason=wrong_passphrase pending=1", "reason=pending_entry_invalid pending=unverified"},
			[]audit.Action{audit.ActionUnlockFailed, audit.ActionUnlockFailed, audit.ActionIntegrityError}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openAuditDB(t)
			c := seedAudit(t, db, 1)
			for i := 0; i < 3; i++ {
				if err := db.AppendPendingAudit(ctx, unlockFailed(auditBase.Add(time.Duration(10+i)*time.Hour))); err != nil {
					t.Fatal(err)
				}
			}
			tamper(t, db, tt.sql)
			n, err := db.AbsorbPendingAudit(ctx, c)
			if err != nil || n != len(tt.details) {
				t.Fatalf("AbsorbPendingAudit = %d, %v; want %d", n, err, len(tt.details))
			}
			got, _, err := db.ListAudit(ctx, audit.Filter{From: auditBase.Add(9 * time.Hour)})
			if err != nil || len(got) != len(tt.details) {
				t.Fatalf("ListAudit = %d, %v", len(got), err)
			}
			for i, want := range tt.details {
				e := got[len(got)-1-i]
				if e.Detail != want || e.Action != tt.actions[i] {
					t.Errorf("absorbed %d = %s %q, want %s %q", i, e.Action, e.Detail, tt.actions[i], want)
				}
			}
			if _, err := db.VerifyAudit(ctx, c); err != nil {
				t.Errorf("VerifyAudit = %v", err)
			}
		})
	}
}

func TestAuditPendingRefusesWhatCouldNotBeAbsorbed(t *testing.T) {
	db := openAuditDB(t)
	e := unlockFailed(auditBase)
	e.Detail = "pending=0"
	if err := db.AppendPendingAudit(context.Background(), e); !errors.Is(err, audit.ErrInvalid) {
		t.Errorf("AppendPendingAudit(pending=...) = %v, want ErrInvalid", err)
	}
}

// fixedClock is the injected clock for Trail tests.
type fixedClock struct{ t time.Time }

func (c *fixedClock) Now() time.Time { c.t = c.t.Add(time.Second); return c.t }

func TestTrailRecordsLockedAndUnlocked(t *testing.T) {
	db := openAuditDB(t)
	ctx := context.Background()
	seedAudit(t, db, 1) // vault created
	clock := &fixedClock{t: auditBase.Add(24 * time.Hour)}
	tr, err := audit.NewTrail(db, "device-1", clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Record(ctx, audit.Event{Action: audit.ActionUnlockFailed, Detail: audit.D("reason", "wrong_passphrase")}); err != nil {
		t.Fatal(err)
	}
	if n, _ := db.CountPendingAudit(ctx); n != 1 {
		t.Fatalf("locked Record: pending = %d, want 1", n)
	}
	if n, err := tr.Unlock(ctx, auditKey); err != nil || n != 1 {
		t.Fatalf("Unlock = %d, %v", n, err)
	}
	if err := tr.Record(ctx, audit.Event{Action: audit.ActionUnlock}); err != nil {
		t.Fatal(err)
	}
	if err := tr.Record(ctx, audit.Event{Action: audit.ActionView, RecordType: "client", RecordID: "client-1"}); err != nil {
		t.Fatal(err)
	}
	err = tr.Record(ctx, audit.Event{Action: audit.ActionEdit, RecordType: "client", RecordID: "client-1",
		Detail: audit.D("old_name", "Priya Sharma")})
	if !errors.Is(err, audit.ErrInvalid) {
		t.Errorf("Record with a name in Detail = %v, want ErrInvalid", err)
	}
	tr.Lock()
	if tr.Chain() != nil {
		t.Error("Chain() after Lock is not nil")
	}
	if err := tr.Record(ctx, audit.Event{Action: audit.ActionUnlockFailed, Detail: audit.D("reason", "keychain_unavailable")}); err != nil {
		t.Fatal(err)
	}
	if n, _ := db.CountPendingAudit(ctx); n != 1 {
		t.Errorf("pending after Lock = %d, want 1", n)
	}
	if n, err := db.VerifyAudit(ctx, audit.NewChain(auditKey)); err != nil || n != 4 {
		t.Errorf("VerifyAudit = %d, %v; want 4 (vault_created, absorbed failure, unlock, view)", n, err)
	}
	got, _, _ := db.ListAudit(ctx, audit.Filter{})
	var order []string
	for i := len(got) - 1; i >= 0; i-- {
		order = append(order, string(got[i].Action))
	}
	if want := "vault_created unlock_failed unlock view"; strings.Join(order, " ") != want {
		t.Errorf("trail order = %q, want %q", strings.Join(order, " "), want)
	}
}

func TestListAuditFiltersAndPages(t *testing.T) {
	db := openAuditDB(t)
	ctx := context.Background()
	seedAudit(t, db, 40) // entry i at auditBase + i hours; actions cycle view, edit, sign, export
	day := func(h int) time.Time { return auditBase.Add(time.Duration(h) * time.Hour) }
	tests := []struct {
		name      string
		f         audit.Filter
		wantTotal int
		wantSeqs  []int64 // of the returned page, newest first
	}{
		{"all, default page", audit.Filter{}, 40, nil},
		{"first page", audit.Filter{Limit: 3}, 40, []int64{40, 39, 38}},
		{"second page", audit.Filter{Limit: 3, Offset: 3}, 40, []int64{37, 36, 35}},
		{"past the end", audit.Filter{Offset: 40}, 40, []int64{}},
		{"by action", audit.Filter{Action: audit.ActionSign, Limit: 2}, 10, []int64{38, 34}},
		{"by record", audit.Filter{RecordType: "client", RecordID: "client-2", Limit: 2}, 13, []int64{38, 35}},
		{"by record id alone", audit.Filter{RecordID: "client-0"}, 13, nil},
		{"from inclusive", audit.Filter{From: day(35)}, 6, []int64{40, 39, 38, 37, 36, 35}},
		{"to exclusive", audit.Filter{To: day(3)}, 2, []int64{2, 1}},
		{"range", audit.Filter{From: day(10), To: day(20)}, 10, nil},
		{"range, action and page", audit.Filter{From: day(10), To: day(30), Action: audit.ActionEdit, Limit: 2, Offset: 1}, 5, []int64{25, 21}},
		{"decades wide", audit.Filter{From: day(-24 * 365 * 30), To: day(24 * 365 * 30)}, 40, nil},
		{"nothing matches", audit.Filter{Action: audit.ActionDelete}, 0, []int64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, total, err := db.ListAudit(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if total != tt.wantTotal {
				t.Errorf("total = %d, want %d", total, tt.wantTotal)
			}
			for i := 1; i < len(got); i++ {
				if got[i].At.After(got[i-1].At) {
					t.Fatalf("not newest first at %d", i)
				}
			}
			if tt.wantSeqs != nil {
				var seqs []int64
				for _, e := range got {
					seqs = append(seqs, e.Seq)
				}
				if fmt.Sprint(seqs) != fmt.Sprint(tt.wantSeqs) {
					t.Errorf("page = %v, want %v", seqs, tt.wantSeqs)
				}
			}
			for _, e := range got {
				if tt.f.Action != "" && e.Action != tt.f.Action || tt.f.RecordID != "" && e.RecordID != tt.f.RecordID {
					t.Errorf("entry %d does not match the filter", e.Seq)
				}
			}
		})
	}
	if _, _, err := db.ListAudit(ctx, audit.Filter{Limit: audit.MaxLimit + 1}); !errors.Is(err, audit.ErrInvalid) {
		t.Errorf("over-limit ListAudit = %v, want ErrInvalid", err)
	}
}

func TestListAuditOrdersSubSecondTimes(t *testing.T) {
	// RFC3339Nano drops trailing zeros, so "…:00Z" sorts after "…:00.5Z" as
	// text; the fixed-width column keeps time order.
	db := openAuditDB(t)
	ctx := context.Background()
	c := audit.NewChain(auditKey)
	times := []time.Time{auditBase, auditBase.Add(500 * time.Millisecond), auditBase.Add(time.Second)}
	for i, at := range times {
		e := entryN(i + 1)
		e.At = at
		if _, err := db.AppendAudit(ctx, c, e); err != nil {
			t.Fatal(err)
		}
	}
	got, total, err := db.ListAudit(ctx, audit.Filter{From: auditBase.Add(time.Millisecond)})
	if err != nil || total != 2 || got[0].Seq != 3 || got[1].Seq != 2 {
		t.Fatalf("ListAudit = %+v, %d, %v", got, total, err)
	}
	if !got[1].At.Equal(times[1]) {
		t.Errorf("At round trip = %v, want %v", got[1].At, times[1])
	}
}

func BenchmarkAppendAudit(b *testing.B) {
	db := openAuditDB(b)
	ctx := context.Background()
	c := seedAudit(b, db, 1)
	e := entryN(2)
	for b.Loop() {
		if _, err := db.AppendAudit(ctx, c, e); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify100k(b *testing.B) {
	const n = 100_000
	db := openAuditDB(b)
	ctx := context.Background()
	c := seedAudit(b, db, n)
	for b.Loop() {
		got, err := db.VerifyAudit(ctx, c)
		if err != nil || got != n {
			b.Fatalf("VerifyAudit = %d, %v", got, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/entry")
}

func TestAuditAppendWhileLocked(t *testing.T) {
	db := openAuditDB(t)
	if _, err := db.AppendAudit(context.Background(), nil, entryN(1)); !errors.Is(err, audit.ErrLocked) {
		t.Errorf("AppendAudit(nil chain) = %v, want ErrLocked", err)
	}
	if _, err := db.VerifyAudit(context.Background(), nil); !errors.Is(err, audit.ErrLocked) {
		t.Errorf("VerifyAudit(nil chain) = %v, want ErrLocked", err)
	}
	if _, err := db.AbsorbPendingAudit(context.Background(), nil); !errors.Is(err, audit.ErrLocked) {
		t.Errorf("AbsorbPendingAudit(nil chain) = %v, want ErrLocked", err)
	}
}
