package audit

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Recorder records events. Services depend on this, not on the store, so
// the only way in is through Event and its checked Detail.
type Recorder interface {
	Record(ctx context.Context, ev Event) error
}

// Store is the storage a Trail needs; internal/store's *DB satisfies it.
// AppendAudit assigns Seq and the MACs in one transaction; AppendPendingAudit
// keeps an entry written while locked; AbsorbPendingAudit moves the pending
// entries into the keyed chain in one transaction and reports how many.
type Store interface {
	AppendAudit(ctx context.Context, c *Chain, e Entry) (Entry, error)
	AppendPendingAudit(ctx context.Context, e Entry) error
	AbsorbPendingAudit(ctx context.Context, c *Chain) (int, error)
}

// Trail is the Recorder for one profile. While locked it writes to the
// pending list; Unlock absorbs that list and switches to the keyed chain.
// Entries that must commit with a domain change are appended by the service
// inside its own transaction instead (store.AppendAuditTx), using Event.Entry.
type Trail struct {
	store Store
	actor string
	now   func() time.Time

	mu    sync.Mutex
	chain *Chain
}

// NewTrail returns a locked Trail recording as actor (a practitioner or device
// id) at times from now.
func NewTrail(s Store, actor string, now func() time.Time) (*Trail, error) {
	if s == nil || now == nil {
		return nil, errors.New("audit: new trail: store and clock are required")
	}
	if actor == "" || !validID(actor) {
		return nil, fmt.Errorf("%w: actor must be an id", ErrInvalid)
	}
	return &Trail{store: s, actor: actor, now: now}, nil
}

// Unlock keys the trail with the vault's audit subkey and absorbs the entries
// recorded while locked, returning how many.
func (t *Trail) Unlock(ctx context.Context, key []byte) (int, error) {
	c := NewChain(key)
	t.mu.Lock()
	defer t.mu.Unlock()
	n, err := t.store.AbsorbPendingAudit(ctx, c)
	if err != nil {
		return 0, fmt.Errorf("audit: absorb pending entries: %w", err)
	}
	t.chain = c
	return n, nil
}

// Lock drops the keyed chain; later entries go to the pending list. The key
// is not overwritten in place, because a service may still be finishing a
// transaction with the Chain it was handed; the memory is released with the
// last reference (Go gives no stronger guarantee for HMAC key copies).
func (t *Trail) Lock() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.chain = nil
}

// Chain returns the keyed chain, or nil while locked, for services that append
// inside their own transactions.
func (t *Trail) Chain() *Chain {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.chain
}

// Actor is the id entries are recorded under.
func (t *Trail) Actor() string { return t.actor }

// Entry builds a checked entry for ev, now, by this trail's actor.
func (t *Trail) Entry(ev Event) (Entry, error) { return ev.Entry(t.now(), t.actor) }

// Record appends ev to the keyed chain, or to the pending list while locked.
func (t *Trail) Record(ctx context.Context, ev Event) error {
	e, err := t.Entry(ev)
	if err != nil {
		return err
	}
	// Hold the lock across the write so that Unlock's absorption and this
	// entry cannot interleave: pending entries always precede keyed ones.
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.chain == nil {
		return t.store.AppendPendingAudit(ctx, e)
	}
	_, err = t.store.AppendAudit(ctx, t.chain, e)
	return err
}
