package search

import (
	"bytes"
	"hash/maphash"
)

// termTable gives each distinct term a dense id, with the terms in one arena.
// It stands in for a map[string]uint32 in the build workers, where a lookup
// per word is the hottest path: it allocates nothing per term, keeps the
// slots pointer-free and compact, and compares bytes only on a tag match.
type termTable struct {
	seed  maphash.Seed
	slots []uint64 // hash tag << 32 | (id + 1); 0 is empty
	text  []byte
	start []uint32 // id → offset in text; start[n] == len(text)
}

func newTermTable() *termTable {
	return &termTable{seed: maphash.MakeSeed(), slots: make([]uint64, 1<<12), start: []uint32{0}}
}

func (t *termTable) len() int { return len(t.start) - 1 }

func (t *termTable) term(id uint32) []byte { return t.text[t.start[id]:t.start[id+1]] }

// id returns term's id, adding it if new.
func (t *termTable) id(term []byte) (id uint32, added bool) {
	h := maphash.Bytes(t.seed, term)
	tag := h >> 32
	mask := uint64(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := t.slots[i]
		if s == 0 {
			id = uint32(t.len())
			t.text = append(t.text, term...)
			t.start = append(t.start, uint32(len(t.text)))
			t.slots[i] = tag<<32 | uint64(id+1)
			if 2*t.len() > len(t.slots) {
				t.grow()
			}
			return id, true
		}
		if s>>32 == tag {
			if id := uint32(s) - 1; bytes.Equal(t.term(id), term) {
				return id, false
			}
		}
	}
}

func (t *termTable) grow() {
	t.slots = make([]uint64, 2*len(t.slots))
	mask := uint64(len(t.slots) - 1)
	for id := range uint32(t.len()) {
		h := maphash.Bytes(t.seed, t.term(id))
		i := h & mask
		for t.slots[i] != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = h>>32<<32 | uint64(id+1)
	}
}
