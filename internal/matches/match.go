package matches

import "time"

// Status is where a proposal is.
type Status string

// Statuses. Their strings are stored and synced: never change one.
const (
	Proposed  Status = "proposed"
	Accepted  Status = "accepted"
	Declined  Status = "declined"
	Expired   Status = "expired"
	Withdrawn Status = "withdrawn"
)

func (s Status) valid() bool {
	switch s {
	case Proposed, Accepted, Declined, Expired, Withdrawn:
		return true
	}
	return false
}

// decided reports whether the practitioner has decided (locally).
func (s Status) decided() bool { return s == Accepted || s == Declined }

// Modality is how the client wants to meet.
type Modality string

// Modalities.
const (
	Online   Modality = "online"
	InPerson Modality = "in_person"
	Either   Modality = "either"
)

func (m Modality) valid() bool { return m == Online || m == InPerson || m == Either }

// AdultBands are the age bands CalmAlly serves. Anything else is a minor's
// proposal and is refused.
var AdultBands = []string{"18-24", "25-34", "35-44", "45-54", "55-64", "65+"}

// IsAdultBand reports whether band is one of AdultBands.
func IsAdultBand(band string) bool {
	for _, b := range AdultBands {
		if b == band {
			return true
		}
	}
	return false
}

// DeclineReason is the code sent to the platform with a decline.
type DeclineReason string

// Decline reasons.
const (
	ReasonCaseloadFull   DeclineReason = "caseload_full"
	ReasonNotMySpecialty DeclineReason = "not_my_specialty"
	ReasonLanguage       DeclineReason = "language"
	ReasonSchedule       DeclineReason = "schedule"
	ReasonOther          DeclineReason = "other"
)

// DeclineReasons lists the reasons, in the order the UI offers them.
func DeclineReasons() []DeclineReason {
	return []DeclineReason{ReasonCaseloadFull, ReasonNotMySpecialty, ReasonLanguage, ReasonSchedule, ReasonOther}
}

func (r DeclineReason) valid() bool {
	for _, v := range DeclineReasons() {
		if v == r {
			return true
		}
	}
	return false
}

// Match is one proposal, opened.
type Match struct {
	ID       string
	Rev      int64
	Status   Status
	AgeBand  string
	Modality Modality
	// Concerns, Languages and Preferences are sealed (one document).
	Concerns    []string
	Languages   []string
	Preferences string
	ProposedAt  time.Time
	RespondBy   time.Time
	DecidedAt   time.Time // zero until accepted or declined here
	// DeclineReason is set when declined; DeclineNote is the practitioner's
	// own note (sealed, never sent).
	DeclineReason DeclineReason
	DeclineNote   string
	// ClientID is the client record made when the accepted match's client
	// arrived ("" until then).
	ClientID      string
	RemoteVersion int64
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Open reports whether the practitioner can still decide at now: proposed
// and the time to respond not passed.
func (m Match) Open(now time.Time) bool { return m.Status == Proposed && now.Before(m.RespondBy) }

// TimeLeft is how long the practitioner has to respond at now (0 once the
// match is closed or the time has passed).
func (m Match) TimeLeft(now time.Time) time.Duration {
	if !m.Open(now) {
		return 0
	}
	return m.RespondBy.Sub(now)
}

// Shown is the status to show at now: a proposal whose time has passed is
// expired even before the platform says so.
func (m Match) Shown(now time.Time) Status {
	if m.Status == Proposed && !now.Before(m.RespondBy) {
		return Expired
	}
	return m.Status
}
