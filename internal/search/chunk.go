package search

import (
	"math/bits"
	"sync"
	"unicode/utf8"
)

// Chunking: the part of the build that reads every byte of every note. A
// chunk is a run of text between separators that NFKD leaves alone; each is
// looked up as written in the worker's raw table (see builder).

// field counts the words of one field of the current document, and reports
// whether the text was valid UTF-8.
func (b *builder) field(text string, title bool) (words uint32, valid bool) {
	valid = true
	seps := chunkSeps()
	t := b.raw
	for i := 0; i < len(text); {
		// A chunk runs to the next separator. This loop sees every byte
		// of every word, so the three-byte form that all the Indic scripts
		// are written in is decoded inline.
		j := i
		for j < len(text) {
			c := text[j]
			if c < utf8.RuneSelf {
				if asciiFold[c] == 0 {
					break
				}
				// The rest of a run of ASCII letters and digits, eight
				// bytes at a time.
				for j++; j+8 <= len(text); j += 8 {
					if stops := asciiStops(le64(text, j)); stops != 0 {
						j += bits.TrailingZeros64(stops) >> 3
						break
					}
				}
				continue
			}
			// A rune from U+0800 to U+0FFF — the Indic scripts from
			// Devanagari to Sinhala — is E0 and two continuation bytes.
			if j+4 <= len(text) {
				if v := le32(text, j); v&0xC0C0FF == 0x8080E0 {
					if r := (v>>2)&0xFC0 | (v>>16)&0x3F; r >= 0x800 { // below is an overlong form
						if seps[r] {
							break
						}
						j += 3
						continue
					}
				}
			}
			// Passing j in and taking it back keeps it out of the
			// registers this call spills, so the loop above stays
			// free of stores.
			var sep bool
			if j, sep = runeStep(seps, text, j); sep {
				break
			}
		}
		if j == i { // text[i] is a separator: skip it
			if text[i] < utf8.RuneSelf {
				i++
			} else {
				size, _ := runeAt(seps, text, i)
				if size == 1 {
					valid = false // an invalid byte: a separator, as the U+FFFD that replaces it is
				}
				i += size
			}
			continue
		}
		// Nearly every word is a body chunk of at most headLen bytes that
		// was seen before: count it here, making no call, because a Go call
		// makes the caller spill every live register. Anything else goes
		// to chunk.
		if n := j - i; !title && n <= headLen && i+headLen <= len(text) {
			hd := head{le64(text, i), le64(text, i+8)}
			switch {
			case n < 8:
				hd.lo &= 1<<(8*n) - 1
				hd.hi = 0
			case n < headLen:
				hd.hi &= 1<<(8*(n-8)) - 1
			}
			h := t.hashHead(hd, n)
			tag := (h>>32)&^0xFF | uint64(n)
			mask := uint64(len(t.slots) - 1)
			k := h & mask
			for t.slots[k].meta>>32 != tag || t.slots[k].head != hd {
				if t.slots[k].meta == 0 {
					break
				}
				k = (k + 1) & mask
			}
			if s := &t.slots[k]; s.meta != 0 {
				if s.count == 0 {
					t.touched = append(t.touched, uint32(k))
				}
				s.count++
				if s.terms&multiBit == 0 {
					words++
				} else {
					words += b.multi[s.terms&^multiBit]
				}
				i = j
				continue
			}
		}
		words += b.chunk(text, i, j, title)
		i = j
	}
	return words, valid
}

// asciiStops marks with its high bit each byte of w (eight bytes of text,
// little-endian) that is not an ASCII letter or digit: the bytes that
// asciiFold maps to 0, and every byte of a multi-byte rune. Each byte is
// compared with the ranges on its own seven low bits, which cannot carry
// into the next byte.
func asciiStops(w uint64) uint64 {
	const ones, high = 0x0101010101010101, 0x8080808080808080
	x := w &^ high
	digit := (x + ones*(0x80-'0')) &^ (x + ones*(0x7F-'9'))
	l := x | ones*0x20 // upper case to lower; only letters land in a–z
	letter := (l + ones*(0x80-'a')) &^ (l + ones*(0x7F-'z'))
	return (^(digit | letter) | w) & high
}

// runeStep returns i past the rune at text[i] ≥ 0x80, or i itself and true
// if that rune ends a chunk.
func runeStep(seps *[tableSize]bool, text string, i int) (int, bool) {
	size, sep := runeAt(seps, text, i)
	if sep {
		return i, true
	}
	return i + size, false
}

// runeAt returns the size of the rune at text[i] ≥ 0x80 and whether it ends
// a chunk. An invalid byte has size 1 and ends one.
func runeAt(seps *[tableSize]bool, text string, i int) (size int, sep bool) {
	r, size := utf8.DecodeRuneInString(text[i:])
	switch {
	case size == 1:
		return 1, true
	case r < tableSize:
		return size, seps[r]
	}
	info := computeInfo(r)
	return size, info.class == sepRune && !info.decomp
}

// chunk counts text[i:j] and returns how many words it holds.
func (b *builder) chunk(text string, i, j int, title bool) uint32 {
	if j-i > rawMax {
		// Rare, and not worth a slot: fold it here and now.
		b.folded = b.folded[:0]
		b.s.scan(text[i:j], b.onTerm)
		for _, id := range b.folded {
			b.add(id, boolUint(!title), title)
		}
		return uint32(len(b.folded))
	}
	p, found := b.raw.find(text, i, j)
	if !found {
		b.raw.insert(p, text[i:j], b.fold(text[i:j]))
	}
	s := &b.raw.slots[p.slot]
	if title {
		for _, id := range b.termsOf(s.terms) {
			b.add(id, 0, true)
		}
	} else {
		if s.count == 0 {
			b.raw.touched = append(b.raw.touched, uint32(p.slot))
		}
		s.count++
	}
	if s.terms&multiBit == 0 {
		return 1
	}
	return b.multi[s.terms&^multiBit]
}

func boolUint(v bool) uint32 {
	if v {
		return 1
	}
	return 0
}

// chunkSeps marks, for the runes of the scanner's table, those that end a
// chunk: separators that NFKD leaves alone. A separator that decomposes
// (⑴ is "(1)") stays inside its chunk for the scanner to split.
var chunkSeps = sync.OnceValue(func() *[tableSize]bool {
	var t [tableSize]bool
	tab := runeTable()
	for r := range rune(tableSize) {
		t[r] = tab[r].class == sepRune && !tab[r].decomp
	}
	return &t
})
