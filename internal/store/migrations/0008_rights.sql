-- Data-subject rights requests (internal/rights), erasure certificates and
-- holds (internal/erasure), and the erasure engine's documented way past the
-- signed-note triggers of 0004.
--
-- rights_requests: one row per request. Plain: kind, source, status, the
-- identity verification (method code, by whom, when), the due date computed
-- from verification, and codes. details is sealed (AD: rights_requests,
-- details, id, rev): what the client asked for, in their words. rev bumps on
-- every change and details is re-sealed under it.
--   *_at   UTC, fixed width 2006-01-02T15:04:05Z (text order is time order)
CREATE TABLE rights_requests (
	id TEXT PRIMARY KEY,
	rev INTEGER NOT NULL CHECK (rev >= 1),
	client_id TEXT NOT NULL REFERENCES clients (id),
	kind TEXT NOT NULL CHECK (kind IN ('access', 'correction', 'erasure', 'opt-out', 'withdrawal')),
	source TEXT NOT NULL CHECK (source IN ('platform', 'clinic')),
	status TEXT NOT NULL CHECK (status IN ('received', 'verified', 'in_progress', 'fulfilled', 'refused')),
	purpose TEXT NOT NULL DEFAULT '',
	platform_ref TEXT NOT NULL DEFAULT '',
	received_at TEXT NOT NULL,
	verification_method TEXT NOT NULL DEFAULT '',
	verified_by TEXT NOT NULL DEFAULT '',
	verified_at TEXT,
	due_at TEXT,
	closed_at TEXT,
	refusal_reason TEXT NOT NULL DEFAULT '',
	outcome_ref TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	details BLOB NOT NULL,
	CHECK ((verified_at IS NULL) = (verification_method = '')),
	CHECK (status NOT IN ('verified', 'in_progress', 'fulfilled') OR verified_at IS NOT NULL),
	CHECK ((status = 'refused') = (refusal_reason <> ''))
) STRICT;

CREATE INDEX rights_requests_client ON rights_requests (client_id, received_at);
CREATE INDEX rights_requests_open_due ON rights_requests (due_at)
	WHERE status IN ('received', 'verified', 'in_progress');

-- Erasure certificates: the JSON body holds ids, codes, counts, dates and the
-- legal basis of each hold, never client data; sha256 is over the body.
-- kind 'erasure' (a fulfilled request) or 'minor_purge'. Never changed,
-- never deleted: they are the proof of what was done.
CREATE TABLE erasure_certificates (
	id TEXT PRIMARY KEY,
	request_id TEXT NOT NULL DEFAULT '',
	client_id TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('erasure', 'minor_purge')),
	issued_at TEXT NOT NULL,
	hold_until TEXT,
	body TEXT NOT NULL,
	sha256 TEXT NOT NULL
) STRICT;

CREATE INDEX erasure_certificates_client ON erasure_certificates (client_id);

CREATE TRIGGER erasure_certificates_no_update BEFORE UPDATE ON erasure_certificates
BEGIN
	SELECT RAISE(ABORT, 'erasure certificates never change');
END;

CREATE TRIGGER erasure_certificates_no_delete BEFORE DELETE ON erasure_certificates
BEGIN
	SELECT RAISE(ABORT, 'erasure certificates are kept');
END;

-- What erasure kept, why, and until when (the retention engine deletes it
-- when the hold ends). categories: codes joined by ','; basis: the law and
-- section, as text.
CREATE TABLE erasure_holds (
	client_id TEXT PRIMARY KEY REFERENCES clients (id),
	hold_until TEXT NOT NULL,
	categories TEXT NOT NULL,
	basis TEXT NOT NULL,
	certificate_id TEXT NOT NULL,
	created_at TEXT NOT NULL
) STRICT;

-- Signed notes and addenda are never deleted, except by the purge of a
-- client discovered to be a minor: the platform promises that minors' data
-- is deleted, and a minor's consent to the processing was never valid
-- (DPDP Act 2023 s.9 requires a parent's verifiable consent), so no retention
-- duty outweighs it. The purge writes a 'minor' purge_authorizations row for
-- the client in its own transaction (see 0007) and removes it before commit.
-- These replace the triggers of 0004 with the same rule plus that exception.
DROP TRIGGER notes_signed_no_delete;

CREATE TRIGGER notes_signed_no_delete BEFORE DELETE ON notes
WHEN OLD.status = 'signed'
	AND NOT EXISTS (SELECT 1 FROM purge_authorizations WHERE client_id = OLD.client_id AND scope = 'minor')
BEGIN
	SELECT RAISE(ABORT, 'signed');
END;

DROP TRIGGER note_addenda_no_delete;

CREATE TRIGGER note_addenda_no_delete BEFORE DELETE ON note_addenda
WHEN NOT EXISTS (SELECT 1 FROM purge_authorizations pa JOIN notes n ON n.client_id = pa.client_id
	WHERE n.id = OLD.note_id AND pa.scope = 'minor')
BEGIN
	SELECT RAISE(ABORT, 'signed');
END;
