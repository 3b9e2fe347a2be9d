-- Backups (internal/backup). One row per backup attempt, written after the
-- snapshot file was renamed into place (or after the attempt failed). The
-- snapshot never contains its own row: it is taken first.
--
-- Only path is sealed: a folder or file name may carry a person's name.
-- AD (backups, path, id, rev); rev is always 1, because later updates
-- (verification, removal by rotation) touch only structural columns.
--   id              UUIDv7; also written in the backup file's header
--   at              UTC, fixed width 2006-01-02T15:04:05.000000000Z
--   trigger         'manual' (button or CLI) | 'schedule'
--   result          'ok' | 'failed'
--   error_code      apperr code of a failure, NULL when result = 'ok'
--   sha256          hex SHA-256 of the file as written (ciphertext), '' on failure
--   size_bytes      size of the file as written, 0 on failure
--   schema_version  the database schema inside the snapshot
--   verified_at     the last verification, NULL if never verified
--   verify_result   'ok' | 'failed', NULL if never verified
--   removed_at      when rotation deleted the file, else NULL
CREATE TABLE backups (
	id TEXT PRIMARY KEY,
	rev INTEGER NOT NULL DEFAULT 1 CHECK (rev = 1),
	at TEXT NOT NULL,
	trigger TEXT NOT NULL CHECK (trigger IN ('manual', 'schedule')),
	result TEXT NOT NULL CHECK (result IN ('ok', 'failed')),
	error_code TEXT,
	path BLOB NOT NULL,
	sha256 TEXT NOT NULL,
	size_bytes INTEGER NOT NULL CHECK (size_bytes >= 0),
	schema_version INTEGER NOT NULL CHECK (schema_version >= 1),
	verified_at TEXT,
	verify_result TEXT CHECK (verify_result IN ('ok', 'failed')),
	removed_at TEXT,
	CHECK ((result = 'ok') = (error_code IS NULL)),
	CHECK ((verified_at IS NULL) = (verify_result IS NULL))
) STRICT;

CREATE INDEX backups_at ON backups (at DESC);

-- The backup settings: one row (id 'settings'). The folder is sealed (it may
-- name a person): AD (backup_settings, folder, 'settings', rev); rev bumps on
-- every change and the folder is re-sealed under it.
--   schedule        'off' | 'daily' | 'weekly'
--   keep_*          rotation: how many daily, weekly and monthly backups stay
CREATE TABLE backup_settings (
	id TEXT PRIMARY KEY CHECK (id = 'settings'),
	rev INTEGER NOT NULL CHECK (rev >= 1),
	folder BLOB NOT NULL,
	schedule TEXT NOT NULL CHECK (schedule IN ('off', 'daily', 'weekly')),
	keep_daily INTEGER NOT NULL CHECK (keep_daily BETWEEN 1 AND 366),
	keep_weekly INTEGER NOT NULL CHECK (keep_weekly BETWEEN 0 AND 520),
	keep_monthly INTEGER NOT NULL CHECK (keep_monthly BETWEEN 0 AND 1200),
	updated_at TEXT NOT NULL
) STRICT;
