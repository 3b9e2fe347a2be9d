// Package rights owns data-subject rights requests: access, correction,
// erasure, opt-out and withdrawal of consent, received from the platform or
// entered at the clinic. It records how the requester's identity was
// verified, computes the due date from the verification, tracks the status
// to fulfilment or a reasoned refusal, and answers "what is overdue" and
// "what is due this week".
//
// It imports only the standard library and the project's apperr, audit and
// vault (for vault.AD) packages. Fulfilment is done by hooks that the
// practice wires to other services (export bundle, client correction,
// erasure engine, consent ledger).
//
// # Promises
//
//   - Due dates run from verification, never from receipt (an unverified
//     request is not yet a request the practice may act on): erasure and
//     correction within 30 calendar days, access within 72 hours, opt-out
//     and withdrawal within 72 hours (a withdrawal entered at the clinic
//     takes effect at once through the consent ledger; this is the backstop).
//     Days are counted in India (UTC+05:30, no daylight saving), so a due
//     date is the same wall-clock time 30 days on, across month ends and
//     leap days.
//   - Status moves received → verified → in_progress → fulfilled, or to
//     refused (with a reason code) from any open status; closed requests never
//     reopen.
//   - What the client asked for, in their words, is sealed (AD:
//     rights_requests, details, id, rev). Everything else is plain codes,
//     ids and times. Every change is audited with ids and codes only.
package rights
