package profile

import (
	"strings"
	"time"
)

// Defaults of the practice settings (Indian conventions).
const (
	DefaultZone           = "Asia/Kolkata"
	DefaultDateFormat     = "DD/MM/YYYY"
	DefaultNumberFormat   = "en-IN" // 1,23,456.78
	DefaultCurrency       = "INR"
	DefaultSessionMinutes = 50
	DefaultNoteTemplate   = "soap"
)

// Address is a postal address in India (or elsewhere: country is an ISO
// 3166 code, default IN).
type Address struct {
	Line1   string `json:"line1,omitempty"`
	Line2   string `json:"line2,omitempty"`
	City    string `json:"city,omitempty"`
	State   string `json:"state,omitempty"`
	PIN     string `json:"pin,omitempty"` // six digits in India
	Country string `json:"country,omitempty"`
}

// OneLine joins the non-empty parts with ", ".
func (a Address) OneLine() string {
	var parts []string
	for _, s := range []string{a.Line1, a.Line2, a.City, a.State, a.PIN} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	if a.Country != "" && a.Country != "IN" {
		parts = append(parts, a.Country)
	} else if len(parts) > 0 {
		parts = append(parts, "India")
	}
	return strings.Join(parts, ", ")
}

// Grievance is the grievance officer shown to clients (the DPDP Rules ask
// for a contact for grievances).
type Grievance struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
}

// Practice is the practice (clinic) settings. Rev, when not zero on input,
// must be the stored revision.
type Practice struct {
	Rev                   int64     `json:"rev,omitempty"`
	Name                  string    `json:"name"`
	Address               Address   `json:"address"`
	Contact               Contact   `json:"contact"`
	Grievance             Grievance `json:"grievance"`
	DefaultSessionMinutes int       `json:"defaultSessionMinutes"`
	DefaultFeePaise       int64     `json:"defaultFeePaise"`
	TimeZone              string    `json:"timeZone"`
	NoteTemplate          string    `json:"noteTemplate"` // soap | dap | birp | free
	DateFormat            string    `json:"dateFormat"`   // DD/MM/YYYY | YYYY-MM-DD | DD-MM-YYYY
	NumberFormat          string    `json:"numberFormat"` // en-IN (lakh/crore grouping) | en (thousands)
	Currency              string    `json:"currency"`     // INR only
}

// DefaultPractice is what an unsaved practice reads as.
func DefaultPractice() Practice {
	var p Practice
	p.fillDefaults()
	return p
}

func (p *Practice) fillDefaults() {
	if p.DefaultSessionMinutes == 0 {
		p.DefaultSessionMinutes = DefaultSessionMinutes
	}
	if p.TimeZone == "" {
		p.TimeZone = DefaultZone
	}
	if p.NoteTemplate == "" {
		p.NoteTemplate = DefaultNoteTemplate
	}
	if p.DateFormat == "" {
		p.DateFormat = DefaultDateFormat
	}
	if p.NumberFormat == "" {
		p.NumberFormat = DefaultNumberFormat
	}
	if p.Currency == "" {
		p.Currency = DefaultCurrency
	}
	if p.Address.Country == "" {
		p.Address.Country = "IN"
	}
}

// Location is the practice's time zone (Asia/Kolkata if it cannot load).
func (p Practice) Location() *time.Location {
	if loc, err := time.LoadLocation(p.TimeZone); err == nil {
		return loc
	}
	if loc, err := time.LoadLocation(DefaultZone); err == nil {
		return loc
	}
	return time.FixedZone("IST", 5*3600+1800)
}

// Normalize trims, fills defaults and validates the settings.
func (p *Practice) Normalize() error {
	p.Name = strings.TrimSpace(p.Name)
	p.fillDefaults()
	if err := checkText(p.Name, 200); err != nil {
		return invalid("practice name: %s", err)
	}
	a := &p.Address
	for _, f := range []struct {
		name string
		v    *string
		max  int
	}{{"line1", &a.Line1, 200}, {"line2", &a.Line2, 200}, {"city", &a.City, 100}, {"state", &a.State, 100}, {"pin", &a.PIN, 12}} {
		*f.v = strings.TrimSpace(*f.v)
		if err := checkText(*f.v, f.max); err != nil {
			return invalid("address.%s: %s", f.name, err)
		}
	}
	a.Country = strings.ToUpper(strings.TrimSpace(a.Country))
	if len(a.Country) != 2 || a.Country[0] < 'A' || a.Country[0] > 'Z' || a.Country[1] < 'A' || a.Country[1] > 'Z' {
		return invalid("address.country must be a two-letter country code such as IN")
	}
	if a.Country == "IN" && a.PIN != "" && !isPIN(a.PIN) {
		return invalid("address.pin must be six digits, not starting with 0")
	}
	if err := p.Contact.normalize("contact"); err != nil {
		return err
	}
	g := &p.Grievance
	g.Name = strings.TrimSpace(g.Name)
	if err := checkText(g.Name, 200); err != nil {
		return invalid("grievance.name: %s", err)
	}
	gc := Contact{Email: g.Email, Phone: g.Phone}
	if err := gc.normalize("grievance"); err != nil {
		return err
	}
	g.Email, g.Phone = gc.Email, gc.Phone
	if g.Name != "" && g.Email == "" && g.Phone == "" {
		return invalid("grievance: give an e-mail address or a phone number for the grievance contact")
	}
	if p.DefaultSessionMinutes < 10 || p.DefaultSessionMinutes > maxSessionMinute {
		return invalid("defaultSessionMinutes must be between 10 and %d", maxSessionMinute)
	}
	if p.DefaultFeePaise < 0 || p.DefaultFeePaise > maxFeePaise {
		return invalid("defaultFeePaise must be between 0 and %d", maxFeePaise)
	}
	if _, err := time.LoadLocation(p.TimeZone); err != nil || p.TimeZone == "Local" {
		return invalid("timeZone must be an IANA zone such as Asia/Kolkata")
	}
	if !oneOf(p.NoteTemplate, "soap", "dap", "birp", "free") {
		return invalid("noteTemplate must be soap, dap, birp or free")
	}
	if !oneOf(p.DateFormat, "DD/MM/YYYY", "YYYY-MM-DD", "DD-MM-YYYY") {
		return invalid("dateFormat must be DD/MM/YYYY, YYYY-MM-DD or DD-MM-YYYY")
	}
	if !oneOf(p.NumberFormat, "en-IN", "en") {
		return invalid("numberFormat must be en-IN or en")
	}
	if p.Currency != "INR" {
		return invalid("currency must be INR")
	}
	return nil
}

func isPIN(s string) bool {
	if len(s) != 6 || s[0] == '0' {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func oneOf(s string, options ...string) bool {
	for _, o := range options {
		if s == o {
			return true
		}
	}
	return false
}
