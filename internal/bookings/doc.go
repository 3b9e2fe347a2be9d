// Package bookings is the local model of sessions: booked by clients on the
// platform (synced down) or added by hand at a clinic (walk-ins), and acted
// on by the practitioner — confirm, decline, cancel with a message, mark
// completed or no-show.
//
// It imports only the standard library and the project's apperr, audit and
// vault (for vault.AD) packages (plus google/uuid for ids). Storage is a
// small Store interface (internal/store implements it); sealing is a Sealer
// (*vault.Keys satisfies it).
//
// # Promises
//
//   - Statuses move only along the state machine in transitions.go; every
//     refusal is an apperr conflict whose message names the rule.
//   - A practitioner's action is recorded locally first and queued for the
//     backend in an outbox row written in the same transaction as the change
//     and its audit entry (docs/outbox.md), so neither can exist without the
//     other.
//   - What names or describes a client on a booking — the display name or
//     initials of a platform client not yet matched, the session notes, the
//     join link, the in-person location and the message sent with a
//     cancellation — is sealed, one envelope per column, with associated
//     data (table "bookings", column, id, rev). rev bumps on every change and
//     every sealed column is re-sealed under it.
//   - Fees are whole paise in INR; payment status is pending, paid,
//     refund_pending or refunded. No card or bank data is ever stored.
//   - Confirming an online session asks the consent hook for the client's
//     teleconsultation consent; confirming and completing move the client's
//     last interaction (retention clock) forward.
//   - Every view, list, create and change is audited in the same transaction,
//     with ids and codes only.
package bookings
