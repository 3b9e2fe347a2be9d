package practice

import (
	"context"
	"iter"
	"runtime"
	"sync"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/clients"
	"github.com/calmally/practice/internal/notes"
	"github.com/calmally/practice/internal/search"
)

// searcher owns the profile's in-memory index: built in the background at
// every unlock, kept current by the notes and clients services, cleared at
// lock. Nothing of it is written to disk.
type searcher struct {
	mu    sync.Mutex
	ix    *search.Index
	ready chan struct{} // closed when the current build ends
	err   error
}

func (p *Practice) searchIndex() *searcher {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.search == nil {
		p.search = &searcher{ix: search.New(), ready: closedChan()}
		p.onLock = append(p.onLock, p.search.clear)
	}
	return p.search
}

func closedChan() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}

func (s *searcher) clear() {
	s.ix.Clear()
}

// startIndexBuild decrypts every note and client name into a fresh index,
// in the background, using every core.
func (p *Practice) startIndexBuild(ctx context.Context) {
	s := p.searchIndex()
	done := make(chan struct{})
	s.mu.Lock()
	s.ready, s.err = done, nil
	s.mu.Unlock()
	go func() {
		defer close(done)
		start := time.Now()
		err := s.ix.Build(context.WithoutCancel(ctx), p.indexDocs(ctx), runtime.NumCPU())
		s.mu.Lock()
		s.err = err
		s.mu.Unlock()
		if err != nil {
			p.log.Warn("search index build ended early", "err", err)
			return
		}
		p.log.Info("search index built", "docs", s.ix.Len(), "took", time.Since(start))
	}()
}

// indexDocs streams client names, then notes, as index documents.
func (p *Practice) indexDocs(ctx context.Context) iter.Seq2[search.Doc, error] {
	return func(yield func(search.Doc, error) bool) {
		list, err := p.clientsService(nil).List(ctx, clients.Filter{})
		if err != nil {
			yield(search.Doc{}, err)
			return
		}
		for _, c := range list.Clients {
			if !yield(clientDoc(c), nil) {
				return
			}
		}
		stop := apperr.New(apperr.Internal, "stopped")
		err = p.notesService(nil).ForEachDecrypted(ctx, func(n notes.NoteText) error {
			if !yield(search.Doc{ID: n.ID, Kind: search.Kind("note"), ClientID: n.ClientID, Title: n.Title, Body: n.Body, At: n.At}, nil) {
				return stop
			}
			return nil
		})
		if err != nil && err != stop && apperr.CodeOf(err) != apperr.Integrity {
			yield(search.Doc{}, err)
		}
	}
}

func clientDoc(c clients.Client) search.Doc {
	title := c.Name
	if c.PreferredName != "" && c.PreferredName != c.Name {
		title += " (" + c.PreferredName + ")"
	}
	return search.Doc{ID: c.ID, Kind: search.Kind("client"), ClientID: c.ID, Title: title, At: c.UpdatedAt}
}

// noteIndex adapts the index to the notes service's hook.
type noteIndex struct{ ix *search.Index }

func (n noteIndex) Put(id, kind, clientID, title, body string, at time.Time) {
	n.ix.Put(search.Doc{ID: id, Kind: search.Kind("note"), ClientID: clientID, Title: title, Body: body, At: at})
}

func (n noteIndex) Delete(id string) { n.ix.Delete(id) }

// Search runs a query over the decrypted index. It waits for an unlock-time
// build to finish (or ctx to end) so that a fresh unlock never answers
// "nothing found" merely because the index is still filling. Each search is
// audited (without its text).
func (p *Practice) Search(ctx context.Context, q search.Query) ([]search.Hit, error) {
	if _, err := p.Keys(); err != nil {
		return nil, err
	}
	s := p.searchIndex()
	s.mu.Lock()
	ready := s.ready
	s.mu.Unlock()
	select {
	case <-ready:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if _, err := p.Keys(); err != nil { // locked while we waited
		return nil, err
	}
	hits := s.ix.Search(q)
	p.record(ctx, audit.Entry{Action: audit.ActionSearch, Detail: "results=" + itoa(len(hits))})
	return hits, nil
}
