package fhir

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/google/fhir/go/fhirversion"
	"github.com/google/fhir/go/jsonformat"

	"github.com/calmally/practice/internal/export/record"
)

func sample() record.Record {
	at := time.Date(2024, 6, 15, 6, 30, 0, 0, time.UTC)
	tmpl := record.Template{ID: "soap", Version: 1, Name: "SOAP", Builtin: true, Sections: []record.TemplateSection{
		{Key: "subjective", Label: "Subjective"}, {Key: "objective", Label: "Objective"},
		{Key: "assessment", Label: "Assessment"}, {Key: "plan", Label: "Plan", Summary: "plan"}}}
	signed := record.Note{ID: "0190a2b4-0000-7000-8000-000000000010", ClientID: "0190a2b4-0000-7000-8000-000000000001",
		Kind: record.KindProgress, Template: tmpl, Title: "Session 3",
		Sections:    map[string]string{"subjective": "Sleeping better <b>.", "objective": "", "assessment": "Improving", "plan": "Continue"},
		SessionDate: "2024-06-14", Status: record.StatusSigned, CreatedAt: at.Add(-time.Hour), UpdatedAt: at.Add(-time.Hour),
		SignedAt: at.Add(-30*time.Minute + 123456789), SignedBy: "cli", SignedHash: make([]byte, 32),
		Addenda: []record.Addendum{{ID: "0190a2b4-0000-7000-8000-000000000011", NoteID: "0190a2b4-0000-7000-8000-000000000010",
			Body: "Correction: online.", CreatedAt: at, SignedAt: at, SignedBy: "cli", SignedHash: make([]byte, 32)}}}
	private := record.Note{ID: "0190a2b4-0000-7000-8000-000000000020", ClientID: signed.ClientID, Kind: record.KindPsychotherapy,
		Template: record.Template{ID: "free", Version: 1, Name: "Free", Builtin: true, Sections: []record.TemplateSection{{Key: "body", Label: "Note"}}},
		Sections: map[string]string{"body": "A private reflection."}, SessionDate: "2024-06-14", Status: record.StatusDraft,
		CreatedAt: at, UpdatedAt: at}
	consentJSON := []byte(`{"resourceType":"Consent","id":"0190a2b4-0000-7000-8000-000000000030","status":"active",
		"scope":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/consentscope","code":"patient-privacy"}]},
		"category":[{"coding":[{"system":"http://loinc.org","code":"59284-0"}]}],
		"patient":{"reference":"Patient/0190a2b4-0000-7000-8000-000000000001"},"dateTime":"2024-06-01T00:00:00Z",
		"policy":[{"uri":"https://calmally.in/notice/health-data/1/en"}]}`)
	return record.Record{
		ID: "0190a2b4-0000-7000-8000-0000000000ff", Scope: record.ScopeClient, ClientID: signed.ClientID,
		ExportedAt: at, AppVersion: "test",
		Practitioner: record.Practitioner{ID: "0190a2b4-0000-7000-8000-0000000000a1", Name: record.NotRecorded, Council: record.NotRecorded, Registration: record.NotRecorded},
		Organization: record.Organization{ID: "0190a2b4-0000-7000-8000-0000000000a2", Name: record.NotRecorded},
		Clients: []record.Client{{ID: signed.ClientID, Name: "आशा कुमार", PreferredName: "Asha", DateOfBirth: "1990-05-01",
			Gender: "Female", Phone: "+919812345678", Email: "asha@example.in", Language: "Hindi",
			EmergencyContact:   record.EmergencyContact{Name: "Ravi", Relationship: "brother", Phone: "+919812345679"},
			PresentingConcerns: "Sleep", Status: "active", CreatedAt: at.Add(-48 * time.Hour)}},
		Notes:    []record.Note{signed, private},
		Consents: []record.Consent{{ID: "0190a2b4-0000-7000-8000-000000000030", ClientID: signed.ClientID, FHIR: consentJSON}},
		Sessions: []record.Session{{ID: "0190a2b4-0000-7000-8000-000000000040", ClientID: signed.ClientID, Status: "completed",
			Modality: "online", Start: at.Add(-25 * time.Hour), End: at.Add(-24 * time.Hour), CreatedAt: at.Add(-72 * time.Hour)}},
		Access:   []record.AccessEntry{{Seq: 7, At: at, Actor: "cli", Action: "view", RecordType: "client", RecordID: signed.ClientID}},
		Withheld: []record.Withheld{{What: "psychotherapy notes", Count: 1, Reason: "not included unless asked", Review: true}},
	}
}

// validate parses js with the FHIR R4 parser of github.com/google/fhir,
// which checks every element against the R4 definitions (types, cardinality,
// required fields, reference targets, code values of required bindings).
func validate(t *testing.T, js []byte) {
	t.Helper()
	u, err := jsonformat.NewUnmarshaller("UTC", fhirversion.R4)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := u.Unmarshal(js); err != nil {
		t.Fatalf("not valid FHIR R4: %v\n%s", err, js)
	}
}

func TestBundleIsValidFHIR(t *testing.T) {
	js, err := Build(sample())
	if err != nil {
		t.Fatal(err)
	}
	validate(t, js)
	var bun struct {
		Type  string `json:"type"`
		Entry []struct {
			FullURL  string          `json:"fullUrl"`
			Resource json.RawMessage `json:"resource"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(js, &bun); err != nil {
		t.Fatal(err)
	}
	if bun.Type != "document" {
		t.Fatalf("type %q", bun.Type)
	}
	kinds := map[string]int{}
	seen := map[string]bool{}
	for i, e := range bun.Entry {
		validate(t, e.Resource)
		var r anyResource
		json.Unmarshal(e.Resource, &r)
		if i == 0 && r.ResourceType != "Composition" {
			t.Fatalf("first entry is %s", r.ResourceType)
		}
		if seen[e.FullURL] {
			t.Fatalf("fullUrl %s twice", e.FullURL)
		}
		seen[e.FullURL] = true
		kinds[r.ResourceType]++
	}
	want := map[string]int{"Composition": 1, "Practitioner": 1, "Organization": 1, "Patient": 1, "Encounter": 1,
		"Appointment": 1, "DocumentReference": 3, "Provenance": 2, "Consent": 1, "AuditEvent": 1}
	if !reflect.DeepEqual(kinds, want) {
		t.Fatalf("resources %v, want %v", kinds, want)
	}
}

func TestParseRoundTrip(t *testing.T) {
	in := sample()
	js, err := Build(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Parse(js)
	if err != nil {
		t.Fatal(err)
	}
	if out.Scope != record.ScopeClient || out.ClientID != in.ClientID {
		t.Fatalf("scope %v %v", out.Scope, out.ClientID)
	}
	if !reflect.DeepEqual(out.Clients, in.Clients) {
		t.Fatalf("clients differ:\n%+v\n%+v", out.Clients, in.Clients)
	}
	for i := range in.Notes {
		a, b := in.Notes[i], out.Notes[i]
		if !a.SignedAt.Equal(b.SignedAt) || !a.CreatedAt.Equal(b.CreatedAt) {
			t.Fatalf("note %d times differ", i)
		}
		a.SignedAt, b.SignedAt, a.CreatedAt, b.CreatedAt, a.UpdatedAt, b.UpdatedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}, time.Time{}, time.Time{}
		for j := range a.Addenda {
			a.Addenda[j].CreatedAt, a.Addenda[j].SignedAt = time.Time{}, time.Time{}
			b.Addenda[j].CreatedAt, b.Addenda[j].SignedAt = time.Time{}, time.Time{}
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("note %d differs:\n%+v\n%+v", i, a, b)
		}
	}
}

func TestParseRefusesForeign(t *testing.T) {
	for name, js := range map[string]string{
		"not json":    "hello",
		"collection":  `{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Patient"}}]}`,
		"no note doc": `{"resourceType":"Bundle","type":"document","entry":[{"resource":{"resourceType":"Composition"}},{"resource":{"resourceType":"DocumentReference","content":[]}}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := Parse([]byte(js)); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

func TestAuditEventsValid(t *testing.T) {
	s := sample()
	js, err := AuditEvents(s.Access, s.Organization, s.ExportedAt)
	if err != nil {
		t.Fatal(err)
	}
	validate(t, js)
}

// TestValidatorIsNotVacuous makes sure the validator used above refuses
// resources that break R4 (missing required elements, bad codes, bad types).
func TestValidatorIsNotVacuous(t *testing.T) {
	u, err := jsonformat.NewUnmarshaller("UTC", fhirversion.R4)
	if err != nil {
		t.Fatal(err)
	}
	for name, js := range map[string]string{
		"provenance without recorded": `{"resourceType":"Provenance","id":"a","target":[{"reference":"urn:uuid:0190a2b4-0000-7000-8000-000000000010"}],"agent":[{"who":{"display":"x"}}]}`,
		"bad gender code":             `{"resourceType":"Patient","id":"a","gender":"woman"}`,
		"bad date":                    `{"resourceType":"Patient","id":"a","birthDate":"1990-13-01"}`,
		"unknown element":             `{"resourceType":"Patient","id":"a","nickname":"x"}`,
		"audit agent without requestor": `{"resourceType":"AuditEvent","id":"a","type":{"code":"110110"},"recorded":"2024-01-01T00:00:00Z",
			"agent":[{"who":{"display":"x"}}],"source":{"observer":{"display":"x"}}}`,
	} {
		if _, err := u.Unmarshal([]byte(js)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
