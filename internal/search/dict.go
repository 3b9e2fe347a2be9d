package search

import (
	"bytes"
	"slices"
	"sort"
)

// A plist is one term's postings: for each document that holds the term, in
// increasing document number, uvarint(delta<<1 | inTitle) then
// uvarint(body term frequency). delta is the gap from the previous document
// number (the first posting stores its number outright). Most postings take
// two or three bytes, which is what lets 50,000 notes fit the memory budget.
type plist struct {
	data []byte
	df   uint32 // postings, dead documents included
	last uint32 // document number of the last posting
}

func (p *plist) add(doc, tf uint32, title bool) {
	delta := doc
	if p.df > 0 {
		delta = doc - p.last
	}
	p.data = appendPosting(p.data, delta, tf, title)
	p.df++
	p.last = doc
}

func appendPosting(dst []byte, delta, tf uint32, title bool) []byte {
	v := uint64(delta) << 1
	if title {
		v |= 1
	}
	dst = appendUvarint(dst, v)
	return appendUvarint(dst, uint64(tf))
}

func appendUvarint(dst []byte, v uint64) []byte {
	for v >= 0x80 {
		dst = append(dst, byte(v)|0x80)
		v >>= 7
	}
	return append(dst, byte(v))
}

// postingReader decodes a plist. The data is built by this package only, so a
// malformed varint cannot occur; the reader still stops rather than loop or
// read out of range if one did.
type postingReader struct {
	data  []byte
	doc   uint32
	tf    uint32
	title bool
}

func (r *postingReader) next() bool {
	v, ok := r.uvarint()
	if !ok {
		return false
	}
	tf, ok := r.uvarint()
	if !ok {
		return false
	}
	r.doc += uint32(v >> 1)
	r.title = v&1 == 1
	r.tf = uint32(tf)
	return true
}

func (r *postingReader) uvarint() (uint64, bool) {
	var v uint64
	for shift := uint(0); shift < 64; shift += 7 {
		if len(r.data) == 0 {
			return 0, false
		}
		b := r.data[0]
		r.data = r.data[1:]
		v |= uint64(b&0x7F) << shift
		if b < 0x80 {
			return v, true
		}
	}
	return 0, false
}

// A dict is the term dictionary: every term's bytes in one arena (so the
// garbage collector has nothing to scan and Clear can wipe it), postings by
// term id, and the term ids in byte order for binary search. Term ids never
// change once given; order is kept sorted as terms are added.
type dict struct {
	text  []byte   // all terms, concatenated
	start []uint32 // term id → offset in text; start[len(post)] == len(text)
	post  []plist  // term id → postings
	order []uint32 // term ids sorted by term
}

func newDict() dict { return dict{start: []uint32{0}} }

func (d *dict) term(id uint32) []byte { return d.text[d.start[id]:d.start[id+1]] }

func (d *dict) termAt(pos int) []byte { return d.term(d.order[pos]) }

// appendTerm adds a term without placing it in order.
func (d *dict) appendTerm(t []byte) uint32 {
	id := uint32(len(d.post))
	d.text = append(d.text, t...)
	d.start = append(d.start, uint32(len(d.text)))
	d.post = append(d.post, plist{})
	return id
}

// search returns the position in order of the first term ≥ t, and whether it
// equals t.
func (d *dict) search(t []byte) (int, bool) {
	pos := sort.Search(len(d.order), func(i int) bool { return bytes.Compare(d.termAt(i), t) >= 0 })
	return pos, pos < len(d.order) && bytes.Equal(d.termAt(pos), t)
}

// prefixRange returns the positions [lo, hi) in order of the terms that
// start with p.
func (d *dict) prefixRange(p []byte) (lo, hi int) {
	lo, _ = d.search(p)
	n := sort.Search(len(d.order)-lo, func(i int) bool { return !bytes.HasPrefix(d.termAt(lo+i), p) })
	return lo, lo + n
}

// ensure returns the ids of terms (sorted, distinct), adding those not yet in
// the dictionary and merging them into order in one pass.
func (d *dict) ensure(terms []string) []uint32 {
	ids := make([]uint32, len(terms))
	type insertion struct {
		pos int
		id  uint32
	}
	var ins []insertion
	for k, t := range terms {
		pos, found := d.search([]byte(t))
		if found {
			ids[k] = d.order[pos]
			continue
		}
		ids[k] = d.appendTerm([]byte(t))
		ins = append(ins, insertion{pos, ids[k]})
	}
	if len(ins) == 0 {
		return ids
	}
	// Merge from the back so that no element moves twice. ins is sorted by
	// term and so by pos; equal positions keep their order.
	old := len(d.order)
	d.order = slices.Grow(d.order, len(ins))[:old+len(ins)]
	w, r := len(d.order)-1, old-1
	for x := len(ins) - 1; x >= 0; x-- {
		for r >= ins[x].pos {
			d.order[w] = d.order[r]
			w, r = w-1, r-1
		}
		d.order[w] = ins[x].id
		w--
	}
	return ids
}

// wipe zeroes the term arena. The arena is the one copy of the folded
// vocabulary of the notes that this package owns outright; the texts
// themselves are strings handed in by the caller and cannot be wiped.
func (d *dict) wipe() { clear(d.text) }
