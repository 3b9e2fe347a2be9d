-- Small key/value facts about this profile that are not secret and must be
-- readable while the vault is locked (e.g. the vault header, failed unlock
-- counters, settings). Nothing here may describe a client.
CREATE TABLE meta (
	key TEXT PRIMARY KEY,
	value BLOB NOT NULL,
	updated_at TEXT NOT NULL
) STRICT;
