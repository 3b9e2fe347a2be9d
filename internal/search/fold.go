package search

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// maxTermBytes bounds a term's folded length so that a pasted blob cannot
// bloat the dictionary. Longer words are indexed by their first maxTermBytes
// bytes, cut on a rune boundary; queries are cut the same way, so they still
// match.
const maxTermBytes = 64

// Rune classes for the scanner.
const (
	sepRune  = iota // ends a word
	wordRune        // letter, number or mark: part of a word and of its term
	skipRune        // Latin-style diacritic or format character: inside a word, left out of its term
)

// runeInfo is what the scanner needs to know of a rune.
type runeInfo struct {
	class  uint8
	ccc    uint8 // canonical combining class: the order of marks in NFKD
	decomp bool  // NFKD changes it
	fold   rune  // its folded form if that is one rune, else 0
}

// tableSize covers ASCII, Latin, Greek, Cyrillic, Arabic, all the Indic
// blocks, Latin Extended Additional and General Punctuation: almost every
// rune a practice in India writes is looked up rather than computed.
const tableSize = 0x2100

var runeTable = sync.OnceValue(func() *[tableSize]runeInfo {
	var t [tableSize]runeInfo
	for r := range rune(tableSize) {
		t[r] = computeInfo(r)
	}
	return &t
})

func computeInfo(r rune) runeInfo {
	var b [utf8.UTFMax]byte
	p := norm.NFKD.Properties(b[:utf8.EncodeRune(b[:], r)])
	hangul := r >= 0xAC00 && r <= 0xD7A3 // decomposed by algorithm, not by table
	info := runeInfo{class: classify(r), ccc: p.CCC(), decomp: p.Decomposition() != nil || hangul}
	if f := appendFolded(b[:0], r); utf8.RuneCount(f) == 1 {
		info.fold, _ = utf8.DecodeRune(f)
	}
	return info
}

func classify(r rune) uint8 {
	switch {
	case isDiacritic(r), unicode.Is(unicode.Cf, r):
		// Cf holds ZWJ/ZWNJ (used inside Indic conjuncts), soft hyphens and
		// bidi marks: none of them should split or change a word.
		return skipRune
	case unicode.IsLetter(r), unicode.IsNumber(r), unicode.IsMark(r):
		return wordRune
	}
	return sepRune
}

// isDiacritic reports whether r is one of the generic combining marks that
// NFKD splits off Latin, Greek and Cyrillic letters (é → e + U+0301). Only
// these are dropped: the Indic scripts' vowel signs, viramas and nuktas live
// in their own blocks and change the meaning of a word, so they are kept.
func isDiacritic(r rune) bool {
	return (r >= 0x0300 && r <= 0x036F) || (r >= 0x1AB0 && r <= 0x1AFF) ||
		(r >= 0x1DC0 && r <= 0x1DFF) || (r >= 0x20D0 && r <= 0x20FF) ||
		(r >= 0xFE20 && r <= 0xFE2F)
}

// isIndic reports whether r is in one of the Brahmic blocks from Devanagari
// to Sinhala, or in Devanagari Extended or Vedic Extensions.
func isIndic(r rune) bool {
	return (r >= 0x0900 && r <= 0x0DFF) || (r >= 0xA8E0 && r <= 0xA8FF) || (r >= 0x1CD0 && r <= 0x1CFF)
}

// appendFolded appends the folded form of one rune of NFKD text.
func appendFolded(dst []byte, r rune) []byte {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return append(dst, byte(r))
	}
	if isIndic(r) {
		// The Indic blocks are 0x80 apart and each puts its digit zero at
		// offset 0x66, so २०२४ and 2024 are the same term.
		if lo := r & 0x7F; r <= 0x0DFF && lo >= 0x66 && lo <= 0x6F {
			return append(dst, byte('0'+lo-0x66))
		}
		return utf8.AppendRune(dst, r)
	}
	switch r {
	case 'ß', 'ẞ':
		return append(dst, "ss"...)
	case 'æ', 'Æ':
		return append(dst, "ae"...)
	case 'œ', 'Œ':
		return append(dst, "oe"...)
	case 'ø', 'Ø':
		r = 'o'
	case 'ł', 'Ł':
		r = 'l'
	case 'đ', 'Đ':
		r = 'd'
	case 'ı':
		r = 'i'
	case 'ς':
		r = 'σ'
	}
	return utf8.AppendRune(dst, unicode.ToLower(r))
}

// asciiFold maps an ASCII byte to its folded form, or to 0 if it separates
// words.
var asciiFold = func() (t [utf8.RuneSelf]byte) {
	for c := range byte(utf8.RuneSelf) {
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
			t[c] = c
		case 'A' <= c && c <= 'Z':
			t[c] = c + 'a' - 'A'
		}
	}
	return t
}()

// bound records, for a word being scanned, that the first folded bytes of
// its term come from the original text up to byte orig.
type bound struct{ folded, orig int }

// A scanner splits text into words and folds each into a term: NFKD, Latin
// diacritics removed, lower case. Words are runs of letters, numbers and
// marks, so punctuation (including the Devanagari danda) and spaces separate
// them. It reuses its buffers between calls and is not safe for concurrent
// use.
//
// NFKD is applied rune by rune (each rune's full decomposition, then marks
// put in canonical order within the term), which is what NFKD is; doing it
// in place lets each folded byte be traced to the original rune it came
// from, and lets the common case — ASCII and Devanagari, already in NFKD —
// go by a table lookup.
type scanner struct {
	buf    []byte // the current word's term
	seg    []byte // one rune's decomposition
	track  bool   // whether to fill bounds
	bounds []bound

	inWord     bool
	full       bool // term reached maxTermBytes
	start, end int  // the current word in the original text
	markStart  int  // where the marks after the last starter begin in buf
	lastCCC    uint8
	emit       func(term []byte, start, end int)
}

// scan calls emit for each word of text, in order, with its term and its byte
// range in text. term aliases the scanner's buffer and s.bounds describes the
// word only during the call.
func (s *scanner) scan(text string, emit func(term []byte, start, end int)) {
	tab := runeTable()
	s.emit = emit
	s.inWord, s.buf, s.bounds = false, s.buf[:0], s.bounds[:0]
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			f := asciiFold[c]
			if f == 0 {
				s.flush()
				i++
				continue
			}
			// A run of ASCII letters and digits, in one loop.
			s.word(i)
			for {
				if !s.full {
					s.push(f, i+1)
				}
				i++
				if i == len(text) || text[i] >= utf8.RuneSelf {
					break
				}
				if f = asciiFold[text[i]]; f == 0 {
					break
				}
			}
			s.end = i
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		var info runeInfo
		if r < tableSize {
			info = tab[r]
		} else {
			info = computeInfo(r)
		}
		if !info.decomp {
			s.unit(r, info, i, i+size)
		} else {
			// Every rune of the decomposition maps back to the whole
			// original rune.
			s.seg = norm.NFKD.AppendString(s.seg[:0], text[i:i+size])
			for k := 0; k < len(s.seg); {
				r, n := utf8.DecodeRune(s.seg[k:])
				s.unit(r, lookup(tab, r), i, i+size)
				k += n
			}
		}
		i += size
	}
	s.flush()
	s.emit = nil
}

func lookup(tab *[tableSize]runeInfo, r rune) runeInfo {
	if r < tableSize {
		return tab[r]
	}
	return computeInfo(r)
}

func (s *scanner) word(at int) {
	if !s.inWord {
		s.inWord, s.full, s.start = true, false, at
		s.markStart, s.lastCCC = 0, 0
	}
}

// push appends a folded ASCII starter.
func (s *scanner) push(c byte, orig int) {
	if len(s.buf) == maxTermBytes {
		s.full = true
		return
	}
	s.buf = append(s.buf, c)
	s.markStart, s.lastCCC = len(s.buf), 0
	if s.track {
		s.bounds = append(s.bounds, bound{len(s.buf), orig})
	}
}

// unit handles one rune of NFKD text that came from text[os:oe].
func (s *scanner) unit(r rune, info runeInfo, os, oe int) {
	switch info.class {
	case skipRune:
		if s.inWord {
			s.end = oe
			if s.track && len(s.bounds) > 0 && !s.full {
				s.bounds[len(s.bounds)-1].orig = oe
			}
		}
	case wordRune:
		s.word(os)
		s.end = oe
		if s.full {
			return
		}
		if info.ccc != 0 && info.ccc < s.lastCCC {
			s.reorder(r, info.ccc, oe)
			return
		}
		n := len(s.buf)
		if info.fold != 0 {
			s.buf = utf8.AppendRune(s.buf, info.fold)
		} else {
			s.buf = appendFolded(s.buf, r)
		}
		if len(s.buf) > maxTermBytes {
			s.buf, s.full = s.buf[:n], true
			return
		}
		if info.ccc == 0 {
			s.markStart, s.lastCCC = len(s.buf), 0
		} else {
			s.lastCCC = info.ccc
		}
		if s.track {
			s.bounds = append(s.bounds, bound{len(s.buf), oe})
		}
	default:
		s.flush()
	}
}

// reorder inserts mark r among the marks after the last starter in canonical
// order, as NFKD requires (a nukta typed after a virama, say). The marks of
// one letter are highlighted together, so they share one bound.
func (s *scanner) reorder(r rune, ccc uint8, oe int) {
	tab := runeTable()
	var marks [32]rune
	n := 0
	for k := s.markStart; k < len(s.buf) && n < len(marks)-1; {
		m, size := utf8.DecodeRune(s.buf[k:])
		marks[n] = m
		n++
		k += size
	}
	at := n
	for at > 0 && lookup(tab, marks[at-1]).ccc > ccc {
		at--
	}
	copy(marks[at+1:n+1], marks[at:n])
	marks[at] = r
	n++
	s.buf = s.buf[:s.markStart]
	for _, m := range marks[:n] {
		if len(s.buf)+utf8.RuneLen(m) > maxTermBytes {
			s.full = true
			break
		}
		s.buf = utf8.AppendRune(s.buf, m)
	}
	s.lastCCC = lookup(tab, marks[n-1]).ccc
	if s.track {
		for len(s.bounds) > 0 && s.bounds[len(s.bounds)-1].folded > s.markStart {
			s.bounds = s.bounds[:len(s.bounds)-1]
		}
		s.bounds = append(s.bounds, bound{len(s.buf), oe})
	}
}

func (s *scanner) flush() {
	if !s.inWord {
		return
	}
	if len(s.buf) > 0 {
		s.emit(s.buf, s.start, s.end)
	}
	s.inWord, s.buf, s.bounds = false, s.buf[:0], s.bounds[:0]
}

// Fold returns the terms of text as the index sees them, in order: what a
// query or a document is reduced to before matching. It is exported for the
// UI and for tests; the index itself never keeps this form of a document.
func Fold(text string) []string {
	var s scanner
	var out []string
	s.scan(validUTF8(text), func(term []byte, _, _ int) { out = append(out, string(term)) })
	return out
}

// validUTF8 replaces invalid bytes so that every later slice of the text
// falls on rune boundaries. Valid text (nearly all) is returned unchanged,
// without a copy.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}
