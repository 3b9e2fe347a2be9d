-- Session decisions (internal/bookings/session.go): recording and reminders,
-- each gated by its own consent. Nothing here is client data — ids, flags,
-- instants and a trigger code — so every column is plain. Rows go with their
-- booking (ON DELETE CASCADE: erasure and retention remove bookings).
--   session_recordings  the practitioner's latest recording decision per
--                       booking; recorded = 1 means on (it counts only while
--                       the client's recording consent is in force)
--   session_reminders   reminders queued for the platform; at most one
--                       automatic reminder per booking
--   *_at                UTC, fixed width 2006-01-02T15:04:05.000000000Z
CREATE TABLE session_recordings (
	booking_id TEXT PRIMARY KEY REFERENCES bookings (id) ON DELETE CASCADE,
	recorded INTEGER NOT NULL CHECK (recorded IN (0, 1)),
	decided_at TEXT NOT NULL
) STRICT;

CREATE TABLE session_reminders (
	id INTEGER PRIMARY KEY,
	booking_id TEXT NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
	trigger TEXT NOT NULL CHECK (trigger IN ('manual', 'auto')),
	queued_at TEXT NOT NULL
) STRICT;

CREATE INDEX session_reminders_booking ON session_reminders (booking_id, queued_at);
CREATE UNIQUE INDEX session_reminders_one_auto ON session_reminders (booking_id) WHERE trigger = 'auto';
