// Package profile owns the practitioner's own profile (name, credentials,
// specialisations, approaches, languages, session types and fees, bio,
// demographics the practitioner chooses to share) and the practice settings
// (clinic name, address, contact, grievance contact, defaults, zone and
// formats).
//
// # Promises
//
//   - Both are stored as one sealed JSON document each (AD: table
//     "profile_documents", column "document", row id "practitioner" or
//     "practice", row revision). The profile is the practitioner's own data,
//     not client data, but it is confidential and sealing it costs nothing.
//     Only the review state of the profile is plain (the sync engine reads it).
//   - Registration numbers are checked against a per-council pattern
//     (registration.go). The patterns are best-effort, taken from published
//     examples; a number that does not fit is refused with the rule's name so
//     the practitioner can choose "other" when their council is not listed.
//   - Expiry is a warning, not a refusal: an expired registration, one that
//     expires within 60 days, or one not yet valid, is reported by Warnings
//     so the UI and CLI can say so. Dates are civil dates in the practice's
//     time zone (default Asia/Kolkata).
//   - A change to what the platform reviews (everything but contact details
//     and demographics) puts the profile back to draft; Submit and
//     ApplyReview move it through submitted → approved | changes_requested.
//   - Saves are audited (ids only) in the same transaction.
package profile
