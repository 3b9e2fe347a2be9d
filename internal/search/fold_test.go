package search

import (
	"slices"
	"strings"
	"testing"
)

func TestFold(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string
	}{
		{"accents", "José visited the Café", []string{"jose", "visited", "the", "cafe"}},
		{"decomposed accent", "Jose\u0301", []string{"jose"}},
		{"capital accent", "JOSÉ ÉLODIE", []string{"jose", "elodie"}},
		{"sharp s", "Straße", []string{"strasse"}},
		{"ligature and width", "ﬁle ＡＢＣ", []string{"file", "abc"}},
		{"stroke letters", "Søren Łódź", []string{"soren", "lodz"}},
		{"apostrophe splits", "don't D'Souza", []string{"don", "t", "d", "souza"}},
		{"digits and letters", "PHQ-9 score 12, GAD7", []string{"phq", "9", "score", "12", "gad7"}},
		{"devanagari keeps marks", "चिंता", []string{"चिंता"}},
		{"danda separates", "चिंता।तनाव॥ठीक", []string{"चिंता", "तनाव", "ठीक"}},
		{"devanagari sentence", "मैं ठीक हूँ। बहुत चिंता है", []string{"मैं", "ठीक", "हूँ", "बहुत", "चिंता", "है"}},
		{"nukta composed and decomposed", "ज़रूरी ज\u093Cरूरी", []string{"ज\u093Cरूरी", "ज\u093Cरूरी"}},
		{"precomposed nukta letter", "\u0958", []string{"\u0915\u093C"}},
		{"nukta after virama is reordered", "क\u094D\u093C", []string{"क\u093C\u094D"}},
		{"zero-width joiner ignored", "क्\u200Dष", []string{"क्ष"}},
		{"devanagari digits", "२०२४ 2024", []string{"2024", "2024"}},
		{"hinglish", "Client ne kaha: bahut anxiety hai, खासकर रात को।", []string{"client", "ne", "kaha", "bahut", "anxiety", "hai", "खासकर", "रात", "को"}},
		{"tamil", "எனக்கு கவலையாக உள்ளது.", []string{"எனக்கு", "கவலையாக", "உள்ளது"}},
		{"bengali two-part vowel", "কো \u0995\u09C7\u09BE", []string{"ক\u09C7\u09BE", "ক\u09C7\u09BE"}},
		{"punctuation only", " -- ... !? ", nil},
		{"invalid utf-8", "ab\xffcd", []string{"ab", "cd"}},
		{"long word is cut", strings.Repeat("a", 100), []string{strings.Repeat("a", maxTermBytes)}},
		{"long devanagari word is cut on a rune", strings.Repeat("क", 30), []string{strings.Repeat("क", maxTermBytes/3)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Fold(tt.text); !slices.Equal(got, tt.want) {
				t.Errorf("Fold(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

// Indic vowel signs and the anusvara are letters of the word, not accents:
// folding must keep words that differ only in them apart.
func TestFoldKeepsIndicMarks(t *testing.T) {
	pairs := [][2]string{
		{"चिंता", "चता"},
		{"कि", "क"},
		{"मैं", "में"},
		{"ज़रा", "जरा"},
		{"கவலை", "கவல"},
	}
	for _, p := range pairs {
		if a, b := Fold(p[0]), Fold(p[1]); slices.Equal(a, b) {
			t.Errorf("Fold(%q) = Fold(%q) = %q; the marks were dropped", p[0], p[1], a)
		}
	}
}

// The scanner maps each word back to the original bytes it came from.
func TestScanOffsets(t *testing.T) {
	text := "Ré-union: José, चिंता। ß"
	var s scanner
	var got []string
	s.scan(text, func(term []byte, start, end int) { got = append(got, text[start:end]) })
	want := []string{"Ré", "union", "José", "चिंता", "ß"}
	if !slices.Equal(got, want) {
		t.Errorf("words = %q, want %q", got, want)
	}
}
