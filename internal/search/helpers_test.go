package search

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var t0 = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)

// note returns a note document; at is in hours after t0.
func note(id, title, body string, at int) Doc {
	return Doc{ID: id, Kind: KindNote, ClientID: "c1", Title: title, Body: body, At: t0.Add(time.Duration(at) * time.Hour)}
}

// built returns an index built from docs.
func built(t testing.TB, docs ...Doc) *Index {
	t.Helper()
	ix := New()
	if err := ix.Build(context.Background(), All(docs), 2); err != nil {
		t.Fatalf("Build: %v", err)
	}
	return ix
}

// ids returns the IDs of hits, in order.
func ids(hits []Hit) []string {
	out := []string{}
	for _, h := range hits {
		out = append(out, h.ID)
	}
	return out
}

// search returns the IDs found for text.
func search(ix *Index, text string) []string { return ids(ix.Search(Query{Text: text})) }

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// checkHighlights fails unless every highlight of h lies inside its text, on
// rune boundaries, in order, and folds to a word that starts with one of
// the query's words.
func checkHighlights(t testing.TB, query string, h Hit) {
	t.Helper()
	words := Fold(query)
	check := func(what, text string, hl [][2]int) {
		t.Helper()
		if !utf8.ValidString(text) {
			t.Errorf("%s %q is not valid UTF-8", what, text)
		}
		prev := 0
		for _, r := range hl {
			if r[0] < prev || r[0] >= r[1] || r[1] > len(text) {
				t.Errorf("%s highlight %v out of order or bounds in %q (len %d)", what, r, text, len(text))
				return
			}
			if !boundary(text, r[0]) || !boundary(text, r[1]) {
				t.Errorf("%s highlight %v not on rune boundaries in %q", what, r, text)
				return
			}
			prev = r[1]
			// One original character can fold to two words (½ → 1, 2).
			got := Fold(text[r[0]:r[1]])
			if !slices.ContainsFunc(got, func(g string) bool {
				return slices.ContainsFunc(words, func(w string) bool { return strings.HasPrefix(g, w) })
			}) {
				t.Errorf("%s highlight %q folds to %q: no query word %q starts it", what, text[r[0]:r[1]], got, words)
			}
		}
	}
	check("snippet", h.Snippet, h.Highlights)
	check("title", h.Title, h.TitleHighlights)
}

func boundary(s string, i int) bool { return i == len(s) || utf8.RuneStart(s[i]) }

// highlighted returns the highlighted parts of the snippet.
func highlighted(h Hit) []string {
	var out []string
	for _, r := range h.Highlights {
		out = append(out, h.Snippet[r[0]:r[1]])
	}
	return out
}
