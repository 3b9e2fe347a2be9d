-- Copies of backups on the CalmAlly backend in India (docs/sync-protocol.md,
-- "Backup copies"). One row per backup the app tried to upload, holding the
-- latest try: an upload that failed and later succeeded ends as 'ok'. The
-- file uploaded is the backup file as written (ciphertext); nothing here
-- names a client, so nothing is sealed.
--   backup_id     the backup's id (backups.id, and the id on the backend)
--   backend_url   the backend it went to (the platform's address)
--   result        'ok' | 'failed'
--   error_code    the failure's machine code (e.g. 'unavailable', 'region_refused'), NULL when ok
--   attempts      requests made by the latest try (retries included)
--   attempted_at  when the latest try ended, UTC, fixed width like backups.at
--   uploaded_at   when the backend stored it (the backend's clock), NULL unless ok
--   sha256        hex SHA-256 of the file uploaded, size_bytes its size
CREATE TABLE backup_copies (
	backup_id TEXT PRIMARY KEY REFERENCES backups(id),
	backend_url TEXT NOT NULL,
	result TEXT NOT NULL CHECK (result IN ('ok', 'failed')),
	error_code TEXT,
	attempts INTEGER NOT NULL CHECK (attempts >= 0),
	attempted_at TEXT NOT NULL,
	uploaded_at TEXT,
	sha256 TEXT NOT NULL,
	size_bytes INTEGER NOT NULL CHECK (size_bytes >= 0),
	CHECK ((result = 'ok') = (error_code IS NULL)),
	CHECK ((result = 'ok') = (uploaded_at IS NOT NULL))
) STRICT;

CREATE INDEX backup_copies_attempted ON backup_copies (attempted_at DESC);
