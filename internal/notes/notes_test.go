package notes

import (
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/calmally/practice/internal/apperr"
)

func TestParseDate(t *testing.T) {
	cases := []struct {
		in   string
		want Date
		ok   bool
	}{
		{"2024-02-29", Date{Year: 2024, Month: time.February, Day: 29}, true},
		{"2023-02-29", Date{}, false},
		{"2024-04-31", Date{}, false},
		{"2024-12-31", Date{Year: 2024, Month: time.December, Day: 31}, true},
		{"2024-1-5", Date{}, false},
		{"", Date{}, false},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseDate(tc.in)
			if tc.ok != (err == nil) || got != tc.want {
				t.Fatalf("ParseDate(%q) = %v, %v", tc.in, got, err)
			}
			if tc.ok && got.String() != tc.in {
				t.Fatalf("round trip %q", got.String())
			}
		})
	}
	if d := (Date{Year: 2024, Month: time.February, Day: 28}).AddDays(1); d != (Date{Year: 2024, Month: time.February, Day: 29}) {
		t.Errorf("leap day: %v", d)
	}
	if d := (Date{Year: 2023, Month: time.February, Day: 28}).AddDays(1); d != (Date{Year: 2023, Month: time.March, Day: 1}) {
		t.Errorf("non-leap: %v", d)
	}
	if d := (Date{Year: 2024, Month: time.December, Day: 31}).AddDays(1); d != (Date{Year: 2025, Month: time.January, Day: 1}) {
		t.Errorf("year end: %v", d)
	}
}

func TestServiceTodayUsesItsZone(t *testing.T) {
	kolkata, err := time.LoadLocation("Asia/Kolkata")
	if err != nil {
		t.Skip("no zone database")
	}
	cases := []struct {
		utc  time.Time
		want Date
	}{
		{time.Date(2024, 2, 28, 18, 29, 0, 0, time.UTC), Date{Year: 2024, Month: 2, Day: 28}},
		{time.Date(2024, 2, 28, 18, 30, 0, 0, time.UTC), Date{Year: 2024, Month: 2, Day: 29}},
		{time.Date(2024, 2, 29, 18, 30, 0, 0, time.UTC), Date{Year: 2024, Month: 3, Day: 1}},
		{time.Date(2023, 12, 31, 19, 0, 0, 0, time.UTC), Date{Year: 2024, Month: 1, Day: 1}},
	}
	for _, tc := range cases {
		s := NewService(Config{Now: func() time.Time { return tc.utc }, Zone: kolkata})
		if got := s.today(); got != tc.want {
			t.Errorf("%v: today = %v, want %v", tc.utc, got, tc.want)
		}
	}
}

func sampleNote() Note {
	return Note{
		ID: "0190a000-0000-7000-8000-000000000001", ClientID: "0190a000-0000-7000-8000-000000000002",
		Kind: KindProgress, TemplateID: "soap", TemplateVersion: 1, Title: "Session 1",
		Sections:    map[string]string{"subjective": "Feels low.", "objective": "", "assessment": "Mild.", "plan": "Review in 1 week."},
		SessionDate: Date{Year: 2024, Month: 2, Day: 29},
	}
}

// TestSignedHashIsStable pins the canonical encoding: a change here would
// make every signed note in the field fail to verify.
func TestSignedHashIsStable(t *testing.T) {
	n := sampleNote()
	at := time.Date(2024, 2, 29, 10, 30, 0, 123, time.UTC)
	order := []string{"subjective", "objective", "assessment", "plan"}
	got := hex.EncodeToString(SignedHash(n, order, "practitioner-1", at))
	const want = "2d26efd200d2b43bf4b2ee2225464d863f8fd721b09ed6d5b2466671fca5e59e"
	if got != want {
		t.Fatalf("hash changed: %s", got)
	}
	if got2 := hex.EncodeToString(SignedHash(n, order, "practitioner-1", at.In(time.FixedZone("IST", 19800)))); got2 != got {
		t.Fatal("the zone of the signing time changed the hash")
	}
	// Order matters: the same text under other headings is another note.
	swapped := sampleNote()
	swapped.Sections["subjective"], swapped.Sections["assessment"] = swapped.Sections["assessment"], swapped.Sections["subjective"]
	if hex.EncodeToString(SignedHash(swapped, order, "practitioner-1", at)) == got {
		t.Fatal("moving text between sections kept the hash")
	}
	// Length prefixes: shifting a boundary changes the hash.
	shifted := sampleNote()
	shifted.Title, shifted.Sections["subjective"] = "Session 1F", "eels low."
	if hex.EncodeToString(SignedHash(shifted, order, "practitioner-1", at)) == got {
		t.Fatal("moving a field boundary kept the hash")
	}
}

func TestPrefillSummary(t *testing.T) {
	soap, _ := builtin("soap", 0)
	n := sampleNote()
	n.Sections["plan"] = "Continue CBT.\nHomework: sleep diary\nhomework : walk daily\nReview in two weeks."
	c := prefill(n, soap)
	if c.Plan != "Continue CBT.\nReview in two weeks." || c.Homework != "sleep diary\nwalk daily" || c.NextSession != "" {
		t.Fatalf("prefill = %+v", c)
	}
	free, _ := builtin("free", 0)
	if c := prefill(n, free); c != (SummaryContent{}) {
		t.Fatalf("free template prefill = %+v", c)
	}
}

func TestParseBody(t *testing.T) {
	soap, _ := builtin("soap", 0)
	free, _ := builtin("free", 0)
	cases := []struct {
		name string
		t    Template
		in   string
		want map[string]string
		code string
	}{
		{"json", soap, `{"subjective": "S", "plan": "P"}`, map[string]string{"subjective": "S", "objective": "", "assessment": "", "plan": "P"}, ""},
		{"plain into first section", soap, "Just text\n", map[string]string{"subjective": "Just text\n", "objective": "", "assessment": "", "plan": ""}, ""},
		{"free body", free, "नमस्ते", map[string]string{"body": "नमस्ते"}, ""},
		{"unknown key", soap, `{"notes": "x"}`, nil, apperr.Invalid},
		{"bad json", soap, `{"plan": 3}`, nil, apperr.Invalid},
		{"not utf-8", free, "\xff", nil, apperr.Invalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseBody(tc.t, []byte(tc.in))
			if tc.code != "" {
				if apperr.CodeOf(err) != tc.code {
					t.Fatalf("got %v, want %s", err, tc.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %v", got)
			}
			for k, v := range tc.want {
				if got[k] != v {
					t.Fatalf("%s = %q, want %q", k, got[k], v)
				}
			}
		})
	}
}

func TestBuiltinsAreValid(t *testing.T) {
	seen := map[string]bool{}
	for _, tm := range builtins {
		if err := tm.validate(); err != nil {
			t.Errorf("%s: %v", tm, err)
		}
		key := tm.String()
		if seen[key] {
			t.Errorf("%s listed twice", key)
		}
		seen[key] = true
	}
	if got := len(Builtins()); got != 4 {
		t.Fatalf("%d built-ins", got)
	}
}

func TestNewIDIsCanonicalUUIDv7(t *testing.T) {
	now := time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)
	a, b := newID(now), newID(now)
	if a == b || !validID(a) || a[14] != '7' || !strings.ContainsRune("89ab", rune(a[19])) {
		t.Fatalf("ids %s %s", a, b)
	}
	if newID(now.Add(time.Millisecond)) < newID(now) {
		t.Fatal("ids do not sort by time")
	}
}
