package sync

import "time"

// Backoff bounds (docs/sync-protocol.md, "Errors").
const (
	BackoffBase = time.Second
	BackoffCap  = 10 * time.Minute
)

// Backoff is the wait before attempt number attempt+1 after attempt
// failures (attempt ≥ 1): exponential with full jitter — a uniformly random
// share rnd ∈ [0, 1) of min(cap, base·2^(attempt-1)) — so that many devices
// coming back online do not retry in step; never less than retryAfter, the
// server's own floor.
func Backoff(attempt int, retryAfter time.Duration, rnd float64) time.Duration {
	if attempt < 1 {
		attempt = 1
	}
	ceil := BackoffCap
	if attempt <= 20 { // 2^20 s is far above the cap
		ceil = min(BackoffBase<<(attempt-1), BackoffCap)
	}
	rnd = min(max(rnd, 0), 1)
	return max(time.Duration(rnd*float64(ceil)), retryAfter)
}
