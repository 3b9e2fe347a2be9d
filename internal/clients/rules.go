package clients

import (
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/calmally/practice/internal/apperr"
)

// Input is a profile as typed: dates as YYYY-MM-DD, phones in any common
// form. Normalize checks and tidies it.
type Input struct {
	Name                 string
	PreferredName        string
	DateOfBirth          string // YYYY-MM-DD
	Gender               string
	Phone                string
	Email                string
	EmergencyContact     EmergencyContact
	PresentingConcerns   string
	TreatmentPreferences string
	Language             string
}

// Length limits, in characters.
const (
	maxShort = 200  // names, gender, language, relationship
	maxLong  = 4000 // presenting concerns, treatment preferences
)

// MsgUnder18 is the refusal for a date of birth under 18. Callers may match
// on the apperr code (invalid); the text is for people.
const MsgUnder18 = "under 18: CalmAlly serves adults only"

// earliestBirth bounds dates of birth from below, to catch typos (1089 for 1989).
var earliestBirth = Date{1900, time.January, 1}

// CheckAdult refuses a date of birth that makes the person younger than 18 on
// today's date in India at instant now, a date in the future, or one before
// 1900. A birthday today counts: the person is 18 from the start of the day.
// Someone born on 29 February turns 18 on 1 March in a common year.
//
// Every way a client record enters (the UI, the CLI, sync, import) calls it.
func CheckAdult(dob Date, now time.Time) error {
	today := TodayInIndia(now)
	switch {
	case dob.IsZero():
		return apperr.New(apperr.Invalid, "date of birth: required")
	case dob.Compare(today) > 0:
		return apperr.New(apperr.Invalid, "date of birth: cannot be in the future")
	case dob.Compare(earliestBirth) < 0:
		return apperr.New(apperr.Invalid, "date of birth: cannot be before 1900")
	case dob.anniversary(dob.Year+18).Compare(today) > 0:
		return apperr.New(apperr.Invalid, MsgUnder18)
	}
	return nil
}

// Normalize checks in against the record rules at instant now and returns the
// tidied profile: text trimmed and NFC-normalised, the phone in E.164, the
// e-mail domain lower-cased. Errors are apperr invalid, name the field and the
// rule, and never repeat what was typed.
func Normalize(in Input, now time.Time) (Profile, error) {
	var p Profile
	var err error
	if p.Name, err = text(FieldName, in.Name, maxShort, false); err != nil {
		return Profile{}, err
	}
	if p.Name == "" {
		return Profile{}, apperr.New(apperr.Invalid, "name: required")
	}
	if p.PreferredName, err = text(FieldPreferredName, in.PreferredName, maxShort, false); err != nil {
		return Profile{}, err
	}
	dobText := strings.TrimSpace(in.DateOfBirth)
	if dobText == "" {
		return Profile{}, apperr.New(apperr.Invalid, "date of birth: required")
	}
	if p.DateOfBirth, err = ParseDate(dobText); err != nil {
		return Profile{}, apperr.New(apperr.Invalid, "date of birth: must be a real date written YYYY-MM-DD")
	}
	if err := CheckAdult(p.DateOfBirth, now); err != nil {
		return Profile{}, err
	}
	if p.Gender, err = text(FieldGender, in.Gender, maxShort, false); err != nil {
		return Profile{}, err
	}
	if p.Phone, err = NormalizePhone(FieldPhone, in.Phone); err != nil {
		return Profile{}, err
	}
	if p.Email, err = NormalizeEmail(in.Email); err != nil {
		return Profile{}, err
	}
	ec := in.EmergencyContact
	if p.EmergencyContact.Name, err = text("emergency contact name", ec.Name, maxShort, false); err != nil {
		return Profile{}, err
	}
	if p.EmergencyContact.Relationship, err = text("emergency contact relationship", ec.Relationship, maxShort, false); err != nil {
		return Profile{}, err
	}
	if p.EmergencyContact.Phone, err = NormalizePhone("emergency contact phone", ec.Phone); err != nil {
		return Profile{}, err
	}
	if !p.EmergencyContact.IsZero() && (p.EmergencyContact.Name == "" || p.EmergencyContact.Phone == "") {
		return Profile{}, apperr.New(apperr.Invalid, "emergency contact: needs both a name and a phone number")
	}
	if p.PresentingConcerns, err = text("presenting concerns", in.PresentingConcerns, maxLong, true); err != nil {
		return Profile{}, err
	}
	if p.TreatmentPreferences, err = text("treatment preferences", in.TreatmentPreferences, maxLong, true); err != nil {
		return Profile{}, err
	}
	if p.Language, err = text(FieldLanguage, in.Language, maxShort, false); err != nil {
		return Profile{}, err
	}
	return p, nil
}

// text trims and NFC-normalises s and checks it is valid UTF-8, at most max
// characters and free of control characters (line breaks and tabs are allowed
// in multiline fields).
func text(field, s string, max int, multiline bool) (string, error) {
	if !utf8.ValidString(s) {
		return "", apperr.Errorf(apperr.Invalid, "%s: not valid text", readable(field))
	}
	s = norm.NFC.String(strings.TrimSpace(s))
	if utf8.RuneCountInString(s) > max {
		return "", apperr.Errorf(apperr.Invalid, "%s: at most %d characters", readable(field), max)
	}
	for _, r := range s {
		if unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\t' || r == '\r')) {
			return "", apperr.Errorf(apperr.Invalid, "%s: contains a control character", readable(field))
		}
	}
	return s, nil
}

func readable(field string) string { return strings.ReplaceAll(field, "_", " ") }

// NormalizePhone accepts an international number (+ or 00, then 8 to 15
// digits, E.164) or an Indian number of 10 digits (optionally after a 0 trunk
// prefix or 91), ignoring spaces, dots, hyphens and brackets, and returns it
// in E.164 ("+919876543210"). Empty stays empty. field names the field in the
// error.
func NormalizePhone(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	bad := apperr.Errorf(apperr.Invalid, "%s: use +country code and number (E.164) or a 10-digit Indian number", readable(field))
	intl := false
	if strings.HasPrefix(s, "+") {
		intl, s = true, s[1:]
	}
	var digits strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits.WriteRune(r)
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')':
		default:
			return "", bad
		}
	}
	d := digits.String()
	if !intl && strings.HasPrefix(d, "00") {
		intl, d = true, d[2:]
	}
	if !intl {
		switch {
		case len(d) == 10:
		case len(d) == 11 && d[0] == '0':
			d = d[1:]
		case len(d) == 12 && strings.HasPrefix(d, "91"):
			d = d[2:]
		default:
			return "", bad
		}
		d = "91" + d
	}
	if len(d) < 8 || len(d) > 15 || d[0] == '0' {
		return "", bad
	}
	// Indian numbers (mobile and landline with STD code) are 10 digits that
	// do not start with 0.
	if strings.HasPrefix(d, "91") && (len(d) != 12 || d[2] == '0') {
		return "", bad
	}
	return "+" + d, nil
}

// NormalizeEmail checks a bare address (no display name) with a dotted domain
// and lower-cases the domain. Empty stays empty.
func NormalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	bad := apperr.New(apperr.Invalid, "email: must be an address like name@example.com")
	if len(s) > 254 {
		return "", bad
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return "", bad
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || !strings.Contains(domain, ".") ||
		strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") {
		return "", bad
	}
	return local + "@" + strings.ToLower(domain), nil
}
