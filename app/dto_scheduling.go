package app

// Scheduling DTOs (see the method list at the top of scheduling.go). Dates
// are "YYYY-MM-DD", wall-clock times "HH:MM", instants RFC 3339 UTC; ""
// when unset.

// AvailabilityDTO is the whole schedule: the same shape as the
// `availability set --file` document (docs/availability-format.md), plus
// each rule set's id and rev.
type AvailabilityDTO struct {
	Version  int          `json:"version"`
	RuleSets []RuleSetDTO `json:"ruleSets"`
}

// RuleSetDTO is the availability of one period in one zone.
type RuleSetDTO struct {
	ID                 string         `json:"id,omitempty"`  // "" for a new rule set
	Rev                int64          `json:"rev,omitempty"` // send back what you read (conflict check)
	Zone               string         `json:"zone"`          // IANA; "" = Asia/Kolkata
	EffectiveFrom      string         `json:"effectiveFrom,omitempty"`
	EffectiveUntil     string         `json:"effectiveUntil,omitempty"` // inclusive
	SessionMinutes     int            `json:"sessionMinutes"`
	BufferMinutes      int            `json:"bufferMinutes"`
	MinimumNoticeHours int            `json:"minimumNoticeHours"`
	HorizonDays        int            `json:"horizonDays"`
	Modality           string         `json:"modality"` // "online" | "in_person"
	Location           string         `json:"location,omitempty"`
	Weekly             []WindowDTO    `json:"weekly"`
	Exceptions         []ExceptionDTO `json:"exceptions,omitempty"`
}

// WindowDTO is weekly open hours.
type WindowDTO struct {
	Day      string `json:"day"` // "mon".."sun"
	Start    string `json:"start"`
	End      string `json:"end"` // "24:00" allowed
	Modality string `json:"modality,omitempty"`
}

// ExceptionDTO changes dates: extra hours, time off or a holiday.
type ExceptionDTO struct {
	Kind     string `json:"kind"` // "extra" | "time_off" | "holiday"
	From     string `json:"from"`
	To       string `json:"to,omitempty"`
	Start    string `json:"start,omitempty"` // both "" = whole day
	End      string `json:"end,omitempty"`
	Modality string `json:"modality,omitempty"`
}

// SlotDTO is one bookable slot.
type SlotDTO struct {
	Start    string `json:"start"`
	End      string `json:"end"`
	Zone     string `json:"zone"`
	Modality string `json:"modality"`
	Location string `json:"location,omitempty"`
}

// OpeningDTO is a span of open hours (for shading the calendar).
type OpeningDTO struct {
	Start    string `json:"start"`
	End      string `json:"end"`
	Zone     string `json:"zone"`
	Modality string `json:"modality"`
}

// TimeOffDTO is time off or a holiday to add.
type TimeOffDTO struct {
	Kind  string `json:"kind"` // "time_off" (default) | "holiday"
	From  string `json:"from"`
	To    string `json:"to,omitempty"`
	Start string `json:"start,omitempty"` // both "" = whole days
	End   string `json:"end,omitempty"`
}

// TimeOffDecisionDTO is the user's choice for one colliding booking.
type TimeOffDecisionDTO struct {
	BookingID string `json:"bookingId"`
	Action    string `json:"action"`  // "keep" | "cancel"
	Message   string `json:"message"` // required with "cancel"
}

// TimeOffSaveDTO is time off with a decision for every collision.
type TimeOffSaveDTO struct {
	TimeOff   TimeOffDTO           `json:"timeOff"`
	Decisions []TimeOffDecisionDTO `json:"decisions"`
}

// BookingDTO is one booking, opened.
type BookingDTO struct {
	ID              string   `json:"id"`
	Rev             int64    `json:"rev"`
	Source          string   `json:"source"` // "platform" | "clinic"
	Status          string   `json:"status"`
	ClientID        string   `json:"clientId"`
	ClientLabel     string   `json:"clientLabel"` // platform client not yet matched
	Start           string   `json:"start"`
	End             string   `json:"end"`
	Modality        string   `json:"modality"`
	Location        string   `json:"location"`
	JoinLink        string   `json:"joinLink"`
	FeePaise        int64    `json:"feePaise"`
	Currency        string   `json:"currency"` // "INR"
	PaymentStatus   string   `json:"paymentStatus"`
	Notes           string   `json:"notes"`
	Message         string   `json:"message"`
	RescheduledFrom string   `json:"rescheduledFrom"`
	RescheduledTo   string   `json:"rescheduledTo"`
	CreatedAt       string   `json:"createdAt"`
	UpdatedAt       string   `json:"updatedAt"`
	Actions         []string `json:"actions"` // "confirm" | "decline" | "cancel" | "complete" | "no_show"
}

// BookingsListDTO is a range of bookings.
type BookingsListDTO struct {
	Bookings   []BookingDTO `json:"bookings"`
	Unreadable []string     `json:"unreadable"` // ids that failed their integrity check
}

// BookingMessageDTO is a decline or cancellation.
type BookingMessageDTO struct {
	ID      string `json:"id"`
	Message string `json:"message"`
}

// WalkInDTO is a session added by hand at the clinic.
type WalkInDTO struct {
	ClientID    string `json:"clientId"`    // or ""…
	ClientLabel string `json:"clientLabel"` // …with a display name
	Start       string `json:"start"`       // RFC 3339, or "YYYY-MM-DDTHH:MM" in the rules' zone
	Minutes     int    `json:"minutes"`     // 0 = 50
	Modality    string `json:"modality"`    // "" = in_person
	Location    string `json:"location"`
	JoinLink    string `json:"joinLink"`
	FeePaise    int64  `json:"feePaise"`
	Paid        bool   `json:"paid"`
	Notes       string `json:"notes"`
}

// AgendaDTO is the Today screen.
type AgendaDTO struct {
	Date                    string       `json:"date"`
	Zone                    string       `json:"zone"`
	Bookings                []BookingDTO `json:"bookings"`
	Next                    *BookingDTO  `json:"next"` // null when none in the next 30 days
	DraftsAwaitingSignature int          `json:"draftsAwaitingSignature"`
	Unreadable              []string     `json:"unreadable"`
}

// CalendarExportDTO asks for an iCalendar export.
type CalendarExportDTO struct {
	From      string `json:"from"`  // "" = 30 days ago
	To        string `json:"to"`    // inclusive; "" = 90 days ahead
	Names     string `json:"names"` // "none" (default) | "initials" | "full"
	JoinLinks bool   `json:"joinLinks"`
	Path      string `json:"path"` // "" = return the text only
}

// CalendarExportResultDTO is the export.
type CalendarExportResultDTO struct {
	ICS  string `json:"ics"`
	Path string `json:"path"` // where it was written, if asked
}
