package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
)

type syncEnv struct {
	*noteEnv
	sync *SyncStore
}

func newSyncEnv(t *testing.T) *syncEnv {
	t.Helper()
	ne := newNoteEnv(t)
	return &syncEnv{noteEnv: ne, sync: NewSyncStore(ne.db)}
}

func (e *syncEnv) entry(op string) audit.Entry {
	return audit.Entry{At: e.clock.Now(), Actor: "test", Action: audit.ActionSync, Detail: "op=" + op}
}

func (e *syncEnv) enrol(t *testing.T) {
	t.Helper()
	st := SyncState{BackendURL: "https://sync.example.in", DeviceID: "0195f3a2-7b1c-7d00-8000-000000000001",
		TherapistID: "0195f3a2-7b1c-7d00-8000-000000000002", EnrolledAt: e.clock.Now()}
	if err := e.sync.Enrol(e.ctx, st, e.chain, e.entry("enrol")); err != nil {
		t.Fatal(err)
	}
}

// queue writes n outbox rows due at the clock's now and returns their ids.
func (e *syncEnv) queue(t *testing.T, n int) []string {
	t.Helper()
	var out []string
	for i := 0; i < n; i++ {
		id := newTestID(e.clock.Now())
		err := e.db.Tx(e.ctx, func(tx *sql.Tx) error {
			_, err := insertOutboxTx(e.ctx, tx, id, "booking.confirm", "b-"+fmt.Sprint(i), []byte("sealed"), e.clock.Now())
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, id)
	}
	return out
}

func TestSyncStateEnrolRoundForget(t *testing.T) {
	e := newSyncEnv(t)
	if _, err := e.sync.State(e.ctx); apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("state before enrolment: %v", err)
	}
	e.enrol(t)
	st, err := e.sync.State(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.BackendURL != "https://sync.example.in" || st.Cursor != "" || st.CrossBorder || !st.LastSyncedAt.IsZero() {
		t.Fatalf("state %+v", st)
	}
	at := e.clock.Now().Add(time.Minute)
	if err := e.sync.RecordRound(e.ctx, at, "rate_limited"); err != nil {
		t.Fatal(err)
	}
	st, _ = e.sync.State(e.ctx)
	if st.LastErrorCode != "rate_limited" || !st.LastErrorAt.Equal(at) || !st.LastSyncedAt.IsZero() {
		t.Fatalf("after a failed round: %+v", st)
	}
	if err := e.sync.RecordRound(e.ctx, at.Add(time.Minute), ""); err != nil {
		t.Fatal(err)
	}
	st, _ = e.sync.State(e.ctx)
	if st.LastErrorCode != "" || !st.LastSyncedAt.Equal(at.Add(time.Minute)) {
		t.Fatalf("after a good round: %+v", st)
	}
	if err := e.sync.SetCrossBorder(e.ctx, true, e.chain, e.entry("cross_border_on")); err != nil {
		t.Fatal(err)
	}
	if st, _ = e.sync.State(e.ctx); !st.CrossBorder {
		t.Fatal("cross-border setting not kept")
	}
	if err := e.sync.StorePage(e.ctx, "c1", []InboxItem{{ID: "i1", Type: "booking", EntityID: "b1", Version: 1,
		ReceivedAt: at, Change: []byte("x")}}); err != nil {
		t.Fatal(err)
	}
	ids := e.queue(t, 1)
	if err := e.sync.Forget(e.ctx, e.chain, e.entry("forget")); err != nil {
		t.Fatal(err)
	}
	if _, err := e.sync.State(e.ctx); apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("state after forget: %v", err)
	}
	c, err := e.sync.Counts(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c.Inbox != 0 || c.Pending != len(ids) {
		t.Fatalf("forget must clear the inbox and keep the outbox: %+v", c)
	}
	if err := e.sync.SetCrossBorder(e.ctx, true, e.chain, e.entry("cross_border_on")); apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("cross-border without enrolment: %v", err)
	}
	n, err := e.db.CountAudit(e.ctx)
	if err != nil || n != 4 { // vault_created + enrol + cross-border + forget
		t.Fatalf("audit entries = %d, %v", n, err)
	}
}

func TestPushQueueStopsAtFirstRowNotDue(t *testing.T) {
	e := newSyncEnv(t)
	ids := e.queue(t, 5)
	now := e.clock.Now()
	got, err := e.sync.PushQueue(e.ctx, now, 3)
	if err != nil || len(got) != 3 || got[0].ID != ids[0] || got[2].ID != ids[2] {
		t.Fatalf("queue = %v, %v", got, err)
	}
	// The second row backs off: the rows after it must wait too.
	if err := e.sync.RetryPush(e.ctx, []string{ids[1]}, now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	got, _ = e.sync.PushQueue(e.ctx, now, 10)
	if len(got) != 1 || got[0].ID != ids[0] {
		t.Fatalf("queue while row 2 backs off = %d rows", len(got))
	}
	next, err := e.sync.NextPushAt(e.ctx)
	if err != nil || !next.Equal(now) {
		t.Fatalf("next push at %v, %v", next, err)
	}
	// Row 1 applied, row 3 rejected: row 2 heads the queue and holds it.
	if err := e.sync.SettlePush(e.ctx, []string{ids[0]}, []Park{{ID: ids[2], Reason: "booking_conflict"}}); err != nil {
		t.Fatal(err)
	}
	if next, _ = e.sync.NextPushAt(e.ctx); !next.Equal(now.Add(time.Minute)) {
		t.Fatalf("next push at %v", next)
	}
	if got, _ = e.sync.PushQueue(e.ctx, now, 10); len(got) != 0 {
		t.Fatalf("queue = %d rows, want none before the backoff ends", len(got))
	}
	got, _ = e.sync.PushQueue(e.ctx, now.Add(time.Minute), 10)
	if len(got) != 3 || got[0].ID != ids[1] || got[0].Attempts != 1 || got[1].ID != ids[3] {
		t.Fatalf("queue after the backoff = %+v", got)
	}
	c, _ := e.sync.Counts(e.ctx)
	if c.Pending != 3 || c.Parked != 1 {
		t.Fatalf("counts %+v", c)
	}
	if err := e.sync.SettlePush(e.ctx, nil, []Park{{ID: ids[3], Reason: ""}}); apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("empty park reason: %v", err)
	}
}

func TestParkedRequeueAndDiscard(t *testing.T) {
	e := newSyncEnv(t)
	ids := e.queue(t, 3)
	if err := e.sync.SettlePush(e.ctx, nil, []Park{{ID: ids[0], Reason: "slot_taken"}, {ID: ids[1], Reason: "integrity"}}); err != nil {
		t.Fatal(err)
	}
	parked, err := e.sync.ParkedRows(e.ctx)
	if err != nil || len(parked) != 2 || parked[0].Reason != "slot_taken" || parked[0].MutationID != 1 || parked[0].Kind != "booking.confirm" {
		t.Fatalf("parked = %+v, %v", parked, err)
	}
	later := e.clock.Now().Add(time.Hour)
	mid, err := e.sync.RequeueParked(e.ctx, ids[0], later, e.chain, e.entry("retry_parked"))
	if err != nil {
		t.Fatal(err)
	}
	if mid != 4 {
		t.Fatalf("requeued under mutation id %d, want a new one (4)", mid)
	}
	q, _ := e.sync.PushQueue(e.ctx, later, 10)
	if len(q) != 2 || q[0].ID != ids[2] || q[1].ID != ids[0] || q[1].MutationID != 4 || q[1].Attempts != 0 {
		t.Fatalf("queue after requeue = %+v", q)
	}
	if _, err := e.sync.RequeueParked(e.ctx, ids[0], later, e.chain, e.entry("retry_parked")); apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("requeue of a live row: %v", err)
	}
	if err := e.sync.DiscardParked(e.ctx, ids[2], e.chain, e.entry("discard_parked")); apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("discard of a live row: %v", err)
	}
	if err := e.sync.DiscardParked(e.ctx, ids[1], e.chain, e.entry("discard_parked")); err != nil {
		t.Fatal(err)
	}
	if parked, _ = e.sync.ParkedRows(e.ctx); len(parked) != 0 {
		t.Fatalf("parked after discard: %+v", parked)
	}
	if n, _ := e.db.CountAudit(e.ctx); n != 3 {
		t.Fatalf("audit entries = %d, want 3", n)
	}
}

func TestInboxPageCursorAndVersions(t *testing.T) {
	e := newSyncEnv(t)
	if err := e.sync.StorePage(e.ctx, "c1", nil); apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("page before enrolment: %v", err)
	}
	e.enrol(t)
	at := e.clock.Now()
	page := func(cursor string, items ...InboxItem) {
		t.Helper()
		if err := e.sync.StorePage(e.ctx, cursor, items); err != nil {
			t.Fatal(err)
		}
	}
	item := func(id, entity string, v int64) InboxItem {
		return InboxItem{ID: id, Type: "booking", EntityID: entity, Version: v, ReceivedAt: at, Change: []byte("sealed-" + id)}
	}
	page("c1", item("i1", "b1", 1), item("i2", "b2", 4))
	stored := []InboxItem{item("i3", "b1", 2)}
	if err := e.sync.StorePage(e.ctx, "c2", stored); err != nil {
		t.Fatal(err)
	}
	if stored[0].Seq != 3 || stored[0].Applied != 0 {
		t.Fatalf("StorePage set seq %d, applied %d", stored[0].Seq, stored[0].Applied)
	}
	st, _ := e.sync.State(e.ctx)
	if st.Cursor != "c2" {
		t.Fatalf("cursor %q", st.Cursor)
	}
	in, err := e.sync.Inbox(e.ctx, 10)
	if err != nil || len(in) != 3 || in[0].ID != "i1" || in[2].ID != "i3" || string(in[1].Change) != "sealed-i2" || in[2].Seq <= in[1].Seq {
		t.Fatalf("inbox %+v, %v", in, err)
	}
	if err := e.sync.SettleChanges(e.ctx, []Settled{{InboxID: "i1", Type: "booking", EntityID: "b1", Version: 1}}); err != nil {
		t.Fatal(err)
	}
	// Refused: recorded with its code and its version (so a re-sent copy is
	// skipped, not refused twice).
	if err := e.sync.SettleChanges(e.ctx, []Settled{{InboxID: "i2", Type: "booking", EntityID: "b2", Version: 4,
		RejectCode: "invalid", At: at}}); err != nil {
		t.Fatal(err)
	}
	if err := e.sync.SettleChanges(e.ctx, []Settled{{InboxID: "i3", Type: "booking", EntityID: "b1", Version: 2}}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		entity string
		want   int64
	}{{"b1", 2}, {"b2", 4}, {"b3", 0}} {
		if v, err := e.sync.AppliedVersion(e.ctx, "booking", tt.entity); err != nil || v != tt.want {
			t.Errorf("%s: version %d, %v; want %d", tt.entity, v, err, tt.want)
		}
	}
	// A stale change settles without lowering the version; StorePage reads
	// the recorded version back for it.
	stale := []InboxItem{item("i4", "b1", 1)}
	if err := e.sync.StorePage(e.ctx, "c3", stale); err != nil {
		t.Fatal(err)
	}
	if stale[0].Applied != 2 {
		t.Fatalf("recorded version read back as %d, want 2", stale[0].Applied)
	}
	if err := e.sync.SettleChanges(e.ctx, []Settled{{InboxID: "i4", Type: "booking", EntityID: "b1", Version: 1}}); err != nil {
		t.Fatal(err)
	}
	if v, _ := e.sync.AppliedVersion(e.ctx, "booking", "b1"); v != 2 {
		t.Fatalf("version lowered to %d", v)
	}
	rej, err := e.sync.RejectedChanges(e.ctx)
	if err != nil || len(rej) != 1 || rej[0].EntityID != "b2" || rej[0].Code != "invalid" || rej[0].Version != 4 {
		t.Fatalf("rejected %+v, %v", rej, err)
	}
	c, _ := e.sync.Counts(e.ctx)
	if c.Inbox != 0 || c.Rejected != 1 {
		t.Fatalf("counts %+v", c)
	}
	if n, err := e.sync.CountConflicts(e.ctx); err != nil || n != 0 {
		t.Fatalf("conflicts %d, %v", n, err)
	}
}

// TestStorePageIsAtomic: a page that fails half-way leaves neither its
// changes nor its cursor.
func TestStorePageIsAtomic(t *testing.T) {
	e := newSyncEnv(t)
	e.enrol(t)
	at := e.clock.Now()
	good := InboxItem{ID: "i1", Type: "booking", EntityID: "b1", Version: 1, ReceivedAt: at, Change: []byte("x")}
	dup := good // the same id again: the insert fails
	err := e.sync.StorePage(e.ctx, "c9", []InboxItem{good, dup})
	if err == nil {
		t.Fatal("a failing page was stored")
	}
	st, _ := e.sync.State(e.ctx)
	in, _ := e.sync.Inbox(e.ctx, 10)
	if st.Cursor != "" || len(in) != 0 {
		t.Fatalf("half a page stored: cursor %q, %d changes", st.Cursor, len(in))
	}
	if err := e.sync.StorePage(e.ctx, "c9", []InboxItem{{ID: "i2", Type: "booking", EntityID: "b1", Version: 1, ReceivedAt: at}}); err == nil {
		t.Fatal("an unsealed change was stored")
	}
	var ctxErr = context.Canceled
	ctx, cancel := context.WithCancel(e.ctx)
	cancel()
	if err := e.sync.StorePage(ctx, "c9", []InboxItem{good}); !errors.Is(err, ctxErr) {
		t.Fatalf("cancelled store: %v", err)
	}
}
