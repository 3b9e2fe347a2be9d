package search

import (
	"math/bits"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Snippet geometry, in runes.
const (
	snippetRunes = 160 // the whole window
	snippetSpan  = 120 // the most a window's matches may span
	snippetLead  = 40  // context kept before the first match
	snapRunes    = 20  // how far to look for a space to cut at
	maxAnchors   = 64  // matches considered when choosing the window
)

const ellipsis = "…"

// match is a word of the original text that matches query word term;
// [start, end) is the part to highlight.
type match struct{ start, end, term int }

// A highlighter finds the query's words in original text and cuts snippets.
// It folds the text again, tracking where each folded byte came from, so
// highlights land on the original bytes even where folding changed lengths
// (é → e, ß → ss, precomposed nukta letters).
type highlighter struct {
	qs []qterm
	s  scanner
	ms []match
}

func (h *highlighter) reset(qs []qterm) {
	h.qs = qs
	h.s.track = true
}

func (h *highlighter) matches(text string) []match {
	h.ms = h.ms[:0]
	h.s.scan(text, func(term []byte, start, end int) {
		best, bestLen := -1, 0
		for i, q := range h.qs {
			if string(term) == q.text {
				best, bestLen = i, len(term)
				break
			}
			if q.prefix && len(q.text) > bestLen && len(term) > len(q.text) && string(term[:len(q.text)]) == q.text {
				best, bestLen = i, len(q.text)
			}
		}
		if best < 0 {
			return
		}
		e := end
		if bestLen < len(term) {
			// Highlight only the typed part: up to the first original byte
			// whose folding completes the query word, then to the end of
			// that letter's marks and conjunct.
			for _, bd := range h.s.bounds {
				if bd.folded >= bestLen {
					e = min(graphemeEnd(text, bd.orig), end)
					break
				}
			}
		}
		if n := len(h.ms); n > 0 && start < h.ms[n-1].end {
			// Two terms from one original character (½ → 1, 2).
			h.ms[n-1].end = max(h.ms[n-1].end, e)
			return
		}
		h.ms = append(h.ms, match{start, e, best})
	})
	return h.ms
}

// all returns the highlights of every match in text.
func (h *highlighter) all(text string) [][2]int {
	var out [][2]int
	for _, m := range h.matches(validUTF8(text)) {
		out = append(out, [2]int{m.start, m.end})
	}
	return out
}

// snippet returns a window of body around its best match, with highlights.
// The best window holds the most distinct query words, then the most
// matches, then comes first.
func (h *highlighter) snippet(body string) (string, [][2]int) {
	ms := h.matches(body)
	if utf8.RuneCountInString(body) <= snippetRunes {
		return window(body, 0, len(body), ms)
	}
	if len(ms) == 0 {
		return window(body, 0, cutEnd(body, 0, snippetRunes, 0), nil)
	}
	all := ms
	if len(ms) > maxAnchors {
		ms = ms[:maxAnchors]
	}
	// Rune offsets of each match's start and end.
	rs, re := make([]int, len(ms)), make([]int, len(ms))
	pos, n := 0, 0
	for i, m := range ms {
		n += utf8.RuneCountInString(body[pos:m.start])
		pos, rs[i] = m.start, n
	}
	pos, n = 0, 0
	for i, m := range ms {
		if m.end > pos {
			n += utf8.RuneCountInString(body[pos:m.end])
			pos = m.end
		}
		re[i] = n
	}
	best, last, bestTerms, bestCount := 0, 0, 0, 0
	for i := range ms {
		var seen uint32
		j := i
		for ; j < len(ms) && re[j]-rs[i] <= snippetSpan; j++ {
			seen |= 1 << ms[j].term
		}
		if j == i { // one word longer than the span
			j, seen = i+1, 1<<ms[i].term
		}
		if t := bits.OnesCount32(seen); t > bestTerms || t == bestTerms && j-i > bestCount {
			best, last, bestTerms, bestCount = i, j-1, t, j-i
		}
	}
	start := cutStart(body, ms[best].start, snippetLead)
	end := cutEnd(body, start, snippetRunes, ms[last].end)
	return window(body, start, end, all)
}

// window returns body[start:end] as a snippet, with ellipses where it was cut
// and the highlights of the matches that lie wholly inside it.
func window(body string, start, end int, ms []match) (string, [][2]int) {
	var sb strings.Builder
	if start > 0 {
		sb.WriteString(ellipsis)
	}
	shift := sb.Len() - start
	// Line breaks and tabs become spaces, byte for byte, so offsets hold.
	for i := start; i < end; i++ {
		c := body[i]
		if c < 0x20 || c == 0x7F {
			c = ' '
		}
		sb.WriteByte(c)
	}
	if end < len(body) {
		sb.WriteString(ellipsis)
	}
	var hl [][2]int
	for _, m := range ms {
		if m.start >= start && m.end <= end {
			hl = append(hl, [2]int{m.start + shift, m.end + shift})
		}
	}
	return sb.String(), hl
}

// cutStart returns where to start a window that keeps about lead runes
// before at: just after a space if one is near, else on a grapheme boundary.
func cutStart(s string, at, lead int) int {
	p := at
	for i := 0; i < lead && p > 0; i++ {
		_, size := utf8.DecodeLastRuneInString(s[:p])
		p -= size
	}
	if p == 0 {
		return 0
	}
	q := p
	for i := 0; i < snapRunes && q < at; i++ {
		r, size := utf8.DecodeRuneInString(s[q:])
		q += size
		if unicode.IsSpace(r) {
			return q
		}
	}
	return graphemeStart(s, p)
}

// cutEnd returns where to end a window of about runes runes from start that
// reaches at least keep: just before a space if one is near, else on a
// grapheme boundary.
func cutEnd(s string, start, runes, keep int) int {
	p := start
	for i := 0; i < runes && p < len(s); i++ {
		_, size := utf8.DecodeRuneInString(s[p:])
		p += size
	}
	if p >= len(s) {
		return len(s)
	}
	if p < keep {
		p = keep
	}
	q := p
	for i := 0; i < snapRunes && q > keep; i++ {
		r, size := utf8.DecodeLastRuneInString(s[:q])
		if unicode.IsSpace(r) {
			return q - size
		}
		q -= size
	}
	return graphemeEnd(s, p)
}

// joinsNext reports whether a letter after prev belongs to prev's grapheme:
// after a virama (an Indic conjunct such as क्ष) or a zero-width joiner.
func joinsNext(prev, r rune) bool {
	return (isVirama(prev) || prev == 0x200D) && unicode.IsLetter(r)
}

func isVirama(r rune) bool {
	// Each Brahmic block from Devanagari to Malayalam puts its virama at
	// offset 0x4D; Sinhala's is U+0DCA.
	return (r >= 0x0900 && r <= 0x0D7F && r&0x7F == 0x4D) || r == 0x0DCA
}

// extends reports whether r continues the grapheme before it.
func extends(r rune) bool {
	return unicode.Is(unicode.M, r) || r == 0x200C || r == 0x200D || (r >= 0x1F3FB && r <= 0x1F3FF)
}

// graphemeEnd moves p forward past marks and joined letters, so that a cut
// at p never separates a letter from its matras or splits a conjunct.
func graphemeEnd(s string, p int) int {
	for p > 0 && p < len(s) {
		r, size := utf8.DecodeRuneInString(s[p:])
		prev, _ := utf8.DecodeLastRuneInString(s[:p])
		if !extends(r) && !joinsNext(prev, r) {
			break
		}
		p += size
	}
	return p
}

// graphemeStart moves p back to the start of the grapheme it falls in.
func graphemeStart(s string, p int) int {
	for p > 0 && p < len(s) {
		r, _ := utf8.DecodeRuneInString(s[p:])
		prev, size := utf8.DecodeLastRuneInString(s[:p])
		if !extends(r) && !joinsNext(prev, r) {
			break
		}
		p -= size
	}
	return p
}
