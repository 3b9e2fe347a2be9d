// Package pdf renders a record bundle as a PDF a clinician can read and
// print: a cover with the client and the practitioner, then every note in
// session-date order with its signature and addenda. Psychotherapy notes,
// when included, are marked on every one of them.
//
// Text in Latin and related scripts is real PDF text (Noto Sans, embedded and
// subset by fpdf), so it can be searched and extracted. Devanagari is shaped
// with go-text/typesetting and drawn as glyph outlines (see shape.go): it
// prints and reads correctly, but cannot be selected or extracted. Other
// Indian scripts (Tamil, Bengali, …) are not yet shaped: they come out as
// fpdf draws them with Noto Sans, which lacks their glyphs — a known gap.
package pdf

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/calmally/practice/internal/export/record"
)

// Page geometry in points (A4).
const (
	margin    = 56.0
	bodySize  = 10.5
	smallSize = 8.5
	lineGap   = 1.45
)

var india = func() *time.Location {
	if z, err := time.LoadLocation("Asia/Kolkata"); err == nil {
		return z
	}
	return time.FixedZone("IST", 5*3600+1800)
}()

func when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(india).Format("2 Jan 2006, 15:04 IST")
}

func day(s string) string {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return s
	}
	return t.Format("Monday, 2 January 2006")
}

type doc struct {
	pdf   *fpdf.Fpdf
	sh    shaper
	y     float64
	w, h  float64
	err   error
	label string // running footer
	// the font last set through setFont (fpdf's SetFont is costly)
	fontBold bool
	fontSize float64
}

// Render writes rec as a PDF to w. It checks ctx between notes.
func Render(ctx context.Context, w io.Writer, rec record.Record) error {
	p := fpdf.New("P", "pt", "A4", "")
	p.SetCompression(true)
	p.SetCreationDate(rec.ExportedAt)
	p.SetModificationDate(rec.ExportedAt)
	p.SetCatalogSort(true)
	p.SetTitle("Clinical record", true)
	p.SetCreator("CalmAlly Practice "+rec.AppVersion, true)
	p.AddUTF8FontFromBytes("noto", "", latinRegular)
	p.AddUTF8FontFromBytes("noto", "B", latinBold)
	p.SetMargins(margin, margin, margin)
	p.SetAutoPageBreak(false, margin)
	p.AliasNbPages("{nb}")
	d := &doc{pdf: p, label: "Confidential clinical record"}
	d.w, d.h = p.GetPageSize()
	p.SetFooterFunc(func() {
		p.SetFont("noto", "", smallSize)
		p.SetTextColor(110, 110, 110)
		p.Text(margin, d.h-margin/2, d.label)
		s := fmt.Sprintf("Page %d of {nb}", p.PageNo())
		p.Text(d.w-margin-p.GetStringWidth(fmt.Sprintf("Page %d of %d", p.PageNo(), 100)), d.h-margin/2, s)
		p.SetTextColor(0, 0, 0)
	})
	d.cover(rec)
	notes := map[string][]record.Note{}
	for _, n := range rec.Notes {
		notes[n.ClientID] = append(notes[n.ClientID], n)
	}
	for _, c := range rec.Clients {
		if rec.Scope == record.ScopePractice {
			d.page()
			d.heading(c.Name, 16)
			d.clientDetails(c)
		}
		ns := notes[c.ID]
		if len(ns) == 0 {
			d.para("No session notes are included for this client.", false, bodySize, 80)
		}
		for i, n := range ns {
			if err := ctx.Err(); err != nil {
				return err
			}
			if i == 0 && rec.Scope == record.ScopeClient {
				d.page()
			}
			d.note(n)
		}
	}
	if d.err != nil {
		return d.err
	}
	if err := p.Error(); err != nil {
		return err
	}
	return p.Output(w)
}

func (d *doc) page() {
	d.pdf.AddPage()
	d.y = margin
	d.fontSize = 0
}

// need starts a new page unless h points fit.
func (d *doc) need(h float64) {
	if d.y+h > d.h-margin {
		d.page()
	}
}

func (d *doc) gap(h float64) { d.y += h }

func (d *doc) rule() {
	d.need(8)
	d.pdf.SetDrawColor(200, 200, 200)
	d.pdf.Line(margin, d.y, d.w-margin, d.y)
	d.pdf.SetDrawColor(0, 0, 0)
	d.y += 8
}

func (d *doc) heading(s string, size float64) {
	d.need(size * 3)
	d.gap(size * 0.4)
	d.para(s, true, size, 0)
	d.gap(size * 0.3)
}

// field prints "label: value" with the label bold.
func (d *doc) field(label, value string) {
	if strings.TrimSpace(value) == "" {
		return
	}
	d.para(label+": \x00"+value, false, bodySize, 0)
}

// words with a marker: a "\x00" in s ends a bold prefix.
type word struct {
	text  string
	bold  bool
	space bool // a space follows
}

func (d *doc) measure(wd word, size float64) float64 {
	if !hasShaped(wd.text) {
		d.setFont(wd.bold, size)
		return d.pdf.GetStringWidth(wd.text)
	}
	total := 0.0
	for _, r := range splitRuns(wd.text) {
		if r.shaped {
			w, err := d.sh.width(r.text, wd.bold, size)
			if err != nil && d.err == nil {
				d.err = err
			}
			total += w
			continue
		}
		d.setFont(wd.bold, size)
		total += d.pdf.GetStringWidth(r.text)
	}
	return total
}

func (d *doc) setFont(bold bool, size float64) {
	if d.fontSize == size && d.fontBold == bold {
		return
	}
	d.fontBold, d.fontSize = bold, size
	if bold {
		d.pdf.SetFont("noto", "B", size)
	} else {
		d.pdf.SetFont("noto", "", size)
	}
}

func hasShaped(s string) bool {
	for _, r := range s {
		if r >= 0x0900 && isShaped(r) {
			return true
		}
	}
	return false
}

func (d *doc) drawWord(wd word, size, x, baseline float64) {
	if !hasShaped(wd.text) {
		d.setFont(wd.bold, size)
		d.pdf.Text(x, baseline, wd.text)
		return
	}
	for _, r := range splitRuns(wd.text) {
		if r.shaped {
			if err := d.sh.draw(d.pdf, r.text, wd.bold, size, x, baseline); err != nil && d.err == nil {
				d.err = err
			}
			w, _ := d.sh.width(r.text, wd.bold, size)
			x += w
			continue
		}
		d.setFont(wd.bold, size)
		d.pdf.Text(x, baseline, r.text)
		x += d.pdf.GetStringWidth(r.text)
	}
}

// para lays out s (paragraphs split on line breaks) in the text column,
// indented by indent points, breaking lines between words and pages between
// lines. A "\x00" ends a bold prefix; bold makes everything bold.
func (d *doc) para(s string, bold bool, size, indent float64) {
	lh := size * lineGap
	width := d.w - 2*margin - indent
	prefixBold := strings.Contains(s, "\x00")
	inBold := bold || prefixBold
	for _, line := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		var words []word
		for _, f := range strings.Fields(line) {
			if i := strings.IndexByte(f, 0); i >= 0 {
				if f[:i] != "" {
					words = append(words, word{f[:i], true, true})
				}
				inBold = bold
				if f[i+1:] != "" {
					words = append(words, word{f[i+1:], inBold, true})
				}
				continue
			}
			words = append(words, word{f, inBold, true})
		}
		if len(words) == 0 {
			d.y += lh * 0.6
			continue
		}
		d.setFont(false, size)
		space := d.pdf.GetStringWidth(" ")
		var cur []word
		curW := 0.0
		flush := func() {
			d.need(lh)
			x := margin + indent
			base := d.y + size
			// Consecutive words in fpdf text and the same weight go out as
			// one string: fewer, longer text runs.
			for i := 0; i < len(cur); {
				j := i + 1
				if !hasShaped(cur[i].text) {
					for j < len(cur) && cur[j].bold == cur[i].bold && !hasShaped(cur[j].text) {
						j++
					}
				}
				wd := cur[i]
				if j > i+1 {
					parts := make([]string, 0, j-i)
					for _, w := range cur[i:j] {
						parts = append(parts, w.text)
					}
					wd = word{text: strings.Join(parts, " "), bold: cur[i].bold}
				}
				d.drawWord(wd, size, x, base)
				x += d.measure(wd, size) + space
				i = j
			}
			d.y += lh
			cur, curW = nil, 0
		}
		for _, wd := range words {
			ww := d.measure(wd, size)
			for ww > width && len([]rune(wd.text)) > 1 { // one very long word: cut it
				rs := []rune(wd.text)
				n := len(rs) * int(width) / int(ww+1)
				n = max(1, n)
				if len(cur) > 0 {
					flush()
				}
				cur = []word{{string(rs[:n]), wd.bold, false}}
				flush()
				wd.text = string(rs[n:])
				ww = d.measure(wd, size)
			}
			if len(cur) > 0 && curW+space+ww > width {
				flush()
			}
			if len(cur) > 0 {
				curW += space
			}
			cur = append(cur, wd)
			curW += ww
		}
		if len(cur) > 0 {
			flush()
		}
	}
}

func (d *doc) cover(rec record.Record) {
	d.page()
	p := d.pdf
	title := "Clinical record"
	if rec.Scope == record.ScopePractice {
		title = "Clinical records of the practice"
	}
	d.para(title, true, 22, 0)
	d.para(fmt.Sprintf("Exported %s by CalmAlly Practice %s", when(rec.ExportedAt), rec.AppVersion), false, smallSize, 0)
	d.gap(10)
	d.rule()
	if rec.Scope == record.ScopeClient && len(rec.Clients) == 1 {
		c := rec.Clients[0]
		d.heading("Client", 13)
		d.para(c.Name, true, 16, 0)
		d.clientDetails(c)
	} else {
		d.heading("Clients", 13)
		for _, c := range rec.Clients {
			d.para(c.Name+"\x00 — born "+c.DateOfBirth+", id "+c.ID, false, bodySize, 0)
		}
	}
	d.rule()
	d.heading("Practitioner", 13)
	pr := rec.Practitioner
	d.field("Name", pr.Name)
	d.field("Council", pr.Council)
	d.field("Registration number", pr.Registration)
	d.heading("Practice", 13)
	d.field("Name", rec.Organization.Name)
	d.field("Address", rec.Organization.Address)
	d.field("Phone", rec.Organization.Phone)
	d.field("E-mail", rec.Organization.Email)
	d.rule()
	d.heading("About this export", 13)
	c := rec.Count()
	d.field("Contents", fmt.Sprintf("%d notes, %d addenda, %d consent records, %d sessions", c.Notes, c.Addenda, c.Consents, c.Sessions))
	if rec.IncludePsychotherapy {
		d.field("Psychotherapy notes", "included at the practitioner's explicit request; each is marked")
	} else {
		d.field("Psychotherapy notes", "not included")
	}
	d.field("Bundle id", rec.ID)
	if len(rec.Withheld) > 0 {
		d.heading("Withheld", 11)
		for _, w := range rec.Withheld {
			s := w.What
			if w.Count > 0 {
				s = fmt.Sprintf("%s (%d)", w.What, w.Count)
			}
			d.para("• "+s+": \x00"+w.Reason, false, bodySize, 8)
		}
		d.gap(4)
		d.para("Where information is withheld, the client may apply to the Mental Health Review Board for its release (Mental Healthcare Act 2017, section 25).", false, smallSize, 0)
	}
	p.SetTextColor(0, 0, 0)
}

func (d *doc) clientDetails(c record.Client) {
	d.field("Preferred name", c.PreferredName)
	d.field("Date of birth", c.DateOfBirth)
	d.field("Gender", c.Gender)
	d.field("Phone", c.Phone)
	d.field("E-mail", c.Email)
	d.field("Language", c.Language)
	if ec := c.EmergencyContact; ec != (record.EmergencyContact{}) {
		s := ec.Name
		if ec.Relationship != "" {
			s += " (" + ec.Relationship + ")"
		}
		d.field("Emergency contact", strings.TrimSpace(s+" "+ec.Phone))
	}
	d.field("Presenting concerns", c.PresentingConcerns)
	d.field("Treatment preferences", c.TreatmentPreferences)
	d.field("Status", c.Status)
	d.field("Client id", c.ID)
}

func (d *doc) note(n record.Note) {
	d.need(90)
	d.gap(6)
	d.rule()
	if n.Kind == record.KindPsychotherapy {
		d.pdf.SetTextColor(150, 20, 20)
		d.para("PSYCHOTHERAPY NOTE — restricted: the practitioner's process notes, included on request", true, smallSize, 0)
		d.pdf.SetTextColor(0, 0, 0)
	}
	title := n.Title
	if title == "" {
		title = "Session note"
	}
	d.para(day(n.SessionDate)+" — "+title, true, 12.5, 0)
	meta := n.Template.Name + " note"
	if n.Signed() {
		meta += " · signed " + when(n.SignedAt) + " by " + n.SignedBy
	} else {
		meta += " · DRAFT, not signed"
	}
	d.pdf.SetTextColor(90, 90, 90)
	d.para(meta, false, smallSize, 0)
	d.pdf.SetTextColor(0, 0, 0)
	d.gap(4)
	for _, k := range keys(n) {
		v := n.Sections[k]
		if strings.TrimSpace(v) == "" {
			continue
		}
		d.need(40)
		d.para(n.Template.Label(k), true, bodySize, 0)
		d.para(v, false, bodySize, 0)
		d.gap(4)
	}
	if n.Signed() {
		d.pdf.SetTextColor(90, 90, 90)
		d.para(fmt.Sprintf("Signature: SHA-256 %x", n.SignedHash), false, smallSize, 0)
		d.pdf.SetTextColor(0, 0, 0)
	}
	for i, a := range n.Addenda {
		d.gap(4)
		d.need(50)
		d.para(fmt.Sprintf("Addendum %d — signed %s by %s", i+1, when(a.SignedAt), a.SignedBy), true, bodySize, 14)
		d.para(a.Body, false, bodySize, 14)
		d.pdf.SetTextColor(90, 90, 90)
		d.para(fmt.Sprintf("Signature: SHA-256 %x", a.SignedHash), false, smallSize, 14)
		d.pdf.SetTextColor(0, 0, 0)
	}
}

// keys is the template's order, then any other sections present.
func keys(n record.Note) []string {
	out := n.Template.Keys()
	seen := map[string]bool{}
	for _, k := range out {
		seen[k] = true
	}
	var extra []string
	for k := range n.Sections {
		if !seen[k] {
			extra = append(extra, k)
		}
	}
	sortStrings(extra)
	return append(out, extra...)
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
