package sync_test

import (
	"context"
	"errors"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/sync"
	"github.com/calmally/practice/internal/sync/synctest"
	"github.com/calmally/practice/internal/sync/wire"
)

func round(t *testing.T, eng *sync.Engine) sync.Summary {
	t.Helper()
	sum, err := eng.Round(context.Background())
	if err != nil {
		t.Fatalf("round: %v", err)
	}
	return sum
}

func TestRoundPushesAndPulls(t *testing.T) {
	forEachBackend(t, func(t *testing.T, start func(testing.TB, synctest.Options) synctest.Harness) {
		e := newEnv(t, start(t, synctest.Options{}))
		bks := e.putBookings(t, 3)
		var phases []string
		var mu gosync.Mutex
		var statuses []sync.State
		eng := e.engine(t, func(c *sync.Config) {
			c.OnProgress = func(p sync.Progress) { mu.Lock(); phases = append(phases, p.Phase); mu.Unlock() }
			c.OnStatus = func(s sync.Status) { mu.Lock(); statuses = append(statuses, s.State); mu.Unlock() }
		})
		sum := round(t, eng)
		if sum.Pulled != 3 || sum.Applied != 3 || sum.Pushed != 0 {
			t.Fatalf("first round %+v", sum)
		}
		e.confirm(t, bks[0].ID)
		sum = round(t, eng)
		if sum.Pushed != 1 || sum.Pulled != 1 || sum.Applied != 1 {
			t.Fatalf("second round %+v", sum)
		}
		if s, _ := e.app.status(bks[0].ID); s != "confirmed" {
			t.Fatalf("the confirmed booking came back %q", s)
		}
		if got, _, _ := e.h.Platform.Booking(t, bks[0].ID); got.Status != "confirmed" {
			t.Fatalf("platform has %q", got.Status)
		}
		st, err := eng.Status(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.State != sync.StateIdle || st.LastSyncedAt.IsZero() || st.Pending != 0 || st.LastError != nil || st.Region != "IN" || !st.Enrolled {
			t.Fatalf("status %+v", st)
		}
		mu.Lock()
		defer mu.Unlock()
		joined := strings.Join(phases, ",")
		for _, p := range []string{sync.PhaseConnect, sync.PhasePush, sync.PhasePull, sync.PhaseApply, sync.PhaseDone} {
			if !strings.Contains(joined, p) {
				t.Errorf("no %s progress in %s", p, joined)
			}
		}
		if len(statuses) < 4 || statuses[0] != sync.StateSyncing || statuses[len(statuses)-1] != sync.StateIdle {
			t.Errorf("status events %v", statuses)
		}
		e.app.once(t)
	})
}

// TestDroppedAfterCommitAppliedOnce: the backend commits a push and the
// connection drops before the answer; the retry is answered duplicate.
func TestDroppedAfterCommitAppliedOnce(t *testing.T) {
	forEachBackend(t, func(t *testing.T, start func(testing.TB, synctest.Options) synctest.Harness) {
		e := newEnv(t, start(t, synctest.Options{}))
		b := e.putBookings(t, 1)[0]
		_, v0, _ := e.h.Platform.Booking(t, b.ID)
		e.confirm(t, b.ID)
		eng := e.engine(t, nil)
		e.h.Platform.DropAfterPush(t, 1)
		_, err := eng.Round(e.ctx)
		if sync.CodeOfErr(err) != sync.CodeConnection {
			t.Fatalf("round with a dropped connection: %v", err)
		}
		st, _ := eng.Status(e.ctx)
		if st.State != sync.StateOffline || st.Pending != 1 {
			t.Fatalf("status after the drop %+v", st)
		}
		// Rand 0.5 of the 1 s first step: due again half a second later.
		rows, _ := e.sync.PushQueue(e.ctx, e.clock.Now(), 10)
		if len(rows) != 0 {
			t.Fatal("the row must back off before it is sent again")
		}
		e.clock.Advance(time.Second)
		sum := round(t, eng)
		if sum.Pushed != 1 || e.counts(t).Pending != 0 {
			t.Fatalf("retry %+v, pending %d", sum, e.counts(t).Pending)
		}
		if got, v, _ := e.h.Platform.Booking(t, b.ID); got.Status != "confirmed" || v != v0+1 {
			t.Fatalf("platform booking %s at version %d, want confirmed at %d (applied once)", got.Status, v, v0+1)
		}
	})
}

func TestDuplicatedAndReorderedPages(t *testing.T) {
	forEachBackend(t, func(t *testing.T, start func(testing.TB, synctest.Options) synctest.Harness) {
		e := newEnv(t, start(t, synctest.Options{}))
		bks := e.putBookings(t, 30)
		eng := e.engine(t, func(c *sync.Config) { c.PageSize = 5 })
		e.h.Platform.DuplicatePages(t, 4)
		e.h.Platform.ReversePages(t, 4)
		sum := round(t, eng)
		if sum.Applied != 30 || sum.Skipped == 0 || sum.Pulled <= 30 {
			t.Fatalf("round %+v: want 30 applied and the re-sent ones skipped", sum)
		}
		// The platform changes some; the faults go on.
		for _, b := range bks[:3] {
			b.Status = "cancelled_by_client"
			e.h.Platform.PutBooking(t, b)
		}
		e.h.Platform.DuplicatePages(t, 2)
		e.h.Platform.ReversePages(t, 2)
		round(t, eng)
		for i, b := range bks {
			s, v := e.app.status(b.ID)
			_, pv, _ := e.h.Platform.Booking(t, b.ID)
			if v != pv || (i < 3) != (s == "cancelled_by_client") {
				t.Errorf("booking %d: %s at version %d, platform at %d", i, s, v, pv)
			}
		}
		e.app.once(t)
	})
}

// scripted is a Transport that serves fixed pages, for orderings no real
// backend produces on demand.
type scripted struct {
	synctest.Harness
	mu    gosync.Mutex
	pages []wire.PullResponse
}

func (s *scripted) Info(ctx context.Context) (wire.Info, error) { return s.Harness.Transport.Info(ctx) }
func (s *scripted) Enrol(ctx context.Context, r wire.EnrolRequest) (wire.EnrolResponse, error) {
	return s.Harness.Transport.Enrol(ctx, r)
}
func (s *scripted) Revoke(ctx context.Context, token string) error { return nil }
func (s *scripted) Push(ctx context.Context, token string, r wire.PushRequest) (wire.PushResponse, error) {
	return s.Harness.Transport.Push(ctx, token, r)
}
func (s *scripted) Pull(ctx context.Context, token, cursor string, limit int) (wire.PullResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.pages) == 0 {
		return wire.PullResponse{Changes: []wire.Change{}, Cursor: cursor}, nil
	}
	p := s.pages[0]
	s.pages = s.pages[1:]
	return p, nil
}

// TestStaleVersionsSkipped: an older version arriving after a newer one
// (a fail-over, a re-sent page) changes nothing.
func TestStaleVersionsSkipped(t *testing.T) {
	f := synctest.NewFake(synctest.FakeOptions{})
	sc := &scripted{Harness: synctest.Harness{Transport: f, Platform: f}}
	e := newEnv(t, synctest.Harness{Transport: sc, Platform: f})
	id := synctest.Booking(time.Now(), 24).ID
	ch := func(v int64, status string) wire.Change {
		return wire.Change{Type: wire.TypeBooking, ID: id, Version: v, Data: map[string]any{"id": id, "status": status}}
	}
	sc.pages = []wire.PullResponse{
		{Changes: []wire.Change{ch(3, "confirmed"), ch(2, "requested")}, Cursor: "c1", More: true},
		{Changes: []wire.Change{ch(1, "requested"), ch(3, "confirmed"), {Type: wire.TypeBooking, ID: id, Version: 4, Deleted: true}}, Cursor: "c2"},
	}
	sum := round(t, e.engine(t, nil))
	if sum.Applied != 2 || sum.Skipped != 3 {
		t.Fatalf("round %+v, want 2 applied (v3, tombstone v4) and 3 skipped", sum)
	}
	if s, v := e.app.status(id); s != "deleted" || v != 4 {
		t.Fatalf("booking %s at %d", s, v)
	}
	st, _ := e.sync.State(e.ctx)
	if st.Cursor != "c2" {
		t.Fatalf("cursor %q", st.Cursor)
	}
	e.app.once(t)
}

func TestRetryAfterHonoured(t *testing.T) {
	forEachBackend(t, func(t *testing.T, start func(testing.TB, synctest.Options) synctest.Harness) {
		e := newEnv(t, start(t, synctest.Options{}))
		b := e.putBookings(t, 1)[0]
		e.confirm(t, b.ID)
		eng := e.engine(t, func(c *sync.Config) { c.Rand = func() float64 { return 0 } })
		e.h.Platform.FailNext(t, "/v1/push", 1, 429, 30*time.Second)
		_, err := eng.Round(e.ctx)
		se, ok := sync.AsError(err)
		if !ok || se.Code != wire.CodeRateLimited || se.RetryAfter != 30*time.Second {
			t.Fatalf("round: %v", err)
		}
		// Full jitter drew 0, but Retry-After is the floor.
		e.clock.Advance(29 * time.Second)
		if sum := round(t, eng); sum.Pushed != 0 {
			t.Fatalf("pushed %d before Retry-After passed", sum.Pushed)
		}
		e.clock.Advance(time.Second)
		if sum := round(t, eng); sum.Pushed != 1 {
			t.Fatalf("pushed %d after Retry-After", sum.Pushed)
		}
	})
}

// TestKilledMidPullConverges: the round stops in the middle of applying a
// pulled page (the app quits, the vault locks); the database is closed and
// reopened; the next round re-applies the stored changes first, pulls on
// from the stored cursor, and ends with every change applied exactly once.
func TestKilledMidPullConverges(t *testing.T) {
	forEachBackend(t, func(t *testing.T, start func(testing.TB, synctest.Options) synctest.Harness) {
		e := newEnv(t, start(t, synctest.Options{}))
		e.putBookings(t, 450)
		ctx, cancel := context.WithCancel(e.ctx)
		e.app.hook = func(c wire.Change, call int) error {
			if call == 230 {
				cancel()
				return ctx.Err()
			}
			return nil
		}
		eng := e.engine(t, func(c *sync.Config) { c.PageSize = 100 })
		if _, err := eng.Round(ctx); !errors.Is(err, context.Canceled) {
			t.Fatalf("round: %v", err)
		}
		left := e.counts(t).Inbox
		if left != 71 { // page 3 stored (201–300); 201–229 applied, 230 interrupted
			t.Fatalf("%d changes left in the inbox, want 71", left)
		}
		e.restart(t)
		e.app.hook = nil
		calls := 0
		e.app.hook = func(c wire.Change, call int) error { calls++; return nil }
		sum := round(t, e.engine(t, func(c *sync.Config) { c.PageSize = 100 }))
		if e.app.count() != 450 || calls != 221 || sum.Applied != 221 {
			t.Fatalf("after restart: %d bookings, %d applied in the round (%+v)", e.app.count(), calls, sum)
		}
		e.app.once(t)
	})
}

// TestCrashBetweenInboxAndApply: the page and its cursor are committed, then
// the applier fails (a transient error, as if the process died); the
// database is reopened and nothing is lost or doubled.
func TestCrashBetweenInboxAndApply(t *testing.T) {
	e := newEnv(t, backends[0].start(t, synctest.Options{}))
	e.putBookings(t, 40)
	e.app.hook = func(c wire.Change, call int) error {
		if call == 1 {
			return errors.New("disk went away")
		}
		return nil
	}
	_, err := e.engine(t, func(c *sync.Config) { c.PageSize = 25 }).Round(e.ctx)
	if err == nil || !strings.Contains(err.Error(), "disk went away") {
		t.Fatalf("round: %v", err)
	}
	st, _ := e.sync.State(e.ctx)
	if e.counts(t).Inbox != 25 || st.Cursor == "" {
		t.Fatalf("inbox %d, cursor %q: the first page must be stored with its cursor", e.counts(t).Inbox, st.Cursor)
	}
	e.restart(t)
	round(t, e.engine(t, func(c *sync.Config) { c.PageSize = 25 }))
	if e.app.count() != 40 || e.counts(t).Inbox != 0 {
		t.Fatalf("%d bookings, inbox %d", e.app.count(), e.counts(t).Inbox)
	}
	e.app.once(t)
}

func TestManyBookingsPulled(t *testing.T) {
	n := 2000
	if testing.Short() {
		n = 300
	}
	e := newEnv(t, backends[0].start(t, synctest.Options{}))
	e.putBookings(t, n)
	started := time.Now()
	sum := round(t, e.engine(t, func(c *sync.Config) { c.PageSize = wire.MaxPageChanges }))
	if sum.Applied != n || e.app.count() != n {
		t.Fatalf("%+v", sum)
	}
	t.Logf("%d bookings pulled, stored and applied in %v", n, time.Since(started))
}

func TestRegionRefused(t *testing.T) {
	forEachBackend(t, func(t *testing.T, start func(testing.TB, synctest.Options) synctest.Harness) {
		e := newEnv(t, start(t, synctest.Options{Region: "DE"}))
		bks := e.putBookings(t, 2)
		_, v0, _ := e.h.Platform.Booking(t, bks[0].ID)
		e.confirm(t, bks[0].ID)
		e.confirm(t, bks[1].ID)
		crossBorder := func(ctx context.Context, client string) error {
			if client == "client-without-consent" {
				return apperr.New(apperr.ConsentRequired, "cross-border consent is required")
			}
			return nil
		}
		clientOf := func(ctx context.Context, m wire.Mutation) (string, error) {
			if m.EntityID == bks[0].ID {
				return "client-without-consent", nil
			}
			return "client-with-consent", nil
		}
		// Cross-border off (the default): refused, nothing sent or received.
		eng := e.engine(t, func(c *sync.Config) { c.CrossBorder, c.ClientOf = crossBorder, clientOf })
		_, err := eng.Round(e.ctx)
		if sync.CodeOfErr(err) != sync.CodeRegionRefused || !strings.Contains(err.Error(), "outside India") {
			t.Fatalf("round: %v", err)
		}
		st, _ := eng.Status(e.ctx)
		if st.State != sync.StateRegionRefused || st.Pending != 2 || e.app.count() != 0 || st.Region != "DE" {
			t.Fatalf("status %+v, %d pulled", st, e.app.count())
		}
		// On, but without the consent hook: still refused.
		if err := e.sync.SetCrossBorder(e.ctx, true, e.chain, auditEntry(e)); err != nil {
			t.Fatal(err)
		}
		if _, err := e.engine(t, nil).Round(e.ctx); sync.CodeOfErr(err) != sync.CodeRegionRefused {
			t.Fatalf("round without the consent check: %v", err)
		}
		// On, with the check: only the client with consent goes.
		sum := round(t, eng)
		if sum.Pushed != 1 || sum.Parked != 1 {
			t.Fatalf("round %+v", sum)
		}
		parked, _ := e.sync.ParkedRows(e.ctx)
		if len(parked) != 1 || parked[0].EntityID != bks[0].ID || parked[0].Reason != sync.ParkConsentRequired {
			t.Fatalf("parked %+v", parked)
		}
		if _, v, _ := e.h.Platform.Booking(t, bks[0].ID); v != v0 {
			t.Fatal("a mutation without cross-border consent reached the backend")
		}
	})
}

func TestUpdateNeededSendsNothing(t *testing.T) {
	forEachBackend(t, func(t *testing.T, start func(testing.TB, synctest.Options) synctest.Harness) {
		h := start(t, synctest.Options{})
		e := newEnv(t, h)
		// The backend moves on after the device enrolled.
		e.h = start(t, synctest.Options{MinProtocol: wire.Protocol + 1})
		e.confirm(t, synctest.Booking(time.Now(), 1).ID)
		eng := e.engine(t, nil)
		_, err := eng.Round(e.ctx)
		if sync.CodeOfErr(err) != wire.CodeUnsupported || !strings.Contains(err.Error(), "update the app") {
			t.Fatalf("round: %v", err)
		}
		st, _ := eng.Status(e.ctx)
		if st.State != sync.StateUpdateNeeded || st.Pending != 1 || st.LastError == nil {
			t.Fatalf("status %+v", st)
		}
	})
}

func TestParkedShownOthersPushed(t *testing.T) {
	forEachBackend(t, func(t *testing.T, start func(testing.TB, synctest.Options) synctest.Harness) {
		e := newEnv(t, start(t, synctest.Options{}))
		bks := e.putBookings(t, 2)
		gone := e.confirm(t, synctest.Booking(time.Now(), 5).ID) // not on the platform
		e.confirm(t, bks[0].ID)
		garbage := e.confirm(t, bks[1].ID)
		if _, err := e.db.SQL().ExecContext(e.ctx, `UPDATE outbox SET payload = x'00ff' WHERE id = ?`, garbage); err != nil {
			t.Fatal(err)
		}
		unknown := e.queue(t, "booking.teleport", bks[1].ID, map[string]any{"bookingId": bks[1].ID})
		e.confirm(t, bks[1].ID)
		eng := e.engine(t, nil)
		sum := round(t, eng)
		if sum.Pushed != 2 || sum.Parked != 3 {
			t.Fatalf("round %+v, want 2 pushed and 3 parked", sum)
		}
		parked, err := e.sync.ParkedRows(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		reasons := map[string]string{}
		for _, p := range parked {
			reasons[p.ID] = p.Reason
		}
		if reasons[gone] != wire.CodeNotFound || reasons[garbage] != sync.ParkIntegrity || reasons[unknown] != sync.ParkUnknownKind {
			t.Fatalf("parked reasons %v", reasons)
		}
		for _, b := range bks {
			if got, _, _ := e.h.Platform.Booking(t, b.ID); got.Status != "confirmed" {
				t.Fatalf("a mutation after a parked one was not pushed: %s", got.Status)
			}
		}
		st, _ := eng.Status(e.ctx)
		if st.Parked != 3 || st.Pending != 0 || st.State != sync.StateIdle {
			t.Fatalf("status %+v", st)
		}
	})
}

func TestTokenRevokedAsksToEnrolAgain(t *testing.T) {
	forEachBackend(t, func(t *testing.T, start func(testing.TB, synctest.Options) synctest.Harness) {
		e := newEnv(t, start(t, synctest.Options{}))
		e.h.Platform.RevokeDevice(t, e.dev.DeviceID)
		e.confirm(t, synctest.Booking(time.Now(), 1).ID)
		eng := e.engine(t, nil)
		_, err := eng.Round(e.ctx)
		if sync.CodeOfErr(err) != wire.CodeTokenRevoked {
			t.Fatalf("round: %v", err)
		}
		st, _ := eng.Status(e.ctx)
		if st.State != sync.StateNeedsEnrolment || st.Pending != 1 {
			t.Fatalf("status %+v: the outbox must be kept", st)
		}
		rows, _ := e.sync.PushQueue(e.ctx, e.clock.Now(), 10)
		if len(rows) != 1 || rows[0].Attempts != 0 {
			t.Fatalf("a refused token must not count against the rows: %+v", rows)
		}
	})
}

func TestRefusedChangesRecordedNotBlocking(t *testing.T) {
	e := newEnv(t, backends[1].start(t, synctest.Options{}))
	bks := e.putBookings(t, 4)
	e.app.hook = func(c wire.Change, call int) error {
		switch c.ID {
		case bks[1].ID:
			return apperr.New(apperr.Invalid, "sync booking: start must be before end")
		case bks[2].ID:
			return sync.Reject("minor", nil)
		}
		return nil
	}
	eng := e.engine(t, nil)
	sum := round(t, eng)
	if sum.Applied != 2 || sum.Rejected != 2 {
		t.Fatalf("round %+v", sum)
	}
	rej, _ := e.sync.RejectedChanges(e.ctx)
	codes := map[string]string{}
	for _, r := range rej {
		codes[r.EntityID] = r.Code
	}
	if codes[bks[1].ID] != apperr.Invalid || codes[bks[2].ID] != "minor" || len(codes) != 2 {
		t.Fatalf("refused %v", codes)
	}
	// The same versions re-sent are skipped, not refused again.
	e.h.Platform.DuplicatePages(t, 1)
	round(t, eng)
	if st, _ := eng.Status(e.ctx); st.Rejected != 2 {
		t.Fatalf("status %+v", st)
	}
}

func TestNotEnrolled(t *testing.T) {
	e := newEnv(t, backends[1].start(t, synctest.Options{}))
	if err := e.sync.Forget(e.ctx, e.chain, auditEntry(e)); err != nil {
		t.Fatal(err)
	}
	eng := e.engine(t, nil)
	if _, err := eng.Round(e.ctx); sync.CodeOfErr(err) != sync.CodeNotEnrolled {
		t.Fatalf("round: %v", err)
	}
	if st, _ := eng.Status(e.ctx); st.State != sync.StateNeedsEnrolment || st.Enrolled {
		t.Fatalf("status %+v", st)
	}
}

// TestBackgroundLoop: a round at start, one soon after a nudge, and a clean
// stop when the context ends.
func TestBackgroundLoop(t *testing.T) {
	e := newEnv(t, backends[1].start(t, synctest.Options{}))
	bks := e.putBookings(t, 2)
	rounds := make(chan sync.Summary, 10)
	eng := e.engine(t, func(c *sync.Config) {
		c.Interval, c.NudgeDelay = time.Hour, 10*time.Millisecond
		c.OnProgress = func(p sync.Progress) {
			if p.Phase == sync.PhaseDone {
				rounds <- sync.Summary{Pushed: p.Pushed, Pulled: p.Pulled}
			}
		}
	})
	ctx, cancel := context.WithCancel(e.ctx)
	done := make(chan struct{})
	go func() { eng.Run(ctx); close(done) }()
	wait := func() sync.Summary {
		select {
		case s := <-rounds:
			return s
		case <-time.After(10 * time.Second):
			t.Fatal("no round")
		}
		return sync.Summary{}
	}
	if s := wait(); s.Pulled != 2 {
		t.Fatalf("first round %+v", s)
	}
	e.confirm(t, bks[0].ID)
	eng.Nudge()
	if s := wait(); s.Pushed != 1 {
		t.Fatalf("nudged round %+v", s)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the loop did not stop")
	}
}

// TestBackgroundLoopFindsLocalChanges: a change committed without a nudge
// is pushed soon, found by the loop's look at the outbox.
func TestBackgroundLoopFindsLocalChanges(t *testing.T) {
	e := newEnv(t, backends[1].start(t, synctest.Options{}))
	b := e.putBookings(t, 1)[0]
	pushed := make(chan int, 10)
	eng := e.engine(t, func(c *sync.Config) {
		c.Interval, c.NudgeDelay, c.Poll = time.Hour, 10*time.Millisecond, 20*time.Millisecond
		c.OnProgress = func(p sync.Progress) {
			if p.Phase == sync.PhaseDone {
				pushed <- p.Pushed
			}
		}
	})
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	go eng.Run(ctx)
	<-pushed // the first round
	e.confirm(t, b.ID)
	select {
	case n := <-pushed:
		if n != 1 {
			t.Fatalf("pushed %d", n)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the local change was not pushed")
	}
}

// TestTamperedInboxRowRefused: a stored change whose envelope was moved to
// another row does not open there; it is recorded as refused (integrity)
// and the rest still applies.
func TestTamperedInboxRowRefused(t *testing.T) {
	e := newEnv(t, backends[1].start(t, synctest.Options{}))
	e.putBookings(t, 5)
	e.app.hook = func(c wire.Change, call int) error {
		if call == 1 {
			return errors.New("interrupted")
		}
		return nil
	}
	if _, err := e.engine(t, nil).Round(e.ctx); err == nil {
		t.Fatal("the round should have stopped")
	}
	if _, err := e.db.SQL().ExecContext(e.ctx, `UPDATE sync_inbox SET change = (SELECT change FROM sync_inbox ORDER BY seq LIMIT 1)
		WHERE seq = (SELECT seq FROM sync_inbox ORDER BY seq LIMIT 1 OFFSET 2)`); err != nil {
		t.Fatal(err)
	}
	sum := round(t, e.engine(t, nil))
	if sum.Applied != 4 || sum.Rejected != 1 {
		t.Fatalf("round %+v, want 4 applied and the moved envelope refused", sum)
	}
	rej, _ := e.sync.RejectedChanges(e.ctx)
	if len(rej) != 1 || rej[0].Code != sync.RejectIntegrity {
		t.Fatalf("refused %+v", rej)
	}
}

// groupApplier applies a run through the recording applier, counting the
// runs; a transient error ends the run as GroupApplier requires.
type groupApplier struct {
	*recApplier
	runs int
}

func (g *groupApplier) ApplyGroup(ctx context.Context, cs []wire.Change) []error {
	g.runs++
	errs := make([]error, len(cs))
	for i, c := range cs {
		errs[i] = g.Apply(ctx, c)
		if _, permanent := sync.PermanentCode(errs[i]); errs[i] != nil && !permanent {
			for k := i + 1; k < len(cs); k++ {
				errs[k] = errs[i]
			}
			break
		}
	}
	return errs
}

// TestGroupApplier: pages go to ApplyGroup in one call each, stale changes
// left out, refusals recorded, and a transient failure mid-run leaves the
// rest for the next round, with nothing applied twice.
func TestGroupApplier(t *testing.T) {
	forEachBackend(t, func(t *testing.T, start func(testing.TB, synctest.Options) synctest.Harness) {
		e := newEnv(t, start(t, synctest.Options{}))
		bks := e.putBookings(t, 30)
		ga := &groupApplier{recApplier: e.app}
		e.app.hook = func(c wire.Change, call int) error {
			switch {
			case c.ID == bks[3].ID:
				return sync.Reject("minor", nil)
			case call == 17:
				return errors.New("database is busy")
			}
			return nil
		}
		engine := func() *sync.Engine {
			return e.engine(t, func(c *sync.Config) { c.Applier, c.PageSize = ga, 10 })
		}
		e.h.Platform.DuplicatePages(t, 3)
		e.h.Platform.ReversePages(t, 2)
		if _, err := engine().Round(e.ctx); err == nil || !strings.Contains(err.Error(), "busy") {
			t.Fatalf("round: %v", err)
		}
		if e.counts(t).Inbox == 0 {
			t.Fatal("the changes after the transient failure must stay in the inbox")
		}
		e.restart(t)
		sum := round(t, engine())
		if e.app.count() != 29 || sum.Rejected != 0 {
			t.Fatalf("%d bookings applied, round %+v", e.app.count(), sum)
		}
		if rej, _ := e.sync.RejectedChanges(e.ctx); len(rej) != 1 || rej[0].EntityID != bks[3].ID {
			t.Fatalf("refused %+v", rej)
		}
		if ga.runs < 3 {
			t.Fatalf("%d runs: pages must go through ApplyGroup", ga.runs)
		}
		e.app.once(t)
	})
}

// TestLockedRoundNotRecorded: a round stopped by the vault locking is not
// the backend's failure: the last error stays as it was.
func TestLockedRoundNotRecorded(t *testing.T) {
	e := newEnv(t, backends[1].start(t, synctest.Options{}))
	round(t, e.engine(t, nil))
	eng := e.engine(t, func(c *sync.Config) {
		c.Keys = func() (sync.Sealer, error) { return nil, apperr.New(apperr.Locked, "the vault is locked") }
	})
	if _, err := eng.Round(e.ctx); sync.CodeOfErr(err) != sync.CodeLocked {
		t.Fatalf("round: %v", err)
	}
	st, _ := eng.Status(e.ctx)
	if st.LastError != nil || st.State != sync.StateIdle {
		t.Fatalf("status %+v", st)
	}
}
