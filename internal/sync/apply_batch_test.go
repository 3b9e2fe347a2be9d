package sync_test

import (
	"context"
	"testing"
	"time"

	"github.com/calmally/practice/internal/store"
	"github.com/calmally/practice/internal/sync"
	"github.com/calmally/practice/internal/sync/synctest"
	"github.com/calmally/practice/internal/sync/wire"
)

// poolApplier is a GroupApplier with the bug the page limit guards
// against: it reads through the pool while the engine's batch holds the
// only connection.
type poolApplier struct {
	*recApplier
	db *store.DB
}

func (a poolApplier) ApplyGroup(ctx context.Context, cs []wire.Change) []error {
	var one int
	err := a.db.SQL().QueryRowContext(ctx, `SELECT 1`).Scan(&one)
	errs := make([]error, len(cs))
	for i := range errs {
		errs[i] = err
	}
	return errs
}

// TestPageWaitingOnItsOwnConnectionFails: an applier that waits for the
// connection its page's batch holds fails the page at the limit instead
// of hanging: nothing applied or settled, the database usable again, and
// a good applier then applies the page.
func TestPageWaitingOnItsOwnConnectionFails(t *testing.T) {
	defer sync.SetPageApplyLimit(300 * time.Millisecond)()
	e := newEnv(t, backends[1].start(t, synctest.Options{}))
	e.putBookings(t, 5)
	bad := e.engine(t, func(c *sync.Config) { c.Applier = poolApplier{recApplier: e.app, db: e.db} })
	done := make(chan error, 1)
	go func() { _, err := bad.Round(e.ctx); done <- err }()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("the round succeeded")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the round hung on the connection its own batch holds")
	}
	if c := e.counts(t); c.Inbox != 5 {
		t.Fatalf("inbox %+v, want the page's 5 changes", c)
	}
	sum := round(t, e.engine(t, nil))
	if sum.Applied != 5 || e.app.count() != 5 {
		t.Fatalf("round %+v, %d applied", sum, e.app.count())
	}
}
