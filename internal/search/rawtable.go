package search

import (
	"encoding/binary"
	"hash/maphash"
	"math/bits"
	"math/rand/v2"
)

// A rawTable interns the chunks of text a build worker meets — runs of
// bytes between separators, as written, before folding — and counts each
// chunk in the current document. Notes repeat their words endlessly, so a
// worker folds each distinct spelling once and afterwards pays one hash and
// one probe per word. The table is open-addressed, pointer-free and compact:
// a chunk of up to sixteen bytes (nearly every English word, most Hindi ones)
// is recognised from its slot alone, and its count lives in the same slot,
// so a word costs at most one cache miss.
type rawTable struct {
	seed    maphash.Seed // for chunks longer than a slot's head
	k0, k1  uint64       // for the others
	slots   []rawSlot
	text    []byte   // every chunk, for comparing the long ones and for growing
	n       int      // chunks in the table
	touched []uint32 // slots with a count in the current document
}

type rawSlot struct {
	meta  uint64 // tag << 32 | (offset of the chunk in text + 1); 0 is empty. The tag's low byte is the chunk's length.
	head  head   // the chunk's first sixteen bytes, zero-padded
	terms uint32 // what the chunk folds to: see builder.termsOf
	count uint32 // occurrences in the current document's body
}

// head is a struct rather than an array so that the compiler keeps it in
// registers.
type head struct{ lo, hi uint64 }

const (
	headLen = 16 // how many of a chunk's bytes its head holds
	rawMax  = 64 // longer chunks are folded every time rather than interned
)

func newRawTable() *rawTable {
	return &rawTable{seed: maphash.MakeSeed(), k0: rand.Uint64(), k1: rand.Uint64(), slots: make([]rawSlot, 1<<12)}
}

// le32 reads four bytes of s from i, little-endian, in one load.
func le32(s string, i int) uint32 {
	s = s[i : i+4]
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
}

// headCopy returns the head of a chunk near the end of its text.
func headCopy(chunk string) head {
	var b [headLen]byte
	copy(b[:], chunk)
	return head{binary.LittleEndian.Uint64(b[:8]), binary.LittleEndian.Uint64(b[8:])}
}

// le64 reads eight bytes of s from i, little-endian; the compiler makes it
// one load.
func le64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// hashHead hashes a chunk of n ≤ headLen bytes from its head alone: two
// multiply-mixes cost less than a call into maphash, which hashes the longer
// chunks (and gives bytes and strings of the same content the same hash).
func (t *rawTable) hashHead(h head, n int) uint64 {
	return mix(mix(h.lo^t.k0, h.hi^t.k1), t.k1^uint64(n))
}

func mix(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

func (t *rawTable) len() int { return t.n }

// chunk returns the bytes of the chunk in slot s. They are found from the
// slot alone, so comparing a long chunk costs one cache miss, not two.
func (t *rawTable) chunk(s *rawSlot) []byte {
	off := uint32(s.meta) - 1
	return t.text[off : off+uint32(s.meta>>32&0xFF)]
}

// A probe is where find looked for a chunk: its slot, and the chunk's tag
// and head, which insert needs if the slot was empty.
type probe struct {
	slot int
	tag  uint64
	head head
}

// find returns the slot of the chunk text[i:j] (at most rawMax bytes), and
// whether it was there. If it was not, the slot is empty, for insert, and
// the table has room for it. This is the build's hottest code: nothing in
// it is a call unless the chunk is long.
func (t *rawTable) find(text string, i, j int) (probe, bool) {
	// The head: where sixteen bytes of text follow i, two loads, masked.
	var hd head
	if n := j - i; i+headLen <= len(text) {
		hd = head{le64(text, i), le64(text, i+8)}
		switch {
		case n < 8:
			hd.lo &= 1<<(8*n) - 1
			hd.hi = 0
		case n < headLen:
			hd.hi &= 1<<(8*(n-8)) - 1
		}
	} else {
		hd = headCopy(text[i:j])
	}
	var h uint64
	if j-i <= headLen {
		h = t.hashHead(hd, j-i)
	} else {
		h = maphash.String(t.seed, text[i:j])
	}
	tag := (h>>32)&^0xFF | uint64(j-i)
	mask := uint64(len(t.slots) - 1)
	for k := h & mask; ; k = (k + 1) & mask {
		s := &t.slots[k]
		if s.meta>>32 == tag && s.head == hd && (j-i <= headLen || string(t.chunk(s)) == text[i:j]) {
			return probe{int(k), tag, hd}, true
		}
		if s.meta == 0 { // no tag is 0: a chunk is never empty
			if 4*(t.len()+1) > 3*len(t.slots) { // at most 3/4 full: a smaller table misses the cache less
				t.grow()
				return t.find(text, i, j)
			}
			return probe{int(k), tag, hd}, false
		}
	}
}

// insert fills the empty slot that find returned for chunk with what it
// folds to.
func (t *rawTable) insert(p probe, chunk string, terms uint32) {
	off := uint32(len(t.text))
	t.text = append(t.text, chunk...)
	t.n++
	t.slots[p.slot] = rawSlot{meta: p.tag<<32 | uint64(off+1), head: p.head, terms: terms}
}

// grow doubles the table, carrying the current document's counts along.
func (t *rawTable) grow() {
	old := t.slots
	t.slots = make([]rawSlot, 2*len(old))
	t.touched = t.touched[:0]
	mask := uint64(len(t.slots) - 1)
	for _, s := range old {
		if s.meta == 0 {
			continue
		}
		c := t.chunk(&s)
		h := t.hashHead(s.head, len(c))
		if len(c) > headLen {
			h = maphash.Bytes(t.seed, c)
		}
		i := h & mask
		for t.slots[i].meta != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = s
		if s.count != 0 {
			t.touched = append(t.touched, uint32(i))
		}
	}
}
