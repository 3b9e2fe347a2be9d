package search

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"slices"
	"strings"
)

// A builder is one build worker. It cuts each field into chunks — runs of
// text between separators — and looks each chunk up as written in its
// rawTable; only a chunk it has never seen is folded (by the same scanner
// that folds queries), into the terms of the builder's own dictionary.
// Folding a chunk alone gives the terms that folding the whole text gives
// there, because a separator that NFKD leaves alone always ends a word and
// the scanner carries nothing past it.
type builder struct {
	num int
	raw *rawTable

	// The builder's terms, by local id in order of first sight.
	text   []byte
	start  []uint32 // local id → offset in text; start[n] == len(text)
	ids    map[string]uint32
	cnt    []docCount // local id → its count in the current document
	sorted []uint32   // local ids by term, after sortTerms

	// What each chunk folds to, for a chunk that is not exactly one term:
	// a count, then that many local ids (repeats kept).
	multi []uint32

	doc      uint32   // stamp of the current document, from 1
	docTerms []uint32 // local ids in the current document
	recs     []uint32 // scratch for the current batch's records

	s      scanner
	folded []uint32 // scratch: the terms of the chunk being folded
	one    [1]uint32
	onTerm func([]byte, int, int)
}

// docCount is a term's count in document doc: its body frequency, with
// titleBit set if the title holds it.
type docCount struct{ doc, n uint32 }

// titleBit marks a count whose term is in the document's title. A word
// would have to occur 2³¹ times in one body, in over 2 GB of text, to reach
// it; the index's frequencies are 32-bit throughout.
const titleBit = 1 << 31

// multiBit marks a rawSlot.terms that is an index in multi rather than a
// single local id.
const multiBit = 1 << 31

func newBuilder(num int) *builder {
	b := &builder{num: num, raw: newRawTable(), start: []uint32{0}, ids: map[string]uint32{}}
	b.onTerm = func(term []byte, _, _ int) { b.folded = append(b.folded, b.termID(term)) }
	return b
}

// termID returns the local id of term, adding it if new.
func (b *builder) termID(term []byte) uint32 {
	if id, ok := b.ids[string(term)]; ok {
		return id
	}
	id := uint32(len(b.cnt))
	b.text = append(b.text, term...)
	b.start = append(b.start, uint32(len(b.text)))
	b.ids[string(term)] = id
	b.cnt = append(b.cnt, docCount{})
	return id
}

func (b *builder) term(id uint32) []byte { return b.text[b.start[id]:b.start[id+1]] }

// fold folds a chunk and returns what a rawSlot keeps of it.
func (b *builder) fold(chunk string) uint32 {
	b.folded = b.folded[:0]
	b.s.scan(chunk, b.onTerm)
	if len(b.folded) == 1 {
		return b.folded[0]
	}
	ref := multiBit | uint32(len(b.multi))
	b.multi = append(b.multi, uint32(len(b.folded)))
	b.multi = append(b.multi, b.folded...)
	return ref
}

// termsOf returns the local ids a chunk folds to. The slice is valid until
// the next call.
func (b *builder) termsOf(ref uint32) []uint32 {
	if ref&multiBit == 0 {
		b.one[0] = ref
		return b.one[:]
	}
	i := ref &^ multiBit
	return b.multi[i+1 : i+1+b.multi[i]]
}

// add counts n more occurrences of term id in the current document's body,
// and marks it as in the title if title is set.
func (b *builder) add(id, n uint32, title bool) {
	c := &b.cnt[id]
	if c.doc != b.doc {
		*c = docCount{doc: b.doc}
		b.docTerms = append(b.docTerms, id)
	}
	c.n += n
	if title {
		c.n |= titleBit
	}
}

func (b *builder) index(ctx context.Context, bt *batch) {
	bt.builder = b.num
	bt.lens = make([]uint32, 2*len(bt.docs))
	bt.ends = make([]uint32, len(bt.docs))
	b.recs = b.recs[:0]
	for k := range bt.docs {
		if k%32 == 0 && ctx.Err() != nil {
			return
		}
		d := &bt.docs[k]
		b.doc++
		var validTitle, validBody bool
		bt.lens[2*k+1], validTitle = b.field(d.Title, true)
		bt.lens[2*k], validBody = b.field(d.Body, false)
		// Invalid bytes are separators to the chunker, as U+FFFD is, so
		// the terms are those of the repaired text the index keeps.
		if !validTitle {
			d.Title = strings.ToValidUTF8(d.Title, "\uFFFD")
		}
		if !validBody {
			d.Body = strings.ToValidUTF8(d.Body, "\uFFFD")
		}
		b.endDoc()
		bt.ends[k] = uint32(len(b.recs))
	}
	// An exact copy: the records of every batch are held until the merge.
	bt.recs = slices.Clone(b.recs)
}

// endDoc adds up the current document's chunk counts by term and writes its
// records. It runs once per distinct word of every document, so the common
// case (a chunk that is one term) is written out rather than going through
// termsOf and add.
func (b *builder) endDoc() {
	slots, cnt, doc := b.raw.slots, b.cnt, b.doc
	for _, k := range b.raw.touched {
		s := &slots[k]
		n := s.count
		s.count = 0
		if s.terms&multiBit != 0 {
			for _, id := range b.termsOf(s.terms) {
				b.add(id, n, false)
			}
			continue
		}
		if c := &cnt[s.terms]; c.doc != doc {
			*c = docCount{doc: doc, n: n}
			b.docTerms = append(b.docTerms, s.terms)
		} else {
			c.n += n
		}
	}
	b.raw.touched = b.raw.touched[:0]
	for _, id := range b.docTerms {
		n := cnt[id].n
		b.recs = appendRecord(b.recs, id, n&^titleBit, n&titleBit != 0)
	}
	b.docTerms = b.docTerms[:0]
}

// sortTerms orders the builder's terms for the merge. Comparing by each
// term's first eight bytes, as a big-endian number, settles nearly every
// comparison without touching the arena; terms hold no NUL, so padding
// with zeros keeps a prefix ahead of its extensions.
func (b *builder) sortTerms() {
	type key struct {
		prefix uint64
		id     uint32
	}
	keys := make([]key, len(b.cnt))
	for id := range keys {
		var p [8]byte
		copy(p[:], b.term(uint32(id)))
		keys[id] = key{binary.BigEndian.Uint64(p[:]), uint32(id)}
	}
	slices.SortFunc(keys, func(x, y key) int {
		if c := cmp.Compare(x.prefix, y.prefix); c != 0 {
			return c
		}
		return bytes.Compare(b.term(x.id), b.term(y.id))
	})
	b.sorted = make([]uint32, len(keys))
	for i, k := range keys {
		b.sorted[i] = k.id
	}
	// Lookups are over: let the tables go before the merge allocates.
	b.wipeRaw()
	b.ids, b.cnt, b.multi = nil, nil, nil
}

// wipeRaw zeroes and drops the raw table: its arena and its slots' heads
// hold words as the notes spell them.
func (b *builder) wipeRaw() {
	if b.raw != nil {
		clear(b.raw.slots)
		clear(b.raw.text)
		b.raw = nil
	}
}

// wipe zeroes what the builder holds of the notes' words, as Clear does
// for the index, once the build no longer needs it, whether it succeeded
// or not. The ids map's keys are strings and cannot be wiped; they are
// folded terms, which the index holds too.
func (b *builder) wipe() {
	b.wipeRaw()
	clear(b.text)
	b.text, b.ids = nil, nil
}
