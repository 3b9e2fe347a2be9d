package search

import (
	"bytes"
	"math/bits"
	"sync"
)

// Inversion: the workers leave, for each document, one record per distinct
// term (in their own term ids); the merge turns those into postings in two
// passes of counting sort, reading the records in document order and writing
// each term's postings straight into one exactly sized arena. Nothing is
// appended per posting, so nothing grows, and the only random accesses are
// to arrays indexed by term, small enough to stay in cache.

// A record is one uint32: the term id in the top 24 bits, the title flag in
// bit 7 and the body frequency in the low 7 bits. A frequency of 127 or more,
// or an id of 2²⁴−1 or more, is written as an escape followed by the value in
// the next word.
const (
	recTFMask  = 1<<7 - 1 // also the escape: the frequency follows
	recTitle   = 1 << 7
	recIDShift = 8
	recIDEsc   = 1<<24 - 1 // the id follows
)

func appendRecord(dst []uint32, id, tf uint32, title bool) []uint32 {
	r := uint32(0)
	if title {
		r |= recTitle
	}
	if id < recIDEsc {
		r |= id << recIDShift
	} else {
		r |= recIDEsc << recIDShift
	}
	if tf < recTFMask {
		r |= tf
	} else {
		r |= recTFMask
	}
	dst = append(dst, r)
	if id >= recIDEsc {
		dst = append(dst, id)
	}
	if tf >= recTFMask {
		dst = append(dst, tf)
	}
	return dst
}

// readRecord decodes the record at recs[i] and returns where the next one
// starts.
func readRecord(recs []uint32, i int) (id, tf uint32, title bool, next int) {
	r := recs[i]
	i++
	id, tf, title = r>>recIDShift, r&recTFMask, r&recTitle != 0
	if id == recIDEsc {
		id = recs[i]
		i++
	}
	if tf == recTFMask {
		tf = recs[i]
		i++
	}
	return id, tf, title, i
}

// uvarintLen is how many bytes appendUvarint writes for v.
func uvarintLen(v uint64) uint32 { return uint32(uvarintLens[bits.Len64(v)]) }

// uvarintLens[n] is the length of the uvarint of a number of n bits.
var uvarintLens = func() (t [65]uint8) {
	for n := range t {
		t[n] = uint8(max(1, (n+6)/7))
	}
	return t
}()

// postingLen is how many bytes appendPosting writes.
func postingLen(delta, tf uint32) uint32 {
	// The title flag never changes the length: v = delta<<1 | title has
	// as many bits as delta<<1 unless delta is 0, when both fit one byte.
	return uvarintLen(uint64(delta)<<1) + uvarintLen(uint64(tf))
}

// merge combines the builders' dictionaries into one and inverts the
// batches' records into it. Global term ids are the terms' sorted order, so
// the dictionary's order is the identity.
func merge(bs []*builder, batches []*batch, workers int) dict {
	d, remap := mergeTerms(bs)
	g := len(d.post)

	// Parts of the documents, cut between batches, of about equal records;
	// each pass runs the parts in parallel.
	var total int
	for _, bt := range batches {
		total += len(bt.recs)
	}
	nparts := max(1, min(workers, len(batches)))
	var parts [][]*batch
	lo, acc := 0, 0
	for i, bt := range batches {
		acc += len(bt.recs)
		if acc*nparts >= total*(len(parts)+1) || i == len(batches)-1 {
			parts = append(parts, batches[lo:i+1])
			lo = i + 1
		}
	}

	// Pass one: per part and term, postings, their size with the part's first
	// posting of the term written as if no part came before, and the term's
	// first and last document in the part.
	counts := make([][]termCount, len(parts))
	var wg sync.WaitGroup
	for p, part := range parts {
		counts[p] = make([]termCount, g)
		wg.Go(func() { countPart(counts[p], part, remap) })
	}
	wg.Wait()

	// Between the passes: fix each part's first delta against the parts
	// before it, lay the terms out one after another in one arena, and give
	// each part a cursor per term: where it writes, and the document before
	// its first posting. Cursors are half the size of counts, so the second
	// pass, which also writes all over the arena, misses the cache less.
	cursors := make([][]cursor, len(parts))
	for p := range cursors {
		cursors[p] = make([]cursor, g)
	}
	off := make([]uint32, g+1)
	var size uint32
	for t := range g {
		off[t] = size
		var df, prev uint32
		seen := false
		for p := range counts {
			c := &counts[p][t]
			if c.df == 0 {
				continue
			}
			if seen {
				c.size += postingLen(c.first-prev, 0) - postingLen(c.first, 0)
			}
			cursors[p][t] = cursor{pos: size, prev: prev}
			size += c.size
			df += c.df
			prev, seen = c.last, true
		}
		d.post[t] = plist{df: df, last: prev}
	}
	off[g] = size
	arena := make([]byte, size)
	for t := range g {
		d.post[t].data = arena[off[t]:off[t+1]:off[t+1]]
	}

	counts = nil

	// Pass two: write the postings.
	for p, part := range parts {
		wg.Go(func() { writePart(arena, cursors[p], part, remap) })
	}
	wg.Wait()
	return d
}

// termCount is one term's postings in one part of the documents.
type termCount struct {
	df, size    uint32
	first, last uint32
}

// A cursor is where one part writes one term's postings next, and the
// document of the posting before.
type cursor struct{ pos, prev uint32 }

func countPart(counts []termCount, part []*batch, remap [][]uint32) {
	for _, bt := range part {
		ids := remap[bt.builder]
		i := 0
		for k, end := range bt.ends {
			doc := bt.base + uint32(k)
			for i < int(end) {
				var id, tf uint32
				id, tf, _, i = readRecord(bt.recs, i)
				c := &counts[ids[id]]
				if c.df == 0 {
					c.first = doc
				}
				c.size += postingLen(doc-c.last, tf)
				c.df++
				c.last = doc
			}
		}
	}
}

func writePart(arena []byte, cur []cursor, part []*batch, remap [][]uint32) {
	for _, bt := range part {
		ids := remap[bt.builder]
		i := 0
		for k, end := range bt.ends {
			doc := bt.base + uint32(k)
			for i < int(end) {
				var id, tf uint32
				var title bool
				id, tf, title, i = readRecord(bt.recs, i)
				c := &cur[ids[id]]
				c.pos = putPosting(arena, c.pos, doc-c.prev, tf, title)
				c.prev = doc
			}
		}
	}
}

// putPosting writes a posting at arena[at:], as appendPosting would append
// it, and returns where it ends.
func putPosting(arena []byte, at, delta, tf uint32, title bool) uint32 {
	v := uint64(delta) << 1
	if title {
		v |= 1
	}
	at = putUvarint(arena, at, v)
	return putUvarint(arena, at, uint64(tf))
}

func putUvarint(arena []byte, at uint32, v uint64) uint32 {
	for v >= 0x80 {
		arena[at] = byte(v) | 0x80
		v >>= 7
		at++
	}
	arena[at] = byte(v)
	return at + 1
}

// mergeTerms merges the builders' sorted vocabularies into one dictionary
// (terms and empty postings) and returns, per builder, its local term ids'
// global ones.
func mergeTerms(bs []*builder) (dict, [][]uint32) {
	remap := make([][]uint32, len(bs))
	heads := make([]int, len(bs))
	size, most := 0, 0
	for i, b := range bs {
		remap[i] = make([]uint32, len(b.start)-1)
		size += len(b.text)
		most += len(b.start) - 1
	}
	d := dict{text: make([]byte, 0, size), start: make([]uint32, 1, most+1)}
	for {
		var min []byte
		found := false
		for i, b := range bs {
			if heads[i] < len(b.sorted) {
				if t := b.term(b.sorted[heads[i]]); !found || bytes.Compare(t, min) < 0 {
					min, found = t, true
				}
			}
		}
		if !found {
			break
		}
		g := uint32(len(d.start) - 1)
		d.text = append(d.text, min...)
		d.start = append(d.start, uint32(len(d.text)))
		for i, b := range bs {
			if heads[i] < len(b.sorted) {
				if id := b.sorted[heads[i]]; bytes.Equal(b.term(id), min) {
					remap[i][id] = g
					heads[i]++
				}
			}
		}
	}
	n := len(d.start) - 1
	d.post = make([]plist, n)
	d.order = make([]uint32, n)
	for i := range d.order {
		d.order[i] = uint32(i)
	}
	return d, remap
}
