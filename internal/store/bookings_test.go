package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/bookings"
	"github.com/calmally/practice/internal/notes"
	"github.com/calmally/practice/internal/vault"
)

type bookingEnv struct {
	*noteEnv
	bs     *BookingStore
	svc    *bookings.Service
	outbox *OutboxStore
}

func newBookingEnv(t testing.TB) *bookingEnv {
	t.Helper()
	ne := newNoteEnv(t)
	e := &bookingEnv{noteEnv: ne, outbox: NewOutboxStore(ne.db)}
	e.bs = NewBookingStore(ne.db, func() (*audit.Chain, error) { return ne.chain, nil })
	e.svc = bookings.NewService(bookings.Config{
		Store: e.bs,
		Keys:  func() (bookings.Sealer, error) { return ne.keys, nil },
		Now:   ne.clock.Now,
		Actor: "practitioner-1",
	})
	return e
}

// platform receives a platform booking starting in hours from the clock.
func (e *bookingEnv) platform(t testing.TB, hours int, m bookings.Modality, paid bool) bookings.Booking {
	t.Helper()
	st := e.clock.Now().Add(time.Duration(hours) * time.Hour)
	b := bookings.Booking{Status: bookings.Requested, ClientID: e.client, Start: st, End: st.Add(50 * time.Minute),
		Modality: m, FeePaise: 150000, PaymentStatus: bookings.PaymentPending, Notes: "first session"}
	if m == bookings.Online {
		b.JoinLink = "https://meet.calmally.in/r/abc"
	}
	if paid {
		b.PaymentStatus = bookings.PaymentPaid
	}
	got, err := e.svc.Receive(e.ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// payload opens an outbox row's payload.
func (e *bookingEnv) payload(t testing.TB, r OutboxRow) map[string]any {
	t.Helper()
	p, err := e.keys.Open(vault.AD{Table: "outbox", Column: "payload", RowID: r.ID, Revision: 1}, r.Payload)
	if err != nil {
		t.Fatalf("open outbox payload: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(p, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func (e *bookingEnv) lastInteraction(t testing.TB) string {
	t.Helper()
	var s *string
	if err := e.db.sql.QueryRow(`SELECT last_interaction_at FROM clients WHERE id = ?`, e.client).Scan(&s); err != nil {
		t.Fatal(err)
	}
	if s == nil {
		return ""
	}
	return *s
}

func TestBookingActionsQueueOutboxInSameTransaction(t *testing.T) {
	e := newBookingEnv(t)
	b := e.platform(t, 48, bookings.Online, true)
	if rows, _ := e.outbox.OutboxAll(e.ctx); len(rows) != 0 {
		t.Fatalf("a received booking queued %d mutations", len(rows))
	}
	if e.lastInteraction(t) != "" {
		t.Fatal("receiving a request moved the client's last interaction")
	}

	// The consent hook refuses: nothing changes, nothing is queued.
	e.svc.RequireTeleconsultConsent = func(ctx context.Context, clientID string) error {
		return apperr.New(apperr.ConsentRequired, "consent required: teleconsultation")
	}
	_, err := e.svc.Confirm(e.ctx, b.ID)
	wantCode(t, err, apperr.ConsentRequired)
	if rows, _ := e.outbox.OutboxAll(e.ctx); len(rows) != 0 {
		t.Fatal("a refused confirm queued a mutation")
	}
	e.svc.RequireTeleconsultConsent = func(ctx context.Context, clientID string) error {
		if clientID != e.client {
			return fmt.Errorf("hook asked about %q", clientID)
		}
		return nil
	}
	c, err := e.svc.Confirm(e.ctx, b.ID)
	if err != nil || c.Status != bookings.Confirmed || c.Rev != 2 || c.Notes != "first session" {
		t.Fatalf("confirm: %+v %v", c, err)
	}
	if got := e.lastInteraction(t); got != "2024-02-28T20:00:00Z" {
		t.Fatalf("last interaction after confirm: %q", got)
	}

	// Cancelling needs a message; a paid booking goes to refund_pending.
	_, err = e.svc.Cancel(e.ctx, b.ID, "  ")
	wantCode(t, err, apperr.Invalid)
	x, err := e.svc.Cancel(e.ctx, b.ID, "Unwell today, sorry")
	if err != nil || x.Status != bookings.CancelledByPractitioner || x.PaymentStatus != bookings.PaymentRefundPending {
		t.Fatalf("cancel: %+v %v", x, err)
	}
	_, err = e.svc.Complete(e.ctx, b.ID)
	if apperr.MessageOf(err) != "booking is cancelled_by_practitioner: a closed booking does not change" {
		t.Fatalf("complete after cancel: %v", err)
	}

	rows, err := e.outbox.OutboxAll(e.ctx)
	if err != nil || len(rows) != 2 {
		t.Fatalf("outbox: %d rows, %v", len(rows), err)
	}
	if rows[0].Kind != bookings.OutboxConfirm || rows[0].MutationID != 1 || rows[1].Kind != bookings.OutboxCancel ||
		rows[1].MutationID != 2 || rows[1].EntityID != b.ID {
		t.Fatalf("outbox rows: %+v", rows)
	}
	p := e.payload(t, rows[1])
	if p["message"] != "Unwell today, sorry" || p["status"] != "cancelled_by_practitioner" || p["paymentStatus"] != "refund_pending" || p["rev"] != 3.0 {
		t.Fatalf("cancel payload: %v", p)
	}
	// Ids only in the trail.
	if n := e.auditCount(t, audit.ActionEdit, b.ID, "op=cancelled_by_practitioner from=confirmed"); n != 1 {
		t.Fatalf("cancel audited %d times", n)
	}
	var leaked int
	e.db.sql.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE instr(detail, 'Unwell') > 0`).Scan(&leaked)
	if leaked != 0 {
		t.Fatal("the message reached the audit trail")
	}
}

func TestBookingChangeRollsBackWithItsOutboxRow(t *testing.T) {
	e := newBookingEnv(t)
	b := e.platform(t, 48, bookings.InPerson, false)
	var auditBefore int
	e.db.sql.QueryRow(`SELECT COUNT(*) FROM audit_log`).Scan(&auditBefore)
	// Break the outbox: the change must not commit without its mutation.
	if _, err := execSQL(t, e.db, `DELETE FROM outbox_sequence`); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Confirm(e.ctx, b.ID); err == nil {
		t.Fatal("confirm committed without its outbox row")
	}
	var auditAfter int
	e.db.sql.QueryRow(`SELECT COUNT(*) FROM audit_log`).Scan(&auditAfter)
	got, err := e.svc.Get(e.ctx, b.ID)
	if err != nil || got.Status != bookings.Requested || got.Rev != 1 || e.lastInteraction(t) != "" || auditAfter != auditBefore {
		t.Fatalf("after failed confirm: %+v %v, audit %d→%d", got, err, auditBefore, auditAfter)
	}
}

func TestBookingCompleteAndNoShowWaitForTheSession(t *testing.T) {
	e := newBookingEnv(t)
	b := e.platform(t, 2, bookings.InPerson, false)
	if _, err := e.svc.Confirm(e.ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.Complete(e.ctx, b.ID)
	if apperr.MessageOf(err) != "a session can be completed or marked no-show only once it has started" {
		t.Fatalf("early complete: %v", err)
	}
	e.clock.Add(3 * time.Hour) // 2024-02-28 23:00 UTC: 29 Feb in India
	c, err := e.svc.Complete(e.ctx, b.ID)
	if err != nil || c.Status != bookings.Completed {
		t.Fatalf("complete: %+v %v", c, err)
	}
	if got := e.lastInteraction(t); got != "2024-02-28T23:00:00Z" {
		t.Fatalf("last interaction: %q", got)
	}
	n := e.platform(t, 0, bookings.InPerson, false) // requested, starting now
	_, err = e.svc.NoShow(e.ctx, n.ID)
	if apperr.MessageOf(err) != "only a confirmed booking can be completed or marked no-show" {
		t.Fatalf("no-show of a request: %v", err)
	}
	if _, err := e.svc.Decline(e.ctx, n.ID, ""); err != nil {
		t.Fatalf("decline: %v", err)
	}
}

func TestWalkIn(t *testing.T) {
	e := newBookingEnv(t)
	st := time.Date(2024, 2, 29, 5, 0, 0, 0, time.UTC)
	w, err := e.svc.AddWalkIn(e.ctx, bookings.WalkIn{ClientID: e.client, Start: st, End: st.Add(time.Hour), FeePaise: 200000, Paid: true, Location: "Room 2"})
	if err != nil || w.Status != bookings.Confirmed || w.Source != bookings.SourceClinic || w.Modality != bookings.InPerson || w.PaymentStatus != bookings.PaymentPaid {
		t.Fatalf("walk-in: %+v %v", w, err)
	}
	rows, _ := e.outbox.OutboxAll(e.ctx)
	if len(rows) != 1 || rows[0].Kind != bookings.OutboxWalkIn {
		t.Fatalf("outbox: %+v", rows)
	}
	p := e.payload(t, rows[0])
	if p["start"] != "2024-02-29T05:00:00Z" || p["clientId"] != nil || p["notes"] != nil {
		t.Fatalf("walk-in payload carries %v", p)
	}
	_, err = e.svc.AddWalkIn(e.ctx, bookings.WalkIn{ClientID: "0190a2b4-0000-7000-8000-000000000000", Start: st, End: st.Add(time.Hour)})
	wantCode(t, err, apperr.NotFound)
	_, err = e.svc.AddWalkIn(e.ctx, bookings.WalkIn{ClientLabel: "R.S.", Start: st, End: st.Add(-time.Hour)})
	wantCode(t, err, apperr.Invalid)
	_, err = e.svc.AddWalkIn(e.ctx, bookings.WalkIn{ClientLabel: "R.S.", Start: st, End: st.Add(time.Hour), Modality: bookings.Online, JoinLink: "http://insecure.example"})
	wantCode(t, err, apperr.Invalid)
	if _, err := e.svc.AddWalkIn(e.ctx, bookings.WalkIn{ClientLabel: "R.S.", Start: st, End: st.Add(time.Hour)}); err != nil {
		t.Fatalf("walk-in without a client record: %v", err)
	}
	busy, err := e.svc.Busy(e.ctx, st, st.Add(time.Minute))
	if err != nil || len(busy) != 2 {
		t.Fatalf("busy: %+v %v", busy, err)
	}
}

func TestBookingListAndTamper(t *testing.T) {
	e := newBookingEnv(t)
	a := e.platform(t, 24, bookings.Online, false)
	b := e.platform(t, 48, bookings.Online, false)
	e.platform(t, 24*40, bookings.Online, false) // next month
	res, err := e.svc.List(e.ctx, e.clock.Now(), e.clock.Now().AddDate(0, 0, 30))
	if err != nil || len(res.Bookings) != 2 || res.Bookings[0].ID != a.ID || res.Bookings[1].JoinLink != "https://meet.calmally.in/r/abc" {
		t.Fatalf("list: %+v %v", res, err)
	}
	// Swap the notes envelopes of two bookings: both fail, neither is shown.
	if _, err := execSQL(t, e.db, `UPDATE bookings SET notes = (SELECT notes FROM bookings WHERE id = ?) WHERE id = ?`, b.ID, a.ID); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.Get(e.ctx, a.ID)
	wantCode(t, err, apperr.Integrity)
	if !errors.Is(err, vault.ErrIntegrity) {
		t.Fatalf("integrity error does not wrap vault.ErrIntegrity: %v", err)
	}
	res, err = e.svc.List(e.ctx, e.clock.Now(), e.clock.Now().AddDate(0, 0, 30))
	if err != nil || len(res.Bookings) != 1 || len(res.Unreadable) != 1 || res.Unreadable[0] != a.ID {
		t.Fatalf("list after tamper: %+v %v", res, err)
	}
	if n := e.auditCount(t, audit.ActionIntegrityError, a.ID, "column=notes"); n != 2 {
		t.Fatalf("integrity errors audited %d times", n)
	}
	_, err = e.svc.Get(e.ctx, "not-an-id")
	wantCode(t, err, apperr.NotFound)
}

func TestOutboxMutationIDsNeverReused(t *testing.T) {
	e := newBookingEnv(t)
	st := e.clock.Now().Add(time.Hour)
	for range 3 {
		if _, err := e.svc.AddWalkIn(e.ctx, bookings.WalkIn{ClientLabel: "R.S.", Start: st, End: st.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		st = st.Add(2 * time.Hour)
	}
	rows, _ := e.outbox.OutboxAll(e.ctx)
	if err := e.outbox.OutboxAck(e.ctx, rows[0].ID, rows[1].ID, rows[2].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.AddWalkIn(e.ctx, bookings.WalkIn{ClientLabel: "R.S.", Start: st, End: st.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	rows, _ = e.outbox.OutboxAll(e.ctx)
	if len(rows) != 1 || rows[0].MutationID != 4 {
		t.Fatalf("after ack: %+v", rows)
	}
	// Retry and park: a parked row is no longer due and does not block.
	now := e.clock.Now()
	if err := e.outbox.OutboxRetry(e.ctx, rows[0].ID, now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if due, _ := e.outbox.OutboxDue(e.ctx, now, 10); len(due) != 0 {
		t.Fatalf("due before its time: %+v", due)
	}
	if due, _ := e.outbox.OutboxDue(e.ctx, now.Add(time.Minute), 10); len(due) != 1 || due[0].Attempts != 1 {
		t.Fatalf("due: %+v", due)
	}
	if err := e.outbox.OutboxPark(e.ctx, rows[0].ID, "rejected_slot_taken"); err != nil {
		t.Fatal(err)
	}
	if due, _ := e.outbox.OutboxDue(e.ctx, now.Add(time.Hour), 10); len(due) != 0 {
		t.Fatalf("parked row still due: %+v", due)
	}
	wantCode(t, e.outbox.OutboxRetry(e.ctx, rows[0].ID, now), apperr.NotFound)
	if err := e.outbox.OutboxPark(e.ctx, rows[0].ID, strings.Repeat("x", 65)); apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("long reason: %v", err)
	}
}

// BenchmarkBookingsMonth opens a calendar month of 200 bookings (five
// sealed columns each) with one audited read ("decrypted"), beside the same
// SELECT of the same rows with no opening and no audit ("plain-select").
func BenchmarkBookingsMonth(b *testing.B) {
	e := newBookingEnv(b)
	from := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	for i := range 200 {
		st := from.Add(time.Duration(i) * 3 * time.Hour)
		if _, err := e.svc.AddWalkIn(e.ctx, bookings.WalkIn{ClientID: e.client, Start: st, End: st.Add(50 * time.Minute),
			Notes: "notes for the session", Location: "Room 2"}); err != nil {
			b.Fatal(err)
		}
	}
	to := from.AddDate(0, 1, 0)
	b.Run("decrypted", func(b *testing.B) {
		for b.Loop() {
			res, err := e.svc.List(e.ctx, from, to)
			if err != nil || len(res.Bookings) != 200 {
				b.Fatalf("%d bookings, %v", len(res.Bookings), err)
			}
		}
	})
	b.Run("plain-select", func(b *testing.B) {
		for b.Loop() {
			rows, err := e.db.sql.QueryContext(e.ctx, `SELECT `+bookingColumns+` FROM bookings
				WHERE start_at < ? AND end_at > ? ORDER BY start_at, id`, formatClientTime(to), formatClientTime(from))
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for rows.Next() {
				if _, err := scanBooking(rows); err != nil {
					b.Fatal(err)
				}
				n++
			}
			rows.Close()
			if n != 200 {
				b.Fatalf("%d rows", n)
			}
		}
	})
}

func walkIn(st, en time.Time) bookings.WalkIn {
	return bookings.WalkIn{ClientLabel: "R.S.", Start: st, End: en}
}

func TestRescheduleLinksOldToNew(t *testing.T) {
	e := newBookingEnv(t)
	old := e.platform(t, 24, bookings.InPerson, true)
	if _, err := e.svc.Confirm(e.ctx, old.ID); err != nil {
		t.Fatal(err)
	}
	st := old.Start.Add(48 * time.Hour)
	next, err := e.svc.Rescheduled(e.ctx, old.ID, bookings.Booking{Status: bookings.Confirmed, ClientID: e.client,
		Start: st, End: st.Add(50 * time.Minute), Modality: bookings.InPerson, FeePaise: old.FeePaise, PaymentStatus: bookings.PaymentPaid}, bookings.ByClient)
	if err != nil || next.RescheduledFrom != old.ID {
		t.Fatalf("reschedule: %+v %v", next, err)
	}
	got, err := e.svc.Get(e.ctx, old.ID)
	if err != nil || got.Status != bookings.Rescheduled || got.RescheduledTo != next.ID || got.Rev != 3 {
		t.Fatalf("old booking: %+v %v", got, err)
	}
	if _, err := e.svc.Rescheduled(e.ctx, next.ID, bookings.Booking{}, bookings.ByPractitioner); apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("practitioner reschedule: %v", err)
	}
	if rows, _ := e.outbox.OutboxAll(e.ctx); len(rows) != 1 { // the confirm only
		t.Fatalf("outbox: %d rows", len(rows))
	}
}

// TestClientBookingsNewestFirstWithLinkedNotes is the client page's sessions
// list: one client's bookings across years, latest first, nobody else's, an
// unreadable one listed as such; the notes list names the booking each note
// records.
func TestClientBookingsNewestFirstWithLinkedNotes(t *testing.T) {
	e := newBookingEnv(t)
	other := e.addClient(t)
	var want []string
	for _, years := range []int{-9, -4, 0} {
		st := e.clock.Now().AddDate(years, 0, 0)
		w, err := e.svc.AddWalkIn(e.ctx, bookings.WalkIn{ClientID: e.client, Start: st, End: st.Add(time.Hour), FeePaise: 150000})
		if err != nil {
			t.Fatal(err)
		}
		want = append([]string{w.ID}, want...)
	}
	st := e.clock.Now().AddDate(-1, 0, 0)
	if _, err := e.svc.AddWalkIn(e.ctx, bookings.WalkIn{ClientID: other, Start: st, End: st.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.AddWalkIn(e.ctx, bookings.WalkIn{ClientLabel: "R.S.", Start: st, End: st.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	res, err := e.svc.ListForClient(e.ctx, e.client)
	if err != nil || len(res.Bookings) != 3 || len(res.Unreadable) != 0 {
		t.Fatalf("list: %+v %v", res, err)
	}
	for i, b := range res.Bookings {
		if b.ID != want[i] || b.ClientID != e.client || b.FeePaise != 150000 {
			t.Fatalf("booking %d is %+v, want id %s", i, b, want[i])
		}
	}
	if n := e.auditCount(t, audit.ActionView, "", "client="+e.client); n != 1 {
		t.Fatalf("list audited %d times", n)
	}
	_, err = e.svc.ListForClient(e.ctx, "not-an-id")
	wantCode(t, err, apperr.NotFound)

	n, err := e.noteEnv.svc.Create(e.ctx, notes.NewNote{ClientID: e.client, TemplateID: notes.TemplateSOAP, BookingID: want[1]})
	if err != nil {
		t.Fatal(err)
	}
	items, err := e.noteEnv.svc.ListForClient(e.ctx, e.client)
	if err != nil || len(items) != 1 || items[0].ID != n.ID || items[0].BookingID != want[1] {
		t.Fatalf("notes list: %+v %v", items, err)
	}

	// A swapped envelope: that booking is unreadable, the others still listed.
	if _, err := execSQL(t, e.db, `UPDATE bookings SET notes = (SELECT notes FROM bookings WHERE id = ?) WHERE id = ?`, want[1], want[0]); err != nil {
		t.Fatal(err)
	}
	res, err = e.svc.ListForClient(e.ctx, e.client)
	if err != nil || len(res.Bookings) != 2 || len(res.Unreadable) != 1 || res.Unreadable[0] != want[0] {
		t.Fatalf("list after tamper: %+v %v", res, err)
	}
}
