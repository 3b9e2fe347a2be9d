-- Bookings (internal/bookings). What names or describes a client — the
-- display name of a platform client not yet matched (client_label), the join
-- link, the in-person location, the practitioner's notes and the message sent
-- with a decline or cancellation — is a vault envelope (BLOB) sealed with
-- associated data (table "bookings", column, id, rev); rev bumps on every
-- change and every sealed column is re-sealed under it. Each sealed column is
-- always present, an empty value sealed too. Structural columns stay plain
-- for queries and sync:
--   source          'platform' | 'clinic' (walk-in)
--   status          see bookings.Transition
--   start_at/end_at session instants; *_at columns are fixed-width UTC
--                   2006-01-02T15:04:05Z, so text order is time order
--   fee_paise       whole paise; currency is always INR
--   payment_status  'pending' | 'paid' | 'refund_pending' | 'refunded'
--                   (no card or bank data is ever stored)
--   rescheduled_*   the bookings a reschedule links (old → new)
CREATE TABLE bookings (
	id TEXT PRIMARY KEY,
	rev INTEGER NOT NULL CHECK (rev >= 1),
	source TEXT NOT NULL CHECK (source IN ('platform', 'clinic')),
	status TEXT NOT NULL CHECK (status IN ('requested', 'confirmed', 'completed', 'no_show',
		'cancelled_by_client', 'cancelled_by_practitioner', 'declined', 'rescheduled')),
	client_id TEXT REFERENCES clients (id),
	start_at TEXT NOT NULL,
	end_at TEXT NOT NULL CHECK (end_at > start_at),
	modality TEXT NOT NULL CHECK (modality IN ('online', 'in_person')),
	fee_paise INTEGER NOT NULL CHECK (fee_paise >= 0),
	currency TEXT NOT NULL DEFAULT 'INR' CHECK (currency = 'INR'),
	payment_status TEXT NOT NULL CHECK (payment_status IN ('pending', 'paid', 'refund_pending', 'refunded')),
	rescheduled_from TEXT REFERENCES bookings (id),
	rescheduled_to TEXT REFERENCES bookings (id),
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	client_label BLOB NOT NULL,
	join_link BLOB NOT NULL,
	location BLOB NOT NULL,
	notes BLOB NOT NULL,
	message BLOB NOT NULL
) STRICT;

CREATE INDEX bookings_start ON bookings (start_at);
CREATE INDEX bookings_client ON bookings (client_id, start_at);

-- The outbox (docs/outbox.md): mutations recorded locally and queued for
-- the backend in the same transaction as the change they describe; the sync
-- engine drains it in mutation_id order. mutation_id is monotonic for this
-- profile (a device) and never reused, even after rows are deleted: it comes
-- from outbox_sequence, not from MAX(). payload is the mutation's JSON,
-- sealed (AD: table "outbox", column "payload", id, rev 1); rows never
-- change their payload, so rev stays 1. attempts, next_attempt_at and
-- parked_reason (a machine code, never client data) belong to the sync
-- engine. kind and entity_id are plain: they say what changed, not about whom.
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

CREATE INDEX outbox_due ON outbox (next_attempt_at, mutation_id) WHERE parked_reason IS NULL;

CREATE TABLE outbox_sequence (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	last_mutation_id INTEGER NOT NULL CHECK (last_mutation_id >= 0)
) STRICT;

INSERT INTO outbox_sequence (id, last_mutation_id) VALUES (1, 0);
