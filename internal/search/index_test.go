package search

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"sync"
	"testing"
)

func TestPutDelete(t *testing.T) {
	ix := New()
	steps := []struct {
		name  string
		do    func()
		len   int
		query string
		want  []string
	}{
		{"put", func() { ix.Put(note("a", "Intake", "panic attacks at work", 1)) }, 1, "panic", []string{"a"}},
		{"put another", func() { ix.Put(note("b", "Session", "panic eased", 2)) }, 2, "panic", []string{"a", "b"}},
		{"replace drops the old text", func() { ix.Put(note("a", "Intake", "sleep problems", 3)) }, 2, "panic", []string{"b"}},
		{"replace adds the new text", func() {}, 2, "sleep", []string{"a"}},
		{"replace with new words", func() { ix.Put(note("b", "Session", "xenial zebra", 4)) }, 2, "zeb", []string{"b"}},
		{"delete", func() { ix.Delete("a") }, 1, "sleep", []string{}},
		{"delete unknown", func() { ix.Delete("nope") }, 1, "zebra", []string{"b"}},
		{"empty ID ignored", func() { ix.Put(Doc{Body: "zebra"}) }, 1, "zebra", []string{"b"}},
		{"put after delete", func() { ix.Put(note("a", "Again", "panic", 5)) }, 2, "panic", []string{"a"}},
	}
	for _, s := range steps {
		s.do()
		if got := ix.Len(); got != s.len {
			t.Errorf("%s: Len = %d, want %d", s.name, got, s.len)
		}
		if got := search(ix, s.query); !sameSet(got, s.want) {
			t.Errorf("%s: Search(%q) = %q, want %q", s.name, s.query, got, s.want)
		}
	}
}

func TestZeroIndex(t *testing.T) {
	var ix Index
	if ix.Len() != 0 || ix.Search(Query{Text: "a"}) != nil {
		t.Fatal("zero Index is not empty")
	}
	ix.Delete("x")
	ix.Clear()
	ix.Put(note("x", "", "hello", 1))
	if got := search(&ix, "hello"); !slices.Equal(got, []string{"x"}) {
		t.Fatalf("Search = %q", got)
	}
}

func TestClear(t *testing.T) {
	ix := built(t, note("a", "Panic", "panic at night", 1), note("b", "", "चिंता", 2))
	ix.Clear()
	if n := ix.Len(); n != 0 {
		t.Errorf("Len after Clear = %d", n)
	}
	for _, q := range []string{"panic", "p", "चिंता", "a"} {
		if hits := ix.Search(Query{Text: q}); len(hits) != 0 {
			t.Errorf("Search(%q) after Clear = %q", q, ids(hits))
		}
	}
	ix.Put(note("c", "", "panic", 3))
	if got := search(ix, "panic"); !slices.Equal(got, []string{"c"}) {
		t.Errorf("Search after Clear and Put = %q", got)
	}
}

func TestBuildReplacesContents(t *testing.T) {
	ix := built(t, note("old", "", "panic", 1))
	if err := ix.Build(context.Background(), All([]Doc{note("new", "", "panic", 2), note("dup", "", "first", 3), note("dup", "", "second", 4)}), 3); err != nil {
		t.Fatal(err)
	}
	if got := search(ix, "panic"); !slices.Equal(got, []string{"new"}) {
		t.Errorf("Search(panic) = %q, want [new]", got)
	}
	if got := search(ix, "first"); len(got) != 0 {
		t.Errorf("a repeated ID kept its first version: %q", got)
	}
	if got := search(ix, "second"); !slices.Equal(got, []string{"dup"}) {
		t.Errorf("Search(second) = %q, want [dup]", got)
	}
	if ix.Len() != 2 {
		t.Errorf("Len = %d, want 2", ix.Len())
	}
}

func TestBuildFailureKeepsIndex(t *testing.T) {
	boom := errors.New("decrypt failed")
	failing := func(yield func(Doc, error) bool) {
		if yield(note("x", "", "zebra", 1), nil) {
			yield(Doc{}, boom)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		docs iter.Seq2[Doc, error]
		want error
	}{
		{"loader error", context.Background(), failing, boom},
		{"cancelled", ctx, All(manyNotes(1000)), context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ix := built(t, note("kept", "", "panic", 1))
			if err := ix.Build(tt.ctx, tt.docs, 2); !errors.Is(err, tt.want) {
				t.Fatalf("Build error = %v, want %v", err, tt.want)
			}
			if got := search(ix, "panic"); !slices.Equal(got, []string{"kept"}) {
				t.Errorf("index changed after a failed build: %q", got)
			}
			// A later Put must not be journalled forever.
			ix.Put(note("p", "", "panic", 2))
			if ix.Len() != 2 {
				t.Errorf("Len = %d, want 2", ix.Len())
			}
		})
	}
}

func manyNotes(n int) []Doc {
	docs := make([]Doc, n)
	for i := range docs {
		docs[i] = note(fmt.Sprintf("n%d", i), "Session", fmt.Sprintf("note number w%d about sleep", i), i)
	}
	return docs
}

// pausing yields docs and, halfway, waits until the test has done its work:
// what happens to saves and locks in the middle of an unlock build.
func pausing(docs []Doc, halfway func()) iter.Seq2[Doc, error] {
	return func(yield func(Doc, error) bool) {
		for i, d := range docs {
			if i == len(docs)/2 {
				halfway()
			}
			if !yield(d, nil) {
				return
			}
		}
	}
}

func TestPutAndDeleteDuringBuild(t *testing.T) {
	ix := New()
	loaded := []Doc{
		note("a", "", "old text of a", 1),
		note("b", "", "text of b", 2),
		note("c", "", "text of c", 3),
		note("d", "", "text of d", 4),
	}
	err := ix.Build(context.Background(), pausing(loaded, func() {
		ix.Put(note("a", "", "new text of a", 5)) // saved after the loader read it
		ix.Put(note("e", "", "text of e", 6))     // created during the build
		ix.Delete("c")                            // deleted before the loader reached it
		// Searches keep working on the previous contents meanwhile.
		ix.Search(Query{Text: "text"})
	}), 2)
	if err != nil {
		t.Fatal(err)
	}
	if got := search(ix, "text"); !sameSet(got, []string{"a", "b", "d", "e"}) {
		t.Errorf("Search(text) = %q, want [a b d e]", got)
	}
	if got := search(ix, "old"); len(got) != 0 {
		t.Errorf("the loader's stale copy of a won: %q", got)
	}
	if got := search(ix, "new"); !slices.Equal(got, []string{"a"}) {
		t.Errorf("Search(new) = %q, want [a]", got)
	}
	if ix.Len() != 4 {
		t.Errorf("Len = %d, want 4", ix.Len())
	}
}

func TestClearDuringBuild(t *testing.T) {
	ix := New()
	err := ix.Build(context.Background(), pausing(manyNotes(10), ix.Clear), 2)
	if !errors.Is(err, ErrSuperseded) {
		t.Fatalf("Build error = %v, want ErrSuperseded", err)
	}
	if ix.Len() != 0 || len(search(ix, "sleep")) != 0 {
		t.Error("a build that was running at lock filled the index afterwards")
	}
}

// Replacing notes again and again leaves dead postings behind; compaction
// must keep results right and the document count bounded.
func TestCompaction(t *testing.T) {
	ix := built(t, manyNotes(100)...)
	for i := range 2000 {
		ix.Put(note(fmt.Sprintf("n%d", i%100), "Session", fmt.Sprintf("rewritten v%d about sleep", i), 1000+i))
	}
	if ix.Len() != 100 {
		t.Fatalf("Len = %d, want 100", ix.Len())
	}
	ix.mu.RLock()
	docs := len(ix.st.docs)
	ix.mu.RUnlock()
	if docs > 100+256+100 {
		t.Errorf("%d document slots for 100 documents: dead ones are not compacted", docs)
	}
	if got := search(ix, "v1999"); !slices.Equal(got, []string{"n99"}) {
		t.Errorf("Search(v1999) = %q, want [n99]", got)
	}
	if got := search(ix, "v5"); len(got) != 0 {
		t.Errorf("an old version is still found: %q", got)
	}
	if got := ix.Search(Query{Text: "sleep", Limit: 1000}); len(got) != 100 {
		t.Errorf("Search(sleep) found %d, want 100", len(got))
	}
	if got := search(ix, "w5"); len(got) != 0 {
		t.Errorf("the built version is still found: %q", got)
	}
}

// Searches run while the index is rebuilt, saved to and cleared; run with
// -race.
func TestConcurrentUse(t *testing.T) {
	docs := makeCorpus(1000, 3)
	ix := built(t, docs[:500]...)
	queries := benchQueries(50)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for w := range 3 {
		wg.Go(func() {
			for i := w; ctx.Err() == nil; i++ {
				for _, h := range ix.Search(Query{Text: queries[i%len(queries)]}) {
					checkHighlights(t, queries[i%len(queries)], h)
				}
				ix.Len()
			}
		})
	}
	wg.Go(func() {
		for i := 0; ctx.Err() == nil; i++ {
			d := docs[i%len(docs)]
			if i%7 == 0 {
				ix.Delete(d.ID)
			} else {
				ix.Put(d)
			}
		}
	})
	for range 2 {
		if err := ix.Build(context.Background(), All(docs), 2); err != nil {
			t.Error(err)
		}
	}
	ix.Clear()
	if err := ix.Build(context.Background(), All(docs), 2); err != nil {
		t.Error(err)
	}
	cancel()
	wg.Wait()
	if n := ix.Len(); n == 0 || n > len(docs) {
		t.Errorf("Len = %d", n)
	}
}
