package sync

import (
	"errors"
	"testing"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/sync/wire"
)

func TestBackoff(t *testing.T) {
	tests := []struct {
		attempt    int
		retryAfter time.Duration
		rnd        float64
		want       time.Duration
	}{
		{1, 0, 0.999999, 999999 * time.Microsecond}, // under the 1 s ceiling
		{1, 0, 0, 0},                                 // full jitter may retry at once
		{2, 0, 0.5, time.Second},                     // half of 2 s
		{4, 0, 0.5, 4 * time.Second},                 // half of 8 s
		{10, 0, 1, 8*time.Minute + 32*time.Second},   // 512 s
		{11, 0, 1, 10 * time.Minute},                 // 1024 s, capped at 10 min
		{400, 0, 0.5, 5 * time.Minute},               // no overflow far out
		{3, 30 * time.Second, 0.1, 30 * time.Second}, // Retry-After is a floor
		{3, 2 * time.Second, 0.9, 3600 * time.Millisecond},
		{0, 0, 0.5, 500 * time.Millisecond}, // attempt 0 counts as the first
		{1, 0, 7, time.Second},              // rnd outside [0, 1) clamped
	}
	for _, tt := range tests {
		if got := Backoff(tt.attempt, tt.retryAfter, tt.rnd); got != tt.want {
			t.Errorf("Backoff(%d, %v, %v) = %v, want %v", tt.attempt, tt.retryAfter, tt.rnd, got, tt.want)
		}
	}
}

func TestPermanentCode(t *testing.T) {
	tests := []struct {
		err       error
		code      string
		permanent bool
	}{
		{Reject("minor", nil), "minor", true},
		{Reject("Not A Code", errors.New("x")), apperr.Invalid, true},
		{apperr.New(apperr.Invalid, "sync booking: end before start"), apperr.Invalid, true},
		{apperr.New(apperr.ConsentRequired, "no consent"), apperr.ConsentRequired, true},
		{apperr.New(apperr.Locked, "the vault is locked"), "", false},
		{apperr.New(apperr.NotFound, "client not yet here"), "", false},
		{errors.New("database is busy"), "", false},
	}
	for _, tt := range tests {
		code, perm := PermanentCode(tt.err)
		if code != tt.code || perm != tt.permanent {
			t.Errorf("PermanentCode(%v) = %q, %v; want %q, %v", tt.err, code, perm, tt.code, tt.permanent)
		}
	}
}

// TestBackgroundBackoff: the wait between failed background rounds grows,
// honours Retry-After, and resets after a success or a stop state.
func TestBackgroundBackoff(t *testing.T) {
	e := &Engine{cfg: Config{Interval: 5 * time.Minute, Rand: func() float64 { return 1 }}}
	offline := &Error{Code: CodeConnection, Retryable: true}
	var waits []time.Duration
	for range 4 {
		waits = append(waits, e.afterRound(offline))
	}
	if waits[0] != time.Second || waits[1] != 2*time.Second || waits[3] != 8*time.Second {
		t.Fatalf("waits %v", waits)
	}
	if got := e.afterRound(&Error{Code: wire.CodeRateLimited, Retryable: true, RetryAfter: 45 * time.Minute}); got != 45*time.Minute {
		t.Fatalf("Retry-After above the cap must be honoured: %v", got)
	}
	if got := e.afterRound(nil); got != 5*time.Minute || e.failures != 0 {
		t.Fatalf("after a success: %v, %d failures", got, e.failures)
	}
	e.afterRound(offline)
	if got := e.afterRound(&Error{Code: wire.CodeTokenRevoked}); got != 5*time.Minute || e.failures != 0 {
		t.Fatalf("a stop state waits the interval: %v", got)
	}
	e.cfg.Rand = func() float64 { return 0 }
	if got := e.afterRound(offline); got != BackoffBase {
		t.Fatalf("the loop never retries at once: %v", got)
	}
}
