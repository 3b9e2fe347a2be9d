package backup

import (
	"context"
	"io"
	"time"
)

// RemoteCopy is a backup file as off-site storage holds it.
type RemoteCopy struct {
	ID         string // the backup's id (its header's backupId)
	Size       int64
	SHA256     string    // lower-case hex of the file's bytes
	UploadedAt time.Time // the store's clock; zero when the store did not say
}

// Uploader keeps finished backup files off-site: the CalmAlly backend in
// India, which keeps the policy's promise that a copy of the data is kept in
// India. The file is already end-to-end encrypted (the backend never holds
// the backup key), so an Uploader sees only ciphertext.
//
// Contract:
//   - Upload is idempotent per id: repeating it (a retry after a dropped
//     connection) stores nothing twice and returns the stored copy; another
//     file under a stored id is refused. It returns once the copy is durable.
//     It streams r: a file of hundreds of MiB is never held in memory.
//   - List returns the copies, newest first.
//   - Download streams the file's bytes exactly as uploaded; the read that
//     would end the stream fails instead if the bytes are not the size and
//     SHA-256 of the returned RemoteCopy (a changed or truncated copy).
//
// Failures say whether a retry may succeed (internal/sync.Error's
// Retryable); callers retry with backoff.
type Uploader interface {
	Upload(ctx context.Context, id string, size int64, sha256 string, r io.Reader) (RemoteCopy, error)
	List(ctx context.Context) ([]RemoteCopy, error)
	Download(ctx context.Context, id string) (RemoteCopy, io.ReadCloser, error)
}
