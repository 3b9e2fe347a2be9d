package backend

import (
	"errors"
	"time"

	"github.com/calmally/practice/internal/sync/wire"
)

// Session-level requests about a live platform booking: recording and
// reminders. Their effect (the video room records; the client gets an SMS,
// e-mail or WhatsApp message) happens outside this reference backend; what it
// keeps is the applied mutation in the log, which tests and demos read.

type sessionPayload struct {
	BookingID string    `json:"bookingId"`
	Record    *bool     `json:"record"`
	At        time.Time `json:"at"`
}

// liveBooking loads the booking a session request names; it must exist and
// be requested or confirmed, and (unless any is set) not have started.
func liveBooking(a *applyCtx, m wire.Mutation, p sessionPayload, statuses ...string) (wire.Booking, error) {
	if p.BookingID != m.EntityID {
		return wire.Booking{}, rejectInvalid("payload bookingId must be the mutation's entityId")
	}
	var bk wire.Booking
	if _, err := a.load(wire.TypeBooking, m.EntityID, &bk); errors.Is(err, errNoEntity) {
		return bk, reject(wire.CodeNotFound, "the platform has no such booking")
	} else if err != nil {
		return bk, err
	}
	if !contains(statuses, bk.Status) {
		return bk, reject(wire.CodeBookingConflict, "the booking is "+bk.Status+" on the platform")
	}
	if !bk.End.After(a.now) {
		return bk, reject(wire.CodeBookingConflict, "the session is over")
	}
	return bk, nil
}

// applyRecording accepts the practitioner's decision to record an online
// session (or to stop) while the booking is live.
func applyRecording(a *applyCtx, m wire.Mutation) error {
	var p sessionPayload
	if err := decodePayload(m, &p); err != nil {
		return err
	}
	if p.Record == nil {
		return rejectInvalid("payload record must be true or false")
	}
	bk, err := liveBooking(a, m, p, statusRequested, statusConfirmed)
	if err != nil {
		return err
	}
	if *p.Record && bk.Modality != "online" {
		return rejectInvalid("only online sessions are recorded by the platform")
	}
	return nil
}

// applyRemind accepts a reminder for a confirmed session that has not
// started.
func applyRemind(a *applyCtx, m wire.Mutation) error {
	var p sessionPayload
	if err := decodePayload(m, &p); err != nil {
		return err
	}
	bk, err := liveBooking(a, m, p, statusConfirmed)
	if err != nil {
		return err
	}
	if !bk.Start.After(a.now) {
		return reject(wire.CodeBookingConflict, "the session has started")
	}
	return nil
}
