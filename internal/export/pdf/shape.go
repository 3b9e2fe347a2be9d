package pdf

import (
	"bytes"
	_ "embed"
	"fmt"
	"sync"
	"unicode"

	"github.com/go-pdf/fpdf"
	"github.com/go-text/typesetting/di"
	"github.com/go-text/typesetting/font"
	"github.com/go-text/typesetting/font/opentype"
	"github.com/go-text/typesetting/language"
	"github.com/go-text/typesetting/shaping"
	"golang.org/x/image/math/fixed"
)

// Latin, Greek, Cyrillic and punctuation go through fpdf's own UTF-8 font
// support (text stays selectable and searchable). Devanagari needs complex
// shaping (conjuncts, reordered vowel signs, reph), which fpdf does not do, so
// Devanagari runs are shaped with go-text/typesetting (a Go port of HarfBuzz)
// and drawn as filled glyph outlines. Both fonts are embedded: the binary
// never reads system fonts.

var (
	//go:embed fonts/NotoSans-Regular.ttf
	latinRegular []byte
	//go:embed fonts/NotoSans-Bold.ttf
	latinBold []byte
	//go:embed fonts/NotoSansDevanagari-Regular.ttf
	devaRegular []byte
	//go:embed fonts/NotoSansDevanagari-Bold.ttf
	devaBold []byte
)

type faces struct {
	regular, bold *font.Face
}

var (
	devaOnce  sync.Once
	devaFaces faces
	devaErr   error
)

func devanagari() (faces, error) {
	devaOnce.Do(func() {
		r, err := font.ParseTTF(bytes.NewReader(devaRegular))
		if err != nil {
			devaErr = fmt.Errorf("pdf: load Devanagari font: %w", err)
			return
		}
		b, err := font.ParseTTF(bytes.NewReader(devaBold))
		if err != nil {
			devaErr = fmt.Errorf("pdf: load Devanagari font: %w", err)
			return
		}
		devaFaces = faces{r, b}
	})
	return devaFaces, devaErr
}

// isShaped reports whether r is drawn through the shaper: the Devanagari
// blocks, and the joiners that only matter inside them.
func isShaped(r rune) bool {
	return unicode.Is(unicode.Devanagari, r) || r >= 0xA8E0 && r <= 0xA8FF || r == 0x200C || r == 0x200D
}

// run is a piece of text in one rendering path.
type run struct {
	text   string
	shaped bool
}

// splitRuns cuts s where it changes between shaped and fpdf text. Spaces,
// digits and punctuation between two Devanagari letters stay with them.
func splitRuns(s string) []run {
	var out []run
	rs := []rune(s)
	start := 0
	cur := false
	for i, r := range rs {
		sh := isShaped(r)
		neutral := unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsDigit(r)
		if i == 0 {
			cur = sh
			continue
		}
		if neutral || sh == cur {
			continue
		}
		out = append(out, run{string(rs[start:i]), cur})
		start, cur = i, sh
	}
	if len(rs) > 0 {
		out = append(out, run{string(rs[start:]), cur})
	}
	return out
}

// shaper shapes and caches Devanagari runs at one font size.
type shaper struct {
	hb    shaping.HarfbuzzShaper
	cache map[shapeKey]shaping.Output
}

type shapeKey struct {
	text string
	bold bool
	size float64
}

func (s *shaper) shape(text string, bold bool, size float64) (shaping.Output, *font.Face, error) {
	fs, err := devanagari()
	if err != nil {
		return shaping.Output{}, nil, err
	}
	face := fs.regular
	if bold {
		face = fs.bold
	}
	k := shapeKey{text, bold, size}
	if out, ok := s.cache[k]; ok {
		return out, face, nil
	}
	rs := []rune(text)
	out := s.hb.Shape(shaping.Input{Text: rs, RunStart: 0, RunEnd: len(rs), Direction: di.DirectionLTR,
		Face: face, Size: fixed.Int26_6(size * 64), Script: language.Devanagari, Language: language.NewLanguage("hi")})
	if s.cache == nil {
		s.cache = map[shapeKey]shaping.Output{}
	}
	s.cache[k] = out
	return out, face, nil
}

func f26(v fixed.Int26_6) float64 { return float64(v) / 64 }

// width is the advance of a shaped run in points.
func (s *shaper) width(text string, bold bool, size float64) (float64, error) {
	out, _, err := s.shape(text, bold, size)
	if err != nil {
		return 0, err
	}
	return f26(out.Advance), nil
}

// draw fills the glyph outlines of text with the current fill colour, the
// pen at (x, baseline) in points (y grows downwards, as fpdf's does).
func (s *shaper) draw(pdf *fpdf.Fpdf, text string, bold bool, size, x, baseline float64) error {
	out, face, err := s.shape(text, bold, size)
	if err != nil {
		return err
	}
	scale := size / float64(face.Upem())
	pen := x
	for _, g := range out.Glyphs {
		gx := pen + f26(g.XOffset)
		gy := baseline - f26(g.YOffset)
		if o, ok := face.GlyphData(g.GlyphID).(font.GlyphOutline); ok && len(o.Segments) > 0 {
			for _, seg := range o.Segments {
				p := func(i int) (float64, float64) {
					return gx + float64(seg.Args[i].X)*scale, gy - float64(seg.Args[i].Y)*scale
				}
				switch seg.Op {
				case opentype.SegmentOpMoveTo:
					pdf.MoveTo(p(0))
				case opentype.SegmentOpLineTo:
					pdf.LineTo(p(0))
				case opentype.SegmentOpQuadTo:
					cx, cy := p(0)
					ex, ey := p(1)
					pdf.CurveTo(cx, cy, ex, ey)
				case opentype.SegmentOpCubeTo:
					c0x, c0y := p(0)
					c1x, c1y := p(1)
					ex, ey := p(2)
					pdf.CurveBezierCubicTo(c0x, c0y, c1x, c1y, ex, ey)
				}
			}
			pdf.ClosePath()
			pdf.DrawPath("F")
		}
		pen += f26(g.Advance)
	}
	return nil
}
