package practice

import (
	"context"
	"testing"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/clients"
	"github.com/calmally/practice/internal/retention"
	"github.com/calmally/practice/internal/rights"
)

// Contact details: kept the day before 30 days after discharge, wiped the
// day after (the clinical record stays), not wiped twice, and a new clock
// after a reopen and a second discharge.
func TestRetentionContactThirtyDaysAfterDischarge(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.open(t)
	mustCreate(t, p, false)
	c := addRetentionClient(t, p, "Meera Nair", "9876543212")
	note := addSignedNote(t, p, c.ID, "Intake", "first session")
	// A correction keeps the old phone in the history: it goes too.
	cur, err := p.Clients().Get(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	in := clients.Input{Name: cur.Name, DateOfBirth: cur.DateOfBirth.String(), Phone: "9876543299", Email: cur.Email,
		EmergencyContact: cur.EmergencyContact, PresentingConcerns: "low mood"}
	if _, err := p.Clients().Update(ctx, clients.Correction{ID: c.ID, Rev: cur.Rev, Reason: clients.ReasonNewInformation, Input: in}); err != nil {
		t.Fatal(err)
	}
	oldPhone := column(t, p, `SELECT previous FROM client_history WHERE client_id = ? AND action = 'correction'`, c.ID)
	if _, err := p.Clients().Discharge(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	phone := column(t, p, `SELECT phone FROM clients WHERE id = ?`, c.ID) // discharge re-sealed it
	discharged := p.Now()
	if err := p.DB().Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	if !onDisk(t, p, phone) || !onDisk(t, p, oldPhone) {
		t.Fatal("positive control: the contact envelopes are not on disk before the run")
	}

	f.clock.Set(discharged.AddDate(0, 0, 29))
	rep, err := p.RetentionRun(ctx, p.Now(), TriggerManual)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := item(rep, retention.CategoryContact, c.ID); ok {
		t.Fatalf("day before 30 days: %+v", rep)
	}
	f.clock.Set(discharged.AddDate(0, 0, 31))
	rep, err = p.RetentionRun(ctx, p.Now(), TriggerManual)
	if err != nil {
		t.Fatal(err)
	}
	r, ok := item(rep, retention.CategoryContact, c.ID)
	if !ok || r.Outcome != RetentionDeleted || len(r.Removed) != 2 || r.Removed[0].Table != "clients" || r.Removed[1].Table != "client_history" {
		t.Fatalf("day after 30 days: %+v", rep)
	}
	got, err := p.Clients().Get(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Phone != "" || got.Email != "" || got.EmergencyContact != (clients.EmergencyContact{}) {
		t.Fatalf("contact details left: %q %q %+v", got.Phone, got.Email, got.EmergencyContact)
	}
	if got.Name != "Meera Nair" || got.DateOfBirth.String() != "1980-01-31" || got.PresentingConcerns != "low mood" {
		t.Fatalf("clinical identity changed: %+v", got.Profile)
	}
	if n, err := p.Notes().Get(ctx, note.ID); err != nil || p.Notes().VerifySignature(ctx, n) != nil {
		t.Fatalf("the clinical record did not stay: %v", err)
	}
	for name, m := range map[string][]byte{"phone": phone, "history with the old phone": oldPhone} {
		if onDisk(t, p, m) {
			t.Errorf("%s: the old envelope is still on disk", name)
		}
	}
	hist, err := p.Clients().History(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hist {
		if h.Previous.Phone != "" || h.Previous.Email != "" {
			t.Fatalf("the history still holds a previous contact value (%s)", h.Action)
		}
	}
	rev := got.Rev

	// The next day: nothing to wipe again.
	f.clock.Advance(24 * time.Hour)
	if rep, err = p.RetentionRun(ctx, p.Now(), TriggerManual); err != nil {
		t.Fatal(err)
	}
	if _, ok := item(rep, retention.CategoryContact, c.ID); ok {
		t.Fatalf("wiped twice: %+v", rep)
	}
	if got, _ := p.Clients().Get(ctx, c.ID); got.Rev != rev {
		t.Fatalf("rev moved %d → %d", rev, got.Rev)
	}

	// Back in therapy with new details, discharged again: a new clock.
	if _, err := p.Clients().Reopen(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	cur, _ = p.Clients().Get(ctx, c.ID)
	in.Phone = "9876543288"
	in.Email = "meera@example.in"
	if _, err := p.Clients().Update(ctx, clients.Correction{ID: c.ID, Rev: cur.Rev, Reason: clients.ReasonNewInformation, Input: in}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Clients().Discharge(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	again := p.Now()
	plan, err := p.RetentionPlan(ctx, again.AddDate(0, 0, 30).Add(-time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := item(plan, retention.CategoryContact, c.ID); ok {
		t.Fatal("second discharge: due early")
	}
	if plan, err = p.RetentionPlan(ctx, again.AddDate(0, 0, 30)); err != nil {
		t.Fatal(err)
	}
	if r, ok := item(plan, retention.CategoryContact, c.ID); !ok || !r.Basis.Equal(again.Truncate(time.Second)) {
		t.Fatalf("second discharge: %+v", plan.Results)
	}
	if _, err := p.AuditVerify(ctx); err != nil {
		t.Fatal(err)
	}
}

// Each kind of hold keeps a due client through a run; once it ends, the
// next run deletes the client.
func TestRetentionHoldKinds(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name  string
		hold  string
		place func(t *testing.T, p *Practice, clientID string, due time.Time) (release func())
	}{
		{"manual legal hold", retention.HoldLegal, func(t *testing.T, p *Practice, id string, _ time.Time) func() {
			h, err := p.PlaceLegalHold(ctx, id, retention.HoldReasonDispute)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := p.PlaceLegalHold(ctx, id, "not_a_reason"); apperr.CodeOf(err) != apperr.Invalid {
				t.Fatalf("a bad reason: %v", err)
			}
			return func() {
				if _, err := p.ReleaseLegalHold(ctx, h.ID, "whenever"); apperr.CodeOf(err) != apperr.Invalid {
					t.Fatalf("a bad release reason: %v", err)
				}
				r, err := p.ReleaseLegalHold(ctx, h.ID, retention.HoldReleaseResolved)
				if err != nil || r.ReleasedAt.IsZero() || r.ReleaseReason != retention.HoldReleaseResolved {
					t.Fatalf("release: %+v %v", r, err)
				}
			}
		}},
		{"open rights request", retention.HoldOpenRightsRequest, func(t *testing.T, p *Practice, id string, _ time.Time) func() {
			r, err := p.Rights().Create(ctx, rights.NewRequest{ClientID: id, Kind: rights.KindAccess, Source: rights.SourceClinic})
			if err != nil {
				t.Fatal(err)
			}
			return func() {
				if _, err := p.Rights().Refuse(ctx, r.ID, "duplicate"); err != nil {
					t.Fatal(err)
				}
			}
		}},
		{"erasure hold", retention.HoldErasure, func(t *testing.T, p *Practice, id string, due time.Time) func() {
			// An erasure whose hold runs past the health clock (a hold the
			// practitioner extended): it holds until its own end.
			if _, err := p.DB().SQL().ExecContext(ctx, `INSERT INTO erasure_holds (client_id, hold_until, categories, basis, certificate_id, created_at)
				VALUES (?, ?, 'health_information', 'test', 'cert', ?)`, id, due.AddDate(0, 0, 10).Format(time.RFC3339), due.Format(time.RFC3339)); err != nil {
				t.Fatal(err)
			}
			return func() {}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			p := f.open(t)
			mustCreate(t, p, false)
			c := addRetentionClient(t, p, "Ravi Iyer", "9876543213")
			addSignedNote(t, p, c.ID, "Intake", "first session")
			plan, err := p.RetentionPlan(ctx, p.Now().AddDate(8, 0, 0))
			if err != nil {
				t.Fatal(err)
			}
			it, ok := item(plan, retention.CategoryHealth, c.ID)
			if !ok {
				t.Fatal("not due in 8 years")
			}
			release := tt.place(t, p, c.ID, it.Due)
			f.clock.Set(it.Due.Add(24 * time.Hour))
			rep, err := p.RetentionRun(ctx, p.Now(), TriggerManual)
			if err != nil {
				t.Fatal(err)
			}
			if r, ok := item(rep, retention.CategoryHealth, c.ID); !ok || r.Outcome != RetentionHeld || r.Hold != tt.hold || rep.Held != 1 {
				t.Fatalf("held run: %+v", rep)
			}
			if _, err := p.Clients().Get(ctx, c.ID); err != nil {
				t.Fatalf("held client gone: %v", err)
			}
			release()
			f.clock.Set(it.Due.AddDate(0, 0, 11))
			if rep, err = p.RetentionRun(ctx, p.Now(), TriggerManual); err != nil {
				t.Fatal(err)
			}
			if r, ok := item(rep, retention.CategoryHealth, c.ID); !ok || r.Outcome != RetentionDeleted {
				t.Fatalf("after the hold: %+v", rep)
			}
			if _, err := p.Clients().Get(ctx, c.ID); apperr.CodeOf(err) != apperr.NotFound {
				t.Fatalf("client after the hold ended: %v", err)
			}
			if _, err := p.AuditVerify(ctx); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// The daily schedule: nothing while locked; the first look after unlock
// runs; once per day in India; the next day again.
func TestRetentionTick(t *testing.T) {
	f := newFixture(t)
	f.clock.Set(time.Date(2026, 3, 1, 17, 0, 0, 0, time.UTC)) // 22:30 in Kolkata
	ctx := context.Background()
	p := f.open(t)
	if ran, err := p.RetentionTick(ctx); ran || err != nil {
		t.Fatalf("no vault: ran %v %v", ran, err)
	}
	mustCreate(t, p, false)
	p.Lock(ctx, "test")
	if ran, err := p.RetentionTick(ctx); ran || err != nil {
		t.Fatalf("locked: ran %v %v", ran, err)
	}
	if err := p.Unlock(ctx, []byte(goodPass)); err != nil {
		t.Fatal(err)
	}
	if ran, err := p.RetentionTick(ctx); !ran || err != nil {
		t.Fatalf("first look after unlock: ran %v %v", ran, err)
	}
	f.clock.Advance(time.Hour) // 23:30 in Kolkata: the same day
	if ran, err := p.RetentionTick(ctx); ran || err != nil {
		t.Fatalf("same day: ran %v %v", ran, err)
	}
	f.clock.Advance(time.Hour) // 00:30 on 2 March in Kolkata (still 1 March UTC)
	if ran, err := p.RetentionTick(ctx); !ran || err != nil {
		t.Fatalf("next day: ran %v %v", ran, err)
	}
	runs, err := p.RetentionRuns(ctx, 10)
	if err != nil || len(runs) != 2 || runs[0].Trigger != string(TriggerSchedule) {
		t.Fatalf("runs %+v %v", runs, err)
	}
}
