package search

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzSearch indexes arbitrary text and searches it with an arbitrary query:
// nothing may panic, every highlight must lie inside its text on rune
// boundaries and fold to a query word, and every word of the text must find
// the document.
func FuzzSearch(f *testing.F) {
	seeds := [][3]string{
		{"Intake", "José came to the café; anxiety at night.", "jose anx"},
		{"सत्र", "आज बहुत चिंता हो रही है। नींद नहीं आई॥", "चिं"},
		{"Session", "usko anxiety hoti hai, खासकर रात को", "anxiety रा"},
		{"அமர்வு", "எனக்கு கவலையாக உள்ளது", "கவ"},
		{"", "क\u094D\u093C ज़रूरी \u0958 ক\u09CB", "क"},
		{"ß", "Straße ﬁle ½ ① ™ \u200d\u00ad", "ss 1"},
		{"", "e\u0301\u0301\u0301\u0301 \u0301 ि ा", "e"},
		{"x", strings.Repeat("word ", 100) + "needle" + strings.Repeat(" word", 100), "needle word"},
		{"\xff", "ab\xffcd\xc0", "ab cd"},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, title, body, query string) {
		ix := New()
		ix.Put(Doc{ID: "d", Kind: KindNote, Title: title, Body: body})
		ix.Put(Doc{ID: "other", Kind: KindNote, Title: "other", Body: "unrelated words"})
		for _, h := range ix.Search(Query{Text: query}) {
			checkHighlights(t, query, h)
		}
		// Every word of the document finds it, exactly and by its first rune.
		for _, w := range Fold(title + " " + body) {
			if !contains(ix.Search(Query{Text: w, Limit: 2}), "d") {
				t.Fatalf("word %q of the document does not find it", w)
			}
			r, _ := utf8.DecodeRuneInString(w)
			if q := string(r); Fold(q) != nil && !contains(ix.Search(Query{Text: q, Limit: MaxLimit}), "d") {
				t.Fatalf("prefix %q of word %q does not find the document", q, w)
			}
			break // one word is enough per input: the rest are seeds' business
		}
		ix.Delete("d")
		for _, h := range ix.Search(Query{Text: query}) {
			if h.ID == "d" {
				t.Fatal("deleted document found")
			}
		}
	})
}

func contains(hits []Hit, id string) bool {
	for _, h := range hits {
		if h.ID == id {
			return true
		}
	}
	return false
}
