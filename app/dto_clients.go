package app

// Client DTOs: the shapes of the client methods in clients.go. Dates are
// "YYYY-MM-DD", instants RFC 3339 UTC ("" when unset).

// EmergencyContactDTO is who to call in a crisis.
type EmergencyContactDTO struct {
	Name         string `json:"name"`
	Relationship string `json:"relationship"`
	Phone        string `json:"phone"`
}

// ClientInputDTO is a client's profile as typed in the form.
type ClientInputDTO struct {
	Name                 string              `json:"name"`
	PreferredName        string              `json:"preferredName"`
	DateOfBirth          string              `json:"dateOfBirth"`
	Gender               string              `json:"gender"`
	Phone                string              `json:"phone"`
	Email                string              `json:"email"`
	EmergencyContact     EmergencyContactDTO `json:"emergencyContact"`
	PresentingConcerns   string              `json:"presentingConcerns"`
	TreatmentPreferences string              `json:"treatmentPreferences"`
	Language             string              `json:"language"`
}

// ClientUpdateDTO is a correction: the whole profile as it should now read,
// the revision the form was loaded at, and a reason code.
type ClientUpdateDTO struct {
	ID     string         `json:"id"`
	Rev    int64          `json:"rev"`
	Reason string         `json:"reason"`
	Client ClientInputDTO `json:"client"`
}

// ClientDTO is one client, opened.
type ClientDTO struct {
	ID                   string              `json:"id"`
	Rev                  int64               `json:"rev"`
	Name                 string              `json:"name"`
	PreferredName        string              `json:"preferredName"`
	DateOfBirth          string              `json:"dateOfBirth"`
	Gender               string              `json:"gender"`
	Phone                string              `json:"phone"`
	Email                string              `json:"email"`
	EmergencyContact     EmergencyContactDTO `json:"emergencyContact"`
	PresentingConcerns   string              `json:"presentingConcerns"`
	TreatmentPreferences string              `json:"treatmentPreferences"`
	Language             string              `json:"language"`
	Status               string              `json:"status"`
	Source               string              `json:"source"`
	CreatedAt            string              `json:"createdAt"`
	UpdatedAt            string              `json:"updatedAt"`
	LastInteractionAt    string              `json:"lastInteractionAt"`
}

// ClientFilterDTO narrows ClientsList.
type ClientFilterDTO struct {
	Status string `json:"status"` // "", "active" or "discharged"
	Query  string `json:"query"`  // words that must all appear in the name
}

// ClientSummaryDTO is one row of the client list: no contact details.
type ClientSummaryDTO struct {
	ID                string `json:"id"`
	Rev               int64  `json:"rev"`
	Name              string `json:"name"`
	PreferredName     string `json:"preferredName"`
	DateOfBirth       string `json:"dateOfBirth"`
	Status            string `json:"status"`
	UpdatedAt         string `json:"updatedAt"`
	LastInteractionAt string `json:"lastInteractionAt"`
}

// ClientListDTO is the client list. Unreadable holds the ids of records that
// failed their integrity check (not shown; each was audited).
type ClientListDTO struct {
	Clients    []ClientSummaryDTO `json:"clients"`
	Unreadable []string           `json:"unreadable"`
}

// ClientHistoryDTO is one correction or status change. Previous maps each
// changed field (snake_case: name, preferred_name, date_of_birth, gender,
// phone, email, emergency_contact, presenting_concerns,
// treatment_preferences, language) to its value before the change.
type ClientHistoryDTO struct {
	Rev            int64             `json:"rev"`
	At             string            `json:"at"`
	Actor          string            `json:"actor"`
	Action         string            `json:"action"` // correction | discharge | reopen
	Reason         string            `json:"reason"`
	Fields         []string          `json:"fields"`
	Previous       map[string]string `json:"previous"`
	PreviousStatus string            `json:"previousStatus"`
}
