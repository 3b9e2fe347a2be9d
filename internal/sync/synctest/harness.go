// Package synctest holds what tests of sync share: the conformance suite
// every sync.Transport must pass (Run), and Fake, an in-memory backend that
// passes it beside the HTTP transport talking to the reference backend.
package synctest

import (
	"testing"
	"time"

	"github.com/calmally/practice/internal/sync"
	"github.com/calmally/practice/internal/sync/wire"
)

// Platform is the backend's own side, which the protocol does not expose:
// what the platform does by itself (clients booking, cancelling), the
// therapist's account on the web (enrolment codes, revoking a device), and
// fault injection. Each implementation fails t on its own errors.
type Platform interface {
	EnrolmentCode(t testing.TB) string
	PutBooking(t testing.TB, b wire.Booking)
	DeleteBooking(t testing.TB, id string)
	// Booking returns the platform's state of a booking and its version
	// (ok false if it does not exist or was deleted).
	Booking(t testing.TB, id string) (b wire.Booking, version int64, ok bool)
	RevokeDevice(t testing.TB, deviceID string)

	FailNext(t testing.TB, path string, n, status int, retryAfter time.Duration)
	DropAfterPush(t testing.TB, n int)
	DuplicatePages(t testing.TB, n int)
	ReversePages(t testing.TB, n int)
}

// Options shape the backend a harness starts.
type Options struct {
	Region      string // default "IN"
	MinProtocol int    // default wire.Protocol
}

// Harness is one backend and the transport that reaches it.
type Harness struct {
	Transport sync.Transport
	Platform  Platform
}

// NewHarness starts a fresh, empty backend for one test (clean-up through
// t.Cleanup).
type NewHarness func(t *testing.T, o Options) Harness
