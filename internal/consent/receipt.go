package consent

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
)

// Controller is the data fiduciary named on receipts: the practice.
type Controller struct {
	Name         string
	Contact      string // a role or person responsible for privacy questions
	Street       string
	Country      string // ISO 3166-1 alpha-2
	Email        string
	Phone        string
	PolicyURL    string
	Jurisdiction string // ISO 3166-1 alpha-2
}

// DefaultController fills what the practice profile leaves empty; it points
// at the platform's privacy contact.
var DefaultController = Controller{
	Name:         "CalmAlly Practice",
	Contact:      "Grievance Officer",
	Street:       "India",
	Country:      "IN",
	Email:        "privacy@calmally.in",
	Phone:        "+91 00000 00000",
	PolicyURL:    "https://calmally.in/privacy-policy",
	Jurisdiction: "IN",
}

// Receipt formats.
const (
	FormatFHIR    = "fhir"
	FormatKantara = "kantara"
)

// Receipt exports event id as format (FormatFHIR or FormatKantara) JSON.
// The export is audited. Receipts carry ids, codes and the notice reference,
// never evidence.
func (s *Service) Receipt(ctx context.Context, id, format string) ([]byte, error) {
	if format != FormatFHIR && format != FormatKantara {
		return nil, apperr.New(apperr.Invalid, "format: must be fhir or kantara")
	}
	if !ValidID(id) {
		return nil, ErrEventNotFound
	}
	if _, err := s.sealer(); err != nil {
		return nil, err
	}
	e, err := s.entry(audit.ActionExport, id, audit.D("format", format))
	if err != nil {
		return nil, err
	}
	r, err := s.store.Event(ctx, id, &e)
	if err != nil {
		return nil, err
	}
	ctl := s.controller
	if s.lookup != nil {
		c, err := s.lookup(ctx)
		if err != nil {
			return nil, err
		}
		ctl = c.or(s.controller)
	}
	if format == FormatFHIR {
		return FHIRConsent(r, ctl)
	}
	return KantaraReceipt(r, ctl)
}

// Systems and URLs used in receipts.
const (
	PurposeSystem     = "https://calmally.in/fhir/CodeSystem/consent-purpose"
	NoticeHashExtURL  = "https://calmally.in/fhir/StructureDefinition/notice-sha256"
	MethodExtURL      = "https://calmally.in/fhir/StructureDefinition/consent-method"
	eventIdentifierNS = "urn:ietf:rfc:3986"
)

// NoticeURI names a notice version and language.
func NoticeURI(r Row) string {
	return fmt.Sprintf("urn:calmally:notice:%s:v%d:%s", r.NoticeID, r.NoticeVersion, r.NoticeLanguage)
}

type fhirCoding struct {
	System  string `json:"system"`
	Code    string `json:"code"`
	Display string `json:"display,omitempty"`
}

type fhirConcept struct {
	Coding []fhirCoding `json:"coding"`
}

type fhirRef struct {
	Reference string `json:"reference,omitempty"`
	Display   string `json:"display,omitempty"`
}

type fhirExt struct {
	URL         string `json:"url"`
	ValueString string `json:"valueString,omitempty"`
	ValueCode   string `json:"valueCode,omitempty"`
}

type fhirAttachment struct {
	Extension   []fhirExt `json:"extension,omitempty"`
	ContentType string    `json:"contentType"`
	Language    string    `json:"language"`
	URL         string    `json:"url"`
	Title       string    `json:"title"`
}

type fhirPeriod struct {
	Start string `json:"start,omitempty"`
	End   string `json:"end,omitempty"`
}

type fhirProvision struct {
	Type    string       `json:"type"`
	Period  *fhirPeriod  `json:"period,omitempty"`
	Purpose []fhirCoding `json:"purpose"`
}

type fhirPolicy struct {
	Authority string `json:"authority,omitempty"`
	URI       string `json:"uri"`
}

type fhirIdentifier struct {
	System string `json:"system"`
	Value  string `json:"value"`
}

type fhirConsentJSON struct {
	ResourceType     string           `json:"resourceType"`
	ID               string           `json:"id"`
	Extension        []fhirExt        `json:"extension,omitempty"`
	Identifier       []fhirIdentifier `json:"identifier"`
	Status           string           `json:"status"`
	Scope            fhirConcept      `json:"scope"`
	Category         []fhirConcept    `json:"category"`
	Patient          fhirRef          `json:"patient"`
	DateTime         string           `json:"dateTime"`
	Performer        []fhirRef        `json:"performer"`
	Organization     []fhirRef        `json:"organization"`
	SourceAttachment fhirAttachment   `json:"sourceAttachment"`
	Policy           []fhirPolicy     `json:"policy"`
	Provision        fhirProvision    `json:"provision"`
}

func fhirTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// FHIRConsent renders r as a FHIR R4 Consent resource. A grant is an
// "active" consent whose provision permits the purpose (for the period until
// expiry, if any); a withdrawal is "inactive" and denies it from then on.
func FHIRConsent(r Row, c Controller) ([]byte, error) {
	status, ptype := "active", "permit"
	period := &fhirPeriod{Start: fhirTime(r.At)}
	if !r.ExpiresAt.IsZero() {
		period.End = fhirTime(r.ExpiresAt)
	}
	if r.Kind == KindWithdraw {
		status, ptype = "inactive", "deny"
	}
	patient := "Patient/" + r.ClientID
	doc := fhirConsentJSON{
		ResourceType: "Consent",
		ID:           r.ID,
		Identifier:   []fhirIdentifier{{System: eventIdentifierNS, Value: "urn:uuid:" + r.ID}},
		Status:       status,
		Scope: fhirConcept{Coding: []fhirCoding{{System: "http://terminology.hl7.org/CodeSystem/consentscope",
			Code: "patient-privacy", Display: "Privacy Consent"}}},
		Category:     []fhirConcept{{Coding: []fhirCoding{{System: "http://loinc.org", Code: "59284-0", Display: "Patient Consent"}}}},
		Patient:      fhirRef{Reference: patient},
		DateTime:     fhirTime(r.At),
		Performer:    []fhirRef{{Reference: patient}},
		Organization: []fhirRef{{Display: c.Name}},
		SourceAttachment: fhirAttachment{
			Extension:   []fhirExt{{URL: NoticeHashExtURL, ValueString: r.NoticeSHA256}},
			ContentType: "text/plain; charset=utf-8", Language: r.NoticeLanguage, URL: NoticeURI(r),
			Title: fmt.Sprintf("%s notice v%d (%s)", r.Purpose, r.NoticeVersion, r.NoticeLanguage),
		},
		Policy:    []fhirPolicy{{Authority: c.PolicyURL, URI: NoticeURI(r)}},
		Provision: fhirProvision{Type: ptype, Period: period, Purpose: []fhirCoding{{System: PurposeSystem, Code: string(r.Purpose)}}},
	}
	if r.Method != "" {
		doc.Extension = []fhirExt{{URL: MethodExtURL, ValueCode: string(r.Method)}}
	}
	return json.MarshalIndent(doc, "", "  ")
}

// Kantara Consent Receipt v1.1 (Kantara Initiative, 2018) field names.
type kantaraAddress struct {
	StreetAddress  string `json:"streetAddress"`
	AddressCountry string `json:"addressCountry"`
}

type kantaraController struct {
	PIIController string         `json:"piiController"`
	OnBehalf      bool           `json:"onBehalf"`
	Contact       string         `json:"contact"`
	Address       kantaraAddress `json:"address"`
	Email         string         `json:"email"`
	Phone         string         `json:"phone"`
}

type kantaraPurpose struct {
	Purpose              string   `json:"purpose"`
	PurposeCategory      []string `json:"purposeCategory"`
	ConsentType          string   `json:"consentType"`
	PIICategory          []string `json:"piiCategory"`
	PrimaryPurpose       bool     `json:"primaryPurpose"`
	Termination          string   `json:"termination"`
	ThirdPartyDisclosure bool     `json:"thirdPartyDisclosure"`
	ThirdPartyName       string   `json:"thirdPartyName,omitempty"`
}

type kantaraService struct {
	Service  string           `json:"service"`
	Purposes []kantaraPurpose `json:"purposes"`
}

type kantaraJSON struct {
	Version          string              `json:"version"`
	Jurisdiction     string              `json:"jurisdiction"`
	ConsentTimestamp int64               `json:"consentTimestamp"`
	CollectionMethod string              `json:"collectionMethod"`
	ConsentReceiptID string              `json:"consentReceiptID"`
	PublicKey        string              `json:"publicKey,omitempty"`
	Language         string              `json:"language"`
	PIIPrincipalID   string              `json:"piiPrincipalId"`
	PIIControllers   []kantaraController `json:"piiControllers"`
	PolicyURL        string              `json:"policyUrl"`
	Services         []kantaraService    `json:"services"`
	Sensitive        bool                `json:"sensitive"`
	SPICat           []string            `json:"spiCat"`
}

var purposeCategory = map[Purpose]string{
	PurposeHealthData:               "Core Function",
	PurposeTeleconsultation:         "Core Function",
	PurposeRecording:                "Core Function",
	PurposeSummarySharing:           "Contact Requested",
	PurposeReminders:                "Contact Requested",
	PurposeCrossBorder:              "3rd Party Sharing for Core Function",
	PurposeRepresentativeDisclosure: "3rd Party Sharing for Core Function",
}

var thirdParty = map[Purpose]string{
	PurposeCrossBorder:              "processors outside India named in the notice",
	PurposeRepresentativeDisclosure: "the client's nominated representative (Mental Healthcare Act 2017, s.14)",
}

var collectionMethods = map[Method]string{
	MethodCheckbox:  "unticked checkbox ticked by the client at the clinic",
	MethodSignature: "signature by the client at the clinic",
	MethodPlatform:  "affirmative action on the CalmAlly platform",
}

// KantaraReceipt renders r as a Kantara Consent Receipt v1.1. The receipt id
// is the event id; the principal is named by the client id only. A
// withdrawal's receipt says so in its termination.
func KantaraReceipt(r Row, c Controller) ([]byte, error) {
	method := collectionMethods[r.Method]
	termination := "until withdrawn by the client, which may be done at any time as easily as it was given"
	if !r.ExpiresAt.IsZero() {
		termination = "until " + fhirTime(r.ExpiresAt) + " or until withdrawn by the client, whichever is earlier"
	}
	if r.Kind == KindWithdraw {
		method = "withdrawal received via " + string(r.Channel)
		termination = "withdrawn at " + fhirTime(r.At) + " via " + string(r.Channel)
	}
	_, third := thirdParty[r.Purpose]
	doc := kantaraJSON{
		Version:          "KI-CR-v1.1.0",
		Jurisdiction:     c.Jurisdiction,
		ConsentTimestamp: r.At.Unix(),
		CollectionMethod: method,
		ConsentReceiptID: r.ID,
		Language:         r.NoticeLanguage,
		PIIPrincipalID:   r.ClientID,
		PIIControllers: []kantaraController{{PIIController: c.Name, Contact: c.Contact,
			Address: kantaraAddress{StreetAddress: c.Street, AddressCountry: c.Country}, Email: c.Email, Phone: c.Phone}},
		PolicyURL: c.PolicyURL,
		Services: []kantaraService{{Service: "CalmAlly Practice therapy record", Purposes: []kantaraPurpose{{
			Purpose:              string(r.Purpose) + " (" + NoticeURI(r) + ", sha256:" + r.NoticeSHA256 + ")",
			PurposeCategory:      []string{purposeCategory[r.Purpose]},
			ConsentType:          "EXPLICIT",
			PIICategory:          append([]string{}, r.Categories...),
			PrimaryPurpose:       r.Purpose == PurposeHealthData,
			Termination:          termination,
			ThirdPartyDisclosure: third,
			ThirdPartyName:       thirdParty[r.Purpose],
		}}}},
		Sensitive: true,
		SPICat:    []string{"health"},
	}
	return json.MarshalIndent(doc, "", "  ")
}
