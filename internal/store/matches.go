package store

// The matches, platform_clients and minor_refusals tables
// (migrations/0012_matches.sql). Sealed columns arrive and leave as
// envelopes; this file never sees plaintext.

func init() {
	registerSealed(SealedColumn{Table: "matches", Column: "preview"}, SealedColumn{Table: "matches", Column: "decline_note"})
}
