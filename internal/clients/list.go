package clients

import (
	"context"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
)

// Filter narrows List. The zero Filter lists everyone.
type Filter struct {
	Status Status // "" for any
	// Query matches names: every word of it must appear (case- and
	// accent-insensitively) in the name or the preferred name.
	Query string
}

// ListResult is what List found. A row whose envelopes fail to open is not
// shown; its id is in Unreadable and an integrity error is audited for it.
type ListResult struct {
	Clients    []Client
	Unreadable []string
}

// List opens the clients matching f, sorted by name. Names are sealed, so
// the query runs in memory over the opened records; the listing is audited as
// one view.
func (s *Service) List(ctx context.Context, f Filter) (ListResult, error) {
	if f.Status != "" && f.Status != StatusActive && f.Status != StatusDischarged {
		return ListResult{}, apperr.New(apperr.Invalid, "status: must be active or discharged")
	}
	keys, err := s.sealer()
	if err != nil {
		return ListResult{}, err
	}
	d := audit.D("scope", "list")
	if f.Status != "" {
		d = d.With("status", string(f.Status))
	}
	if f.Query != "" {
		d = d.With("query", "1") // that a search ran, never what it was
	}
	e, err := s.entry(s.clock(), audit.ActionView, "", d)
	if err != nil {
		return ListResult{}, err
	}
	rows, err := s.store.ClientRows(ctx, f.Status, e)
	if err != nil {
		return ListResult{}, err
	}
	words := strings.Fields(fold(f.Query))
	type keyed struct {
		c   Client
		key string
	}
	found := make([]keyed, 0, len(rows))
	res := ListResult{}
	for _, r := range rows {
		c, err := s.open(ctx, keys, r)
		if err != nil {
			if apperr.CodeOf(err) != apperr.Integrity {
				return ListResult{}, err
			}
			res.Unreadable = append(res.Unreadable, r.ID)
			continue
		}
		name := fold(c.Name)
		if len(words) > 0 && !matchAll(name+" "+fold(c.PreferredName), words) {
			continue
		}
		found = append(found, keyed{c, name})
	}
	slices.SortFunc(found, func(a, b keyed) int {
		if n := strings.Compare(a.key, b.key); n != 0 {
			return n
		}
		return strings.Compare(a.c.ID, b.c.ID)
	})
	res.Clients = make([]Client, len(found))
	for i, k := range found {
		res.Clients[i] = k.c
	}
	return res, nil
}

func matchAll(s string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(s, w) {
			return false
		}
	}
	return true
}

// fold lower-cases s and strips combining marks (é → e) for matching and
// sorting. Indic scripts keep their vowel signs: only Latin, Greek and
// Cyrillic marks are dropped, because in Devanagari a mark changes the word.
func fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.Predicate(isDroppableMark)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return cases.Fold().String(out)
}

// isDroppableMark is a combining diacritic from the Combining Diacritical
// Marks blocks (U+0300–U+036F, U+1AB0–U+1AFF, U+1DC0–U+1DFF, U+20D0–U+20FF,
// U+FE20–U+FE2F), the ones Latin-script accents decompose to.
func isDroppableMark(r rune) bool {
	if !unicode.Is(unicode.Mn, r) {
		return false
	}
	return r >= 0x300 && r <= 0x36f || r >= 0x1ab0 && r <= 0x1aff || r >= 0x1dc0 && r <= 0x1dff ||
		r >= 0x20d0 && r <= 0x20ff || r >= 0xfe20 && r <= 0xfe2f
}
