package availability

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/calmally/practice/internal/apperr"
)

func TestDecodeExample(t *testing.T) {
	f, err := os.Open("testdata/example.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.RuleSets) != 2 || s.RuleSets[0].Zone != "Asia/Kolkata" || len(s.RuleSets[0].Weekly) != 3 ||
		s.RuleSets[0].Weekly[1].Modality != InPerson || s.RuleSets[0].Weekly[0].Modality != Online ||
		len(s.RuleSets[0].Exceptions) != 4 || s.RuleSets[1].Zone != "Europe/London" {
		t.Fatalf("decoded %+v", s)
	}
}

func TestDecodeRefuses(t *testing.T) {
	ok := `{"zone":"Asia/Kolkata","sessionMinutes":50,"horizonDays":30,"weekly":[{"day":"mon","start":"09:00","end":"12:00"}]}`
	doc := func(sets ...string) string { return `{"version":1,"ruleSets":[` + strings.Join(sets, ",") + `]}` }
	repl := func(old, new string) string { return strings.Replace(ok, old, new, 1) }
	tests := []struct {
		name, doc, want string
	}{
		{"not JSON", `{"ruleSets":`, "not valid JSON"},
		{"unknown field", `{"version":1,"ruleSets":[],"extra":1}`, "not valid JSON"},
		{"trailing data", doc(ok) + ` {}`, "trailing data"},
		{"wrong version", `{"version":2,"ruleSets":[]}`, "version must be 1"},
		{"unknown zone", doc(repl("Asia/Kolkata", "Mars/Olympus")), "IANA zone"},
		{"path as zone", doc(repl("Asia/Kolkata", "../../etc/passwd")), "IANA zone"},
		{"Local zone", doc(repl("Asia/Kolkata", "Local")), "IANA zone"},
		{"short session", doc(repl(`"sessionMinutes":50`, `"sessionMinutes":5`)), "sessionMinutes"},
		{"no horizon", doc(repl(`"horizonDays":30`, `"horizonDays":0`)), "horizonDays"},
		{"bad day", doc(repl(`"mon"`, `"monday"`)), "day: must be"},
		{"bad time", doc(repl(`"09:00"`, `"9:00"`)), "HH:MM"},
		{"25:00", doc(repl(`"12:00"`, `"25:00"`)), "HH:MM"},
		{"end before start", doc(repl(`"12:00"`, `"08:00"`)), "end must be after start"},
		{"window shorter than a session", doc(repl(`"12:00"`, `"09:30"`)), "shorter than one session"},
		{"overlapping windows", doc(repl(`}]}`, `},{"day":"mon","start":"11:00","end":"13:00"}]}`)), "overlap"},
		{"in person without location", doc(repl(`"end":"12:00"`, `"end":"12:00","modality":"in_person"`)), "need a location"},
		{"impossible date", doc(repl(`"zone"`, `"effectiveFrom":"2027-02-29","zone"`)), "must exist"},
		{"until before from", doc(repl(`"zone"`, `"effectiveFrom":"2025-02-01","effectiveUntil":"2025-01-31","zone"`)), "effectiveUntil"},
		{"overlapping periods", doc(ok, ok), "periods overlap"},
		{"extra without hours", doc(repl(`]}`, `],"exceptions":[{"kind":"extra","from":"2025-01-01"}]}`)), "extra hours need"},
		{"start without end", doc(repl(`]}`, `],"exceptions":[{"kind":"time_off","from":"2025-01-01","start":"10:00"}]}`)), "both or neither"},
		{"unknown kind", doc(repl(`]}`, `],"exceptions":[{"kind":"vacation","from":"2025-01-01"}]}`)), "kind must be"},
		{"year-long exception", doc(repl(`]}`, `],"exceptions":[{"kind":"time_off","from":"2025-01-01","to":"2026-06-01"}]}`)), "more than 366 days"},
		{"too large", `{"version":1,"ruleSets":[],"x":"` + strings.Repeat("a", MaxDocumentBytes) + `"}`, "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(strings.NewReader(tt.doc))
			if err == nil {
				t.Fatal("accepted")
			}
			if apperr.CodeOf(err) != apperr.Invalid || !strings.Contains(apperr.MessageOf(err), tt.want) {
				t.Fatalf("error %q (%s), want it to mention %q", apperr.MessageOf(err), apperr.CodeOf(err), tt.want)
			}
		})
	}
	if _, err := Decode(strings.NewReader(doc(ok))); err != nil {
		t.Fatalf("the base document: %v", err)
	}
}

func TestParseDateLeapYears(t *testing.T) {
	for s, ok := range map[string]bool{"2028-02-29": true, "2024-02-29": true, "2027-02-29": false, "2100-02-29": false,
		"2000-02-29": true, "2024-04-31": false, "2024-12-31": true, "24-01-01": false} {
		if _, err := ParseDate(s); (err == nil) != ok {
			t.Errorf("%s: err %v, want ok=%v", s, err, ok)
		}
	}
	if got := date("2028-02-28").AddDays(1).String(); got != "2028-02-29" {
		t.Errorf("28 Feb 2028 + 1 = %s", got)
	}
	if got := date("2024-01-31").AddDays(1).String(); got != "2024-02-01" {
		t.Errorf("31 Jan + 1 = %s", got)
	}
}

// FuzzDecode: any input either is refused with an invalid error or decodes
// to a schedule that re-encodes and decodes to the same thing.
func FuzzDecode(f *testing.F) {
	seed, err := os.ReadFile("testdata/example.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte(`{"ruleSets":[{"sessionMinutes":50,"horizonDays":1,"weekly":[{"day":"sun","start":"00:00","end":"24:00"}]}]}`))
	f.Add([]byte(`{"version":1,"ruleSets":[]}`))
	f.Add([]byte(`{"ruleSets":[{"zone":"America/New_York","sessionMinutes":10,"horizonDays":2,"weekly":[],"exceptions":[{"kind":"extra","from":"2024-03-10","start":"01:00","end":"04:00"}]}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := Decode(bytes.NewReader(b))
		if err != nil {
			if c := apperr.CodeOf(err); c != apperr.Invalid {
				t.Fatalf("refused with code %s: %v", c, err)
			}
			return
		}
		again, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		s2, err := Decode(bytes.NewReader(again))
		if err != nil {
			t.Fatalf("re-decode of %s: %v", again, err)
		}
		again2, _ := json.Marshal(s2)
		if !bytes.Equal(again, again2) {
			t.Fatalf("round trip changed:\n%s\n%s", again, again2)
		}
		// Expansion over a short range must terminate quickly whatever the rules.
		Slots(s, instant("2024-03-01T00:00:00Z"), instant("2024-03-15T00:00:00Z"), instant("2024-02-01T00:00:00Z"), nil)
	})
}
