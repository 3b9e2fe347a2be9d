package practice

import (
	"context"
	"testing"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/clients"
	"github.com/calmally/practice/internal/notes"
	"github.com/calmally/practice/internal/search"
)

func init() {
	// Searching with the marker must leave nothing on disk either.
	LeakProbes = append(LeakProbes, func(t *testing.T, p *Practice, marker string) {
		if _, err := p.Search(context.Background(), search.Query{Text: marker}); err != nil {
			t.Fatalf("search probe: %v", err)
		}
	})
}

func TestSearchFollowsTheVault(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.open(t)
	mustCreate(t, p, false)
	c, err := p.Clients().Create(ctx, clients.Input{Name: "आशा वर्मा", DateOfBirth: "1990-05-01"}, clients.SourceClinic)
	if err != nil {
		t.Fatal(err)
	}
	grantHealthData(t, p, c.ID)
	n, err := p.Notes().Create(ctx, notes.NewNote{ClientID: c.ID, TemplateID: notes.TemplateSOAP, Title: "Séance review",
		Sections: map[string]string{"subjective": "Spoke about चिंता at work and a café meeting."}})
	if err != nil {
		t.Fatal(err)
	}
	find := func(q string) []search.Hit {
		t.Helper()
		hits, err := p.Search(ctx, search.Query{Text: q})
		if err != nil {
			t.Fatal(err)
		}
		return hits
	}
	if h := find("cafe"); len(h) != 1 || h[0].ID != n.ID {
		t.Fatalf("accent-folded search: %+v", h)
	}
	if h := find("चिं"); len(h) != 1 || h[0].ID != n.ID {
		t.Fatalf("Devanagari prefix search: %+v", h)
	}
	if h := find("आशा"); len(h) != 1 || h[0].ID != c.ID {
		t.Fatalf("client name search: %+v", h)
	}

	p.Lock(ctx, "user")
	if _, err := p.Search(ctx, search.Query{Text: "cafe"}); apperr.CodeOf(err) != apperr.Locked {
		t.Fatalf("search while locked = %v", err)
	}
	if p.searchIndex().ix.Len() != 0 {
		t.Fatal("index not cleared at lock")
	}
	// Unlocking rebuilds the index from the sealed records.
	if err := p.Unlock(ctx, []byte(goodPass)); err != nil {
		t.Fatal(err)
	}
	if h := find("café"); len(h) != 1 || h[0].ID != n.ID {
		t.Fatalf("after unlock: %+v", h)
	}
}
