package search

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestMatching(t *testing.T) {
	ix := built(t,
		note("jose", "Intake", "José came to the café after work; felt anxious.", 1),
		note("plain", "Follow-up", "jose said the cafe was too loud. Sleep poor.", 2),
		note("hindi", "सत्र", "आज बहुत चिंता हो रही है। नींद नहीं आई।", 3),
		note("hinglish", "Session 4", "Client ne kaha ki usko bahut anxiety hoti hai, खासकर रात को। Sleep better.", 4),
		note("tamil", "அமர்வு", "எனக்கு மிகவும் கவலையாக உள்ளது. தூக்கம் இல்லை.", 5),
		note("nukta", "Note", "यह ज़रूरी है", 6),
		Doc{ID: "priya", Kind: KindClient, ClientID: "c2", Title: "Priya Sharma"},
	)
	tests := []struct {
		name, query string
		want        []string
	}{
		{"accent in doc, none in query", "jose", []string{"jose", "plain"}},
		{"accent in query, none in doc", "José", []string{"jose", "plain"}},
		{"accent both ways", "café", []string{"jose", "plain"}},
		{"case", "JOSE CAFE", []string{"jose", "plain"}},
		{"prefix", "anx", []string{"jose", "hinglish"}},
		{"devanagari exact", "चिंता", []string{"hindi"}},
		{"devanagari prefix", "चिं", []string{"hindi"}},
		{"devanagari marks matter", "चता", []string{}},
		{"devanagari other word", "नींद", []string{"hindi"}},
		{"hinglish both scripts", "anxiety रात", []string{"hinglish"}},
		{"hinglish prefixes", "bah खास", []string{"hinglish"}},
		{"tamil prefix", "கவலை", []string{"tamil"}},
		{"tamil title", "அமர்வு", []string{"tamil"}},
		{"nukta typed decomposed", "ज\u093Cरूरी", []string{"nukta"}},
		{"AND across words", "sleep anxiety", []string{"hinglish"}},
		{"AND with a missing word", "sleep xylophone", []string{}},
		{"client name prefix", "pri sha", []string{"priya"}},
		{"danda in query", "चिंता।", []string{"hindi"}},
		{"empty query", "  ...  ", []string{}},
		{"one-letter word before the last is exact", "e sleep", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits := ix.Search(Query{Text: tt.query})
			if got := ids(hits); !sameSet(got, tt.want) {
				t.Errorf("Search(%q) = %q, want %q", tt.query, got, tt.want)
			}
			for _, h := range hits {
				checkHighlights(t, tt.query, h)
			}
		})
	}
}

func TestFilters(t *testing.T) {
	ix := built(t,
		Doc{ID: "client-a", Kind: KindClient, ClientID: "a", Title: "Anita Rao"},
		Doc{ID: "note-a", Kind: KindNote, ClientID: "a", Title: "Anita intake", Body: "anxiety"},
		Doc{ID: "note-b", Kind: KindNote, ClientID: "b", Title: "Intake", Body: "Anita's sister; anxiety"},
	)
	tests := []struct {
		name string
		q    Query
		want []string
	}{
		{"all", Query{Text: "anita"}, []string{"client-a", "note-a", "note-b"}},
		{"kind", Query{Text: "anita", Kind: KindNote}, []string{"note-a", "note-b"}},
		{"client", Query{Text: "anita", ClientID: "a"}, []string{"client-a", "note-a"}},
		{"both", Query{Text: "anita", Kind: KindClient, ClientID: "a"}, []string{"client-a"}},
		{"unknown kind", Query{Text: "anita", Kind: "invoice"}, []string{}},
		// Scratch from the query before must not leak into this one.
		{"after an unknown kind", Query{Text: "sister"}, []string{"note-b"}},
		{"limit", Query{Text: "anita", Limit: 1}, []string{"client-a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ids(ix.Search(tt.q)); !sameSet(got, tt.want) {
				t.Errorf("Search(%+v) = %q, want %q", tt.q, got, tt.want)
			}
		})
	}
}

func TestRanking(t *testing.T) {
	filler := strings.Repeat("the client talked about work and family at some length. ", 8)
	tests := []struct {
		name  string
		docs  []Doc
		query string
		want  []string // in order
	}{
		{
			name: "title above one mention in a long body",
			docs: []Doc{
				note("body", "Weekly session", filler+"Some panic on Monday. "+filler, 2),
				note("title", "Panic attacks", "Reviewed the plan.", 1),
			},
			query: "panic",
			want:  []string{"title", "body"},
		},
		{
			name: "more mentions above fewer in bodies of one length",
			docs: []Doc{
				note("once", "Session", "sleep was discussed and work and mood and family", 2),
				note("thrice", "Session", "sleep was poor and sleep hygiene and sleep diary", 1),
			},
			query: "sleep",
			want:  []string{"thrice", "once"},
		},
		{
			name: "short body above long body for one mention",
			docs: []Doc{
				note("long", "Session", filler+"grief"+filler, 2),
				note("short", "Session", "grief after the loss", 1),
			},
			query: "grief",
			want:  []string{"short", "long"},
		},
		{
			name: "exact word above a longer word it starts",
			docs: []Doc{
				note("prefix", "Session", "she is sleeping better now", 2),
				note("exact", "Session", "she is sleep better now", 1),
			},
			query: "sleep",
			want:  []string{"exact", "prefix"},
		},
		{
			name: "recency breaks ties",
			docs: []Doc{
				note("old", "Session", "mindfulness practice", 1),
				note("new", "Session", "mindfulness practice", 5),
				note("mid", "Session", "mindfulness practice", 3),
			},
			query: "mindfulness",
			want:  []string{"new", "mid", "old"},
		},
		{
			name: "client's name ranks above notes that mention it",
			docs: []Doc{
				note("n1", "Session", "Discussed how Meera felt about Meera's work.", 2),
				{ID: "meera", Kind: KindClient, ClientID: "m", Title: "Meera Iyer"},
			},
			query: "meera",
			want:  []string{"meera", "n1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ix := built(t, tt.docs...)
			hits := ix.Search(Query{Text: tt.query})
			if got := ids(hits); !slices.Equal(got, tt.want) {
				for _, h := range hits {
					t.Logf("%s %.4f", h.ID, h.Score)
				}
				t.Errorf("Search(%q) = %q, want %q", tt.query, got, tt.want)
			}
		})
	}
}

func TestSnippets(t *testing.T) {
	long := strings.Repeat("Routine check-in about work. ", 20)
	tests := []struct {
		name, body, query string
		want              []string // highlighted text, in order
	}{
		{"accented match", "Met José at the café.", "jose", []string{"José"}},
		{"after accented text", "Réunion, élan, café: then anxiety rose.", "anxiety", []string{"anxiety"}},
		{"decomposed accent", "Jose\u0301 and Jose\u0301", "jose", []string{"Jose\u0301", "Jose\u0301"}},
		{"prefix marks the typed part", "Anxiety and anxious thoughts.", "anx", []string{"Anx", "anx"}},
		{"prefix through an accent", "Élodie came.", "elo", []string{"Élo"}},
		{"sharp s", "Die Straße war laut.", "strasse", []string{"Straße"}},
		{"devanagari exact", "आज बहुत चिंता हो रही है।", "चिंता", []string{"चिंता"}},
		{"devanagari prefix keeps the matra and anusvara", "आज बहुत चिंता हो रही है।", "चि", []string{"चिं"}},
		{"devanagari prefix keeps the conjunct", "क्षमा माँगी", "क", []string{"क्ष"}},
		{"hinglish", "usko anxiety hoti hai, खासकर रात को", "anxiety रात", []string{"anxiety", "रात"}},
		{"tamil", "எனக்கு கவலையாக உள்ளது", "கவலை", []string{"கவலை"}},
		{"window around a late match", long + "Then the panic attack began. " + long, "panic", []string{"panic"}},
		{"window with two words", long + "Sleep was poor. " + long + "Sleep and panic together. " + long, "sleep panic", []string{"Sleep", "panic"}},
		{"window in devanagari", strings.Repeat("आज सब ठीक था। ", 30) + "फिर चिंता बढ़ी। " + strings.Repeat("आज सब ठीक था। ", 30), "चिंता", []string{"चिंता"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ix := built(t, note("n", "Note", tt.body, 1))
			hits := ix.Search(Query{Text: tt.query})
			if len(hits) != 1 {
				t.Fatalf("Search(%q) found %d documents, want 1", tt.query, len(hits))
			}
			h := hits[0]
			checkHighlights(t, tt.query, h)
			if got := highlighted(h); !slices.Equal(got, tt.want) {
				t.Errorf("highlighted %q in %q, want %q", got, h.Snippet, tt.want)
			}
			if n := len([]rune(h.Snippet)); n > snippetRunes+2*len([]rune(ellipsis)) {
				t.Errorf("snippet is %d runes long", n)
			}
		})
	}
}

func TestSnippetWhenOnlyTitleMatches(t *testing.T) {
	body := strings.Repeat("Nothing relevant here. ", 20)
	ix := built(t, note("n", "Panic review", body, 1))
	hits := ix.Search(Query{Text: "panic"})
	if len(hits) != 1 {
		t.Fatalf("found %d, want 1", len(hits))
	}
	h := hits[0]
	if len(h.Highlights) != 0 || !strings.HasPrefix(h.Snippet, "Nothing relevant") || !strings.HasSuffix(h.Snippet, ellipsis) {
		t.Errorf("snippet %q %v, want the body's opening without highlights", h.Snippet, h.Highlights)
	}
	if got := h.Title[h.TitleHighlights[0][0]:h.TitleHighlights[0][1]]; got != "Panic" {
		t.Errorf("title highlight %q, want Panic", got)
	}
}

// A snippet is cut on a space near its ends or at least on a grapheme
// boundary: never between a letter and its vowel sign.
func TestSnippetCutsWholeGraphemes(t *testing.T) {
	// No spaces at all, so the cut cannot snap to one.
	body := strings.Repeat("किताबें,", 60) + "चिंता" + strings.Repeat(",किताबें", 60)
	ix := built(t, note("n", "", body, 1))
	hits := ix.Search(Query{Text: "चिंता"})
	if len(hits) != 1 {
		t.Fatalf("found %d, want 1", len(hits))
	}
	s := strings.TrimSuffix(strings.TrimPrefix(hits[0].Snippet, ellipsis), ellipsis)
	first, _ := firstRune(s)
	if extends(first) {
		t.Errorf("snippet starts with a mark: %q", s[:12])
	}
	if strings.HasSuffix(s, "\u094D") {
		t.Errorf("snippet ends on a virama")
	}
}

func firstRune(s string) (rune, int) {
	for _, r := range s {
		return r, 0
	}
	return 0, 0
}

func TestManyHits(t *testing.T) {
	var docs []Doc
	for i := range 300 {
		docs = append(docs, note(fmt.Sprintf("n%03d", i), "Session", "anxiety and sleep", i))
	}
	ix := built(t, docs...)
	if got := len(ix.Search(Query{Text: "anxiety"})); got != DefaultLimit {
		t.Errorf("default limit: %d hits, want %d", got, DefaultLimit)
	}
	hits := ix.Search(Query{Text: "anxiety", Limit: 5000})
	if len(hits) != 300 {
		t.Fatalf("%d hits, want 300", len(hits))
	}
	// Equal scores: newest first.
	if hits[0].ID != "n299" || hits[299].ID != "n000" {
		t.Errorf("order %s … %s, want n299 … n000", hits[0].ID, hits[299].ID)
	}
}
