// Package notes owns session notes: templates (built-in SOAP, DAP, BIRP and
// free text, plus the practitioner's own, all versioned), drafts that autosave,
// signing, addenda, "start from last note", and the client-facing session
// summary derived from a note.
//
// # Promises
//
//   - Title, sections, addenda and summaries are sealed by the Service before
//     they reach the Store (vault.AD binds each envelope to table, column,
//     row id and row revision); the Store never sees plaintext.
//   - A signed note never changes. The Service refuses, the Store refuses, and
//     the database itself refuses (triggers in migration 0004), each with the
//     rule "note is signed: add an addendum instead". Corrections are signed
//     addenda; the original stays visible.
//   - The signature hash covers exactly what was signed (see SignedHash) and
//     VerifySignature recomputes it.
//   - Every view, create, edit, sign and addendum is audited in the same
//     transaction as the change (ids only). Refused attempts on signed notes
//     are audited too (ActionEdit with detail refused=signed).
//   - Psychotherapy (process) notes are a separate Kind, never used for a
//     client-facing summary; sync and export leave them out by default.
//
// # What stays plain
//
// Ids, kind, template id and version, session date, booking id, status,
// timestamps, the signer id and the signature hash are plain columns (queries
// and the immutability triggers need them). The hash is SHA-256 of the whole
// signed content, so it reveals nothing short of confirming an exact guess of
// every word of the note, its title and the other fields.
//
// # Autosave and the audit trail
//
// SaveDraft is called every second or two while the practitioner types. Each
// call is one durable transaction (synchronous=FULL), so a crash loses at most
// the keystrokes since the last acknowledged save. To keep the trail readable
// the edit entries are coalesced: a save writes an ActionEdit entry only if
// no ActionEdit entry for the same note was written in the preceding
// AutosaveAuditWindow (5 minutes). The entry records the revision it was
// written at (rev=N), so the trail shows that the note was edited within that
// window, starting at that revision. The check runs inside the saving
// transaction against the trail itself, so it holds across restarts, the CLI
// and the app alike.
//
// # Start from last note
//
// StartFromLast copies the structure of the client's previous note (template,
// version, kind — hence the section headings) and none of its text. Copying
// clinical text forward ("cloning") is a known documentation risk: stale
// findings reappear as if observed again. The practitioner can open the
// previous note beside the new one instead.
package notes
