package cli

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/search"
)

type searchCmd struct {
	Query  []string `arg:"" help:"Words to find (prefixes match; case and accents are ignored)."`
	Client string   `name:"client" help:"Only this client's records."`
	Limit  int      `name:"limit" default:"20" help:"At most this many results."`
	JSON   bool     `name:"json" help:"Print JSON."`
}

type hitJSON struct {
	ID       string `json:"id"`
	Kind     string `json:"kind"`
	ClientID string `json:"clientId"`
	Title    string `json:"title"`
	At       string `json:"at"`
	Snippet  string `json:"snippet"`
}

func (c searchCmd) Run(rc *runCtx) error {
	text := strings.TrimSpace(strings.Join(c.Query, " "))
	if text == "" {
		return apperr.New(apperr.Invalid, "search: give at least one word")
	}
	p, err := rc.unlocked()
	if err != nil {
		return err
	}
	defer p.Close()
	hits, err := p.Search(rc.ctx, search.Query{Text: text, ClientID: c.Client, Limit: c.Limit})
	if err != nil {
		return err
	}
	if c.JSON {
		out := make([]hitJSON, len(hits))
		for i, h := range hits {
			out[i] = hitJSON{h.ID, string(h.Kind), h.ClientID, h.Title, h.At.UTC().Format(time.RFC3339), h.Snippet}
		}
		enc := json.NewEncoder(rc.env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	if len(hits) == 0 {
		fmt.Fprintln(rc.env.Stderr, "no matches")
		return nil
	}
	tw := tabwriter.NewWriter(rc.env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KIND\tID\tTITLE\tSNIPPET")
	for _, h := range hits {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", h.Kind, h.ID, h.Title, strings.ReplaceAll(h.Snippet, "\n", " "))
	}
	return tw.Flush()
}
