package practice

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/bookings"
	"github.com/calmally/practice/internal/buildinfo"
	"github.com/calmally/practice/internal/clients"
	"github.com/calmally/practice/internal/consent"
	"github.com/calmally/practice/internal/export"
	"github.com/calmally/practice/internal/export/fhir"
	"github.com/calmally/practice/internal/export/ical"
	"github.com/calmally/practice/internal/export/record"
	"github.com/calmally/practice/internal/notes"
	"github.com/calmally/practice/internal/store"
	"github.com/calmally/practice/internal/vault"
)

// Record exports and imports (internal/export): gathering one client's or
// the whole practice's record from the services, writing the archive,
// recording it in the exports table and the audit trail; and reading a
// bundle back into this vault.

// ExportOptions choose what to export and where.
type ExportOptions struct {
	ClientID             string // one client…
	All                  bool   // …or the whole practice
	Path                 string
	IncludePsychotherapy bool
	Encryption           export.Encryption
	Progress             func(done, total int)
	// Recipient is who receives the export: RecipientClient (the client,
	// default) or RecipientRepresentative (a third party: needs the client's
	// representative-disclosure consent or a LegalBasis; see disclosure.go).
	Recipient  string
	LegalBasis string
}

// ExportResult is what an export wrote.
type ExportResult struct {
	ID       string
	Path     string
	SHA256   string
	Size     int64
	Counts   record.Counts
	Withheld []record.Withheld
	// Items lists what Withheld counts, one entry per item, for the UI.
	Items []WithheldItem
}

// WithheldItem is one thing an export left out: ids, a date and codes only,
// never client data, so the UI can list exactly what is missing and why.
type WithheldItem struct {
	Kind     string // WithheldPsychotherapyNote, WithheldNote, …
	ID       string // "" where the item has no id of its own (the profile)
	ClientID string // "" where unknown
	Date     string // a note's session date (YYYY-MM-DD); "" otherwise
	Reason   string // WithheldByChoice, WithheldIntegrityFailed, …
	Review   bool   // the client may apply to the Mental Health Review Board
}

// Kinds and reasons of WithheldItem.
const (
	WithheldPsychotherapyNote = "psychotherapy_note"
	WithheldNote              = "note"
	WithheldClient            = "client"
	WithheldConsentHistory    = "consent_history"
	WithheldBooking           = "booking"
	WithheldProfile           = "profile"

	WithheldByChoice         = "excluded_by_choice"
	WithheldIntegrityFailed  = "integrity_failed"
	WithheldClientUnreadable = "client_unreadable"
	WithheldNotRecorded      = "not_recorded"
)

// profileSource gives the practitioner and practice their stable resource
// ids and "Not recorded" defaults; fillProfile overlays the profile.
type profileSource struct{ actor string }

var _ record.Profile = profileSource{}

func (s profileSource) Practitioner() record.Practitioner {
	return record.Practitioner{ID: uuid.NewSHA1(uuid.NameSpaceURL, []byte("calmally:practitioner:"+s.actor)).String(),
		Name: record.NotRecorded, Council: record.NotRecorded, Registration: record.NotRecorded}
}

func (s profileSource) Organization() record.Organization {
	return record.Organization{ID: uuid.NewSHA1(uuid.NameSpaceURL, []byte("calmally:practice:"+s.actor)).String(),
		Name: record.NotRecorded}
}

// fillProfile copies the practitioner profile into rec, keeping "Not
// recorded" where a field is empty, and reports whether any was.
func (p *Practice) fillProfile(ctx context.Context, rec *record.Record) (missing bool, err error) {
	v, err := p.PractitionerForExport(ctx)
	if err != nil {
		return false, err
	}
	set := func(dst *string, val string) {
		if val == "" {
			missing = true
			return
		}
		*dst = val
	}
	set(&rec.Practitioner.Name, v.Name)
	set(&rec.Practitioner.Council, v.Council)
	set(&rec.Practitioner.Registration, v.RegistrationNumber)
	set(&rec.Organization.Name, v.PracticeName)
	if v.PracticeAddress != "" {
		rec.Organization.Address = v.PracticeAddress
	}
	if v.PracticePhone != "" {
		rec.Organization.Phone = v.PracticePhone
	}
	if v.PracticeEmail != "" {
		rec.Organization.Email = v.PracticeEmail
	}
	return missing, nil
}

func (p *Practice) exportStore() *store.ExportStore { return store.NewExportStore(p.db, p.AuditChain) }

// Export writes a record bundle (see internal/export) and records it.
func (p *Practice) Export(ctx context.Context, o ExportOptions) (ExportResult, error) {
	if o.All == (o.ClientID != "") {
		return ExportResult{}, apperr.New(apperr.Invalid, "export one client (--client ID) or the whole practice (--all)")
	}
	if o.Path == "" {
		return ExportResult{}, apperr.New(apperr.Invalid, "an export needs a destination file")
	}
	keys, err := p.Keys()
	if err != nil {
		return ExportResult{}, err
	}
	if err := p.checkDisclosure(ctx, o); err != nil {
		return ExportResult{}, err
	}
	rec, items, err := p.gather(ctx, o)
	if err != nil {
		return ExportResult{}, err
	}
	res, err := export.Write(ctx, rec, export.Options{Path: o.Path, Encryption: o.Encryption, Progress: o.Progress})
	if err != nil {
		return ExportResult{}, err
	}
	c := rec.Count()
	row := store.ExportRow{ID: rec.ID, Kind: "export", At: rec.ExportedAt, Scope: string(rec.Scope), ClientID: rec.ClientID,
		Encrypted: o.Encryption.Kind() != "none", RecipientKind: o.Encryption.Kind(), IncludePsychotherapy: o.IncludePsychotherapy,
		SHA256: res.SHA256, Size: res.Size, Clients: c.Clients, Notes: c.Notes, Addenda: c.Addenda, Withheld: c.Withheld}
	if row.FileName, err = keys.Seal(exportAD(row.ID), []byte(filepath.Base(o.Path))); err != nil {
		removeQuietly(o.Path)
		return ExportResult{}, err
	}
	d := audit.D("export", rec.ID, "scope", string(rec.Scope), "recipient", recipientCode(o), "basis", basisCode(o), "notes", strconv.Itoa(c.Notes), "addenda", strconv.Itoa(c.Addenda),
		"withheld", strconv.Itoa(c.Withheld), "encryption", o.Encryption.Kind(), "psychotherapy", strconv.FormatBool(o.IncludePsychotherapy))
	ev := audit.Event{Action: audit.ActionExport, RecordType: "practice", Detail: d}
	if rec.Scope == record.ScopeClient {
		ev.RecordType, ev.RecordID = clients.RecordType, rec.ClientID
	}
	e, err := ev.Entry(p.Now(), p.opts.Actor)
	if err == nil {
		err = p.exportStore().RecordExport(ctx, row, e)
	}
	if err != nil {
		// An export that cannot be recorded is not left behind.
		removeQuietly(o.Path)
		return ExportResult{}, err
	}
	return ExportResult{ID: rec.ID, Path: o.Path, SHA256: res.SHA256, Size: res.Size, Counts: c, Withheld: rec.Withheld,
		Items: items}, nil
}

func exportAD(id string) vault.AD {
	return vault.AD{Table: "exports", Column: "file_name", RowID: id, Revision: 1}
}

func removeQuietly(path string) { _ = os.Remove(path) }

// gather reads the record from the services, decrypted in memory, and lists
// what it leaves out item by item.
func (p *Practice) gather(ctx context.Context, o ExportOptions) (record.Record, []WithheldItem, error) {
	now := p.Now()
	id, err := uuid.NewV7()
	if err != nil {
		return record.Record{}, nil, fmt.Errorf("export: new id: %w", err)
	}
	prof := profileSource{actor: p.opts.Actor}
	rec := record.Record{ID: id.String(), Scope: record.ScopePractice, ExportedAt: now.Truncate(time.Second),
		AppVersion: buildinfo.Version, IncludePsychotherapy: o.IncludePsychotherapy,
		Practitioner: prof.Practitioner(), Organization: prof.Organization()}
	items := []WithheldItem{}
	missing, err := p.fillProfile(ctx, &rec)
	if err != nil {
		return record.Record{}, nil, err
	}
	var list []clients.Client
	if o.ClientID != "" {
		rec.Scope, rec.ClientID = record.ScopeClient, o.ClientID
		c, err := p.Clients().Get(ctx, o.ClientID)
		if err != nil {
			return record.Record{}, nil, err
		}
		list = []clients.Client{c}
	} else {
		res, err := p.Clients().List(ctx, clients.Filter{})
		if err != nil {
			return record.Record{}, nil, err
		}
		list = res.Clients
		if n := len(res.Unreadable); n > 0 {
			rec.Withheld = append(rec.Withheld, record.Withheld{What: "client records", Count: n,
				Reason: "failed their integrity check in this vault and could not be read; they need restoring from a backup"})
			for _, id := range res.Unreadable {
				items = append(items, WithheldItem{Kind: WithheldClient, ID: id, ClientID: id, Reason: WithheldIntegrityFailed})
			}
		}
	}
	ids := map[string]bool{}
	for _, c := range list {
		rec.Clients = append(rec.Clients, clientRecord(c))
		ids[c.ID] = true
	}
	psych, orphans := 0, 0
	damaged, err := p.Notes().ForExport(ctx, o.ClientID, func(n notes.Note, t notes.Template) error {
		switch {
		case !ids[n.ClientID]:
			orphans++
			items = append(items, WithheldItem{Kind: WithheldNote, ID: n.ID, ClientID: n.ClientID,
				Date: n.SessionDate.String(), Reason: WithheldClientUnreadable})
		case n.Kind == notes.KindPsychotherapy && !o.IncludePsychotherapy:
			psych++
			items = append(items, WithheldItem{Kind: WithheldPsychotherapyNote, ID: n.ID, ClientID: n.ClientID,
				Date: n.SessionDate.String(), Reason: WithheldByChoice, Review: true})
		default:
			rec.Notes = append(rec.Notes, noteRecord(n, t))
		}
		return ctx.Err()
	})
	if err != nil {
		return record.Record{}, nil, err
	}
	fhir.SortNotes(rec.Notes)
	if psych > 0 {
		rec.Withheld = append(rec.Withheld, record.Withheld{What: "psychotherapy notes", Count: psych, Review: true,
			Reason: "the practitioner's private process notes are left out unless the practitioner includes them explicitly"})
	}
	if len(damaged) > 0 {
		rec.Withheld = append(rec.Withheld, record.Withheld{What: "session notes", Count: len(damaged),
			Reason: "failed their integrity or signature check in this vault and were not exported; they need restoring from a backup"})
		for _, id := range damaged {
			items = append(items, WithheldItem{Kind: WithheldNote, ID: id, ClientID: o.ClientID, Reason: WithheldIntegrityFailed})
		}
	}
	if orphans > 0 {
		rec.Withheld = append(rec.Withheld, record.Withheld{What: "session notes of unreadable client records", Count: orphans,
			Reason: "their client record could not be read"})
	}
	if err := p.gatherConsents(ctx, &rec, &items); err != nil {
		return record.Record{}, nil, err
	}
	if err := p.gatherSessions(ctx, &rec, ids, &items); err != nil {
		return record.Record{}, nil, err
	}
	if missing {
		rec.Withheld = append(rec.Withheld, record.Withheld{What: "practitioner and practice details",
			Reason: "some are not recorded in the practitioner profile; they read \"Not recorded\""})
		items = append(items, WithheldItem{Kind: WithheldProfile, Reason: WithheldNotRecorded})
	}
	if err := p.gatherAccess(ctx, &rec); err != nil {
		return record.Record{}, nil, err
	}
	return rec, items, nil
}

func (p *Practice) gatherConsents(ctx context.Context, rec *record.Record, items *[]WithheldItem) error {
	failed := 0
	for _, c := range rec.Clients {
		evs, err := p.Consent().History(ctx, c.ID)
		if err != nil {
			if apperr.CodeOf(err) == apperr.Integrity {
				failed++
				*items = append(*items, WithheldItem{Kind: WithheldConsentHistory, ClientID: c.ID, Reason: WithheldIntegrityFailed})
				continue
			}
			return err
		}
		for _, ev := range evs {
			fj, err := consent.FHIRConsent(ev.Row, consent.DefaultController)
			if err != nil {
				return err
			}
			kj, err := consent.KantaraReceipt(ev.Row, consent.DefaultController)
			if err != nil {
				return err
			}
			rec.Consents = append(rec.Consents, record.Consent{ID: ev.ID, ClientID: ev.ClientID, Purpose: string(ev.Purpose),
				Kind: string(ev.Kind), At: ev.At, FHIR: fj, Kantara: kj})
		}
	}
	if failed > 0 {
		rec.Withheld = append(rec.Withheld, record.Withheld{What: "consent histories", Count: failed,
			Reason: "failed their integrity check in this vault and were not exported"})
	}
	return nil
}

// gatherSessions reads the clients' bookings in 400-day windows (the
// bookings service's limit) from the earliest date the record knows to a
// year ahead, and renders calendar.ics with scheduling's own writer.
func (p *Practice) gatherSessions(ctx context.Context, rec *record.Record, ids map[string]bool, items *[]WithheldItem) error {
	from := rec.ExportedAt
	for _, c := range rec.Clients {
		if !c.CreatedAt.IsZero() && c.CreatedAt.Before(from) {
			from = c.CreatedAt
		}
	}
	for _, n := range rec.Notes {
		if t, err := time.Parse("2006-01-02", n.SessionDate); err == nil && t.Before(from) {
			from = t
		}
	}
	from = from.AddDate(0, 0, -30)
	end := rec.ExportedAt.AddDate(1, 0, 0)
	var events []ical.Event
	unreadable := 0
	for start := from; start.Before(end); start = start.Add(400 * 24 * time.Hour) {
		stop := start.Add(400 * 24 * time.Hour)
		if stop.After(end) {
			stop = end
		}
		res, err := p.Bookings().List(ctx, start, stop)
		if err != nil {
			return err
		}
		unreadable += len(res.Unreadable)
		for _, id := range res.Unreadable {
			*items = append(*items, WithheldItem{Kind: WithheldBooking, ID: id, Reason: WithheldIntegrityFailed})
		}
		for _, b := range res.Bookings {
			if !ids[b.ClientID] || slices.ContainsFunc(events, func(e ical.Event) bool { return e.Booking.ID == b.ID }) {
				continue
			}
			events = append(events, ical.Event{Booking: b})
			rec.Sessions = append(rec.Sessions, sessionRecord(b))
		}
	}
	var buf bytes.Buffer
	if err := ical.Write(&buf, ical.Options{Now: rec.ExportedAt, Names: ical.NamesNone}, events, nil); err != nil {
		return err
	}
	rec.SessionsAvailable, rec.Calendar = true, buf.Bytes()
	if unreadable > 0 {
		rec.Withheld = append(rec.Withheld, record.Withheld{What: "bookings", Count: unreadable,
			Reason: "failed their integrity check in this vault and were not exported"})
	}
	return nil
}

func (p *Practice) gatherAccess(ctx context.Context, rec *record.Record) error {
	ids, cids := map[string]bool{}, map[string]bool{}
	for _, c := range rec.Clients {
		ids[c.ID], cids[c.ID] = true, true
	}
	for _, n := range rec.Notes {
		ids[n.ID] = true
	}
	for _, c := range rec.Consents {
		ids[c.ID] = true
	}
	for _, s := range rec.Sessions {
		ids[s.ID] = true
	}
	entries, err := p.exportStore().AccessHistory(ctx, ids, cids)
	if err != nil {
		return err
	}
	for _, e := range entries {
		rec.Access = append(rec.Access, accessRecord(e))
	}
	return nil
}

func accessRecord(e audit.Entry) record.AccessEntry {
	return record.AccessEntry{Seq: e.Seq, At: e.At, Actor: e.Actor, Action: string(e.Action),
		RecordType: e.RecordType, RecordID: e.RecordID, Detail: e.Detail}
}

func clientRecord(c clients.Client) record.Client {
	ec := c.EmergencyContact
	return record.Client{ID: c.ID, Name: c.Name, PreferredName: c.PreferredName, DateOfBirth: c.DateOfBirth.String(),
		Gender: c.Gender, Phone: c.Phone, Email: c.Email,
		EmergencyContact:   record.EmergencyContact{Name: ec.Name, Relationship: ec.Relationship, Phone: ec.Phone},
		PresentingConcerns: c.PresentingConcerns, TreatmentPreferences: c.TreatmentPreferences, Language: c.Language,
		Status: string(c.Status), CreatedAt: c.CreatedAt}
}

func templateRecord(t notes.Template) record.Template {
	out := record.Template{ID: t.ID, Version: t.Version, Name: t.Name, Builtin: t.Builtin}
	for _, s := range t.Sections {
		out.Sections = append(out.Sections, record.TemplateSection{Key: s.Key, Label: s.Label, Prompt: s.Prompt, Summary: s.Summary})
	}
	return out
}

func noteRecord(n notes.Note, t notes.Template) record.Note {
	out := record.Note{ID: n.ID, ClientID: n.ClientID, Kind: string(n.Kind), Template: templateRecord(t), Title: n.Title,
		Sections: n.Sections, SessionDate: n.SessionDate.String(), BookingID: n.BookingID, Status: string(n.Status),
		CreatedAt: n.CreatedAt, UpdatedAt: n.UpdatedAt, SignedAt: n.SignedAt, SignedBy: n.SignedBy, SignedHash: n.SignedHash}
	for _, a := range n.Addenda {
		out.Addenda = append(out.Addenda, record.Addendum{ID: a.ID, NoteID: a.NoteID, Body: a.Body, CreatedAt: a.CreatedAt,
			SignedAt: a.SignedAt, SignedBy: a.SignedBy, SignedHash: a.SignedHash})
	}
	return out
}

func sessionRecord(b bookings.Booking) record.Session {
	return record.Session{ID: b.ID, ClientID: b.ClientID, Status: string(b.Status), Modality: string(b.Modality),
		Start: b.Start, End: b.End, Sequence: b.Sequence(), CreatedAt: b.CreatedAt, UpdatedAt: b.UpdatedAt}
}

// ExportInfo is a past export or import, for the Exports screen.
type ExportInfo struct {
	store.ExportRow
	Name string // the file name, opened; "" if its envelope failed to open
}

// Exports lists past exports and imports, newest first (audited as a view).
func (p *Practice) Exports(ctx context.Context) ([]ExportInfo, error) {
	keys, err := p.Keys()
	if err != nil {
		return nil, err
	}
	e, err := audit.Event{Action: audit.ActionView, RecordType: "export", Detail: audit.D("what", "exports")}.Entry(p.Now(), p.opts.Actor)
	if err != nil {
		return nil, err
	}
	rows, err := p.exportStore().Exports(ctx, e)
	if err != nil {
		return nil, err
	}
	out := make([]ExportInfo, len(rows))
	for i, r := range rows {
		out[i].ExportRow = r
		if b, err := keys.Open(exportAD(r.ID), r.FileName); err == nil {
			out[i].Name = string(b)
		}
	}
	return out, nil
}

// AuditExport writes the whole audit trail, oldest first, as CSV or as a
// FHIR R4 Bundle of AuditEvent resources, and audits that it did. It returns
// how many entries it wrote.
func (p *Practice) AuditExport(ctx context.Context, format string, w io.Writer) (int, error) {
	if format != "csv" && format != "fhir" {
		return 0, apperr.New(apperr.Invalid, "format: must be csv or fhir")
	}
	if _, err := p.AuditChain(); err != nil {
		return 0, err
	}
	var all []audit.Entry
	for off := 0; ; off += audit.MaxLimit {
		page, _, err := p.db.ListAudit(ctx, audit.Filter{Offset: off, Limit: audit.MaxLimit})
		if err != nil {
			return 0, err
		}
		all = append(all, page...)
		if len(page) < audit.MaxLimit {
			break
		}
	}
	slices.SortFunc(all, func(a, b audit.Entry) int { return int(a.Seq - b.Seq) })
	switch format {
	case "csv":
		cw := csv.NewWriter(w)
		_ = cw.Write([]string{"seq", "at", "actor", "action", "record_type", "record_id", "detail", "mac"})
		for _, e := range all {
			_ = cw.Write([]string{strconv.FormatInt(e.Seq, 10), e.At.UTC().Format(time.RFC3339Nano), e.Actor, string(e.Action),
				e.RecordType, e.RecordID, e.Detail, hex.EncodeToString(e.MAC)})
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return 0, fmt.Errorf("audit export: %w", err)
		}
	case "fhir":
		acc := make([]record.AccessEntry, len(all))
		for i, e := range all {
			acc[i] = accessRecord(e)
		}
		js, err := fhir.AuditEvents(acc, profileSource{actor: p.opts.Actor}.Organization(), p.Now())
		if err != nil {
			return 0, err
		}
		if _, err := w.Write(js); err != nil {
			return 0, fmt.Errorf("audit export: %w", err)
		}
	}
	if e, err := (audit.Event{Action: audit.ActionExport, RecordType: "audit",
		Detail: audit.D("format", format, "entries", strconv.Itoa(len(all)))}).Entry(p.Now(), p.opts.Actor); err == nil {
		p.record(ctx, e)
	}
	return len(all), nil
}

func recipientCode(o ExportOptions) string {
	if o.Recipient == RecipientRepresentative {
		return "representative"
	}
	return "client"
}

func basisCode(o ExportOptions) string {
	if o.LegalBasis != "" {
		return o.LegalBasis
	}
	if o.Recipient == RecipientRepresentative {
		return "consent"
	}
	return "access"
}
