package search

import (
	"errors"
	"slices"
	"sync"
	"time"
)

// Kind says what a document is, so a query can be limited to one kind.
type Kind string

// The kinds of document the app indexes today.
const (
	KindClient Kind = "client"
	KindNote   Kind = "note"
)

// A Doc is one searchable record as the app decrypted it. Title is weighted
// above Body (a client's name, a note's title); At breaks ties in favour of
// the more recent. The index keeps the strings it is given and copies none of
// them.
type Doc struct {
	ID       string
	Kind     Kind
	ClientID string
	Title    string
	Body     string
	At       time.Time
}

// ErrSuperseded is returned by Build when Clear or another Build ran while it
// was building: its result is thrown away so that a lock is never undone by a
// build that finishes after it.
var ErrSuperseded = errors.New("search: build superseded by a later clear or build")

// Index is an in-memory full-text index. It is safe for concurrent use:
// searches share a read lock, Put and Delete hold the write lock briefly, and
// Build works on a fresh structure that it swaps in at the end, so searches
// never wait for a build. The zero value is an empty index ready to use.
type Index struct {
	mu sync.RWMutex
	st *state // nil when empty

	// While a Build runs, Puts and Deletes apply to the current state and are
	// also journalled, to be replayed onto the new state before it is
	// swapped in: a note saved during the unlock build is not lost.
	gen      uint64 // bumped by every Build and Clear
	building bool
	journal  []op
}

type op struct {
	put *prepared // nil for a delete
	del string
}

// New returns an empty index.
func New() *Index { return &Index{} }

// Put adds d, or replaces the document with d's ID. A Doc without an ID is
// ignored. The text is folded before the lock is taken, so searches wait only
// for the dictionary update.
func (ix *Index) Put(d Doc) {
	if d.ID == "" {
		return
	}
	p := prepare(d)
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.state().put(p)
	if ix.building {
		ix.journal = append(ix.journal, op{put: p})
	}
	ix.maybeCompact()
}

// Delete removes the document with this ID, if there is one.
func (ix *Index) Delete(id string) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.st != nil {
		ix.st.remove(id)
	}
	if ix.building {
		ix.journal = append(ix.journal, op{del: id})
	}
	ix.maybeCompact()
}

// Clear drops every document, as at lock: afterwards Search finds nothing,
// Len is 0, and a Build still running is discarded when it finishes. The
// index holds no reference to any text afterwards, so the memory is the
// garbage collector's; the folded terms are zeroed first. Strings the caller
// handed in cannot be wiped from Go, which is why nothing else keeps them.
func (ix *Index) Clear() {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.st != nil {
		ix.st.dict.wipe()
	}
	ix.st = nil
	ix.gen++
	ix.building = false
	ix.journal = nil
}

// Len returns the number of documents in the index.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.st == nil {
		return 0
	}
	return ix.st.live
}

// state returns the current state, creating it; the write lock must be held.
func (ix *Index) state() *state {
	if ix.st == nil {
		ix.st = newState()
	}
	return ix.st
}

// maybeCompact rewrites the index without its dead documents once they are a
// quarter of it. Replacing a note leaves its old postings behind (postings
// are append-only so that they stay sorted); this bounds the waste. It runs
// under the write lock and costs about one posting pass (tens of ms at 50,000
// notes), rarely: only after many thousands of saves.
func (ix *Index) maybeCompact() {
	if st := ix.st; st != nil && st.dead() > 256 && st.dead() > st.live/4 {
		ix.st = st.compacted()
	}
}

// state is one complete index; Build makes a new one and swaps it in.
type state struct {
	docs     []docInfo // by document number
	meta     []docMeta // by document number: what ranking reads for every candidate, packed
	kinds    []Kind    // kind codes: kinds[c-1] has code c
	byID     map[string]uint32
	dict     dict
	live     int
	sumBody  uint64 // body words of live documents
	sumTitle uint64
}

type docInfo struct {
	Doc
	bodyLen, titleLen uint32 // in words
	dead              bool
}

// docMeta is the part of a document that a query reads for every candidate,
// kept apart from the strings so that a query over 50,000 documents stays in
// cache.
type docMeta struct {
	bodyLen uint32
	kind    uint8 // code of the document's kind; 0 if the document is dead
}

// otherKind is the code of every kind past the first 254.
const otherKind = 255

// kindCode returns k's code, giving it one if it has none yet.
func (st *state) kindCode(k Kind) uint8 {
	if c := st.findKind(k); c != 0 {
		return c
	}
	if len(st.kinds) >= otherKind-1 {
		return otherKind
	}
	st.kinds = append(st.kinds, k)
	return uint8(len(st.kinds))
}

// findKind returns k's code, or 0 if no document has had kind k.
func (st *state) findKind(k Kind) uint8 {
	for i, x := range st.kinds {
		if x == k {
			return uint8(i + 1)
		}
	}
	if len(st.kinds) >= otherKind-1 {
		return otherKind
	}
	return 0
}

func newState() *state { return &state{byID: map[string]uint32{}, dict: newDict()} }

func (st *state) dead() int { return len(st.docs) - st.live }

func (st *state) remove(id string) {
	n, ok := st.byID[id]
	if !ok {
		return
	}
	d := &st.docs[n]
	st.live--
	st.sumBody -= uint64(d.bodyLen)
	st.sumTitle -= uint64(d.titleLen)
	*d = docInfo{dead: true} // drop the text now; the postings stay until compaction
	st.meta[n] = docMeta{}
	delete(st.byID, id)
}

func (st *state) put(p *prepared) {
	st.remove(p.doc.ID)
	n := uint32(len(st.docs))
	st.docs = append(st.docs, docInfo{Doc: p.doc, bodyLen: p.bodyLen, titleLen: p.titleLen})
	st.meta = append(st.meta, docMeta{bodyLen: p.bodyLen, kind: st.kindCode(p.doc.Kind)})
	st.byID[p.doc.ID] = n
	st.live++
	st.sumBody += uint64(p.bodyLen)
	st.sumTitle += uint64(p.titleLen)
	ids := st.dict.ensure(p.terms)
	for k, id := range ids {
		st.dict.post[id].add(n, p.tf[k], p.inTitle[k])
	}
}

// compacted returns a copy of st without dead documents: documents are
// renumbered in order and terms left with no postings are dropped.
func (st *state) compacted() *state {
	out := &state{byID: make(map[string]uint32, st.live), kinds: st.kinds, live: st.live, sumBody: st.sumBody, sumTitle: st.sumTitle}
	renum := make([]uint32, len(st.docs))
	out.docs = make([]docInfo, 0, st.live)
	for n, d := range st.docs {
		if d.dead {
			continue
		}
		renum[n] = uint32(len(out.docs))
		out.byID[d.ID] = renum[n]
		out.docs = append(out.docs, d)
		out.meta = append(out.meta, st.meta[n])
	}
	out.dict = newDict()
	var arena []byte
	for _, id := range st.dict.order {
		var p plist
		start := len(arena)
		r := postingReader{data: st.dict.post[id].data}
		for r.next() {
			if st.docs[r.doc].dead {
				continue
			}
			doc := renum[r.doc]
			delta := doc
			if p.df > 0 {
				delta = doc - p.last
			}
			arena = appendPosting(arena, delta, r.tf, r.title)
			p.df++
			p.last = doc
		}
		if p.df == 0 {
			continue
		}
		p.data = arena[start:len(arena):len(arena)]
		nid := out.dict.appendTerm(st.dict.term(id))
		out.dict.post[nid] = p
		out.dict.order = append(out.dict.order, nid)
	}
	// The slices above alias arena, which may have moved as it grew: point
	// them at its final backing array.
	off := 0
	for i := range out.dict.post {
		n := len(out.dict.post[i].data)
		out.dict.post[i].data = arena[off : off+n : off+n]
		off += n
	}
	st.dict.wipe()
	return out
}

// prepared is a document folded and counted, ready to apply under the lock.
type prepared struct {
	doc               Doc
	bodyLen, titleLen uint32
	terms             []string // sorted, distinct
	tf                []uint32 // body frequency of terms[k]
	inTitle           []bool
}

func prepare(d Doc) *prepared {
	d.Title, d.Body = validUTF8(d.Title), validUTF8(d.Body)
	p := &prepared{doc: d}
	type count struct {
		tf    uint32
		title bool
	}
	counts := map[string]*count{}
	var s scanner
	s.scan(d.Title, func(term []byte, _, _ int) {
		p.titleLen++
		c := counts[string(term)]
		if c == nil {
			c = &count{}
			counts[string(term)] = c
		}
		c.title = true
	})
	s.scan(d.Body, func(term []byte, _, _ int) {
		p.bodyLen++
		c := counts[string(term)]
		if c == nil {
			c = &count{}
			counts[string(term)] = c
		}
		c.tf++
	})
	for t := range counts {
		p.terms = append(p.terms, t) // map keys are already copies of the scanner buffer
	}
	slices.Sort(p.terms)
	for _, t := range p.terms {
		p.tf = append(p.tf, counts[t].tf)
		p.inTitle = append(p.inTitle, counts[t].title)
	}
	return p
}
