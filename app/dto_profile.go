package app

// DTOs of the profile methods (app/profile.go). Their JSON is the profile
// file format (docs/profile-format.md), so the UI and the CLI agree.

// CredentialDTO is one professional registration.
type CredentialDTO struct {
	Qualification      string `json:"qualification"`
	Council            string `json:"council"` // rci | nmc | mmc | state_medical | other | none
	CouncilName        string `json:"councilName,omitempty"`
	RegistrationNumber string `json:"registrationNumber,omitempty"`
	ValidFrom          string `json:"validFrom,omitempty"`
	ValidUntil         string `json:"validUntil,omitempty"`
}

// SessionTypeDTO is a kind of session with its fee in paise.
type SessionTypeDTO struct {
	Name     string `json:"name"`
	Minutes  int    `json:"minutes"`
	FeePaise int64  `json:"feePaise"`
	Modality string `json:"modality"` // online | in_person | either
}

// ContactDTO is an e-mail address and a phone number.
type ContactDTO struct {
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
}

// DemographicsDTO is what the practitioner chooses to share.
type DemographicsDTO struct {
	Gender      string `json:"gender,omitempty"`
	Pronouns    string `json:"pronouns,omitempty"`
	YearOfBirth int    `json:"yearOfBirth,omitempty"`
	Other       string `json:"other,omitempty"`
}

// ProfileDTO is the practitioner profile. reviewState is read-only.
type ProfileDTO struct {
	Rev             int64            `json:"rev"`
	ReviewState     string           `json:"reviewState"` // draft | submitted | approved | changes_requested
	Name            string           `json:"name"`
	Contact         ContactDTO       `json:"contact"`
	Credentials     []CredentialDTO  `json:"credentials"`
	Specialisations []string         `json:"specialisations"`
	Approaches      []string         `json:"approaches"`
	Languages       []string         `json:"languages"`
	SessionTypes    []SessionTypeDTO `json:"sessionTypes"`
	Bio             string           `json:"bio"`
	Demographics    DemographicsDTO  `json:"demographics"`
	Preferences     PreferencesDTO   `json:"preferences"`
	// ReviewComment is the platform's comment while it asks for changes
	// (read-only).
	ReviewComment string `json:"reviewComment,omitempty"`
}

// PreferencesDTO is the practitioner's choices about how the platform uses
// the profile (Settings → Privacy). They reach the platform with the next
// submission: a change puts the profile back to draft.
type PreferencesDTO struct {
	PauseNewMatches bool `json:"pauseNewMatches"`
	MarketingEmails bool `json:"marketingEmails"`
}

// WarningDTO is a registration warning (expired, expiring within 60 days,
// not yet valid, no expiry recorded).
type WarningDTO struct {
	Code       string `json:"code"`
	Credential int    `json:"credential"`
	Days       int    `json:"days"`
	Message    string `json:"message"`
}

// ProfileResultDTO is a profile with its warnings.
type ProfileResultDTO struct {
	Profile  ProfileDTO   `json:"profile"`
	Warnings []WarningDTO `json:"warnings"`
}

// AddressDTO is a postal address.
type AddressDTO struct {
	Line1   string `json:"line1,omitempty"`
	Line2   string `json:"line2,omitempty"`
	City    string `json:"city,omitempty"`
	State   string `json:"state,omitempty"`
	PIN     string `json:"pin,omitempty"`
	Country string `json:"country,omitempty"`
}

// GrievanceDTO is the grievance contact shown to clients.
type GrievanceDTO struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
}

// PracticeDTO is the practice settings.
type PracticeDTO struct {
	Rev                   int64        `json:"rev"`
	Name                  string       `json:"name"`
	Address               AddressDTO   `json:"address"`
	Contact               ContactDTO   `json:"contact"`
	Grievance             GrievanceDTO `json:"grievance"`
	DefaultSessionMinutes int          `json:"defaultSessionMinutes"`
	DefaultFeePaise       int64        `json:"defaultFeePaise"`
	TimeZone              string       `json:"timeZone"`
	NoteTemplate          string       `json:"noteTemplate"`
	DateFormat            string       `json:"dateFormat"`
	NumberFormat          string       `json:"numberFormat"`
	Currency              string       `json:"currency"`
}
