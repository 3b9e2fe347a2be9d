// Package retention computes what the retention policy says is due for
// deletion on a given date, from recorded facts only, with legal holds that
// pause deletion (DESIGN.md section 4, Retention; section 9).
//
// Clocks (all computed from facts, never from stored "delete on" dates):
//
//   - health information (notes, addenda, summaries, the client's name and
//     date of birth): 7 years after the client's last interaction
//     (clients.last_interaction_at, else created_at), on the same calendar
//     date (time.AddDate: 29 February + 7 years is 1 March).
//   - account and contact data: the client record is the "account" on this
//     machine; "account life + 30 days after closure" is read as: for a
//     DISCHARGED client, the contact details (phone, email, emergency
//     contact) are due 30 days after the discharge (the time of the latest
//     'discharge' entry in the client's history).
//   - usage information: log files in the data directory last written more
//     than 2 years ago. Audit entries are usage data too, but deleting audit
//     rows would break the hash chain, so they are reported as kept (reason
//     chain_integrity); removing them needs a chain re-anchor (follow-up).
//
// Holds: an open rights request for the client (status not fulfilled or
// refused) or an erasure hold (erasure_holds, until its hold_until) pause every deletion for that
// client. Manual holds are not implemented.
package retention

import (
	"sort"
	"time"
)

// Category of data a rule covers.
type Category string

const (
	CategoryHealth  Category = "health"
	CategoryContact Category = "contact"
	CategoryUsage   Category = "usage"
)

// Rule codes.
const (
	RuleHealth7Years      = "health_7y_after_last_interaction"
	RuleContact30Days     = "contact_30d_after_discharge"
	RuleUsageLog2Years    = "usage_log_2y"
	RuleUsageAuditKept    = "usage_audit_kept"
	HealthYears           = 7
	ContactDays           = 30
	UsageYears            = 2
	HoldOpenRightsRequest = "open_rights_request"
	HoldErasure           = "erasure_hold"
	KeptChainIntegrity    = "chain_integrity"
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
	OpenRightsRequest bool
	ErasureHoldUntil  time.Time // zero: no erasure hold; else it holds until then
}

// LogFile is one log file in the data directory.
type LogFile struct {
	Name    string
	ModTime time.Time
}

// Facts is everything a plan is computed from.
type Facts struct {
	Clients      []ClientFacts
	AuditEntries int
	LogFiles     []LogFile
}

// Item is one line of a plan: ids and codes only.
type Item struct {
	Category Category  `json:"category"`
	ClientID string    `json:"clientId,omitempty"`
	Ref      string    `json:"ref,omitempty"` // a log file name, or an audit row count
	Rule     string    `json:"rule"`
	Due      time.Time `json:"due"`
	Action   string    `json:"action"`
	Hold     string    `json:"hold,omitempty"`
}

// HealthDue is when a client's health information falls due.
func HealthDue(c ClientFacts) time.Time {
	base := c.CreatedAt
	if !c.LastInteractionAt.IsZero() {
		base = c.LastInteractionAt
	}
	return base.UTC().AddDate(HealthYears, 0, 0)
}

// ContactDue is when a discharged client's contact details fall due; ok is
// false when the client is not discharged.
func ContactDue(c ClientFacts) (time.Time, bool) {
	if !c.Discharged || c.DischargedAt.IsZero() {
		return time.Time{}, false
	}
	return c.DischargedAt.UTC().AddDate(0, 0, ContactDays), true
}

func hold(c ClientFacts, asOf time.Time) string {
	switch {
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
		h := hold(c, asOf)
		act := ActionDelete
		if h != "" {
			act = ActionHeld
		}
		if due := HealthDue(c); !asOf.Before(due) {
			// The client row goes with its health information; contact
			// details go with it.
			out = append(out, Item{Category: CategoryHealth, ClientID: c.ClientID, Rule: RuleHealth7Years, Due: due, Action: act, Hold: h})
			continue
		}
		if due, ok := ContactDue(c); ok && !asOf.Before(due) {
			out = append(out, Item{Category: CategoryContact, ClientID: c.ClientID, Rule: RuleContact30Days, Due: due, Action: act, Hold: h})
		}
	}
	for _, l := range f.LogFiles {
		if due := l.ModTime.UTC().AddDate(UsageYears, 0, 0); !asOf.Before(due) {
			out = append(out, Item{Category: CategoryUsage, Ref: l.Name, Rule: RuleUsageLog2Years, Due: due, Action: ActionDelete})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Due.Equal(out[j].Due) {
			return out[i].Due.Before(out[j].Due)
		}
		return out[i].ClientID+out[i].Ref < out[j].ClientID+out[j].Ref
	})
	if f.AuditEntries > 0 {
		out = append(out, Item{Category: CategoryUsage, Ref: itoa(f.AuditEntries), Rule: RuleUsageAuditKept, Due: asOf.UTC(), Action: ActionKept, Hold: KeptChainIntegrity})
	}
	return out
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
