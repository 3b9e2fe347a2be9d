// Package backup owns the format, rotation and schedule of CalmAlly Practice's
// encrypted backups. It holds no SQL and no keys of its own: the practice
// layer takes the snapshot (store.DB.Snapshot, SQLite's VACUUM INTO), hands it
// here to be sealed with a key derived from the vault, and writes it
// atomically; restore reads it back with the recovery kit on a new machine.
//
// # Format
//
// A backup file is a short plaintext header followed by an age v1 file
// (age-encryption.org/v1, via filippo.io/age) of the whole SQLite snapshot:
//
//	calmally-backup/v1\n
//	{"format":1,"backupId":…,"vaultId":…,"createdAt":…,"schemaVersion":…,"vaultHeader":{…}}\n
//	age-encryption.org/v1\n
//	-> calmally-backup <nonce>\n
//	<wrapped file key>\n
//	--- <header MAC>\n
//	<payload: ChaCha20-Poly1305 STREAM, 64 KiB chunks>
//
// The age file key is wrapped with XChaCha20-Poly1305 under the vault's
// backup subkey (HKDF(VK, "calmally/backup")); the associated data of that wrap
// is the SHA-256 of the two plaintext lines, so a changed header makes the
// file refuse to open. age then authenticates its own header with an HMAC
// under the file key and the payload chunk by chunk, with a last-chunk flag
// that catches truncation. docs/backup-format.md specifies it byte by byte.
//
// The plaintext header carries the vault header (KDF parameters and VK
// wrapped for the passphrase and for the recovery code; no secret in the
// clear): that is what lets the recovery kit open a backup on a new computer
// where the profile's database does not exist.
//
// # Promises
//
//   - A snapshot holds only sealed envelopes and the vault header, and the
//     file seals the whole snapshot again: a copied backup reveals no client
//     data, file names included (names carry only a timestamp).
//   - Decrypt never yields bytes that were not authenticated: any change,
//     truncation or extension of the file, or a key from another vault, fails
//     with ErrIntegrity. Callers still stream the plaintext to a temporary
//     file and use it only after the whole stream verified.
//   - Rotation (Plan) is a pure function of file names and the clock; files
//     whose names it does not recognise are never touched.
//
// # Off-site
//
// Uploader (remote.go) is the contract of the copy kept on the CalmAlly
// backend in India: idempotent uploads by id, streamed, and downloads that
// fail unless they are the bytes and SHA-256 that were stored.
package backup
