package backend

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/calmally/practice/internal/sync/wire"
)

// testClock is the injected clock: it moves only when a test says so.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *testClock { return &testClock{now: time.Date(2025, 3, 3, 4, 30, 0, 0, time.UTC)} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func newBackend(t *testing.T) (*Backend, *testClock) {
	t.Helper()
	clock := newClock()
	b, err := Open(context.Background(), Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b, clock
}

// enrol makes a device for b's therapist and returns it with its token.
func enrol(t *testing.T, b *Backend) (Device, string) {
	t.Helper()
	ctx := context.Background()
	code, _, err := b.IssueEnrolmentCode(ctx)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := b.Enrol(ctx, wire.EnrolRequest{EnrolmentCode: code, DeviceName: "Test laptop"})
	if err != nil {
		t.Fatal(err)
	}
	dev, err := b.Authenticate(ctx, resp.Token)
	if err != nil {
		t.Fatal(err)
	}
	return dev, resp.Token
}

func mut(id int64, kind, entity string, payload map[string]any) wire.Mutation {
	if payload == nil {
		payload = map[string]any{}
	}
	return wire.Mutation{ID: id, Kind: kind, EntityID: entity, At: time.Date(2025, 3, 3, 4, 0, 0, 0, time.UTC), Payload: payload}
}

func push(t *testing.T, b *Backend, dev Device, muts ...wire.Mutation) wire.PushResponse {
	t.Helper()
	resp, err := b.Push(context.Background(), dev, wire.PushRequest{DeviceID: dev.ID, Mutations: muts})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Results) != len(muts) {
		t.Fatalf("%d results for %d mutations", len(resp.Results), len(muts))
	}
	return resp
}

// pushOne pushes one mutation and returns its status and code.
func pushOne(t *testing.T, b *Backend, dev Device, m wire.Mutation) (string, string) {
	t.Helper()
	r := push(t, b, dev, m).Results[0]
	return r.Status, r.Code
}

// pullAll walks every page from the beginning with the given page size.
func pullAll(t *testing.T, b *Backend, dev Device, limit int) []wire.Change {
	t.Helper()
	var out []wire.Change
	cursor := ""
	for i := 0; ; i++ {
		if i > 100000 {
			t.Fatal("pull never ends")
		}
		p, err := b.Pull(context.Background(), dev, cursor, limit)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p.Changes...)
		cursor = p.Cursor
		if !p.More {
			return out
		}
	}
}

// latest keeps the highest version of each entity, as the app does.
func latest(changes []wire.Change) map[string]wire.Change {
	m := map[string]wire.Change{}
	for _, c := range changes {
		k := c.Type + "/" + c.ID
		if c.Version > m[k].Version {
			m[k] = c
		}
	}
	return m
}

// entityData reads an entity's current data as v.
func entityData(t *testing.T, b *Backend, typ, id string, v any) EntityState {
	t.Helper()
	e, err := b.Entity(context.Background(), typ, id)
	if err != nil {
		t.Fatal(err)
	}
	if v != nil && e.Data != nil {
		if err := json.Unmarshal(e.Data, v); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

func bookingPayloadFor(id, status, payment string) map[string]any {
	return map[string]any{"bookingId": id, "rev": 2, "status": status, "paymentStatus": payment, "at": "2025-03-03T04:00:00Z"}
}
