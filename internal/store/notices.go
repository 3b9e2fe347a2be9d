package store

// The notices table (migrations/0012_matches.sql): grievances and takedown
// notices. Sealed columns arrive and leave as envelopes; this file never
// sees plaintext.

func init() {
	registerSealed(SealedColumn{Table: "notices", Column: "details"}, SealedColumn{Table: "notices", Column: "response"})
}
