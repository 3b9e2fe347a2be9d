package fhir

import "encoding/json"

// The few FHIR R4 data types the bundle uses, as JSON. Only the fields we
// write are declared; tests validate every resource with a real FHIR R4
// parser (github.com/google/fhir/go/jsonformat), not with these structs.

type coding struct {
	System  string `json:"system,omitempty"`
	Code    string `json:"code,omitempty"`
	Display string `json:"display,omitempty"`
}

type concept struct {
	Coding []coding `json:"coding,omitempty"`
	Text   string   `json:"text,omitempty"`
}

type identifier struct {
	System string   `json:"system,omitempty"`
	Value  string   `json:"value,omitempty"`
	Type   *concept `json:"type,omitempty"`
}

type reference struct {
	Reference  string      `json:"reference,omitempty"`
	Identifier *identifier `json:"identifier,omitempty"`
	Display    string      `json:"display,omitempty"`
}

type extension struct {
	URL         string `json:"url"`
	ValueString string `json:"valueString,omitempty"`
	ValueCode   string `json:"valueCode,omitempty"`
}

type period struct {
	Start string `json:"start,omitempty"`
	End   string `json:"end,omitempty"`
}

type narrative struct {
	Status string `json:"status"`
	Div    string `json:"div"`
}

type humanName struct {
	Use  string `json:"use,omitempty"`
	Text string `json:"text,omitempty"`
}

type contactPoint struct {
	System string `json:"system"`
	Value  string `json:"value"`
	Use    string `json:"use,omitempty"`
}

type address struct {
	Text    string `json:"text,omitempty"`
	Country string `json:"country,omitempty"`
}

type attachment struct {
	ContentType string `json:"contentType,omitempty"`
	Language    string `json:"language,omitempty"`
	Data        []byte `json:"data,omitempty"` // base64 in JSON, as FHIR's base64Binary
	Title       string `json:"title,omitempty"`
	Creation    string `json:"creation,omitempty"`
}

type meta struct {
	Security []coding `json:"security,omitempty"`
}

// entry is one Bundle.entry.
type entry struct {
	FullURL  string          `json:"fullUrl"`
	Resource json.RawMessage `json:"resource"`
}

type bundle struct {
	ResourceType string     `json:"resourceType"`
	ID           string     `json:"id"`
	Meta         *bundleMet `json:"meta,omitempty"`
	Identifier   identifier `json:"identifier"`
	Type         string     `json:"type"`
	Timestamp    string     `json:"timestamp"`
	Entry        []entry    `json:"entry"`
}

type bundleMet struct {
	LastUpdated string `json:"lastUpdated,omitempty"`
}

type patientContact struct {
	Relationship []concept      `json:"relationship,omitempty"`
	Name         *humanName     `json:"name,omitempty"`
	Telecom      []contactPoint `json:"telecom,omitempty"`
}

type communication struct {
	Language concept `json:"language"`
}

type patient struct {
	ResourceType  string           `json:"resourceType"`
	ID            string           `json:"id"`
	Extension     []extension      `json:"extension,omitempty"`
	Identifier    []identifier     `json:"identifier"`
	Active        bool             `json:"active"`
	Name          []humanName      `json:"name"`
	Telecom       []contactPoint   `json:"telecom,omitempty"`
	Gender        string           `json:"gender,omitempty"`
	BirthDate     string           `json:"birthDate,omitempty"`
	Contact       []patientContact `json:"contact,omitempty"`
	Communication []communication  `json:"communication,omitempty"`
}

type qualification struct {
	Identifier []identifier `json:"identifier,omitempty"`
	Code       concept      `json:"code"`
}

type practitioner struct {
	ResourceType  string          `json:"resourceType"`
	ID            string          `json:"id"`
	Identifier    []identifier    `json:"identifier,omitempty"`
	Name          []humanName     `json:"name"`
	Qualification []qualification `json:"qualification,omitempty"`
}

type organization struct {
	ResourceType string         `json:"resourceType"`
	ID           string         `json:"id"`
	Active       bool           `json:"active"`
	Name         string         `json:"name"`
	Telecom      []contactPoint `json:"telecom,omitempty"`
	Address      []address      `json:"address,omitempty"`
}

type encounterParticipant struct {
	Individual reference `json:"individual"`
}

type encounter struct {
	ResourceType string                 `json:"resourceType"`
	ID           string                 `json:"id"`
	Status       string                 `json:"status"`
	Class        coding                 `json:"class"`
	Type         []concept              `json:"type,omitempty"`
	Subject      reference              `json:"subject"`
	Participant  []encounterParticipant `json:"participant,omitempty"`
	Appointment  []reference            `json:"appointment,omitempty"`
	Period       period                 `json:"period"`
}

type appointmentParticipant struct {
	Actor  reference `json:"actor"`
	Status string    `json:"status"`
}

type appointment struct {
	ResourceType string                   `json:"resourceType"`
	ID           string                   `json:"id"`
	Identifier   []identifier             `json:"identifier,omitempty"`
	Status       string                   `json:"status"`
	ServiceType  []concept                `json:"serviceType,omitempty"`
	Start        string                   `json:"start,omitempty"`
	End          string                   `json:"end,omitempty"`
	Created      string                   `json:"created,omitempty"`
	Participant  []appointmentParticipant `json:"participant"`
}

type docRelatesTo struct {
	Code   string    `json:"code"`
	Target reference `json:"target"`
}

type docContent struct {
	Attachment attachment `json:"attachment"`
	Format     *coding    `json:"format,omitempty"`
}

type docContext struct {
	Encounter []reference `json:"encounter,omitempty"`
	Period    *period     `json:"period,omitempty"`
}

type documentReference struct {
	ResourceType  string         `json:"resourceType"`
	ID            string         `json:"id"`
	Meta          *meta          `json:"meta,omitempty"`
	Identifier    []identifier   `json:"identifier"`
	Status        string         `json:"status"`
	DocStatus     string         `json:"docStatus"`
	Type          concept        `json:"type"`
	Category      []concept      `json:"category,omitempty"`
	Subject       reference      `json:"subject"`
	Date          string         `json:"date"`
	Author        []reference    `json:"author,omitempty"`
	Authenticator *reference     `json:"authenticator,omitempty"`
	Custodian     *reference     `json:"custodian,omitempty"`
	RelatesTo     []docRelatesTo `json:"relatesTo,omitempty"`
	Description   string         `json:"description,omitempty"`
	SecurityLabel []concept      `json:"securityLabel,omitempty"`
	Content       []docContent   `json:"content"`
	Context       *docContext    `json:"context,omitempty"`
}

type signature struct {
	Type []coding  `json:"type"`
	When string    `json:"when"`
	Who  reference `json:"who"`
	Data []byte    `json:"data,omitempty"`
}

type provenanceAgent struct {
	Extension []extension `json:"extension,omitempty"`
	Type      *concept    `json:"type,omitempty"`
	Who       reference   `json:"who"`
}

type provenance struct {
	ResourceType string            `json:"resourceType"`
	ID           string            `json:"id"`
	Target       []reference       `json:"target"`
	Recorded     string            `json:"recorded"`
	Activity     *concept          `json:"activity,omitempty"`
	Agent        []provenanceAgent `json:"agent"`
	Signature    []signature       `json:"signature,omitempty"`
}

type auditAgent struct {
	Who       reference `json:"who"`
	Requestor bool      `json:"requestor"`
}

type auditSource struct {
	Site     string    `json:"site,omitempty"`
	Observer reference `json:"observer"`
}

type auditDetail struct {
	Type        string `json:"type"`
	ValueString string `json:"valueString"`
}

type auditEntity struct {
	What   *reference    `json:"what,omitempty"`
	Type   *coding       `json:"type,omitempty"`
	Detail []auditDetail `json:"detail,omitempty"`
}

type auditEvent struct {
	ResourceType string        `json:"resourceType"`
	ID           string        `json:"id"`
	Type         coding        `json:"type"`
	Subtype      []coding      `json:"subtype,omitempty"`
	Action       string        `json:"action,omitempty"`
	Recorded     string        `json:"recorded"`
	Outcome      string        `json:"outcome,omitempty"`
	Agent        []auditAgent  `json:"agent"`
	Source       auditSource   `json:"source"`
	Entity       []auditEntity `json:"entity,omitempty"`
}

type compositionAttester struct {
	Mode  string     `json:"mode"`
	Time  string     `json:"time,omitempty"`
	Party *reference `json:"party,omitempty"`
}

type section struct {
	Title       string      `json:"title"`
	Code        *concept    `json:"code,omitempty"`
	Text        *narrative  `json:"text,omitempty"`
	Entry       []reference `json:"entry,omitempty"`
	EmptyReason *concept    `json:"emptyReason,omitempty"`
}

type composition struct {
	ResourceType string                `json:"resourceType"`
	ID           string                `json:"id"`
	Identifier   *identifier           `json:"identifier,omitempty"`
	Status       string                `json:"status"`
	Type         concept               `json:"type"`
	Subject      *reference            `json:"subject,omitempty"`
	Date         string                `json:"date"`
	Author       []reference           `json:"author"`
	Title        string                `json:"title"`
	Confidential string                `json:"confidentiality,omitempty"`
	Attester     []compositionAttester `json:"attester,omitempty"`
	Custodian    *reference            `json:"custodian,omitempty"`
	Section      []section             `json:"section,omitempty"`
}
