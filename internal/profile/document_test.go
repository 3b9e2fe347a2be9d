package profile

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/calmally/practice/internal/apperr"
)

func TestDecodeExampleAndRefusals(t *testing.T) {
	b, err := os.ReadFile("testdata/example.json")
	if err != nil {
		t.Fatal(err)
	}
	d, err := Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("the documented example is refused: %v", err)
	}
	if d.Practitioner.Name == "" || d.Practice.TimeZone != DefaultZone || d.Practice.DateFormat != "DD/MM/YYYY" {
		t.Fatalf("decoded: %+v", d)
	}
	tests := []struct{ name, doc, want string }{
		{"unknown field", `{"version":1,"practice":{"name":"x","colour":"red"}}`, "not valid JSON of the documented format"},
		{"wrong version", `{"version":2,"practice":{"name":"x"}}`, "version must be 1"},
		{"empty", `{"version":1}`, "give practitioner, practice or both"},
		{"trailing", `{"version":1,"practice":{}} {}`, "trailing data"},
		{"bad language", `{"version":1,"practitioner":{"name":"A","languages":["not a tag!"]}}`, "languages: item 1"},
		{"bad pin", `{"version":1,"practice":{"address":{"pin":"01100"}}}`, "address.pin"},
		{"bad zone", `{"version":1,"practice":{"timeZone":"Mars/Olympus"}}`, "timeZone"},
		{"grievance without contact", `{"version":1,"practice":{"grievance":{"name":"Officer"}}}`, "grievance"},
		{"fee too high", `{"version":1,"practitioner":{"name":"A","sessionTypes":[{"name":"x","minutes":50,"feePaise":999999999}]}}`, "feePaise"},
		{"name required", `{"version":1,"practitioner":{"bio":"x"}}`, "name is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(strings.NewReader(tt.doc))
			if apperr.CodeOf(err) != apperr.Invalid || !strings.Contains(apperr.MessageOf(err), tt.want) {
				t.Fatalf("err %v, want invalid containing %q", err, tt.want)
			}
		})
	}
}

// FuzzDecode: Decode never panics, refuses with invalid only, and what it
// accepts re-encodes to a document it accepts again, unchanged.
func FuzzDecode(f *testing.F) {
	if b, err := os.ReadFile("testdata/example.json"); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`{"version":1,"practice":{}}`))
	f.Add([]byte(`{"version":1,"practitioner":{"name":"A","credentials":[{"qualification":"q","council":"rci","registrationNumber":"CRR A-1"}]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := Decode(bytes.NewReader(b))
		if err != nil {
			if c := apperr.CodeOf(err); c != apperr.Invalid && c != apperr.Internal {
				t.Fatalf("code %s", c)
			}
			return
		}
		out, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		d2, err := Decode(bytes.NewReader(out))
		if err != nil {
			t.Fatalf("re-decoding accepted output: %v", err)
		}
		out2, _ := json.Marshal(d2)
		if !bytes.Equal(out, out2) {
			t.Fatalf("not stable:\n%s\n%s", out, out2)
		}
	})
}
