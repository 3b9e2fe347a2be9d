package search

import (
	"bytes"
	"context"
	"fmt"
	"iter"
	"runtime"
	"slices"
	"sync"
)

// batchSize is how many documents a build worker takes at a time: enough to
// make channel traffic negligible, few enough to keep every worker busy.
const batchSize = 128

// Build replaces the index's contents with docs, as at unlock. It folds the
// documents in workers goroutines (runtime.NumCPU() if workers ≤ 0) while
// docs is still being read, merges their dictionaries into a fresh index and
// swaps it in; searches meanwhile see the previous contents. Puts and Deletes
// made during the build are applied to the new index before the swap.
//
// A document whose ID repeats an earlier one replaces it. If docs yields an
// error or ctx ends, Build stops and returns the error, leaving the index as
// it was. If Clear or another Build runs before this one finishes, its result
// is discarded and Build returns ErrSuperseded.
func (ix *Index) Build(ctx context.Context, docs iter.Seq2[Doc, error], workers int) error {
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	ix.mu.Lock()
	ix.gen++
	gen := ix.gen
	ix.building, ix.journal = true, nil
	ix.mu.Unlock()

	st, err := build(ctx, docs, workers)

	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.gen != gen {
		if st != nil {
			st.dict.wipe()
		}
		if err != nil {
			return err
		}
		return ErrSuperseded
	}
	journal := ix.journal
	ix.building, ix.journal = false, nil
	if err != nil {
		return err
	}
	for _, o := range journal {
		if o.put != nil {
			st.put(o.put)
		} else {
			st.remove(o.del)
		}
	}
	if ix.st != nil {
		ix.st.dict.wipe()
	}
	ix.st = st
	ix.maybeCompact()
	return nil
}

// All adapts a slice for Build.
func All(docs []Doc) iter.Seq2[Doc, error] {
	return func(yield func(Doc, error) bool) {
		for _, d := range docs {
			if !yield(d, nil) {
				return
			}
		}
	}
}

type batch struct {
	base uint32 // document number of docs[0]
	docs []Doc
	lens []uint32 // body and title length of each document, set by the worker
}

func build(ctx context.Context, docs iter.Seq2[Doc, error], workers int) (*state, error) {
	st := newState()
	ch := make(chan *batch, 2*workers)
	bs := make([]*builder, workers)
	var wg sync.WaitGroup
	for i := range bs {
		b := newBuilder()
		bs[i] = b
		wg.Go(func() {
			for bt := range ch {
				if ctx.Err() == nil {
					b.index(ctx, bt)
				}
			}
			if ctx.Err() == nil {
				b.sortTerms()
			}
		})
	}

	var batches []*batch
	err := func() (err error) {
		defer func() {
			close(ch)
			wg.Wait()
		}()
		cur := &batch{}
		send := func() bool {
			if len(cur.docs) == 0 {
				return true
			}
			batches = append(batches, cur)
			select {
			case ch <- cur:
			case <-ctx.Done():
				return false
			}
			cur = &batch{base: uint32(len(st.docs))}
			return true
		}
		for d, e := range docs {
			if e != nil {
				return fmt.Errorf("search: build: load documents: %w", e)
			}
			if d.ID == "" {
				continue
			}
			d.Title, d.Body = validUTF8(d.Title), validUTF8(d.Body)
			if old, dup := st.byID[d.ID]; dup {
				st.docs[old] = docInfo{dead: true}
			}
			st.byID[d.ID] = uint32(len(st.docs))
			st.docs = append(st.docs, docInfo{Doc: d})
			cur.docs = append(cur.docs, d)
			if len(cur.docs) == batchSize && !send() {
				break
			}
		}
		send()
		return nil
	}()
	if err == nil {
		err = ctx.Err()
		if err != nil {
			err = fmt.Errorf("search: build: %w", err)
		}
	}
	if err != nil {
		return nil, err
	}

	st.meta = make([]docMeta, len(st.docs))
	for _, bt := range batches {
		for k := range bt.docs {
			n := bt.base + uint32(k)
			d := &st.docs[n]
			if d.dead {
				continue
			}
			st.meta[n] = docMeta{bodyLen: bt.lens[2*k], kind: st.kindCode(d.Kind)}
			d.bodyLen, d.titleLen = bt.lens[2*k], bt.lens[2*k+1]
			st.live++
			st.sumBody += uint64(d.bodyLen)
			st.sumTitle += uint64(d.titleLen)
		}
	}
	st.dict = merge(bs, workers)
	return st, nil
}

// A builder is one worker's partial index: its own dictionary (local term
// ids) and postings for the documents it was given, which arrive in
// increasing document number.
type builder struct {
	terms  *termTable // local ids
	ent    []entry    // local id → postings and per document scratch
	sorted []uint32   // local ids by term, after sortTerms

	touched []uint32 // local ids seen in the current document
	n       uint32   // words in the current field

	s               scanner
	onTitle, onBody func([]byte, int, int)
}

func newBuilder() *builder {
	b := &builder{terms: newTermTable()}
	b.onTitle = func(term []byte, _, _ int) {
		id := b.id(term)
		e := &b.ent[id]
		if e.tf == 0 && !e.title {
			b.touched = append(b.touched, id)
		}
		e.title = true
		b.n++
	}
	b.onBody = func(term []byte, _, _ int) {
		id := b.id(term)
		e := &b.ent[id]
		if e.tf == 0 && !e.title {
			b.touched = append(b.touched, id)
		}
		e.tf++
		b.n++
	}
	return b
}

// An entry is one term's postings in a builder, beside the term's counts in
// the current document: kept together, a word costs one cache miss here
// rather than three.
type entry struct {
	post  plist
	tf    uint32
	title bool
}

func (b *builder) id(term []byte) uint32 {
	id, added := b.terms.id(term)
	if added {
		b.ent = append(b.ent, entry{})
	}
	return id
}

func (b *builder) index(ctx context.Context, bt *batch) {
	bt.lens = make([]uint32, 2*len(bt.docs))
	for k, d := range bt.docs {
		if k%32 == 0 && ctx.Err() != nil {
			return
		}
		b.n = 0
		b.s.scan(d.Title, b.onTitle)
		bt.lens[2*k+1] = b.n
		b.n = 0
		b.s.scan(d.Body, b.onBody)
		bt.lens[2*k] = b.n
		doc := bt.base + uint32(k)
		for _, id := range b.touched {
			e := &b.ent[id]
			e.post.add(doc, e.tf, e.title)
			e.tf, e.title = 0, false
		}
		b.touched = b.touched[:0]
	}
}

func (b *builder) sortTerms() {
	b.sorted = make([]uint32, b.terms.len())
	for i := range b.sorted {
		b.sorted[i] = uint32(i)
	}
	slices.SortFunc(b.sorted, func(x, y uint32) int { return bytes.Compare(b.terms.term(x), b.terms.term(y)) })
	b.terms.slots = nil // lookups are over; let the slots go before the merge allocates
}

// ref names one builder's postings for a term.
type ref struct{ b, id uint32 }

// merge combines the builders' dictionaries into one: term names by a k-way
// merge of the sorted lists, then postings in parallel over ranges of terms,
// each range into one exactly sized arena.
func merge(bs []*builder, workers int) dict {
	var (
		names [][]byte
		first []int // first[g] is the index in refs of global term g's first ref
		refs  []ref
		heads = make([]int, len(bs))
		total int // bytes of all postings: an upper bound of the merged size
	)
	for _, b := range bs {
		for i := range b.ent {
			total += len(b.ent[i].post.data)
		}
	}
	for {
		var min []byte
		found := false
		for i, b := range bs {
			if heads[i] < len(b.sorted) {
				if t := b.terms.term(b.sorted[heads[i]]); !found || bytes.Compare(t, min) < 0 {
					min, found = t, true
				}
			}
		}
		if !found {
			break
		}
		names = append(names, min)
		first = append(first, len(refs))
		for i, b := range bs {
			if heads[i] < len(b.sorted) && bytes.Equal(b.terms.term(b.sorted[heads[i]]), min) {
				refs = append(refs, ref{uint32(i), b.sorted[heads[i]]})
				heads[i]++
			}
		}
	}
	first = append(first, len(refs))

	d := dict{post: make([]plist, len(names)), order: make([]uint32, len(names)), start: make([]uint32, len(names)+1)}
	size := 0
	for _, t := range names {
		size += len(t)
	}
	d.text = make([]byte, 0, size)
	for g, t := range names {
		d.text = append(d.text, t...)
		d.start[g+1] = uint32(len(d.text))
		d.order[g] = uint32(g)
	}

	// Split the terms into ranges of roughly equal postings bytes.
	parts := max(1, workers)
	var wg sync.WaitGroup
	lo, acc := 0, 0
	for g := range names {
		for _, r := range refs[first[g]:first[g+1]] {
			acc += len(bs[r.b].ent[r.id].post.data)
		}
		if acc >= total/parts || g == len(names)-1 {
			from := lo
			wg.Go(func() { mergeRange(bs, refs, first, d.post, from, g+1) })
			lo, acc = g+1, 0
		}
	}
	wg.Wait()
	return d
}

func mergeRange(bs []*builder, refs []ref, first []int, out []plist, lo, hi int) {
	size := 0
	for _, r := range refs[first[lo]:first[hi]] {
		size += len(bs[r.b].ent[r.id].post.data)
	}
	arena := make([]byte, 0, size) // merged deltas are never larger, so this never grows
	var rd []postingReader
	for g := lo; g < hi; g++ {
		rs := refs[first[g]:first[g+1]]
		start := len(arena)
		var p plist
		if len(rs) == 1 {
			src := bs[rs[0].b].ent[rs[0].id].post
			arena = append(arena, src.data...)
			p.df, p.last = src.df, src.last
		} else {
			rd = rd[:0]
			for _, r := range rs {
				x := postingReader{data: bs[r.b].ent[r.id].post.data}
				if x.next() {
					rd = append(rd, x)
				}
			}
			for len(rd) > 0 {
				m := 0
				for i := 1; i < len(rd); i++ {
					if rd[i].doc < rd[m].doc {
						m = i
					}
				}
				delta := rd[m].doc
				if p.df > 0 {
					delta -= p.last
				}
				arena = appendPosting(arena, delta, rd[m].tf, rd[m].title)
				p.df++
				p.last = rd[m].doc
				if !rd[m].next() {
					rd = slices.Delete(rd, m, m+1)
				}
			}
		}
		p.data = arena[start:len(arena):len(arena)]
		out[g] = p
	}
}
