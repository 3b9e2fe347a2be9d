package search

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// The build is the one part of the package written for speed rather than
// plainness. These tests hold it to a reference written for plainness:
// every document folded with Fold, counted in maps, and its postings listed
// in document order.

// refPosting is one document of a term's postings.
type refPosting struct {
	doc   uint32
	tf    uint32
	title bool
}

// refIndex is what an index built from docs must hold: postings by term,
// document lengths by number, and the live documents.
type refIndex struct {
	post      map[string][]refPosting
	bodyLen   []uint32
	titleLen  []uint32
	dead      []bool
	live      int
	sumBody   uint64
	sumTitle  uint64
	liveByID  map[string]uint32
	documents []Doc
}

// reference indexes docs the slow, obvious way, numbering them as Build
// does: in order, skipping those without an ID, a repeated ID making its
// earlier document dead.
func reference(docs []Doc) *refIndex {
	ref := &refIndex{post: map[string][]refPosting{}, liveByID: map[string]uint32{}}
	for _, d := range docs {
		if d.ID == "" {
			continue
		}
		n := uint32(len(ref.documents))
		if old, dup := ref.liveByID[d.ID]; dup {
			ref.dead[old] = true
		}
		ref.liveByID[d.ID] = n
		ref.documents = append(ref.documents, d)
		ref.dead = append(ref.dead, false)
		title, body := Fold(d.Title), Fold(d.Body)
		ref.titleLen = append(ref.titleLen, uint32(len(title)))
		ref.bodyLen = append(ref.bodyLen, uint32(len(body)))
		counts := map[string]*refPosting{}
		get := func(term string) *refPosting {
			if counts[term] == nil {
				counts[term] = &refPosting{doc: n}
			}
			return counts[term]
		}
		for _, term := range title {
			get(term).title = true
		}
		for _, term := range body {
			get(term).tf++
		}
		for term, p := range counts {
			ref.post[term] = append(ref.post[term], *p)
		}
	}
	for n := range ref.documents {
		if !ref.dead[n] {
			ref.live++
			ref.sumBody += uint64(ref.bodyLen[n])
			ref.sumTitle += uint64(ref.titleLen[n])
		}
	}
	return ref
}

// dumpPostings decodes an index's dictionary into the reference's form,
// failing if the dictionary breaks one of its own rules: terms distinct and
// in order, df and last matching the postings.
func dumpPostings(t *testing.T, d *dict) map[string][]refPosting {
	t.Helper()
	out := map[string][]refPosting{}
	if len(d.order) != len(d.post) || len(d.start) != len(d.post)+1 {
		t.Fatalf("dictionary sizes: %d terms in order, %d postings, %d starts", len(d.order), len(d.post), len(d.start))
	}
	for pos, id := range d.order {
		term := string(d.term(id))
		if pos > 0 && string(d.termAt(pos-1)) >= term {
			t.Fatalf("terms out of order: %q then %q", d.termAt(pos-1), term)
		}
		p := d.post[id]
		r := postingReader{data: p.data}
		var list []refPosting
		for r.next() {
			list = append(list, refPosting{r.doc, r.tf, r.title})
		}
		if len(r.data) != 0 {
			t.Fatalf("term %q: %d bytes of postings left undecoded", term, len(r.data))
		}
		if uint32(len(list)) != p.df {
			t.Fatalf("term %q: df %d, %d postings", term, p.df, len(list))
		}
		if len(list) > 0 && list[len(list)-1].doc != p.last {
			t.Fatalf("term %q: last %d, last posting %d", term, p.last, list[len(list)-1].doc)
		}
		out[term] = list
	}
	return out
}

// checkAgainstReference fails unless ix holds exactly what the reference
// says docs should give.
func checkAgainstReference(t *testing.T, ix *Index, docs []Doc) {
	t.Helper()
	ref := reference(docs)
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	st := ix.st
	if st == nil {
		t.Fatal("no state after build")
	}
	got := dumpPostings(t, &st.dict)
	if len(got) != len(ref.post) {
		t.Errorf("%d terms, reference has %d", len(got), len(ref.post))
	}
	for term, want := range ref.post {
		if !slices.Equal(got[term], want) {
			t.Errorf("term %q: postings %v, reference %v", term, got[term], want)
		}
	}
	if len(st.docs) != len(ref.documents) {
		t.Fatalf("%d documents, reference has %d", len(st.docs), len(ref.documents))
	}
	for n, d := range st.docs {
		if d.dead != ref.dead[n] {
			t.Fatalf("document %d: dead %v, reference %v", n, d.dead, ref.dead[n])
		}
		if d.dead {
			continue
		}
		want := ref.documents[n]
		if d.ID != want.ID || d.Title != validUTF8(want.Title) || d.Body != validUTF8(want.Body) {
			t.Errorf("document %d: %q %q %q, reference %q %q %q", n, d.ID, d.Title, d.Body, want.ID, want.Title, want.Body)
		}
		if d.bodyLen != ref.bodyLen[n] || d.titleLen != ref.titleLen[n] || st.meta[n].bodyLen != ref.bodyLen[n] {
			t.Errorf("document %d: lengths %d/%d (meta %d), reference %d/%d", n, d.bodyLen, d.titleLen, st.meta[n].bodyLen, ref.bodyLen[n], ref.titleLen[n])
		}
	}
	if st.live != ref.live || st.sumBody != ref.sumBody || st.sumTitle != ref.sumTitle {
		t.Errorf("live %d, sums %d/%d; reference %d, %d/%d", st.live, st.sumBody, st.sumTitle, ref.live, ref.sumBody, ref.sumTitle)
	}
}

// Words for random documents: English, Hindi, accents, folds that change
// lengths, digits in two scripts, joiners, invalid bytes.
var refWords = []string{
	"the", "sleep", "Sleep", "SLEEP", "anxiety", "anxious", "panic", "work", "a", "b",
	"José", "jose", "café", "Straße", "strasse", "ﬁle", "½", "Søren", "ﬀ", "Ⅻ",
	"चिंता", "चिंतित", "नींद", "रात", "ज़रूरी", "ज\u093Cरूरी", "\u0958", "क\u094D\u093C", "क्\u200Dष", "मैं", "में",
	"२०२४", "2024", "७", "கவலை", "কো", "\u0995\u09C7\u09BE", "e\u0301\u0301",
	"ab\xffcd", "\xc0", "x\u00ady", "—", "।", "॥",
	"\u00ad", "\u0301", "⑴", "a⑵b", "℃", "5℃x", "a\u00a8b", "x\uff0cy", "\ufffd", "\xe0\xa4", "\xed\xa0\x80", "\xe0\x80\x80",
	strings.Repeat("long", 20), strings.Repeat("क", 30),
}

// randomDocs returns n documents drawn from refWords and from made-up
// words, with repeated and missing IDs, empty titles and bodies, words
// repeated far past 127 times, and one document with thousands of distinct
// words, which fills a builder's table in the middle of a document.
func randomDocs(r *rand.Rand, n int) []Doc {
	word := func() string {
		if r.IntN(3) == 0 {
			return fmt.Sprintf("w%d%s", r.IntN(5000), []string{"", "क", "é", "X"}[r.IntN(4)])
		}
		return refWords[r.IntN(len(refWords))]
	}
	text := func(words int) string {
		var sb strings.Builder
		for range words {
			sb.WriteString(word())
			sb.WriteString([]string{" ", ", ", "। ", "\n", "-"}[r.IntN(5)])
		}
		return sb.String()
	}
	docs := make([]Doc, n)
	for i := range docs {
		id := fmt.Sprintf("d%d", i)
		switch r.IntN(20) {
		case 0:
			id = fmt.Sprintf("d%d", r.IntN(i+1)) // a repeat, or itself
		case 1:
			id = ""
		}
		d := Doc{ID: id, Kind: []Kind{KindNote, KindClient}[r.IntN(2)], ClientID: fmt.Sprint("c", r.IntN(5)),
			Title: text(r.IntN(4)), Body: text(r.IntN(80)), At: t0.Add(time.Duration(i) * time.Hour)}
		switch r.IntN(25) {
		case 0:
			d.Body += strings.Repeat("again ", 130+r.IntN(300))
		case 1:
			d.Body = ""
		}
		docs[i] = d
	}
	var many strings.Builder
	for k := range 6000 {
		fmt.Fprintf(&many, "m%dx ", k)
	}
	docs[n/2].Body += many.String()
	return docs
}

func TestBuildMatchesReference(t *testing.T) {
	for _, tc := range []struct{ seed, docs, workers int }{
		{1, 40, 1}, {2, 300, 2}, {3, 1000, 3}, {4, 1000, 1}, {5, 2000, 7},
	} {
		t.Run(fmt.Sprintf("seed%d-%ddocs-%dworkers", tc.seed, tc.docs, tc.workers), func(t *testing.T) {
			docs := randomDocs(rand.New(rand.NewPCG(uint64(tc.seed), 9)), tc.docs)
			ix := New()
			if err := ix.Build(context.Background(), All(docs), tc.workers); err != nil {
				t.Fatal(err)
			}
			checkAgainstReference(t, ix, docs)
		})
	}
}

// An index built at unlock and one filled by saves, one document at a time,
// must answer every query alike: same hits, order, scores and highlights.
func TestBuildSearchesLikePuts(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 9))
	docs := randomDocs(r, 1500)
	built := New()
	if err := built.Build(context.Background(), All(docs), 2); err != nil {
		t.Fatal(err)
	}
	put := New()
	for _, d := range docs {
		put.Put(d)
	}
	checkAgainstReference(t, put, docs)
	queries := []string{"sleep", "s", "anx", "jose café", "चिं", "चिंता रात", "2024", "२०", "w1", "w12क", "again", "m59", "ss", "ab cd", "file"}
	for range 40 {
		w := Fold(refWords[r.IntN(len(refWords))])
		if len(w) > 0 {
			queries = append(queries, w[0][:1+r.IntN(len(w[0]))])
		}
	}
	for _, q := range queries {
		for _, qq := range []Query{{Text: q, Limit: 200}, {Text: q, Kind: KindClient}, {Text: q, ClientID: "c3", Limit: 50}} {
			a, b := built.Search(qq), put.Search(qq)
			if !reflect.DeepEqual(a, b) {
				t.Fatalf("Search(%+v): built and put indexes differ:\nbuilt %v\nput   %v", qq, ids(a), ids(b))
			}
		}
	}
}

// FuzzBuild builds an index from documents cut from arbitrary text (the
// build's chunker and interning see text that Put never shows them) and
// holds it to the reference.
func FuzzBuild(f *testing.F) {
	for _, seed := range []string{
		"José café ½ ⑴ a⑵b|चिंता। नींद॥ ज़रूरी \u0958|ab\xffcd \xe0\xa4|Straße ﬁle",
		strings.Repeat("again ", 140) + "|" + strings.Repeat("क", 40) + " " + strings.Repeat("long", 20),
		"x\u00ady \u00ad \u0301 e\u0301\u0301|\xed\xa0\x80 \xe0\x80\x80 \ufffd|a|a b a|",
		"கவலை কো \u0995\u09C7\u09BE २०२४ 2024|Ⅻ ﬀ ① ™",
	} {
		f.Add(seed, uint8(2))
	}
	f.Fuzz(func(t *testing.T, text string, workers uint8) {
		var docs []Doc
		for i, part := range strings.Split(text, "|") {
			title, body, _ := strings.Cut(part, "\n")
			docs = append(docs, Doc{ID: fmt.Sprint("d", i%5), Kind: KindNote, Title: title, Body: body})
		}
		ix := New()
		if err := ix.Build(context.Background(), All(docs), int(workers%4)+1); err != nil {
			t.Fatal(err)
		}
		checkAgainstReference(t, ix, docs)
	})
}

// Records escape ids and frequencies that do not fit their fields.
func TestRecordRoundTrip(t *testing.T) {
	type rec struct {
		id, tf uint32
		title  bool
	}
	recs := []rec{
		{0, 0, true}, {1, 1, false}, {recIDEsc - 1, recTFMask - 1, true},
		{recIDEsc, recTFMask, false}, {recIDEsc + 1, recTFMask + 1, true},
		{1<<31 - 1, 1<<31 - 1, true}, {5, 1000, false}, {1 << 30, 3, false},
	}
	var buf []uint32
	for _, r := range recs {
		buf = appendRecord(buf, r.id, r.tf, r.title)
	}
	i := 0
	for _, want := range recs {
		var got rec
		got.id, got.tf, got.title, i = readRecord(buf, i)
		if got != want {
			t.Errorf("record %+v read back as %+v", want, got)
		}
	}
	if i != len(buf) {
		t.Errorf("%d words read of %d", i, len(buf))
	}
}
