// Package availability owns when a practitioner can be booked: weekly hours
// in local wall-clock time with an IANA zone, effective dates, session length,
// buffers, minimum notice, booking horizon, online or in-person sessions, and
// date exceptions (extra hours, time off, holidays). It expands those rules to
// bookable slots — instants — only when asked, and lists the bookings a new
// time off would collide with before the time off is saved.
//
// It imports only the standard library and the project's apperr, audit and
// vault (for vault.AD) packages. Storage is a small Store interface
// (internal/store implements it); sealing is a Sealer (*vault.Keys satisfies
// it).
//
// # Promises
//
//   - The rules are practice-confidential: each rule set is one sealed JSON
//     envelope (AD: table "availability", column "rules", id, rev); the store
//     never sees the plaintext. rev bumps on every save.
//   - A Schedule is one or more rule sets whose effective periods do not
//     overlap; each carries its own zone, so a practitioner who moves (Kolkata
//     until March, London from April) keeps correct slots on both sides.
//   - Slots are instants (UTC). Wall-clock times are resolved in the rule
//     set's zone on each civil date:
//   - a wall time that does not exist (the hour skipped when clocks spring
//     forward) is SKIPPED: no slot starts then. We never shift it, because a
//     shifted slot would start at a time the practitioner never offered;
//   - a wall time that happens twice (clocks fall back) takes the FIRST
//     occurrence;
//   - a slot lasts SessionMinutes of elapsed time; the next slot of a window
//     starts SessionMinutes+BufferMinutes of wall time later, and a slot that
//     would start before the previous one's end plus the buffer (possible
//     when the clock jumps inside a window) is dropped, so slots never
//     overlap and buffers always hold.
//   - Minimum notice and horizon are measured from "now" (an injected clock):
//     a slot is offered only if now+notice <= start < now+horizon.
//   - A slot is blocked by any busy interval (a requested or confirmed
//     booking) that overlaps the slot widened by the buffer on both sides.
//   - Time off that collides with bookings is refused until the caller has
//     decided, for each colliding booking, to keep it or cancel it with a
//     message (SaveTimeOff).
//
// # Format
//
// The JSON document read by `calmally availability set --file` is described in
// docs/availability-format.md; Decode is strict (unknown fields, trailing data
// and out-of-range values are refused) because the file is outside data.
package availability
