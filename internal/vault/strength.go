package vault

import (
	"fmt"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn"
)

// The strength rule: zxcvbn score at least 3 ("safely unguessable") and at
// least 12 characters (Unicode code points, so a Hindi passphrase counts its
// letters, not its bytes).
const (
	MinPassphraseScore = 3
	MinPassphraseLen   = 12

	// maxScoredRunes bounds zxcvbn's work, which grows fast with length;
	// anything past it only adds strength.
	maxScoredRunes = 100

	// guessesPerSecond is zxcvbn's "offline, slow hash" attacker, used to
	// word CrackTime.
	guessesPerSecond = 1e4
)

// Strength is the verdict on a passphrase, worded for the person choosing it.
// Its messages never repeat the passphrase.
type Strength struct {
	Score       int      `json:"score"` // 0 (too guessable) to 4 (very unguessable)
	Acceptable  bool     `json:"acceptable"`
	Warning     string   `json:"warning"`     // what is wrong, or ""
	Suggestions []string `json:"suggestions"` // what to do about it
	CrackTime   string   `json:"crackTime"`   // e.g. "3 years", for an offline attacker
}

// CheckPassphrase judges p with zxcvbn. userInputs are words an attacker
// could know and should not count as strength: the therapist's name, email,
// practice name, city. Acceptable means score ≥ 3 and length ≥ 12.
func CheckPassphrase(p string, userInputs []string) Strength {
	if p == "" {
		return Strength{Warning: "Enter a passphrase.", Suggestions: []string{suggestWords}, CrackTime: "instantly"}
	}
	if !utf8.ValidString(p) {
		return Strength{Warning: "The passphrase contains characters that are not valid text.", Suggestions: []string{suggestWords}, CrackTime: "instantly"}
	}
	n := utf8.RuneCountInString(p)
	scored := p
	if n > maxScoredRunes {
		scored = string([]rune(p)[:maxScoredRunes])
	}
	r := zxcvbn.PasswordStrength(scored, expandUserInputs(userInputs))
	s := Strength{Score: r.Score, CrackTime: crackTime(r.Guesses / guessesPerSecond)}
	s.Warning, s.Suggestions = feedback(r.Score, r.Sequence)
	if n < MinPassphraseLen {
		if s.Warning == "" {
			s.Warning = fmt.Sprintf("This passphrase is shorter than %d characters.", MinPassphraseLen)
		}
		s.Suggestions = append([]string{fmt.Sprintf("Use at least %d characters: four or five uncommon words are easy to remember and hard to guess.", MinPassphraseLen)}, s.Suggestions...)
	}
	s.Acceptable = s.Score >= MinPassphraseScore && n >= MinPassphraseLen
	if !s.Acceptable && len(s.Suggestions) == 0 {
		s.Suggestions = []string{suggestWords}
	}
	if s.Suggestions == nil {
		s.Suggestions = []string{}
	}
	return s
}

// RequireStrong returns nil for an acceptable passphrase, or ErrWeakPassphrase
// wrapped with the warning and the first suggestion.
func RequireStrong(p string, userInputs []string) error {
	s := CheckPassphrase(p, userInputs)
	if s.Acceptable {
		return nil
	}
	reason := strings.TrimSuffix(s.Warning, ".")
	if len(s.Suggestions) > 0 {
		if reason != "" {
			reason += ". "
		}
		reason += strings.TrimSuffix(s.Suggestions[0], ".")
	}
	return fmt.Errorf("vault: check passphrase: %w: %s", ErrWeakPassphrase, lowerFirst(reason))
}

// expandUserInputs adds each word of each input ("Meera Iyer",
// "meera.iyer@example.in") so that a passphrase built from one of them is
// caught too.
func expandUserInputs(inputs []string) []string {
	var out []string
	for _, in := range inputs {
		in = strings.TrimSpace(in)
		if in == "" {
			continue
		}
		out = append(out, in)
		words := strings.FieldsFunc(in, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		for _, w := range words {
			if utf8.RuneCountInString(w) >= 3 && w != in {
				out = append(out, w)
			}
		}
	}
	return out
}

func lowerFirst(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if size == 0 {
		return s
	}
	return string(unicode.ToLower(r)) + s[size:]
}

// crackTime words a duration in seconds the way zxcvbn does.
func crackTime(seconds float64) string {
	const (
		minute  = 60.0
		hour    = 60 * minute
		day     = 24 * hour
		month   = 31 * day
		year    = 12 * month
		century = 100 * year
	)
	count := func(v float64, unit string) string {
		n := int64(math.Round(v))
		if n == 1 {
			return "1 " + unit
		}
		return fmt.Sprintf("%d %ss", n, unit)
	}
	switch {
	case seconds < 1:
		return "less than a second"
	case seconds < minute:
		return count(seconds, "second")
	case seconds < hour:
		return count(seconds/minute, "minute")
	case seconds < day:
		return count(seconds/hour, "hour")
	case seconds < month:
		return count(seconds/day, "day")
	case seconds < year:
		return count(seconds/month, "month")
	case seconds < century:
		return count(seconds/year, "year")
	default:
		return "centuries"
	}
}
