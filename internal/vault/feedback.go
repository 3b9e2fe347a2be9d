package vault

import (
	"math"
	"regexp"
	"strings"

	"github.com/trustelem/zxcvbn/match"
)

// feedback ports zxcvbn's feedback.coffee (v4.4.2), which the Go port lacks:
// it explains the longest weak pattern in the passphrase. Messages describe
// patterns, never the passphrase itself.

const suggestWords = "Use a few uncommon words; no need for symbols, digits or uppercase letters."

var (
	startUpper = regexp.MustCompile(`^[A-Z][^A-Z]+$`)
	allUpper   = regexp.MustCompile(`^[^a-z]+$`)
)

func feedback(score int, sequence []*match.Match) (warning string, suggestions []string) {
	if len(sequence) == 0 {
		return "", []string{suggestWords}
	}
	if score > 2 {
		return "", nil
	}
	longest := sequence[0]
	for _, m := range sequence[1:] {
		if len(m.Token) > len(longest.Token) {
			longest = m
		}
	}
	warning, suggestions = matchFeedback(longest, len(sequence) == 1)
	return warning, append([]string{"Add another word or two. Uncommon words are better."}, suggestions...)
}

func matchFeedback(m *match.Match, soleMatch bool) (string, []string) {
	switch m.Pattern {
	case "dictionary":
		return dictionaryFeedback(m, soleMatch)
	case "spatial":
		w := "Short keyboard patterns are easy to guess."
		if m.Turns == 1 {
			w = "Straight rows of keys are easy to guess."
		}
		return w, []string{"Use a longer keyboard pattern with more turns."}
	case "repeat":
		w := `Repeats like "abcabcabc" are only slightly harder to guess than "abc".`
		if len([]rune(m.BaseToken)) == 1 {
			w = `Repeats like "aaa" are easy to guess.`
		}
		return w, []string{"Avoid repeated words and characters."}
	case "sequence":
		return "Sequences like abc or 6543 are easy to guess.", []string{"Avoid sequences."}
	case "regex":
		if m.RegexName == "recent_year" {
			return "Recent years are easy to guess.", []string{"Avoid recent years.", "Avoid years that are associated with you."}
		}
	case "date":
		return "Dates are often easy to guess.", []string{"Avoid dates and years that are associated with you."}
	}
	return "", nil
}

func dictionaryFeedback(m *match.Match, soleMatch bool) (string, []string) {
	var warning string
	switch m.DictionaryName {
	case "passwords":
		switch {
		case soleMatch && !m.L33t && !m.Reversed && m.Rank <= 10:
			warning = "This is a top-10 common password."
		case soleMatch && !m.L33t && !m.Reversed && m.Rank <= 100:
			warning = "This is a top-100 common password."
		case soleMatch && !m.L33t && !m.Reversed:
			warning = "This is a very common password."
		case m.Guesses > 0 && math.Log10(m.Guesses) <= 4:
			warning = "This is similar to a commonly used password."
		}
	case "english_wikipedia":
		if soleMatch {
			warning = "A word by itself is easy to guess."
		}
	case "surnames", "male_names", "female_names":
		if soleMatch {
			warning = "Names and surnames by themselves are easy to guess."
		} else {
			warning = "Common names and surnames are easy to guess."
		}
	case "user_inputs":
		warning = "Words from your own name, email or practice are easy to guess."
	}

	var suggestions []string
	switch {
	case startUpper.MatchString(m.Token):
		suggestions = append(suggestions, "Capitalisation doesn't help very much.")
	case allUpper.MatchString(m.Token) && strings.ToLower(m.Token) != m.Token:
		suggestions = append(suggestions, "All-uppercase is almost as easy to guess as all-lowercase.")
	}
	if m.Reversed && len([]rune(m.Token)) >= 4 {
		suggestions = append(suggestions, "Reversed words aren't much harder to guess.")
	}
	if m.L33t {
		suggestions = append(suggestions, "Predictable substitutions like '@' instead of 'a' don't help very much.")
	}
	return warning, suggestions
}
