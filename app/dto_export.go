package app

// ExportStartDTO starts an export (see export.go for the rules).
type ExportStartDTO struct {
	ClientID             string `json:"clientId"` // "" with all: true for the whole practice
	All                  bool   `json:"all"`
	Path                 string `json:"path"` // the file chosen in the save dialog
	IncludePsychotherapy bool   `json:"includePsychotherapy"`
	Encrypt              string `json:"encrypt"`    // "none" | "passphrase" | "recipient"
	Passphrase           string `json:"passphrase"` // encrypt "passphrase"
	Recipient            string `json:"recipient"`  // encrypt "recipient": an age public key (age1…)
}

// ExportDoneEvent ends an export; Error is "" on success. Withheld lists
// what a finished export left out, item by item (empty otherwise).
type ExportDoneEvent struct {
	Error    string            `json:"error"`
	Path     string            `json:"path"`
	Withheld []WithheldItemDTO `json:"withheld"`
}

// WithheldItemDTO is one item an export left out: ids, a date and codes only.
type WithheldItemDTO struct {
	Kind       string `json:"kind"` // psychotherapy_note | note | client | consent_history | booking | profile
	ID         string `json:"id"`
	ClientID   string `json:"clientId"`
	Date       string `json:"date"`   // a note's session date; "" otherwise
	Reason     string `json:"reason"` // excluded_by_choice | integrity_failed | client_unreadable | not_recorded
	Reviewable bool   `json:"reviewable"`
}

// ExportChooseDTO shapes the save dialog for an export's destination.
type ExportChooseDTO struct {
	SuggestedName string `json:"suggestedName"`
	Encrypted     bool   `json:"encrypted"`
}

// ExportDTO is one past export or import.
type ExportDTO struct {
	ID                   string `json:"id"`
	Kind                 string `json:"kind"` // export | import
	At                   string `json:"at"`
	Scope                string `json:"scope"` // client | practice
	ClientID             string `json:"clientId"`
	Encrypted            bool   `json:"encrypted"`
	RecipientKind        string `json:"recipientKind"` // none | passphrase | age-recipient
	IncludePsychotherapy bool   `json:"includePsychotherapy"`
	FileName             string `json:"fileName"`
	SHA256               string `json:"sha256"`
	Size                 int64  `json:"size"`
	Clients              int    `json:"clients"`
	Notes                int    `json:"notes"`
	Addenda              int    `json:"addenda"`
	Withheld             int    `json:"withheld"`
}

// ImportDTO names a bundle and how to open it.
type ImportDTO struct {
	Path       string `json:"path"`
	Passphrase string `json:"passphrase"` // for a passphrase-encrypted bundle
	Identity   string `json:"identity"`   // for a recipient-encrypted bundle: the AGE-SECRET-KEY-1… text
}

// ImportClientDTO is one client of a bundle and what import does with it.
type ImportClientDTO struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Status  string `json:"status"` // new | exists | under_18 | invalid
	Reason  string `json:"reason"`
	Notes   int    `json:"notes"`
	Addenda int    `json:"addenda"`
}

// WithheldDTO is something a bundle left out, and why.
type WithheldDTO struct {
	What       string `json:"what"`
	Count      int    `json:"count"`
	Reason     string `json:"reason"`
	Reviewable bool   `json:"reviewable"`
}

// ImportReportDTO is what a bundle holds and what import adds (or added).
type ImportReportDTO struct {
	BundleID   string            `json:"bundleId"`
	Scope      string            `json:"scope"`
	ExportedAt string            `json:"exportedAt"`
	AppVersion string            `json:"appVersion"`
	Encrypted  bool              `json:"encrypted"`
	Clients    []ImportClientDTO `json:"clients"`
	Notes      int               `json:"notes"`
	Addenda    int               `json:"addenda"`
	Signed     int               `json:"signed"`
	Withheld   []WithheldDTO     `json:"withheld"`
	Imported   bool              `json:"imported"`
	Notice     string            `json:"notice"`
}
