-- Session notes (internal/notes). Title and sections are vault envelopes
-- sealed with associated data (table, column, id, rev); rev bumps on every
-- draft save and both sealed columns are re-sealed under it. Structural
-- columns stay plain for queries:
--   kind          'progress' | 'psychotherapy' (process notes: kept out of sync
--                 and exports by default)
--   status        'draft' | 'signed'
--   session_date  YYYY-MM-DD (civil date)
--   *_at          fixed-width RFC 3339 UTC with nanoseconds
--                 (2006-01-02T15:04:05.000000000Z), so text order is time order
--   signed_hash   SHA-256 of the canonical encoding of what was signed
--                 (notes.SignedHash)
CREATE TABLE notes (
	id TEXT PRIMARY KEY,
	rev INTEGER NOT NULL CHECK (rev >= 1),
	client_id TEXT NOT NULL REFERENCES clients (id),
	kind TEXT NOT NULL CHECK (kind IN ('progress', 'psychotherapy')),
	template_id TEXT NOT NULL,
	template_version INTEGER NOT NULL CHECK (template_version >= 1),
	session_date TEXT NOT NULL,
	booking_id TEXT,
	status TEXT NOT NULL CHECK (status IN ('draft', 'signed')),
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	signed_at TEXT,
	signed_by TEXT,
	signed_hash BLOB,
	title BLOB NOT NULL,
	sections BLOB NOT NULL,
	CHECK ((status = 'signed') = (signed_at IS NOT NULL AND signed_by IS NOT NULL AND signed_hash IS NOT NULL))
) STRICT;

CREATE INDEX notes_client_session ON notes (client_id, session_date DESC, created_at DESC);
CREATE INDEX notes_drafts ON notes (session_date DESC) WHERE status = 'draft';

-- A signed note never changes, whichever code path tries. The one update let
-- through is the data-key rotation's re-seal (store.Reseal): it rewrites a
-- sealed column with the same plaintext under a new key version, keeping the
-- row's rev (the envelope's associated data binds rev, so rev cannot move).
-- So the trigger admits an update only when every plain column — rev, status,
-- the signature fields — is unchanged and each sealed column is either
-- unchanged or now carries a different key version (envelope bytes 2–5).
-- It cannot check that the plaintext is the same (SQLite has no key); the
-- signature hash does: VerifySignature recomputes it from the opened text.
CREATE TRIGGER notes_signed_no_update BEFORE UPDATE ON notes
WHEN OLD.status = 'signed' AND NOT (
	NEW.id = OLD.id AND NEW.rev = OLD.rev AND NEW.client_id = OLD.client_id
	AND NEW.kind = OLD.kind AND NEW.template_id = OLD.template_id
	AND NEW.template_version = OLD.template_version AND NEW.session_date = OLD.session_date
	AND NEW.booking_id IS OLD.booking_id AND NEW.status = OLD.status
	AND NEW.created_at = OLD.created_at AND NEW.updated_at = OLD.updated_at
	AND NEW.signed_at IS OLD.signed_at AND NEW.signed_by IS OLD.signed_by
	AND NEW.signed_hash IS OLD.signed_hash
	AND (NEW.title = OLD.title OR substr(NEW.title, 2, 4) <> substr(OLD.title, 2, 4))
	AND (NEW.sections = OLD.sections OR substr(NEW.sections, 2, 4) <> substr(OLD.sections, 2, 4))
)
BEGIN
	SELECT RAISE(ABORT, 'signed');
END;

-- Retention (7 years after the last interaction) will need a deliberate,
-- audited way past this; until then a signed note cannot be deleted.
CREATE TRIGGER notes_signed_no_delete BEFORE DELETE ON notes
WHEN OLD.status = 'signed'
BEGIN
	SELECT RAISE(ABORT, 'signed');
END;

-- Addenda: written and signed in one step, never changed (bar the same
-- re-seal rule as above), never deleted, only for signed notes.
CREATE TABLE note_addenda (
	id TEXT PRIMARY KEY,
	note_id TEXT NOT NULL REFERENCES notes (id),
	rev INTEGER NOT NULL CHECK (rev >= 1),
	body BLOB NOT NULL,
	created_at TEXT NOT NULL,
	signed_at TEXT NOT NULL,
	signed_by TEXT NOT NULL,
	signed_hash BLOB NOT NULL
) STRICT;

CREATE INDEX note_addenda_note ON note_addenda (note_id, created_at, id);

CREATE TRIGGER note_addenda_only_signed BEFORE INSERT ON note_addenda
WHEN (SELECT status FROM notes WHERE id = NEW.note_id) IS NOT 'signed'
BEGIN
	SELECT RAISE(ABORT, 'addenda are for signed notes');
END;

CREATE TRIGGER note_addenda_no_update BEFORE UPDATE ON note_addenda
WHEN NOT (
	NEW.id = OLD.id AND NEW.note_id = OLD.note_id AND NEW.rev = OLD.rev
	AND NEW.created_at = OLD.created_at AND NEW.signed_at = OLD.signed_at
	AND NEW.signed_by = OLD.signed_by AND NEW.signed_hash = OLD.signed_hash
	AND (NEW.body = OLD.body OR substr(NEW.body, 2, 4) <> substr(OLD.body, 2, 4))
)
BEGIN
	SELECT RAISE(ABORT, 'signed');
END;

CREATE TRIGGER note_addenda_no_delete BEFORE DELETE ON note_addenda
BEGIN
	SELECT RAISE(ABORT, 'signed');
END;

-- Client-facing session summaries, one per note. content is the sealed JSON
-- {plan, homework, nextSession}; status 'draft' | 'ready' | 'shared'.
CREATE TABLE note_summaries (
	id TEXT PRIMARY KEY,
	note_id TEXT NOT NULL UNIQUE REFERENCES notes (id) ON DELETE CASCADE,
	client_id TEXT NOT NULL REFERENCES clients (id),
	rev INTEGER NOT NULL CHECK (rev >= 1),
	content BLOB NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('draft', 'ready', 'shared')),
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
) STRICT;

CREATE INDEX note_summaries_client ON note_summaries (client_id);

-- The practitioner's own templates. A version never changes: editing stores
-- the next version, and notes name the version they were written with. They
-- are structure (headings, prompts), not client data, so they are plain.
CREATE TABLE note_templates (
	id TEXT NOT NULL,
	version INTEGER NOT NULL CHECK (version >= 1),
	name TEXT NOT NULL,
	sections TEXT NOT NULL,
	created_at TEXT NOT NULL,
	PRIMARY KEY (id, version)
) STRICT;

CREATE TRIGGER note_templates_no_update BEFORE UPDATE ON note_templates
BEGIN
	SELECT RAISE(ABORT, 'template versions never change');
END;
