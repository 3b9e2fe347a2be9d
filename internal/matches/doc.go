// Package matches is the practitioner's inbox of match proposals: clients
// the platform proposes, with only what the decision needs — an age band,
// concerns, languages, modality and preferences, never a name or contact
// details — and a time to respond by.
//
// It imports only the standard library and the project's apperr, audit, ids
// and vault (for vault.AD) packages. Storage is a small Store interface
// (internal/store implements it); sealing is a Sealer (*vault.Keys).
//
// # Promises
//
//   - CalmAlly serves adults only. A proposal whose age band is not one of
//     the adult bands is refused: nothing of it is stored, and a
//     minor.refused mutation (type, id, time — nothing else) is queued so
//     the platform learns of it. The schema refuses a minor band too.
//   - Concerns are health data: concerns, languages and preferences are one
//     sealed document (table "matches", column "preview", id, rev). A
//     decline's note stays on this device (sealed; never sent).
//   - The platform's version of each match is kept; a change at or below it
//     is a no-op, so pages applied twice or out of order change nothing.
//   - The practitioner's decision is recorded first and queued for the
//     platform (match.accept, match.decline with a reason code) in the same
//     transaction as the change and its audit entry. While it is on its way
//     the platform still says "proposed"; that does not undo the decision.
//     If the platform closes the match differently (withdrawn or expired
//     after an accept), the platform wins and a conflict is recorded to be
//     shown, never dropped.
//   - Every view, list and change is audited with ids and codes only.
package matches
