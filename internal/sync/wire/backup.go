package wire

import (
	"time"

	"github.com/calmally/practice/internal/ids"
)

// Backup copies (docs/sync-protocol.md, "Backup copies"): the app's sealed
// backup file, uploaded as it is written locally. The backend stores the
// bytes and their digest and can never read them: they are encrypted under a
// vault subkey the backend never sees.

// HeaderBackupSHA256 carries the lower-case hex SHA-256 of a backup file:
// on PUT /v1/backups/{id} the digest the server must find in the body, on
// GET /v1/backups/{id} the digest of the body it sends.
const HeaderBackupSHA256 = "CalmAlly-Backup-SHA256"

// MaxBackupBytes is the largest backup file the protocol carries (512 MiB).
// A practice with 50,000 notes makes a backup of about 150 MiB.
const MaxBackupBytes = 512 << 20

// Error codes of backup copies.
const (
	CodeDigestMismatch = "digest_mismatch" // 400: the body is not the bytes the digest names
	CodeBackupConflict = "backup_conflict" // 409: another file was stored under this id
	CodeTooLarge       = "too_large"       // 413: above MaxBackupBytes
	CodeRegionRefused  = "region_refused"  // 403: this backend keeps no backups (outside India)
)

// BackupCopy is one stored backup file: its id (the backup's own UUIDv7,
// from its plaintext header), size, digest and when the backend stored it.
type BackupCopy struct {
	ID         string    `json:"id"`
	Size       int64     `json:"size"`
	SHA256     string    `json:"sha256"`
	UploadedAt time.Time `json:"uploadedAt"`
}

// BackupList is GET /v1/backups: the therapist's copies, newest first.
type BackupList struct {
	Backups []BackupCopy `json:"backups"`
}

// MaxBackupList bounds the list a backend may answer (a daily backup kept
// for ten years is 3,650 copies).
const MaxBackupList = 10000

// ValidSHA256 reports whether s is a SHA-256 digest in lower-case hex.
func ValidSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

func checkBackupCopy(doc string, c BackupCopy) error {
	switch {
	case !ids.Valid(c.ID):
		return respRule(doc, "id must be a lower-case UUID")
	case c.Size < 1 || c.Size > MaxBackupBytes:
		return respRule(doc, "size must be 1 byte to 512 MiB")
	case !ValidSHA256(c.SHA256):
		return respRule(doc, "sha256 must be 64 lower-case hex digits")
	case c.UploadedAt.IsZero():
		return respRule(doc, "uploadedAt is required")
	}
	return nil
}

// DecodeBackupCopy decodes the answer to PUT /v1/backups/{id}.
func DecodeBackupCopy(b []byte) (BackupCopy, error) {
	const doc = "backup copy"
	var v BackupCopy
	if err := respJSON(doc, b, &v); err != nil {
		return BackupCopy{}, err
	}
	if err := checkBackupCopy(doc, v); err != nil {
		return BackupCopy{}, err
	}
	return v, nil
}

// DecodeBackupList decodes GET /v1/backups: at most MaxBackupList copies,
// each valid, ids unique, newest first (uploadedAt never increases).
func DecodeBackupList(b []byte) (BackupList, error) {
	const doc = "backup list"
	var v BackupList
	if err := respJSON(doc, b, &v); err != nil {
		return BackupList{}, err
	}
	if len(v.Backups) > MaxBackupList {
		return BackupList{}, respRule(doc, "more than 10000 copies")
	}
	seen := make(map[string]bool, len(v.Backups))
	for i, c := range v.Backups {
		if err := checkBackupCopy(doc, c); err != nil {
			return BackupList{}, err
		}
		if seen[c.ID] {
			return BackupList{}, respRule(doc, "ids must be unique")
		}
		seen[c.ID] = true
		if i > 0 && c.UploadedAt.After(v.Backups[i-1].UploadedAt) {
			return BackupList{}, respRule(doc, "copies must be listed newest first")
		}
	}
	if v.Backups == nil {
		v.Backups = []BackupCopy{}
	}
	return v, nil
}
