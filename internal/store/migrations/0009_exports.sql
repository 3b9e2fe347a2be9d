-- Past exports and imports of record bundles (internal/export). One row per
-- archive written or read. Only file_name is sealed (a file name may carry a
-- client's name): AD (exports, file_name, id, rev); rev is always 1, the row
-- never changes. Everything else is structural:
--   kind            'export' | 'import'
--   at              UTC, fixed width 2006-01-02T15:04:05.000000000Z
--   scope           'client' | 'practice'
--   client_id       the client exported (scope 'client'), else NULL; no
--                   foreign key: a purge of the client must not be blocked by
--                   the record that their records once left the machine
--   encrypted       1 when the archive is age-encrypted
--   recipient_kind  'none' | 'passphrase' | 'age-recipient'
--   sha256          hex SHA-256 of the archive file as written (ciphertext
--                   when encrypted)
--   *_count         what the bundle holds (ids and counts only)
CREATE TABLE exports (
	id TEXT PRIMARY KEY,
	rev INTEGER NOT NULL DEFAULT 1 CHECK (rev = 1),
	kind TEXT NOT NULL CHECK (kind IN ('export', 'import')),
	at TEXT NOT NULL,
	scope TEXT NOT NULL CHECK (scope IN ('client', 'practice')),
	client_id TEXT,
	encrypted INTEGER NOT NULL CHECK (encrypted IN (0, 1)),
	recipient_kind TEXT NOT NULL CHECK (recipient_kind IN ('none', 'passphrase', 'age-recipient')),
	include_psychotherapy INTEGER NOT NULL CHECK (include_psychotherapy IN (0, 1)),
	file_name BLOB NOT NULL,
	sha256 TEXT NOT NULL,
	size_bytes INTEGER NOT NULL CHECK (size_bytes >= 0),
	clients_count INTEGER NOT NULL CHECK (clients_count >= 0),
	notes_count INTEGER NOT NULL CHECK (notes_count >= 0),
	addenda_count INTEGER NOT NULL CHECK (addenda_count >= 0),
	withheld_count INTEGER NOT NULL CHECK (withheld_count >= 0),
	CHECK ((scope = 'client') = (client_id IS NOT NULL)),
	CHECK ((encrypted = 1) = (recipient_kind <> 'none'))
) STRICT;

CREATE INDEX exports_at ON exports (at DESC);
CREATE INDEX exports_client ON exports (client_id) WHERE client_id IS NOT NULL;
