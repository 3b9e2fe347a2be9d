-- Bookings (internal/bookings) and the outbox (docs/outbox.md).
CREATE TABLE bookings (
	id TEXT PRIMARY KEY,
	rev INTEGER NOT NULL CHECK (rev >= 1),
	status TEXT NOT NULL,
	start_at TEXT NOT NULL,
	end_at TEXT NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	notes BLOB NOT NULL
) STRICT;

CREATE TABLE outbox (
	id TEXT PRIMARY KEY,
	rev INTEGER NOT NULL DEFAULT 1 CHECK (rev = 1),
	mutation_id INTEGER NOT NULL UNIQUE CHECK (mutation_id >= 1),
	kind TEXT NOT NULL,
	entity_id TEXT NOT NULL,
	payload BLOB NOT NULL,
	created_at TEXT NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
	next_attempt_at TEXT NOT NULL,
	parked_reason TEXT
) STRICT;
