package practice

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/calmally/practice/internal/notes"
)

// TestExportListsWithheldItems: the itemised list names each withheld item
// by kind, id and reason code, and agrees with the bundle's counted list.
func TestExportListsWithheldItems(t *testing.T) {
	ctx := context.Background()
	p := unlockedPractice(t)
	id := seedExportClient(t, p, "Priya Sharma")
	psych, err := p.Notes().Create(ctx, notes.NewNote{ClientID: id, TemplateID: notes.TemplateFree, Kind: notes.KindPsychotherapy,
		Sections: map[string]string{"body": "Another private reflection."}, SessionDate: notes.Date{Year: 2025, Month: 3, Day: 4}})
	if err != nil {
		t.Fatal(err)
	}
	draft, err := p.Notes().Create(ctx, notes.NewNote{ClientID: id, TemplateID: notes.TemplateFree, Title: "To be damaged",
		Sections: map[string]string{"body": "Text."}})
	if err != nil {
		t.Fatal(err)
	}
	// A swapped envelope: this draft fails its integrity check and is withheld.
	if _, err := p.db.SQL().ExecContext(ctx, `UPDATE notes SET sections = (SELECT sections FROM notes WHERE id = ?) WHERE id = ?`,
		psych.ID, draft.ID); err != nil {
		t.Fatal(err)
	}
	res, err := p.Export(ctx, ExportOptions{ClientID: id, Path: filepath.Join(t.TempDir(), "priya.zip")})
	if err != nil {
		t.Fatal(err)
	}
	byKind := map[string][]WithheldItem{}
	for _, it := range res.Items {
		byKind[it.Kind] = append(byKind[it.Kind], it)
	}
	ps := byKind[WithheldPsychotherapyNote]
	if len(ps) != 2 {
		t.Fatalf("psychotherapy items %+v", ps)
	}
	for _, it := range ps {
		if it.ClientID != id || it.Reason != WithheldByChoice || !it.Review || it.ID == "" {
			t.Fatalf("psychotherapy item %+v", it)
		}
		if it.ID == psych.ID && it.Date != "2025-03-04" {
			t.Fatalf("psychotherapy item date %+v", it)
		}
	}
	dn := byKind[WithheldNote]
	if len(dn) != 1 || dn[0].ID != draft.ID || dn[0].Reason != WithheldIntegrityFailed || dn[0].Review {
		t.Fatalf("damaged note items %+v", dn)
	}
	if pr := byKind[WithheldProfile]; len(pr) != 1 || pr[0].Reason != WithheldNotRecorded {
		t.Fatalf("profile items %+v (no profile was set)", pr)
	}
	// Every counted entry of the bundle is matched by as many items.
	counted := map[string]string{"psychotherapy notes": WithheldPsychotherapyNote, "session notes": WithheldNote}
	for _, w := range res.Withheld {
		if k, ok := counted[w.What]; ok && len(byKind[k]) != w.Count {
			t.Fatalf("%s: counted %d, itemised %d", w.What, w.Count, len(byKind[k]))
		}
	}
	if len(res.Withheld) != 3 {
		t.Fatalf("withheld %+v", res.Withheld)
	}
}
