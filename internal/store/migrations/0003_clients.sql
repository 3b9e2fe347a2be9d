-- Clients (internal/clients). Every column that names or describes a client is
-- a vault envelope (BLOB) sealed with associated data (table "clients", column,
-- id, rev); rev bumps on every edit and every sealed column is re-sealed under
-- the new rev. Structural columns stay plain for queries:
--   status               'active' | 'discharged'
--   source               how the record arrived: 'clinic' | 'platform' | 'import'
--   created_at, updated_at, last_interaction_at
--                        UTC, fixed width 2006-01-02T15:04:05Z (so text order is
--                        time order); last_interaction_at is set by notes and
--                        bookings (without bumping rev) and drives retention.
-- Every sealed column is always present, even for an empty field (an empty
-- string is sealed too), so a column blanked or swapped by hand fails to open
-- instead of reading as "no value".
CREATE TABLE clients (
	id TEXT PRIMARY KEY,
	rev INTEGER NOT NULL CHECK (rev >= 1),
	status TEXT NOT NULL CHECK (status IN ('active', 'discharged')),
	source TEXT NOT NULL DEFAULT 'clinic' CHECK (source IN ('clinic', 'platform', 'import')),
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	last_interaction_at TEXT,
	name BLOB NOT NULL,
	preferred_name BLOB NOT NULL,
	date_of_birth BLOB NOT NULL,
	gender BLOB NOT NULL,
	phone BLOB NOT NULL,
	email BLOB NOT NULL,
	emergency_contact BLOB NOT NULL,
	presenting_concerns BLOB NOT NULL,
	treatment_preferences BLOB NOT NULL,
	language BLOB NOT NULL
) STRICT;

CREATE INDEX clients_status ON clients (status);
CREATE INDEX clients_last_interaction ON clients (last_interaction_at);

-- Corrections keep history: one row per edit, naming who, when and which
-- fields changed (field names only, plain), with the previous values of those
-- fields as one sealed JSON object (AD: table "client_history", column
-- "previous", id, rev). rev is the client's revision the edit produced.
CREATE TABLE client_history (
	id TEXT PRIMARY KEY,
	client_id TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
	rev INTEGER NOT NULL CHECK (rev >= 1),
	at TEXT NOT NULL,
	actor TEXT NOT NULL,
	action TEXT NOT NULL CHECK (action IN ('correction', 'discharge', 'reopen')),
	reason TEXT NOT NULL DEFAULT '',
	fields TEXT NOT NULL DEFAULT '',
	previous BLOB NOT NULL,
	UNIQUE (client_id, rev)
) STRICT;
