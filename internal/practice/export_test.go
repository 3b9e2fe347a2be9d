package practice

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/clients"
	"github.com/calmally/practice/internal/export"
	"github.com/calmally/practice/internal/export/record"
	"github.com/calmally/practice/internal/notes"
)

func unlockedPractice(t *testing.T) *Practice {
	t.Helper()
	f := newFixture(t)
	p := f.open(t)
	mustCreate(t, p, false)
	return p
}

// seedClient adds a client with a signed note and addendum, a draft and a
// psychotherapy note; it returns the client id.
func seedExportClient(t *testing.T, p *Practice, name string) string {
	t.Helper()
	ctx := context.Background()
	c, err := p.Clients().Create(ctx, clients.Input{Name: name, PreferredName: "Priya", DateOfBirth: "1992-02-29",
		Phone: "98123 45678", Email: "priya@example.in", Language: "Hindi",
		EmergencyContact:   clients.EmergencyContact{Name: "Ravi", Relationship: "brother", Phone: "+91 98123 45679"},
		PresentingConcerns: "Sleep"}, clients.SourceClinic)
	if err != nil {
		t.Fatal(err)
	}
	grantHealthData(t, p, c.ID)
	svc := p.Notes()
	n, err := svc.Create(ctx, notes.NewNote{ClientID: c.ID, TemplateID: notes.TemplateSOAP, Title: "Session 1",
		Sections:    map[string]string{"subjective": "Sleeping better. नींद बेहतर है।", "plan": "Weekly."},
		SessionDate: notes.Date{Year: 2026, Month: time.February, Day: 28}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Sign(ctx, n.ID, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AddAddendum(ctx, n.ID, "Correction: the session was online."); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Create(ctx, notes.NewNote{ClientID: c.ID, TemplateID: notes.TemplateDAP, Title: "Draft",
		Sections: map[string]string{"data": "Unfinished."}}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Create(ctx, notes.NewNote{ClientID: c.ID, TemplateID: notes.TemplateFree, Kind: notes.KindPsychotherapy,
		Sections: map[string]string{"body": "A private reflection."}}); err != nil {
		t.Fatal(err)
	}
	return c.ID
}

// clinical strips what must differ between two exports of the same record
// (bundle ids, export times, the access history and the receipts of the
// exporting vault) and keeps the clinical content.
func clinical(r record.Record) record.Record {
	return record.Record{Scope: r.Scope, ClientID: r.ClientID, Clients: r.Clients, Notes: r.Notes, IncludePsychotherapy: r.IncludePsychotherapy}
}

func TestExportImportExportKeepsClinicalContent(t *testing.T) {
	ctx := context.Background()
	a := unlockedPractice(t)
	id := seedExportClient(t, a, "प्रिया शर्मा")
	dir := t.TempDir()

	// Without psychotherapy notes: they are withheld, and say so.
	res, err := a.Export(ctx, ExportOptions{ClientID: id, Path: filepath.Join(dir, "plain.zip")})
	if err != nil {
		t.Fatal(err)
	}
	if res.Counts.Notes != 2 || res.Counts.Addenda != 1 || res.Counts.Consents != 1 {
		t.Fatalf("counts %+v", res.Counts)
	}
	if res.Withheld[0].What != "psychotherapy notes" || res.Withheld[0].Count != 1 || !res.Withheld[0].Review {
		t.Fatalf("withheld %+v", res.Withheld)
	}

	// Encrypted, with psychotherapy notes, into another vault.
	pass := []byte("a long export passphrase")
	first := filepath.Join(dir, "first.zip.age")
	if _, err := a.Export(ctx, ExportOptions{ClientID: id, Path: first, IncludePsychotherapy: true,
		Encryption: export.Encryption{Passphrase: pass}}); err != nil {
		t.Fatal(err)
	}
	b := unlockedPractice(t)
	preview, err := b.ImportPreview(ctx, first, export.Decryption{Passphrase: pass})
	if err != nil {
		t.Fatal(err)
	}
	if preview.Imported || preview.Notes != 3 || preview.Signed != 1 || len(preview.Clients) != 1 || preview.Clients[0].Status != ImportNew {
		t.Fatalf("preview %+v", preview)
	}
	if _, err := b.Clients().Get(ctx, id); apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("the preview changed the vault: %v", err)
	}
	rep, err := b.Import(ctx, first, export.Decryption{Passphrase: pass})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Imported || rep.Notes != 3 || rep.Addenda != 1 {
		t.Fatalf("report %+v", rep)
	}
	c, err := b.Clients().Get(ctx, id)
	if err != nil || c.Source != clients.SourceImport || c.Name != "प्रिया शर्मा" {
		t.Fatalf("imported client %+v %v", c, err)
	}
	// Signed notes stay signed and verify in the new vault.
	items, err := b.Notes().ListForClient(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	signed := 0
	for _, it := range items {
		n, err := b.Notes().Get(ctx, it.ID)
		if err != nil {
			t.Fatal(err)
		}
		if n.Signed() {
			signed++
			if err := b.Notes().VerifySignature(ctx, n); err != nil {
				t.Fatalf("imported signature: %v", err)
			}
			if len(n.Addenda) != 1 {
				t.Fatalf("addenda %d", len(n.Addenda))
			}
		}
	}
	if signed != 1 {
		t.Fatalf("%d signed notes", signed)
	}

	second := filepath.Join(dir, "second.zip")
	if _, err := b.Export(ctx, ExportOptions{ClientID: id, Path: second, IncludePsychotherapy: true}); err != nil {
		t.Fatal(err)
	}
	x, err := export.Open(first, export.Decryption{Passphrase: pass})
	if err != nil {
		t.Fatal(err)
	}
	y, err := export.Open(second, export.Decryption{})
	if err != nil {
		t.Fatal(err)
	}
	if len(x.Record.Notes) != 3 || !reflect.DeepEqual(clinical(x.Record), clinical(y.Record)) {
		t.Fatalf("clinical content differs:\n%+v\n%+v", clinical(x.Record), clinical(y.Record))
	}

	// Importing the same bundle again adds nothing.
	again, err := b.Import(ctx, first, export.Decryption{Passphrase: pass})
	if apperr.CodeOf(err) != apperr.Invalid || again.Clients[0].Status != ImportExists {
		t.Fatalf("second import: %v %+v", err, again)
	}

	// Both vaults list what they did; the file names are sealed and open.
	ex, err := b.Exports(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ex) != 2 || ex[0].Kind != "export" || ex[0].Name != "second.zip" || ex[1].Kind != "import" || ex[1].Name != "first.zip.age" {
		t.Fatalf("exports %+v", ex)
	}
	entries, _, err := b.AuditList(ctx, audit.Filter{Action: audit.ActionImport})
	if err != nil || len(entries) != 1 || entries[0].RecordID != id {
		t.Fatalf("import audit %v %+v", err, entries)
	}
	entries, _, err = a.AuditList(ctx, audit.Filter{Action: audit.ActionExport, RecordID: id})
	if err != nil || len(entries) != 2 || !strings.Contains(entries[0].Detail, "encryption=passphrase") {
		t.Fatalf("export audit %v %+v", err, entries)
	}
	if _, err := a.AuditVerify(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := b.AuditVerify(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestImportRefusesUnder18AndTampered(t *testing.T) {
	ctx := context.Background()
	b := unlockedPractice(t)
	dir := t.TempDir()
	now := b.Now()
	minor := now.AddDate(-17, 0, 0).Format("2006-01-02")
	rec := record.Record{ID: "0190a2b4-0000-7000-8000-0000000000ff", Scope: record.ScopePractice, ExportedAt: now, AppVersion: "test",
		Practitioner: record.Practitioner{ID: "0190a2b4-0000-7000-8000-0000000000a1", Name: record.NotRecorded},
		Organization: record.Organization{ID: "0190a2b4-0000-7000-8000-0000000000a2", Name: record.NotRecorded},
		Clients:      []record.Client{{ID: "0190a2b4-0000-7000-8000-000000000001", Name: "Young Person", DateOfBirth: minor, Status: "active"}}}
	path := filepath.Join(dir, "minor.zip")
	if _, err := export.Write(ctx, rec, export.Options{Path: path}); err != nil {
		t.Fatal(err)
	}
	rep, err := b.Import(ctx, path, export.Decryption{})
	if apperr.CodeOf(err) != apperr.Invalid || rep.Clients[0].Status != ImportUnder18 || !strings.Contains(rep.Clients[0].Reason, "under 18") {
		t.Fatalf("minor: %v %+v", err, rep)
	}
	if strings.Contains(rep.Clients[0].Reason, minor) {
		t.Fatal("the refusal repeats the date of birth")
	}

	// A tampered bundle is refused before anything is read into the vault.
	a := unlockedPractice(t)
	id := seedExportClient(t, a, "Asha Kumar")
	good := filepath.Join(dir, "good.zip")
	if _, err := a.Export(ctx, ExportOptions{ClientID: id, Path: good}); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(good)
	i := bytes.Index(data, []byte("README.txt"))
	bad := append([]byte(nil), data...)
	bad[len(bad)/3] ^= 0xff // flip a byte in the compressed data
	if i < 0 {
		t.Fatal("no README in zip")
	}
	tampered := filepath.Join(dir, "tampered.zip")
	os.WriteFile(tampered, bad, 0o600)
	if _, err := b.Import(ctx, tampered, export.Decryption{}); apperr.CodeOf(err) != apperr.Integrity && apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("tampered: %v", err)
	}
	if _, err := b.Clients().Get(ctx, id); apperr.CodeOf(err) != apperr.NotFound {
		t.Fatal("a tampered bundle was imported")
	}
	entries, _, err := b.AuditList(ctx, audit.Filter{Action: audit.ActionImport})
	if err != nil || len(entries) == 0 || !strings.Contains(entries[0].Detail, "refused=") {
		t.Fatalf("refusal not audited: %v %+v", err, entries)
	}
}

func TestExportWholePracticeAndAuditExport(t *testing.T) {
	ctx := context.Background()
	p := unlockedPractice(t)
	seedExportClient(t, p, "Asha Kumar")
	seedExportClient(t, p, "प्रिया शर्मा")
	dir := t.TempDir()
	res, err := p.Export(ctx, ExportOptions{All: true, Path: filepath.Join(dir, "all.zip")})
	if err != nil {
		t.Fatal(err)
	}
	if res.Counts.Clients != 2 || res.Counts.Notes != 4 {
		t.Fatalf("counts %+v", res.Counts)
	}
	if _, err := p.Export(ctx, ExportOptions{All: true, ClientID: "x", Path: "y"}); apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("both scopes: %v", err)
	}
	// A failed export (no such folder) leaves nothing and records nothing.
	if _, err := p.Export(ctx, ExportOptions{All: true, Path: filepath.Join(dir, "missing", "x.zip")}); err == nil {
		t.Fatal("export into a missing folder succeeded")
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Fatalf("folder holds %d files", len(ents))
	}
	var buf bytes.Buffer
	n, err := p.AuditExport(ctx, "csv", &buf)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil || len(rows) != n+1 || rows[0][0] != "seq" {
		t.Fatalf("csv: %v, %d rows for %d entries", err, len(rows), n)
	}
	if strings.Contains(buf.String(), "Asha") {
		t.Fatal("the audit CSV holds a name")
	}
	buf.Reset()
	if _, err := p.AuditExport(ctx, "fhir", &buf); err != nil || !strings.Contains(buf.String(), `"AuditEvent"`) {
		t.Fatalf("fhir: %v", err)
	}
}
