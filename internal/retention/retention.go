// Package retention computes what the retention policy says is due for
// deletion on a given date, from recorded facts only, with legal holds that
// pause deletion (DESIGN.md section 4, Retention; section 9). It decides; the
// practice package deletes (store/retention*.go has the SQL).
//
// # Clocks
//
// All computed from facts, never from stored "delete on" dates:
//
//   - health information (notes, addenda, summaries, consent records,
//     bookings, rights requests, the client record itself): 7 years after the
//     client's last interaction (clients.last_interaction_at, else
//     created_at), on the same calendar date (time.AddDate: 29 February + 7
//     years is 1 March). A new note or session moves last_interaction_at and
//     so restarts the clock.
//   - account and contact data: the client record is the "account" on this
//     machine, and "account life + 30 days after closure" is read as: for a
//     DISCHARGED client, the contact details (phone, e-mail, emergency
//     contact) are due 30 days after the discharge (the latest 'discharge'
//     entry in the client's history). They are wiped alone (the erasure
//     engine's contact-only option); the clinical record stays while its own
//     7-year clock runs. A client discharged again after a reopen gets a new
//     clock; contact details already wiped since the latest discharge are not
//     due again.
//   - usage information: rotated log files in the data folder last written
//     more than 2 years ago, and the retention run log's own rows. Audit
//     entries are usage data too, but deleting audit rows would break the
//     hash chain, so they are reported as kept (reason chain_integrity); they
//     hold ids and codes only. No IP addresses or device details of anyone
//     but the practitioner's own machine are stored.
//
// # Holds
//
// Three kinds pause every deletion for a client, checked in this order:
// a manual legal hold placed by the practitioner (a dispute, litigation, a
// regulator's inquiry), an open rights request (status not fulfilled or
// refused: the request may need the data), and an erasure hold (what a
// fulfilled erasure kept, until its hold_until).
package retention

import (
	"slices"
	"sort"
	"strconv"
	"time"
)

// Category of data a rule covers.
type Category string

// Categories.
const (
	CategoryHealth  Category = "health"
	CategoryContact Category = "contact"
	CategoryUsage   Category = "usage"
)

// Rule codes and periods.
const (
	RuleHealth7Years      = "health_7y_after_last_interaction"
	RuleContact30Days     = "contact_30d_after_discharge"
	RuleUsageLog2Years    = "usage_log_2y"
	RuleUsageRunLog2Years = "usage_run_log_2y"
	RuleUsageAuditKept    = "usage_audit_kept"
	HealthYears           = 7
	ContactDays           = 30
	UsageYears            = 2
	KeptChainIntegrity    = "chain_integrity"
)

// Hold codes, in the order they are checked.
const (
	HoldLegal             = "legal_hold"
	HoldOpenRightsRequest = "open_rights_request"
	HoldErasure           = "erasure_hold"
)

// Actions an item can carry in a plan.
const (
	ActionDelete = "delete"
	ActionHeld   = "held"
	ActionKept   = "kept"
)

// ClientFacts are the recorded facts of one client the clocks run from.
type ClientFacts struct {
	ClientID          string
	Discharged        bool
	CreatedAt         time.Time
	LastInteractionAt time.Time // zero: none recorded
	DischargedAt      time.Time // zero: not discharged (or no history entry)
	ContactErasedAt   time.Time // zero: contact details never wiped by retention
	LegalHold         bool      // a manual legal hold is in place
	OpenRightsRequest bool
	ErasureHoldUntil  time.Time // zero: no erasure hold; else it holds until then
}

// LogFile is one log file in the data directory.
type LogFile struct {
	Name    string
	ModTime time.Time
}

// RunRecord is one row of the retention run log.
type RunRecord struct {
	ID string
	At time.Time
}

// Facts is everything a plan is computed from.
type Facts struct {
	Clients      []ClientFacts
	AuditEntries int
	LogFiles     []LogFile
	Runs         []RunRecord
}

// Item is one line of a plan: ids and codes only.
type Item struct {
	Category Category  `json:"category"`
	ClientID string    `json:"clientId,omitempty"`
	Ref      string    `json:"ref,omitempty"` // a log file name, a run id, or an audit row count
	Rule     string    `json:"rule"`
	Due      time.Time `json:"due"`
	Action   string    `json:"action"`
	Hold     string    `json:"hold,omitempty"`
	// Basis is the recorded fact the clock ran from (the last interaction,
	// creation or discharge), so a run can check that it has not moved.
	Basis time.Time `json:"basis,omitzero"`
}

// HealthBasis is the fact the health clock runs from: the last interaction,
// else the record's creation.
func HealthBasis(c ClientFacts) time.Time {
	if !c.LastInteractionAt.IsZero() {
		return c.LastInteractionAt.UTC()
	}
	return c.CreatedAt.UTC()
}

// HealthDue is when a client's health information falls due.
func HealthDue(c ClientFacts) time.Time {
	return HealthBasis(c).AddDate(HealthYears, 0, 0)
}

// ContactDue is when a discharged client's contact details fall due; ok is
// false when the client is not discharged or the details were already wiped
// after the latest discharge.
func ContactDue(c ClientFacts) (time.Time, bool) {
	if !c.Discharged || c.DischargedAt.IsZero() {
		return time.Time{}, false
	}
	if !c.ContactErasedAt.IsZero() && !c.ContactErasedAt.Before(c.DischargedAt) {
		return time.Time{}, false
	}
	return c.DischargedAt.UTC().AddDate(0, 0, ContactDays), true
}

// HoldOf returns the first hold on c at asOf, or "".
func HoldOf(c ClientFacts, asOf time.Time) string {
	switch {
	case c.LegalHold:
		return HoldLegal
	case c.OpenRightsRequest:
		return HoldOpenRightsRequest
	case !c.ErasureHoldUntil.IsZero() && asOf.Before(c.ErasureHoldUntil):
		return HoldErasure
	}
	return ""
}

// Plan lists what is due on or before asOf (a due instant not after asOf),
// held items included with their hold, and the audit trail as kept.
func Plan(f Facts, asOf time.Time) []Item {
	var out []Item
	for _, c := range f.Clients {
		h := HoldOf(c, asOf)
		act := ActionDelete
		if h != "" {
			act = ActionHeld
		}
		if due := HealthDue(c); !asOf.Before(due) {
			// The whole record goes, contact details with it.
			out = append(out, Item{Category: CategoryHealth, ClientID: c.ClientID, Rule: RuleHealth7Years, Due: due,
				Action: act, Hold: h, Basis: HealthBasis(c)})
			continue
		}
		if due, ok := ContactDue(c); ok && !asOf.Before(due) {
			out = append(out, Item{Category: CategoryContact, ClientID: c.ClientID, Rule: RuleContact30Days, Due: due,
				Action: act, Hold: h, Basis: c.DischargedAt.UTC()})
		}
	}
	for _, l := range f.LogFiles {
		if due := l.ModTime.UTC().AddDate(UsageYears, 0, 0); !asOf.Before(due) {
			out = append(out, Item{Category: CategoryUsage, Ref: l.Name, Rule: RuleUsageLog2Years, Due: due,
				Action: ActionDelete, Basis: l.ModTime.UTC()})
		}
	}
	for _, r := range f.Runs {
		if due := r.At.UTC().AddDate(UsageYears, 0, 0); !asOf.Before(due) {
			out = append(out, Item{Category: CategoryUsage, Ref: r.ID, Rule: RuleUsageRunLog2Years, Due: due,
				Action: ActionDelete, Basis: r.At.UTC()})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Due.Equal(out[j].Due) {
			return out[i].Due.Before(out[j].Due)
		}
		return out[i].ClientID+out[i].Ref < out[j].ClientID+out[j].Ref
	})
	if f.AuditEntries > 0 {
		out = append(out, Item{Category: CategoryUsage, Ref: strconv.Itoa(f.AuditEntries), Rule: RuleUsageAuditKept,
			Due: asOf.UTC(), Action: ActionKept, Hold: KeptChainIntegrity})
	}
	return out
}

// Manual legal hold reasons (codes only: free text could name the client).
const (
	HoldReasonLitigation        = "litigation"
	HoldReasonDispute           = "dispute"
	HoldReasonRegulatorInquiry  = "regulator_inquiry"
	HoldReasonComplaint         = "complaint"
	HoldReasonLawEnforcement    = "law_enforcement_request"
	HoldReasonInsuranceClaim    = "insurance_claim"
	HoldReleaseResolved         = "resolved"
	HoldReleasePlacedInError    = "placed_in_error"
	HoldReleaseNoLongerRequired = "no_longer_required"
)

// HoldReasons are the reasons a legal hold may be placed for.
var HoldReasons = []string{HoldReasonLitigation, HoldReasonDispute, HoldReasonRegulatorInquiry,
	HoldReasonComplaint, HoldReasonLawEnforcement, HoldReasonInsuranceClaim}

// ReleaseReasons are the reasons a legal hold may be released for.
var ReleaseReasons = []string{HoldReleaseResolved, HoldReleasePlacedInError, HoldReleaseNoLongerRequired}

// ValidHoldReason reports whether r is one of HoldReasons.
func ValidHoldReason(r string) bool { return slices.Contains(HoldReasons, r) }

// ValidReleaseReason reports whether r is one of ReleaseReasons.
func ValidReleaseReason(r string) bool { return slices.Contains(ReleaseReasons, r) }
