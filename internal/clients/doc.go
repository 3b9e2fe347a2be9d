// Package clients owns the client record: the minimum a therapist needs to
// know about a person in therapy, the rules a record must satisfy, and the
// service that seals, stores, audits and corrects it.
//
// It imports only the standard library, x/text and the project's apperr,
// audit and vault (for vault.AD) packages. Storage is a small Store interface
// (internal/store implements it); sealing is a Sealer (*vault.Keys satisfies
// it). The service seals before calling the store, so the store never sees
// plaintext.
//
// # Promises
//
//   - Every field that names or describes a client (name, preferred name, date
//     of birth, gender, phone, e-mail, emergency contact, presenting concerns,
//     treatment preferences, language) is sealed, one envelope per column,
//     with associated data (table "clients", column, id, rev). Empty fields are
//     sealed too, so a blanked column does not read as "no value".
//   - The revision bumps on every change (correction, discharge, reopen) and
//     every sealed column is re-sealed under the new revision, so an older
//     envelope replayed into the row fails to open.
//   - An envelope that fails to open is an apperr integrity error, recorded in
//     the audit trail, and never shown as data.
//   - Adults only: a date of birth under 18 on today's date in India is refused
//     with "under 18: CalmAlly serves adults only" (see CheckAdult), on create
//     and on correction; other ways in (sync, import) call CheckAdult too.
//   - Corrections keep history: who, when, which fields, why (a reason code)
//     and the previous values, sealed (table "client_history").
//   - Every view, list, create and change is audited in the same transaction,
//     with ids and codes only.
//
// # Dates
//
// A date of birth is a civil date (Date), not an instant. "Today" is the date
// in India (UTC+05:30; India has kept no daylight saving since 1945, so a fixed
// zone is exact and needs no tzdata on the user's machine).
package clients
