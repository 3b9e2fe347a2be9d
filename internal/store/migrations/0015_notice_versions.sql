-- Versions of the platform's privacy policy and of consent notices that
-- arrived by sync after this build shipped (docs/sync-protocol.md, change
-- type "notice"). Nothing here is client data: the texts are public
-- notices, so every column is plain. A version never changes once received
-- (a different text under the same kind, purpose, version and language is
-- refused, like consent_notices); acknowledged_at records when the
-- practitioner read a material privacy-policy change.
--   kind          'privacy-policy' | 'consent-notice'
--   purpose       the consent purpose; '' for the privacy policy
--   material      1 when the change alters what people agreed to
--   *_at          UTC, fixed width 2006-01-02T15:04:05.000000000Z
CREATE TABLE notice_versions (
	id TEXT PRIMARY KEY,
	kind TEXT NOT NULL CHECK (kind IN ('privacy-policy', 'consent-notice')),
	purpose TEXT NOT NULL,
	version INTEGER NOT NULL CHECK (version >= 1),
	language TEXT NOT NULL CHECK (language IN ('en', 'hi')),
	sha256 TEXT NOT NULL,
	text TEXT NOT NULL,
	summary TEXT NOT NULL,
	material INTEGER NOT NULL CHECK (material IN (0, 1)),
	published_at TEXT NOT NULL,
	received_at TEXT NOT NULL,
	acknowledged_at TEXT,
	UNIQUE (kind, purpose, version, language),
	CHECK ((kind = 'privacy-policy') = (purpose = ''))
) STRICT;

CREATE TRIGGER notice_versions_text_fixed BEFORE UPDATE OF id, kind, purpose, version, language, sha256, text,
	summary, material, published_at ON notice_versions
BEGIN
	SELECT RAISE(ABORT, 'notice versions never change: the platform publishes a new version');
END;

CREATE TRIGGER notice_versions_no_delete BEFORE DELETE ON notice_versions
BEGIN
	SELECT RAISE(ABORT, 'notice versions are kept');
END;
