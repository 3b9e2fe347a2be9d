package vault

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckPassphrase(t *testing.T) {
	user := []string{"Meera Iyer", "meera.iyer@example.in", "Sukoon Counselling"}
	tests := []struct {
		name       string
		passphrase string
		acceptable bool
		warningHas string
		minScore   int
		maxScore   int
		suggestHas string
	}{
		{"empty", "", false, "Enter a passphrase", 0, 0, "uncommon words"},
		{"top-10 password", "password", false, "top-10 common password", 0, 0, "12 characters"},
		{"common password, long", "password1234", false, "", 0, 2, "Add another word"},
		{"keyboard row", "qwertyuiopasdf", false, "", 0, 2, ""},
		{"repeats", "aaaaaaaaaaaaaaaa", false, "Repeats", 0, 1, "Avoid repeated"},
		{"sequence", "abcdefghijklmnop", false, "Sequences", 0, 1, "Avoid sequences"},
		{"own name", "MeeraIyer", false, "your own name", 0, 2, "Capitalisation"},
		{"strong but short", "Xq7#vR2!pL", false, "shorter than 12", 3, 4, "12 characters"},
		{"four uncommon words", "quiet river under mango trees", true, "", 3, 4, ""},
		{"hindi words", "नीला आसमान और ठंडी हवा", true, "", 3, 4, ""},
		{"random long", "vR2pLq7tZk9mWx4s", true, "", 4, 4, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := CheckPassphrase(tt.passphrase, user)
			if s.Acceptable != tt.acceptable {
				t.Errorf("Acceptable = %v, want %v (%+v)", s.Acceptable, tt.acceptable, s)
			}
			if s.Score < tt.minScore || s.Score > tt.maxScore {
				t.Errorf("Score = %d, want %d..%d", s.Score, tt.minScore, tt.maxScore)
			}
			if !strings.Contains(s.Warning, tt.warningHas) {
				t.Errorf("Warning = %q, want it to mention %q", s.Warning, tt.warningHas)
			}
			if tt.suggestHas != "" && !strings.Contains(strings.Join(s.Suggestions, " "), tt.suggestHas) {
				t.Errorf("Suggestions = %q, want one mentioning %q", s.Suggestions, tt.suggestHas)
			}
			if !s.Acceptable && len(s.Suggestions) == 0 {
				t.Error("a weak passphrase got no suggestion")
			}
			if s.CrackTime == "" {
				t.Error("no crack time")
			}
			if len(tt.passphrase) >= 12 {
				all := s.Warning + strings.Join(s.Suggestions, " ")
				if strings.Contains(strings.ToLower(all), strings.ToLower(tt.passphrase)) {
					t.Errorf("feedback repeats the passphrase: %q", all)
				}
			}
		})
	}
}

func TestCheckPassphraseCountsCharactersNotBytes(t *testing.T) {
	// 11 Devanagari code points are more than 12 bytes but still too short.
	p := "कखगघचछजझटठड"
	if s := CheckPassphrase(p, nil); s.Acceptable {
		t.Fatalf("11-character passphrase accepted: %+v", s)
	}
}

func TestCheckPassphraseLongIsFast(t *testing.T) {
	s := CheckPassphrase(strings.Repeat("mango river quiet ", 2000), nil)
	if s.Score < 3 {
		t.Logf("score %d for a very long repetitive passphrase", s.Score)
	}
}

func TestRequireStrong(t *testing.T) {
	if err := RequireStrong("quiet river under mango trees", nil); err != nil {
		t.Fatalf("RequireStrong(strong) = %v", err)
	}
	err := RequireStrong("password", nil)
	if !errors.Is(err, ErrWeakPassphrase) {
		t.Fatalf("RequireStrong(weak) = %v", err)
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "vault: check passphrase: passphrase is too weak: ") || !strings.Contains(msg, "common password") {
		t.Fatalf("unhelpful error: %q", msg)
	}
	if strings.Contains(msg, `"password"`) {
		t.Fatalf("error repeats the passphrase: %q", msg)
	}
}

func TestCrackTime(t *testing.T) {
	for _, tt := range []struct {
		s    float64
		want string
	}{{0.5, "less than a second"}, {1, "1 second"}, {90, "2 minutes"}, {3600 * 5, "5 hours"}, {86400 * 40, "1 month"}, {86400 * 372 * 3, "3 years"}, {1e12, "centuries"}} {
		if got := crackTime(tt.s); got != tt.want {
			t.Errorf("crackTime(%v) = %q, want %q", tt.s, got, tt.want)
		}
	}
}
