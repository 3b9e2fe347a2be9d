-- The sync engine's own state (internal/sync, docs/sync-protocol.md). The
-- device token is NOT here: it lives in the OS keychain only. Times are UTC,
-- fixed width 2006-01-02T15:04:05.000000000Z (text order is time order).

-- One row while the profile is enrolled with a backend; none otherwise.
--   backend_url      the https base URL enrolled with
--   device_id        the backend's id for this profile (not secret)
--   therapist_id     the backend's id for the practitioner
--   pull_cursor      opaque, stored exactly as the backend sent it, in the
--                    same transaction as the page it ends (sync_inbox)
--   cross_border     the practitioner allowed exchanging data with a backend
--                    outside India (then only for clients whose cross-border
--                    consent is in force)
--   last_error_code  machine code of the last failed round (NULL after a
--                    successful one)
CREATE TABLE sync_state (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	backend_url TEXT NOT NULL,
	device_id TEXT NOT NULL,
	therapist_id TEXT NOT NULL,
	pull_cursor TEXT NOT NULL DEFAULT '',
	cross_border INTEGER NOT NULL DEFAULT 0 CHECK (cross_border IN (0, 1)),
	enrolled_at TEXT NOT NULL,
	last_synced_at TEXT,
	last_error_code TEXT,
	last_error_at TEXT
) STRICT;

-- Pulled changes stored with their page's cursor and not yet applied. A
-- change can carry client data (a client record, a booking's label), so the
-- whole wire.Change JSON is sealed (AD: table "sync_inbox", column
-- "change", id, rev 1). change_type, entity_id and version are plain: ids
-- and a counter, what the engine needs to skip stale changes. seq keeps the
-- order the backend sent them in.
CREATE TABLE sync_inbox (
	id TEXT PRIMARY KEY,
	rev INTEGER NOT NULL DEFAULT 1 CHECK (rev = 1),
	seq INTEGER NOT NULL UNIQUE CHECK (seq >= 1),
	change_type TEXT NOT NULL,
	entity_id TEXT NOT NULL,
	version INTEGER NOT NULL CHECK (version >= 1),
	received_at TEXT NOT NULL,
	change BLOB NOT NULL
) STRICT;

-- The version last applied (or refused) per entity: a change at or below it
-- is skipped, so re-sent, overlapping and re-ordered pages change nothing.
CREATE TABLE sync_versions (
	change_type TEXT NOT NULL,
	entity_id TEXT NOT NULL,
	version INTEGER NOT NULL CHECK (version >= 1),
	PRIMARY KEY (change_type, entity_id)
) STRICT, WITHOUT ROWID;

-- Pulled changes the app refused for good (the applier named a rule): shown
-- to the practitioner with the rule's code. Ids and codes only.
CREATE TABLE sync_rejected (
	change_type TEXT NOT NULL,
	entity_id TEXT NOT NULL,
	version INTEGER NOT NULL,
	code TEXT NOT NULL,
	at TEXT NOT NULL,
	PRIMARY KEY (change_type, entity_id, version)
) STRICT;
