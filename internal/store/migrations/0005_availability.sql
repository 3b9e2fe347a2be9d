-- Availability (internal/availability). The practice's rule set — weekly
-- hours in local wall-clock time with an IANA zone, session length, buffers,
-- notice, horizon, modality and location, date exceptions and time off — is
-- practice-confidential and small, so the whole document is one sealed JSON
-- envelope (AD: table "availability", column "rules", id, rev). rev bumps on
-- every save and the document is re-sealed under it. There is one current
-- rule set (id 'current' by convention of the store); slots are expanded to
-- instants only when needed, never stored.
--   created_at, updated_at   UTC, fixed width 2006-01-02T15:04:05.000000000Z
CREATE TABLE availability (
	id TEXT PRIMARY KEY,
	rev INTEGER NOT NULL CHECK (rev >= 1),
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	rules BLOB NOT NULL
) STRICT;
