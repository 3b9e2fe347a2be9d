package search

import (
	"cmp"
	"container/heap"
	"math"
	"slices"
	"sync"
	"time"
	"unicode/utf8"
)

// Limits on a query.
const (
	DefaultLimit = 20   // hits returned when Query.Limit is 0 or less
	MaxLimit     = 1000 // Query.Limit is capped here: each hit costs a snippet
	maxTerms     = 16   // query words beyond this are ignored
)

// Ranking constants: BM25 with the usual parameters, a title match worth
// about as much as a body that mentions the term often, and a word that only
// starts with a query term worth a little over half an exact one.
const (
	k1           = 1.2
	b            = 0.75
	titleBoost   = 2.0
	prefixWeight = 0.6
)

// A Query finds the documents that contain every word of Text. The last word
// — and any word of two or more letters — also matches words that start with
// it, so results follow the user's typing ("anx" finds "anxiety", "चिं"
// finds "चिंता"). Kind and ClientID, when set, limit the results.
type Query struct {
	Text     string
	Kind     Kind // "" for all kinds
	ClientID string
	Limit    int // DefaultLimit if ≤ 0, at most MaxLimit
}

// A Hit is one result. Snippet is a short window of the body, from the
// original text, around its best match (or its opening if only the title
// matched); Highlights and TitleHighlights are the byte ranges [start, end)
// of the matched words in Snippet and Title. Both always fall on rune
// boundaries and never split a letter from its marks.
type Hit struct {
	ID              string
	Kind            Kind
	ClientID        string
	Title           string
	At              time.Time
	Score           float64
	Snippet         string
	Highlights      [][2]int
	TitleHighlights [][2]int
}

// qterm is a folded query word and what it matches in the dictionary.
type qterm struct {
	text   string
	prefix bool
	lo, hi int    // positions in dict.order of the matching terms
	exact  int    // position of the term equal to text, or -1
	cost   uint64 // postings to read
	idf    float64
}

// parseQuery folds text into distinct query words.
func parseQuery(text string) []qterm {
	words := Fold(text)
	var qs []qterm
	for i, w := range words {
		if slices.ContainsFunc(qs, func(q qterm) bool { return q.text == w }) {
			continue
		}
		if len(qs) == maxTerms {
			break
		}
		last := i == len(words)-1
		qs = append(qs, qterm{text: w, prefix: last || utf8.RuneCountInString(w) >= 2})
	}
	// A word repeated at the end is still typed as a prefix.
	if len(qs) > 0 && len(words) > 0 {
		for i := range qs {
			if qs[i].text == words[len(words)-1] {
				qs[i].prefix = true
			}
		}
	}
	return qs
}

// cand is a document that matches every query word so far.
type cand struct {
	doc   uint32
	score float32
}

// Search returns the best hits for q, best first: by score, then the more
// recent, then by ID. A query with no words finds nothing.
func (ix *Index) Search(q Query) []Hit {
	qs := parseQuery(validUTF8(q.Text))
	if len(qs) == 0 {
		return nil
	}
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)

	ix.mu.RLock()
	st := ix.st
	if st == nil || st.live == 0 {
		ix.mu.RUnlock()
		return nil
	}
	top := st.match(qs, q, limit)
	docs := make([]docInfo, len(top))
	for i, c := range top {
		docs[i] = st.docs[c.doc]
	}
	ix.mu.RUnlock()

	// Snippets need only the documents' strings, which are immutable: build
	// them without holding the lock.
	hits := make([]Hit, len(top))
	var hl highlighter
	hl.reset(qs)
	for i, d := range docs {
		h := Hit{ID: d.ID, Kind: d.Kind, ClientID: d.ClientID, Title: d.Title, At: d.At, Score: float64(top[i].score)}
		h.Snippet, h.Highlights = hl.snippet(d.Body)
		h.TitleHighlights = hl.all(d.Title)
		hits[i] = h
	}
	return hits
}

// match returns up to limit candidates, best first. The read lock is held.
func (st *state) match(qs []qterm, q Query, limit int) []cand {
	d := &st.dict
	n := float64(st.live)
	for i := range qs {
		t := &qs[i]
		pos, found := d.search([]byte(t.text))
		t.exact = -1
		if found {
			t.exact = pos
		}
		if t.prefix {
			t.lo, t.hi = d.prefixRange([]byte(t.text))
		} else if found {
			t.lo, t.hi = pos, pos+1
		}
		if t.lo == t.hi {
			return nil
		}
		var df uint64
		for p := t.lo; p < t.hi; p++ {
			df += uint64(d.post[d.order[p]].df)
		}
		t.cost = df
		// A prefix is treated as one term whose documents are the union of
		// its expansions; the sum of their counts bounds that from above.
		dfn := min(float64(df), n)
		t.idf = math.Log(1 + (n-dfn+0.5)/(dfn+0.5))
	}
	slices.SortFunc(qs, func(x, y qterm) int { return cmp.Compare(x.cost, y.cost) })

	avgBody := float64(st.sumBody) / n
	if avgBody == 0 {
		avgBody = 1
	}
	score := func(doc uint32, tf, title float32, idf float64) float32 {
		norm := (1 - b) + b*float64(st.meta[doc].bodyLen)/avgBody
		t := float64(tf)
		return float32(idf * (t*(k1+1)/(t+k1*norm) + titleBoost*float64(title)))
	}

	var kind uint8 // the code q.Kind must have; 0 for any
	if q.Kind != "" {
		if kind = st.findKind(q.Kind); kind == 0 {
			return nil
		}
	}
	cands := st.first(&qs[0], q, kind, score)
	for i := 1; i < len(qs) && len(cands) > 0; i++ {
		cands = st.narrow(cands, &qs[i], score)
	}
	return st.best(cands, limit)
}

// dense is per-document scratch: one query word's weighted body frequency
// and title weight for every document number. Reading a word's postings into
// it costs one pass however many candidates there are.
type dense struct {
	tf, title []float32
}

var densePool = sync.Pool{New: func() any { return new(dense) }}

func getDense(n int) *dense {
	dn := densePool.Get().(*dense)
	if cap(dn.tf) < n {
		dn.tf, dn.title = make([]float32, n), make([]float32, n)
	}
	dn.tf, dn.title = dn.tf[:n], dn.title[:n]
	return dn
}

// putDense returns scratch that has been zeroed again.
func putDense(dn *dense) { densePool.Put(dn) }

// accumulate adds the postings of every term t matches into dn, a term equal
// to t at full weight and longer ones at prefixWeight. If touched is not nil,
// each document seen for the first time is appended to it.
func (st *state) accumulate(t *qterm, dn *dense, touched *[]uint32) {
	d := &st.dict
	tf, title := dn.tf, dn.title
	for p := t.lo; p < t.hi; p++ {
		w := float32(prefixWeight)
		if p == t.exact {
			w = 1
		}
		r := postingReader{data: d.post[d.order[p]].data}
		for r.next() {
			if touched != nil && tf[r.doc] == 0 && title[r.doc] == 0 {
				*touched = append(*touched, r.doc)
			}
			tf[r.doc] += w * float32(r.tf)
			if r.title && title[r.doc] < w {
				title[r.doc] = w
			}
		}
	}
}

// first returns, in document order, the live documents that pass the
// filters and match t, with t's score. It leaves the pooled scratch zeroed,
// as every user of it must.
func (st *state) first(t *qterm, q Query, kind uint8, score func(uint32, float32, float32, float64) float32) []cand {
	n := len(st.docs)
	dn := getDense(n)
	tf, title := dn.tf, dn.title
	// For a rare word, note which documents were touched instead of
	// scanning every document afterwards.
	var touched []uint32
	sparse := t.cost < uint64(n/16)
	if sparse {
		st.accumulate(t, dn, &touched)
	} else {
		st.accumulate(t, dn, nil)
	}
	var out []cand
	keep := func(doc uint32) {
		if tf[doc] == 0 && title[doc] == 0 {
			return
		}
		if pass(st, doc, kind, q) {
			out = append(out, cand{doc, score(doc, tf[doc], title[doc], t.idf)})
		}
		tf[doc], title[doc] = 0, 0
	}
	if sparse {
		slices.Sort(touched)
		for _, doc := range touched {
			keep(doc)
		}
	} else {
		for doc := range uint32(n) {
			keep(doc)
		}
	}
	putDense(dn) // not deferred: scratch left dirty by a panic must not go back
	return out
}

// pass reports whether doc is live and passes q's filters; kind is the code
// of q.Kind, or 0.
func pass(st *state, doc uint32, kind uint8, q Query) bool {
	m := st.meta[doc]
	switch {
	case m.kind == 0:
		return false
	case kind != 0 && (m.kind != kind || kind == otherKind && st.docs[doc].Kind != q.Kind):
		return false
	case q.ClientID != "" && st.docs[doc].ClientID != q.ClientID:
		return false
	}
	return true
}

// narrow keeps the candidates that also match t, adding t's score. The query
// words are taken rarest first, so t has at least as many postings as there
// are candidates and reading them all into dense scratch is the cheap way.
func (st *state) narrow(cands []cand, t *qterm, score func(uint32, float32, float32, float64) float32) []cand {
	dn := getDense(len(st.docs))
	st.accumulate(t, dn, nil)
	out := cands[:0]
	for _, c := range cands {
		tf, title := dn.tf[c.doc], dn.title[c.doc]
		if tf == 0 && title == 0 {
			continue
		}
		c.score += score(c.doc, tf, title, t.idf)
		out = append(out, c)
	}
	clear(dn.tf)
	clear(dn.title)
	putDense(dn)
	return out
}

// best returns the limit best candidates, best first.
func (st *state) best(cands []cand, limit int) []cand {
	better := func(x, y cand) bool {
		if x.score != y.score {
			return x.score > y.score
		}
		dx, dy := &st.docs[x.doc], &st.docs[y.doc]
		if !dx.At.Equal(dy.At) {
			return dx.At.After(dy.At)
		}
		return dx.ID < dy.ID
	}
	if len(cands) > limit {
		h := &worstFirst{better: better}
		for _, c := range cands {
			if len(h.c) < limit {
				heap.Push(h, c)
			} else if better(c, h.c[0]) {
				h.c[0] = c
				heap.Fix(h, 0)
			}
		}
		cands = h.c
	}
	slices.SortFunc(cands, func(x, y cand) int {
		if better(x, y) {
			return -1
		}
		if better(y, x) {
			return 1
		}
		return 0
	})
	return cands
}

// worstFirst is a heap of candidates with the worst on top.
type worstFirst struct {
	c      []cand
	better func(x, y cand) bool
}

func (h *worstFirst) Len() int           { return len(h.c) }
func (h *worstFirst) Less(i, j int) bool { return h.better(h.c[j], h.c[i]) }
func (h *worstFirst) Swap(i, j int)      { h.c[i], h.c[j] = h.c[j], h.c[i] }
func (h *worstFirst) Push(x any)         { h.c = append(h.c, x.(cand)) }
func (h *worstFirst) Pop() any {
	x := h.c[len(h.c)-1]
	h.c = h.c[:len(h.c)-1]
	return x
}
