// Package erasure is the erasure engine: for one client it removes what no
// law requires the practice to keep, puts the rest on a documented hold, and
// issues a certificate saying what was erased, what was retained and why,
// and when the hold ends. A client discovered to be a minor is purged
// entirely through the same engine.
//
// It imports only the standard library and the project's apperr, audit and
// vault (for vault.AD) packages; the SQL lives in internal/store.
//
// # What is erased, what is held
//
// Erased (physically: the sealed values are replaced by sealed empty values
// in one transaction, with SQLite's secure_delete on, and the WAL is then
// checkpointed with TRUNCATE so no old page survives in it): the client's
// phone, e-mail, emergency contact, preferred name and treatment preferences
// (also in the correction history), consent evidence (who signed, notes:
// the consent events themselves stay, they prove consent was given), the
// display name on the client's bookings, and the free-text details of the
// client's rights requests.
//
// Held until 7 years after the last interaction (clients.last_interaction_at,
// else the record's creation): health information — session notes, addenda,
// summaries, presenting concerns — and the name, date of birth, gender and
// language needed to identify and read that record. The certificate names
// the law for each hold. The retention engine deletes held data when the
// hold ends.
//
// # Contact details only
//
// EraseContact (contact.go) wipes only the phone, e-mail and emergency
// contact (and their previous values in the correction history), re-sealing
// empty values, for the retention policy's "contact details 30 days after
// discharge": the clinical record stays for its own 7 years. It writes no
// certificate or hold (no one asked); it is audited as a retention purge.
//
// # Minors
//
// Purge removes every row of a client discovered to be under 18, notes
// included: the platform promises that minors' data is deleted, and a
// minor's consent was never valid (DPDP Act 2023 s.9 requires verifiable
// parental consent), so there is no lawful basis to keep it. The signed-note
// and ledger triggers let the deletion through only under a purge
// authorization written in the same transaction (migrations 0007 and 0008);
// the consent ledger is re-chained over the remaining events. The purge is
// audited with ids, codes and counts only, and leaves a certificate.
//
// # Certificates
//
// A certificate is JSON (ids, codes, counts, dates and legal references, no
// client data) with the SHA-256 of its canonical bytes, and a human-readable
// text rendering of the same facts.
package erasure
