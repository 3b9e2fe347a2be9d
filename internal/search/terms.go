package search

import (
	"bytes"
	"encoding/binary"
	"hash/maphash"
)

// termTable gives each distinct term a dense id, with the terms in one arena.
// It stands in for a map[string]uint32 in the build workers, where a lookup
// per word is the hottest path: it allocates nothing per term, keeps the
// slots pointer-free and compact, and compares bytes only on a tag match.
type termTable struct {
	seed  maphash.Seed
	slots []slot
	text  []byte
	start []uint32 // id → offset in text; start[n] == len(text)
}

// A slot holds a hash tag, the term's length and its first sixteen bytes, so
// that a term of up to sixteen bytes (nearly every English word, most Hindi
// ones) is recognised without reading the arena.
type slot struct {
	meta uint64 // tag << 32 | (id + 1); 0 is empty. The tag's low byte is the term's length.
	head head   // the term's first sixteen bytes, zero-padded
}

type head [2]uint64

// headLen is how many of a term's bytes its head holds.
const headLen = 16

func newTermTable() *termTable {
	return &termTable{seed: maphash.MakeSeed(), slots: make([]slot, 1<<12), start: []uint32{0}}
}

func tagOf(h uint64, term []byte) uint64 { return (h>>32)&^0xFF | uint64(min(len(term), 0xFF)) }

func headOf(term []byte) head {
	if len(term) >= headLen {
		return head{binary.LittleEndian.Uint64(term), binary.LittleEndian.Uint64(term[8:])}
	}
	var b [headLen]byte
	copy(b[:], term)
	return head{binary.LittleEndian.Uint64(b[:]), binary.LittleEndian.Uint64(b[8:])}
}

func (t *termTable) len() int { return len(t.start) - 1 }

func (t *termTable) term(id uint32) []byte { return t.text[t.start[id]:t.start[id+1]] }

// id returns term's id, adding it if new.
func (t *termTable) id(term []byte) (id uint32, added bool) {
	h := maphash.Bytes(t.seed, term)
	tag, head := tagOf(h, term), headOf(term)
	mask := uint64(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.meta == 0 {
			id = uint32(t.len())
			t.text = append(t.text, term...)
			t.start = append(t.start, uint32(len(t.text)))
			*s = slot{tag<<32 | uint64(id+1), head}
			if 4*t.len() > 3*len(t.slots) { // at most 3/4 full: a smaller table misses the cache less
				t.grow()
			}
			return id, true
		}
		if s.meta>>32 == tag && s.head == head {
			id := uint32(s.meta) - 1
			if len(term) <= headLen || bytes.Equal(t.term(id), term) {
				return id, false
			}
		}
	}
}

func (t *termTable) grow() {
	t.slots = make([]slot, 2*len(t.slots))
	mask := uint64(len(t.slots) - 1)
	for id := range uint32(t.len()) {
		term := t.term(id)
		h := maphash.Bytes(t.seed, term)
		i := h & mask
		for t.slots[i].meta != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = slot{tagOf(h, term)<<32 | uint64(id+1), headOf(term)}
	}
}
