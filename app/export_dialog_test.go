package app

import (
	"errors"
	"path/filepath"
	"testing"
	"time"
)

// dialogRuntime fakes the native dialogs and records what they were asked.
type dialogRuntime struct {
	recRuntime
	asked  []FileDialog
	answer string
	err    error
}

func (d *dialogRuntime) SaveFile(f FileDialog) (string, error) {
	d.asked = append(d.asked, f)
	return d.answer, d.err
}

func (d *dialogRuntime) OpenFile(f FileDialog) (string, error) {
	d.asked = append(d.asked, f)
	return d.answer, d.err
}

func TestChooseFileUsesTheRuntimeDialogs(t *testing.T) {
	a := newClientTestApp(t)

	// Headless: no dialog, and the UI is told to type the path.
	for name, call := range map[string]func() (string, error){
		"export": func() (string, error) { return a.ExportChooseFile(ExportChooseDTO{SuggestedName: "x.zip"}) },
		"import": a.ImportChooseFile,
	} {
		if p, err := call(); p != "" || err == nil || err.Error() != "invalid: no file dialog here: type the full path" {
			t.Fatalf("%s without dialogs: %q %v", name, p, err)
		}
	}

	rt := &dialogRuntime{answer: "/home/me/asha.zip.age"}
	a.rt = rt
	p, err := a.ExportChooseFile(ExportChooseDTO{SuggestedName: "calmally-client-export.zip.age", Encrypted: true})
	if err != nil || p != "/home/me/asha.zip.age" {
		t.Fatalf("export choose: %q %v", p, err)
	}
	if f := rt.asked[0]; f.DefaultName != "calmally-client-export.zip.age" || f.Pattern != "*.age" || f.Title == "" {
		t.Fatalf("save dialog asked %+v", f)
	}
	if _, err := a.ExportChooseFile(ExportChooseDTO{SuggestedName: "plain.zip"}); err != nil || rt.asked[1].Pattern != "*.zip" {
		t.Fatalf("plain export dialog %+v %v", rt.asked[1], err)
	}
	rt.answer = "/home/me/bundle.zip"
	if p, err := a.ImportChooseFile(); err != nil || p != "/home/me/bundle.zip" || rt.asked[2].Pattern != "*.zip;*.age" {
		t.Fatalf("import choose: %q %v %+v", p, err, rt.asked[2])
	}

	// Cancelled: "" and no error. A failing dialog: a coded error.
	rt.answer = ""
	if p, err := a.ImportChooseFile(); p != "" || err != nil {
		t.Fatalf("cancelled: %q %v", p, err)
	}
	rt.err = errors.New("gtk said no")
	if _, err := a.ExportChooseFile(ExportChooseDTO{}); err == nil || err.Error() != "internal: Internal error." {
		t.Fatalf("dialog failure: %v", err)
	}
}

// TestExportDoneListsWithheldItems: the done event names each withheld item
// by kind, id and reason, with no client data.
func TestExportDoneListsWithheldItems(t *testing.T) {
	a := newClientTestApp(t)
	rt := &recRuntime{done: make(chan ExportDoneEvent, 1)}
	a.rt = rt
	c, err := a.ClientCreate(ClientInputDTO{Name: "Asha Kumar", DateOfBirth: "1990-05-01"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.ConsentGrant(ConsentGrantDTO{ClientID: c.ID, Purpose: "health-data", Method: "checkbox"}); err != nil {
		t.Fatal(err)
	}
	n, err := a.NoteCreate(NoteCreateDTO{ClientID: c.ID, Kind: "psychotherapy", TemplateID: "free", SessionDate: "2026-01-05",
		Sections: map[string]string{"body": "Private."}})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "asha.zip")
	if err := a.ExportStart(ExportStartDTO{ClientID: c.ID, Path: path}); err != nil {
		t.Fatal(err)
	}
	var d ExportDoneEvent
	select {
	case d = <-rt.done:
	case <-time.After(60 * time.Second):
		t.Fatal("no export:done")
	}
	if d.Error != "" {
		t.Fatal(d.Error)
	}
	var psych *WithheldItemDTO
	for i, w := range d.Withheld {
		if w.Kind == "psychotherapy_note" {
			psych = &d.Withheld[i]
		}
	}
	if psych == nil || psych.ID != n.ID || psych.ClientID != c.ID || psych.Date != "2026-01-05" ||
		psych.Reason != "excluded_by_choice" || !psych.Reviewable {
		t.Fatalf("withheld %+v", d.Withheld)
	}
}
