package practice

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/google/uuid"

	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/clients"
	"github.com/calmally/practice/internal/export"
	"github.com/calmally/practice/internal/notes"
	"github.com/calmally/practice/internal/store"
	"github.com/calmally/practice/internal/vault"
)

// seedBulk writes nClients clients with perClient signed SOAP notes each
// (about 1.2 KB of text a note, a Devanagari name every other client) in one
// transaction through the import path, and returns the client ids.
func seedBulk(tb testing.TB, p *Practice, nClients, perClient int) []string {
	tb.Helper()
	ctx := context.Background()
	keys, err := p.Keys()
	if err != nil {
		tb.Fatal(err)
	}
	now := p.Now()
	soap, _ := notes.BuiltinTemplate(notes.TemplateSOAP, 1)
	text := strings.Repeat("The client reports better sleep and fewer intrusive thoughts this week. ", 4)
	var batch store.ImportBatch
	var ids []string
	for c := 0; c < nClients; c++ {
		id := uuid.Must(uuid.NewV7()).String()
		name := fmt.Sprintf("Client %d Kumar", c)
		if c%2 == 1 {
			name = "प्रिया शर्मा"
		}
		_, row, err := clients.SealImported(keys, clients.ImportInput{ID: id, Input: clients.Input{Name: name, DateOfBirth: "1990-05-01"}}, now)
		if err != nil {
			tb.Fatal(err)
		}
		batch.Clients = append(batch.Clients, row)
		ids = append(ids, id)
		for i := 0; i < perClient; i++ {
			at := now.Add(-time.Duration(perClient-i) * 24 * time.Hour)
			n := notes.Note{ID: uuid.Must(uuid.NewV7()).String(), Rev: 1, ClientID: id, Kind: notes.KindProgress,
				TemplateID: soap.ID, TemplateVersion: soap.Version, Title: fmt.Sprintf("Session %d", i+1),
				Sections:    map[string]string{"subjective": text, "objective": text, "assessment": text, "plan": text},
				SessionDate: notes.DateOf(at), Status: notes.StatusSigned, CreatedAt: at, UpdatedAt: at, SignedAt: at, SignedBy: "bench"}
			n.SignedHash = notes.SignedHash(n, soap.Keys(), n.SignedBy, n.SignedAt)
			r, adds, err := notes.SealImported(keys, n)
			if err != nil {
				tb.Fatal(err)
			}
			batch.Notes = append(batch.Notes, store.ImportNote{Note: r, Addenda: adds})
		}
		e, _ := audit.Event{Action: audit.ActionImport, RecordType: "client", RecordID: id}.Entry(now, "bench")
		batch.Audit = append(batch.Audit, e)
	}
	fn, _ := keys.Seal(exportAD("0190a2b4-0000-7000-8000-00000000beef"), []byte("seed"))
	batch.Export = store.ExportRow{ID: "0190a2b4-0000-7000-8000-00000000beef", Kind: "import", At: now, Scope: "practice",
		RecipientKind: "none", FileName: fn, SHA256: "seed", Clients: nClients, Notes: nClients * perClient}
	if err := p.exportStore().ImportRecords(ctx, batch); err != nil {
		tb.Fatal(err)
	}
	return ids
}

func benchPractice(b *testing.B) *Practice {
	b.Helper()
	p, err := Open(context.Background(), Options{DataDir: filepath.Join(b.TempDir(), "profile"), Keychain: newMemKeychain(),
		Now: func() time.Time { return time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC) }, KDF: vault.MinimumKDF, Sleep: func(time.Duration) {}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { p.Close() })
	if _, err := p.Create(context.Background(), []byte(goodPass), false); err != nil {
		b.Fatal(err)
	}
	return p
}

// BenchmarkExportClient500Notes is DESIGN.md section 8's "export a client
// with 500 notes (FHIR + PDF + ICS, encrypted) ≤ 2 s": for an age
// recipient (X25519) and for a passphrase (scrypt at age's default cost,
// which alone takes most of a second by design).
func BenchmarkExportClient500Notes(b *testing.B) {
	p := benchPractice(b)
	ids := seedBulk(b, p, 1, 500)
	id, err := ageIdentity()
	if err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		enc  export.Encryption
	}{
		{"recipient", export.Encryption{Recipient: id}},
		{"passphrase", export.Encryption{Passphrase: []byte("a long export passphrase")}},
		{"plain", export.Encryption{}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			dir := b.TempDir()
			var size int64
			for i := 0; b.Loop(); i++ {
				res, err := p.Export(context.Background(), ExportOptions{ClientID: ids[0], Path: filepath.Join(dir, fmt.Sprintf("x%d.zip", i)),
					Encryption: tc.enc})
				if err != nil {
					b.Fatal(err)
				}
				size = res.Size
				os.Remove(res.Path)
			}
			b.ReportMetric(float64(size)/1e6, "MB")
		})
	}
}

// BenchmarkExportPractice10kNotes exports a practice of 100 clients with 100
// notes each, encrypted for a recipient.
func BenchmarkExportPractice10kNotes(b *testing.B) {
	p := benchPractice(b)
	seedBulk(b, p, 100, 100)
	id, err := ageIdentity()
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	var size int64
	for i := 0; b.Loop(); i++ {
		res, err := p.Export(context.Background(), ExportOptions{All: true, Path: filepath.Join(dir, fmt.Sprintf("x%d.zip", i)),
			Encryption: export.Encryption{Recipient: id}})
		if err != nil {
			b.Fatal(err)
		}
		size = res.Size
		os.Remove(res.Path)
	}
	b.ReportMetric(float64(size)/1e6, "MB")
}

func ageIdentity() (string, error) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return "", err
	}
	return id.Recipient().String(), nil
}
