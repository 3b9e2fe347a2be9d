package notices

import "time"

// Kind is what the platform routed.
type Kind string

// Kinds. Their strings are stored and synced: never change one.
const (
	Grievance Kind = "grievance"
	Takedown  Kind = "takedown"
)

func (k Kind) valid() bool { return k == Grievance || k == Takedown }

// Status is where a notice is.
type Status string

// Statuses: a grievance is open, acknowledged or resolved; a takedown is
// open, removed or disputed.
const (
	Open         Status = "open"
	Acknowledged Status = "acknowledged"
	Resolved     Status = "resolved"
	Removed      Status = "removed"
	Disputed     Status = "disputed"
)

// rank orders a kind's statuses: an answer only moves a notice forward.
// -1: not a status of that kind.
func rank(k Kind, s Status) int {
	switch {
	case s == Open:
		return 0
	case k == Grievance && s == Acknowledged:
		return 1
	case k == Grievance && s == Resolved:
		return 2
	case k == Takedown && (s == Removed || s == Disputed):
		return 1
	}
	return -1
}

// The deadlines the rules set, counted from receipt.
const (
	AcknowledgeWithin = 24 * time.Hour
	ResolveWithin     = 15 * 24 * time.Hour
	RemoveWithin      = 36 * time.Hour
)

// Step is what the practitioner must do next.
type Step string

// Steps.
const (
	StepNone        Step = ""
	StepAcknowledge Step = "acknowledge"
	StepResolve     Step = "resolve"
	StepRemove      Step = "remove" // remove, or dispute
)

// Notice is one grievance or takedown notice, opened.
type Notice struct {
	ID     string
	Rev    int64
	Kind   Kind
	Status Status
	// Grievance: Category and Summary. Takedown: ContentRef (what to
	// remove) and Reason. Sealed, as is Response.
	Category   string
	Summary    string
	ContentRef string
	Reason     string
	Response   string // the practitioner's answer (resolve, remove, dispute)
	ReceivedAt time.Time
	// Grievance deadlines; zero for a takedown.
	AcknowledgeBy time.Time
	ResolveBy     time.Time
	// Takedown deadline; zero for a grievance.
	RemoveBy       time.Time
	AcknowledgedAt time.Time // grievance acknowledged (here or on the platform)
	ClosedAt       time.Time // resolved, removed or disputed
	RemoteVersion  int64
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Closed reports whether nothing is left to do.
func (n Notice) Closed() bool {
	return n.Status == Resolved || n.Status == Removed || n.Status == Disputed
}

// Next is the next step and its deadline (StepNone and zero once closed).
func (n Notice) Next() (Step, time.Time) {
	switch {
	case n.Kind == Grievance && n.Status == Open:
		return StepAcknowledge, n.AcknowledgeBy
	case n.Kind == Grievance && n.Status == Acknowledged:
		return StepResolve, n.ResolveBy
	case n.Kind == Takedown && n.Status == Open:
		return StepRemove, n.RemoveBy
	}
	return StepNone, time.Time{}
}

// Overdue reports whether the next step's deadline has passed at now. An
// open grievance past its resolve-by date is overdue too.
func (n Notice) Overdue(now time.Time) bool {
	step, by := n.Next()
	if step == StepNone {
		return false
	}
	if n.Kind == Grievance && !now.Before(n.ResolveBy) {
		return true
	}
	return !now.Before(by)
}

// Due reports whether the next step's deadline falls within d of now and
// has not passed.
func (n Notice) Due(now time.Time, d time.Duration) bool {
	step, by := n.Next()
	return step != StepNone && !n.Overdue(now) && by.Sub(now) <= d
}

// TimeLeft is how long remains for the next step at now (negative when
// overdue, 0 when closed).
func (n Notice) TimeLeft(now time.Time) time.Duration {
	step, by := n.Next()
	if step == StepNone {
		return 0
	}
	return by.Sub(now)
}
