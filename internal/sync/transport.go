// Package sync is the app's side of the CalmAlly sync protocol
// (docs/sync-protocol.md): a Transport that speaks it (HTTPTransport, and
// the in-memory fake in synctest, both held to one conformance suite), and
// an Engine that drains the outbox, pulls pages into the sealed inbox and
// hands each change to an Applier.
//
// # Promises
//
//   - Nothing local is lost and nothing is applied twice: a mutation leaves
//     the outbox only when the backend answered applied or duplicate; a
//     pulled page is stored with its cursor in one transaction before any of
//     it is applied; a change at or below the version applied for its entity
//     is skipped.
//   - Mutation ids reach the backend in increasing order: a row backing off
//     holds back the rows after it.
//   - A rejected mutation is parked with the backend's code and does not
//     block the rest; a change the app refuses is recorded with its rule.
//   - No personal data is exchanged with a backend outside India unless the
//     practitioner allowed it, and then only for clients whose cross-border
//     consent is in force.
//   - Errors and logs carry codes and ids, never client data.
package sync

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/sync/wire"
	"github.com/calmally/practice/internal/vault"
)

// Transport is one backend, as the protocol describes it. Every method
// honours ctx, returns the wire shapes already validated by the wire
// decoders, and fails with a *Error (or ctx's error when ctx ended).
type Transport interface {
	// Info is GET /v1/info: no token needed.
	Info(ctx context.Context) (wire.Info, error)
	// Enrol is POST /v1/devices with a one-time enrolment code.
	Enrol(ctx context.Context, req wire.EnrolRequest) (wire.EnrolResponse, error)
	// Revoke is DELETE /v1/devices/self: the token stops working.
	Revoke(ctx context.Context, token string) error
	// Push is POST /v1/push: one result per mutation, in order.
	Push(ctx context.Context, token string, req wire.PushRequest) (wire.PushResponse, error)
	// Pull is GET /v1/pull: the changes after cursor ("" = from the start),
	// at most limit of them.
	Pull(ctx context.Context, token, cursor string, limit int) (wire.PullResponse, error)
}

// Codes the app adds to the server's (wire.Code*).
const (
	// CodeConnection: the backend could not be reached, or the connection
	// dropped, reset or timed out. Retryable.
	CodeConnection = "connection"
	// CodeProtocol: the answer was outside the contract (too large, not
	// JSON, a broken rule). Retryable: the server may be mid-deploy.
	CodeProtocol = "protocol"
	// CodeRegionRefused: the backend keeps data outside India and the
	// practitioner did not allow it.
	CodeRegionRefused = "region_refused"
	// CodeNotEnrolled: there is no device token; enrol first.
	CodeNotEnrolled = "not_enrolled"
	// CodeInsecureURL: the backend URL is not https (or plain http to a
	// loopback address in development mode).
	CodeInsecureURL = "insecure_url"
)

// Error is a failed exchange with the backend. Code is the server's error
// code or one of the app's (CodeConnection, CodeProtocol, ...); Status is
// the HTTP status (0 when none arrived); Retryable says whether the same
// request may succeed later as it is; RetryAfter is the server's
// Retry-After, a floor for the next attempt (0 when absent).
type Error struct {
	Code       string
	Status     int
	Retryable  bool
	RetryAfter time.Duration
	Message    string // the server's or the app's words: no client data
	Err        error  // cause, for errors.Is; never shown
}

func (e *Error) Error() string {
	s := "sync: " + e.Code
	if e.Status != 0 {
		s += fmt.Sprintf(" (HTTP %d)", e.Status)
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// AsError returns err's *Error, if it has one.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Codes of rounds that stopped for a local reason; they are not the
// backend's fault and are not recorded as the last error.
const (
	CodeCancelled = "cancelled" // the context ended (the app quit, sync stopped)
	CodeLocked    = "locked"    // the vault locked during the round
)

// CodeOfErr is err's sync code: the *Error's code, CodeCancelled or
// CodeLocked for a round stopped here, or "internal".
func CodeOfErr(err error) string {
	if e, ok := AsError(err); ok {
		return e.Code
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return CodeCancelled
	}
	if errors.Is(err, vault.ErrLocked) || apperr.CodeOf(err) == apperr.Locked {
		return CodeLocked
	}
	return "internal"
}

// retryableStatus is the protocol's table of statuses worth trying again.
func retryableStatus(status int) bool {
	switch status {
	case 408, 429, 500, 502, 503, 504:
		return true
	}
	return false
}

// defaultCode names a failure whose body was not a valid error document.
func defaultCode(status int) string {
	switch {
	case status == 401:
		return wire.CodeUnauthorized
	case status == 426:
		return wire.CodeUnsupported
	case status == 429:
		return wire.CodeRateLimited
	case status == 503:
		return wire.CodeUnavailable
	case status >= 500:
		return wire.CodeInternal
	case status == 403:
		return "forbidden"
	case status == 404:
		return "not_found"
	}
	return wire.CodeInvalid
}
