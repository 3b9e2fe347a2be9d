package practice

import (
	"context"
	"sync"
	"time"
)

// DefaultAutoLock is how long the vault stays unlocked without activity.
const DefaultAutoLock = 10 * time.Minute

// idleTimer locks the vault after a period without activity. Activity is
// reported by the UI (Touch); the check runs on the profile's clock so tests
// can move time.
type idleTimer struct {
	p       *Practice
	mu      sync.Mutex
	after   time.Duration
	last    time.Time
	stopped chan struct{}
	once    sync.Once
}

func newIdleTimer(p *Practice) *idleTimer {
	return &idleTimer{p: p, after: DefaultAutoLock, last: p.Now(), stopped: make(chan struct{})}
}

func (t *idleTimer) timeout() time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.after
}

func (t *idleTimer) reset() {
	t.mu.Lock()
	t.last = t.p.Now()
	t.mu.Unlock()
}

func (t *idleTimer) stop() { t.once.Do(func() { close(t.stopped) }) }

// due reports whether the idle period has passed.
func (t *idleTimer) due() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.p.Now().Sub(t.last) >= t.after
}

// Touch records user activity, postponing the auto-lock.
func (p *Practice) Touch() { p.idle.reset() }

// SetAutoLock changes the idle period (1 minute to 4 hours).
func (p *Practice) SetAutoLock(d time.Duration) error {
	if d < time.Minute || d > 4*time.Hour {
		return errInvalidAutoLock
	}
	p.idle.mu.Lock()
	p.idle.after = d
	p.idle.mu.Unlock()
	return p.saveSettings(context.Background())
}

// CheckIdle locks the vault if the idle period has passed. It returns whether
// it locked.
func (p *Practice) CheckIdle(ctx context.Context) bool {
	if _, err := p.Keys(); err != nil || !p.idle.due() {
		return false
	}
	p.Lock(ctx, "idle")
	return true
}

// RunIdleLock checks for idleness every interval until ctx ends or the
// profile closes. The desktop app runs it; the CLI does not need it.
func (p *Practice) RunIdleLock(ctx context.Context, interval time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-p.idle.stopped:
			return
		case <-tick.C:
			p.CheckIdle(ctx)
		}
	}
}
