// Package wire is the CalmAlly sync protocol's vocabulary: the JSON documents
// the app and the backend exchange, and the decoders that validate them.
// docs/sync-protocol.md is the prose contract and docs/sync-openapi.yaml the
// machine-readable one; both sides (internal/sync and internal/backend)
// import only this package for the shapes, so they cannot drift apart.
//
// Every decoder of data that crossed the network lives here, refuses
// anything outside the contract with an error naming the rule (never the
// data), and is fuzzed.
package wire

import "time"

// Protocol is the version this build speaks. A server whose MinProtocol is
// above it needs a newer app; a server whose Protocol is below it is too old.
const Protocol = 1

// Header names.
const (
	HeaderProtocol   = "CalmAlly-Protocol"
	HeaderRetryAfter = "Retry-After"
)

// RegionIndia is the only region personal data may go to by default.
const RegionIndia = "IN"

// Limits. A body or page outside them is refused before it is parsed.
const (
	MaxBodyBytes    = 8 << 20
	MaxPageChanges  = 1000
	MaxPushBatch    = 200
	MaxTextLen      = 4000
	MaxCursorLen    = 512
	MaxCodeLen      = 64
	DefaultPageSize = 500
)

// Info is GET /v1/info: who the backend is and where it keeps data.
type Info struct {
	Name        string    `json:"name"`
	Protocol    int       `json:"protocol"`
	MinProtocol int       `json:"minProtocol"`
	Region      string    `json:"region"` // ISO 3166-1 alpha-2, e.g. "IN"
	ServerTime  time.Time `json:"serverTime"`
}

// EnrolRequest is POST /v1/devices: the therapist types the one-time code
// shown in their CalmAlly account.
type EnrolRequest struct {
	EnrolmentCode string `json:"enrolmentCode"`
	DeviceName    string `json:"deviceName"`
}

// EnrolResponse carries the device token, which the app keeps in the OS
// keychain only.
type EnrolResponse struct {
	DeviceID    string `json:"deviceId"`
	TherapistID string `json:"therapistId"`
	Token       string `json:"token"`
}

// Mutation is one local change, pushed in MutationID order. MutationID is
// monotonic per device and never reused; the server applies each at most
// once and remembers the last one applied per device.
type Mutation struct {
	ID       int64          `json:"id"`
	Kind     string         `json:"kind"`
	EntityID string         `json:"entityId"`
	At       time.Time      `json:"at"`
	Payload  map[string]any `json:"payload"`
}

// PushRequest is POST /v1/push.
type PushRequest struct {
	DeviceID  string     `json:"deviceId"`
	Mutations []Mutation `json:"mutations"`
}

// Result statuses of a pushed mutation.
const (
	ResultApplied   = "applied"   // applied now
	ResultDuplicate = "duplicate" // applied before (a retry): success
	ResultRejected  = "rejected"  // refused for good: park it, show Code
)

// MutationResult is the server's answer for one mutation.
type MutationResult struct {
	ID      int64  `json:"id"`
	Status  string `json:"status"`
	Code    string `json:"code,omitempty"`    // machine code when rejected
	Message string `json:"message,omitempty"` // human text; never shown without the code
}

// PushResponse: one result per mutation, in order. LastMutationID is the
// highest id the server has processed for this device (applied or rejected).
type PushResponse struct {
	LastMutationID int64            `json:"lastMutationId"`
	Results        []MutationResult `json:"results"`
}

// Change types in a pull page.
const (
	TypeBooking   = "booking"
	TypeMatch     = "match"
	TypeClient    = "client"
	TypeGrievance = "grievance"
	TypeTakedown  = "takedown"
	TypeProfile   = "profile"
)

// Change is one entity's latest state after the cursor. Version increases
// every time the platform changes the entity; Deleted marks a tombstone
// (Data is then absent). Data is decoded by type with the Decode* functions.
type Change struct {
	Type    string         `json:"type"`
	ID      string         `json:"id"`
	Version int64          `json:"version"`
	Deleted bool           `json:"deleted,omitempty"`
	Data    map[string]any `json:"data,omitempty"`
}

// PullResponse is GET /v1/pull?cursor=C&limit=N. Cursor is opaque: store it
// exactly and send it back. More says another page is ready now.
type PullResponse struct {
	Changes []Change `json:"changes"`
	Cursor  string   `json:"cursor"`
	More    bool     `json:"more"`
}

// ErrorBody is every non-2xx response: {"error": {...}}.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail names the rule broken. Retryable errors may succeed later as
// they are; the rest never will.
type ErrorDetail struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	Retryable bool   `json:"retryable"`
}

// Error codes the server sends.
const (
	CodeUnauthorized    = "unauthorized"     // 401: no or unknown token
	CodeTokenRevoked    = "token_revoked"    // 401: enrol again
	CodeBadEnrolment    = "bad_enrolment"    // 403: code unknown, used or expired
	CodeInvalid         = "invalid"          // 400/422: the request breaks the contract
	CodeUnsupported     = "protocol_too_old" // 426: update the app
	CodeRateLimited     = "rate_limited"     // 429 + Retry-After
	CodeUnavailable     = "unavailable"      // 503 + Retry-After
	CodeInternal        = "internal"         // 500
	CodeDeviceMismatch  = "device_mismatch"  // 403: deviceId is not the token's
	CodeMutationGap     = "mutation_gap"     // never sent: ids may skip (parked rows); listed for clarity
	CodeUnknownKind     = "unknown_kind"     // rejected mutation
	CodeNotFound        = "not_found"        // rejected mutation: entity unknown
	CodeBookingConflict = "booking_conflict" // rejected: the platform changed the booking first
	CodeMatchClosed     = "match_closed"     // rejected: the match expired or was withdrawn
	CodeSlotTaken       = "slot_taken"       // rejected: walk-in or availability clashes upstream
)

// Booking is a booking's platform state (Change.Type "booking").
// ClientRef is the platform's client id ("" until matched); ClientLabel is
// how the platform names the client to the therapist.
type Booking struct {
	ID              string    `json:"id"`
	Status          string    `json:"status"`
	Start           time.Time `json:"start"`
	End             time.Time `json:"end"`
	Modality        string    `json:"modality"`
	FeePaise        int64     `json:"feePaise"`
	PaymentStatus   string    `json:"paymentStatus"`
	ClientRef       string    `json:"clientRef,omitempty"`
	ClientLabel     string    `json:"clientLabel,omitempty"`
	JoinLink        string    `json:"joinLink,omitempty"`
	RescheduledFrom string    `json:"rescheduledFrom,omitempty"`
	Recording       bool      `json:"recording,omitempty"` // the client asked for the session to be recorded
}

// Match is a proposed client, with only what the decision needs: no name,
// no contact details. AgeBand is "18-24", "25-34", "35-44", "45-54",
// "55-64" or "65+"; anything else (including "under-18") is refused and
// reported back as a minor.
type Match struct {
	ID          string    `json:"id"`
	Status      string    `json:"status"` // proposed | accepted | declined | expired | withdrawn
	AgeBand     string    `json:"ageBand"`
	Concerns    []string  `json:"concerns"`
	Languages   []string  `json:"languages"`
	Modality    string    `json:"modality"` // online | in_person | either
	Preferences string    `json:"preferences,omitempty"`
	ProposedAt  time.Time `json:"proposedAt"`
	RespondBy   time.Time `json:"respondBy"`
}

// PlatformConsent is a consent the client gave on the platform.
type PlatformConsent struct {
	Purpose       string    `json:"purpose"` // consent.Purpose strings
	Granted       bool      `json:"granted"`
	At            time.Time `json:"at"`
	NoticeVersion string    `json:"noticeVersion"`
}

// Client is the minimal record sent once a match is accepted.
type Client struct {
	ID            string            `json:"id"` // platform client id
	MatchID       string            `json:"matchId"`
	Name          string            `json:"name"`
	PreferredName string            `json:"preferredName,omitempty"`
	DateOfBirth   string            `json:"dateOfBirth"` // YYYY-MM-DD
	Gender        string            `json:"gender,omitempty"`
	Language      string            `json:"language,omitempty"`
	Email         string            `json:"email,omitempty"`
	Phone         string            `json:"phone,omitempty"`
	Concerns      []string          `json:"concerns,omitempty"`
	Consents      []PlatformConsent `json:"consents"`
}

// Grievance is a complaint routed to the therapist: acknowledge within 24
// hours, resolve within 15 days (the deadlines are the platform's and come
// with it).
type Grievance struct {
	ID            string    `json:"id"`
	Status        string    `json:"status"` // open | acknowledged | resolved
	Category      string    `json:"category"`
	Summary       string    `json:"summary"`
	ReceivedAt    time.Time `json:"receivedAt"`
	AcknowledgeBy time.Time `json:"acknowledgeBy"`
	ResolveBy     time.Time `json:"resolveBy"`
}

// Takedown is a notice to remove content (e.g. a profile statement): remove
// within 36 hours.
type Takedown struct {
	ID         string    `json:"id"`
	Status     string    `json:"status"` // open | removed | disputed
	ContentRef string    `json:"contentRef"`
	Reason     string    `json:"reason"`
	ReceivedAt time.Time `json:"receivedAt"`
	RemoveBy   time.Time `json:"removeBy"`
}

// Profile is the platform's review of the therapist's profile.
type Profile struct {
	ReviewState string `json:"reviewState"` // submitted | approved | changes_requested
	Comment     string `json:"comment,omitempty"`
}
