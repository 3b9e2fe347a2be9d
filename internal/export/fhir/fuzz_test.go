package fhir

import (
	"testing"
)

// FuzzParse feeds Parse (the import decoder of the FHIR bundle) arbitrary
// input: it must return a record or an error, never panic; and whatever it
// accepts must survive Build and Parse again.
func FuzzParse(f *testing.F) {
	js, err := Build(sample())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(js)
	f.Add([]byte(`{"resourceType":"Bundle","type":"document","entry":[{"resource":{"resourceType":"Composition"}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		rec, err := Parse(data)
		if err != nil {
			return
		}
		rec.Practitioner.ID, rec.Organization.ID = "p", "o"
		again, err := Build(rec)
		if err != nil {
			return // e.g. a consent receipt the bundle never had
		}
		if _, err := Parse(again); err != nil {
			t.Fatalf("a parsed bundle did not survive a rebuild: %v", err)
		}
	})
}
