package backend

// schema is the backend's whole database. It is a test and demo server: a
// database file made by another version is simply refused (schemaVersion),
// never migrated — except that a version-1 file gains the backup copies
// table (schemaV2), which only adds. Times are RFC 3339 UTC text.
const schemaVersion = 2

const schema = `
CREATE TABLE therapists (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	created_at TEXT NOT NULL
);

-- One-time codes a therapist asks for on the web; a device trades one for a token.
CREATE TABLE enrolment_codes (
	code         TEXT PRIMARY KEY,           -- normalised: upper case, no spaces or dashes
	therapist_id TEXT NOT NULL REFERENCES therapists(id),
	expires_at   TEXT NOT NULL,
	used_at      TEXT
);

-- A device's token is kept as its SHA-256 only. last_mutation_id is the
-- highest mutation id processed for the device (applied or rejected).
CREATE TABLE devices (
	id               TEXT PRIMARY KEY,
	therapist_id     TEXT NOT NULL REFERENCES therapists(id),
	name             TEXT NOT NULL,
	token_sha256     BLOB NOT NULL UNIQUE,
	created_at       TEXT NOT NULL,
	revoked_at       TEXT,
	last_mutation_id INTEGER NOT NULL DEFAULT 0
);

-- Every processed mutation (applied or rejected), in order: what reached the backend.
CREATE TABLE mutations (
	seq          INTEGER PRIMARY KEY AUTOINCREMENT,
	device_id    TEXT NOT NULL REFERENCES devices(id),
	mutation_id  INTEGER NOT NULL,
	kind         TEXT NOT NULL,
	entity_id    TEXT NOT NULL,
	payload      TEXT NOT NULL,
	at           TEXT NOT NULL,
	received_at  TEXT NOT NULL,
	status       TEXT NOT NULL,              -- applied | rejected
	code         TEXT NOT NULL DEFAULT '',
	UNIQUE (device_id, mutation_id)
);

-- The global change sequence: one row per entity change. Pull cursors are
-- positions in it.
CREATE TABLE changes (
	seq          INTEGER PRIMARY KEY AUTOINCREMENT,
	therapist_id TEXT NOT NULL,
	type         TEXT NOT NULL,
	id           TEXT NOT NULL,
	version      INTEGER NOT NULL,
	deleted      INTEGER NOT NULL,
	at           TEXT NOT NULL
);

-- The latest state of every entity the app pulls; seq is its last change.
CREATE TABLE entities (
	type         TEXT NOT NULL,
	id           TEXT NOT NULL,
	therapist_id TEXT NOT NULL REFERENCES therapists(id),
	version      INTEGER NOT NULL,
	deleted      INTEGER NOT NULL DEFAULT 0,
	data         TEXT,                        -- JSON; NULL for a tombstone
	seq          INTEGER NOT NULL UNIQUE,
	PRIMARY KEY (type, id)
);
CREATE INDEX entities_by_therapist_seq ON entities (therapist_id, seq);

-- A match's client record, held back until the therapist accepts.
CREATE TABLE pending_clients (
	match_id  TEXT PRIMARY KEY,
	client_id TEXT NOT NULL,
	data      TEXT NOT NULL
);

-- Walk-ins at the clinic: the time is taken, nothing else is known.
CREATE TABLE busy_slots (
	id           TEXT PRIMARY KEY,
	therapist_id TEXT NOT NULL REFERENCES therapists(id),
	start_at     TEXT NOT NULL,
	end_at       TEXT NOT NULL,
	modality     TEXT NOT NULL
);

CREATE TABLE schedules (
	therapist_id TEXT PRIMARY KEY REFERENCES therapists(id),
	document     TEXT NOT NULL,
	published_at TEXT NOT NULL
);

CREATE TABLE profile_submissions (
	therapist_id TEXT PRIMARY KEY REFERENCES therapists(id),
	document     TEXT NOT NULL,
	submitted_at TEXT NOT NULL
);

CREATE TABLE consent_events (
	id             TEXT PRIMARY KEY,
	therapist_id   TEXT NOT NULL REFERENCES therapists(id),
	client_ref     TEXT NOT NULL,
	purpose        TEXT NOT NULL,
	granted        INTEGER NOT NULL,
	at             TEXT NOT NULL,
	notice_version TEXT NOT NULL
);

-- A refused minor's record: only which record and when, nothing of it.
CREATE TABLE minor_refusals (
	id           TEXT PRIMARY KEY,            -- the refused record's id
	therapist_id TEXT NOT NULL REFERENCES therapists(id),
	type         TEXT NOT NULL,
	at           TEXT NOT NULL
);
` + schemaV2

// schemaV2 adds the backup copies (backups.go): what is stored for each
// file; the bytes are files under the backup folder, never in this database.
const schemaV2 = `
CREATE TABLE backup_copies (
	therapist_id TEXT NOT NULL REFERENCES therapists(id),
	id           TEXT NOT NULL,              -- the backup's own id (UUIDv7 from its header)
	size         INTEGER NOT NULL CHECK (size > 0),
	sha256       TEXT NOT NULL,              -- lower-case hex of the file as uploaded
	device_id    TEXT NOT NULL REFERENCES devices(id),
	uploaded_at  TEXT NOT NULL,
	PRIMARY KEY (therapist_id, id)
);
CREATE INDEX backup_copies_newest ON backup_copies (therapist_id, uploaded_at DESC, id DESC);
`
