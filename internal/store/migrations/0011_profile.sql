-- Practitioner profile and practice settings (internal/profile). Two small
-- documents, each one sealed JSON envelope (AD: table "profile_documents",
-- column "document", id, rev): the profile is the practitioner's own data,
-- not client data, but it is confidential and sealing it costs nothing.
--   id            'practitioner' | 'practice'
--   rev           bumps on every save; the document is re-sealed under it.
--                 A review-state change keeps rev (the state is not sealed).
--   review_state  the platform's review of the profile: 'draft' |
--                 'submitted' | 'approved' | 'changes_requested'; NULL for
--                 the practice. Plain so the sync engine can read it.
--   created_at, updated_at   UTC, fixed width 2006-01-02T15:04:05.000000000Z
CREATE TABLE profile_documents (
	id TEXT PRIMARY KEY CHECK (id IN ('practitioner', 'practice')),
	rev INTEGER NOT NULL CHECK (rev >= 1),
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	review_state TEXT CHECK (review_state IN ('draft', 'submitted', 'approved', 'changes_requested')),
	document BLOB NOT NULL,
	CHECK ((id = 'practice') = (review_state IS NULL))
) STRICT;
