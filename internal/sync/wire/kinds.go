package wire

// Mutation kinds. Each payload is a JSON object; the fields each carries are
// listed in docs/sync-protocol.md ("Mutations"). Their strings are stored in
// the outbox and sent to the platform: never change one.
const (
	KindBookingConfirm  = "booking.confirm"
	KindBookingDecline  = "booking.decline"
	KindBookingCancel   = "booking.cancel"
	KindBookingComplete = "booking.complete"
	KindBookingNoShow   = "booking.no_show"
	KindBookingWalkIn   = "booking.walk_in"
	// KindBookingRecording carries the practitioner's decision to record an
	// online session (or to stop): the platform's video room records only
	// while it is on, and it is only sent with the client's recording
	// consent in force.
	KindBookingRecording = "booking.recording"
	// KindBookingRemind asks the platform to remind the client of a
	// confirmed session (SMS, e-mail or WhatsApp, as the client chose on
	// the platform); only sent with the client's reminders consent.
	KindBookingRemind = "booking.remind"

	KindAvailabilityPublish = "availability.publish"

	KindConsentGrant    = "consent.grant"
	KindConsentWithdraw = "consent.withdraw"

	KindMatchAccept  = "match.accept"
	KindMatchDecline = "match.decline"
	// KindMinorRefused reports a match or client record that was refused
	// because it describes someone under 18; nothing of it was stored.
	KindMinorRefused = "minor.refused"

	KindGrievanceAcknowledge = "grievance.acknowledge"
	KindGrievanceResolve     = "grievance.resolve"
	KindTakedownRemove       = "takedown.remove"
	KindTakedownDispute      = "takedown.dispute"

	KindProfileSubmit = "profile.submit"
)

// Kinds lists every mutation kind this protocol version knows.
func Kinds() []string {
	return []string{
		KindBookingConfirm, KindBookingDecline, KindBookingCancel, KindBookingComplete,
		KindBookingNoShow, KindBookingWalkIn, KindBookingRecording, KindBookingRemind, KindAvailabilityPublish,
		KindConsentGrant, KindConsentWithdraw,
		KindMatchAccept, KindMatchDecline, KindMinorRefused,
		KindGrievanceAcknowledge, KindGrievanceResolve, KindTakedownRemove, KindTakedownDispute,
		KindProfileSubmit,
	}
}

// KnownKind reports whether k is a mutation kind of this protocol version.
func KnownKind(k string) bool {
	for _, v := range Kinds() {
		if v == k {
			return true
		}
	}
	return false
}
