package app

// Sync, match, notice, conflict and earnings DTOs (methods listed at the top
// of app/sync.go). Instants are RFC 3339 UTC, "" when unset. Nothing here
// names a client except ConflictDTO.Label, which is the name the calendar
// already shows for the booking.

// SyncStatusDTO is the sync indicator's state and the Settings → Sync page.
type SyncStatusDTO struct {
	// State is one of "not_connected" (never enrolled, or disconnected),
	// "needs_enrolment" (the backend refused the device's token), "offline",
	// "idle", "syncing", "error", "region_refused", "update_needed" or
	// "locked" (the vault is locked; sync waits).
	State        string `json:"state"`
	Connected    bool   `json:"connected"`  // a device token is held
	BackendURL   string `json:"backendUrl"` // "" when never connected
	DeviceID     string `json:"deviceId"`
	Region       string `json:"region"`      // the backend's declared region, "" until known
	CrossBorder  bool   `json:"crossBorder"` // the user allowed a backend outside India
	LastSyncedAt string `json:"lastSyncedAt"`
	ErrorCode    string `json:"errorCode"`    // machine code of the last failure, "" when none
	ErrorMessage string `json:"errorMessage"` // what happened, in words, never client data
	Pending      int    `json:"pending"`      // local changes not yet accepted
	Parked       int    `json:"parked"`       // refused for good, waiting for the user
	Rejected     int    `json:"rejected"`     // pulled changes the app refused by rule (e.g. under 18)
}

// SyncProgressDTO is one step of a running sync round (event sync:progress).
type SyncProgressDTO struct {
	Phase   string `json:"phase"`   // "connect" | "push" | "pull" | "apply" | "done"
	Pushed  int    `json:"pushed"`  // mutations accepted so far
	Pulled  int    `json:"pulled"`  // changes received so far
	Applied int    `json:"applied"` // changes applied so far
	Total   int    `json:"total"`   // mutations to push when known, else 0
}

// SyncConnectDTO enrols this device with a backend.
type SyncConnectDTO struct {
	BackendURL    string `json:"backendUrl"`
	EnrolmentCode string `json:"enrolmentCode"`
}

// ParkedDTO is a local change the backend refused for good.
type ParkedDTO struct {
	OutboxID   string `json:"outboxId"`
	MutationID int64  `json:"mutationId"`
	Kind       string `json:"kind"` // wire kind, e.g. "booking.confirm"
	EntityID   string `json:"entityId"`
	Reason     string `json:"reason"` // the backend's code, e.g. "booking_conflict"
	CreatedAt  string `json:"createdAt"`
}

// ConflictDTO is a local action the platform overruled.
type ConflictDTO struct {
	ID         string `json:"id"`
	EntityType string `json:"entityType"` // "booking" | "match" | "grievance" | "takedown"
	EntityID   string `json:"entityId"`
	Label      string `json:"label"`      // a booking's calendar name, "" otherwise
	LocalState string `json:"localState"` // the status your action had set here
	Platform   string `json:"platform"`   // the status the platform decided, now in force
	At         string `json:"at"`         // when the conflict was recorded
}

// MatchDTO is a proposed client: only what the decision needs.
type MatchDTO struct {
	ID            string   `json:"id"`
	Status        string   `json:"status"` // "proposed" | "accepted" | "declined" | "expired" | "withdrawn"
	AgeBand       string   `json:"ageBand"`
	Concerns      []string `json:"concerns"`
	Languages     []string `json:"languages"`
	Modality      string   `json:"modality"` // "online" | "in_person" | "either"
	Preferences   string   `json:"preferences"`
	ProposedAt    string   `json:"proposedAt"`
	RespondBy     string   `json:"respondBy"`
	DecidedAt     string   `json:"decidedAt"`
	DeclineReason string   `json:"declineReason"`
	DeclineNote   string   `json:"declineNote"` // private, never sent
	ClientID      string   `json:"clientId"`    // the client record, once it has synced down
}

// MatchDeclineDTO declines a match.
type MatchDeclineDTO struct {
	ID     string `json:"id"`
	Reason string `json:"reason"` // "caseload_full" | "not_my_specialty" | "language" | "schedule" | "other"
	Note   string `json:"note"`   // private; stays on this computer
}

// GrievanceNoticeDTO is a complaint routed to the therapist.
type GrievanceNoticeDTO struct {
	ID             string `json:"id"`
	Status         string `json:"status"` // "open" | "acknowledged" | "resolved"
	Category       string `json:"category"`
	Summary        string `json:"summary"`
	ReceivedAt     string `json:"receivedAt"`
	AcknowledgeBy  string `json:"acknowledgeBy"`
	ResolveBy      string `json:"resolveBy"`
	AcknowledgedAt string `json:"acknowledgedAt"`
	ResolvedAt     string `json:"resolvedAt"`
	Response       string `json:"response"`
}

// TakedownNoticeDTO is a notice to remove content.
type TakedownNoticeDTO struct {
	ID          string `json:"id"`
	Status      string `json:"status"` // "open" | "removed" | "disputed"
	ContentRef  string `json:"contentRef"`
	Reason      string `json:"reason"`
	ReceivedAt  string `json:"receivedAt"`
	RemoveBy    string `json:"removeBy"`
	RespondedAt string `json:"respondedAt"`
	Response    string `json:"response"`
}

// NoticesDTO is every grievance and takedown notice, earliest deadline first.
type NoticesDTO struct {
	Grievances []GrievanceNoticeDTO `json:"grievances"`
	Takedowns  []TakedownNoticeDTO  `json:"takedowns"`
}

// NoticeResponseDTO answers a grievance or takedown notice.
type NoticeResponseDTO struct {
	ID       string `json:"id"`
	Response string `json:"response"`
}

// EarningsDTO is one month's fees and refunds (months of Zone), in paise.
type EarningsDTO struct {
	Year       int                `json:"year"`
	Month      int                `json:"month"` // 1–12
	Zone       string             `json:"zone"`
	Currency   string             `json:"currency"` // "INR"
	Total      EarningsAmountsDTO `json:"total"`
	Days       []EarningsDayDTO   `json:"days"`       // days with any booking, in order
	Unreadable int                `json:"unreadable"` // bookings left out: failed their integrity check
}

// EarningsDayDTO is one day's figures.
type EarningsDayDTO struct {
	Date    string             `json:"date"` // YYYY-MM-DD
	Amounts EarningsAmountsDTO `json:"amounts"`
}

// EarningsAmountsDTO is a period's figures: fees of bookings whose payment
// was taken, refunds (paid back or on the way), net = fees − refunds, and
// completed sessions whose payment is still outstanding.
type EarningsAmountsDTO struct {
	SessionsCompleted  int   `json:"sessionsCompleted"`
	SessionsPaid       int   `json:"sessionsPaid"`
	FeesPaise          int64 `json:"feesPaise"`
	RefundsPaise       int64 `json:"refundsPaise"`
	RefundPendingPaise int64 `json:"refundPendingPaise"`
	NetPaise           int64 `json:"netPaise"`
	OutstandingPaise   int64 `json:"outstandingPaise"`
}
