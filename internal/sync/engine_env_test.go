package sync_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	gosync "sync"
	"testing"
	"time"

	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/ids"
	"github.com/calmally/practice/internal/store"
	"github.com/calmally/practice/internal/sync"
	"github.com/calmally/practice/internal/sync/synctest"
	"github.com/calmally/practice/internal/sync/wire"
	"github.com/calmally/practice/internal/vault"
)

var (
	keysOnce gosync.Once
	keys     *vault.Keys
)

// testKeys is one vault for the whole test binary (the KDF is slow even at
// its minimum cost).
func testKeys(t testing.TB) *vault.Keys {
	t.Helper()
	keysOnce.Do(func() {
		_, k, _, err := vault.Create([]byte("correct horse battery staple orchard"), nil, vault.MinimumKDF())
		if err != nil {
			panic(err)
		}
		keys = k
	})
	return keys
}

// backends are the two the engine is tested against: the reference backend
// over TLS on loopback (through the HTTP transport), and the fake.
var backends = []struct {
	name  string
	start func(t testing.TB, o synctest.Options) synctest.Harness
}{
	{"reference", func(t testing.TB, o synctest.Options) synctest.Harness {
		r := startRef(t, o)
		return synctest.Harness{Transport: r.transport, Platform: refPlatform{r.backend}}
	}},
	{"fake", func(t testing.TB, o synctest.Options) synctest.Harness {
		f := synctest.NewFake(synctest.FakeOptions{Region: o.Region, MinProtocol: o.MinProtocol})
		return synctest.Harness{Transport: f, Platform: f}
	}},
}

// forEachBackend runs fn as a subtest against each backend.
func forEachBackend(t *testing.T, fn func(t *testing.T, start func(testing.TB, synctest.Options) synctest.Harness)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { fn(t, b.start) })
	}
}

type clock struct {
	mu gosync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// env is one profile's database enrolled with one backend.
type env struct {
	ctx   context.Context
	path  string
	db    *store.DB
	sync  *store.SyncStore
	chain *audit.Chain
	keys  *vault.Keys
	h     synctest.Harness
	dev   wire.EnrolResponse
	clock *clock
	app   *recApplier
}

func newEnv(t *testing.T, h synctest.Harness) *env {
	t.Helper()
	e := &env{ctx: context.Background(), path: filepath.Join(t.TempDir(), store.FileName), keys: testKeys(t), h: h,
		clock: &clock{t: time.Now().UTC()}, app: newRecApplier()}
	e.chain = audit.NewChain(e.keys.Subkey("audit-mac"))
	e.open(t)
	if _, err := e.db.AppendAudit(e.ctx, e.chain, audit.Entry{At: e.clock.Now(), Actor: "test", Action: audit.ActionVaultCreated}); err != nil {
		t.Fatal(err)
	}
	dev, err := h.Transport.Enrol(e.ctx, wire.EnrolRequest{EnrolmentCode: h.Platform.EnrolmentCode(t), DeviceName: "Test laptop"})
	if err != nil {
		t.Fatal(err)
	}
	e.dev = dev
	st := store.SyncState{BackendURL: "https://sync.example.in", DeviceID: dev.DeviceID, TherapistID: dev.TherapistID, EnrolledAt: e.clock.Now()}
	if err := e.sync.Enrol(e.ctx, st, e.chain, audit.Entry{At: e.clock.Now(), Actor: "test", Action: audit.ActionSync, Detail: "op=enrol"}); err != nil {
		t.Fatal(err)
	}
	return e
}

// open (re)opens the database, as a restarted app does.
func (e *env) open(t *testing.T) {
	t.Helper()
	db, err := store.Open(e.ctx, e.path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e.db, e.sync = db, store.NewSyncStore(db)
}

func (e *env) restart(t *testing.T) {
	t.Helper()
	if err := e.db.Close(); err != nil {
		t.Fatal(err)
	}
	e.open(t)
}

func (e *env) engine(t *testing.T, mod func(*sync.Config)) *sync.Engine {
	t.Helper()
	cfg := sync.Config{
		Transport: e.h.Transport,
		Store:     e.sync,
		Keys:      func() (sync.Sealer, error) { return e.keys, nil },
		Applier:   e.app,
		Token:     func(context.Context) (string, error) { return e.dev.Token, nil },
		Now:       e.clock.Now,
		Rand:      func() float64 { return 0.5 },
	}
	if mod != nil {
		mod(&cfg)
	}
	eng, err := sync.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return eng
}

// queue writes a sealed outbox row, as a domain service would.
func (e *env) queue(t testing.TB, kind, entity string, payload map[string]any) string {
	t.Helper()
	id := ids.New(e.clock.Now())
	plain, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	env, err := e.keys.Seal(store.OutboxPayloadAD(id), plain)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.sync.QueueMutation(e.ctx, id, kind, entity, env, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	return id
}

// confirm queues a booking confirmation.
func (e *env) confirm(t testing.TB, bookingID string) string {
	t.Helper()
	m := synctest.Move(0, wire.KindBookingConfirm, bookingID, "confirmed", e.clock.Now())
	return e.queue(t, m.Kind, m.EntityID, m.Payload)
}

func (e *env) counts(t testing.TB) store.SyncCounts {
	t.Helper()
	c, err := e.sync.Counts(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (e *env) putBookings(t testing.TB, n int) []wire.Booking {
	t.Helper()
	out := make([]wire.Booking, n)
	for i := range out {
		out[i] = synctest.Booking(e.clock.Now(), 24+i)
		e.h.Platform.PutBooking(t, out[i])
	}
	return out
}

// recApplier is an Applier that keeps the latest state of each entity and
// counts every application of each (type, id, version), so a test can tell
// a change applied twice from one applied once.
type recApplier struct {
	mu      gosync.Mutex
	state   map[string]wire.Change
	applied map[string]int // type/id@version → times
	calls   int
	// hook, when set, runs before each application; an error it returns is
	// Apply's.
	hook func(c wire.Change, call int) error
}

func newRecApplier() *recApplier {
	return &recApplier{state: map[string]wire.Change{}, applied: map[string]int{}}
}

func (a *recApplier) Apply(ctx context.Context, c wire.Change) error {
	a.mu.Lock()
	a.calls++
	call, hook := a.calls, a.hook
	a.mu.Unlock()
	if hook != nil {
		if err := hook(c, call); err != nil {
			return err
		}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	k := c.Type + "/" + c.ID
	if prev, ok := a.state[k]; ok && prev.Version >= c.Version {
		return errors.New("test applier: a stale change reached the applier")
	}
	a.state[k] = c
	a.applied[k+"@"+itoa(c.Version)]++
	return nil
}

func itoa(v int64) string { b, _ := json.Marshal(v); return string(b) }

// once checks every application happened exactly once.
func (a *recApplier) once(t *testing.T) {
	t.Helper()
	a.mu.Lock()
	defer a.mu.Unlock()
	for k, n := range a.applied {
		if n != 1 {
			t.Errorf("%s applied %d times", k, n)
		}
	}
}

func (a *recApplier) status(id string) (string, int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	c := a.state[wire.TypeBooking+"/"+id]
	s, _ := c.Data["status"].(string)
	if c.Deleted {
		s = "deleted"
	}
	return s, c.Version
}

func (a *recApplier) count() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.state)
}

func auditEntry(e *env) audit.Entry {
	return audit.Entry{At: e.clock.Now(), Actor: "test", Action: audit.ActionSync, Detail: "op=test"}
}
