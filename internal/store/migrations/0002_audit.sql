-- The audit trail (internal/audit). Rows hold ids and machine codes only,
-- never client data. Each row's mac chains it to the previous row with a key
-- derived from the vault; audit_head anchors the newest row so that cutting
-- rows off the end is detectable.
--
-- at is stored as fixed-width RFC 3339 UTC with nine fractional digits
-- (2006-01-02T15:04:05.000000000Z) so that text order is time order.
CREATE TABLE audit_log (
	seq INTEGER PRIMARY KEY CHECK (seq >= 1),
	at TEXT NOT NULL,
	actor TEXT NOT NULL,
	action TEXT NOT NULL,
	record_type TEXT NOT NULL DEFAULT '',
	record_id TEXT NOT NULL DEFAULT '',
	detail TEXT NOT NULL DEFAULT '',
	prev_mac BLOB NOT NULL,
	mac BLOB NOT NULL
) STRICT;

CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_action_at ON audit_log (action, at);
CREATE INDEX audit_log_record_at ON audit_log (record_id, at);

-- The app only ever appends. These stop a bug (not an attacker, who can drop
-- them; the chain is what catches an attacker) from rewriting history.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
	SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
	SELECT RAISE(ABORT, 'audit_log is append-only');
END;

-- One row: the newest seq and mac, sealed by head_mac.
CREATE TABLE audit_head (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	seq INTEGER NOT NULL CHECK (seq >= 0),
	mac BLOB NOT NULL,
	head_mac BLOB NOT NULL
) STRICT;

-- Entries recorded while the vault is locked (failed unlocks), chained with
-- plain SHA-256 because no key is available. They move into audit_log at the
-- next unlock.
CREATE TABLE audit_pending (
	id INTEGER PRIMARY KEY CHECK (id >= 1),
	at TEXT NOT NULL,
	actor TEXT NOT NULL,
	action TEXT NOT NULL,
	record_type TEXT NOT NULL DEFAULT '',
	record_id TEXT NOT NULL DEFAULT '',
	detail TEXT NOT NULL DEFAULT '',
	prev_hash BLOB NOT NULL,
	hash BLOB NOT NULL
) STRICT;
