package profile

import (
	"regexp"
	"strings"
	"time"
)

// Council is a registering body, by code.
type Council string

// The councils the app knows. Registration patterns are best-effort (see
// councils below and docs/profile-format.md); "state_medical" and "other"
// accept any reasonable number and need the council's name.
const (
	CouncilNone         Council = "none"          // counsellors without statutory registration
	CouncilRCI          Council = "rci"           // Rehabilitation Council of India (Central Rehabilitation Register)
	CouncilNMC          Council = "nmc"           // National Medical Commission (Indian Medical Register)
	CouncilMaharashtra  Council = "mmc"           // Maharashtra Medical Council
	CouncilStateMedical Council = "state_medical" // another state medical council; councilName required
	CouncilOther        Council = "other"         // any other body; councilName required
)

// councilRule is how one council's registration numbers look.
type councilRule struct {
	name    string         // shown to users and in exports
	pattern *regexp.Regexp // matched against the normalised number
	example string         // named in the refusal
	needsNo bool           // a number is required
	named   bool           // councilName is required (and used as the name)
}

// councils is the per-council table. Numbers are normalised first
// (NormalizeRegistration): upper case, spaces removed, and a leading
// "CRR No." / "Reg. No." label dropped.
//
//   - RCI: the Central Rehabilitation Register id is a letter and five or
//     six digits ("A12345", "B03061"); a hyphen after the letter is
//     accepted and removed.
//   - NMC (Indian Medical Register): digits, up to seven.
//   - Maharashtra Medical Council: either year/month/serial ("2012/03/1234")
//     or a plain serial of up to six digits, optionally with a letter prefix.
//   - Other state medical councils and other bodies: letters, digits, "/"
//     and "-", 2–30 characters.
var councils = map[Council]councilRule{
	CouncilNone:         {name: "No statutory registration"},
	CouncilRCI:          {name: "Rehabilitation Council of India", pattern: regexp.MustCompile(`^[A-Z][0-9]{5,6}$`), example: "A12345", needsNo: true},
	CouncilNMC:          {name: "National Medical Commission", pattern: regexp.MustCompile(`^[0-9]{1,7}$`), example: "1234567", needsNo: true},
	CouncilMaharashtra:  {name: "Maharashtra Medical Council", pattern: regexp.MustCompile(`^([0-9]{4}/[0-9]{2}/[0-9]{1,5}|[A-Z]?[0-9]{1,6})$`), example: "2012/03/1234", needsNo: true},
	CouncilStateMedical: {name: "State Medical Council", pattern: genericNumber, example: "MP-12345", needsNo: true, named: true},
	CouncilOther:        {name: "Other", pattern: genericNumber, example: "ABC/123", needsNo: false, named: true},
}

var genericNumber = regexp.MustCompile(`^[A-Z0-9][A-Z0-9/-]{1,29}$`)

// Councils lists the known council codes, for the UI's choice.
func Councils() []Council {
	return []Council{CouncilRCI, CouncilNMC, CouncilMaharashtra, CouncilStateMedical, CouncilOther, CouncilNone}
}

// CouncilName is the council's display name ("" for an unknown code).
func CouncilName(c Council) string { return councils[c].name }

var labelPrefix = regexp.MustCompile(`^(CRR|REGISTRATION|REGN|REG)?\.?(NO|NUMBER)?[.:#]*`)

// NormalizeRegistration puts a registration number in the form the patterns
// expect: upper case, without spaces or a leading "CRR No." label; for RCI a
// hyphen after the letter is dropped.
func NormalizeRegistration(c Council, s string) string {
	s = strings.ToUpper(strings.Join(strings.Fields(s), ""))
	if loc := labelPrefix.FindStringIndex(s); loc != nil && loc[1] > 0 && loc[1] < len(s) {
		s = s[loc[1]:]
	}
	if c == CouncilRCI && len(s) > 2 && s[1] == '-' {
		s = s[:1] + s[2:]
	}
	return s
}

// validateCredential checks one credential; i is its 1-based position.
func validateCredential(i int, cr *Credential) error {
	cr.Qualification = strings.TrimSpace(cr.Qualification)
	cr.CouncilName = strings.TrimSpace(cr.CouncilName)
	if cr.Council == "" {
		cr.Council = CouncilNone
	}
	rule, ok := councils[cr.Council]
	if !ok {
		return invalid("credential %d: council must be one of rci, nmc, mmc, state_medical, other, none", i)
	}
	if cr.Qualification == "" {
		return invalid("credential %d: qualification is required", i)
	}
	if err := checkText(cr.Qualification, 200); err != nil {
		return invalid("credential %d: qualification: %s", i, err)
	}
	if rule.named && cr.CouncilName == "" {
		return invalid("credential %d: councilName is required for council %s", i, cr.Council)
	}
	if !rule.named && cr.CouncilName != "" {
		return invalid("credential %d: councilName is only for councils state_medical and other", i)
	}
	if err := checkText(cr.CouncilName, 200); err != nil {
		return invalid("credential %d: councilName: %s", i, err)
	}
	cr.RegistrationNumber = NormalizeRegistration(cr.Council, cr.RegistrationNumber)
	switch {
	case cr.Council == CouncilNone:
		if cr.RegistrationNumber != "" || cr.ValidFrom != "" || cr.ValidUntil != "" {
			return invalid("credential %d: council none takes no registration number or validity", i)
		}
		return nil
	case cr.RegistrationNumber == "" && rule.needsNo:
		return invalid("credential %d: registrationNumber is required for council %s", i, cr.Council)
	case cr.RegistrationNumber != "" && !rule.pattern.MatchString(cr.RegistrationNumber):
		return invalid("credential %d: registration number does not look like a %s number (e.g. %s); choose council other if yours differs",
			i, cr.Council, rule.example)
	}
	from, err := parseDate(cr.ValidFrom)
	if err != nil {
		return invalid("credential %d: validFrom: %s", i, err)
	}
	until, err := parseDate(cr.ValidUntil)
	if err != nil {
		return invalid("credential %d: validUntil: %s", i, err)
	}
	if !from.IsZero() && !until.IsZero() && until.Before(from) {
		return invalid("credential %d: validUntil must not be before validFrom", i)
	}
	return nil
}

// parseDate reads a civil date YYYY-MM-DD ("" is the zero time).
func parseDate(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, errString("must be a date YYYY-MM-DD that exists in the calendar")
	}
	return t, nil
}

type errString string

func (e errString) Error() string { return string(e) }

// ExpiringWithin is how close to its end a registration starts to warn.
const ExpiringWithin = 60 // days

// Warning codes.
const (
	WarnExpired     = "registration_expired"
	WarnExpiring    = "registration_expiring"
	WarnNotYetValid = "registration_not_yet_valid"
	WarnNoExpiry    = "registration_no_expiry"
)

// Warning is something the practitioner should know but that does not stop
// a save. Messages name the credential's position and the rule only.
type Warning struct {
	Code       string `json:"code"`
	Credential int    `json:"credential"` // 1-based
	Days       int    `json:"days"`       // days left (expiring), days since (expired), days until valid
	Message    string `json:"message"`
}

// Warnings reports expiry problems of p's credentials as of today, a civil
// date (only its year, month and day are read). validUntil is inclusive: a
// registration valid until 31 March is still valid on 31 March.
func Warnings(p Profile, today time.Time) []Warning {
	d := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	var out []Warning
	for i, cr := range p.Credentials {
		if cr.Council == CouncilNone || cr.Council == "" || cr.RegistrationNumber == "" {
			continue
		}
		n := i + 1
		from, _ := parseDate(cr.ValidFrom)
		until, _ := parseDate(cr.ValidUntil)
		switch {
		case !from.IsZero() && d.Before(from):
			days := daysBetween(d, from)
			out = append(out, Warning{WarnNotYetValid, n, days, sprintf("credential %d: the registration is valid only from %s (in %d days)", n, cr.ValidFrom, days)})
		case until.IsZero():
			if councils[cr.Council].needsNo {
				out = append(out, Warning{WarnNoExpiry, n, 0, sprintf("credential %d: no validUntil date: add the renewal date from the certificate", n)})
			}
		case d.After(until):
			days := daysBetween(until, d)
			out = append(out, Warning{WarnExpired, n, days, sprintf("credential %d: the registration expired on %s (%d days ago): renew it before practising", n, cr.ValidUntil, days)})
		case daysBetween(d, until) <= ExpiringWithin:
			days := daysBetween(d, until)
			out = append(out, Warning{WarnExpiring, n, days, sprintf("credential %d: the registration expires on %s (in %d days)", n, cr.ValidUntil, days)})
		}
	}
	return out
}

// daysBetween counts calendar days from a to b (both UTC midnights).
func daysBetween(a, b time.Time) int { return int(b.Sub(a).Hours()/24 + 0.5) }
