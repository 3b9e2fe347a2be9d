package practice

import (
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/clients"
	"github.com/calmally/practice/internal/export"
	"github.com/calmally/practice/internal/export/record"
	"github.com/calmally/practice/internal/notes"
	"github.com/calmally/practice/internal/store"
)

// Statuses of a client in an import report.
const (
	ImportNew     = "new"      // will be (or was) imported
	ImportExists  = "exists"   // this vault already holds the id: skipped
	ImportUnder18 = "under_18" // refused: adults only
	ImportInvalid = "invalid"  // refused: breaks a record rule
)

// ImportClient is one client of a bundle and what import does with it.
type ImportClient struct {
	ID      string
	Name    string
	Status  string
	Reason  string // for refusals: the rule, never the data
	Notes   int
	Addenda int
}

// ImportReport says what a bundle holds and what import adds.
type ImportReport struct {
	BundleID   string
	Scope      string
	ExportedAt string
	AppVersion string
	Encrypted  bool
	Clients    []ImportClient
	Notes      int // to be added (or added)
	Addenda    int
	Signed     int // signed notes whose signatures verified
	Withheld   []record.Withheld
	Imported   bool
	Notice     string
}

// importNotice is said on every import: consent does not travel.
const importNotice = "Consent records are not imported: consent was given to the practice that exported the record; record this client's consent again before writing new notes."

// ImportPreview reads and checks a bundle and reports what Import would add,
// changing nothing.
func (p *Practice) ImportPreview(ctx context.Context, path string, d export.Decryption) (ImportReport, error) {
	rep, _, err := p.planImport(ctx, path, d)
	return rep, err
}

// Import reads a bundle made by this app into this vault: the manifest is
// checked first (every digest), then every client against the record rules
// (adults only), then every signed note's signature. Clients and notes keep
// their ids, signed notes their signature; everything is written in one
// transaction and audited per client.
func (p *Practice) Import(ctx context.Context, path string, d export.Decryption) (ImportReport, error) {
	rep, batch, err := p.planImport(ctx, path, d)
	if err != nil {
		return rep, err
	}
	if len(batch.Clients) == 0 {
		return rep, apperr.New(apperr.Invalid, "nothing in the bundle can be imported: see the report")
	}
	if err := p.exportStore().ImportRecords(ctx, batch); err != nil {
		return rep, err
	}
	rep.Imported = true
	p.indexImported(ctx, rep)
	return rep, nil
}

// indexImported puts the imported records into the search index.
func (p *Practice) indexImported(ctx context.Context, rep ImportReport) {
	ix := p.searchIndex().ix
	svc := p.clientsService(nil)
	for _, c := range rep.Clients {
		if c.Status != ImportNew {
			continue
		}
		if cl, err := svc.Get(ctx, c.ID); err == nil {
			ix.Put(clientDoc(cl))
		}
	}
	want := map[string]bool{}
	for _, c := range rep.Clients {
		want[c.ID] = c.Status == ImportNew
	}
	ni := noteIndex{ix}
	_ = p.notesService(nil).ForEachDecrypted(ctx, func(t notes.NoteText) error {
		if want[t.ClientID] {
			ni.Put(t.ID, string(t.Kind), t.ClientID, t.Title, t.Body, t.At)
		}
		return nil
	})
}

func (p *Practice) planImport(ctx context.Context, path string, d export.Decryption) (ImportReport, store.ImportBatch, error) {
	keys, err := p.Keys()
	if err != nil {
		return ImportReport{}, store.ImportBatch{}, err
	}
	b, err := export.Open(path, d)
	if err != nil {
		p.auditRefusedImport(ctx, err)
		return ImportReport{}, store.ImportBatch{}, err
	}
	rec := b.Record
	now := p.Now()
	rep := ImportReport{BundleID: rec.ID, Scope: string(rec.Scope), ExportedAt: b.Manifest.ExportedAt,
		AppVersion: b.Manifest.AppVersion, Encrypted: b.Encrypted, Withheld: rec.Withheld, Notice: importNotice}
	var ids []string
	for _, c := range rec.Clients {
		ids = append(ids, c.ID)
	}
	st := p.exportStore()
	exists, err := st.ExistingIDs(ctx, "clients", ids)
	if err != nil {
		return ImportReport{}, store.ImportBatch{}, err
	}
	byClient := map[string][]record.Note{}
	for _, n := range rec.Notes {
		byClient[n.ClientID] = append(byClient[n.ClientID], n)
	}
	importID, err := uuid.NewV7()
	if err != nil {
		return ImportReport{}, store.ImportBatch{}, err
	}
	var batch store.ImportBatch
	templates := map[[2]any]bool{}
	for _, c := range rec.Clients {
		ic := ImportClient{ID: c.ID, Name: c.Name, Status: ImportNew}
		for _, n := range byClient[c.ID] {
			ic.Notes++
			ic.Addenda += len(n.Addenda)
		}
		if exists[c.ID] {
			ic.Status, ic.Reason = ImportExists, "this vault already holds a client with this id"
			rep.Clients = append(rep.Clients, ic)
			continue
		}
		in := clients.ImportInput{ID: c.ID, Status: clients.Status(c.Status), CreatedAt: c.CreatedAt, Input: clients.Input{
			Name: c.Name, PreferredName: c.PreferredName, DateOfBirth: c.DateOfBirth, Gender: c.Gender, Phone: c.Phone,
			Email: c.Email, EmergencyContact: clients.EmergencyContact(c.EmergencyContact), PresentingConcerns: c.PresentingConcerns,
			TreatmentPreferences: c.TreatmentPreferences, Language: c.Language}}
		_, row, err := clients.SealImported(keys, in, now)
		if err != nil {
			if apperr.CodeOf(err) == apperr.Locked {
				return ImportReport{}, store.ImportBatch{}, err
			}
			ic.Status, ic.Reason = ImportInvalid, apperr.MessageOf(err)
			if strings.Contains(apperr.MessageOf(err), clients.MsgUnder18) {
				ic.Status = ImportUnder18
			}
			rep.Clients = append(rep.Clients, ic)
			continue
		}
		var sealed []store.ImportNote
		for _, rn := range byClient[c.ID] {
			n, t, err := domainNote(rn)
			if err != nil {
				return ImportReport{}, store.ImportBatch{}, err
			}
			if err := notes.CheckImported(n, t); err != nil {
				return ImportReport{}, store.ImportBatch{}, apperr.Wrap(apperr.Invalid, "a note in the bundle breaks a record rule: "+apperr.MessageOf(err), err)
			}
			if n.Signed() {
				if err := notes.VerifyImported(n, t.Keys()); err != nil {
					return ImportReport{}, store.ImportBatch{}, apperr.Wrap(apperr.Integrity,
						"a signed note in the bundle does not match its signature; nothing was imported", err)
				}
				rep.Signed++
			}
			if !t.Builtin && !templates[[2]any{t.ID, t.Version}] {
				templates[[2]any{t.ID, t.Version}] = true
				batch.Templates = append(batch.Templates, t)
			}
			r, adds, err := notes.SealImported(keys, n)
			if err != nil {
				return ImportReport{}, store.ImportBatch{}, err
			}
			sealed = append(sealed, store.ImportNote{Note: r, Addenda: adds})
		}
		e, err := audit.Event{Action: audit.ActionImport, RecordType: clients.RecordType, RecordID: c.ID,
			Detail: audit.D("import", importID.String(), "bundle", rec.ID, "notes", strconv.Itoa(ic.Notes),
				"addenda", strconv.Itoa(ic.Addenda))}.Entry(now, p.opts.Actor)
		if err != nil {
			return ImportReport{}, store.ImportBatch{}, err
		}
		batch.Clients = append(batch.Clients, row)
		batch.Notes = append(batch.Notes, sealed...)
		batch.Audit = append(batch.Audit, e)
		rep.Notes += ic.Notes
		rep.Addenda += ic.Addenda
		rep.Clients = append(rep.Clients, ic)
	}
	scope, clientID := string(record.ScopePractice), ""
	if rec.Scope == record.ScopeClient && len(batch.Clients) == 1 {
		scope, clientID = string(record.ScopeClient), batch.Clients[0].ID
	}
	fn, err := keys.Seal(exportAD(importID.String()), []byte(filepath.Base(path)))
	if err != nil {
		return ImportReport{}, store.ImportBatch{}, err
	}
	batch.Export = store.ExportRow{ID: importID.String(), Kind: "import", At: now, Scope: scope, ClientID: clientID,
		Encrypted: b.Encrypted, RecipientKind: "none", IncludePsychotherapy: b.Manifest.IncludesPsychotherapyNotes,
		FileName: fn, SHA256: b.SHA256, Clients: len(batch.Clients), Notes: rep.Notes, Addenda: rep.Addenda,
		Withheld: len(rep.Clients) - len(batch.Clients)}
	if b.Encrypted {
		batch.Export.RecipientKind = "passphrase"
		if len(d.Passphrase) == 0 {
			batch.Export.RecipientKind = "age-recipient"
		}
	}
	return rep, batch, nil
}

// auditRefusedImport records that a bundle was refused (why, as a code).
func (p *Practice) auditRefusedImport(ctx context.Context, cause error) {
	reason := "invalid"
	switch {
	case errors.Is(cause, export.ErrTampered) || apperr.CodeOf(cause) == apperr.Integrity:
		reason = "tampered"
	case errors.Is(cause, export.ErrForeign):
		reason = "foreign"
	case errors.Is(cause, export.ErrEncrypted) || errors.Is(cause, export.ErrDecrypt):
		reason = "not_decrypted"
	case apperr.CodeOf(cause) == apperr.NotFound:
		return
	}
	if e, err := (audit.Event{Action: audit.ActionImport, RecordType: "export",
		Detail: audit.D("refused", reason)}).Entry(p.Now(), p.opts.Actor); err == nil {
		p.record(ctx, e)
	}
}

// domainNote turns a bundle's note into the notes package's type, with the
// template it names: a built-in of this app, or the user template the
// bundle carries.
func domainNote(rn record.Note) (notes.Note, notes.Template, error) {
	bad := func() (notes.Note, notes.Template, error) {
		return notes.Note{}, notes.Template{}, apperr.New(apperr.Invalid, "a note in the bundle is malformed")
	}
	date, err := notes.ParseDate(rn.SessionDate)
	if err != nil {
		return bad()
	}
	t, ok := notes.BuiltinTemplate(rn.Template.ID, rn.Template.Version)
	if !ok {
		if rn.Template.Builtin || rn.Template.Version < 1 || len(rn.Template.Sections) == 0 {
			return bad()
		}
		t = notes.Template{ID: rn.Template.ID, Version: rn.Template.Version, Name: rn.Template.Name, CreatedAt: rn.CreatedAt}
		for _, s := range rn.Template.Sections {
			t.Sections = append(t.Sections, notes.Section{Key: s.Key, Label: s.Label, Prompt: s.Prompt, Summary: s.Summary})
		}
	}
	n := notes.Note{ID: rn.ID, Rev: 1, ClientID: rn.ClientID, Kind: notes.Kind(rn.Kind), TemplateID: t.ID,
		TemplateVersion: t.Version, Title: rn.Title, Sections: rn.Sections, SessionDate: date, BookingID: rn.BookingID,
		Status: notes.Status(rn.Status), CreatedAt: rn.CreatedAt, UpdatedAt: rn.UpdatedAt, SignedAt: rn.SignedAt,
		SignedBy: rn.SignedBy, SignedHash: rn.SignedHash}
	if n.CreatedAt.IsZero() || n.UpdatedAt.IsZero() || (n.Signed() && (n.SignedAt.IsZero() || len(n.SignedHash) == 0)) {
		return bad()
	}
	for _, a := range rn.Addenda {
		n.Addenda = append(n.Addenda, notes.Addendum{ID: a.ID, NoteID: a.NoteID, Rev: 1, Body: a.Body, CreatedAt: a.CreatedAt,
			SignedAt: a.SignedAt, SignedBy: a.SignedBy, SignedHash: a.SignedHash})
	}
	if len(n.Addenda) > 0 && !n.Signed() {
		return bad()
	}
	return n, t, nil
}
