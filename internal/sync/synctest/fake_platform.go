package synctest

import (
	"encoding/json"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/calmally/practice/internal/sync/wire"
)

// fakeFaults are the reference backend's faults (internal/backend
// FaultState), counted down the same way. Guarded by Fake.mu.
type fakeFaults struct {
	failNext       int
	failStatus     int
	failPath       string
	retryAfter     time.Duration
	DropAfterPush  int
	DuplicatePages int
	ReversePages   int
}

func (s *fakeFaults) takeFailure(path string) (int, time.Duration, bool) {
	if s.failNext == 0 || s.failPath != "" && s.failPath != path {
		return 0, 0, false
	}
	s.failNext--
	return s.failStatus, s.retryAfter, true
}

func take(c *int) bool {
	if *c == 0 {
		return false
	}
	*c--
	return true
}

var codeCounter atomic.Int64

// The platform's side of the fake: what the platform does on its own, and
// the faults. It implements Platform.

// EnrolmentCode registers a new one-time code.
func (f *Fake) EnrolmentCode(t testing.TB) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	code := "FAKE-" + strconv.FormatInt(codeCounter.Add(1), 10)
	f.codes[code] = true
	return code
}

// PutBooking adds or replaces a platform booking.
func (f *Fake) PutBooking(t testing.TB, b wire.Booking) {
	t.Helper()
	f.Put(t, wire.TypeBooking, b.ID, b)
}

// Put stores data (any JSON object) as the next version of an entity.
func (f *Fake) Put(t testing.TB, typ, id string, data any) {
	t.Helper()
	raw, err := json.Marshal(data)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.put(typ, id, m, false)
}

// DeleteBooking tombstones a booking.
func (f *Fake) DeleteBooking(t testing.TB, id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.entities[wire.TypeBooking+"/"+id] == nil {
		t.Fatalf("fake: no booking %s", id)
	}
	f.put(wire.TypeBooking, id, nil, true)
}

// Booking returns a booking's platform state and version.
func (f *Fake) Booking(t testing.TB, id string) (wire.Booking, int64, bool) {
	t.Helper()
	f.mu.Lock()
	e := f.entities[wire.TypeBooking+"/"+id]
	var v int64
	var data map[string]any
	if e != nil {
		v, data = e.version, e.data
	}
	f.mu.Unlock()
	if e == nil || data == nil {
		return wire.Booking{}, v, false
	}
	raw, _ := json.Marshal(data)
	var b wire.Booking
	if err := json.Unmarshal(raw, &b); err != nil {
		t.Fatal(err)
	}
	return b, v, true
}

// RevokeDevice revokes a device as the therapist would on the web.
func (f *Fake) RevokeDevice(t testing.TB, deviceID string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	d := f.devices[deviceID]
	if d == nil {
		t.Fatalf("fake: no device %s", deviceID)
	}
	d.revoked = true
}

// FailNext makes the next n requests to path ("" any) answer status.
func (f *Fake) FailNext(t testing.TB, path string, n, status int, retryAfter time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults.failNext, f.faults.failStatus, f.faults.failPath, f.faults.retryAfter = n, status, path, retryAfter
}

// DropAfterPush makes the next n pushes commit and then fail as a dropped
// connection.
func (f *Fake) DropAfterPush(t testing.TB, n int) { f.setCount(&f.faults.DropAfterPush, n) }

// DuplicatePages makes the next n pages re-include the page before.
func (f *Fake) DuplicatePages(t testing.TB, n int) { f.setCount(&f.faults.DuplicatePages, n) }

// ReversePages makes the next n pages list their changes in reverse.
func (f *Fake) ReversePages(t testing.TB, n int) { f.setCount(&f.faults.ReversePages, n) }

func (f *Fake) setCount(c *int, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	*c = n
}

// Calls counts the requests made to path (injected failures included).
func (f *Fake) Calls(path string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[path]
}
