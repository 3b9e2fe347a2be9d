package app

// Record export and import, bound to the UI (window.go.app.App.<Method>).
// Errors are "code: message" strings; messages never hold client data.
//
//	ExportStart(req ExportStartDTO) error   starts the export in the background; one at a time
//	                                        ("conflict: …" while one runs). Emits:
//	                                          "export:progress" {done, total}
//	                                          "export:done"     {error /* "" on success */, path,
//	                                                             withheld: WithheldItemDTO[]}
//	ExportCancel() error                    cancels the running export: no file and no temporary
//	                                        file is left; "export:done" reports "cancelled"
//	ExportChooseFile(req ExportChooseDTO) (string, error)  the native save dialog for the destination;
//	                                        "" when the user cancels
//	ImportChooseFile() (string, error)      the native open dialog for a bundle; "" when cancelled
//	ExportsList() ([]ExportDTO, error)      past exports and imports, newest first
//	ImportPreview(req ImportDTO) (ImportReportDTO, error)  checks the bundle (manifest first) and
//	                                        reports what would be added; changes nothing
//	ImportRun(req ImportDTO) (ImportReportDTO, error)      imports it (one transaction)
//
// JSON shapes:
//
//	ExportStartDTO  {clientId, all, path, includePsychotherapy, encrypt: "none"|"passphrase"|"recipient",
//	                 passphrase, recipient /* age1… */}
//	ExportDTO       {id, kind: "export"|"import", at, scope: "client"|"practice", clientId, encrypted,
//	                 recipientKind: "none"|"passphrase"|"age-recipient", includePsychotherapy, fileName,
//	                 sha256, size, clients, notes, addenda, withheld}
//	ExportChooseDTO {suggestedName, encrypted /* filter *.age rather than *.zip */}
//	WithheldItemDTO {kind: "psychotherapy_note"|"note"|"client"|"consent_history"|"booking"|"profile",
//	                 id /* "" for the profile */, clientId /* "" when unknown */, date /* a note's session
//	                 date, else "" */, reason: "excluded_by_choice"|"integrity_failed"|"client_unreadable"|
//	                 "not_recorded", reviewable}
//	ImportDTO       {path, passphrase, identity /* AGE-SECRET-KEY-1… */}
//	ImportReportDTO {bundleId, scope, exportedAt, appVersion, encrypted,
//	                 clients: [{id, name, status: "new"|"exists"|"under_18"|"invalid", reason, notes, addenda}],
//	                 notes, addenda, signed, withheld: [{what, count, reason, reviewable}], imported, notice}
//
// Rules the UI should expect: a tampered bundle → "integrity: the bundle does
// not match its manifest…"; a foreign file → "invalid: this file is not a
// record bundle…"; an encrypted bundle without its secret → "invalid: the
// bundle is encrypted…"; nothing importable → "invalid: nothing in the
// bundle can be imported: see the report" (call ImportPreview to show it).
// Psychotherapy notes are included only when includePsychotherapy is true;
// say so in the wizard. Withheld items with reviewable: true carry the right
// to apply to the Mental Health Review Board. Where no file dialog exists
// (a headless runtime), the Choose bindings answer "invalid: no file dialog
// here: type the full path"; typing a path always works.

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"filippo.io/age"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/export"
	"github.com/calmally/practice/internal/practice"
)

// exportState is the one export that may run at a time.
type exportState struct {
	mu     sync.Mutex
	cancel context.CancelFunc
}

// ExportStart starts an export in a goroutine; progress and the end arrive
// as events.
func (a *App) ExportStart(req ExportStartDTO) error {
	p, err := a.practice()
	if err != nil {
		return a.uiError("export", err)
	}
	var enc export.Encryption
	switch req.Encrypt {
	case "", "none":
	case "passphrase":
		enc.Passphrase = []byte(req.Passphrase)
		if len(enc.Passphrase) == 0 {
			return a.uiError("export", apperr.New(apperr.Invalid, "give a passphrase for the archive"))
		}
	case "recipient":
		enc.Recipient = strings.TrimSpace(req.Recipient)
	default:
		return a.uiError("export", apperr.New(apperr.Invalid, "encrypt: must be none, passphrase or recipient"))
	}
	a.exp.mu.Lock()
	if a.exp.cancel != nil {
		a.exp.mu.Unlock()
		return a.uiError("export", apperr.New(apperr.Conflict, "an export is already running"))
	}
	ctx, cancel := context.WithCancel(a.ctx)
	a.exp.cancel = cancel
	a.exp.mu.Unlock()
	opts := practice.ExportOptions{ClientID: req.ClientID, All: req.All, Path: req.Path,
		IncludePsychotherapy: req.IncludePsychotherapy, Encryption: enc,
		Progress: func(done, total int) { a.rt.Emit(EventExportProgress, ProgressEvent{Done: done, Total: total}) }}
	go func() {
		defer func() {
			a.exp.mu.Lock()
			a.exp.cancel = nil
			a.exp.mu.Unlock()
			cancel()
		}()
		res, err := p.Export(ctx, opts)
		ev := ExportDoneEvent{Path: res.Path, Withheld: withheldItemDTOs(res.Items)}
		switch {
		case errors.Is(err, context.Canceled):
			ev.Error = "cancelled"
		case err != nil:
			ev.Error = a.uiError("export", err).Error()
		}
		a.rt.Emit(EventExportDone, ev)
	}()
	return nil
}

func withheldItemDTOs(items []practice.WithheldItem) []WithheldItemDTO {
	out := make([]WithheldItemDTO, len(items))
	for i, it := range items {
		out[i] = WithheldItemDTO{Kind: it.Kind, ID: it.ID, ClientID: it.ClientID, Date: it.Date, Reason: it.Reason,
			Reviewable: it.Review}
	}
	return out
}

var errNoDialog = apperr.New(apperr.Invalid, "no file dialog here: type the full path")

// ExportChooseFile asks where to save the bundle with the native dialog.
func (a *App) ExportChooseFile(req ExportChooseDTO) (string, error) {
	d, ok := a.rt.(FileDialogs)
	if !ok {
		return "", a.uiError("choose file", errNoDialog)
	}
	f := FileDialog{Title: "Save the record bundle", DefaultName: req.SuggestedName,
		FilterName: "Record bundles (*.zip)", Pattern: "*.zip"}
	if req.Encrypted {
		f.FilterName, f.Pattern = "Encrypted record bundles (*.age)", "*.age"
	}
	path, err := d.SaveFile(f)
	if err != nil {
		return "", a.uiError("choose file", err)
	}
	return path, nil
}

// ImportChooseFile asks for a bundle with the native dialog.
func (a *App) ImportChooseFile() (string, error) {
	d, ok := a.rt.(FileDialogs)
	if !ok {
		return "", a.uiError("choose file", errNoDialog)
	}
	path, err := d.OpenFile(FileDialog{Title: "Choose a record bundle", FilterName: "Record bundles (*.zip, *.age)",
		Pattern: "*.zip;*.age"})
	if err != nil {
		return "", a.uiError("choose file", err)
	}
	return path, nil
}

// ExportCancel cancels the running export, if any.
func (a *App) ExportCancel() error {
	a.exp.mu.Lock()
	defer a.exp.mu.Unlock()
	if a.exp.cancel != nil {
		a.exp.cancel()
	}
	return nil
}

// ExportsList returns past exports and imports, newest first.
func (a *App) ExportsList() ([]ExportDTO, error) {
	p, err := a.practice()
	if err != nil {
		return nil, a.uiError("exports list", err)
	}
	rows, err := p.Exports(a.ctx)
	if err != nil {
		return nil, a.uiError("exports list", err)
	}
	out := make([]ExportDTO, len(rows))
	for i, r := range rows {
		out[i] = ExportDTO{ID: r.ID, Kind: r.Kind, At: r.At.UTC().Format(time.RFC3339), Scope: r.Scope, ClientID: r.ClientID,
			Encrypted: r.Encrypted, RecipientKind: r.RecipientKind, IncludePsychotherapy: r.IncludePsychotherapy,
			FileName: r.Name, SHA256: r.SHA256, Size: r.Size, Clients: r.Clients, Notes: r.Notes, Addenda: r.Addenda,
			Withheld: r.Withheld}
	}
	return out, nil
}

func decryption(req ImportDTO) (export.Decryption, error) {
	d := export.Decryption{Passphrase: []byte(req.Passphrase)}
	if strings.TrimSpace(req.Identity) != "" {
		ids, err := age.ParseIdentities(strings.NewReader(req.Identity))
		if err != nil {
			return d, apperr.New(apperr.Invalid, "the identity is not an age secret key (AGE-SECRET-KEY-1…)")
		}
		d.Identities = ids
	}
	return d, nil
}

// ImportPreview checks a bundle and reports what Import would add.
func (a *App) ImportPreview(req ImportDTO) (ImportReportDTO, error) {
	return a.importRun(req, true)
}

// ImportRun imports a bundle.
func (a *App) ImportRun(req ImportDTO) (ImportReportDTO, error) {
	return a.importRun(req, false)
}

func (a *App) importRun(req ImportDTO, preview bool) (ImportReportDTO, error) {
	p, err := a.practice()
	if err != nil {
		return ImportReportDTO{}, a.uiError("import", err)
	}
	d, err := decryption(req)
	if err != nil {
		return ImportReportDTO{}, a.uiError("import", err)
	}
	run := p.Import
	if preview {
		run = p.ImportPreview
	}
	rep, err := run(a.ctx, req.Path, d)
	if err != nil {
		return importDTO(rep), a.uiError("import", err)
	}
	return importDTO(rep), nil
}

func importDTO(r practice.ImportReport) ImportReportDTO {
	out := ImportReportDTO{BundleID: r.BundleID, Scope: r.Scope, ExportedAt: r.ExportedAt, AppVersion: r.AppVersion,
		Encrypted: r.Encrypted, Notes: r.Notes, Addenda: r.Addenda, Signed: r.Signed, Imported: r.Imported, Notice: r.Notice,
		Clients: []ImportClientDTO{}, Withheld: []WithheldDTO{}}
	for _, c := range r.Clients {
		out.Clients = append(out.Clients, ImportClientDTO{ID: c.ID, Name: c.Name, Status: c.Status, Reason: c.Reason,
			Notes: c.Notes, Addenda: c.Addenda})
	}
	for _, w := range r.Withheld {
		out.Withheld = append(out.Withheld, WithheldDTO{What: w.What, Count: w.Count, Reason: w.Reason, Reviewable: w.Review})
	}
	return out
}
