package audit

import (
	"errors"
	"strings"
	"testing"
)

func TestDetailAcceptsMachineCodes(t *testing.T) {
	tests := []struct {
		name string
		d    Detail
		want string
	}{
		{"empty", D(), ""},
		{"one pair", D("field", "phone"), "field=phone"},
		{"reason", D("reason", "wrong_passphrase"), "reason=wrong_passphrase"},
		{"several", D("format", "fhir-r4", "count", "12", "version", "1.2:3"), "format=fhir-r4 count=12 version=1.2:3"},
		{"empty value", D("reason", ""), "reason="},
		{"uuid value", D("addendum", "01939a2b-4c5d-7e6f-8a9b-123456789012"), "addendum=01939a2b-4c5d-7e6f-8a9b-123456789012"},
		{"nine digits", D("n", "123456789"), "n=123456789"},
		{"with", D("field", "phone").With("reason", "corrected"), "field=phone reason=corrected"},
		{"with on empty", Detail{}.With("field", "dob"), "field=dob"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.d.Err(); err != nil {
				t.Fatalf("Err() = %v", err)
			}
			if got := tt.d.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
			if err := ValidateDetail(tt.d.String()); err != nil {
				t.Errorf("ValidateDetail(String()) = %v", err)
			}
		})
	}
}

func TestDetailRefusesClientData(t *testing.T) {
	tests := []struct {
		name string
		kv   []string
	}{
		{"full name", []string{"name", "Priya Sharma"}},
		{"capitalised name", []string{"client", "Priya"}},
		{"email", []string{"contact", "priya.sharma@example.com"}},
		{"phone with country code", []string{"phone", "+919876543210"}},
		{"bare phone", []string{"phone", "9876543210"}},
		{"aadhaar", []string{"id", "123412341234"}},
		{"sentence", []string{"note", "client reports low mood"}},
		{"hindi", []string{"note", "प्रिया"}},
		{"newline", []string{"reason", "a\nb"}},
		{"equals in value", []string{"reason", "a=b"}},
		{"long value", []string{"reason", strings.Repeat("a", 65)}},
		{"odd arguments", []string{"field"}},
		{"bad key", []string{"Field", "phone"}},
		{"key with space", []string{"the field", "phone"}},
		{"empty key", []string{"", "phone"}},
		{"repeated key", []string{"field", "phone", "field", "email"}},
		{"uppercase uuid with digits", []string{"id", "01939A2B-4C5D-7E6F-8A9B-123456789012"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := D(tt.kv...)
			err := d.Err()
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("D(%q).Err() = %v, want ErrInvalid", tt.kv, err)
			}
			if d.String() != "" {
				t.Errorf("refused detail still has text %q", d.String())
			}
			for i := 1; i < len(tt.kv); i += 2 {
				if len(tt.kv[i]) > 3 && strings.Contains(err.Error(), tt.kv[i]) {
					t.Errorf("error %q echoes the refused value", err)
				}
			}
			// With after a refusal stays refused.
			if d.With("field", "phone").Err() == nil {
				t.Error("With cleared an earlier refusal")
			}
		})
	}
}

func TestValidateDetailStoredForm(t *testing.T) {
	for _, s := range []string{"field=phone reason=x", "a="} {
		if err := ValidateDetail(s); err != nil {
			t.Errorf("ValidateDetail(%q) = %v", s, err)
		}
	}
	for _, s := range []string{" field=phone", "field=phone  reason=x", "field", "=x", "name=Priya Sharma",
		strings.Repeat("k=v ", 17)} {
		if err := ValidateDetail(s); !errors.Is(err, ErrInvalid) {
			t.Errorf("ValidateDetail(%q) = %v, want ErrInvalid", s, err)
		}
	}
	pairs, err := ParseDetail("field=phone reason=corrected")
	if err != nil || len(pairs) != 2 || pairs[0] != [2]string{"field", "phone"} || pairs[1] != [2]string{"reason", "corrected"} {
		t.Errorf("ParseDetail = %v, %v", pairs, err)
	}
}

// FuzzDetail: a stored detail that validates parses into pairs that D
// rebuilds byte for byte, and nothing panics on arbitrary input.
func FuzzDetail(f *testing.F) {
	for _, s := range []string{"", "field=phone", "a=b c=d", "name=Priya Sharma", "k=", "=v", "k=v k=v", "n=9876543210"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		pairs, err := ParseDetail(s)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		var kv []string
		for _, p := range pairs {
			kv = append(kv, p[0], p[1])
		}
		d := D(kv...)
		if d.Err() != nil || d.String() != s {
			t.Fatalf("D(ParseDetail(%q)) = %q, %v", s, d.String(), d.Err())
		}
	})
}
