package app

// Retention DTOs (see the comment at the top of retention.go for the
// methods). Instants are RFC 3339 UTC, "" when unset. Ids and codes only:
// the UI puts client names next to ids from the clients list.

// RetentionPolicyDTO is the policy the engine applies, for the plain-words
// summary, and the reason codes a hold may use.
type RetentionPolicyDTO struct {
	HealthYears    int      `json:"healthYears"`    // after the client's last interaction
	ContactDays    int      `json:"contactDays"`    // after discharge
	UsageYears     int      `json:"usageYears"`     // logs, run log
	HoldReasons    []string `json:"holdReasons"`    // codes for LegalHoldPlace
	ReleaseReasons []string `json:"releaseReasons"` // codes for LegalHoldRelease
}

// RetentionRemovedDTO is what a real run removed for one item.
type RetentionRemovedDTO struct {
	Table   string   `json:"table"`
	IDs     []string `json:"ids"`
	Columns []string `json:"columns"` // contact-only erasure: the columns wiped; else []
}

// RetentionItemDTO is one line of a report.
type RetentionItemDTO struct {
	Category string                `json:"category"` // "health" | "contact" | "usage"
	ClientID string                `json:"clientId"` // "" for usage items
	Ref      string                `json:"ref"`      // a log file, a run id, or the audit row count
	Rule     string                `json:"rule"`     // e.g. "health_7y_after_last_interaction"
	Due      string                `json:"due"`
	Basis    string                `json:"basis"`   // the fact the clock ran from; "" for the audit line
	Outcome  string                `json:"outcome"` // would_delete | deleted | held | kept | skipped | failed
	Hold     string                `json:"hold"`    // legal_hold | open_rights_request | erasure_hold | chain_integrity | ""
	Error    string                `json:"error"`   // "code: message" of a skipped or failed item
	Removed  []RetentionRemovedDTO `json:"removed"`
}

// RetentionReportDTO is a dry run or a real run.
type RetentionReportDTO struct {
	ID       string             `json:"id"` // "" for a dry run
	AsOf     string             `json:"asOf"`
	RanAt    string             `json:"ranAt"`
	DryRun   bool               `json:"dryRun"`
	Trigger  string             `json:"trigger"` // "manual" | "schedule" | "" (dry run)
	Deleted  int                `json:"deleted"`
	Held     int                `json:"held"`
	Failed   int                `json:"failed"`
	Vacuumed bool               `json:"vacuumed"`
	Items    []RetentionItemDTO `json:"items"`
	Holds    []LegalHoldDTO     `json:"holds"` // legal holds in place
}

// RetentionRunDTO is one logged real run.
type RetentionRunDTO struct {
	ID       string             `json:"id"`
	At       string             `json:"at"`
	AsOf     string             `json:"asOf"`
	Trigger  string             `json:"trigger"`
	Result   string             `json:"result"` // "ok" | "failed"
	Deleted  int                `json:"deleted"`
	Held     int                `json:"held"`
	Failed   int                `json:"failed"`
	Vacuumed bool               `json:"vacuumed"`
	Report   RetentionReportDTO `json:"report"`
}

// LegalHoldDTO is one manual legal hold.
type LegalHoldDTO struct {
	ID            string `json:"id"`
	ClientID      string `json:"clientId"`
	Reason        string `json:"reason"`
	PlacedAt      string `json:"placedAt"`
	PlacedBy      string `json:"placedBy"`
	ReleasedAt    string `json:"releasedAt"` // "" while in place
	ReleasedBy    string `json:"releasedBy"`
	ReleaseReason string `json:"releaseReason"`
}

// LegalHoldPlaceRequest places a hold.
type LegalHoldPlaceRequest struct {
	ClientID string `json:"clientId"`
	Reason   string `json:"reason"`
}

// LegalHoldReleaseRequest releases a hold.
type LegalHoldReleaseRequest struct {
	ID     string `json:"id"`
	Reason string `json:"reason"`
}
