package profile

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/language"

	"github.com/calmally/practice/internal/apperr"
)

// ReviewState is where a profile change stands with the platform.
type ReviewState string

// Review states.
const (
	ReviewDraft            ReviewState = "draft"             // edited here, not yet sent for review
	ReviewSubmitted        ReviewState = "submitted"         // sent; the platform has not decided
	ReviewApproved         ReviewState = "approved"          // the platform shows it to clients
	ReviewChangesRequested ReviewState = "changes_requested" // the platform asks for changes
)

// Valid reports whether s is a known state.
func (s ReviewState) Valid() bool {
	switch s {
	case ReviewDraft, ReviewSubmitted, ReviewApproved, ReviewChangesRequested:
		return true
	}
	return false
}

// Credential is one professional registration (or, with council "none", a
// qualification without statutory registration, as for many counsellors).
type Credential struct {
	Qualification      string  `json:"qualification"`
	Council            Council `json:"council"`
	CouncilName        string  `json:"councilName,omitempty"` // for state_medical and other
	RegistrationNumber string  `json:"registrationNumber,omitempty"`
	ValidFrom          string  `json:"validFrom,omitempty"`  // YYYY-MM-DD
	ValidUntil         string  `json:"validUntil,omitempty"` // YYYY-MM-DD, inclusive
}

// DisplayCouncil is the council's name as exports and the UI show it.
func (c Credential) DisplayCouncil() string {
	if c.CouncilName != "" {
		return c.CouncilName
	}
	return CouncilName(c.Council)
}

// Modality of a session type.
const (
	ModalityOnline   = "online"
	ModalityInPerson = "in_person"
	ModalityEither   = "either"
)

// SessionType is a kind of session the practitioner offers, with its fee.
type SessionType struct {
	Name     string `json:"name"`
	Minutes  int    `json:"minutes"`
	FeePaise int64  `json:"feePaise"` // INR paise; 150000 = ₹1,500
	Modality string `json:"modality"`
}

// Contact is an e-mail address and a phone number.
type Contact struct {
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
}

// Demographics are what the practitioner chooses to share with clients
// looking for a therapist (all optional).
type Demographics struct {
	Gender      string `json:"gender,omitempty"`
	Pronouns    string `json:"pronouns,omitempty"`
	YearOfBirth int    `json:"yearOfBirth,omitempty"`
	Other       string `json:"other,omitempty"` // e.g. "queer-affirmative"
}

// Preferences are the practitioner's choices about how the platform uses
// their profile (Settings → Privacy). They travel to the platform inside the
// profile document that profile.submit carries, so a change to them puts the
// profile back to draft until it is submitted: no separate mutation exists.
type Preferences struct {
	// PauseNewMatches asks the platform to stop proposing new clients (the
	// profile stays listed for existing clients). Default false.
	PauseNewMatches bool `json:"pauseNewMatches"`
	// MarketingEmails allows the platform's newsletters and offers. Default
	// false: opting in is a choice, never a default.
	MarketingEmails bool `json:"marketingEmails"`
}

// Profile is the practitioner's profile. Rev, ReviewState and ReviewComment
// are set by the service; on input Rev, when not zero, must be the stored
// revision.
type Profile struct {
	Rev             int64         `json:"rev,omitempty"`
	ReviewState     ReviewState   `json:"reviewState,omitempty"`
	Name            string        `json:"name"`
	Contact         Contact       `json:"contact"`
	Credentials     []Credential  `json:"credentials"`
	Specialisations []string      `json:"specialisations"`
	Approaches      []string      `json:"approaches"`
	Languages       []string      `json:"languages"` // BCP 47 tags: "en", "hi", "mr", "ta"
	SessionTypes    []SessionType `json:"sessionTypes"`
	Bio             string        `json:"bio,omitempty"`
	Demographics    Demographics  `json:"demographics"`
	Preferences     Preferences   `json:"preferences"`
	// ReviewComment is the platform's comment when it asked for changes
	// (output only; kept while the profile stays changes_requested).
	ReviewComment string `json:"reviewComment,omitempty"`
}

// Limits.
const (
	MaxBioRunes      = 2000
	maxListItems     = 30
	maxItemRunes     = 100
	maxCredentials   = 10
	maxSessionTypes  = 20
	maxFeePaise      = 100_000_00 // ₹1,00,000
	maxSessionMinute = 480
)

// Normalize trims, fills defaults and validates p. Errors are apperr
// invalid and name the field and rule, never the value.
func (p *Profile) Normalize() error {
	p.Name = strings.TrimSpace(p.Name)
	if p.Name == "" {
		return invalid("name is required")
	}
	if err := checkText(p.Name, 200); err != nil {
		return invalid("name: %s", err)
	}
	if err := p.Contact.normalize("contact"); err != nil {
		return err
	}
	if len(p.Credentials) > maxCredentials {
		return invalid("at most %d credentials", maxCredentials)
	}
	for i := range p.Credentials {
		if err := validateCredential(i+1, &p.Credentials[i]); err != nil {
			return err
		}
	}
	var err error
	if p.Specialisations, err = normalizeList("specialisations", p.Specialisations); err != nil {
		return err
	}
	if p.Approaches, err = normalizeList("approaches", p.Approaches); err != nil {
		return err
	}
	if p.Languages, err = normalizeLanguages(p.Languages); err != nil {
		return err
	}
	if p.SessionTypes == nil {
		p.SessionTypes = []SessionType{}
	}
	if len(p.SessionTypes) > maxSessionTypes {
		return invalid("at most %d session types", maxSessionTypes)
	}
	for i := range p.SessionTypes {
		if err := p.SessionTypes[i].normalize(i + 1); err != nil {
			return err
		}
	}
	if p.Credentials == nil {
		p.Credentials = []Credential{}
	}
	p.Bio = strings.TrimSpace(p.Bio)
	if utf8.RuneCountInString(p.Bio) > MaxBioRunes {
		return invalid("bio: at most %d characters", MaxBioRunes)
	}
	if !utf8.ValidString(p.Bio) {
		return invalid("bio: not valid UTF-8")
	}
	return p.Demographics.normalize()
}

func (s *SessionType) normalize(i int) error {
	s.Name = strings.TrimSpace(s.Name)
	if s.Name == "" {
		return invalid("session type %d: name is required", i)
	}
	if err := checkText(s.Name, maxItemRunes); err != nil {
		return invalid("session type %d: name: %s", i, err)
	}
	if s.Minutes < 10 || s.Minutes > maxSessionMinute {
		return invalid("session type %d: minutes must be between 10 and %d", i, maxSessionMinute)
	}
	if s.FeePaise < 0 || s.FeePaise > maxFeePaise {
		return invalid("session type %d: feePaise must be between 0 and %d", i, maxFeePaise)
	}
	if s.Modality == "" {
		s.Modality = ModalityEither
	}
	if s.Modality != ModalityOnline && s.Modality != ModalityInPerson && s.Modality != ModalityEither {
		return invalid("session type %d: modality must be online, in_person or either", i)
	}
	return nil
}

func (d *Demographics) normalize() error {
	d.Gender, d.Pronouns, d.Other = strings.TrimSpace(d.Gender), strings.TrimSpace(d.Pronouns), strings.TrimSpace(d.Other)
	for _, f := range []struct {
		name, v string
		max     int
	}{{"gender", d.Gender, 50}, {"pronouns", d.Pronouns, 50}, {"other", d.Other, 200}} {
		if err := checkText(f.v, f.max); err != nil {
			return invalid("demographics.%s: %s", f.name, err)
		}
	}
	if d.YearOfBirth != 0 && (d.YearOfBirth < 1900 || d.YearOfBirth > 2100) {
		return invalid("demographics.yearOfBirth must be a year between 1900 and 2100")
	}
	return nil
}

func (c *Contact) normalize(field string) error {
	c.Email, c.Phone = strings.TrimSpace(c.Email), strings.TrimSpace(c.Phone)
	if c.Email != "" && !validEmail(c.Email) {
		return invalid("%s.email: not an e-mail address", field)
	}
	if c.Phone != "" && !validPhone(c.Phone) {
		return invalid("%s.phone: 7 to 15 digits, optionally with a leading + and spaces or hyphens", field)
	}
	return nil
}

func validEmail(s string) bool {
	if len(s) > 254 || strings.ContainsAny(s, " \t\r\n<>,;\"") {
		return false
	}
	local, domain, ok := strings.Cut(s, "@")
	return ok && local != "" && strings.Contains(domain, ".") && !strings.Contains(domain, "@") &&
		!strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

func validPhone(s string) bool {
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0, r == ' ', r == '-':
		default:
			return false
		}
	}
	return digits >= 7 && digits <= 15
}

func normalizeList(field string, in []string) ([]string, error) {
	out := []string{}
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s == "" || slices.Contains(out, s) {
			continue
		}
		if err := checkText(s, maxItemRunes); err != nil {
			return nil, invalid("%s: %s", field, err)
		}
		out = append(out, s)
	}
	if len(out) > maxListItems {
		return nil, invalid("%s: at most %d items", field, maxListItems)
	}
	return out, nil
}

func normalizeLanguages(in []string) ([]string, error) {
	out := []string{}
	for i, s := range in {
		tag, err := language.Parse(strings.TrimSpace(s))
		if err != nil || tag == language.Und {
			return nil, invalid("languages: item %d is not a language tag such as en, hi or mr", i+1)
		}
		if t := tag.String(); !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	if len(out) > maxListItems {
		return nil, invalid("languages: at most %d items", maxListItems)
	}
	return out, nil
}

// checkText refuses control characters, invalid UTF-8 and over-long text.
func checkText(s string, max int) error {
	if !utf8.ValidString(s) {
		return errString("not valid UTF-8")
	}
	if utf8.RuneCountInString(s) > max {
		return errString(fmt.Sprintf("at most %d characters", max))
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return errString("control characters are not allowed")
		}
	}
	return nil
}

func invalid(format string, args ...any) error {
	return apperr.Errorf(apperr.Invalid, "profile: "+format, args...)
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }
