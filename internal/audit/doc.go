// Package audit owns the rules of the practice's audit trail: which actions
// are recorded, what an entry may contain, and the keyed hash chain that makes
// edits, deletions, reordering and truncation of the trail detectable.
//
// It imports only the standard library. Storage lives in internal/store, which
// satisfies the small Store interface declared here.
//
// # What an entry holds
//
// An Entry says who (an actor id: practitioner or device, never a name), did
// what (an Action), to which record (a record type and id, never a name) and
// when (UTC). Its Detail is a short list of machine codes such as
// "field=phone" or "reason=wrong_passphrase". Callers build it with D, which
// accepts only lowercase codes ([a-z0-9_.:-], at most 64 bytes per value, no
// runs of ten or more digits), so names, e-mail addresses, phone numbers and
// free text are refused with an error instead of being written. Event and
// Recorder make that checked path the easy one; the store validates every
// entry again before writing it.
//
// # The chain
//
// Each entry's MAC is HMAC-SHA256, keyed by a vault subkey, over the previous
// entry's MAC and a length-prefixed encoding of every field (see Chain.Link).
// Sequence numbers start at 1 and have no gaps. A separate head record holds
// the newest sequence number and MAC, itself MACed (Chain.HeadMAC); it is the
// anchor that makes cutting entries off the end detectable. The first entry of
// a trail must be ActionVaultCreated: a trail with rows but no head, or a
// store asked to start a second trail, is refused, so wiping the whole trail
// is detectable too.
//
// The audit key must be a fixed subkey of the vault key (its own HKDF purpose,
// never rotated with the data key): a trail can only be verified with the key
// that wrote it.
//
// # Verification
//
// Chain.Verify and Verifier read entries in sequence order, one at a time, so
// a trail of millions of entries is checked in constant memory. The first
// problem is returned as a *Problem that names the sequence number and wraps
// one of ErrEdited, ErrDeleted, ErrReordered, ErrTruncated, ErrHeadMissing or
// ErrWrongKey; use errors.Is to tell them apart.
//
// # Entries written while the vault is locked
//
// A failed unlock happens without the key, so it cannot be MACed. Such entries
// go to a pending list, chained with plain SHA-256 (PendingHash). At the next
// successful unlock the store appends them to the keyed chain in their
// original order, with their original timestamps and "pending=1" added to
// their Detail, and deletes them from the pending list, in one transaction.
// The pending chain is unkeyed: it catches accidental damage and clumsy edits,
// not an attacker who recomputes it. If it does not verify, the entries are
// still absorbed, marked "pending=unverified" from the first broken link on,
// and a pending row that no longer validates is replaced by an
// ActionIntegrityError entry ("reason=pending_entry_invalid"). Unlocking never
// fails because of the pending list. Its length is bounded by the unlock
// throttle, not here.
//
// # Limits
//
// Everything is checked from inside one database. Rolling the whole database
// file back to an older copy (trail and head together) yields a consistent,
// shorter trail that verifies; detecting that is the job of backups' own
// signatures and the copy kept on the platform. Malware running as the user
// while the vault is unlocked holds the key and can rewrite the trail.
package audit
