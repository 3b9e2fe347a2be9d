package practice

import (
	"context"
	"testing"

	"github.com/calmally/practice/internal/clients"
	"github.com/calmally/practice/internal/notes"
)

// The notes' leak probe: a note, its autosaves, signature, addendum and
// summary all carry the marker; TestNoPlaintextOnDisk then finds it nowhere.
func init() {
	LeakProbes = append(LeakProbes, func(t *testing.T, p *Practice, marker string) {
		t.Helper()
		ctx := context.Background()
		c, err := p.Clients().Create(ctx, clients.Input{Name: "Leak Probe", DateOfBirth: "1990-05-01"}, clients.SourceClinic)
		if err != nil {
			t.Fatalf("notes probe: client: %v", err)
		}
		grantHealthData(t, p, c.ID)
		svc := p.Notes()
		n, err := svc.Create(ctx, notes.NewNote{ClientID: c.ID, TemplateID: notes.TemplateSOAP, Title: marker + " title",
			Sections: map[string]string{"subjective": marker + " subjective"}})
		if err != nil {
			t.Fatalf("notes probe: create: %v", err)
		}
		rev := n.Rev
		for i := 0; i < 5; i++ {
			s, err := svc.SaveDraft(ctx, n.ID, rev, marker+" title", map[string]string{
				"subjective": marker + " subjective", "plan": marker + " plan\nHomework: " + marker})
			if err != nil {
				t.Fatalf("notes probe: save: %v", err)
			}
			rev = s.Rev
		}
		if _, err := svc.Sign(ctx, n.ID, rev); err != nil {
			t.Fatalf("notes probe: sign: %v", err)
		}
		if _, err := svc.AddAddendum(ctx, n.ID, marker+" addendum"); err != nil {
			t.Fatalf("notes probe: addendum: %v", err)
		}
		sum, err := svc.DeriveSummary(ctx, n.ID)
		if err != nil {
			t.Fatalf("notes probe: summary: %v", err)
		}
		if _, err := svc.SaveSummary(ctx, n.ID, sum.Rev, notes.SummaryContent{Plan: marker, NextSession: marker}); err != nil {
			t.Fatalf("notes probe: summary save: %v", err)
		}
		if _, err := svc.Create(ctx, notes.NewNote{ClientID: c.ID, TemplateID: notes.TemplateFree, Kind: notes.KindPsychotherapy,
			Sections: map[string]string{"body": marker + " process"}}); err != nil {
			t.Fatalf("notes probe: process note: %v", err)
		}
		if _, err := svc.ListForClient(ctx, c.ID); err != nil {
			t.Fatalf("notes probe: list: %v", err)
		}
		if err := svc.ForEachDecrypted(ctx, func(notes.NoteText) error { return nil }); err != nil {
			t.Fatalf("notes probe: stream: %v", err)
		}
	})
}
