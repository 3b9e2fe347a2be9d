package bookings

import (
	"time"

	"github.com/calmally/practice/internal/apperr"
)

// Actor is who moves a booking.
type Actor string

// Actors.
const (
	ByPractitioner Actor = "practitioner" // on this device
	ByClient       Actor = "client"       // on the platform, synced down
	ByPlatform     Actor = "platform"     // the platform itself (timeouts, auto-confirm)
)

// edges is the state machine: from → to → who may make the move.
var edges = map[Status]map[Status][]Actor{
	Requested: {
		Confirmed:               {ByPractitioner, ByPlatform},
		Declined:                {ByPractitioner, ByPlatform},
		CancelledByClient:       {ByClient},
		Rescheduled:             {ByClient, ByPlatform},
		CancelledByPractitioner: nil, // refused with its own rule below
	},
	Confirmed: {
		Completed:               {ByPractitioner},
		NoShow:                  {ByPractitioner},
		CancelledByClient:       {ByClient},
		CancelledByPractitioner: {ByPractitioner},
		Rescheduled:             {ByClient, ByPlatform},
	},
}

func refused(msg string) error { return apperr.New(apperr.Conflict, msg) }

// Transition checks that a booking may move from one status to another by
// the given actor. A refusal is an apperr conflict naming the rule.
func Transition(from, to Status, by Actor) error {
	if !from.valid() || !to.valid() {
		return apperr.New(apperr.Invalid, "booking status: unknown status")
	}
	switch {
	case from == to:
		return refused("booking is already " + string(to))
	case to == Requested:
		return refused("a booking never returns to requested")
	case from != Requested && from != Confirmed:
		return refused("booking is " + string(from) + ": a closed booking does not change")
	case from == Requested && to == CancelledByPractitioner:
		return refused("a requested booking is declined, not cancelled")
	case from == Requested && (to == Completed || to == NoShow):
		return refused("only a confirmed booking can be completed or marked no-show")
	case from == Confirmed && to == Declined:
		return refused("a confirmed booking is cancelled, not declined")
	}
	for _, a := range edges[from][to] {
		if a == by {
			return nil
		}
	}
	return refused(string(to) + ": not a change the " + string(by) + " can make")
}

// CheckTime applies the rules of the clock to a practitioner's action on a
// booking from start to end, at now.
func CheckTime(to Status, start, end, now time.Time) error {
	switch to {
	case Completed, NoShow:
		if now.Before(start) {
			return refused("a session can be completed or marked no-show only once it has started")
		}
	case Confirmed:
		if !now.Before(end) {
			return refused("a session that has ended cannot be confirmed")
		}
	case CancelledByPractitioner, Declined:
		if !now.Before(end) {
			return refused("a session that has ended cannot be cancelled or declined: mark it completed or no-show")
		}
	}
	return nil
}

// paymentAfter is the payment status after a move: a paid booking that the
// practitioner cancels or declines is refunded by the platform.
func paymentAfter(to Status, p PaymentStatus) PaymentStatus {
	if p == PaymentPaid && (to == CancelledByPractitioner || to == Declined) {
		return PaymentRefundPending
	}
	return p
}

// Practitioner actions, as the UI names them.
const (
	ActionConfirm  = "confirm"
	ActionDecline  = "decline"
	ActionCancel   = "cancel"
	ActionComplete = "complete"
	ActionNoShow   = "no_show"
)

// Actions lists what the practitioner may do with b at now, in a stable
// order, so the UI shows only buttons that will not be refused (consent
// is checked when the action is taken).
func Actions(b Booking, now time.Time) []string {
	out := []string{}
	for _, a := range []struct {
		name string
		to   Status
	}{{ActionConfirm, Confirmed}, {ActionDecline, Declined}, {ActionCancel, CancelledByPractitioner},
		{ActionComplete, Completed}, {ActionNoShow, NoShow}} {
		if Transition(b.Status, a.to, ByPractitioner) == nil && CheckTime(a.to, b.Start, b.End, now) == nil {
			out = append(out, a.name)
		}
	}
	return out
}
