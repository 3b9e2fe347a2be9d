-- What the platform sends down besides bookings (docs/sync-protocol.md,
-- "Change types"): match proposals, grievances and takedown notices, the
-- link between a platform client and the local record, and the conflicts
-- sync shows the practitioner. Times are UTC, fixed width
-- 2006-01-02T15:04:05Z (text order is time order). remote_version is the
-- platform's version of the entity last applied: a change at or below it is
-- a no-op, so re-sent and re-ordered pages change nothing.

-- Match proposals (internal/matches). Only what the decision needs arrives,
-- and what describes the person — concerns (health data), languages and
-- preferences — is one sealed JSON document (AD: table "matches", column
-- "preview", id, rev). decline_note is the practitioner's own note on a
-- decline, kept here only (never sent), sealed too. Both are always present
-- (an empty value sealed). The age band is plain and adults-only: a minor's
-- proposal is refused before it is stored, and the CHECK makes sure.
--   status         'proposed' | 'accepted' | 'declined' | 'expired' | 'withdrawn'
--   decline_reason a code sent to the platform with a decline
--   client_id      the client record created when the accepted match's
--                  client arrived
CREATE TABLE matches (
	id TEXT PRIMARY KEY,
	rev INTEGER NOT NULL CHECK (rev >= 1),
	status TEXT NOT NULL CHECK (status IN ('proposed', 'accepted', 'declined', 'expired', 'withdrawn')),
	age_band TEXT NOT NULL CHECK (age_band IN ('18-24', '25-34', '35-44', '45-54', '55-64', '65+')),
	modality TEXT NOT NULL CHECK (modality IN ('online', 'in_person', 'either')),
	proposed_at TEXT NOT NULL,
	respond_by TEXT NOT NULL,
	decided_at TEXT,
	decline_reason TEXT CHECK (decline_reason IN ('caseload_full', 'not_my_specialty', 'language', 'schedule', 'other')),
	client_id TEXT REFERENCES clients (id) ON DELETE SET NULL,
	remote_version INTEGER NOT NULL CHECK (remote_version >= 0),
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	preview BLOB NOT NULL,
	decline_note BLOB NOT NULL,
	CHECK ((status = 'declined') = (decline_reason IS NOT NULL))
) STRICT;

CREATE INDEX matches_status ON matches (status, respond_by);

-- A platform client (wire "client") and the local record made for it, so a
-- client is created once however often its change is applied, and bookings
-- naming the platform ref find the local client. The ref is the platform's
-- id, not client data. Purging the client removes the link.
CREATE TABLE platform_clients (
	platform_ref TEXT PRIMARY KEY,
	client_id TEXT NOT NULL UNIQUE REFERENCES clients (id) ON DELETE CASCADE,
	match_id TEXT NOT NULL,
	remote_version INTEGER NOT NULL CHECK (remote_version >= 0),
	created_at TEXT NOT NULL
) STRICT;

-- Records refused because they describe someone under 18: only the type,
-- the platform's id and when (what minor.refused reports), so that the same
-- change applied again is not refused and reported twice. Nothing else of
-- the record is kept, anywhere.
CREATE TABLE minor_refusals (
	entity_type TEXT NOT NULL CHECK (entity_type IN ('match', 'client')),
	entity_id TEXT NOT NULL,
	refused_at TEXT NOT NULL,
	PRIMARY KEY (entity_type, entity_id)
) STRICT;

-- Grievances and takedown notices (internal/notices). Deadlines and statuses
-- are plain (the Requests screen sorts and flags by them without the key);
-- what the notice says (category, summary, reason, content reference) is one
-- sealed JSON document (AD: table "notices", column "details", id, rev) and
-- the practitioner's response another (column "response"); both always
-- present.
--   kind     'grievance': acknowledge_by and resolve_by set, remove_by NULL
--            'takedown':  remove_by set, the other two NULL
--   status   grievance: 'open' | 'acknowledged' | 'resolved'
--            takedown:  'open' | 'removed' | 'disputed'
CREATE TABLE notices (
	id TEXT PRIMARY KEY,
	rev INTEGER NOT NULL CHECK (rev >= 1),
	kind TEXT NOT NULL CHECK (kind IN ('grievance', 'takedown')),
	status TEXT NOT NULL,
	received_at TEXT NOT NULL,
	acknowledge_by TEXT,
	resolve_by TEXT,
	remove_by TEXT,
	acknowledged_at TEXT,
	closed_at TEXT,
	remote_version INTEGER NOT NULL CHECK (remote_version >= 0),
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	details BLOB NOT NULL,
	response BLOB NOT NULL,
	CHECK ((kind = 'grievance' AND status IN ('open', 'acknowledged', 'resolved')
			AND acknowledge_by IS NOT NULL AND resolve_by IS NOT NULL AND remove_by IS NULL)
		OR (kind = 'takedown' AND status IN ('open', 'removed', 'disputed')
			AND remove_by IS NOT NULL AND acknowledge_by IS NULL AND resolve_by IS NULL))
) STRICT;

CREATE INDEX notices_status ON notices (kind, status);

-- Conflicts where the platform's state won over a local one (a booking
-- confirmed here and cancelled by the client there; a match accepted here
-- and withdrawn there). Codes and ids only: never client data. The same
-- platform version records one conflict, however often it is applied.
CREATE TABLE sync_conflicts (
	id TEXT PRIMARY KEY,
	entity_type TEXT NOT NULL CHECK (entity_type IN ('booking', 'match', 'grievance', 'takedown')),
	entity_id TEXT NOT NULL,
	local_state TEXT NOT NULL,
	platform_state TEXT NOT NULL,
	remote_version INTEGER NOT NULL,
	at TEXT NOT NULL,
	dismissed_at TEXT,
	UNIQUE (entity_type, entity_id, remote_version)
) STRICT;

CREATE INDEX sync_conflicts_open ON sync_conflicts (at) WHERE dismissed_at IS NULL;

-- Bookings from the platform:
--   recording      the client asked for the session to be recorded (1);
--                  recording itself needs the client's recording consent
--   client_ref     the platform's client id, until (and after) it is linked
--                  to a local client through platform_clients
--   remote_version the platform version last applied (NULL: never synced,
--                  e.g. a walk-in)
--   removed_at     the platform deleted the booking (a tombstone): it stays
--                  visible here, closed, with when that happened
ALTER TABLE bookings ADD COLUMN recording INTEGER NOT NULL DEFAULT 0 CHECK (recording IN (0, 1));
ALTER TABLE bookings ADD COLUMN client_ref TEXT;
ALTER TABLE bookings ADD COLUMN remote_version INTEGER;
ALTER TABLE bookings ADD COLUMN removed_at TEXT;

CREATE INDEX bookings_client_ref ON bookings (client_ref) WHERE client_ref IS NOT NULL;
