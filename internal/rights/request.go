package rights

import (
	"slices"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/vault"
)

// Kind is what the client asks for.
type Kind string

// Kinds.
const (
	KindAccess     Kind = "access"
	KindCorrection Kind = "correction"
	KindErasure    Kind = "erasure"
	KindOptOut     Kind = "opt-out"
	KindWithdrawal Kind = "withdrawal"
)

// Kinds lists every kind.
func Kinds() []Kind {
	return []Kind{KindAccess, KindCorrection, KindErasure, KindOptOut, KindWithdrawal}
}

// Valid reports whether k is known.
func (k Kind) Valid() bool { return slices.Contains(Kinds(), k) }

// Source is where the request was made.
type Source string

// Sources.
const (
	SourcePlatform Source = "platform"
	SourceClinic   Source = "clinic"
)

// Status is where a request stands.
type Status string

// Statuses.
const (
	StatusReceived   Status = "received"
	StatusVerified   Status = "verified"
	StatusInProgress Status = "in_progress"
	StatusFulfilled  Status = "fulfilled"
	StatusRefused    Status = "refused"
)

// Open reports whether s still needs work.
func (s Status) Open() bool {
	return s == StatusReceived || s == StatusVerified || s == StatusInProgress
}

// Identity verification methods.
var VerificationMethods = []string{
	"in_person_id",     // government photo ID seen at the clinic
	"platform_account", // made from the client's signed-in platform account
	"video_call",       // recognised on a video call
	"phone_callback",   // called back on the number on record
	"email_link",       // confirmed a link sent to the address on record
}

// Refusal reasons.
var RefusalReasons = []string{
	"identity_not_verified", // the requester could not be verified
	"duplicate",             // the same request is already open
	"withdrawn_by_client",   // the client no longer wants it
	"legal_obligation",      // a law requires keeping or withholding the data
	"not_applicable",        // the data asked about is not held here
}

// Request is one rights request, opened.
type Request struct {
	ID          string
	Rev         int64
	ClientID    string
	Kind        Kind
	Source      Source
	Status      Status
	Purpose     string // withdrawal and opt-out: the consent purpose
	PlatformRef string // the platform's id for a request that came by sync
	ReceivedAt  time.Time
	// Verification: how, by whom and when identity was verified.
	VerificationMethod string
	VerifiedBy         string
	VerifiedAt         time.Time
	DueAt              time.Time // zero until verified
	ClosedAt           time.Time
	RefusalReason      string
	OutcomeRef         string // the certificate, export, consent event or client revision that fulfilled it
	CreatedAt          time.Time
	UpdatedAt          time.Time
	Details            string // sealed
}

// Row is a request as stored: Details is an envelope.
type Row struct {
	Request
	Details []byte
}

// Tables and columns in associated data; the audit record type.
const (
	TableRequests = "rights_requests"
	ColumnDetails = "details"
	RecordType    = "rights_request"
)

func detailsAD(id string, rev int64) vault.AD {
	return vault.AD{Table: TableRequests, Column: ColumnDetails, RowID: id, Revision: rev}
}

// India is the zone in which days are counted.
var India = time.FixedZone("IST", 5*60*60+30*60)

// DueAt is when a request of kind k verified at verifiedAt must be fulfilled.
func DueAt(k Kind, verifiedAt time.Time) time.Time {
	v := verifiedAt.In(India)
	switch k {
	case KindErasure, KindCorrection:
		return v.AddDate(0, 0, 30).UTC()
	default:
		return v.Add(72 * time.Hour).UTC()
	}
}

// Overdue reports whether r is open past its due date at now.
func (r Request) Overdue(now time.Time) bool {
	return r.Status.Open() && !r.DueAt.IsZero() && now.After(r.DueAt)
}

// WeekEnd is the end of the week (Monday 00:00 in India that follows now).
func WeekEnd(now time.Time) time.Time {
	n := now.In(India)
	day := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, India)
	days := (8 - int(day.Weekday())) % 7 // days until next Monday
	if days == 0 {
		days = 7
	}
	return day.AddDate(0, 0, days).UTC()
}

// DueThisWeek reports whether r is open, not yet overdue, and due before the
// week ends.
func (r Request) DueThisWeek(now time.Time) bool {
	return r.Status.Open() && !r.DueAt.IsZero() && !now.After(r.DueAt) && r.DueAt.Before(WeekEnd(now))
}

// transition checks a status change.
func transition(from, to Status) error {
	ok := false
	switch to {
	case StatusVerified:
		ok = from == StatusReceived
	case StatusInProgress:
		ok = from == StatusVerified
	case StatusFulfilled:
		ok = from == StatusVerified || from == StatusInProgress
	case StatusRefused:
		ok = from.Open()
	}
	if !ok {
		if !from.Open() {
			return apperr.Errorf(apperr.Conflict, "the request is already %s", from)
		}
		if from == StatusReceived {
			return apperr.New(apperr.Conflict, "verify the requester's identity first")
		}
		return apperr.Errorf(apperr.Conflict, "a %s request cannot become %s", from, to)
	}
	return nil
}
