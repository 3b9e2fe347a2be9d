package app

import (
	"time"

	"github.com/calmally/practice/internal/search"
)

// SearchHitDTO is one search result. Highlights are [start, end) byte ranges
// in Snippet (TitleHighlights in Title); the UI turns them into <mark>s.
type SearchHitDTO struct {
	ID              string   `json:"id"`
	Kind            string   `json:"kind"` // "client" | "note"
	ClientID        string   `json:"clientId"`
	Title           string   `json:"title"`
	At              string   `json:"at"`
	Snippet         string   `json:"snippet"`
	Highlights      [][2]int `json:"highlights"`
	TitleHighlights [][2]int `json:"titleHighlights"`
}

// Search finds notes and clients (Ctrl+K). The index lives only in memory and
// is dropped at lock.
func (a *App) Search(query string, clientID string) ([]SearchHitDTO, error) {
	p, err := a.practice()
	if err != nil {
		return nil, a.uiError("search", err)
	}
	hits, err := p.Search(a.ctx, search.Query{Text: query, ClientID: clientID, Limit: 30})
	if err != nil {
		return nil, a.uiError("search", err)
	}
	out := make([]SearchHitDTO, len(hits))
	for i, h := range hits {
		out[i] = SearchHitDTO{ID: h.ID, Kind: string(h.Kind), ClientID: h.ClientID, Title: h.Title,
			At: h.At.UTC().Format(time.RFC3339), Snippet: h.Snippet,
			Highlights: nonNil(h.Highlights), TitleHighlights: nonNil(h.TitleHighlights)}
	}
	return out, nil
}

func nonNil(r [][2]int) [][2]int {
	if r == nil {
		return [][2]int{}
	}
	return r
}
