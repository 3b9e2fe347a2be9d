// Package search owns the in-memory full-text index of decrypted client names
// and note text: built at unlock, updated on every save, dropped at lock.
//
// It promises that nothing of the index ever reaches disk: no files, no temp
// files, no logging of terms or text. It imports only the standard library
// and golang.org/x/text, and knows nothing of the store, the vault or the UI;
// the app hands it [Doc] values and asks it [Query] values.
//
// # Folding
//
// Text is split into words — runs of letters, numbers and combining marks —
// so spaces and punctuation, including the Devanagari danda (। ॥), separate
// them. Each word is folded to a term: Unicode NFKD, then the generic
// combining diacritics that NFKD splits off Latin, Greek and Cyrillic letters
// are dropped ("José" ≈ "jose", "café" ≈ "cafe"), then lower case ("ß" ≈
// "ss"). The vowel signs, viramas and nuktas of Devanagari and the other
// Indic scripts are never dropped: they change the word. NFKD makes the
// composed and decomposed spellings of a nukta letter (क़ and क + ़) the
// same term. Indic digits fold to ASCII ones (२०२४ ≈ 2024). Zero-width
// joiners and soft hyphens are ignored inside words.
//
// # Matching and ranking
//
// Every query word must match (AND). The last word, and every word of two or
// more letters, also matches as a prefix, so results follow typing. The
// dictionary is sorted, so a prefix is a binary-searched range of terms; the
// rarest query word is matched first and the others only narrow it.
//
// Scores are BM25 (term frequency saturating, shorter bodies favoured, rarer
// words worth more) plus a boost for a match in the title — a client's name, a
// note's title — with words matched only by prefix counting for a little over
// half. Equal scores go to the more recent document.
//
// # Snippets
//
// Each hit carries a window of about 160 characters of the original body
// around its best match, cut on a space where one is near and never inside a
// grapheme (a letter and its matras, or a conjunct), with byte ranges of the
// matched words. The ranges are found by folding the text again and mapping
// each folded byte back to the original bytes it came from, so they stay
// right where folding changes lengths.
//
// # Building
//
// At unlock every note is indexed at once, on every core. A worker cuts
// text into chunks at the separators that NFKD leaves alone — a chunk folds
// to the same terms alone as in its text, since such a separator always ends
// a word — and looks each chunk up as written, so it folds a spelling the
// first time it meets it and afterwards pays a hash and a probe per word.
// For each document it writes one four-byte record per distinct term. The
// merge gives terms their sorted ids and turns the records into postings by
// counting sort: one pass sizes every term's postings, a second writes them
// into one exactly sized arena. Until then the records take about four
// bytes per (document, term) pair: 38 MB for 50,000 notes of 300 words,
// freed when the build ends. The workers' tables hold words as written; they are zeroed
// when the build ends, whether it succeeds or not.
//
// # Memory
//
// The index keeps the caller's strings for snippets (no folded copy of any
// text), the dictionary's terms in one byte arena, and postings as
// delta-encoded varints: about two to three bytes per (term, document) pair.
// For 50,000 notes of about 300 words (130 MB of text) the index adds about
// 34 MB (BenchmarkMemory50k).
// Replacing a document appends it afresh and leaves the old postings dead
// until they are a quarter of the index, when it is compacted.
//
// [Index.Clear] drops every reference and zeroes the term arena. Go cannot
// wipe strings, so the texts themselves are left to the garbage collector;
// the index makes sure it is the only holder it controls.
package search
