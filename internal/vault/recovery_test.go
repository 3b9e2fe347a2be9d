package vault

import (
	"errors"
	"strings"
	"testing"
)

func TestNewRecoveryCodeShape(t *testing.T) {
	seen := map[string]bool{}
	for range 50 {
		code := newRecoveryCode()
		if len(code) != 39 || strings.Count(code, "-") != 7 {
			t.Fatalf("code %q has the wrong shape", code)
		}
		for _, g := range strings.Split(code, "-") {
			if len(g) != 4 {
				t.Fatalf("group %q", g)
			}
		}
		if strings.ContainsAny(code, "ILOU") {
			t.Fatalf("code %q uses an ambiguous letter", code)
		}
		if seen[code] {
			t.Fatal("repeated code")
		}
		seen[code] = true
	}
}

func TestNormalizeRecoveryCode(t *testing.T) {
	code := newRecoveryCode()
	bare := strings.ReplaceAll(code, "-", "")
	withLookalikes := strings.NewReplacer("0", "o", "1", "l").Replace(strings.ToLower(bare))
	accepted := []struct{ name, in string }{
		{"canonical", code},
		{"lower case", strings.ToLower(code)},
		{"no dashes", bare},
		{"spaces", strings.ReplaceAll(code, "-", " ")},
		{"surrounding whitespace and newline", "  " + code + "\n"},
		{"typographic dashes", strings.ReplaceAll(code, "-", "–")},
		{"groups of five", bare[:5] + " " + bare[5:10] + " " + bare[10:]},
		{"lookalike letters", withLookalikes},
	}
	for _, tt := range accepted {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizeRecoveryCode(tt.in)
			if err != nil {
				t.Fatalf("NormalizeRecoveryCode: %v", err)
			}
			if got != code {
				t.Fatalf("got %q, want %q", got, code)
			}
		})
	}

	swapped := []byte(bare)
	i := 0
	for swapped[i] == swapped[i+1] {
		i++
	}
	swapped[i], swapped[i+1] = swapped[i+1], swapped[i]
	changed := []byte(bare)
	changed[10] = map[bool]byte{true: 'Z', false: 'Y'}[changed[10] != 'Z']
	rejected := []struct{ name, in string }{
		{"one character changed", string(changed)},
		{"two characters swapped", string(swapped)},
		{"missing a character", bare[1:]},
		{"extra character", bare + "A"},
		{"letter U", "U" + bare[1:]},
		{"punctuation", bare[:5] + "!" + bare[6:]},
		{"non-ASCII digit", "१" + bare[1:]},
		{"empty", ""},
		{"huge", strings.Repeat("A", 100000)},
	}
	for _, tt := range rejected {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NormalizeRecoveryCode(tt.in)
			if !errors.Is(err, ErrWrongRecoveryCode) {
				t.Fatalf("error = %v, want ErrWrongRecoveryCode", err)
			}
			if strings.Contains(err.Error(), bare[:8]) {
				t.Fatalf("error leaks the code: %v", err)
			}
		})
	}
}
