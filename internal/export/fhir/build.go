// Package fhir writes a record bundle as a FHIR R4 Bundle of type "document"
// and reads one back (for import).
//
// # What goes where
//
//   - Composition (first entry): the export itself, SNOMED CT 419891008
//     "Record artifact" — the document type India's NRCeS HealthDocumentRecord
//     uses; sections list every other entry, and a "Withheld information"
//     section (emptyReason "withheld") says what was left out and why.
//   - Patient per client; Practitioner; Organization (the custodian).
//   - Encounter per session day (SNOMED CT 75516001 "Psychotherapy").
//   - Appointment per booking, when scheduling provides them.
//   - DocumentReference per note (LOINC 11506-3 "Progress note"; psychotherapy
//     notes also carry the security label v3-ActCode PSYTHPN "psychotherapy
//     note information sensitivity" and v3-Confidentiality R) and per addendum
//     (relatesTo "appends" its note). Each carries the text twice: text/plain
//     for people, and application/json (format calmally-note-v1) with exactly
//     what the signature covers, so a receiving system can verify it.
//   - Provenance per signature: target the document, signature.type
//     "Author's Signature" (urn:iso-astm:E1762-95:2013 1.2.840.10065.1.12.1.1),
//     signature.data the SHA-256 content hash recorded at signing.
//   - Consent per consent event (the consent ledger's own FHIR rendering).
//   - AuditEvent per audit-trail entry about the record (DICOM 110110
//     "Patient Record"; the app's action code as subtype).
//
// meta.profile is not set: the NRCeS (ABDM) profiles require identifiers
// (ABHA number, facility and HPR ids) this app does not hold, so claiming them
// would make the bundle fail their validation.
package fhir

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/calmally/practice/internal/export/record"
)

// Code systems and extension URLs.
const (
	SystemLOINC          = "http://loinc.org"
	SystemSNOMED         = "http://snomed.info/sct"
	SystemURI            = "urn:ietf:rfc:3986"
	SystemActCode        = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
	SystemConfidentially = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
	SystemNoteKind       = "https://calmally.in/fhir/CodeSystem/note-kind"
	SystemNoteFormat     = "https://calmally.in/fhir/CodeSystem/note-format"
	SystemAuditAction    = "https://calmally.in/fhir/CodeSystem/audit-action"
	SystemDICOM          = "http://dicom.nema.org/resources/ontology/DCM"
	ExtPresenting        = "https://calmally.in/fhir/StructureDefinition/presenting-concerns"
	ExtPreferences       = "https://calmally.in/fhir/StructureDefinition/treatment-preferences"
	ExtGenderRecorded    = "https://calmally.in/fhir/StructureDefinition/gender-as-recorded"
	ExtSignerID          = "https://calmally.in/fhir/StructureDefinition/signer-id"
	ExtCreatedAt         = "https://calmally.in/fhir/StructureDefinition/record-created"

	// NoteFormat and AddendumFormat name the JSON attachments.
	NoteFormat     = "calmally-note-v1"
	AddendumFormat = "calmally-addendum-v1"
)

// TimeLayout is the exact form of signing times inside the JSON attachments
// (the notes package signs over it).
const TimeLayout = "2006-01-02T15:04:05.000000000Z"

// ns derives stable ids for resources that have none of their own.
var ns = uuid.MustParse("3f1f4c8e-8b1a-5c6e-9d8a-6b0b1f3c2a77")

func derived(parts ...string) string {
	return uuid.NewSHA1(ns, []byte(strings.Join(parts, "\x00"))).String()
}

func urn(id string) string { return "urn:uuid:" + id }

func ref(id string) reference { return reference{Reference: urn(id)} }

func instant(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// NoteDoc is the machine-readable note inside its DocumentReference.
type NoteDoc struct {
	Format      string          `json:"format"`
	ID          string          `json:"id"`
	ClientID    string          `json:"clientId"`
	Kind        string          `json:"kind"`
	Template    record.Template `json:"template"`
	Title       string          `json:"title"`
	Sections    []SectionText   `json:"sections"`
	SessionDate string          `json:"sessionDate"`
	BookingID   string          `json:"bookingId,omitempty"`
	Status      string          `json:"status"`
	CreatedAt   string          `json:"createdAt"`
	UpdatedAt   string          `json:"updatedAt"`
	SignedAt    string          `json:"signedAt,omitempty"`
	SignedBy    string          `json:"signedBy,omitempty"`
	SignedHash  string          `json:"signedHash,omitempty"` // hex SHA-256
}

// SectionText is one section of a note.
type SectionText struct {
	Key  string `json:"key"`
	Text string `json:"text"`
}

// AddendumDoc is the machine-readable addendum.
type AddendumDoc struct {
	Format     string `json:"format"`
	ID         string `json:"id"`
	NoteID     string `json:"noteId"`
	Body       string `json:"body"`
	CreatedAt  string `json:"createdAt"`
	SignedAt   string `json:"signedAt"`
	SignedBy   string `json:"signedBy"`
	SignedHash string `json:"signedHash"` // hex SHA-256
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(TimeLayout)
}

// orderedKeys is the template order, then any other keys, sorted.
func orderedKeys(n record.Note) []string {
	keys := n.Template.Keys()
	seen := map[string]bool{}
	for _, k := range keys {
		seen[k] = true
	}
	var extra []string
	for k := range n.Sections {
		if !seen[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	return append(keys, extra...)
}

func noteDoc(n record.Note) NoteDoc {
	d := NoteDoc{Format: NoteFormat, ID: n.ID, ClientID: n.ClientID, Kind: n.Kind, Template: n.Template,
		Title: n.Title, SessionDate: n.SessionDate, BookingID: n.BookingID, Status: n.Status,
		CreatedAt: fmtTime(n.CreatedAt), UpdatedAt: fmtTime(n.UpdatedAt), SignedAt: fmtTime(n.SignedAt),
		SignedBy: n.SignedBy}
	if len(n.SignedHash) > 0 {
		d.SignedHash = hex.EncodeToString(n.SignedHash)
	}
	for _, k := range orderedKeys(n) {
		d.Sections = append(d.Sections, SectionText{Key: k, Text: n.Sections[k]})
	}
	return d
}

// NoteText is the human-readable text of a note: title, then each non-empty
// section under its heading.
func NoteText(n record.Note) string {
	var b strings.Builder
	if n.Title != "" {
		b.WriteString(n.Title)
		b.WriteString("\n\n")
	}
	for _, k := range orderedKeys(n) {
		v := n.Sections[k]
		if strings.TrimSpace(v) == "" {
			continue
		}
		b.WriteString(n.Template.Label(k))
		b.WriteString("\n")
		b.WriteString(v)
		b.WriteString("\n\n")
	}
	return strings.TrimRight(b.String(), "\n") + "\n"
}

type builder struct {
	rec      record.Record
	entries  []entry
	sections map[string][]reference
	err      error
}

func (b *builder) add(id string, res any) {
	if b.err != nil {
		return
	}
	js, err := json.Marshal(res)
	if err != nil {
		b.err = fmt.Errorf("fhir: encode resource: %w", err)
		return
	}
	b.entries = append(b.entries, entry{FullURL: urn(id), Resource: js})
}

func (b *builder) list(section, id string) {
	b.sections[section] = append(b.sections[section], ref(id))
}

// Section titles, in the order the Composition lists them.
var sectionOrder = []string{"Patients", "Sessions", "Appointments", "Clinical notes", "Signatures", "Consents", "Access history"}

// Build renders rec as a FHIR R4 document Bundle (indented JSON).
func Build(rec record.Record) ([]byte, error) {
	b := &builder{rec: rec, sections: map[string][]reference{}}
	pr, org := rec.Practitioner, rec.Organization
	compID := derived("composition", rec.ID)
	// The Composition goes first; it is rendered last, once the sections are known.
	b.entries = append(b.entries, entry{})

	b.add(pr.ID, practitionerRes(pr))
	b.add(org.ID, organizationRes(org))
	for _, c := range rec.Clients {
		b.add(c.ID, patientRes(c))
		b.list("Patients", c.ID)
	}
	encounters := map[string]string{} // client|date → id
	for _, n := range rec.Notes {
		key := n.ClientID + "|" + n.SessionDate
		if _, ok := encounters[key]; !ok {
			id := derived("encounter", key)
			encounters[key] = id
			b.add(id, encounter{ResourceType: "Encounter", ID: id, Status: "finished",
				Class:   coding{System: SystemActCode, Code: "AMB", Display: "ambulatory"},
				Type:    []concept{{Coding: []coding{{System: SystemSNOMED, Code: "75516001", Display: "Psychotherapy"}}}},
				Subject: ref(n.ClientID), Participant: []encounterParticipant{{Individual: ref(pr.ID)}},
				Period: period{Start: n.SessionDate, End: n.SessionDate}})
			b.list("Sessions", id)
		}
	}
	for _, s := range rec.Sessions {
		b.add(s.ID, appointmentRes(s, pr.ID))
		b.list("Appointments", s.ID)
	}
	for _, n := range rec.Notes {
		b.addNote(n, encounters[n.ClientID+"|"+n.SessionDate])
	}
	for _, c := range rec.Consents {
		js, err := consentRes(c)
		if err != nil {
			return nil, err
		}
		b.entries = append(b.entries, entry{FullURL: urn(c.ID), Resource: js})
		b.list("Consents", c.ID)
	}
	for _, a := range rec.Access {
		id := derived("audit", rec.ID, fmt.Sprint(a.Seq))
		b.add(id, auditEventRes(id, a, org.ID))
		b.list("Access history", id)
	}
	if b.err != nil {
		return nil, b.err
	}
	comp := compositionRes(compID, rec, b.sections)
	js, err := json.Marshal(comp)
	if err != nil {
		return nil, fmt.Errorf("fhir: encode composition: %w", err)
	}
	b.entries[0] = entry{FullURL: urn(compID), Resource: js}
	bun := bundle{ResourceType: "Bundle", ID: rec.ID, Identifier: identifier{System: SystemURI, Value: urn(rec.ID)},
		Type: "document", Timestamp: instant(rec.ExportedAt), Entry: b.entries,
		Meta: &bundleMet{LastUpdated: instant(rec.ExportedAt)}}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetIndent("", " ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(bun); err != nil {
		return nil, fmt.Errorf("fhir: encode bundle: %w", err)
	}
	return out.Bytes(), nil
}

func (b *builder) addNote(n record.Note, encID string) {
	pr, org := b.rec.Practitioner.ID, b.rec.Organization.ID
	docJS, err := json.Marshal(noteDoc(n))
	if err != nil {
		b.err = err
		return
	}
	d := documentReference{ResourceType: "DocumentReference", ID: n.ID,
		Identifier: []identifier{{System: SystemURI, Value: urn(n.ID)}},
		Status:     "current", DocStatus: "preliminary",
		Type:     concept{Coding: []coding{{System: SystemLOINC, Code: "11506-3", Display: "Progress note"}}},
		Category: []concept{{Coding: []coding{{System: SystemNoteKind, Code: n.Kind}}}},
		Subject:  ref(n.ClientID), Date: instant(n.CreatedAt), Author: []reference{ref(pr)},
		Custodian: &reference{Reference: urn(org)}, Description: n.Title,
		Content: []docContent{
			{Attachment: attachment{ContentType: "text/plain; charset=utf-8", Data: []byte(NoteText(n)),
				Title: n.Title, Creation: instant(n.CreatedAt)}},
			{Attachment: attachment{ContentType: "application/json", Data: docJS, Title: NoteFormat},
				Format: &coding{System: SystemNoteFormat, Code: NoteFormat}},
		},
		Context: &docContext{Encounter: []reference{ref(encID)}, Period: &period{Start: n.SessionDate}},
	}
	if n.Kind == record.KindPsychotherapy {
		d.SecurityLabel = []concept{
			{Coding: []coding{{System: SystemActCode, Code: "PSYTHPN", Display: "psychotherapy note information sensitivity"}}},
			{Coding: []coding{{System: SystemConfidentially, Code: "R", Display: "restricted"}}},
		}
	}
	if n.Signed() {
		d.DocStatus = "final"
		d.Authenticator = &reference{Reference: urn(pr)}
	}
	b.add(n.ID, d)
	b.list("Clinical notes", n.ID)
	if n.Signed() {
		id := derived("provenance", n.ID)
		b.add(id, provenanceRes(id, n.ID, pr, n.SignedAt, n.SignedBy, n.SignedHash))
		b.list("Signatures", id)
	}
	for _, a := range n.Addenda {
		aj, err := json.Marshal(AddendumDoc{Format: AddendumFormat, ID: a.ID, NoteID: a.NoteID, Body: a.Body,
			CreatedAt: fmtTime(a.CreatedAt), SignedAt: fmtTime(a.SignedAt), SignedBy: a.SignedBy,
			SignedHash: hex.EncodeToString(a.SignedHash)})
		if err != nil {
			b.err = err
			return
		}
		ad := documentReference{ResourceType: "DocumentReference", ID: a.ID,
			Identifier: []identifier{{System: SystemURI, Value: urn(a.ID)}},
			Status:     "current", DocStatus: "final", Type: d.Type, Category: d.Category,
			Subject: ref(n.ClientID), Date: instant(a.CreatedAt), Author: []reference{ref(pr)},
			Authenticator: &reference{Reference: urn(pr)}, Custodian: &reference{Reference: urn(org)},
			RelatesTo:   []docRelatesTo{{Code: "appends", Target: ref(n.ID)}},
			Description: "Addendum to " + n.Title, SecurityLabel: d.SecurityLabel,
			Content: []docContent{
				{Attachment: attachment{ContentType: "text/plain; charset=utf-8", Data: []byte(a.Body), Title: "Addendum",
					Creation: instant(a.CreatedAt)}},
				{Attachment: attachment{ContentType: "application/json", Data: aj, Title: AddendumFormat},
					Format: &coding{System: SystemNoteFormat, Code: AddendumFormat}},
			},
			Context: d.Context,
		}
		b.add(a.ID, ad)
		b.list("Clinical notes", a.ID)
		id := derived("provenance", a.ID)
		b.add(id, provenanceRes(id, a.ID, pr, a.SignedAt, a.SignedBy, a.SignedHash))
		b.list("Signatures", id)
	}
}

func provenanceRes(id, target, pr string, at time.Time, by string, hash []byte) provenance {
	return provenance{ResourceType: "Provenance", ID: id, Target: []reference{ref(target)}, Recorded: instant(at),
		Agent: []provenanceAgent{{
			Extension: []extension{{URL: ExtSignerID, ValueString: by}},
			Type: &concept{Coding: []coding{{System: "http://terminology.hl7.org/CodeSystem/provenance-participant-type",
				Code: "attester", Display: "Attester"}}},
			Who: ref(pr)}},
		Signature: []signature{{Type: []coding{{System: "urn:iso-astm:E1762-95:2013", Code: "1.2.840.10065.1.12.1.1",
			Display: "Author's Signature"}}, When: instant(at), Who: ref(pr), Data: hash}},
	}
}

func practitionerRes(p record.Practitioner) practitioner {
	res := practitioner{ResourceType: "Practitioner", ID: p.ID, Name: []humanName{{Text: p.Name}}}
	q := qualification{Code: concept{Text: p.Council}}
	if p.Registration != "" && p.Registration != record.NotRecorded {
		id := identifier{Value: p.Registration, Type: &concept{Text: "Registration number"}}
		res.Identifier = []identifier{id}
		q.Identifier = []identifier{id}
	}
	res.Qualification = []qualification{q}
	return res
}

func organizationRes(o record.Organization) organization {
	res := organization{ResourceType: "Organization", ID: o.ID, Active: true, Name: o.Name}
	if o.Phone != "" && o.Phone != record.NotRecorded {
		res.Telecom = append(res.Telecom, contactPoint{System: "phone", Value: o.Phone, Use: "work"})
	}
	if o.Email != "" && o.Email != record.NotRecorded {
		res.Telecom = append(res.Telecom, contactPoint{System: "email", Value: o.Email, Use: "work"})
	}
	if o.Address != "" {
		res.Address = []address{{Text: o.Address, Country: "IN"}}
	}
	return res
}

// GenderCode maps a gender as recorded to FHIR's administrative gender.
func GenderCode(g string) string {
	switch strings.ToLower(strings.TrimSpace(g)) {
	case "":
		return ""
	case "male", "m", "man":
		return "male"
	case "female", "f", "woman":
		return "female"
	case "unknown", "prefer not to say":
		return "unknown"
	}
	return "other"
}

func patientRes(c record.Client) patient {
	p := patient{ResourceType: "Patient", ID: c.ID, Identifier: []identifier{{System: SystemURI, Value: urn(c.ID)}},
		Active: c.Status != "discharged", Name: []humanName{{Use: "official", Text: c.Name}},
		BirthDate: c.DateOfBirth, Gender: GenderCode(c.Gender)}
	if c.PreferredName != "" {
		p.Name = append(p.Name, humanName{Use: "usual", Text: c.PreferredName})
	}
	if c.Gender != "" {
		p.Extension = append(p.Extension, extension{URL: ExtGenderRecorded, ValueString: c.Gender})
	}
	if c.PresentingConcerns != "" {
		p.Extension = append(p.Extension, extension{URL: ExtPresenting, ValueString: c.PresentingConcerns})
	}
	if c.TreatmentPreferences != "" {
		p.Extension = append(p.Extension, extension{URL: ExtPreferences, ValueString: c.TreatmentPreferences})
	}
	if !c.CreatedAt.IsZero() {
		p.Extension = append(p.Extension, extension{URL: ExtCreatedAt, ValueString: instant(c.CreatedAt)})
	}
	if c.Phone != "" {
		p.Telecom = append(p.Telecom, contactPoint{System: "phone", Value: c.Phone})
	}
	if c.Email != "" {
		p.Telecom = append(p.Telecom, contactPoint{System: "email", Value: c.Email})
	}
	if ec := c.EmergencyContact; ec != (record.EmergencyContact{}) {
		pc := patientContact{Relationship: []concept{{Coding: []coding{{
			System: "http://terminology.hl7.org/CodeSystem/v2-0131", Code: "C", Display: "Emergency Contact"}}}}}
		if ec.Relationship != "" {
			pc.Relationship = append(pc.Relationship, concept{Text: ec.Relationship})
		}
		if ec.Name != "" {
			pc.Name = &humanName{Text: ec.Name}
		}
		if ec.Phone != "" {
			pc.Telecom = []contactPoint{{System: "phone", Value: ec.Phone}}
		}
		p.Contact = []patientContact{pc}
	}
	if c.Language != "" {
		p.Communication = []communication{{Language: concept{Text: c.Language}}}
	}
	return p
}

// appointmentStatus maps a booking status to FHIR's appointment status.
func appointmentStatus(s string) string {
	switch s {
	case "requested":
		return "pending"
	case "confirmed":
		return "booked"
	case "completed":
		return "fulfilled"
	case "no_show":
		return "noshow"
	}
	return "cancelled"
}

func appointmentRes(s record.Session, pr string) appointment {
	return appointment{ResourceType: "Appointment", ID: s.ID, Identifier: []identifier{{System: SystemURI, Value: urn(s.ID)}},
		Status:      appointmentStatus(s.Status),
		ServiceType: []concept{{Coding: []coding{{System: SystemSNOMED, Code: "75516001", Display: "Psychotherapy"}}}},
		Start:       instant(s.Start), End: instant(s.End), Created: instant(s.CreatedAt),
		Participant: []appointmentParticipant{{Actor: ref(s.ClientID), Status: "accepted"}, {Actor: ref(pr), Status: "accepted"}}}
}

// consentRes takes the consent ledger's own FHIR rendering and points its
// references at the bundle's entries (urn:uuid), since a document bundle
// resolves references through fullUrl.
func consentRes(c record.Consent) ([]byte, error) {
	var m map[string]any
	if err := json.Unmarshal(c.FHIR, &m); err != nil {
		return nil, fmt.Errorf("fhir: read consent: %w", err)
	}
	rewrite(m, "Patient/"+c.ClientID, urn(c.ClientID))
	return json.Marshal(m)
}

func rewrite(v any, from, to string) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if s, ok := e.(string); ok && k == "reference" && s == from {
				x[k] = to
				continue
			}
			rewrite(e, from, to)
		}
	case []any:
		for _, e := range x {
			rewrite(e, from, to)
		}
	}
}

// auditAction maps the trail's actions to AuditEvent.action (C R U D E).
func auditAction(a string) string {
	switch a {
	case "create", "import", "consent_granted":
		return "C"
	case "view", "search", "print", "export":
		return "R"
	case "edit", "sign", "addendum", "consent_withdrawn":
		return "U"
	case "delete", "retention_purge":
		return "D"
	}
	return "E"
}

func auditEventRes(id string, a record.AccessEntry, org string) auditEvent {
	ev := auditEvent{ResourceType: "AuditEvent", ID: id,
		Type:     coding{System: SystemDICOM, Code: "110110", Display: "Patient Record"},
		Subtype:  []coding{{System: SystemAuditAction, Code: a.Action}},
		Action:   auditAction(a.Action),
		Recorded: instant(a.At), Outcome: "0",
		Agent:  []auditAgent{{Who: reference{Identifier: &identifier{System: "https://calmally.in/fhir/sid/actor", Value: a.Actor}}, Requestor: true}},
		Source: auditSource{Site: "CalmAlly Practice", Observer: ref(org)},
	}
	ent := auditEntity{Detail: []auditDetail{{Type: "seq", ValueString: fmt.Sprint(a.Seq)}}}
	if a.RecordID != "" {
		ent.What = &reference{Identifier: &identifier{System: SystemURI, Value: urn(a.RecordID)}}
	}
	if a.RecordType != "" {
		ent.Detail = append(ent.Detail, auditDetail{Type: "record_type", ValueString: a.RecordType})
	}
	if a.Detail != "" {
		ent.Detail = append(ent.Detail, auditDetail{Type: "detail", ValueString: a.Detail})
	}
	ev.Entity = []auditEntity{ent}
	return ev
}

// AuditEvents renders trail entries as a FHIR R4 Bundle of type
// "collection" of AuditEvent resources (the `audit export --format fhir`
// output). observer names the practice.
func AuditEvents(entries []record.AccessEntry, org record.Organization, at time.Time) ([]byte, error) {
	id := uuid.NewSHA1(ns, []byte("audit-export"+instant(at))).String()
	b := &builder{sections: map[string][]reference{}}
	b.add(org.ID, organizationRes(org))
	for _, a := range entries {
		eid := derived("audit", id, fmt.Sprint(a.Seq))
		b.add(eid, auditEventRes(eid, a, org.ID))
	}
	if b.err != nil {
		return nil, b.err
	}
	bun := bundle{ResourceType: "Bundle", ID: id, Identifier: identifier{System: SystemURI, Value: urn(id)},
		Type: "collection", Timestamp: instant(at), Entry: b.entries}
	return json.MarshalIndent(bun, "", " ")
}

func compositionRes(id string, rec record.Record, secs map[string][]reference) composition {
	c := composition{ResourceType: "Composition", ID: id, Identifier: &identifier{System: SystemURI, Value: urn(rec.ID)},
		Status: "final",
		Type:   concept{Coding: []coding{{System: SystemSNOMED, Code: "419891008", Display: "Record artifact"}}},
		Date:   instant(rec.ExportedAt), Author: []reference{ref(rec.Practitioner.ID)},
		Title:     "Clinical record export",
		Custodian: &reference{Reference: urn(rec.Organization.ID)}, Confidential: "R",
		Attester: []compositionAttester{{Mode: "official", Time: instant(rec.ExportedAt), Party: &reference{Reference: urn(rec.Practitioner.ID)}}},
	}
	if rec.Scope == record.ScopeClient && rec.ClientID != "" {
		c.Subject = &reference{Reference: urn(rec.ClientID)}
	}
	for _, t := range sectionOrder {
		if len(secs[t]) > 0 {
			c.Section = append(c.Section, section{Title: t, Entry: secs[t]})
		}
	}
	if len(rec.Withheld) > 0 {
		var b strings.Builder
		b.WriteString(`<div xmlns="http://www.w3.org/1999/xhtml"><ul>`)
		for _, w := range rec.Withheld {
			b.WriteString("<li>")
			b.WriteString(html.EscapeString(withheldLine(w)))
			b.WriteString("</li>")
		}
		b.WriteString("</ul></div>")
		c.Section = append(c.Section, section{Title: "Withheld information",
			Text: &narrative{Status: "additional", Div: b.String()},
			EmptyReason: &concept{Coding: []coding{{System: "http://terminology.hl7.org/CodeSystem/list-empty-reason",
				Code: "withheld", Display: "Information Withheld"}}}})
	}
	return c
}

func withheldLine(w record.Withheld) string {
	s := w.What
	if w.Count > 0 {
		s = fmt.Sprintf("%s (%d)", w.What, w.Count)
	}
	return s + ": " + w.Reason
}
