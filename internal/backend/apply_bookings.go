package backend

import (
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/calmally/practice/internal/sync/wire"
)

// Booking statuses and payment statuses the platform uses (the protocol's
// enums, named once here).
const (
	statusRequested       = "requested"
	statusConfirmed       = "confirmed"
	statusCompleted       = "completed"
	statusNoShow          = "no_show"
	statusCancelledClient = "cancelled_by_client"
	statusCancelledByUs   = "cancelled_by_practitioner"
	statusDeclined        = "declined"

	paymentPending       = "pending"
	paymentPaid          = "paid"
	paymentRefundPending = "refund_pending"
	paymentRefunded      = "refunded"
)

// bookingPayload is what every booking mutation carries (docs/outbox.md).
type bookingPayload struct {
	BookingID     string    `json:"bookingId"`
	Rev           int64     `json:"rev"`
	Status        string    `json:"status"`
	PaymentStatus string    `json:"paymentStatus"`
	At            time.Time `json:"at"`
	Message       string    `json:"message"`
	Start         time.Time `json:"start"`
	End           time.Time `json:"end"`
	Modality      string    `json:"modality"`
}

// bookingMove is a practitioner's action on a platform booking: the status
// it must find and the one it leaves.
type bookingMove struct {
	from []string
	to   string
}

var bookingMoves = map[string]bookingMove{
	wire.KindBookingConfirm:  {from: []string{statusRequested}, to: statusConfirmed},
	wire.KindBookingDecline:  {from: []string{statusRequested}, to: statusDeclined},
	wire.KindBookingCancel:   {from: []string{statusConfirmed}, to: statusCancelledByUs},
	wire.KindBookingComplete: {from: []string{statusConfirmed}, to: statusCompleted},
	wire.KindBookingNoShow:   {from: []string{statusConfirmed}, to: statusNoShow},
}

func decodeBookingPayload(m wire.Mutation) (bookingPayload, error) {
	var p bookingPayload
	if err := decodePayload(m, &p); err != nil {
		return p, err
	}
	if p.BookingID != m.EntityID {
		return p, rejectInvalid("payload bookingId must be the mutation's entityId")
	}
	return p, nil
}

// applyBookingMove moves a platform booking. The platform is
// authoritative: if the booking is no longer where the action assumed
// (the client cancelled, it was rescheduled, ...), the action is rejected
// booking_conflict and the app shows the platform's state. A move already
// made (a retry by another route) is applied without a new version.
// Cancelling or declining a paid booking refunds it.
func applyBookingMove(a *applyCtx, m wire.Mutation) error {
	p, err := decodeBookingPayload(m)
	if err != nil {
		return err
	}
	move := bookingMoves[m.Kind]
	if p.Status != "" && p.Status != move.to {
		return rejectInvalid("payload status must be " + move.to + " for " + m.Kind)
	}
	var bk wire.Booking
	if _, err := a.load(wire.TypeBooking, m.EntityID, &bk); errors.Is(err, errNoEntity) {
		return reject(wire.CodeNotFound, "the platform has no such booking")
	} else if err != nil {
		return err
	}
	if bk.Status == move.to {
		return nil
	}
	if !contains(move.from, bk.Status) {
		return reject(wire.CodeBookingConflict, "the booking is "+bk.Status+" on the platform")
	}
	bk.Status = move.to
	if (move.to == statusCancelledByUs || move.to == statusDeclined) &&
		(bk.PaymentStatus == paymentPaid || bk.PaymentStatus == paymentRefundPending) {
		bk.PaymentStatus = paymentRefunded
	}
	return a.put(wire.TypeBooking, bk.ID, bk)
}

// applyWalkIn marks the time of a clinic walk-in as taken so that no client
// books it. No client data comes with it. It clashes with a live platform
// booking (requested or confirmed) that overlaps it.
func applyWalkIn(a *applyCtx, m wire.Mutation) error {
	p, err := decodeBookingPayload(m)
	if err != nil {
		return err
	}
	start, end := p.Start.UTC(), p.End.UTC()
	switch {
	case start.IsZero() || !end.After(start) || end.Sub(start) > 24*time.Hour:
		return rejectInvalid("walk-in needs start and end, end after start, within 24 hours")
	case p.Modality != "online" && p.Modality != "in_person":
		return rejectInvalid("walk-in modality must be online or in_person")
	}
	var exists int
	err = a.tx.QueryRowContext(a.ctx, "SELECT 1 FROM busy_slots WHERE id = ?", m.EntityID).Scan(&exists)
	if err == nil {
		return nil // the same walk-in again
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("backend: read busy slot: %w", err)
	}
	clash, err := bookingClash(a, start, end)
	if err != nil {
		return err
	}
	if clash {
		return reject(wire.CodeSlotTaken, "a platform booking already takes that time")
	}
	return a.exec("INSERT INTO busy_slots(id, therapist_id, start_at, end_at, modality) VALUES(?, ?, ?, ?, ?)",
		m.EntityID, a.therapist, ts(start), ts(end), p.Modality)
}

// bookingClash reports whether a live platform booking overlaps [start, end).
func bookingClash(a *applyCtx, start, end time.Time) (bool, error) {
	var n int
	err := a.tx.QueryRowContext(a.ctx, `SELECT COUNT(*) FROM entities
		WHERE therapist_id = ? AND type = 'booking' AND deleted = 0
		AND json_extract(data, '$.status') IN ('requested', 'confirmed')
		AND julianday(json_extract(data, '$.start')) < julianday(?)
		AND julianday(json_extract(data, '$.end')) > julianday(?)`,
		a.therapist, ts(end), ts(start)).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("backend: check booking clash: %w", err)
	}
	return n > 0, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
