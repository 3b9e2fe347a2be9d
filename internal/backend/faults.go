package backend

import (
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/calmally/practice/internal/sync/wire"
)

// FaultState is the set of faults in force. Counters count down by one each
// time their fault fires, so a test that sets "fail the next 2 requests"
// knows exactly which requests fail. Faults apply to /v1/ only; /admin/ is
// never slowed or failed.
type FaultState struct {
	// Latency is added before every /v1/ request is handled (real time:
	// it stands for the network).
	Latency time.Duration
	// FailNext requests answer FailStatus (429, 500, 503, ...) without
	// being handled. FailPath limits them to one endpoint path (e.g.
	// "/v1/push"), or to every path below it when it ends in "/" (e.g.
	// "/v1/backups/"); "" means any. RetryAfter, when above zero, is sent as
	// Retry-After in whole seconds (rounded up).
	FailNext   int
	FailStatus int
	FailPath   string
	RetryAfter time.Duration
	// DropAfterPush pushes are committed and then answered with a closed
	// connection and no response (the app must retry; the retry is a
	// duplicate).
	DropAfterPush int
	// DuplicatePages pull pages re-include the changes of the page before
	// them (taking at most half the limit in new changes, so paging still
	// moves forward).
	DuplicatePages int
	// ReversePages pull pages list their changes in reverse sequence order.
	ReversePages int
	// DropAfterUpload backup uploads are stored and then answered with a
	// closed connection (the app's retry is answered 200: already stored).
	DropAfterUpload int
	// CutUploads backup uploads are cut off half-way through their body:
	// the connection closes and nothing is stored.
	CutUploads int
	// CorruptDownloads backup downloads have one byte of their body
	// changed (headers as for the true file).
	CorruptDownloads int
	// TruncateDownloads backup downloads stop half-way and the connection
	// closes.
	TruncateDownloads int
}

// Faults injects faults into the HTTP face of a backend. The zero value
// injects none. Safe for concurrent use.
type Faults struct {
	mu sync.Mutex
	s  FaultState
}

// Set replaces the faults in force after checking them.
func (f *Faults) Set(s FaultState) error {
	if err := s.check(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.s = s
	return nil
}

func (s FaultState) check() error {
	switch {
	case s.Latency < 0 || s.Latency > time.Minute:
		return errors.New("backend: faults: latency must be 0 to 60 s")
	case s.FailNext < 0 || s.DropAfterPush < 0 || s.DuplicatePages < 0 || s.ReversePages < 0 ||
		s.DropAfterUpload < 0 || s.CutUploads < 0 || s.CorruptDownloads < 0 || s.TruncateDownloads < 0:
		return errors.New("backend: faults: counts cannot be negative")
	case s.FailNext > 0 && (s.FailStatus < 400 || s.FailStatus > 599):
		return errors.New("backend: faults: failStatus must be an HTTP error status (400-599)")
	case s.RetryAfter < 0 || s.RetryAfter > 24*time.Hour:
		return errors.New("backend: faults: retryAfter must be 0 to 24 h")
	case s.FailPath != "" && !strings.HasPrefix(s.FailPath, "/v1/"):
		return errors.New("backend: faults: failPath must be a /v1/ path")
	}
	return nil
}

// State returns the faults in force now (counters as they stand).
func (f *Faults) State() FaultState {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.s
}

// Reset removes every fault.
func (f *Faults) Reset() { _ = f.Set(FaultState{}) }

// SetLatency adds d before every /v1/ request.
func (f *Faults) SetLatency(d time.Duration) error {
	f.mu.Lock()
	s := f.s
	f.mu.Unlock()
	s.Latency = d
	return f.Set(s)
}

// FailNext makes the next n /v1/ requests answer status; retryAfter > 0 is
// sent as Retry-After.
func (f *Faults) FailNext(n, status int, retryAfter time.Duration) error {
	return f.FailNextOn("", n, status, retryAfter)
}

// FailNextOn is FailNext for requests to one path only ("/v1/push", ...).
func (f *Faults) FailNextOn(path string, n, status int, retryAfter time.Duration) error {
	f.mu.Lock()
	s := f.s
	f.mu.Unlock()
	s.FailNext, s.FailStatus, s.FailPath, s.RetryAfter = n, status, path, retryAfter
	return f.Set(s)
}

// DropAfterPush makes the next n pushes commit and then drop the connection.
func (f *Faults) DropAfterPush(n int) error { return f.setCount(&f.s.DropAfterPush, n) }

// DuplicatePages makes the next n pull pages re-include the page before.
func (f *Faults) DuplicatePages(n int) error { return f.setCount(&f.s.DuplicatePages, n) }

// ReversePages makes the next n pull pages list their changes in reverse.
func (f *Faults) ReversePages(n int) error { return f.setCount(&f.s.ReversePages, n) }

func (f *Faults) setCount(c *int, n int) error {
	if n < 0 {
		return errors.New("backend: faults: counts cannot be negative")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	*c = n
	return nil
}

func (f *Faults) latency() time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.s.Latency
}

// takeFailure consumes one injected failure if one applies to path.
func (f *Faults) takeFailure(path string) (status int, retryAfter time.Duration, ok bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.s.FailNext == 0 || !failPathMatches(f.s.FailPath, path) {
		return 0, 0, false
	}
	f.s.FailNext--
	return f.s.FailStatus, f.s.RetryAfter, true
}

// failPathMatches: "" matches every path, "/v1/x/" every path below it,
// anything else only itself.
func failPathMatches(failPath, path string) bool {
	if failPath == "" || failPath == path {
		return true
	}
	return strings.HasSuffix(failPath, "/") && strings.HasPrefix(path, failPath)
}

// take consumes one firing of a counted fault.
func (f *Faults) take(c *int) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if *c == 0 {
		return false
	}
	*c--
	return true
}

func (f *Faults) takeDrop() bool      { return f.take(&f.s.DropAfterPush) }
func (f *Faults) takeDuplicate() bool { return f.take(&f.s.DuplicatePages) }
func (f *Faults) takeReverse() bool   { return f.take(&f.s.ReversePages) }

func (f *Faults) takeDropUpload() bool { return f.take(&f.s.DropAfterUpload) }
func (f *Faults) takeCutUpload() bool  { return f.take(&f.s.CutUploads) }
func (f *Faults) takeCorrupt() bool    { return f.take(&f.s.CorruptDownloads) }
func (f *Faults) takeTruncate() bool   { return f.take(&f.s.TruncateDownloads) }

// DropAfterUpload makes the next n backup uploads store the file and then
// drop the connection without an answer.
func (f *Faults) DropAfterUpload(n int) error { return f.setCount(&f.s.DropAfterUpload, n) }

// CutUploads makes the next n backup uploads drop the connection half-way
// through the body (nothing stored).
func (f *Faults) CutUploads(n int) error { return f.setCount(&f.s.CutUploads, n) }

// CorruptDownloads makes the next n backup downloads change one byte.
func (f *Faults) CorruptDownloads(n int) error { return f.setCount(&f.s.CorruptDownloads, n) }

// TruncateDownloads makes the next n backup downloads stop half-way.
func (f *Faults) TruncateDownloads(n int) error { return f.setCount(&f.s.TruncateDownloads, n) }

// injectedStatusCode is the error code an injected failure carries.
func injectedStatusCode(status int) string {
	switch status {
	case http.StatusTooManyRequests:
		return wire.CodeRateLimited
	case http.StatusServiceUnavailable:
		return wire.CodeUnavailable
	case http.StatusRequestTimeout, http.StatusGatewayTimeout:
		return "timeout"
	case http.StatusBadGateway:
		return "bad_gateway"
	}
	if status >= 500 {
		return wire.CodeInternal
	}
	return wire.CodeInvalid
}
