-- The consent ledger (internal/consent). Append-only: one row per consent
-- given or withdrawn, for one client and one purpose. Every column is plain
-- except evidence (who signed, a note: client data), a vault envelope with
-- associated data (consent_events, evidence, id, rev); rev is always 1.
--   seq          ledger position, 1..n without gaps
--   prev_mac,mac HMAC chain keyed by the vault subkey "consent-mac" over the
--                plain columns (consent.Chain.Link); consent_head anchors the
--                newest, so edits, deletions, reordering and truncation show
--   at, expires_at, recorded_at
--                UTC, fixed width 2006-01-02T15:04:05Z (text order is time order)
--   categories   data-category codes joined by ','
CREATE TABLE consent_notices (
	id TEXT NOT NULL,
	version INTEGER NOT NULL CHECK (version >= 1),
	language TEXT NOT NULL,
	purpose TEXT NOT NULL,
	sha256 TEXT NOT NULL,
	text TEXT NOT NULL,
	first_used_at TEXT NOT NULL,
	PRIMARY KEY (id, version, language)
) STRICT;

-- A notice version, once shown, never changes: events record its hash.
CREATE TRIGGER consent_notices_no_update BEFORE UPDATE ON consent_notices
BEGIN
	SELECT RAISE(ABORT, 'consent notices never change: add a new version');
END;

CREATE TRIGGER consent_notices_no_delete BEFORE DELETE ON consent_notices
BEGIN
	SELECT RAISE(ABORT, 'consent notices are kept');
END;

CREATE TABLE consent_events (
	id TEXT PRIMARY KEY,
	rev INTEGER NOT NULL DEFAULT 1 CHECK (rev = 1),
	seq INTEGER NOT NULL UNIQUE CHECK (seq >= 1),
	client_id TEXT NOT NULL REFERENCES clients (id),
	purpose TEXT NOT NULL CHECK (purpose IN ('health-data', 'teleconsultation', 'recording',
		'summary-sharing', 'reminders', 'cross-border', 'representative-disclosure')),
	kind TEXT NOT NULL CHECK (kind IN ('grant', 'withdraw')),
	notice_id TEXT NOT NULL,
	notice_version INTEGER NOT NULL,
	notice_language TEXT NOT NULL,
	notice_sha256 TEXT NOT NULL,
	categories TEXT NOT NULL,
	method TEXT NOT NULL DEFAULT '' CHECK (method IN ('', 'checkbox', 'signature', 'platform')),
	channel TEXT NOT NULL CHECK (channel IN ('clinic', 'platform', 'phone', 'email', 'written')),
	source TEXT NOT NULL CHECK (source IN ('clinic', 'platform')),
	captured_by TEXT NOT NULL,
	at TEXT NOT NULL,
	expires_at TEXT,
	recorded_at TEXT NOT NULL,
	evidence BLOB NOT NULL,
	prev_mac BLOB NOT NULL,
	mac BLOB NOT NULL,
	-- A grant always names an affirmative method; a withdrawal never does.
	CHECK ((kind = 'grant') = (method <> '')),
	FOREIGN KEY (notice_id, notice_version, notice_language) REFERENCES consent_notices (id, version, language)
) STRICT;

CREATE INDEX consent_events_client ON consent_events (client_id, purpose, at);

-- One row: the newest seq and mac, sealed by head_mac.
CREATE TABLE consent_head (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	seq INTEGER NOT NULL CHECK (seq >= 0),
	mac BLOB NOT NULL,
	head_mac BLOB NOT NULL
) STRICT;

-- The erasure engine's documented way past the append-only triggers (here
-- and on signed notes, see 0008): it inserts a row for the client in the
-- transaction that erases or purges, and deletes it again before commit, so
-- a committed database never holds one. 'erasure' lets consent evidence be
-- blanked; 'minor' lets every row of the client be deleted (a minor's data
-- is purged: the platform promises it) and the rest of the ledger re-chained.
CREATE TABLE purge_authorizations (
	client_id TEXT PRIMARY KEY,
	scope TEXT NOT NULL CHECK (scope IN ('erasure', 'minor')),
	request_id TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL
) STRICT;

-- The ledger is never edited. Three updates are let through:
--   1. the data-key rotation's re-seal: every plain column unchanged and the
--      evidence now under another key version (envelope bytes 2-5), with the
--      same format byte and length (the same plaintext re-sealed);
--   2. erasure: every plain column unchanged (only evidence replaced), with a
--      purge authorization for the event's client;
--   3. the re-chaining after a minor's purge: only seq, prev_mac and mac
--      change, while a 'minor' authorization exists.
-- They stop a bug, not an attacker (who can drop them): the MAC chain is what
-- catches an attacker.
CREATE TRIGGER consent_events_no_update BEFORE UPDATE ON consent_events
WHEN NOT (
	NEW.id = OLD.id AND NEW.rev = OLD.rev AND NEW.client_id = OLD.client_id
	AND NEW.purpose = OLD.purpose AND NEW.kind = OLD.kind
	AND NEW.notice_id = OLD.notice_id AND NEW.notice_version = OLD.notice_version
	AND NEW.notice_language = OLD.notice_language AND NEW.notice_sha256 = OLD.notice_sha256
	AND NEW.categories = OLD.categories AND NEW.method = OLD.method AND NEW.channel = OLD.channel
	AND NEW.source = OLD.source AND NEW.captured_by = OLD.captured_by AND NEW.at = OLD.at
	AND NEW.expires_at IS OLD.expires_at AND NEW.recorded_at = OLD.recorded_at
	AND (
		(NEW.seq = OLD.seq AND NEW.prev_mac = OLD.prev_mac AND NEW.mac = OLD.mac
			AND (NEW.evidence = OLD.evidence OR (substr(NEW.evidence, 2, 4) <> substr(OLD.evidence, 2, 4)
				AND substr(NEW.evidence, 1, 1) = substr(OLD.evidence, 1, 1)
				AND length(NEW.evidence) = length(OLD.evidence))))
		OR (NEW.seq = OLD.seq AND NEW.prev_mac = OLD.prev_mac AND NEW.mac = OLD.mac
			AND EXISTS (SELECT 1 FROM purge_authorizations WHERE client_id = OLD.client_id))
		OR (NEW.evidence = OLD.evidence
			AND EXISTS (SELECT 1 FROM purge_authorizations WHERE scope = 'minor'))
	)
)
BEGIN
	SELECT RAISE(ABORT, 'consent_events is append-only');
END;

CREATE TRIGGER consent_events_no_delete BEFORE DELETE ON consent_events
WHEN NOT EXISTS (SELECT 1 FROM purge_authorizations WHERE client_id = OLD.client_id AND scope = 'minor')
BEGIN
	SELECT RAISE(ABORT, 'consent_events is append-only');
END;
