package pdf

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/calmally/practice/internal/export/record"
)

func sample(name string) record.Record {
	at := time.Date(2024, 3, 1, 6, 30, 0, 0, time.UTC)
	cid := "0190a2b4-0000-7000-8000-000000000001"
	tmpl := record.Template{ID: "soap", Version: 1, Name: "SOAP", Sections: []record.TemplateSection{
		{Key: "subjective", Label: "Subjective"}, {Key: "plan", Label: "Plan"}}}
	return record.Record{ID: "0190a2b4-0000-7000-8000-0000000000ff", Scope: record.ScopeClient, ClientID: cid, ExportedAt: at, AppVersion: "test",
		Practitioner: record.Practitioner{Name: record.NotRecorded, Council: record.NotRecorded, Registration: record.NotRecorded},
		Organization: record.Organization{Name: record.NotRecorded},
		Clients:      []record.Client{{ID: cid, Name: name, DateOfBirth: "1992-02-29", Status: "active"}},
		Notes: []record.Note{
			{ID: "n1", ClientID: cid, Kind: record.KindProgress, Template: tmpl, Title: "First session",
				Sections:    map[string]string{"subjective": "Feeling calmer since the last visit. " + strings.Repeat("Long text that wraps. ", 40), "plan": "Weekly sessions; नींद की डायरी"},
				SessionDate: "2024-02-29", Status: record.StatusSigned, SignedAt: at, SignedBy: "cli", SignedHash: []byte{0xab, 0xcd},
				Addenda: []record.Addendum{{Body: "Correction: the session was online.", SignedAt: at, SignedBy: "cli", SignedHash: []byte{1}}}},
			{ID: "n2", ClientID: cid, Kind: record.KindPsychotherapy, Template: tmpl, Sections: map[string]string{"subjective": "Private reflection."},
				SessionDate: "2024-03-01", Status: record.StatusDraft},
		},
		IncludePsychotherapy: true,
	}
}

func render(t *testing.T, rec record.Record) string {
	t.Helper()
	var buf bytes.Buffer
	if err := Render(context.Background(), &buf, rec); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "record.pdf")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func tool(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Skipf("%s not installed (poppler-utils)", name)
	}
}

func TestLatinTextIsExtractable(t *testing.T) {
	tool(t, "pdftotext")
	path := render(t, sample("Asha Kumar"))
	out, err := exec.Command("pdftotext", "-layout", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	for _, want := range []string{"Clinical record", "Asha Kumar", "Not recorded", "Thursday, 29 February 2024 — First session",
		"Feeling calmer since the last visit.", "Addendum 1", "Correction: the session was online.", "PSYCHOTHERAPY NOTE",
		"DRAFT, not signed", "SHA-256 abcd", "Page 1 of"} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text lacks %q", want)
		}
	}
}

// Devanagari is drawn as shaped outlines: the name is not extractable, so the
// test renders the cover page and checks that ink lands where the name is,
// and that the shaped name differs from the unshaped glyph sequence (the
// shaper reordered the vowel sign and formed the conjunct).
func TestDevanagariRenders(t *testing.T) {
	tool(t, "pdftoppm")
	path := render(t, sample("प्रिया शर्मा"))
	prefix := filepath.Join(t.TempDir(), "page")
	if out, err := exec.Command("pdftoppm", "-png", "-r", "72", "-f", "1", "-l", "1", path, prefix).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	matches, _ := filepath.Glob(prefix + "*.png")
	if len(matches) != 1 {
		t.Fatalf("rendered %v", matches)
	}
	f, err := os.Open(matches[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	// The name is the large line under the "Client" heading: find dark
	// pixels in the band between 150 and 230 pt from the top.
	dark := 0
	b := img.Bounds()
	for y := 150; y < 230 && y < b.Max.Y; y++ {
		for x := 56; x < 300; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r+g+bl < 3*0x4000 {
				dark++
			}
		}
	}
	if dark < 150 {
		t.Fatalf("only %d dark pixels where the Devanagari name should be", dark)
	}
	var s shaper
	out, _, err := s.shape("प्रि", false, 16)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Glyphs) >= 4 {
		t.Fatalf("प्रि shaped to %d glyphs: no conjunct was formed", len(out.Glyphs))
	}
	fs, _ := devanagari()
	pa, _ := fs.regular.NominalGlyph('प')
	if out.Glyphs[0].GlyphID == pa {
		t.Fatalf("the i vowel sign was not moved before the cluster")
	}
}

func TestSplitRuns(t *testing.T) {
	got := splitRuns("Asha (आशा कुमार) Kumar")
	var parts []string
	for _, r := range got {
		if r.shaped {
			parts = append(parts, "["+r.text+"]")
		} else {
			parts = append(parts, r.text)
		}
	}
	if strings.Join(parts, "|") != "Asha (|[आशा कुमार) ]|Kumar" {
		t.Fatalf("%q", strings.Join(parts, "|"))
	}
}
