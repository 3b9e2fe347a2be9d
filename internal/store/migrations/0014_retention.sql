-- Retention (internal/retention, practice/retention.go): the run deletes what
-- the policy says is due, so it needs a way past the append-only triggers of
-- 0004, 0007 and 0008, manual legal holds, a fact for contact details already
-- wiped, and a log of its runs.

-- purge_authorizations (0007) gains the 'retention' scope: the retention run
-- writes one for a client whose health information is 7 years past the last
-- interaction, deletes every row of that client, and removes it again before
-- commit, exactly as the minor purge does with 'minor'. The table is empty
-- outside those transactions, so it is re-created to widen its CHECK.
DROP TABLE purge_authorizations;

CREATE TABLE purge_authorizations (
	client_id TEXT PRIMARY KEY,
	scope TEXT NOT NULL CHECK (scope IN ('erasure', 'minor', 'retention')),
	request_id TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL
) STRICT;

-- Signed notes and addenda: deleted only under a 'minor' or 'retention'
-- authorization for the note's client (replacing 0008's triggers).
DROP TRIGGER notes_signed_no_delete;

CREATE TRIGGER notes_signed_no_delete BEFORE DELETE ON notes
WHEN OLD.status = 'signed'
	AND NOT EXISTS (SELECT 1 FROM purge_authorizations WHERE client_id = OLD.client_id
		AND scope IN ('minor', 'retention'))
BEGIN
	SELECT RAISE(ABORT, 'signed');
END;

DROP TRIGGER note_addenda_no_delete;

CREATE TRIGGER note_addenda_no_delete BEFORE DELETE ON note_addenda
WHEN NOT EXISTS (SELECT 1 FROM purge_authorizations pa JOIN notes n ON n.client_id = pa.client_id
	WHERE n.id = OLD.note_id AND pa.scope IN ('minor', 'retention'))
BEGIN
	SELECT RAISE(ABORT, 'signed');
END;

-- The consent ledger (0007): a retention purge deletes the client's events
-- and re-chains the rest, as a minor's purge does.
DROP TRIGGER consent_events_no_delete;

CREATE TRIGGER consent_events_no_delete BEFORE DELETE ON consent_events
WHEN NOT EXISTS (SELECT 1 FROM purge_authorizations WHERE client_id = OLD.client_id
	AND scope IN ('minor', 'retention'))
BEGIN
	SELECT RAISE(ABORT, 'consent_events is append-only');
END;

DROP TRIGGER consent_events_no_update;

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
			AND EXISTS (SELECT 1 FROM purge_authorizations WHERE scope IN ('minor', 'retention')))
	)
)
BEGIN
	SELECT RAISE(ABORT, 'consent_events is append-only');
END;

-- When retention last wiped the client's contact details (phone, e-mail,
-- emergency contact), 30 days after a discharge; NULL if never. UTC, fixed
-- width 2006-01-02T15:04:05Z. A later discharge starts a new clock.
ALTER TABLE clients ADD COLUMN contact_erased_at TEXT;

-- Manual legal holds: while one is open (released_at NULL) nothing of the
-- client is deleted by retention. Reasons are codes (free text could name
-- the client): see retention.HoldReasons and retention.ReleaseReasons.
-- Rows are never deleted except with the client (a minor's purge); placing
-- and releasing are audited.
--   *_at  UTC, fixed width 2006-01-02T15:04:05Z
CREATE TABLE legal_holds (
	id TEXT PRIMARY KEY,
	client_id TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
	reason TEXT NOT NULL CHECK (reason IN ('litigation', 'dispute', 'regulator_inquiry', 'complaint',
		'law_enforcement_request', 'insurance_claim')),
	placed_at TEXT NOT NULL,
	placed_by TEXT NOT NULL,
	released_at TEXT,
	released_by TEXT,
	release_reason TEXT CHECK (release_reason IN ('resolved', 'placed_in_error', 'no_longer_required')),
	CHECK ((released_at IS NULL) = (released_by IS NULL)),
	CHECK ((released_at IS NULL) = (release_reason IS NULL))
) STRICT;

CREATE INDEX legal_holds_client ON legal_holds (client_id) WHERE released_at IS NULL;
CREATE UNIQUE INDEX legal_holds_one_open_per_reason ON legal_holds (client_id, reason) WHERE released_at IS NULL;

-- A released hold is history: it never changes again.
CREATE TRIGGER legal_holds_released_no_update BEFORE UPDATE ON legal_holds
WHEN OLD.released_at IS NOT NULL
BEGIN
	SELECT RAISE(ABORT, 'a released legal hold never changes');
END;

-- One row per real retention run (dry runs leave none). report is the JSON
-- of what the run did: ids, rule and outcome codes, counts — never client
-- data. Rows older than 2 years are usage data and go in a later run.
--   at       UTC, fixed width 2006-01-02T15:04:05.000000000Z
--   as_of    the date the clocks were read at (at, for a scheduled run)
--   trigger  'manual' (CLI or Settings) | 'schedule'
--   result   'ok' | 'failed' (some item failed; the report says which)
--   vacuumed 1 when the run rewrote the file (VACUUM) to return freed pages
CREATE TABLE retention_runs (
	id TEXT PRIMARY KEY,
	at TEXT NOT NULL,
	as_of TEXT NOT NULL,
	trigger TEXT NOT NULL CHECK (trigger IN ('manual', 'schedule')),
	result TEXT NOT NULL CHECK (result IN ('ok', 'failed')),
	deleted INTEGER NOT NULL CHECK (deleted >= 0),
	held INTEGER NOT NULL CHECK (held >= 0),
	failed INTEGER NOT NULL CHECK (failed >= 0),
	vacuumed INTEGER NOT NULL CHECK (vacuumed IN (0, 1)),
	report TEXT NOT NULL
) STRICT;

CREATE INDEX retention_runs_at ON retention_runs (at DESC);
