package sync

import (
	"time"

	"github.com/calmally/practice/internal/sync/wire"
)

// State is what the sync indicator shows.
type State string

const (
	StateOffline        State = "offline"         // the backend could not be reached
	StateIdle           State = "idle"            // the last round succeeded
	StateSyncing        State = "syncing"         // a round is running
	StateError          State = "error"           // the last round failed (LastError says why)
	StateNeedsEnrolment State = "needs_enrolment" // no device, or the token was refused
	StateRegionRefused  State = "region_refused"  // the backend keeps data outside India
	StateUpdateNeeded   State = "update_needed"   // the backend needs a newer app
	StateLocked         State = "locked"          // the vault is locked: sync waits for the unlock
)

// StateFor maps a failed round's code to the state it leaves sync in.
func StateFor(code string) State {
	switch code {
	case "":
		return StateIdle
	case CodeConnection:
		return StateOffline
	case CodeNotEnrolled, wire.CodeUnauthorized, wire.CodeTokenRevoked:
		return StateNeedsEnrolment
	case CodeRegionRefused:
		return StateRegionRefused
	case wire.CodeUnsupported:
		return StateUpdateNeeded
	case CodeLocked:
		return StateLocked
	}
	return StateError
}

// ErrorInfo is a failure as the UI shows it: a machine code and words that
// name the rule, never client data.
type ErrorInfo struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Status is the sync indicator's state.
type Status struct {
	State        State      `json:"state"`
	Enrolled     bool       `json:"enrolled"`
	BackendURL   string     `json:"backendUrl,omitempty"`
	DeviceID     string     `json:"deviceId,omitempty"`
	CrossBorder  bool       `json:"crossBorder"`           // the practitioner allowed a backend outside India
	Region       string     `json:"region,omitempty"`      // the backend's declared region, once known
	LastSyncedAt time.Time  `json:"lastSyncedAt,omitzero"` // zero: never
	LastError    *ErrorInfo `json:"lastError,omitempty"`
	Pending      int        `json:"pending"`  // local changes not yet accepted by the backend
	Parked       int        `json:"parked"`   // local changes the backend refused (retry or discard)
	Rejected     int        `json:"rejected"` // pulled changes the app refused (by rule)
}

// Progress is reported while a round runs.
type Progress struct {
	Phase   string `json:"phase"`   // "connect", "push", "pull", "apply", "done"
	Pushed  int    `json:"pushed"`  // mutations the backend accepted so far
	Pulled  int    `json:"pulled"`  // changes received so far
	Applied int    `json:"applied"` // changes applied so far
	Total   int    `json:"total"`   // mutations to push when known (push phase); 0 when unknown
}

// Phases of a round.
const (
	PhaseConnect = "connect"
	PhasePush    = "push"
	PhasePull    = "pull"
	PhaseApply   = "apply"
	PhaseDone    = "done"
)

// Summary is what one round did. It holds counts only.
type Summary struct {
	Pushed    int `json:"pushed"`    // accepted (applied or already applied)
	Parked    int `json:"parked"`    // refused by the backend, or held back locally
	Pulled    int `json:"pulled"`    // changes received
	Applied   int `json:"applied"`   // changes applied
	Skipped   int `json:"skipped"`   // stale or repeated changes
	Rejected  int `json:"rejected"`  // changes the app refused
	Conflicts int `json:"conflicts"` // local actions the platform's state overrode
}

// Parked is a local change the backend refused for good (or the app held
// back), as the practitioner sees it: what, why and when — never the
// payload.
type Parked struct {
	OutboxID   string    `json:"outboxId"`
	MutationID int64     `json:"mutationId"`
	Kind       string    `json:"kind"`     // e.g. "booking.confirm"
	EntityID   string    `json:"entityId"` // the booking id, "schedule", ...
	Code       string    `json:"code"`     // e.g. "booking_conflict", "integrity", "consent_required"
	CreatedAt  time.Time `json:"createdAt"`
	Attempts   int       `json:"attempts"`
}

// Refused is a pulled change the app refused by rule: ids and a code.
type Refused struct {
	Type     string    `json:"type"`
	EntityID string    `json:"entityId"`
	Version  int64     `json:"version"`
	Code     string    `json:"code"`
	At       time.Time `json:"at"`
}
