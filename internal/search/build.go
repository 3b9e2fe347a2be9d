package search

import (
	"context"
	"fmt"
	"iter"
	"runtime"
	"sync"
)

// batchSize is how many documents a build worker takes at a time: enough to
// make channel traffic negligible, few enough to keep every worker busy.
const batchSize = 128

// Build replaces the index's contents with docs, as at unlock. It folds the
// documents in workers goroutines (runtime.NumCPU() if workers ≤ 0) while
// docs is still being read, each worker writing a compact record per
// (document, term); then it merges the workers' dictionaries and inverts the
// records into postings (see invert.go), and swaps the new index in;
// searches meanwhile see the previous contents. Puts and Deletes
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

// A batch is a run of consecutive documents that one worker indexes.
type batch struct {
	base uint32 // document number of docs[0]
	docs []Doc  // the worker replaces invalid UTF-8 in them

	// Set by the worker:
	builder int      // which worker: the term ids in recs are its own
	lens    []uint32 // body and title length of each document, in words
	recs    []uint32 // each document's records (see appendRecord), in document order
	ends    []uint32 // ends[k] is where document k's records end in recs
}

func build(ctx context.Context, docs iter.Seq2[Doc, error], workers int) (*state, error) {
	st := newState()
	ch := make(chan *batch, 2*workers)
	bs := make([]*builder, workers)
	defer func() {
		for _, b := range bs {
			b.wipe()
		}
	}()
	var wg sync.WaitGroup
	for i := range bs {
		b := newBuilder(i)
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
			if old, dup := st.byID[d.ID]; dup {
				st.docs[old] = docInfo{dead: true}
			}
			st.byID[d.ID] = uint32(len(st.docs))
			st.docs = append(st.docs, docInfo{})
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

	// The documents, as the workers left them (valid UTF-8), with their
	// lengths; those whose ID came again later stay dead.
	st.meta = make([]docMeta, len(st.docs))
	for _, bt := range batches {
		for k := range bt.docs {
			n := bt.base + uint32(k)
			d := &st.docs[n]
			if d.dead {
				continue
			}
			*d = docInfo{Doc: bt.docs[k], bodyLen: bt.lens[2*k], titleLen: bt.lens[2*k+1]}
			st.meta[n] = docMeta{bodyLen: d.bodyLen, kind: st.kindCode(d.Kind)}
			st.live++
			st.sumBody += uint64(d.bodyLen)
			st.sumTitle += uint64(d.titleLen)
		}
		bt.docs = nil
	}
	st.dict = merge(bs, batches, workers)
	return st, nil
}
