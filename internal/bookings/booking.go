package bookings

import (
	"time"
)

// Status is where a booking is in its life.
type Status string

// Statuses. Their strings are stored and synced: never change one.
const (
	Requested               Status = "requested"
	Confirmed               Status = "confirmed"
	Completed               Status = "completed"
	NoShow                  Status = "no_show"
	CancelledByClient       Status = "cancelled_by_client"
	CancelledByPractitioner Status = "cancelled_by_practitioner"
	Declined                Status = "declined"
	Rescheduled             Status = "rescheduled"
)

// Statuses lists every status.
func Statuses() []Status {
	return []Status{Requested, Confirmed, Completed, NoShow, CancelledByClient, CancelledByPractitioner, Declined, Rescheduled}
}

func (s Status) valid() bool {
	for _, v := range Statuses() {
		if v == s {
			return true
		}
	}
	return false
}

// Holds reports whether a booking in this status keeps its time busy.
func (s Status) Holds() bool { return s == Requested || s == Confirmed }

// Source is where a booking came from.
type Source string

// Sources.
const (
	SourcePlatform Source = "platform" // booked by a client on CalmAlly
	SourceClinic   Source = "clinic"   // a walk-in added by hand
)

// Modality is how the session happens.
type Modality string

// Modalities.
const (
	Online   Modality = "online"
	InPerson Modality = "in_person"
)

func (m Modality) valid() bool { return m == Online || m == InPerson }

// PaymentStatus is the platform's payment state. No card data is ever kept.
type PaymentStatus string

// Payment statuses.
const (
	PaymentPending       PaymentStatus = "pending"
	PaymentPaid          PaymentStatus = "paid"
	PaymentRefundPending PaymentStatus = "refund_pending"
	PaymentRefunded      PaymentStatus = "refunded"
)

func (p PaymentStatus) valid() bool {
	switch p {
	case PaymentPending, PaymentPaid, PaymentRefundPending, PaymentRefunded:
		return true
	}
	return false
}

// Currency is the only currency fees are kept in.
const Currency = "INR"

// Booking is one session as the practitioner sees it, opened.
type Booking struct {
	ID     string
	Rev    int64
	Source Source
	Status Status
	// ClientID is the client record, or "" for a platform client not yet
	// matched (then ClientLabel is what the platform calls them).
	ClientID      string
	ClientLabel   string // sealed
	Start         time.Time
	End           time.Time
	Modality      Modality
	Location      string // sealed; in-person sessions
	JoinLink      string // sealed; online sessions
	FeePaise      int64
	PaymentStatus PaymentStatus
	Notes         string // sealed
	Message       string // sealed; sent with the last decline or cancellation
	// RescheduledFrom and RescheduledTo link the bookings of a reschedule.
	RescheduledFrom string
	RescheduledTo   string
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// Sequence is the iCalendar SEQUENCE: it bumps on every change.
func (b Booking) Sequence() int { return int(b.Rev - 1) }

// Interval is a busy span: a requested or confirmed booking.
type Interval struct {
	ID    string
	Start time.Time
	End   time.Time
}
