// Package notices holds what the platform routes to the practitioner to
// answer within a deadline: grievances (acknowledge within 24 hours,
// resolve within 15 days) and takedown notices (remove the content within
// 36 hours, or dispute). The Requests screen lists them nearest deadline
// first and flags the overdue.
//
// It imports only the standard library and the project's apperr, audit, ids
// and vault (for vault.AD) packages. Storage is a small Store interface
// (internal/store implements it); sealing is a Sealer (*vault.Keys).
//
// # Promises
//
//   - Deadlines arrive with each notice; a deadline later than the rule
//     allows (24 hours, 15 days, 36 hours after receipt) is brought back to
//     the rule, so a platform bug cannot give the practitioner more time
//     than the law does. Overdue and Due are computed on the injected clock.
//   - What a notice says (category, summary, reason, the content referred
//     to) is one sealed document (table "notices", column "details", id,
//     rev), the practitioner's response another ("response"): either may
//     name a client. Deadlines and statuses stay plain for sorting.
//   - The practitioner's answer is recorded first and queued for the
//     platform (grievance.acknowledge, grievance.resolve, takedown.remove,
//     takedown.dispute) in the same transaction as the change and its audit
//     entry. A platform state behind a local answer still on its way does
//     not undo it; a platform state that closes a notice differently (removed
//     there, disputed here) wins and a conflict is recorded.
//   - The platform's version of each notice is kept; a change at or below it
//     is a no-op.
//   - Every view, list and change is audited with ids and codes only.
package notices
