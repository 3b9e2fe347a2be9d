package clients

import (
	"strings"
	"testing"
	"time"

	"github.com/calmally/practice/internal/apperr"
)

// ist returns the instant of hh:mm on y-m-d in India.
func ist(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, India)
}

func TestCheckAdult(t *testing.T) {
	tests := []struct {
		name string
		dob  string
		now  time.Time
		want string // "" accepted, else the message
	}{
		{"18 today", "2006-06-15", ist(2024, 6, 15, 0, 0), ""},
		{"18 today, last minute of the day", "2006-06-15", ist(2024, 6, 15, 23, 59), ""},
		{"17y364d", "2006-06-16", ist(2024, 6, 15, 12, 0), MsgUnder18},
		{"one day past 18", "2006-06-14", ist(2024, 6, 15, 12, 0), ""},
		{"long an adult", "1970-01-01", ist(2024, 6, 15, 12, 0), ""},
		{"newborn", "2024-06-15", ist(2024, 6, 15, 12, 0), MsgUnder18},
		// India is ahead of UTC: at 20:00 UTC on the 14th it is already the
		// 15th in India, so the birthday has come.
		{"birthday already started in India", "2006-06-15", time.Date(2024, 6, 14, 20, 0, 0, 0, time.UTC), ""},
		{"birthday not yet in India", "2006-06-15", time.Date(2024, 6, 14, 18, 29, 0, 0, time.UTC), MsgUnder18},
		{"birthday at 18:30 UTC is midnight in India", "2006-06-15", time.Date(2024, 6, 14, 18, 30, 0, 0, time.UTC), ""},
		// Month ends and year ends.
		{"31 December birthday on 31 December", "2005-12-31", ist(2023, 12, 31, 9, 0), ""},
		{"31 December birthday on 30 December", "2005-12-31", ist(2023, 12, 30, 9, 0), MsgUnder18},
		{"1 January birthday on 31 December", "2006-01-01", ist(2023, 12, 31, 23, 59), MsgUnder18},
		{"1 January birthday on 1 January", "2006-01-01", ist(2024, 1, 1, 0, 0), ""},
		// Leap days: born 29 Feb 2004 turns 18 on 1 Mar 2022 (2022 has no 29 Feb).
		{"leapling on 28 Feb of common year", "2004-02-29", ist(2022, 2, 28, 12, 0), MsgUnder18},
		{"leapling on 1 Mar of common year", "2004-02-29", ist(2022, 3, 1, 0, 0), ""},
		// Born 29 Feb 2000 turns 18 in 2018 (common) on 1 Mar.
		{"leapling 2000 on 28 Feb 2018", "2000-02-29", ist(2018, 2, 28, 23, 59), MsgUnder18},
		{"leapling 2000 on 1 Mar 2018", "2000-02-29", ist(2018, 3, 1, 0, 1), ""},
		// Turning 18 in a leap year: 28 Feb and 1 Mar birthdays are not moved
		// by the 29th.
		{"28 Feb birthday in a leap year", "2006-02-28", ist(2024, 2, 28, 8, 0), ""},
		{"28 Feb birthday, day before, leap year", "2006-02-28", ist(2024, 2, 27, 8, 0), MsgUnder18},
		{"1 Mar birthday on 29 Feb of leap year", "2006-03-01", ist(2024, 2, 29, 8, 0), MsgUnder18},
		{"1 Mar birthday on 1 Mar of leap year", "2006-03-01", ist(2024, 3, 1, 0, 0), ""},
		// Years 18 apart are never both leap years (18 is not a multiple of
		// 4), so every leapling's 18th birthday falls in a common year.
		{"future date of birth", "2024-06-16", ist(2024, 6, 15, 12, 0), "date of birth: cannot be in the future"},
		{"before 1900", "1899-12-31", ist(2024, 6, 15, 12, 0), "date of birth: cannot be before 1900"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dob, err := ParseDate(tt.dob)
			if err != nil {
				t.Fatal(err)
			}
			err = CheckAdult(dob, tt.now)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("CheckAdult(%s) = %v, want accepted", tt.dob, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("CheckAdult(%s) accepted, want %q", tt.dob, tt.want)
			}
			if apperr.CodeOf(err) != apperr.Invalid || apperr.MessageOf(err) != tt.want {
				t.Fatalf("CheckAdult(%s) = %q (%s), want invalid %q", tt.dob, apperr.MessageOf(err), apperr.CodeOf(err), tt.want)
			}
		})
	}
}

func TestParseDate(t *testing.T) {
	good := map[string]Date{
		"2000-02-29": {2000, time.February, 29},
		"1999-12-31": {1999, time.December, 31},
	}
	for s, want := range good {
		got, err := ParseDate(s)
		if err != nil || got != want {
			t.Errorf("ParseDate(%q) = %v, %v; want %v", s, got, err, want)
		}
		if got.String() != s {
			t.Errorf("String() = %q, want %q", got.String(), s)
		}
	}
	for _, s := range []string{"", "2023-02-29", "1900-02-29", "2001-04-31", "2001-4-3", "03/04/2001", "2001-04-03T00:00:00Z", " 2001-04-03"} {
		if _, err := ParseDate(s); err == nil {
			t.Errorf("ParseDate(%q) accepted", s)
		}
	}
}

func TestNormalizePhone(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"9876543210", "+919876543210"},
		{"98765 43210", "+919876543210"},
		{"098765-43210", "+919876543210"},
		{"919876543210", "+919876543210"},
		{"+91 98765 43210", "+919876543210"},
		{"0091 9876543210", "+919876543210"},
		{"(011) 2345-6789", "+911123456789"}, // Delhi landline with STD code
		{"+44 20 7946 0958", "+442079460958"},
		{"+1 (415) 555-2671", "+14155552671"},
	}
	for _, tt := range tests {
		got, err := NormalizePhone(FieldPhone, tt.in)
		if err != nil || got != tt.want {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{"12345", "98765432101", "+91 98765 4321", "+91 0876543210", "+0 123456789", "call me", "98765x43210", "+1234567", "+1234567890123456"} {
		if got, err := NormalizePhone(FieldPhone, in); err == nil {
			t.Errorf("NormalizePhone(%q) = %q, want refused", in, got)
		} else if strings.Contains(apperr.MessageOf(err), in) {
			t.Errorf("error repeats the input: %v", err)
		}
	}
}

func TestNormalizeEmail(t *testing.T) {
	good := map[string]string{
		"":                       "",
		"asha@example.com":       "asha@example.com",
		" Asha.K@Example.CO.IN ": "Asha.K@example.co.in",
		"a+tag@mail.example.org": "a+tag@mail.example.org",
	}
	for in, want := range good {
		if got, err := NormalizeEmail(in); err != nil || got != want {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"asha", "asha@", "@example.com", "asha@localhost", "Asha <asha@example.com>", "asha@example..com", "asha@.example.com", "a b@example.com", strings.Repeat("a", 250) + "@x.com"} {
		if _, err := NormalizeEmail(in); err == nil {
			t.Errorf("NormalizeEmail(%q) accepted", in)
		}
	}
}

func TestNormalize(t *testing.T) {
	now := ist(2024, 6, 15, 12, 0)
	base := Input{Name: "  Asha Kumar ", DateOfBirth: "1990-05-01", Phone: "98765 43210", Email: "asha@example.com"}
	p, err := Normalize(base, now)
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "Asha Kumar" || p.Phone != "+919876543210" || p.DateOfBirth != (Date{1990, time.May, 1}) {
		t.Fatalf("Normalize = %+v", p)
	}
	// NFC: a decomposed é becomes one rune, so search and comparisons agree.
	p, err = Normalize(Input{Name: "Rene\u0301e", DateOfBirth: "1990-05-01"}, now)
	if err != nil || p.Name != "Ren\u00e9e" {
		t.Fatalf("Normalize NFC = %q, %v", p.Name, err)
	}

	tests := []struct {
		name string
		edit func(*Input)
		want string
	}{
		{"name required", func(in *Input) { in.Name = "   " }, "name: required"},
		{"dob required", func(in *Input) { in.DateOfBirth = "" }, "date of birth: required"},
		{"dob format", func(in *Input) { in.DateOfBirth = "01/05/1990" }, "date of birth: must be a real date written YYYY-MM-DD"},
		{"dob not a date", func(in *Input) { in.DateOfBirth = "1990-02-30" }, "date of birth: must be a real date written YYYY-MM-DD"},
		{"under 18", func(in *Input) { in.DateOfBirth = "2010-01-01" }, MsgUnder18},
		{"future", func(in *Input) { in.DateOfBirth = "2030-01-01" }, "date of birth: cannot be in the future"},
		{"phone", func(in *Input) { in.Phone = "123" }, "phone: use +country code and number (E.164) or a 10-digit Indian number"},
		{"email", func(in *Input) { in.Email = "nope" }, "email: must be an address like name@example.com"},
		{"name too long", func(in *Input) { in.Name = strings.Repeat("a", 201) }, "name: at most 200 characters"},
		{"control character", func(in *Input) { in.Name = "A\x00B" }, "name: contains a control character"},
		{"emergency contact half filled", func(in *Input) { in.EmergencyContact = EmergencyContact{Name: "Ravi"} }, "emergency contact: needs both a name and a phone number"},
		{"emergency phone", func(in *Input) { in.EmergencyContact = EmergencyContact{Name: "Ravi", Phone: "1"} }, "emergency contact phone: use +country code and number (E.164) or a 10-digit Indian number"},
		{"bad utf-8", func(in *Input) { in.Gender = "\xff" }, "gender: not valid text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := base
			tt.edit(&in)
			_, err := Normalize(in, now)
			if err == nil || apperr.CodeOf(err) != apperr.Invalid || apperr.MessageOf(err) != tt.want {
				t.Fatalf("Normalize = %v, want invalid %q", err, tt.want)
			}
		})
	}
	// Multiline fields keep their line breaks.
	in := base
	in.PresentingConcerns = "sleep\nwork stress"
	if p, err := Normalize(in, now); err != nil || p.PresentingConcerns != "sleep\nwork stress" {
		t.Fatalf("multiline = %q, %v", p.PresentingConcerns, err)
	}
}

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ASHA", "asha"},
		{"Renée", "renee"},
		{"Rene\u0301e", "renee"},
		{"Şükrü", "sukru"},
		{"स्नेहा", "स्नेहा"}, // Devanagari keeps its signs
	}
	for _, tt := range tests {
		if got := fold(tt.in); got != tt.want {
			t.Errorf("fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNewIDIsUUIDv7(t *testing.T) {
	at := time.Date(2024, 6, 15, 12, 0, 0, 0, time.UTC)
	a, b := newID(at), newID(at.Add(time.Millisecond))
	for _, id := range []string{a, b} {
		if !validID(id) || id[14] != '7' || !strings.ContainsRune("89ab", rune(id[19])) {
			t.Fatalf("newID = %q, not a UUIDv7", id)
		}
	}
	if !(a < b) {
		t.Errorf("ids not time-ordered: %s !< %s", a, b)
	}
	if a == newID(at) {
		t.Error("two ids in the same millisecond are equal")
	}
	for _, bad := range []string{"", "x", "0190A2B4-0000-7000-8000-000000000000", "0190a2b4000070008000000000000000"} {
		if validID(bad) {
			t.Errorf("validID(%q) = true", bad)
		}
	}
}
