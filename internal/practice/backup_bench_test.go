package practice

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/calmally/practice/internal/clients"
	"github.com/calmally/practice/internal/notes"
	"github.com/calmally/practice/internal/vault"
)

// BenchmarkBackupRestore50k: backup, verify and restore time and size for a
// practice with 50,000 notes (CALMALLY_BENCH_NOTES overrides the count).
// Run with
//
//	go test ./internal/practice -run '^$' -bench BackupRestore50k -benchtime 1x
//
// The notes are written straight into the notes table in one transaction
// (sealed exactly as the service seals them: title and sections JSON, AD
// bound to id and rev), about 600 bytes of text each, over 50 clients.
// Backup = VACUUM INTO + seal + fsync + rename, no read-back; verify = decrypt
// + integrity_check + 200 envelopes per column; restore = decrypt +
// integrity_check + every envelope opened + re-enrolment (Argon2id at the
// minimum cost).
func BenchmarkBackupRestore50k(b *testing.B) {
	n := 50_000
	if s := os.Getenv("CALMALLY_BENCH_NOTES"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	ctx := context.Background()
	f := &fixture{dir: filepath.Join(b.TempDir(), "profile"), kc: newMemKeychain(), clock: &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}}
	p, err := Open(ctx, Options{DataDir: f.dir, Keychain: f.kc, Now: f.clock.Now, KDF: vault.MinimumKDF, Sleep: func(time.Duration) {}})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	res, err := p.Create(ctx, []byte(goodPass), false)
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	seedBulkNotes(b, p, n)
	if err := p.DB().Checkpoint(ctx); err != nil {
		b.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(f.dir, "calmally.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d notes in %s; database %.1f MB", n, time.Since(start).Round(time.Millisecond), float64(fi.Size())/1e6)
	out := b.TempDir()
	var last string
	b.Run("backup", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			last = filepath.Join(out, fmt.Sprintf("b%d-%d.cbk", b.N, i))
			r, err := p.BackupTo(ctx, last, false)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(r.Size)/1e6, "MB")
			b.ReportMetric(float64(fi.Size())/1e6, "db-MB")
		}
		b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/backup")
	})
	b.Run("verify", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := p.VerifyBackup(ctx, last); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/verify")
	})
	b.Run("restore", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			opts := Options{DataDir: filepath.Join(b.TempDir(), "restored"), Keychain: newMemKeychain(), Now: f.clock.Now,
				KDF: vault.MinimumKDF, Sleep: func(time.Duration) {}}
			q, _, err := Restore(ctx, opts, last, res.RecoveryCode, []byte(otherPass), false)
			if err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			q.Close()
			b.StartTimer()
		}
		b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/restore")
	})
}

// seedBulkNotes writes n sealed notes over 50 clients in one transaction.
func seedBulkNotes(b *testing.B, p *Practice, n int) {
	b.Helper()
	ctx := context.Background()
	var ids []string
	for i := 0; i < 50; i++ {
		c, err := p.Clients().Create(ctx, clients.Input{Name: fmt.Sprintf("Bench Client %d", i), DateOfBirth: "1990-01-01"}, clients.SourceClinic)
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	keys, err := p.Keys()
	if err != nil {
		b.Fatal(err)
	}
	line := "Client reports improved sleep; practised grounding twice daily. "
	sections := map[string]string{
		"subjective": strings.Repeat(line, 3), "objective": strings.Repeat(line, 2),
		"assessment": strings.Repeat(line, 2), "plan": strings.Repeat(line, 2),
	}
	js, _ := json.Marshal(sections)
	now := p.Now().Format(notes.TimeLayout)
	err = p.DB().Tx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO notes (id, rev, client_id, kind, template_id, template_version,
			session_date, status, created_at, updated_at, title, sections) VALUES (?, 1, ?, 'progress', 'soap', 1, ?, 'draft', ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i := 0; i < n; i++ {
			id := uuid.Must(uuid.NewV7()).String()
			t, err := keys.Seal(vault.AD{Table: notes.TableNotes, Column: notes.ColTitle, RowID: id, Revision: 1}, []byte(fmt.Sprintf("Session %d", i)))
			if err != nil {
				return err
			}
			s, err := keys.Seal(vault.AD{Table: notes.TableNotes, Column: notes.ColSections, RowID: id, Revision: 1}, js)
			if err != nil {
				return err
			}
			day := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%2000).Format("2006-01-02")
			if _, err := stmt.ExecContext(ctx, id, ids[i%len(ids)], day, now, now, t, s); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}
