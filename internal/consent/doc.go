// Package consent owns the consent ledger: an append-only record, per client
// and per purpose, of every consent given and withdrawn, the notice that was
// shown, how it was given and by whom. Current state is derived from the
// ledger; the services of other packages ask it through one entry point,
// Service.Check, before doing anything that needs consent.
//
// It imports only the standard library and the project's apperr, audit and
// vault (for vault.AD) packages. Storage is a small Store interface
// (internal/store implements it); sealing is a Keys (*vault.Keys satisfies
// it).
//
// # Promises
//
//   - One purpose per event: a grant names exactly one Purpose, so bundled
//     consent cannot be recorded. A grant needs an affirmative method
//     (checkbox, signature or platform); nothing is ever pre-ticked here.
//   - The ledger is never edited. Each event is chained to the previous one
//     with an HMAC keyed by a vault subkey ("consent-mac"), and a head row
//     anchors the newest event, so Verify detects an edited, deleted or
//     reordered event and a truncated ledger. SQLite triggers refuse UPDATE
//     and DELETE too; the only documented exceptions are the data-key
//     rotation's re-seal of the evidence column and the erasure engine, which
//     works under a purge authorization written in its own transaction.
//   - State is derived: for each purpose the latest event (by the time it was
//     given or withdrawn, then ledger order) decides; a grant past its expiry
//     counts as not granted. A withdrawal takes effect at once: the next Check
//     refuses.
//   - The notice shown is stored verbatim (it is the practice's text, not
//     client data) and its SHA-256 is recorded on the event. English and
//     Hindi notices for every purpose ship embedded (notices/).
//   - Evidence (who signed, a free-text note) is client data and is sealed,
//     with associated data (consent_events, evidence, id, rev). The MAC chain
//     covers the structural fields; the evidence is bound to its row by the
//     envelope's associated data instead, so that the erasure engine can
//     blank it without breaking the chain.
//   - Every grant, withdrawal, view and receipt export is audited with ids and
//     codes only.
//
// # Receipts
//
// Every event can be exported as a FHIR R4 Consent resource and as a Kantara
// Initiative Consent Receipt (v1.1) JSON document (see receipt.go).
package consent
